//! Fidelity: what each target keeps of each PSP, one row per intent constraint, and the semantic
//! diff between the PSP's rules and the target's.
//!
//! Target-agnostic: a target hands back, per PSP, a [`TargetReport`] whose rows say for every
//! constraint of the intent what the target enforces instead (`target_rule`, in the same
//! normalised wording as [`crate::intent::Constraint::describe`]) and how that compares
//! ([`Fidelity`]). Counts, the semantic diff, `--fail-on` and the reports are all computed from
//! those rows; nothing here knows about a particular target.

pub mod accept;
mod diff;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::intent::{Effect, Origin};
pub use diff::{semantic_diff, unified as unified_diff, DiffLine, DiffOp};

/// How a target keeps one constraint, from best to worst for security.
///
/// The order is the `--fail-on` order: `exact < stricter < mutation_dropped < looser < lost`. A
/// dropped mutation ranks below `looser` because its security effect is judged on the validating
/// row of the same field (pods as submitted): when the target admits a pod the PSP would have
/// hardened, that row is already `looser` or `lost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fidelity {
    /// The target admits exactly what the PSP admitted, for this constraint.
    Exact,
    /// The target rejects pods the PSP admitted.
    Stricter,
    /// The PSP changed pods here; the target does not.
    MutationDropped,
    /// The target admits pods the PSP rejected, though it restricts this field.
    Looser,
    /// The target cannot express this restriction at all.
    Lost,
}

impl Fidelity {
    /// Every verdict, in order.
    pub const ALL: [Fidelity; 5] = [
        Fidelity::Exact,
        Fidelity::Stricter,
        Fidelity::MutationDropped,
        Fidelity::Looser,
        Fidelity::Lost,
    ];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Fidelity::Exact => "exact",
            Fidelity::Stricter => "stricter",
            Fidelity::MutationDropped => "mutation_dropped",
            Fidelity::Looser => "looser",
            Fidelity::Lost => "lost",
        }
    }

    /// The wording in summaries (`mutation dropped`).
    pub fn label(self) -> &'static str {
        match self {
            Fidelity::MutationDropped => "mutation dropped",
            other => other.as_str(),
        }
    }
}

/// One constraint of one PSP, as one target keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FidelityRow {
    pub psp: String,
    pub target: String,
    /// The PSP field (API spelling) the constraint came from.
    pub field: String,
    /// `validate` or `mutate`.
    pub effect: &'static str,
    /// `explicit` (written in the manifest) or `default` (the API's default).
    pub origin: &'static str,
    pub verdict: Fidelity,
    /// One sentence.
    pub reason: String,
    /// The constraint, in normalised wording.
    pub psp_rule: String,
    /// What the target enforces instead, in the same wording; `None` when nothing.
    pub target_rule: Option<String>,
}

/// Everything one target says about one PSP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetReport {
    pub psp: String,
    pub target: String,
    /// What the PSP was compared with, e.g. `baseline (least restrictive enforce level of ...)`.
    pub compared_with: String,
    /// One row per intent constraint, in intent order.
    pub rows: Vec<FidelityRow>,
    /// Rules the target enforces that no constraint of the PSP corresponds to.
    pub extra_rules: Vec<String>,
}

impl TargetReport {
    /// The PSP's rules, one per line, in intent order.
    pub fn psp_rules(&self) -> Vec<String> {
        self.rows.iter().map(|r| r.psp_rule.clone()).collect()
    }

    /// The target's rules, one per line: per constraint where it has one, then the extra rules.
    pub fn target_rules(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.rows.iter().filter_map(|r| r.target_rule.as_ref()) {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
        out.extend(self.extra_rules.iter().cloned());
        out
    }

    /// How many rows have each verdict (every verdict present, zero or not).
    pub fn counts(&self) -> Counts {
        Counts::of(self.rows.iter())
    }

    /// The worst verdict of the rows, if any.
    pub fn worst(&self) -> Option<Fidelity> {
        self.rows.iter().map(|r| r.verdict).max()
    }
}

/// Counts of verdicts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Counts(pub BTreeMap<Fidelity, usize>);

impl Counts {
    /// Counts the verdicts of `rows`.
    pub fn of<'a>(rows: impl Iterator<Item = &'a FidelityRow>) -> Counts {
        let mut m: BTreeMap<Fidelity, usize> = Fidelity::ALL.iter().map(|f| (*f, 0)).collect();
        for r in rows {
            *m.entry(r.verdict).or_default() += 1;
        }
        Counts(m)
    }

