//! `runAsUser` (restricted, since 1.23): neither the pod nor any container may set
//! `securityContext.runAsUser: 0` (unset is fine; `runAsNonRoot` covers the image default).
//!
//! History:
//! - 1.23: introduced.
//! - 1.35: pods in a user namespace (`spec.hostUsers: false`) are exempt.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail};
use crate::pss::visit::{bad_containers, in_user_namespace, pod_sc};
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "runAsUser",
    level: Level::Restricted,
    psp_fields: &["spec.runAsUser"],
    versions: &[
        Versioned {
            since: 23,
            eval: v1_23,
            overrides: &[],
        },
        Versioned {
            since: 35,
            eval: v1_35,
            overrides: &[],
        },
    ],
};

fn v1_23(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let pod_root = pod_sc(spec).and_then(|sc| sc.run_as_user) == Some(0);
    let bad = bad_containers(spec, |c| {
        c.security_context().and_then(|sc| sc.run_as_user) == Some(0)
    });
    let mut setters = Vec::new();
    if pod_root {
        setters.push("pod".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers(&bad).to_string());
    }
    if setters.is_empty() {
        return None;
    }
    fail(
        "runAsUser=0",
        format_args!("{} must not set runAsUser=0", setters.join(" and ")),
    )
}

fn v1_35(spec: &PodSpec, meta: &ObjectMeta) -> Option<String> {
    if in_user_namespace(spec) {
        return None;
    }
    v1_23(spec, meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn forbids_uid_zero_from_1_23() {
        let p = pod(json!({"spec": {"securityContext": {"runAsUser": 0},
            "containers": [{"name": "a", "securityContext": {"runAsUser": 0}}, {"name": "b", "securityContext": {"runAsUser": 1000}}]}}));
        assert!(CHECK.at_minor(22).is_none());
        assert_eq!(
            run(&CHECK, 23, &p).as_deref(),
            Some(r#"runAsUser=0 (pod and container "a" must not set runAsUser=0)"#)
        );
        let ok = pod(json!({"spec": {"containers": [{"name": "a"}]}}));
        assert!(passes(&CHECK, 37, &ok));
    }

    #[test]
    fn user_namespace_exempt_from_1_35() {
        let p = pod(json!({"spec": {"hostUsers": false, "securityContext": {"runAsUser": 0}}}));
        assert!(!passes(&CHECK, 34, &p));
        assert!(passes(&CHECK, 35, &p));
    }
}
