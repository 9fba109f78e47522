//! Capabilities: `allowedCapabilities`, `requiredDropCapabilities` (checks and defaults the drop
//! list), `defaultAddCapabilities` (defaults the add list, and may always be added).

use super::{Builder, Control, Effect};

pub(super) fn build(b: &mut Builder<'_>) {
    let s = b.psp.spec.clone();
    b.spec(
        "allowedCapabilities",
        Effect::Validate,
        Control::AllowedCapabilities(s.allowed_capabilities),
    );
    b.spec(
        "requiredDropCapabilities",
        Effect::Validate,
        Control::RequiredDropCapabilities(s.required_drop_capabilities.clone()),
    );
    if !s.default_add_capabilities.is_empty() {
        b.spec(
            "defaultAddCapabilities",
            Effect::Mutate,
            Control::DefaultAddCapabilities(s.default_add_capabilities),
        );
    }
    if !s.required_drop_capabilities.is_empty() {
        b.spec(
            "requiredDropCapabilities",
            Effect::Mutate,
            Control::DefaultDropCapabilities(s.required_drop_capabilities),
        );
    }
}
