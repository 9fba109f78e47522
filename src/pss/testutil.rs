//! Test helpers: build pods from JSON and run one control at one minor version.

use k8s_openapi::api::core::v1::{Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::Check;

/// A pod's spec and metadata from a JSON object with optional `metadata` and `spec`.
pub(crate) fn pod(v: serde_json::Value) -> (PodSpec, ObjectMeta) {
    let pod: Pod = serde_json::from_value(v).expect("test pod must deserialize");
    (pod.spec.unwrap_or_default(), pod.metadata)
}

/// Runs `check` as it stands at `1.minor`; `None` means allowed (or not yet in force).
pub(crate) fn run(check: &Check, minor: u32, pod: &(PodSpec, ObjectMeta)) -> Option<String> {
    check.at_minor(minor).and_then(|v| (v.eval)(&pod.0, &pod.1))
}

/// True when `check` admits the pod at `1.minor`.
pub(crate) fn passes(check: &Check, minor: u32, pod: &(PodSpec, ObjectMeta)) -> bool {
    run(check, minor, pod).is_none()
}
