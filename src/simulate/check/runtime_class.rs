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

#[cfg(test)]
mod tests {
    //! The runtime class checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    #[test]
    fn runtime_class() {
        let p = psp("  runtimeClass: {allowedRuntimeClassNames: [gvisor, kata], defaultRuntimeClassName: gvisor}\n");
        assert_eq!(
            mutations(&p, &pod(APP)),
            [("spec.runtimeClassName".to_string(), json!("gvisor"))]
        );
        assert!(run(&p, &pod(&format!("  runtimeClassName: kata\n{APP}")))
            .admission
            .is_unchanged());
        assert_eq!(
            failed(&p, &pod(&format!("  runtimeClassName: runc\n{APP}"))),
            ["spec.runtimeClassName"]
        );
        let no_default = psp("  runtimeClass: {allowedRuntimeClassNames: [gvisor]}\n");
        assert!(
            run(&no_default, &pod(APP)).admission.is_unchanged(),
            "unset is always allowed"
        );
    }
}
