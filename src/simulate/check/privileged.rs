//! `privileged` containers (a container-only switch).

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
}

#[cfg(test)]
mod tests {
    //! The privileged checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    #[test]
    fn privileged_in_any_container_list() {
        let p = pod("  initContainers: [{name: i, image: x, securityContext: {privileged: true}}]\n  containers: [{name: app, image: x}]\n");
        assert_eq!(
            failed(&psp(""), &p),
            ["spec.initContainers[name=i].securityContext.privileged"]
        );
        assert!(admitted(&psp("  privileged: true\n"), &p));
    }
}
