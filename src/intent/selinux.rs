//! `seLinux`: the options a pod and its containers must run with (MustRunAs also defaults them).

use super::{Builder, Control, Effect};
use crate::psp::SeLinuxRule;

pub(super) fn build(b: &mut Builder<'_>) {
    let s = b.psp.spec.se_linux.clone();
    b.spec(
        "seLinux",
        Effect::Validate,
        Control::SeLinux {
            rule: s.rule,
            options: s.options.clone(),
        },
    );
    if let (SeLinuxRule::MustRunAs, Some(options)) = (s.rule, s.options) {
        b.spec(
            "seLinux",
            Effect::Mutate,
            Control::DefaultSeLinux { options },
        );
    }
}
