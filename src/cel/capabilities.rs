//! Capabilities, as `simulate/check/capabilities.rs` decides them: without a capabilities
//! block a policy with default or required capabilities fails; `*` waives the rest; added
//! capabilities must be allowed or defaults; required drops must be dropped. After the
//! policy's defaults, the block exists and holds every required drop.

use super::expr::{Checks, Field};
use super::lit;
use super::Mode;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, mode: Mode, out: &mut Checks) {
    let defaults = mode == Mode::AfterDefaults;
    let caps = Field::at("c", &["securityContext", "capabilities"]);
    let needs_block = !r.defaults.add_caps.is_empty() || !r.required_drop.is_empty();
    if needs_block && !defaults {
        out.container(caps.set(), "capabilities the policy requires are not set");
    }
    if r.allowed_caps.iter().any(|c| c == "*") {
        return;
    }
    let may_add: Vec<String> = r
        .allowed_caps
        .iter()
        .chain(&r.defaults.add_caps)
        .cloned()
        .collect();
    let add = Field::at(&caps.value(), &["add"]);
    out.container(
        format!(
            "!({}) || !has({}) || {}.all(x, x in {})",
            caps.set(),
            add.value(),
            add.value(),
            lit::strings(&may_add)
        ),
        "a capability is added that is not allowed",
    );
    if !r.required_drop.is_empty() && !defaults {
        let drop = Field::at(&caps.value(), &["drop"]);
        out.container(
            format!(
                "!({}) || (has({}) && {}.all(x, x in {}))",
                caps.set(),
                drop.value(),
                lit::strings(&r.required_drop),
                drop.value()
            ),
            "a required capability is not dropped",
        );
    }
}