    /// The count of one verdict.
    pub fn get(&self, f: Fidelity) -> usize {
        self.0.get(&f).copied().unwrap_or(0)
    }

    /// `3 exact, 1 stricter, 0 mutation dropped, 2 looser, 1 lost`.
    pub fn summary(&self) -> String {
        Fidelity::ALL
            .iter()
            .map(|f| format!("{} {}", self.get(*f), f.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Counts) {
        for (f, n) in &other.0 {
            *self.0.entry(*f).or_default() += n;
        }
    }
}

/// The JSON spelling of an effect.
pub fn effect_name(e: Effect) -> &'static str {
    match e {
        Effect::Validate => "validate",
        Effect::Mutate => "mutate",
    }
}

/// The JSON spelling of an origin.
pub fn origin_name(o: Origin) -> &'static str {
    match o {
        Origin::Explicit => "explicit",
        Origin::Default => "default",
    }
}

/// True when any row of `reports` is at least as bad as `threshold`.
pub fn reaches(reports: &[TargetReport], threshold: Fidelity) -> bool {
    reports
        .iter()
        .flat_map(|r| &r.rows)
        .any(|row| row.verdict >= threshold)
}

/// Totals per target, sorted by target name.
pub fn totals_by_target(reports: &[TargetReport]) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for r in reports {
        out.entry(r.target.clone()).or_default().add(&r.counts());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(verdict: Fidelity, rule: &str, target: Option<&str>) -> FidelityRow {
        FidelityRow {
            psp: "p".into(),
            target: "t".into(),
            field: "spec.x".into(),
            effect: "validate",
            origin: "explicit",
            verdict,
            reason: "r".into(),
            psp_rule: rule.into(),
            target_rule: target.map(String::from),
        }
    }

    fn report(rows: Vec<FidelityRow>) -> TargetReport {
        TargetReport {
            psp: "p".into(),
            target: "t".into(),
            compared_with: "c".into(),
            rows,
            extra_rules: vec!["extra".into()],
        }
    }

    #[test]
    fn order_is_the_fail_on_order() {
        let mut v = Fidelity::ALL.to_vec();
        v.reverse();
        v.sort();
        assert_eq!(v, Fidelity::ALL.to_vec());
        assert!(Fidelity::MutationDropped < Fidelity::Looser);
        assert_eq!(
            serde_json::to_value(Fidelity::MutationDropped).unwrap(),
            "mutation_dropped"
        );
    }

    #[test]
    fn thresholds_trip_at_or_above() {
        let r = vec![report(vec![
            row(Fidelity::Exact, "a", Some("a")),
            row(Fidelity::Looser, "b", Some("c")),
        ])];
        assert!(reaches(&r, Fidelity::Looser));
        assert!(!reaches(&r, Fidelity::Lost));
        assert!(reaches(&r, Fidelity::MutationDropped));
    }

    #[test]
    fn counts_name_every_verdict() {
        let r = report(vec![
            row(Fidelity::Lost, "a", None),
            row(Fidelity::Lost, "b", None),
            row(Fidelity::Exact, "c", Some("c")),
        ]);
        assert_eq!(
            r.counts().summary(),
            "1 exact, 0 stricter, 0 mutation dropped, 0 looser, 2 lost"
        );
        assert_eq!(r.worst(), Some(Fidelity::Lost));
    }

    #[test]
    fn target_rules_skip_missing_and_repeated_rules_and_end_with_extras() {
        let r = report(vec![
            row(Fidelity::Lost, "a", None),
            row(Fidelity::Stricter, "b", Some("x")),
            row(Fidelity::Stricter, "c", Some("x")),
        ]);
        assert_eq!(r.target_rules(), vec!["x", "extra"]);
        assert_eq!(r.psp_rules(), vec!["a", "b", "c"]);
    }
}
