//! `runtimeClass`: the allowed runtime class names and the default one.

use super::{Builder, Control, Effect};

pub(super) fn build(b: &mut Builder<'_>) {
    let rc = b.psp.spec.runtime_class.clone();
    b.spec_sub(
        "runtimeClass",
        "allowedRuntimeClassNames",
        Effect::Validate,
        Control::RuntimeClass {
            allowed: rc.as_ref().map(|r| r.allowed_runtime_class_names.clone()),
        },
    );
    if let Some(name) = rc.and_then(|r| r.default_runtime_class_name) {
        b.spec_sub(
            "runtimeClass",
            "defaultRuntimeClassName",
            Effect::Mutate,
            Control::DefaultRuntimeClass { name },
        );
    }
}
