//! `allowedCapabilities`, `defaultAddCapabilities` and `requiredDropCapabilities`.
//!
//! Baseline (1.0+) lets containers add only [`BASELINE_ADD`]. Restricted (1.22+) lets them add
//! only `NET_BIND_SERVICE` and requires every container to drop `ALL`; before 1.22 restricted
//! used the baseline rule.

use std::collections::BTreeSet;

use super::{list, Cause, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::pss::Version;

/// Capabilities baseline lets a container add (the PSS check's own list).
pub use crate::pss::checks::capabilities_baseline::ALLOWED as BASELINE_ADD;

/// Capabilities restricted (1.22+) lets a container add (the PSS check's own list).
pub use crate::pss::checks::capabilities_restricted::ALLOWED_ADD as RESTRICTED_ADD;

/// The first version whose restricted level has its own capabilities rule.
const RESTRICTED_CAPS_SINCE: u32 = 22;

/// The three capability rows.
pub fn rows(intent: &Intent, version: Version) -> Vec<Row> {
    let allowed_caps = intent.value(|c| match c {
        Control::AllowedCapabilities(caps) => Some(caps.as_slice()),
        _ => None,
    });
    let required = intent.value(|c| match c {
        Control::RequiredDropCapabilities(caps) => Some(caps.as_slice()),
        _ => None,
    });
    // Present only when the PSP adds some.
    let default_caps = intent
        .find(|c| match c {
            Control::DefaultAddCapabilities(caps) => Some(caps.as_slice()),
            _ => None,
        })
        .unwrap_or_default();
    vec![
        allowed(allowed_caps, version),
        default_add(default_caps, version),
        required_drop(required, version),
    ]
}

/// The capabilities of `caps` outside `allowed`.
fn beyond<'a>(caps: &'a [String], allowed: &[&str]) -> BTreeSet<&'a str> {
    caps.iter()
        .map(String::as_str)
        .filter(|c| !allowed.contains(c))
        .collect()
}

/// `allowedCapabilities`: what a container may add.
fn allowed(caps: &[String], version: Version) -> Row {
    const F: &str = "allowedCapabilities";
    if let Some(row) = grant_beyond_baseline(F, caps, "may be added") {
        return row;
    }
    let set: BTreeSet<&str> = caps.iter().map(String::as_str).collect();
    let baseline = if set.len() == BASELINE_ADD.len() {
        Verdict::Same
    } else {
        Verdict::PspStricter
    };
    if !version.at_least(RESTRICTED_CAPS_SINCE) {
        return Row::both(
            F,
            baseline,
            format!(
                "allows adding {} within the baseline set, which restricted before v1.22 also uses",
                list(&set)
            ),
        );
    }
    let extra = beyond(caps, RESTRICTED_ADD);
    if !extra.is_empty() {
        return Row::new(
            F,
            baseline,
            Verdict::PspLooser,
            format!(
                "allows adding {}, within baseline but beyond restricted, which allows only NET_BIND_SERVICE",
                list(&extra)
            ),
        )
        .by(Cause::Grant);
    }
    let restricted = if set.is_empty() {
        Verdict::PspStricter
    } else {
        Verdict::Same
    };
    Row::new(
        F,
        baseline,
        restricted,
        format!(
            "allows adding {}; baseline allows 13 capabilities and restricted NET_BIND_SERVICE",
            list(&set)
        ),
    )
}

/// A looser row when `caps` holds `*` or anything beyond the baseline set.
fn grant_beyond_baseline(field: &'static str, caps: &[String], what: &str) -> Option<Row> {
    if caps.iter().any(|c| c == "*") {
        return Some(
            Row::both(
                field,
                Verdict::PspLooser,
                format!("`*`: any capability {what}, while both levels limit added capabilities"),
            )
            .by(Cause::Grant),
        );
    }
    let extra = beyond(caps, BASELINE_ADD);
    (!extra.is_empty()).then(|| {
        Row::both(
            field,
            Verdict::PspLooser,
            format!(
                "{} {what}, beyond the baseline set (and restricted's NET_BIND_SERVICE)",
                list(&extra)
            ),
        )
        .by(Cause::Grant)
    })
}

