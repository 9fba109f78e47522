//! `allowedProcMountTypes`, with the empty list read as `[Default]`.

use super::{Builder, Control, Effect};

pub(super) fn build(b: &mut Builder<'_>) {
    let types = &b.psp.spec.allowed_proc_mount_types;
    let allowed = if types.is_empty() {
        vec!["Default".to_string()]
    } else {
        types.clone()
    };
    b.spec(
        "allowedProcMountTypes",
        Effect::Validate,
        Control::ProcMount { allowed },
    );
}
