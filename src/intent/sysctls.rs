//! Sysctls: `allowedUnsafeSysctls`, `forbiddenSysctls`.

use super::{Builder, Control, Effect};

pub(super) fn build(b: &mut Builder<'_>) {
    let s = b.psp.spec.clone();
    b.spec(
        "allowedUnsafeSysctls",
        Effect::Validate,
        Control::AllowedUnsafeSysctls(s.allowed_unsafe_sysctls),
    );
    b.spec(
        "forbiddenSysctls",
        Effect::Validate,
        Control::ForbiddenSysctls(s.forbidden_sysctls),
    );
}
