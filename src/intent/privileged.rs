//! `privileged`: may containers run privileged.

use super::{Builder, Control, Effect};

pub(super) fn build(b: &mut Builder<'_>) {
    let allowed = b.psp.spec.privileged;
    b.spec(
        "privileged",
        Effect::Validate,
        Control::Privileged { allowed },
    );
}
