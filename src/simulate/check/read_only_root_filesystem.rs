//! `readOnlyRootFilesystem: true` requires every container to set it.

use k8s_openapi::api::core::v1::SecurityContext;

use super::Failures;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, sc_path: &str, sc: Option<&SecurityContext>, out: &mut Failures) {
    if r.read_only_root && sc.and_then(|s| s.read_only_root_filesystem) != Some(true) {
        out.fail(
            format!("{sc_path}.readOnlyRootFilesystem"),
            "spec.readOnlyRootFilesystem",
            "readOnlyRootFilesystem must be true",
        );
    }
}

#[cfg(test)]
mod tests {
    //! The read only root filesystem checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    #[test]
    fn read_only_root_filesystem() {
        let p = psp("  readOnlyRootFilesystem: true\n");
        assert_eq!(
            mutations(&p, &pod(APP)),
            [(
                "spec.containers[name=app].securityContext.readOnlyRootFilesystem".to_string(),
                json!(true)
            )]
        );
        let f = pod("  initContainers: [{name: i, image: x, securityContext: {readOnlyRootFilesystem: false}}]\n  containers: [{name: app, image: x}]\n");
        assert_eq!(
            failed(&p, &f),
            ["spec.initContainers[name=i].securityContext.readOnlyRootFilesystem"]
        );
    }
}
