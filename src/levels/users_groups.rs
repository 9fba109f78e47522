//! Users and groups.
//!
//! `runAsUser`: baseline has no opinion; restricted requires `runAsNonRoot: true` on the pod or
//! every container (1.0+) and forbids `runAsUser: 0` (1.23+).
//!
//! No PSP rule requires `runAsNonRoot: true`: MustRunAsNonRoot admits `runAsUser: 1000` without
//! it, and sets it only when neither field is set. So restricted always rejects some pod the PSP
//! admitted; the gap is an omission unless the PSP's ranges grant UID 0.
//!
//! `runAsGroup`, `supplementalGroups`, `fsGroup`: no level has an opinion, so whatever they
//! restrict is lost under PSA.

use super::{list, Cause, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::psp::{GroupRule, GroupStrategy, RunAsUserRule};
use crate::pss::Version;

/// The `runAsUser` row.
pub fn run_as_user(intent: &Intent, _version: Version) -> Vec<Row> {
    const F: &str = "runAsUser";
    let (rule, ranges) = intent.value(|c| match c {
        Control::RunAsUser { rule, ranges } => Some((*rule, ranges)),
        _ => None,
    });
    let row = match rule {
        RunAsUserRule::RunAsAny => Row::new(
            F,
            Verdict::NoOpinion,
            Verdict::PspLooser,
            "RunAsAny admits root and pods without runAsNonRoot: true, which restricted requires"
                .into(),
        )
        .by(Cause::Omission),
        RunAsUserRule::MustRunAsNonRoot => Row::new(
            F,
            Verdict::PspStricter,
            Verdict::PspLooser,
            "MustRunAsNonRoot admits runAsUser: 1000 without runAsNonRoot: true and defaults runAsNonRoot only when both are unset, while restricted requires runAsNonRoot: true".into(),
        )
        .by(Cause::Omission),
        RunAsUserRule::MustRunAs if ranges.iter().any(|r| r.contains(0)) => Row::new(
            F,
            Verdict::PspStricter,
            Verdict::PspLooser,
            "MustRunAs ranges include UID 0, so root is allowed, which restricted rejects".into(),
        )
        .by(Cause::Grant),
        RunAsUserRule::MustRunAs => Row::new(
            F,
            Verdict::PspStricter,
            Verdict::PspLooser,
            "MustRunAs keeps UIDs in non-root ranges but admits (and defaults) runAsUser without runAsNonRoot: true, which restricted requires".into(),
        )
        .by(Cause::Omission),
    };
    vec![row]
}

/// The rows of the group fields, which no level checks.
pub fn groups(intent: &Intent, _version: Version) -> Vec<Row> {
    let strategy = |name: &str| {
        let (rule, ranges) = intent.value(|c| match (name, c) {
            ("runAsGroup", Control::RunAsGroup { rule, ranges })
            | ("supplementalGroups", Control::SupplementalGroups { rule, ranges })
            | ("fsGroup", Control::FsGroup { rule, ranges }) => Some((*rule, ranges)),
            _ => None,
        });
        GroupStrategy {
            rule,
            ranges: ranges.clone(),
        }
    };
    ["runAsGroup", "supplementalGroups", "fsGroup"]
        .into_iter()
        .map(|name| group(name, Some(&strategy(name))))
        .collect()
}

/// A group strategy: MustRunAs and MayRunAs restrict (MustRunAs also defaults).
fn group(field: &'static str, strategy: Option<&GroupStrategy>) -> Row {
    let Some(g) = strategy.filter(|g| g.rule != GroupRule::RunAsAny) else {
        return Row::both(
            field,
            Verdict::NoOpinion,
            "any group is allowed, and no level restricts groups".into(),
        );
    };
    let ranges = list(g.ranges.iter().map(|r| format!("{}-{}", r.min, r.max)));
    let default = if g.rule == GroupRule::MustRunAs {
        " and defaulted"
    } else {
        ""
    };
    Row::both(
        field,
        Verdict::PspStricter,
        format!(
            "{:?} keeps groups in {ranges}{default}; no level restricts groups, so this is lost",
            g.rule
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;
    use crate::psp::{IdRange, RunAsUserStrategy};

    fn rule(rule: RunAsUserRule, ranges: Vec<IdRange>) -> Row {
        let mut p = psp();
        p.spec.run_as_user = RunAsUserStrategy { rule, ranges };
        run_as_user(&intent_of(&p), Version::Latest).remove(0)
    }

    #[test]
    fn must_run_as_non_root_is_looser_than_restricted() {
        let r = rule(RunAsUserRule::MustRunAsNonRoot, vec![]);
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspLooser)
        );
        assert_eq!(r.cause, Some(Cause::Omission));
        assert!(r.reason.contains("runAsUser: 1000"));
    }

    #[test]
    fn ranges_with_root_are_a_grant() {
        let r = rule(RunAsUserRule::MustRunAs, vec![IdRange { min: 0, max: 10 }]);
        assert_eq!(r.cause, Some(Cause::Grant));
        let r = rule(RunAsUserRule::MustRunAs, vec![IdRange { min: 1, max: 10 }]);
        assert_eq!(r.cause, Some(Cause::Omission));
    }

    #[test]
    fn run_as_any_has_no_baseline_opinion() {
        let r = rule(RunAsUserRule::RunAsAny, vec![]);
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::NoOpinion, Verdict::PspLooser)
        );
    }

    #[test]
    fn group_restrictions_are_lost() {
        let g = GroupStrategy {
            rule: GroupRule::MustRunAs,
            ranges: vec![IdRange { min: 1, max: 65535 }],
        };
        let r = group("fsGroup", Some(&g));
        assert_eq!(r.baseline, Verdict::PspStricter);
        assert!(r.reason.contains("1-65535"));
        assert_eq!(group("runAsGroup", None).baseline, Verdict::NoOpinion);
    }

    #[test]
    fn defaults_only_psp_has_no_opinion_rows() {
        for r in groups(&intent_of(&psp()), Version::Latest) {
            assert_eq!(
                (r.baseline, r.restricted),
                (Verdict::NoOpinion, Verdict::NoOpinion),
                "{r:?}"
            );
        }
    }
}
