//! The runtime class, as `simulate/check/runtime_class.rs` decides it.

use super::expr::{and, msg, Checks, Field};
use super::lit;
use super::Mode;
use crate::simulate::rules::Rules;

const S: &str = "variables.spec";

/// With a runtimeClass strategy, a set `runtimeClassName` must be listed (or `*` listed); the
/// policy's default fills an unset one.
pub(super) fn check(r: &Rules, mode: Mode, out: &mut Checks) {
    let Some(allowed) = &r.runtime_classes else {
        return;
    };
    if allowed.iter().any(|a| a == "*") {
        return;
    }
    let name = Field::at(S, &["runtimeClassName"]);
    let listed = format!("{} in {}", name.value(), lit::strings(allowed));
    let unset_ok = match (&r.defaults.runtime_class, mode) {
        (Some(d), Mode::AfterDefaults) => allowed.contains(d),
        _ => true,
    };
    let ok = if unset_ok {
        format!("!({}) || {listed}", name.set())
    } else {
        and(&name.set(), &listed)
    };
    out.pod(ok, msg("runtimeClassName is not allowed"));
}