/// `defaultAddCapabilities`: added by mutation, and also allowed to be added by the pod.
fn default_add(caps: &[String], version: Version) -> Row {
    const F: &str = "defaultAddCapabilities";
    if caps.is_empty() {
        return Row::both(
            F,
            Verdict::NoOpinion,
            "no capabilities are added by default".into(),
        );
    }
    if let Some(row) = grant_beyond_baseline(F, caps, "may be added (and is added by default)") {
        return row;
    }
    let extra = beyond(caps, RESTRICTED_ADD);
    if version.at_least(RESTRICTED_CAPS_SINCE) && !extra.is_empty() {
        return Row::new(
            F,
            Verdict::NoOpinion,
            Verdict::PspLooser,
            format!(
                "adds {} by default and lets pods add them, beyond restricted's NET_BIND_SERVICE",
                list(&extra)
            ),
        )
        .by(Cause::Grant);
    }
    Row::both(
        F,
        Verdict::NoOpinion,
        format!(
            "adds {} by default; the levels allow adding them, but PSA never adds them for the pod",
            list(caps)
        ),
    )
}

/// `requiredDropCapabilities`: a mutation (added to `drop`) that forbids re-adding them.
fn required_drop(caps: &[String], version: Version) -> Row {
    const F: &str = "requiredDropCapabilities";
    let baseline = if caps.is_empty() {
        Verdict::NoOpinion
    } else {
        Verdict::PspStricter
    };
    if !version.at_least(RESTRICTED_CAPS_SINCE) {
        let reason = if caps.is_empty() {
            "no capabilities are required to be dropped, and neither level before v1.22 requires it"
                .into()
        } else {
            format!(
                "drops {} from every container; neither level before v1.22 requires a drop",
                list(caps)
            )
        };
        return Row::both(F, baseline, reason);
    }
    let reason = if caps.iter().any(|c| c == "ALL") {
        "drops ALL only by adding it to pods that omit it; restricted requires each container to list ALL in capabilities.drop and PSA never adds it".to_string()
    } else if caps.is_empty() {
        "nothing is required to be dropped, while restricted requires every container to drop ALL"
            .to_string()
    } else {
        format!(
            "requires dropping {} but not ALL, which restricted requires of every container",
            list(caps)
        )
    };
    Row::new(F, baseline, Verdict::PspLooser, reason).by(Cause::Omission)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psp::testing::strings;

    #[test]
    fn net_raw_is_beyond_baseline() {
        let r = allowed(&strings(&["CHOWN", "NET_RAW"]), Version::Latest);
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspLooser, Verdict::PspLooser)
        );
        assert_eq!(r.cause, Some(Cause::Grant));
        assert!(
            r.reason.contains("NET_RAW") && !r.reason.contains("CHOWN"),
            "{}",
            r.reason
        );
    }

    #[test]
    fn wildcard_is_beyond_both() {
        let r = allowed(&strings(&["*"]), Version::Latest);
        assert_eq!(r.baseline, Verdict::PspLooser);
    }

    #[test]
    fn baseline_caps_are_looser_than_restricted_from_1_22_only() {
        let caps = strings(&["CHOWN", "NET_BIND_SERVICE"]);
        let r = allowed(&caps, Version::Minor(22));
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspLooser)
        );
        let r = allowed(&caps, Version::Minor(21));
        assert_eq!(r.restricted, Verdict::PspStricter);
        let all: Vec<String> = BASELINE_ADD.iter().map(|c| c.to_string()).collect();
        assert_eq!(allowed(&all, Version::Latest).baseline, Verdict::Same);
    }

    #[test]
    fn net_bind_service_matches_restricted() {
        let r = allowed(&strings(&["NET_BIND_SERVICE"]), Version::Latest);
        assert_eq!(r.restricted, Verdict::Same);
        assert_eq!(
            allowed(&[], Version::Latest).restricted,
            Verdict::PspStricter
        );
    }

    #[test]
    fn default_add_counts_as_allowed() {
        let r = default_add(&strings(&["SYS_ADMIN"]), Version::Latest);
        assert_eq!(r.baseline, Verdict::PspLooser);
        let r = default_add(&strings(&["CHOWN"]), Version::Latest);
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::NoOpinion, Verdict::PspLooser)
        );
    }

    #[test]
    fn drop_all_by_mutation_does_not_satisfy_restricted() {
        let r = required_drop(&strings(&["ALL"]), Version::Latest);
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspLooser)
        );
        assert_eq!(r.cause, Some(Cause::Omission));
        let r = required_drop(&[], Version::Minor(21));
        assert_eq!(r.restricted, Verdict::NoOpinion);
        assert_eq!(r.cause, None);
    }
}
