//! User and group IDs, as `simulate/check/users_groups.rs` decides them: `runAsUser` and `runAsGroup`
//! per container on the effective value (container over pod), `fsGroup` and
//! `supplementalGroups` on the pod. After the policy's defaults an unset value takes the
//! default (the first range's minimum), and MustRunAsNonRoot sets `runAsNonRoot`.

use super::expr::{and, in_ranges, msg, not, Checks, Field};
use super::lit;
use super::Mode;
use crate::psp::{GroupRule, IdRange, RunAsUserRule};
use crate::simulate::rules::{Ranged, Rules};

const S: &str = "variables.spec";

fn ranges(r: &[IdRange]) -> String {
    lit::ranges(r.iter().map(|r| (r.min, r.max)))
}

/// The effective value of a security-context field for container `c`.
fn effective(field: &str) -> Field {
    Field::at("c", &["securityContext", field]).or(Field::at(S, &["securityContext", field]))
}

pub(super) fn pod_groups(r: &Rules, mode: Mode, out: &mut Checks) {
    let defaults = mode == Mode::AfterDefaults;
    let fs = Field::at(S, &["securityContext", "fsGroup"]);
    let fs = match (r.defaults.fs_group, defaults) {
        (Some(gid), true) => fs.or_value(&gid.to_string()),
        _ => fs,
    };
    if let Some(ok) = group_ok(&r.fs_group, &fs) {
        out.pod(ok, msg("fsGroup is not allowed"));
    }
    if r.supplemental_groups.rule == GroupRule::RunAsAny {
        return;
    }
    let sup = Field::at(S, &["securityContext", "supplementalGroups"]);
    let list = match (r.defaults.supplemental_group, defaults) {
        (Some(gid), true) => sup.value_or(&format!("[{gid}]")),
        _ => sup.value_or("[]"),
    };
    let rs = ranges(&r.supplemental_groups.ranges);
    let all_in = format!("{list}.all(g, {})", in_ranges("g", &rs));
    let ok = if r.supplemental_groups.rule == GroupRule::MustRunAs {
        and(&format!("size({list}) > 0"), &all_in)
    } else {
        all_in
    };
    out.pod(ok, msg("supplementalGroups are not allowed"));
}

/// MustRunAs: set and in a range; MayRunAs: in a range when set; `None` for RunAsAny.
fn group_ok(g: &Ranged<GroupRule>, value: &Field) -> Option<String> {
    let inside = in_ranges(&value.value(), &ranges(&g.ranges));
    match g.rule {
        GroupRule::RunAsAny => None,
        GroupRule::MustRunAs => Some(and(&value.set(), &inside)),
        GroupRule::MayRunAs => Some(format!("!({}) || {inside}", value.set())),
    }
}

pub(super) fn container(r: &Rules, mode: Mode, out: &mut Checks) {
    let defaults = mode == Mode::AfterDefaults;
    run_as_user(r, defaults, out);
    let group = effective("runAsGroup");
    let group = match (r.defaults.run_as_group, defaults) {
        (Some(gid), true) => group.or_value(&gid.to_string()),
        _ => group,
    };
    if let Some(ok) = group_ok(&r.run_as_group, &group) {
        out.container(ok, "runAsGroup is not allowed");
    }
}

fn run_as_user(r: &Rules, defaults: bool, out: &mut Checks) {
    let user = effective("runAsUser");
    match r.run_as_user.rule {
        RunAsUserRule::RunAsAny => {}
        RunAsUserRule::MustRunAs => {
            let user = match (r.defaults.run_as_user, defaults) {
                (Some(uid), true) => user.or_value(&uid.to_string()),
                _ => user,
            };
            let inside = in_ranges(&user.value(), &ranges(&r.run_as_user.ranges));
            out.container(
                and(&user.set(), &inside),
                "runAsUser is not in an allowed range",
            );
        }
        RunAsUserRule::MustRunAsNonRoot => {
            let non_root = effective("runAsNonRoot");
            // The default sets runAsNonRoot where neither it nor runAsUser is set.
            let something_set = if defaults && r.defaults.run_as_non_root {
                "true".to_string()
            } else {
                format!("({} || {})", non_root.set(), user.set())
            };
            let ok = format!(
                "{something_set} && {} && {}",
                not(&non_root.is(|v| format!("{v} == false"))),
                not(&user.is(|v| format!("{v} == 0")))
            );
            out.container(
                ok,
                "must run as non-root (runAsNonRoot true or a non-zero runAsUser)",
            );
        }
    }
}
