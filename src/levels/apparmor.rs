//! The AppArmor `allowedProfileNames` annotation: both levels reject the unconfined profile
//! (annotations from 1.0, the `appArmorProfile` fields too from 1.30).
//!
//! The PSP plugin matched this list exactly (no `*` wildcard) and, *without* the annotation,
//! allowed every profile, unconfined included.

use super::{list, Cause, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::psp::annotations::APPARMOR_ALLOWED;
use crate::pss::Version;

/// The AppArmor row (the same verdict at both levels).
pub fn rows(intent: &Intent, _version: Version) -> Vec<Row> {
    let allowed = intent.value(|c| match c {
        Control::AppArmor { allowed } => Some(allowed),
        _ => None,
    });
    let row = match allowed {
        None => Row::both(
            APPARMOR_ALLOWED,
            Verdict::PspLooser,
            "no annotation: PSP allowed any AppArmor profile, unconfined included, which both levels reject".into(),
        )
        .by(Cause::Omission),
        Some(items) if items.iter().any(|i| i.trim() == "unconfined") => Row::both(
            APPARMOR_ALLOWED,
            Verdict::PspLooser,
            "allows unconfined, which both levels reject".into(),
        )
        .by(Cause::Grant),
        Some(items) => {
            let shown = list(items.iter().map(|i| format!("{:?}", i.trim())));
            let star = if items.iter().any(|i| i.trim() == "*") {
                " (`*` is no wildcard here: PSP matched AppArmor names exactly)"
            } else {
                ""
            };
            Row::both(
                APPARMOR_ALLOWED,
                Verdict::PspStricter,
                format!("allows only {shown}{star}; both levels allow any runtime/default or localhost profile, or none"),
            )
        }
    };
    vec![row]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::{psp, strings};

    #[test]
    fn missing_annotation_allows_unconfined() {
        let r = &rows(&intent_of(&psp()), Version::Latest)[0];
        assert_eq!(
            (r.baseline, r.cause),
            (Verdict::PspLooser, Some(Cause::Omission))
        );
    }

    #[test]
    fn listed_profiles() {
        let mut p = psp();
        p.profiles.apparmor_allowed = Some(strings(&["runtime/default", "unconfined"]));
        assert_eq!(
            rows(&intent_of(&p), Version::Latest)[0].cause,
            Some(Cause::Grant)
        );
        p.profiles.apparmor_allowed = Some(strings(&["runtime/default"]));
        let r = &rows(&intent_of(&p), Version::Latest)[0];
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspStricter)
        );
    }
}
