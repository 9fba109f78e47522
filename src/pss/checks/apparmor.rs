//! `appArmorProfile` (baseline, since 1.0): AppArmor may not be disabled or overridden with an
//! arbitrary profile.
//!
//! - Fields: `securityContext.appArmorProfile.type` on the pod and every container must be
//!   unset, `RuntimeDefault` or `Localhost`.
//! - Annotations: every `container.apparmor.security.beta.kubernetes.io/<name>` annotation must
//!   be empty, `runtime/default` or `localhost/<profile>`.
//!
//! History: one behaviour from 1.0. Upstream added the field rule (Kubernetes 1.30) to the 1.0
//! behaviour rather than as a new version, so it applies at every policy version.

use std::collections::BTreeSet;
use std::ops::Bound;

use k8s_openapi::api::core::v1::{AppArmorProfile, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail, plural, quoted};
use crate::pss::visit::{containers as visit, pod_sc};
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "appArmorProfile",
    level: Level::Baseline,
    psp_fields: &["metadata.annotations[apparmor.security.beta.kubernetes.io/allowedProfileNames]"],
    versions: &[Versioned {
        since: 0,
        eval: v1_0,
        overrides: &[],
    }],
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn bad_type(p: Option<&AppArmorProfile>) -> Option<&str> {
    p.map(|p| p.type_.as_str())
        .filter(|t| *t != "RuntimeDefault" && *t != "Localhost")
}

fn allowed_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

fn v1_0(spec: &PodSpec, meta: &ObjectMeta) -> Option<String> {
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    if let Some(t) = bad_type(pod_sc(spec).and_then(|sc| sc.app_armor_profile.as_ref())) {
        setters.push("pod".to_string());
        values.insert(t.to_string());
    }
    let mut bad = Vec::new();
    for c in visit(spec) {
        let profile = c
            .security_context()
            .and_then(|sc| sc.app_armor_profile.as_ref());
        if let Some(t) = bad_type(profile) {
            bad.push(c.name());
            values.insert(t.to_string());
        }
    }
    if !bad.is_empty() {
        setters.push(containers(&bad).to_string());
    }
    let mut values: Vec<String> = values.into_iter().collect();
    let mut annotations = Vec::new();
    if let Some(ann) = &meta.annotations {
        let from = (Bound::Included(ANNOTATION_PREFIX), Bound::Unbounded);
        for (k, v) in ann
            .range::<str, _>(from)
            .take_while(|(k, _)| k.starts_with(ANNOTATION_PREFIX))
        {
            if !allowed_annotation(v) {
                annotations.push(format!("{k}={v:?}"));
            }
        }
    }
    if !annotations.is_empty() {
        setters.push(plural(annotations.len(), "annotation", "annotations").to_string());
        values.append(&mut annotations);
    }
    if setters.is_empty() {
        return None;
    }
    fail(
        plural(
            values.len(),
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
        ),
        format_args!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            quoted(&values)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn annotations_allow_runtime_default_and_localhost() {
        let ok = pod(json!({"metadata": {"annotations": {
            "container.apparmor.security.beta.kubernetes.io/a": "runtime/default",
            "container.apparmor.security.beta.kubernetes.io/b": "localhost/custom",
            "container.apparmor.security.beta.kubernetes.io/c": "",
            "other/key": "unconfined"}}}));
        assert!(passes(&CHECK, 0, &ok));
        let bad = pod(json!({"metadata": {"annotations": {
            "container.apparmor.security.beta.kubernetes.io/a": "unconfined"}}}));
        assert!(!passes(&CHECK, 0, &bad));
        assert!(!passes(&CHECK, 37, &bad));
    }

    #[test]
    fn fields_allow_runtime_default_and_localhost_at_every_version() {
        let ok = pod(json!({"spec": {
            "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}}}]}}));
        assert!(passes(&CHECK, 37, &ok));
        let bad = pod(json!({
            "metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "unconfined"}},
            "spec": {
            "securityContext": {"appArmorProfile": {"type": "Unconfined"}},
            "containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]}}));
        assert_eq!(
            run(&CHECK, 0, &bad).as_deref(),
            Some(
                r#"forbidden AppArmor profiles (pod and container "a" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="unconfined"")"#
            )
        );
    }
}
