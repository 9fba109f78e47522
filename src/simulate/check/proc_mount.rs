//! The container's proc mount type must be allowed (unset is `Default`).

use k8s_openapi::api::core::v1::SecurityContext;

use super::Failures;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, sc_path: &str, sc: Option<&SecurityContext>, out: &mut Failures) {
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
