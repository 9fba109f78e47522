//! `privileged` containers, as `simulate/check/privileged.rs` decides them.

use super::expr::{not, Checks, Field};
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, out: &mut Checks) {
    if !r.privileged {
        let privileged = Field::at("c", &["securityContext", "privileged"]).is(|v| v.to_string());
        out.container(not(&privileged), "privileged containers are not allowed");
    }
}
