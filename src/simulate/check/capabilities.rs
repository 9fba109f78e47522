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

#[cfg(test)]
mod tests {
    //! The capabilities checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    fn caps(list: &str, add: &str, drop: &str) -> Pod {
        pod(&format!(
            "  {list}: [{{name: c, image: x, securityContext: {{capabilities: {{add: [{add}], drop: [{drop}]}}}}}}]\n  containers: [{{name: app, image: x, securityContext: {{capabilities: {{drop: [ALL]}}}}}}]\n"
        ))
    }

    #[test]
    fn capabilities_added_must_be_allowed_or_default() {
        let p =
            psp("  allowedCapabilities: [NET_ADMIN, CHOWN]\n  defaultAddCapabilities: [KILL]\n");
        assert!(admitted(
            &p,
            &caps("initContainers", "CHOWN, NET_ADMIN, KILL", "")
        ));
        assert_eq!(
            failed(&p, &caps("ephemeralContainers", "SYS_ADMIN", "")),
            ["spec.ephemeralContainers[name=c].securityContext.capabilities.add"]
        );
        assert!(admitted(
            &psp("  allowedCapabilities: ['*']\n"),
            &caps("initContainers", "SYS_ADMIN", "")
        ));
    }

    #[test]
    fn required_drops_are_added_then_checked_and_wildcard_waives_them() {
        let p = psp("  requiredDropCapabilities: [NET_RAW, ALL]\n");
        let m = mutations(&p, &caps("initContainers", "", "KILL"));
        assert_eq!(
            m[0],
            (
                "spec.initContainers[name=c].securityContext.capabilities".into(),
                json!({"add": [], "drop": ["ALL", "KILL", "NET_RAW"]})
            )
        );
        // The regular container already drops ALL, so only NET_RAW is added there.
        assert_eq!(m[1].1, json!({"add": [], "drop": ["ALL", "NET_RAW"]}));
        assert_eq!(m.len(), 2);
        let e = run(&p, &caps("initContainers", "", "KILL"));
        let again = evaluate(&p, e.pod.spec.as_ref().unwrap(), &e.pod.metadata);
        assert!(again.admission.is_unchanged());
    }

    #[test]
    fn default_add_capabilities_skip_dropped_ones() {
        let p = psp("  defaultAddCapabilities: [CHOWN, KILL]\n");
        let m = mutations(&p, &caps("initContainers", "", "KILL"));
        assert_eq!(m[0].1, json!({"add": ["CHOWN"], "drop": ["KILL"]}));
        assert_eq!(m[1].1, json!({"add": ["CHOWN", "KILL"], "drop": ["ALL"]}));
    }
}
