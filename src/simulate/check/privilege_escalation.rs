//! `allowPrivilegeEscalation: false` requires every container to set it to false.

use k8s_openapi::api::core::v1::SecurityContext;

use super::Failures;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, sc_path: &str, sc: Option<&SecurityContext>, out: &mut Failures) {
    if !r.allow_escalation && sc.and_then(|s| s.allow_privilege_escalation) != Some(false) {
        out.fail(
            format!("{sc_path}.allowPrivilegeEscalation"),
            "spec.allowPrivilegeEscalation",
            "allowPrivilegeEscalation must be false",
        );
    }
}
