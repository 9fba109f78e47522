//! Container-only switches: privileged, proc mount, read-only root filesystem, privilege
//! escalation, as `simulate/check/container.rs` decides them (after the policy's defaults for
//! the last two, in [`Mode::AfterDefaults`]).

use super::expr::{not, Checks, Field};
use super::lit;
use super::Mode;
use crate::simulate::rules::Rules;

fn sc(field: &str) -> Field {
    Field::at("c", &["securityContext", field])
}

pub(super) fn check(r: &Rules, out: &mut Checks) {
    if !r.privileged {
        let privileged = sc("privileged").is(|v| v.to_string());
        out.container(not(&privileged), "privileged containers are not allowed");
    }
    let pm = sc("procMount").value_or("\"Default\"");
    out.container(
        format!("{pm} in {}", lit::strings(&r.proc_mounts)),
        "the proc mount type is not allowed",
    );
}

pub(super) fn escalation_and_root(r: &Rules, mode: Mode, out: &mut Checks) {
    let defaults = mode == Mode::AfterDefaults;
    if r.read_only_root {
        let ro = sc("readOnlyRootFilesystem");
        let unset_ok = defaults && r.d.read_only_root;
        out.container(
            if unset_ok {
                ro.value_or("true")
            } else {
                ro.is(|v| format!("{v} == true"))
            },
            "readOnlyRootFilesystem must be true",
        );
    }
    if !r.allow_escalation {
        let ape = sc("allowPrivilegeEscalation");
        let unset_ok = defaults && r.d.allow_escalation == Some(false);
        out.container(
            if unset_ok {
                format!("!{}", ape.value_or("false"))
            } else {
                ape.is(|v| format!("{v} == false"))
            },
            "allowPrivilegeEscalation must be false",
        );
    }
}
