//! User and group IDs: `runAsUser`, `runAsGroup`, `supplementalGroups`, `fsGroup`. Each MustRunAs
//! rule also defaults the unset value to the first range's minimum.

use super::{Builder, Control, Effect};
use crate::psp::{GroupRule, GroupStrategy, IdRange, RunAsUserRule};

pub(super) fn build(b: &mut Builder<'_>) {
    let s = b.psp.spec.clone();
    let user = s.run_as_user;
    b.spec(
        "runAsUser",
        Effect::Validate,
        Control::RunAsUser {
            rule: user.rule,
            ranges: user.ranges.clone(),
        },
    );
    match (user.rule, user.ranges.first()) {
        (RunAsUserRule::MustRunAs, Some(r)) => b.spec(
            "runAsUser",
            Effect::Mutate,
            Control::DefaultRunAsUser { uid: r.min },
        ),
        (RunAsUserRule::MustRunAsNonRoot, _) => {
            b.spec("runAsUser", Effect::Mutate, Control::DefaultRunAsNonRoot)
        }
        _ => {}
    }
    let any = GroupStrategy {
        rule: GroupRule::RunAsAny,
        ranges: Vec::new(),
    };
    let run_as_group = s.run_as_group.unwrap_or(any);
    group(
        b,
        "runAsGroup",
        &run_as_group,
        |rule, ranges| Control::RunAsGroup { rule, ranges },
        |gid| Control::DefaultRunAsGroup { gid },
    );
    group(
        b,
        "supplementalGroups",
        &s.supplemental_groups,
        |rule, ranges| Control::SupplementalGroups { rule, ranges },
        |gid| Control::DefaultSupplementalGroups { gid },
    );
    group(
        b,
        "fsGroup",
        &s.fs_group,
        |rule, ranges| Control::FsGroup { rule, ranges },
        |gid| Control::DefaultFsGroup { gid },
    );
}

/// A group strategy on spec field `field`: its check, then its default under MustRunAs.
fn group(
    b: &mut Builder<'_>,
    field: &str,
    g: &GroupStrategy,
    check: fn(GroupRule, Vec<IdRange>) -> Control,
    default: fn(i64) -> Control,
) {
    b.spec(field, Effect::Validate, check(g.rule, g.ranges.clone()));
    if let Some(gid) = first_min(g) {
        b.spec(field, Effect::Mutate, default(gid));
    }
}

/// The default a MustRunAs group rule generates: its first range's minimum.
fn first_min(g: &GroupStrategy) -> Option<i64> {
    (g.rule == GroupRule::MustRunAs)
        .then(|| g.ranges.first().map(|r| r.min))
        .flatten()
}
