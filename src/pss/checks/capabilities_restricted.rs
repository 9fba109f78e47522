//! `capabilities_restricted` (restricted, since 1.22): every container must drop `ALL`
//! capabilities and may add back only `NET_BIND_SERVICE`.
//!
//! History:
//! - 1.22: introduced; overrides `capabilities_baseline`.
//! - 1.25: pods with `spec.os.name: windows` are exempt.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail, quoted};
use crate::pss::visit::{containers as visit, is_windows};
use crate::pss::{Check, Level, Versioned};

/// The one capability a container may add back (after dropping ALL).
pub const ALLOWED_ADD: &[&str] = &["NET_BIND_SERVICE"];

pub(super) const CHECK: Check = Check {
    id: "capabilities_restricted",
    level: Level::Restricted,
    psp_fields: &[
        "spec.allowedCapabilities",
        "spec.defaultAddCapabilities",
        "spec.requiredDropCapabilities",
    ],
    versions: &[
        Versioned {
            since: 22,
            eval: v1_22,
            overrides: &["capabilities_baseline"],
        },
        Versioned {
            since: 25,
            eval: v1_25,
            overrides: &["capabilities_baseline"],
        },
    ],
};

fn v1_22(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut added = BTreeSet::new();
    for c in visit(spec) {
        let caps = c.security_context().and_then(|sc| sc.capabilities.as_ref());
        let drop = caps.and_then(|c| c.drop.as_deref()).unwrap_or_default();
        if !drop.iter().any(|d| d == "ALL") {
            missing_drop.push(c.name());
        }
        let add = caps.and_then(|c| c.add.as_deref()).unwrap_or_default();
        let mut this_adds = false;
        for a in add.iter().filter(|a| !ALLOWED_ADD.contains(&a.as_str())) {
            added.insert(a.as_str());
            this_adds = true;
        }
        if this_adds {
            adding.push(c.name());
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            r#"{} must set securityContext.capabilities.drop=["ALL"]"#,
            containers(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers(&adding),
            quoted(&added)
        ));
    }
    if details.is_empty() {
        return None;
    }
    fail("unrestricted capabilities", details.join("; "))
}

fn v1_25(spec: &PodSpec, meta: &ObjectMeta) -> Option<String> {
    if is_windows(spec) {
        return None;
    }
    v1_22(spec, meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    fn caps(drop: &[&str], add: &[&str]) -> (PodSpec, ObjectMeta) {
        pod(json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"capabilities": {"drop": drop, "add": add}}}]}}))
    }

    #[test]
    fn drop_all_and_only_net_bind_service() {
        assert!(CHECK.at_minor(21).is_none());
        assert!(passes(&CHECK, 22, &caps(&["ALL"], &["NET_BIND_SERVICE"])));
        assert_eq!(
            run(&CHECK, 22, &caps(&["NET_RAW"], &["CHOWN"])).as_deref(),
            Some(
                r#"unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]; container "a" must not include "CHOWN" in securityContext.capabilities.add)"#
            )
        );
    }

    #[test]
    fn windows_pods_exempt_from_1_25() {
        let p = pod(json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}}));
        assert!(!passes(&CHECK, 24, &p));
        assert!(passes(&CHECK, 25, &p));
    }
}
