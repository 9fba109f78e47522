//! Assembles the controls into one ordered list per (level, minor version), built once.
//!
//! Baseline is every baseline control in force at that minor version. Restricted is every
//! restricted control in force, plus the baseline controls that none of them overrides at that
//! version. Privileged has no controls. Lists are ordered baseline IDs first, then restricted
//! IDs, each alphabetically, so messages come out in a stable order.

use std::sync::OnceLock;

use super::checks::ALL;
use super::{CheckFn, Level, Version, NEWEST_MINOR};

/// One runnable control: its ID and the behaviour in force at the list's version.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub id: &'static str,
    pub eval: CheckFn,
}

struct Table {
    /// Indexed by minor version.
    baseline: Vec<Vec<Entry>>,
    restricted: Vec<Vec<Entry>>,
}

static TABLE: OnceLock<Table> = OnceLock::new();

/// The controls to run for `level` at `version` (empty for privileged).
pub fn checks_for(level: Level, version: Version) -> &'static [Entry] {
    let table = TABLE.get_or_init(build);
    let minor = version.effective_minor() as usize;
    match level {
        Level::Privileged => &[],
        Level::Baseline => &table.baseline[minor],
        Level::Restricted => &table.restricted[minor],
    }
}

/// The check IDs that `level` enforces at `version`, in evaluation order.
pub fn check_ids(level: Level, version: Version) -> impl Iterator<Item = &'static str> {
    checks_for(level, version).iter().map(|e| e.id)
}

/// The controls (check IDs) that judge PSP field `field`, at any version: the PSP field ->
/// PSS control map, read from each control's `psp_fields`. `field` is spelled as the intent
/// spells it (`spec.hostPID`, `metadata.annotations[...]`).
pub fn controls_of_psp_field(field: &str) -> Vec<&'static str> {
    ALL.iter()
        .filter(|c| c.psp_fields.contains(&field))
        .map(|c| c.id)
        .collect()
}

/// True when some control in force at `version` judges PSP field `field`.
pub fn judges_psp_field(field: &str, version: Version) -> bool {
    ALL.iter()
        .any(|c| c.psp_fields.contains(&field) && c.at_minor(version.effective_minor()).is_some())
}

fn build() -> Table {
    let mut sorted: Vec<_> = ALL.iter().collect();
    sorted.sort_by_key(|c| (c.level, c.id));
    let mut table = Table {
        baseline: Vec::new(),
        restricted: Vec::new(),
    };
    for minor in 0..=NEWEST_MINOR {
        let active: Vec<_> = sorted
            .iter()
            .filter_map(|c| c.at_minor(minor).map(|v| (*c, v)))
            .collect();
        let overridden: Vec<&str> = active
            .iter()
            .filter(|(c, _)| c.level == Level::Restricted)
            .flat_map(|(_, v)| v.overrides.iter().copied())
            .collect();
        let entry = |(c, v): &(&super::Check, &super::Versioned)| Entry {
            id: c.id,
            eval: v.eval,
        };
        table.baseline.push(
            active
                .iter()
                .filter(|(c, _)| c.level == Level::Baseline)
                .map(entry)
                .collect(),
        );
        table.restricted.push(
            active
                .iter()
                .filter(|(c, _)| c.level == Level::Restricted || !overridden.contains(&c.id))
                .map(entry)
                .collect(),
        );
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(level: Level, minor: u32) -> Vec<&'static str> {
        check_ids(level, Version::Minor(minor)).collect()
    }

    #[test]
    fn privileged_has_no_checks() {
        assert!(checks_for(Level::Privileged, Version::Latest).is_empty());
    }

    #[test]
    fn check_ids_are_unique_and_versions_increase() {
        let mut seen = std::collections::HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.id), "duplicate check {}", c.id);
            assert!(!c.versions.is_empty(), "{} has no versions", c.id);
            assert!(c.versions.windows(2).all(|w| w[0].since < w[1].since));
            if c.level == Level::Baseline {
                assert!(c.versions.iter().all(|v| v.overrides.is_empty()));
            }
        }
    }

    #[test]
    fn restricted_overrides_baseline_only_where_in_force() {
        let r18 = ids(Level::Restricted, 18);
        assert!(r18.contains(&"seccompProfile_baseline"));
        assert!(!r18.contains(&"seccompProfile_restricted"));
        let r19 = ids(Level::Restricted, 19);
        assert!(!r19.contains(&"seccompProfile_baseline"));
        assert!(r19.contains(&"seccompProfile_restricted"));

        assert!(ids(Level::Restricted, 21).contains(&"capabilities_baseline"));
        assert!(!ids(Level::Restricted, 22).contains(&"capabilities_baseline"));

        assert!(ids(Level::Restricted, 34).contains(&"procMount"));
        let r35 = ids(Level::Restricted, 35);
        assert!(!r35.contains(&"procMount") && r35.contains(&"procMount_restricted"));

        assert!(!ids(Level::Restricted, 0).contains(&"hostPathVolumes"));
        assert!(ids(Level::Baseline, 0).contains(&"hostPathVolumes"));
    }

    #[test]
    fn checks_appear_at_their_first_version() {
        assert!(!ids(Level::Restricted, 7).contains(&"allowPrivilegeEscalation"));
        assert!(ids(Level::Restricted, 8).contains(&"allowPrivilegeEscalation"));
        assert!(!ids(Level::Restricted, 22).contains(&"runAsUser"));
        assert!(ids(Level::Restricted, 23).contains(&"runAsUser"));
        assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
        assert!(ids(Level::Baseline, 34).contains(&"hostProbesAndHostLifecycle"));
    }

    #[test]
    fn baseline_checks_come_first_in_id_order() {
        let r = ids(Level::Restricted, NEWEST_MINOR);
        let split = r
            .iter()
            .position(|id| *id == "allowPrivilegeEscalation")
            .unwrap();
        assert!(r[..split].windows(2).all(|w| w[0] < w[1]));
        assert!(r[split..].windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            checks_for(Level::Baseline, Version::Latest).len(),
            checks_for(Level::Baseline, Version::Minor(99)).len()
        );
    }
}
