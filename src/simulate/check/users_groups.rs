//! `runAsUser` and `runAsGroup` per container (effective values), `fsGroup` and
//! `supplementalGroups` on the pod.

use k8s_openapi::api::core::v1::PodSecurityContext;

use super::Failures;
use crate::psp::{GroupRule, IdRange, RunAsUserRule};
use crate::simulate::pod::Effective;
use crate::simulate::rules::{Ranged, Rules};

pub(super) fn pod_groups(r: &Rules, sc: Option<&PodSecurityContext>, out: &mut Failures) {
    let fs: Vec<i64> = sc.and_then(|s| s.fs_group).into_iter().collect();
    groups(
        &r.fs_group,
        "spec.securityContext.fsGroup",
        "spec.fsGroup",
        &fs,
        out,
    );
    let sup = sc
        .and_then(|s| s.supplemental_groups.clone())
        .unwrap_or_default();
    groups(
        &r.supplemental_groups,
        "spec.securityContext.supplementalGroups",
        "spec.supplementalGroups",
        &sup,
        out,
    );
}

pub(super) fn container(r: &Rules, sc_path: &str, eff: &Effective, out: &mut Failures) {
    run_as_user(r, sc_path, eff, out);
    let g: Vec<i64> = eff.run_as_group.into_iter().collect();
    groups(
        &r.run_as_group,
        &format!("{sc_path}.runAsGroup"),
        "spec.runAsGroup",
        &g,
        out,
    );
}

fn run_as_user(r: &Rules, sc_path: &str, eff: &Effective, out: &mut Failures) {
    const F: &str = "spec.runAsUser";
    match r.run_as_user.rule {
        RunAsUserRule::RunAsAny => {}
        RunAsUserRule::MustRunAs => match eff.run_as_user {
            None => out.fail(format!("{sc_path}.runAsUser"), F, "runAsUser is required"),
            Some(uid) if !in_ranges(uid, &r.run_as_user.ranges) => out.fail(
                format!("{sc_path}.runAsUser"),
                F,
                format!("runAsUser {uid} is not in {}", show(&r.run_as_user.ranges)),
            ),
            Some(_) => {}
        },
        RunAsUserRule::MustRunAsNonRoot => match (eff.run_as_non_root, eff.run_as_user) {
            (None, None) => out.fail(
                format!("{sc_path}.runAsNonRoot"),
                F,
                "runAsNonRoot must be true (or runAsUser non-zero)",
            ),
            (Some(false), _) => out.fail(
                format!("{sc_path}.runAsNonRoot"),
                F,
                "runAsNonRoot must be true",
            ),
            (_, Some(0)) => out.fail(
                format!("{sc_path}.runAsUser"),
                F,
                "running as UID 0 is forbidden",
            ),
            _ => {}
        },
    }
}

/// A group rule over the groups present: MustRunAs needs at least one, and every one present
/// must be in a range (MustRunAs and MayRunAs).
fn groups(g: &Ranged<GroupRule>, path: &str, psp_field: &str, present: &[i64], out: &mut Failures) {
    if g.rule == GroupRule::RunAsAny {
        return;
    }
    if g.rule == GroupRule::MustRunAs && present.is_empty() && !g.ranges.is_empty() {
        out.fail(
            path,
            psp_field,
            format!("must be set, in {}", show(&g.ranges)),
        );
    }
    for id in present.iter().filter(|id| !in_ranges(**id, &g.ranges)) {
        out.fail(
            path,
            psp_field,
            format!("group {id} is not in {}", show(&g.ranges)),
        );
    }
}

pub(crate) fn in_ranges(v: i64, ranges: &[IdRange]) -> bool {
    ranges.iter().any(|r| r.contains(v))
}

pub(crate) fn show(ranges: &[IdRange]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| format!("{}-{}", r.min, r.max))
        .collect();
    format!("[{}]", parts.join(", "))
}
