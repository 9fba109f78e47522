//! `allowPrivilegeEscalation` (restricted, since 1.8): every container must set
//! `securityContext.allowPrivilegeEscalation: false` (unset counts as allowed escalation).
//!
//! History:
//! - 1.8: introduced (the field appeared in Kubernetes 1.8).
//! - 1.25: pods with `spec.os.name: windows` are exempt.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail};
use crate::pss::visit::{bad_containers, is_windows};
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "allowPrivilegeEscalation",
    level: Level::Restricted,
    psp_fields: &["spec.allowPrivilegeEscalation"],
    versions: &[
        Versioned {
            since: 8,
            eval: v1_8,
            overrides: &[],
        },
        Versioned {
            since: 25,
            eval: v1_25,
            overrides: &[],
        },
    ],
};

fn v1_8(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let bad = bad_containers(spec, |c| {
        c.security_context()
            .and_then(|sc| sc.allow_privilege_escalation)
            != Some(false)
    });
    if bad.is_empty() {
        return None;
    }
    fail(
        "allowPrivilegeEscalation != false",
        format_args!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers(&bad)
        ),
    )
}

fn v1_25(spec: &PodSpec, meta: &ObjectMeta) -> Option<String> {
    if is_windows(spec) {
        return None;
    }
    v1_8(spec, meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn requires_explicit_false_from_1_8() {
        let p = pod(json!({"spec": {
            "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": true}}],
            "initContainers": [{"name": "init", "securityContext": {"allowPrivilegeEscalation": false}}]}}));
        assert!(CHECK.at_minor(7).is_none());
        assert_eq!(
            run(&CHECK, 8, &p).as_deref(),
            Some(
                r#"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)"#
            )
        );
        let unset = pod(json!({"spec": {"containers": [{"name": "a"}]}}));
        assert!(!passes(&CHECK, 37, &unset));
    }

    #[test]
    fn windows_pods_exempt_from_1_25() {
        let p = pod(json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}}));
        assert!(!passes(&CHECK, 24, &p));
        assert!(passes(&CHECK, 25, &p));
    }
}
