//! `readOnlyRootFilesystem: true`, as `simulate/check/read_only_root_filesystem.rs` decides
//! it; after the policy's defaults an unset value is true.

use super::expr::{Checks, Field};
use super::Mode;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, mode: Mode, out: &mut Checks) {
    if !r.read_only_root {
        return;
    }
    let ro = Field::at("c", &["securityContext", "readOnlyRootFilesystem"]);
    let unset_ok = mode == Mode::AfterDefaults && r.defaults.read_only_root;
    out.container(
        if unset_ok {
            ro.value_or("true")
        } else {
            ro.is(|v| format!("{v} == true"))
        },
        "readOnlyRootFilesystem must be true",
    );
}
