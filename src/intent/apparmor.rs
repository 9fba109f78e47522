//! The AppArmor annotations: the allowed profiles (validate) and the default (mutate).

use super::{Builder, Control, Effect};
use crate::psp::annotations as a;

pub(super) fn build(b: &mut Builder<'_>) {
    let p = b.psp.profiles.clone();
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
