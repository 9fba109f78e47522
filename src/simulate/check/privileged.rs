//! Container-only switches: privileged, proc mount, read-only root filesystem, privilege
//! escalation. None of these has a pod-level value.

use k8s_openapi::api::core::v1::SecurityContext;

use super::Failures;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, sc_path: &str, sc: Option<&SecurityContext>, out: &mut Failures) {
    if !r.privileged && sc.and_then(|s| s.privileged) == Some(true) {
        out.fail(
            format!("{sc_path}.privileged"),
            "spec.privileged",
            "privileged containers are not allowed",
        );
    }
    let pm = sc
        .and_then(|s| s.proc_mount.as_deref())
        .unwrap_or("Default");
    if !r.proc_mounts.iter().any(|a| a == pm) {
        out.fail(
            format!("{sc_path}.procMount"),
            "spec.allowedProcMountTypes",
            format!("proc mount type {pm} is not allowed"),
        );
    }
}

pub(super) fn escalation_and_root(
    r: &Rules,
    sc_path: &str,
    sc: Option<&SecurityContext>,
    out: &mut Failures,
) {
    if r.read_only_root && sc.and_then(|s| s.read_only_root_filesystem) != Some(true) {
        out.fail(
            format!("{sc_path}.readOnlyRootFilesystem"),
            "spec.readOnlyRootFilesystem",
            "readOnlyRootFilesystem must be true",
        );
    }
    if !r.allow_escalation && sc.and_then(|s| s.allow_privilege_escalation) != Some(false) {
        out.fail(
            format!("{sc_path}.allowPrivilegeEscalation"),
            "spec.allowPrivilegeEscalation",
            "allowPrivilegeEscalation must be false",
        );
    }
}
