//! The runtime class.

use k8s_openapi::api::core::v1::PodSpec;

use super::Failures;
use crate::simulate::rules::Rules;

/// With a runtimeClass strategy, a set runtimeClassName must be listed (or `*` listed).
pub(super) fn check(r: &Rules, spec: &PodSpec, out: &mut Failures) {
    let (Some(allowed), Some(name)) = (&r.runtime_classes, &spec.runtime_class_name) else {
        return;
    };
    if !allowed.iter().any(|a| a == "*" || a == name) {
        out.fail(
            "spec.runtimeClassName",
            "spec.runtimeClass.allowedRuntimeClassNames",
            format!("runtime class {name} is not allowed"),
        );
    }
}
