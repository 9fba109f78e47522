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
