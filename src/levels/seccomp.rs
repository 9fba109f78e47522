//! The seccomp `allowedProfileNames` annotation (with `defaultProfileName`).
//!
//! Baseline rejects the Unconfined profile (annotations before 1.19, the field from 1.19);
//! restricted from 1.19 also requires RuntimeDefault or Localhost on the pod or every container.
//! Without the annotation a PSP forbids setting any profile (annotation, and from 1.19 the field
//! too), so its pods have none: fine for baseline, all rejected by restricted.
//!
//! One edge before 1.19: PSP read the annotations through a map lookup, so an annotation with
//! an empty value counted as no profile, while PSS (which judged annotations then) rejects the
//! empty value. A PSP with no annotation, or with an empty item in its list, admits such pods (a
//! default profile fills the pod's annotation only, not a container's).

use super::{list, Cause, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::psp::annotations::SECCOMP_ALLOWED;
use crate::pss::Version;

/// One item of an allowed-profiles list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Any,
    Unconfined,
    Unset,
    RuntimeDefault,
    AnyLocalhost,
    Localhost,
    Other,
}

fn classify(item: &str) -> Profile {
    match item.trim() {
        "*" => Profile::Any,
        "unconfined" => Profile::Unconfined,
        "" => Profile::Unset,
        "runtime/default" | "docker/default" => Profile::RuntimeDefault,
        "localhost/*" => Profile::AnyLocalhost,
        s if s.starts_with("localhost/") => Profile::Localhost,
        _ => Profile::Other,
    }
}

/// The seccomp row.
pub fn rows(intent: &Intent, version: Version) -> Vec<Row> {
    let allowed = intent.value(|c| match c {
        Control::Seccomp { allowed } => Some(allowed),
        _ => None,
    });
    let default = intent.find(|c| match c {
        Control::DefaultSeccomp { profile } => Some(profile.as_str()),
        _ => None,
    });
    let row = match allowed {
        None => absent(version),
        Some(items) => listed(items, default, version),
    };
    vec![row]
}

/// No annotation: only pods without a profile.
fn absent(version: Version) -> Row {
    let baseline = Verdict::PspStricter;
    if !version.at_least(19) {
        return Row::both(
            SECCOMP_ALLOWED,
            Verdict::PspLooser,
            "no annotation: PSP forbids setting a seccomp profile but reads an empty annotation value as none, which both levels reject before v1.19".into(),
        )
        .by(Cause::Omission);
    }
    Row::new(
        SECCOMP_ALLOWED,
        baseline,
        Verdict::PspLooser,
        "no annotation: PSP admits only pods without a seccomp profile, and restricted requires RuntimeDefault or Localhost".into(),
    )
    .by(Cause::Omission)
}

/// An allowed list.
fn listed(items: &[String], default: Option<&str>, version: Version) -> Row {
    let kinds: Vec<Profile> = items.iter().map(|i| classify(i)).collect();
    let has = |k| kinds.contains(&k);
    let shown = list(items.iter().map(|i| format!("{:?}", i.trim())));
    if has(Profile::Any) || has(Profile::Unconfined) {
        let what = if has(Profile::Any) {
            "`*`"
        } else {
            "unconfined"
        };
        return Row::both(
            SECCOMP_ALLOWED,
            Verdict::PspLooser,
            format!("allows {what}, so pods may run unconfined, which both levels reject"),
        )
        .by(Cause::Grant);
    }
    let unset_ok = has(Profile::Unset) || default.is_some();
    let covers_all = has(Profile::RuntimeDefault) && has(Profile::AnyLocalhost);
    let baseline = if unset_ok && covers_all {
        Verdict::Same
    } else {
        Verdict::PspStricter
    };
    if !version.at_least(19) {
        // A default fills the pod's annotation only; an empty container annotation stays.
        if has(Profile::Unset) {
            return Row::both(
                SECCOMP_ALLOWED,
                Verdict::PspLooser,
                format!("allows {shown}; the empty item also admits an empty annotation value, which both levels reject before v1.19"),
            )
            .by(Cause::Grant);
        }
        return Row::both(
            SECCOMP_ALLOWED,
            baseline,
            format!("allows {shown}; neither level requires a profile before v1.19"),
        );
    }
    if has(Profile::Unset) {
        return Row::new(
            SECCOMP_ALLOWED,
            baseline,
            Verdict::PspLooser,
            format!("allows {shown}; the empty item admits pods without a profile, which restricted rejects"),
        )
        .by(Cause::Grant);
    }
    if let Some(d) = default {
        return Row::new(
            SECCOMP_ALLOWED,
            baseline,
            Verdict::PspLooser,
            format!("allows {shown} and gives pods without a profile {d:?}; PSA sets no default, and restricted rejects pods without one"),
        )
        .by(Cause::Omission);
    }
    let restricted = if covers_all {
        Verdict::Same
    } else {
        Verdict::PspStricter
    };
    Row::new(
        SECCOMP_ALLOWED,
        baseline,
        restricted,
        format!("requires one of {shown}, all RuntimeDefault or Localhost as restricted requires"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psp::testing::strings;

    #[test]
    fn absent_annotation_forbids_profiles() {
        let r = absent(Version::Latest);
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspLooser)
        );
        assert_eq!(r.cause, Some(Cause::Omission));
        assert_eq!(absent(Version::Minor(18)).restricted, Verdict::PspLooser);
        assert_eq!(absent(Version::Minor(18)).baseline, Verdict::PspLooser);
    }

    #[test]
    fn unconfined_and_wildcard_exceed_both() {
        for items in [&["*"][..], &["docker/default", "unconfined"][..]] {
            let r = listed(&strings(items), None, Version::Latest);
            assert_eq!(
                (r.baseline, r.cause),
                (Verdict::PspLooser, Some(Cause::Grant))
            );
        }
    }

    #[test]
    fn default_profile_does_not_satisfy_restricted() {
        let items = strings(&["runtime/default"]);
        let r = listed(&items, Some("runtime/default"), Version::Latest);
        assert_eq!(
            (r.restricted, r.cause),
            (Verdict::PspLooser, Some(Cause::Omission))
        );
        let r = listed(&items, None, Version::Latest);
        assert_eq!(r.restricted, Verdict::PspStricter);
        let r = listed(
            &strings(&["runtime/default", "localhost/*"]),
            None,
            Version::Latest,
        );
        assert_eq!(r.restricted, Verdict::Same);
    }

    #[test]
    fn empty_item_allows_unset() {
        let r = listed(&strings(&["runtime/default", ""]), None, Version::Latest);
        assert_eq!(
            (r.restricted, r.cause),
            (Verdict::PspLooser, Some(Cause::Grant))
        );
        assert_ne!(r.baseline, Verdict::PspLooser);
    }
}
