//! The Pod Security Admission labels the input's Namespaces already carry (clusters part way
//! through a migration), and the rule that the plan never loosens them unless asked.
//!
//! A label that is not a level is read as Pod Security Admission reads it
//! (kubernetes/pod-security-admission, api/helpers.go `PolicyToEvaluate`: an enforce level that
//! does not parse is evaluated as restricted, an audit or warn level as privileged), said in a
//! note, and replaced by a valid label no looser than that reading.

use std::collections::BTreeMap;

use super::plan::{failing, NamespacePlan};
use crate::load::{Loaded, ObjectKind};
use crate::pss::Level;

/// The label prefix every Pod Security Admission label shares.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// The three modes, in label order.
pub const MODES: [&str; 3] = ["enforce", "audit", "warn"];

/// The PSA labels of every Namespace in the input, by namespace name, each keyed by what
/// follows the prefix (`enforce`, `enforce-version`, ...). Namespaces without any are left out.
pub fn current_labels(loaded: &Loaded) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for obj in &loaded.objects {
        let ObjectKind::Namespace(ns) = &obj.kind else {
            continue;
        };
        let (Some(name), Some(labels)) = (&ns.metadata.name, &ns.metadata.labels) else {
            continue;
        };
        let psa: BTreeMap<String, String> = labels
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(LABEL_PREFIX)?.to_string(), v.clone())))
            .collect();
        if !psa.is_empty() {
            out.insert(name.clone(), psa);
        }
    }
    out
}

/// The level of `mode` in the plan.
fn planned(plan: &NamespacePlan, mode: &str) -> Level {
    match mode {
        "enforce" => plan.enforce,
        "audit" => plan.audit,
        _ => plan.warn,
    }
}

fn set(plan: &mut NamespacePlan, mode: &str, level: Level) {
    match mode {
        "enforce" => plan.enforce = level,
        "audit" => plan.audit = level,
        _ => plan.warn = level,
    }
}

/// Records `current` on the plan and, unless `allow_loosen`, raises every mode the plan would
/// loosen back to its current level (audit and warn never end below enforce). Each kept or
/// loosened level, and each label that is not a level, becomes a note.
pub fn respect_current(
    plan: &mut NamespacePlan,
    current: BTreeMap<String, String>,
    allow_loosen: bool,
) {
    for mode in MODES {
        let Some(value) = current.get(mode) else {
            continue;
        };
        let proposed = planned(plan, mode);
        let now = value.parse::<Level>().unwrap_or_else(|_| {
            let read_as = if mode == "enforce" {
                Level::Restricted
            } else {
                Level::Privileged
            };
            plan.notes.push(format!(
                "the current {mode} label {value:?} is not a level: PSA reads it as {read_as}, and the plan writes a valid label"
            ));
            read_as
        });
        if proposed >= now {
            continue;
        }
        if allow_loosen {
            plan.notes.push(format!(
                "loosens {mode} from {now} (current label) to {proposed}, as --allow-loosen asks"
            ));
        } else {
            plan.notes.push(format!(
                "keeps {mode} at {now} (current label): the PSPs alone would give {proposed}; pass --allow-loosen to loosen it"
            ));
            set(plan, mode, now);
        }
    }
    plan.audit = plan.audit.max(plan.enforce);
    plan.warn = plan.warn.max(plan.enforce);
    plan.failing_enforce = failing(&plan.observed, plan.enforce);
    plan.current = current;
}

/// The current levels as `enforce / audit / warn`, `-` for a mode without a label; `None`
/// when the Namespace carries no PSA label.
pub fn current_levels(plan: &NamespacePlan) -> Option<String> {
    if plan.current.is_empty() {
        return None;
    }
    let modes: Vec<&str> = MODES
        .iter()
        .map(|m| plan.current.get(*m).map(String::as_str).unwrap_or("-"))
        .collect();
    Some(modes.join(" / "))
}

/// The labels the plan sets that differ from the current ones, as (label suffix, value) in
/// label order: what the labelling script has to change.
pub fn label_changes(plan: &NamespacePlan) -> Vec<(String, String)> {
    MODES
        .iter()
        .flat_map(|mode| {
            [
                (mode.to_string(), planned(plan, mode).to_string()),
                (format!("{mode}-version"), plan.version.clone()),
            ]
        })
        .filter(|(k, v)| plan.current.get(k) != Some(v))
        .collect()
}
