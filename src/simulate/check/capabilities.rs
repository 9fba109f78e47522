//! Capabilities: added ones must be allowed or defaults, required drops must be dropped; `*` in
//! `allowedCapabilities` waives both checks.

use k8s_openapi::api::core::v1::Capabilities;

use super::Failures;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, sc_path: &str, caps: Option<&Capabilities>, out: &mut Failures) {
    let path = format!("{sc_path}.capabilities");
    let Some(caps) = caps else {
        if !r.defaults.add_caps.is_empty() || !r.required_drop.is_empty() {
            out.fail(
                path,
                "spec.requiredDropCapabilities",
                "capabilities the policy requires are not set",
            );
        }
        return;
    };
    if r.allowed_caps.iter().any(|c| c == "*") {
        return;
    }
    for cap in caps.add.iter().flatten() {
        if !r.allowed_caps.contains(cap) && !r.defaults.add_caps.contains(cap) {
            out.fail(
                format!("{path}.add"),
                "spec.allowedCapabilities",
                format!("capability {cap} may not be added"),
            );
        }
    }
    let dropped = caps.drop.as_deref().unwrap_or_default();
    for cap in r.required_drop.iter().filter(|c| !dropped.contains(c)) {
        out.fail(
            format!("{path}.drop"),
            "spec.requiredDropCapabilities",
            format!("capability {cap} must be dropped"),
        );
    }
}
