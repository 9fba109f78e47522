//! `runAsNonRoot` (restricted, since 1.0): containers must be required to run as a non-root
//! user: `securityContext.runAsNonRoot: true` on every container, or on the pod with no
//! container setting it to false.
//!
//! History:
//! - 1.0: introduced.
//! - 1.35: pods in a user namespace (`spec.hostUsers: false`) are exempt, since root in the pod
//!   maps to an unprivileged user on the node.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail};
use crate::pss::visit::{containers as visit, in_user_namespace, pod_sc};
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "runAsNonRoot",
    level: Level::Restricted,
    psp_fields: &["spec.runAsUser"],
    versions: &[
        Versioned {
            since: 0,
            eval: v1_0,
            overrides: &[],
        },
        Versioned {
            since: 35,
            eval: v1_35,
            overrides: &[],
        },
    ],
};

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let pod_value = pod_sc(spec).and_then(|sc| sc.run_as_non_root);
    let mut setters = Vec::new();
    if pod_value == Some(false) {
        setters.push("pod".to_string());
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in visit(spec) {
        match c.security_context().and_then(|sc| sc.run_as_non_root) {
            Some(false) => explicit.push(c.name()),
            Some(true) => {}
            None if pod_value != Some(true) => implicit.push(c.name()),
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers(&explicit).to_string());
    }
    if !setters.is_empty() {
        return fail(
            "runAsNonRoot != true",
            format_args!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
        );
    }
    if !implicit.is_empty() {
        return fail(
            "runAsNonRoot != true",
            format_args!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers(&implicit)
            ),
        );
    }
    None
}

fn v1_35(spec: &PodSpec, meta: &ObjectMeta) -> Option<String> {
    if in_user_namespace(spec) {
        return None;
    }
    v1_0(spec, meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn pod_level_true_covers_unset_containers() {
        let p = pod(json!({"spec": {"securityContext": {"runAsNonRoot": true},
            "containers": [{"name": "a"}]}}));
        assert!(passes(&CHECK, 0, &p));
        let p = pod(json!({"spec": {"securityContext": {"runAsNonRoot": true},
            "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}]}}));
        assert_eq!(
            run(&CHECK, 0, &p).as_deref(),
            Some(
                r#"runAsNonRoot != true (container "a" must not set securityContext.runAsNonRoot=false)"#
            )
        );
    }

    #[test]
    fn unset_everywhere_fails() {
        let p = pod(
            json!({"spec": {"containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsNonRoot": true}}]}}),
        );
        assert_eq!(
            run(&CHECK, 37, &p).as_deref(),
            Some(
                r#"runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true)"#
            )
        );
    }

    #[test]
    fn user_namespace_exempt_from_1_35() {
        let p = pod(json!({"spec": {"hostUsers": false, "containers": [{"name": "a"}]}}));
        assert!(!passes(&CHECK, 34, &p));
        assert!(passes(&CHECK, 35, &p));
    }
}
