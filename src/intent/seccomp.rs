//! The seccomp annotations: the allowed profiles (validate) and the default (mutate).

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
}
