//! PSPs for unit tests across the crate.

use super::{Psp, PspSpec};

/// A PSP with API defaults only (the loader's defaults), named `test`.
pub fn psp() -> Psp {
    Psp {
        name: "test".into(),
        api_version: "policy/v1beta1".into(),
        annotations: Default::default(),
        profiles: Default::default(),
        spec: PspSpec::default(),
    }
}

/// Strings from literals.
pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
