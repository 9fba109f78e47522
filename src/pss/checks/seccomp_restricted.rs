//! `seccompProfile_restricted` (restricted, since 1.19): every container must run under a
//! confining seccomp profile: `securityContext.seccompProfile.type` must be `RuntimeDefault` or
//! `Localhost`, set on the container or inherited from the pod.
//!
//! History:
//! - 1.19: introduced; overrides `seccompProfile_baseline`.
//! - 1.25: pods with `spec.os.name: windows` are exempt.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail, quoted};
use crate::pss::visit::{containers as visit, is_windows, pod_sc};
use crate::pss::{Check, Level, Versioned};

use super::seccomp_baseline::confining;

pub(super) const CHECK: Check = Check {
    id: "seccompProfile_restricted",
    level: Level::Restricted,
    psp_fields: &["metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]"],
    versions: &[
        Versioned {
            since: 19,
            eval: v1_19,
            overrides: &["seccompProfile_baseline"],
        },
        Versioned {
            since: 25,
            eval: v1_25,
            overrides: &["seccompProfile_baseline"],
        },
    ],
};

fn v1_19(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    let mut pod_ok = false;
    if let Some(p) = pod_sc(spec).and_then(|sc| sc.seccomp_profile.as_ref()) {
        if confining(p) {
            pod_ok = true;
        } else {
            setters.push("pod".to_string());
            values.insert(p.type_.as_str());
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in visit(spec) {
        match c
            .security_context()
            .and_then(|sc| sc.seccomp_profile.as_ref())
        {
            Some(p) if !confining(p) => {
                explicit.push(c.name());
                values.insert(p.type_.as_str());
            }
            Some(_) => {}
            None if !pod_ok => implicit.push(c.name()),
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers(&explicit).to_string());
    }
    if !setters.is_empty() {
        return fail(
            "seccompProfile",
            format_args!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                quoted(&values)
            ),
        );
    }
    if !implicit.is_empty() {
        return fail(
            "seccompProfile",
            format_args!(
                r#"pod or {} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
                containers(&implicit)
            ),
        );
    }
    None
}

fn v1_25(spec: &PodSpec, meta: &ObjectMeta) -> Option<String> {
    if is_windows(spec) {
        return None;
    }
    v1_19(spec, meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn pod_level_profile_covers_containers() {
        let p = pod(json!({"spec": {
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a"}, {"name": "b", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "x"}}}]}}));
        assert!(passes(&CHECK, 19, &p));
    }

    #[test]
    fn unset_or_unconfined_fails() {
        let p = pod(json!({"spec": {"containers": [{"name": "a"}]}}));
        assert!(CHECK.at_minor(18).is_none());
        assert_eq!(
            run(&CHECK, 19, &p).as_deref(),
            Some(
                r#"seccompProfile (pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
            )
        );
        let p = pod(json!({"spec": {
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}}));
        assert!(!passes(&CHECK, 37, &p));
    }

    #[test]
    fn windows_pods_exempt_from_1_25() {
        let p = pod(json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}}));
        assert!(!passes(&CHECK, 24, &p));
        assert!(passes(&CHECK, 25, &p));
        let linux = pod(json!({"spec": {"os": {"name": "linux"}, "containers": [{"name": "a"}]}}));
        assert!(!passes(&CHECK, 25, &linux));
    }
}
