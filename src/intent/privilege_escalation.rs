//! `allowPrivilegeEscalation` and `defaultAllowPrivilegeEscalation`.

use super::{Builder, Control, Effect};

pub(super) fn build(b: &mut Builder<'_>) {
    let s = &b.psp.spec;
    let (ape, default) = (
        s.allow_privilege_escalation,
        s.default_allow_privilege_escalation,
    );
    b.spec(
        "allowPrivilegeEscalation",
        Effect::Validate,
        Control::AllowPrivilegeEscalation { allowed: ape },
    );
    // The explicit default wins; without one, a denying policy defaults to false.
    match default {
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
}
