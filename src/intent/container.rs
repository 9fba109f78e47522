//! Per-container switches: `seLinux`, `readOnlyRootFilesystem`, `allowPrivilegeEscalation`,
//! `defaultAllowPrivilegeEscalation`, `allowedProcMountTypes`, `runtimeClass`.

use super::{Builder, Control, Effect};
use crate::psp::SeLinuxRule;

pub(super) fn build(b: &mut Builder<'_>) {
    let s = b.psp.spec.clone();
    b.spec(
        "seLinux",
        Effect::Validate,
        Control::SeLinux {
            rule: s.se_linux.rule,
            options: s.se_linux.options.clone(),
        },
    );
    if let (SeLinuxRule::MustRunAs, Some(options)) = (s.se_linux.rule, s.se_linux.options) {
        b.spec(
            "seLinux",
            Effect::Mutate,
            Control::DefaultSeLinux { options },
        );
    }
    let ro = s.read_only_root_filesystem;
    b.spec(
        "readOnlyRootFilesystem",
        Effect::Validate,
        Control::ReadOnlyRootFilesystem { required: ro },
    );
    if ro {
        b.spec(
            "readOnlyRootFilesystem",
            Effect::Mutate,
            Control::DefaultReadOnlyRootFilesystem,
        );
    }
    let ape = s.allow_privilege_escalation;
    b.spec(
        "allowPrivilegeEscalation",
        Effect::Validate,
        Control::AllowPrivilegeEscalation { allowed: ape },
    );
    // The explicit default wins; without one, a denying policy defaults to false.
    match s.default_allow_privilege_escalation {
        Some(allowed) => b.spec(
            "defaultAllowPrivilegeEscalation",
            Effect::Mutate,
            Control::DefaultAllowPrivilegeEscalation { allowed },
        ),
        None if !ape => b.spec(
            "allowPrivilegeEscalation",
            Effect::Mutate,
            Control::DefaultAllowPrivilegeEscalation { allowed: false },
        ),
        None => {}
    }
    let allowed = if s.allowed_proc_mount_types.is_empty() {
        vec!["Default".to_string()]
    } else {
        s.allowed_proc_mount_types
    };
    b.spec(
        "allowedProcMountTypes",
        Effect::Validate,
        Control::ProcMount { allowed },
    );
    let rc = s.runtime_class;
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
