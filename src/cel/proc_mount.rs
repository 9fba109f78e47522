//! The proc mount type (unset is `Default`), as `simulate/check/proc_mount.rs` decides it.

use super::expr::{Checks, Field};
use super::lit;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, out: &mut Checks) {
    let pm = Field::at("c", &["securityContext", "procMount"]).value_or("\"Default\"");
    out.container(
        format!("{pm} in {}", lit::strings(&r.proc_mounts)),
        "the proc mount type is not allowed",
    );
}
