//! `seccompProfile_baseline` (baseline): seccomp may not be disabled; a profile that is set must
//! be the runtime default or a localhost profile.
//!
//! History:
//! - 1.0: judged on the alpha annotations `seccomp.security.alpha.kubernetes.io/pod` and
//!   `container.seccomp.security.alpha.kubernetes.io/<container>`, which must be
//!   `runtime/default`, `docker/default` or `localhost/<profile>` when present.
//! - 1.19: judged on the `securityContext.seccompProfile.type` fields of the pod and every
//!   container, which must be unset, `RuntimeDefault` or `Localhost`.
//!
//! Under restricted it is replaced by `seccompProfile_restricted` from 1.19.

use std::collections::BTreeSet;
use std::ops::Bound;

use k8s_openapi::api::core::v1::{PodSpec, SeccompProfile};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail, plural, quoted};
use crate::pss::visit::{containers as visit, pod_sc};
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "seccompProfile_baseline",
    level: Level::Baseline,
    psp_fields: &["metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]"],
    versions: &[
        Versioned {
            since: 0,
            eval: v1_0,
            overrides: &[],
        },
        Versioned {
            since: 19,
            eval: v1_19,
            overrides: &[],
        },
    ],
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn allowed_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

/// True for the two profile types that keep seccomp confinement.
pub(super) fn confining(p: &SeccompProfile) -> bool {
    p.type_ == "RuntimeDefault" || p.type_ == "Localhost"
}

fn v1_0(spec: &PodSpec, meta: &ObjectMeta) -> Option<String> {
    let ann = meta.annotations.as_ref()?;
    let mut forbidden = BTreeSet::new();
    if let Some(v) = ann.get(POD_ANNOTATION) {
        if !allowed_annotation(v) {
            forbidden.insert(format!("{POD_ANNOTATION}={v:?}"));
        }
    }
    let from = (
        Bound::Included(CONTAINER_ANNOTATION_PREFIX),
        Bound::Unbounded,
    );
    for (k, v) in ann.range::<str, _>(from) {
        let Some(name) = k.strip_prefix(CONTAINER_ANNOTATION_PREFIX) else {
            break;
        };
        if !allowed_annotation(v) && visit(spec).any(|c| c.name() == name) {
            forbidden.insert(format!("{k}={v:?}"));
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    let list: Vec<String> = forbidden.into_iter().collect();
    fail(
        "seccompProfile",
        format_args!(
            "forbidden {} {}",
            plural(list.len(), "annotation", "annotations"),
            list.join(", ")
        ),
    )
}

fn v1_19(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    if let Some(p) = pod_sc(spec).and_then(|sc| sc.seccomp_profile.as_ref()) {
        if !confining(p) {
            setters.push("pod".to_string());
            values.insert(p.type_.as_str());
        }
    }
    let mut bad = Vec::new();
    for c in visit(spec) {
        if let Some(p) = c
            .security_context()
            .and_then(|sc| sc.seccomp_profile.as_ref())
        {
            if !confining(p) {
                bad.push(c.name());
                values.insert(p.type_.as_str());
            }
        }
    }
    if !bad.is_empty() {
        setters.push(containers(&bad).to_string());
    }
    if setters.is_empty() {
        return None;
    }
    fail(
        "seccompProfile",
        format_args!(
            "{} must not set securityContext.seccompProfile.type to {}",
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
    fn annotations_are_judged_before_1_19_only() {
        let p = pod(json!({
            "metadata": {"annotations": {
                "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
                "container.seccomp.security.alpha.kubernetes.io/a": "localhost/p"}},
            "spec": {"containers": [{"name": "a"}]}}));
        assert_eq!(
            run(&CHECK, 18, &p).as_deref(),
            Some(
                r#"seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")"#
            )
        );
        assert!(passes(&CHECK, 19, &p));
    }

    #[test]
    fn container_annotation_counts_only_for_existing_containers() {
        let p = pod(json!({
            "metadata": {"annotations": {"container.seccomp.security.alpha.kubernetes.io/x": "unconfined"}},
            "spec": {"containers": [{"name": "a"}]}}));
        assert!(passes(&CHECK, 0, &p));
        let p = pod(json!({
            "metadata": {"annotations": {"container.seccomp.security.alpha.kubernetes.io/a": "unconfined"}},
            "spec": {"containers": [{"name": "a"}]}}));
        assert!(!passes(&CHECK, 0, &p));
    }

    #[test]
    fn fields_are_judged_from_1_19() {
        let p = pod(json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}}));
        assert!(passes(&CHECK, 18, &p));
        assert_eq!(
            run(&CHECK, 19, &p).as_deref(),
            Some(
                r#"seccompProfile (container "a" must not set securityContext.seccompProfile.type to "Unconfined")"#
            )
        );
        let unset = pod(json!({"spec": {"containers": [{"name": "a"}]}}));
        assert!(passes(&CHECK, 37, &unset));
    }
}
