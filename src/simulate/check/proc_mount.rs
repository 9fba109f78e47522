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

#[cfg(test)]
mod tests {
    //! The proc mount checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    #[test]
    fn proc_mount() {
        let unmasked =
            pod("  containers: [{name: app, image: x, securityContext: {procMount: Unmasked}}]\n");
        assert_eq!(
            failed(&psp(""), &unmasked),
            ["spec.containers[name=app].securityContext.procMount"]
        );
        assert!(admitted(
            &psp("  allowedProcMountTypes: [Default, Unmasked]\n"),
            &unmasked
        ));
        assert!(
            !admitted(&psp("  allowedProcMountTypes: [Unmasked]\n"), &pod(APP)),
            "unset reads Default"
        );
    }
}
