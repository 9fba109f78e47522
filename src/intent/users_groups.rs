//! User and group IDs: `runAsUser`, `runAsGroup`, `supplementalGroups`, `fsGroup`. Each MustRunAs
//! rule also defaults the unset value to the first range's minimum.

use super::{Builder, Control, Effect};
use crate::psp::{GroupRule, GroupStrategy, RunAsUserRule};

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
    let group = s.run_as_group.unwrap_or(any);
    b.spec(
        "runAsGroup",
        Effect::Validate,
        Control::RunAsGroup {
            rule: group.rule,
            ranges: group.ranges.clone(),
        },
    );
    if let Some(gid) = first_min(&group) {
        b.spec(
            "runAsGroup",
            Effect::Mutate,
            Control::DefaultRunAsGroup { gid },
        );
    }
    let sup = s.supplemental_groups;
    b.spec(
        "supplementalGroups",
        Effect::Validate,
        Control::SupplementalGroups {
            rule: sup.rule,
            ranges: sup.ranges.clone(),
        },
    );
    if let Some(gid) = first_min(&sup) {
        b.spec(
            "supplementalGroups",
            Effect::Mutate,
            Control::DefaultSupplementalGroups { gid },
        );
    }
    let fs = s.fs_group;
    b.spec(
        "fsGroup",
        Effect::Validate,
        Control::FsGroup {
            rule: fs.rule,
            ranges: fs.ranges.clone(),
        },
    );
    if let Some(gid) = first_min(&fs) {
        b.spec("fsGroup", Effect::Mutate, Control::DefaultFsGroup { gid });
    }
}

/// The default a MustRunAs group rule generates: its first range's minimum.
fn first_min(g: &GroupStrategy) -> Option<i64> {
    (g.rule == GroupRule::MustRunAs)
        .then(|| g.ranges.first().map(|r| r.min))
        .flatten()
}
