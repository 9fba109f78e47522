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
