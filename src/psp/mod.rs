//! The PodSecurityPolicy model (the frozen policy/v1beta1 API) and how it is read.

mod gates;
mod model;
mod parse;
mod read;
#[cfg(test)]
pub(crate) mod testing;
mod validate;

pub use gates::{FeatureGates, KNOWN_GATES};
pub use model::*;
pub use parse::SPEC_FIELDS;
pub use read::edit_distance;
pub use validate::{CAPABILITIES, VOLUME_TYPES};

use crate::diag::Diagnostic;
use crate::diag::Locator;

/// Reads and checks one PodSecurityPolicy; diagnostics go to `diags`. `None` when it has no name.
pub fn parse(
    value: &serde_json::Value,
    api_version: &str,
    loc: &Locator,
    diags: &mut Vec<Diagnostic>,
) -> Option<Psp> {
    let mut r = read::Reader { loc, diags };
    let psp = parse::parse_psp(value, api_version, &mut r)?;
    validate::validate(&psp, &mut r);
    Some(psp)
}

/// True when PSP sysctl pattern `pattern` (a name, or a prefix ending in `*`) matches `name`.
pub fn sysctl_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}
