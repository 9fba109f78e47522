//! `allowedUnsafeSysctls` and `forbiddenSysctls`: both levels allow only the safe sysctls of
//! their version ([`safe_sysctls`]: new names in 1.27, 1.29, 1.32 and 1.37).
//!
//! A PSP always allowed the kubelet's safe set of its day, which equals the PSS 1.0 list; a
//! pattern ending in `*` matches names outside any finite list, so it always exceeds the levels.

use std::collections::BTreeSet;

use super::{list, Cause, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::psp::sysctl_matches as matches;
use crate::pss::checks::sysctls::SAFE;
use crate::pss::Version;

/// The sysctls both levels allow at `version`.
pub fn safe_sysctls(version: Version) -> BTreeSet<&'static str> {
    SAFE.iter()
        .filter(|(_, since)| version.at_least(*since))
        .map(|(n, _)| *n)
        .collect()
}

/// The version that made `name` safe, if any.
fn safe_since(name: &str) -> Option<u32> {
    SAFE.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, since)| *since)
}

/// The two sysctl rows.
pub fn rows(intent: &Intent, version: Version) -> Vec<Row> {
    vec![allowed_unsafe(intent, version), forbidden(intent, version)]
}

/// The `allowedUnsafeSysctls` (`true`) or `forbiddenSysctls` patterns of the intent.
fn patterns(intent: &Intent, allowed: bool) -> &[String] {
    intent.value(|c| match c {
        Control::AllowedUnsafeSysctls(p) if allowed => Some(p.as_slice()),
        Control::ForbiddenSysctls(p) if !allowed => Some(p.as_slice()),
        _ => None,
    })
}

/// `allowedUnsafeSysctls`.
fn allowed_unsafe(intent: &Intent, version: Version) -> Row {
    const F: &str = "allowedUnsafeSysctls";
    let safe = safe_sysctls(version);
    let forbidden = patterns(intent, false);
    let grants: Vec<&str> = patterns(intent, true)
        .iter()
        .map(String::as_str)
        .filter(|p| !forbidden.iter().any(|f| matches(f, p)))
        .filter(|p| p.ends_with('*') || !safe.contains(p))
        .collect();
    if !grants.is_empty() {
        return Row::both(F, Verdict::PspLooser, looser_reason(&grants, version)).by(Cause::Grant);
    }
    let admitted: BTreeSet<&str> = safe_sysctls(Version::Minor(0))
        .into_iter()
        .chain(patterns(intent, true).iter().map(String::as_str))
        .collect();
    let missing: Vec<&str> = safe.difference(&admitted).copied().collect();
    if missing.is_empty() {
        return Row::both(
            F,
            Verdict::Same,
            format!(
                "allows exactly the safe sysctls of v1.{}",
                version.effective_minor()
            ),
        );
    }
    Row::both(
        F,
        Verdict::PspStricter,
        format!(
            "PSP allowed only its original safe set, not {}, which v1.{} also allows",
            list(&missing),
            version.effective_minor()
        ),
    )
}

/// The reason for unsafe grants, pointing at the version that made a name safe when later.
fn looser_reason(grants: &[&str], version: Version) -> String {
    let later: Vec<String> = grants
        .iter()
        .filter_map(|g| safe_since(g).map(|v| format!("{g} is safe from v1.{v}")))
        .collect();
    let mut reason = format!(
        "allows {}, outside the safe sysctls both levels allow at v1.{}",
        list(grants),
        version.effective_minor()
    );
    if !later.is_empty() {
        reason.push_str(&format!(" ({})", later.join(", ")));
    }
    reason
}

/// `forbiddenSysctls`: a lost restriction when it forbids a sysctl the levels allow.
fn forbidden(intent: &Intent, version: Version) -> Row {
    const F: &str = "forbiddenSysctls";
    let patterns = patterns(intent, false);
    if patterns.is_empty() {
        return Row::both(F, Verdict::NoOpinion, "nothing is forbidden".into());
    }
    let hit: Vec<&str> = safe_sysctls(version)
        .into_iter()
        .filter(|s| patterns.iter().any(|p| matches(p, s)))
        .collect();
    if hit.is_empty() {
        return Row::both(
            F,
            Verdict::Same,
            format!("forbids {}, which both levels forbid too", list(patterns)),
        );
    }
    Row::both(
        F,
        Verdict::PspStricter,
        format!("forbids {}, which both levels allow", list(&hit)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::{psp, strings};
    use crate::psp::Psp;

    fn allowing(names: &[&str]) -> Psp {
        let mut p = psp();
        p.spec.allowed_unsafe_sysctls = strings(names);
        p
    }

    #[test]
    fn keepalive_becomes_safe_in_1_29() {
        let p = allowing(&["net.ipv4.tcp_keepalive_time"]);
        let r = allowed_unsafe(&intent_of(&p), Version::Minor(28));
        assert_eq!(
            (r.baseline, r.cause),
            (Verdict::PspLooser, Some(Cause::Grant))
        );
        assert!(r.reason.contains("safe from v1.29"), "{}", r.reason);
        assert_ne!(
            allowed_unsafe(&intent_of(&p), Version::Minor(29)).baseline,
            Verdict::PspLooser
        );
    }

    #[test]
    fn safe_lists_grow_by_version() {
        assert_eq!(safe_sysctls(Version::Minor(26)).len(), 5);
        assert_eq!(safe_sysctls(Version::Minor(27)).len(), 6);
        assert_eq!(safe_sysctls(Version::Minor(32)).len(), 12);
        assert!(safe_sysctls(Version::Latest).contains("net.ipv4.tcp_notsent_lowat"));
    }

    #[test]
    fn default_psp_is_same_before_1_27_and_stricter_after() {
        assert_eq!(
            allowed_unsafe(&intent_of(&psp()), Version::Minor(26)).baseline,
            Verdict::Same
        );
        assert_eq!(
            allowed_unsafe(&intent_of(&psp()), Version::Minor(27)).baseline,
            Verdict::PspStricter
        );
    }

    #[test]
    fn patterns_exceed_the_levels_unless_forbidden() {
        let mut p = allowing(&["net.*"]);
        assert_eq!(
            allowed_unsafe(&intent_of(&p), Version::Latest).baseline,
            Verdict::PspLooser
        );
        p.spec.forbidden_sysctls = strings(&["net.*"]);
        assert_ne!(
            allowed_unsafe(&intent_of(&p), Version::Latest).baseline,
            Verdict::PspLooser
        );
        assert_eq!(
            forbidden(&intent_of(&p), Version::Latest).baseline,
            Verdict::PspStricter
        );
    }
}
