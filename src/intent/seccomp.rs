//! The seccomp and AppArmor annotations: allowed lists (validate) and defaults (mutate).

use super::{Builder, Control, Effect};
use crate::psp::annotations as a;

pub(super) fn build(b: &mut Builder<'_>) {
    let p = b.psp.profiles.clone();
    b.annotation(
        a::SECCOMP_ALLOWED,
        Effect::Validate,
        Control::Seccomp {
            allowed: p.seccomp_allowed,
        },
    );
    if let Some(profile) = p.seccomp_default.filter(|d| !d.is_empty()) {
        b.annotation(
            a::SECCOMP_DEFAULT,
            Effect::Mutate,
            Control::DefaultSeccomp { profile },
        );
    }
    b.annotation(
        a::APPARMOR_ALLOWED,
        Effect::Validate,
        Control::AppArmor {
            allowed: p.apparmor_allowed,
        },
    );
    if let Some(profile) = p.apparmor_default.filter(|d| !d.is_empty()) {
        b.annotation(
            a::APPARMOR_DEFAULT,
            Effect::Mutate,
            Control::DefaultAppArmor { profile },
        );
    }
}
