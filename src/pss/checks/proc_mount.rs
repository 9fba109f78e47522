//! `procMount` (baseline): containers must keep the default `/proc` masking, i.e.
//! `securityContext.procMount` must be unset or `Default`.
//!
//! History:
//! - 1.0: any other value is forbidden.
//! - 1.35: pods in a user namespace (`spec.hostUsers: false`) may set any value (e.g.
//!   `Unmasked`), since the masks then only protect the pod's own namespace.
//!
//! Under restricted, `procMount_restricted` replaces this check from 1.35 and keeps the 1.0 rule
//! for every pod.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail, quoted};
use crate::pss::visit::{containers as visit, in_user_namespace};
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "procMount",
    level: Level::Baseline,
    psp_fields: &["spec.allowedProcMountTypes"],
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

/// Forbids any `procMount` other than `Default`, whatever the pod's namespaces.
pub(super) fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let mut bad = Vec::new();
    let mut kinds = BTreeSet::new();
    for c in visit(spec) {
        if let Some(pm) = c.security_context().and_then(|sc| sc.proc_mount.as_deref()) {
            if pm != "Default" {
                bad.push(c.name());
                kinds.insert(pm);
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    fail(
        "procMount",
        format_args!(
            "{} must not set securityContext.procMount to {}",
            containers(&bad),
            quoted(&kinds)
        ),
    )
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

    fn unmasked(host_users: Option<bool>) -> (PodSpec, ObjectMeta) {
        pod(json!({"spec": {"hostUsers": host_users, "containers": [
            {"name": "a", "securityContext": {"procMount": "Unmasked"}}]}}))
    }

    #[test]
    fn default_is_always_allowed() {
        let p = pod(json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"procMount": "Default"}}]}}));
        assert!(passes(&CHECK, 0, &p));
        assert!(passes(&CHECK, 37, &p));
    }

    #[test]
    fn user_namespace_allows_unmasked_from_1_35() {
        assert!(!passes(&CHECK, 34, &unmasked(Some(false))));
        assert!(passes(&CHECK, 35, &unmasked(Some(false))));
        assert!(!passes(&CHECK, 35, &unmasked(Some(true))));
        assert_eq!(
            run(&CHECK, 37, &unmasked(None)).as_deref(),
            Some(
                r#"procMount (container "a" must not set securityContext.procMount to "Unmasked")"#
            )
        );
    }
}
