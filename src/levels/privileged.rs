//! `privileged`: both levels reject privileged containers (PSS "Privileged Containers", 1.0+).

use super::{Cause, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::pss::Version;

/// The `privileged` row.
pub fn rows(intent: &Intent, _version: Version) -> Vec<Row> {
    let privileged = intent.value(|c| match c {
        Control::Privileged { allowed } => Some(*allowed),
        _ => None,
    });
    let row = if privileged {
        Row::both(
            "privileged",
            Verdict::PspLooser,
            "privileged: true admits privileged containers, which baseline and restricted reject"
                .into(),
        )
        .by(Cause::Grant)
    } else {
        Row::both(
            "privileged",
            Verdict::Same,
            "privileged containers are denied, as both levels require".into(),
        )
    };
    vec![row]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;

    #[test]
    fn privileged_true_is_a_grant_beyond_both_levels() {
        let mut p = psp();
        assert_eq!(
            rows(&intent_of(&p), Version::Latest)[0].baseline,
            Verdict::Same
        );
        p.spec.privileged = true;
        let r = &rows(&intent_of(&p), Version::Latest)[0];
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspLooser, Verdict::PspLooser)
        );
        assert_eq!(r.cause, Some(Cause::Grant));
    }
}
