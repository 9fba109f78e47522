//! `allowPrivilegeEscalation: false`, as `simulate/check/privilege_escalation.rs` decides it;
//! after the policy's defaults an unset value takes the default.

use super::expr::{Checks, Field};
use super::Mode;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, mode: Mode, out: &mut Checks) {
    if r.allow_escalation {
        return;
    }
    let ape = Field::at("c", &["securityContext", "allowPrivilegeEscalation"]);
    let unset_ok = mode == Mode::AfterDefaults && r.defaults.allow_escalation == Some(false);
    out.container(
        if unset_ok {
            format!("!{}", ape.value_or("false"))
        } else {
            ape.is(|v| format!("{v} == false"))
        },
        "allowPrivilegeEscalation must be false",
    );
}
