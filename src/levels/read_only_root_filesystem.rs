//! `readOnlyRootFilesystem`: no level requires a read-only root filesystem, so requiring it is
//! lost under PSA.

use super::{Row, Verdict};
use crate::intent::{Control, Intent};
use crate::pss::Version;

/// The `readOnlyRootFilesystem` row.
pub fn rows(intent: &Intent, _version: Version) -> Vec<Row> {
    vec![read_only_root(intent.value(|c| match c {
        Control::ReadOnlyRootFilesystem { required } => Some(*required),
        _ => None,
    }))]
}

fn read_only_root(required: bool) -> Row {
    const F: &str = "readOnlyRootFilesystem";
    if required {
        Row::both(
            F,
            Verdict::PspStricter,
            "requires (and defaults) a read-only root filesystem; no level does, so this is lost"
                .into(),
        )
    } else {
        Row::both(
            F,
            Verdict::NoOpinion,
            "not required, and no level requires it".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;

    #[test]
    fn defaults_only_psp_has_no_opinion() {
        let r = &rows(&intent_of(&psp()), Version::Latest)[0];
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::NoOpinion, Verdict::NoOpinion)
        );
    }
}
