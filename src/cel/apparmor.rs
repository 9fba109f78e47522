//! AppArmor, as `simulate/check/apparmor.rs` decides it: with an allowed list, every container
//! needs a listed profile in its annotation; after the policy's defaults an unset one takes the
//! default.

use super::expr::Checks;
use super::lit;
use super::seccomp::annotation;
use super::Mode;
use crate::simulate::rules::Rules;
use crate::simulate::APPARMOR_CONTAINER;

pub(super) fn check(r: &Rules, mode: Mode, out: &mut Checks) {
    let Some(list) = &r.apparmor else { return };
    let key = format!("({} + c.name)", lit::string(APPARMOR_CONTAINER));
    let value = annotation(&key).value_or("\"\"");
    let profile = match (&r.defaults.apparmor, mode) {
        (Some(d), Mode::AfterDefaults) => {
            format!("({value} != \"\" ? {value} : {})", lit::string(d))
        }
        _ => value,
    };
    out.container(
        format!("{profile} != \"\" && {profile} in {}", lit::strings(list)),
        "an allowed AppArmor profile annotation is required",
    );
}
