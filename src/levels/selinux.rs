//! `seLinux`: both levels forbid setting an SELinux user or role and allow only the container
//! types [`allowed_types`] (PSS "SELinux", 1.0+; `container_engine_t` from 1.31).

use super::{Cause, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::psp::SeLinuxRule;
use crate::pss::Version;

/// SELinux types the levels allow at `version`, besides the empty type (the PSS check's own
/// list).
pub fn allowed_types(version: Version) -> Vec<&'static str> {
    crate::pss::checks::selinux::allowed_types(version)
        .iter()
        .copied()
        .filter(|t| !t.is_empty())
        .collect()
}

/// The `seLinux` row.
pub fn rows(intent: &Intent, version: Version) -> Vec<Row> {
    const F: &str = "seLinux";
    let (rule, options) = intent.value(|c| match c {
        Control::SeLinux { rule, options } => Some((*rule, options)),
        _ => None,
    });
    if rule == SeLinuxRule::RunAsAny {
        return vec![Row::both(
            F,
            Verdict::PspLooser,
            "RunAsAny admits any seLinuxOptions (a user, a role, types such as spc_t), which both levels reject".into(),
        )
        .by(Cause::Omission)];
    }
    let opts = options.clone().unwrap_or_default();
    let set = |v: &Option<String>| v.as_deref().is_some_and(|x| !x.is_empty());
    let mut bad = Vec::new();
    if set(&opts.user) {
        bad.push(format!("user {}", opts.user.as_deref().unwrap_or("")));
    }
    if set(&opts.role) {
        bad.push(format!("role {}", opts.role.as_deref().unwrap_or("")));
    }
    let ty = opts.type_.as_deref().unwrap_or("");
    if !ty.is_empty() && !allowed_types(version).contains(&ty) {
        bad.push(format!("type {ty}"));
    }
    let row = if bad.is_empty() {
        Row::both(
            F,
            Verdict::PspStricter,
            format!(
                "MustRunAs pins one context{} allowed by both levels; the levels do not pin it",
                if ty.is_empty() {
                    String::new()
                } else {
                    format!(" (type {ty})")
                }
            ),
        )
    } else {
        let engine = if ty == "container_engine_t" {
            " (container_engine_t is allowed from v1.31)"
        } else {
            ""
        };
        Row::both(
            F,
            Verdict::PspLooser,
            format!(
                "MustRunAs requires {}, which both levels reject{engine}",
                bad.join(" and ")
            ),
        )
        .by(Cause::Grant)
    };
    vec![row]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;
    use crate::psp::{Psp, SeLinuxOptions, SeLinuxStrategy};

    fn must_run_as(opts: SeLinuxOptions) -> Psp {
        let mut p = psp();
        p.spec.se_linux = SeLinuxStrategy {
            rule: SeLinuxRule::MustRunAs,
            options: Some(opts),
        };
        p
    }

    #[test]
    fn run_as_any_is_an_omission() {
        let r = &rows(&intent_of(&psp()), Version::Latest)[0];
        assert_eq!(r.baseline, Verdict::PspLooser);
        assert_eq!(r.cause, Some(Cause::Omission));
    }

    #[test]
    fn container_engine_t_is_allowed_from_1_31() {
        let p = must_run_as(SeLinuxOptions {
            type_: Some("container_engine_t".into()),
            ..Default::default()
        });
        assert_eq!(
            rows(&intent_of(&p), Version::Minor(30))[0].baseline,
            Verdict::PspLooser
        );
        assert_eq!(
            rows(&intent_of(&p), Version::Minor(31))[0].baseline,
            Verdict::PspStricter
        );
    }

    #[test]
    fn user_or_role_is_a_grant() {
        let p = must_run_as(SeLinuxOptions {
            user: Some("system_u".into()),
            type_: Some("container_t".into()),
            ..Default::default()
        });
        let r = &rows(&intent_of(&p), Version::Latest)[0];
        assert_eq!(r.restricted, Verdict::PspLooser);
        assert_eq!(r.cause, Some(Cause::Grant));
        assert!(r.reason.contains("user system_u"));
    }
}
