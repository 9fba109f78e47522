//! `allowPrivilegeEscalation` and `defaultAllowPrivilegeEscalation`: baseline has no opinion;
//! restricted (1.8+) requires every container to set `allowPrivilegeEscalation: false`.
//!
//! With `allowPrivilegeEscalation: false` the PSP *sets* false on containers that leave it unset;
//! PSA does not, so restricted rejects those pods: looser, by omission.

use super::{Cause, Row, Verdict};
use crate::psp::Psp;
use crate::pss::Version;

/// The first version whose restricted level checks privilege escalation.
const SINCE: u32 = 8;

/// The two privilege escalation rows.
pub fn rows(psp: &Psp, version: Version) -> Vec<Row> {
    vec![allow(psp, version), default(psp)]
}

/// `allowPrivilegeEscalation`.
fn allow(psp: &Psp, version: Version) -> Row {
    const F: &str = "allowPrivilegeEscalation";
    let s = &psp.spec;
    let baseline = if s.allow_privilege_escalation {
        Verdict::NoOpinion
    } else {
        Verdict::PspStricter
    };
    if !version.at_least(SINCE) {
        return Row::both(
            F,
            baseline,
            "neither level checks privilege escalation before v1.8".into(),
        );
    }
    if !s.allow_privilege_escalation {
        return Row::new(
            F,
            baseline,
            Verdict::PspLooser,
            "false, but the PSP sets false only on containers that leave it unset, while restricted requires each container to set allowPrivilegeEscalation: false itself".into(),
        )
        .by(Cause::Omission);
    }
    let (cause, how) = if s.is_explicit(F) {
        (Cause::Grant, "allowPrivilegeEscalation: true")
    } else {
        (Cause::Omission, "unset (default true)")
    };
    Row::new(
        F,
        baseline,
        Verdict::PspLooser,
        format!("{how} admits privilege escalation, which restricted forbids"),
    )
    .by(cause)
}

/// `defaultAllowPrivilegeEscalation`: a pure mutation.
fn default(psp: &Psp) -> Row {
    const F: &str = "defaultAllowPrivilegeEscalation";
    let reason = match psp.spec.default_allow_privilege_escalation {
        None => "not set".to_string(),
        Some(v) => format!("defaults containers to {v}; PSA never mutates, so the default is lost"),
    };
    Row::both(F, Verdict::NoOpinion, reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels::testing::psp;

    #[test]
    fn default_true_is_an_omission_and_explicit_true_a_grant() {
        let mut p = psp();
        let r = allow(&p, Version::Latest);
        assert_eq!(
            (r.restricted, r.cause),
            (Verdict::PspLooser, Some(Cause::Omission))
        );
        p.spec.explicit.insert("allowPrivilegeEscalation".into());
        assert_eq!(allow(&p, Version::Latest).cause, Some(Cause::Grant));
    }

    #[test]
    fn false_relies_on_mutation() {
        let mut p = psp();
        p.spec.allow_privilege_escalation = false;
        let r = allow(&p, Version::Latest);
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspLooser)
        );
        assert_eq!(r.cause, Some(Cause::Omission));
        let r = allow(&p, Version::Minor(7));
        assert_eq!(r.restricted, Verdict::PspStricter);
    }
}
