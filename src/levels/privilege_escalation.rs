//! `allowPrivilegeEscalation` and `defaultAllowPrivilegeEscalation`: baseline has no opinion;
//! restricted (1.8+) requires every container to set `allowPrivilegeEscalation: false`.
//!
//! With `allowPrivilegeEscalation: false` the PSP *sets* false on containers that leave it unset;
//! PSA does not, so restricted rejects those pods: looser, by omission.

use super::{Cause, Row, Verdict};
use crate::intent::{Constraint, Control, Intent, Origin};
use crate::pss::Version;

/// The first version whose restricted level checks privilege escalation.
const SINCE: u32 = 8;

/// The two privilege escalation rows.
pub fn rows(intent: &Intent, version: Version) -> Vec<Row> {
    vec![allow(intent, version), default(intent)]
}

/// The validating `allowPrivilegeEscalation` constraint and its value.
fn allowed(intent: &Intent) -> (&Constraint, bool) {
    intent
        .constraints
        .iter()
        .find_map(|c| match c.control {
            Control::AllowPrivilegeEscalation { allowed } => Some((c, allowed)),
            _ => None,
        })
        .expect(crate::intent::COMPLETE)
}

/// `allowPrivilegeEscalation`.
fn allow(intent: &Intent, version: Version) -> Row {
    const F: &str = "allowPrivilegeEscalation";
    let (constraint, allowed) = allowed(intent);
    let baseline = if allowed {
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
    if !allowed {
        return Row::new(
            F,
            baseline,
            Verdict::PspLooser,
            "false, but the PSP sets false only on containers that leave it unset, while restricted requires each container to set allowPrivilegeEscalation: false itself".into(),
        )
        .by(Cause::Omission);
    }
    let (cause, how) = if constraint.origin == Origin::Explicit {
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
fn default(intent: &Intent) -> Row {
    const F: &str = "defaultAllowPrivilegeEscalation";
    // Only the explicit field, not the false a denying policy implies.
    let explicit = intent.constraints.iter().find_map(|c| match c.control {
        Control::DefaultAllowPrivilegeEscalation { allowed }
            if c.field == "spec.defaultAllowPrivilegeEscalation" =>
        {
            Some(allowed)
        }
        _ => None,
    });
    let reason = match explicit {
        None => "not set".to_string(),
        Some(v) => format!("defaults containers to {v}; PSA never mutates, so the default is lost"),
    };
    Row::both(F, Verdict::NoOpinion, reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;

    #[test]
    fn default_true_is_an_omission_and_explicit_true_a_grant() {
        let mut p = psp();
        let r = allow(&intent_of(&p), Version::Latest);
        assert_eq!(
            (r.restricted, r.cause),
            (Verdict::PspLooser, Some(Cause::Omission))
        );
        p.spec.explicit.insert("allowPrivilegeEscalation".into());
        assert_eq!(
            allow(&intent_of(&p), Version::Latest).cause,
            Some(Cause::Grant)
        );
    }

    #[test]
    fn false_relies_on_mutation() {
        let mut p = psp();
        p.spec.allow_privilege_escalation = false;
        let r = allow(&intent_of(&p), Version::Latest);
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspLooser)
        );
        assert_eq!(r.cause, Some(Cause::Omission));
        let r = allow(&intent_of(&p), Version::Minor(7));
        assert_eq!(r.restricted, Verdict::PspStricter);
    }
}
