//! `allowedProcMountTypes`: both levels reject `procMount: Unmasked` (1.0+). From 1.35 baseline
//! allows it for user-namespaced pods (`hostUsers: false`), which a PSP never required, and
//! restricted still rejects it.

use super::{Cause, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::pss::Version;

/// The `allowedProcMountTypes` row.
pub fn rows(intent: &Intent, version: Version) -> Vec<Row> {
    const F: &str = "allowedProcMountTypes";
    let unmasked = intent.value(|c| match c {
        Control::ProcMount { allowed } => Some(allowed.iter().any(|t| t == "Unmasked")),
        _ => None,
    });
    let row = if unmasked {
        let userns = if version.at_least(35) {
            "; baseline allows it only with hostUsers: false, which the PSP did not require"
        } else {
            ""
        };
        Row::both(
            F,
            Verdict::PspLooser,
            format!("allows Unmasked /proc, which both levels reject{userns}"),
        )
        .by(Cause::Grant)
    } else {
        Row::both(
            F,
            Verdict::Same,
            "only the Default /proc mount is allowed, as both levels require".into(),
        )
    };
    vec![row]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::{psp, strings};

    #[test]
    fn unmasked_is_a_grant_beyond_both() {
        let mut p = psp();
        assert_eq!(
            rows(&intent_of(&p), Version::Latest)[0].baseline,
            Verdict::Same
        );
        p.spec.allowed_proc_mount_types = strings(&["Default", "Unmasked"]);
        let r = &rows(&intent_of(&p), Version::Latest)[0];
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspLooser, Verdict::PspLooser)
        );
        assert!(r.reason.contains("hostUsers"));
        assert!(!rows(&intent_of(&p), Version::Minor(34))[0]
            .reason
            .contains("hostUsers"));
    }
}
