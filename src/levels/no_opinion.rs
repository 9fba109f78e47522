//! PSP fields no level has an opinion on: `runAsGroup`, `supplementalGroups`, `fsGroup`,
//! `readOnlyRootFilesystem` and `runtimeClass`. Whatever they restrict is lost under PSA.

use super::{list, Row, Verdict};
use crate::psp::{GroupRule, GroupStrategy, Psp, RuntimeClassStrategy};
use crate::pss::Version;

/// The rows of fields no level checks.
pub fn rows(psp: &Psp, _version: Version) -> Vec<Row> {
    let s = &psp.spec;
    vec![
        group("runAsGroup", s.run_as_group.as_ref()),
        group("supplementalGroups", Some(&s.supplemental_groups)),
        group("fsGroup", Some(&s.fs_group)),
        read_only_root(s.read_only_root_filesystem),
        runtime_class(s.runtime_class.as_ref()),
    ]
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

fn read_only_root(required: bool) -> Row {
    const F: &str = "readOnlyRootFilesystem";
    if required {
        Row::both(
            F,
            Verdict::PspStricter,
            "requires (and defaults) a read-only root filesystem; no level does, so this is lost"
                .into(),
        )
    } else {
        Row::both(
            F,
            Verdict::NoOpinion,
            "not required, and no level requires it".into(),
        )
    }
}

fn runtime_class(rc: Option<&RuntimeClassStrategy>) -> Row {
    const F: &str = "runtimeClass";
    let Some(rc) = rc else {
        return Row::both(
            F,
            Verdict::NoOpinion,
            "not set: any runtime class, as at every level".into(),
        );
    };
    let names = &rc.allowed_runtime_class_names;
    let limited = !names.iter().any(|n| n == "*");
    let default = rc
        .default_runtime_class_name
        .as_ref()
        .map(|d| format!("; the default {d:?} is lost (PSA never mutates)"))
        .unwrap_or_default();
    if limited {
        Row::both(
            F,
            Verdict::PspStricter,
            format!(
                "limits runtime classes to {}{default}; no level restricts them",
                list(names)
            ),
        )
    } else {
        Row::both(
            F,
            Verdict::NoOpinion,
            format!("any runtime class is allowed{default}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels::testing::psp;
    use crate::psp::IdRange;

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
        for r in rows(&psp(), Version::Latest) {
            assert_eq!(
                (r.baseline, r.restricted),
                (Verdict::NoOpinion, Verdict::NoOpinion),
                "{r:?}"
            );
        }
    }

    #[test]
    fn runtime_class_list_is_lost() {
        let rc = RuntimeClassStrategy {
            allowed_runtime_class_names: vec!["gvisor".into()],
            default_runtime_class_name: Some("gvisor".into()),
        };
        let r = runtime_class(Some(&rc));
        assert_eq!(r.baseline, Verdict::PspStricter);
        assert!(r.reason.contains("default \"gvisor\""));
    }
}
