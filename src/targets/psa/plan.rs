//! The namespace plan: Pod Security Admission labels for every namespace, decided by the PSPs
//! its pods could use under RBAC and, when given, by the workloads seen running there.
//!
//! A pod was admitted when ANY PSP usable in its namespace admitted it, so a namespace's safe
//! enforce level is the least restrictive *compatible* level among those PSPs, and its target
//! the least restrictive *intended* level. Observed workloads may raise enforce towards the
//! target when every one of them already meets the higher level.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::pss::{Level, Version};

/// The two levels of one PSP (see `levels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PspLevels {
    pub compatible: Level,
    pub intended: Level,
}

/// A pod or pod template seen in the input, with the strictest level it meets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observed {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub meets: Level,
    /// Why it does not count as evidence (a running pod that a mutating PSP admitted may carry
    /// that PSP's defaults); `None` when it counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_aside: Option<String>,
}

/// Which level of the usable PSPs enforce starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnforceFrom {
    /// The least restrictive compatible level: rejects nothing the PSPs admitted (raised
    /// towards the intended level as far as the workloads in the input show it is met).
    #[default]
    Compatible,
    /// The least restrictive intended level: what the PSPs' explicit grants allow; pods that
    /// relied on what a PSP allowed by omission are rejected (the fidelity rows say which fields
    /// become stricter).
    Intended,
}

/// Options of the plan.
#[derive(Debug, Clone, Copy)]
pub struct PlanOptions {
    /// The Kubernetes version the labels are for.
    pub k8s_version: Version,
    /// Pin label versions to `v1.N` (true) or use `latest`.
    pub pin_version: bool,
    /// How many levels stricter than enforce audit and warn go (0 to 2).
    pub audit_step: u8,
    /// Let the plan propose a level looser than a Namespace's current label.
    pub allow_loosen: bool,
    /// Which level of the usable PSPs enforce starts from.
    pub enforce: EnforceFrom,
}

/// The labels of one namespace and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespacePlan {
    pub name: String,
    pub enforce: Level,
    pub audit: Level,
    pub warn: Level,
    pub version: String,
    /// The PSPs usable in the namespace.
    pub psps: Vec<String>,
    /// The PSPs whose compatible level set the safe enforce level.
    pub decided_by: Vec<String>,
    /// The least restrictive compatible level of the usable PSPs (none when no PSP is usable).
    pub safe_level: Option<Level>,
    /// The least restrictive intended level of the usable PSPs.
    pub target_level: Option<Level>,
    /// Workloads and pods seen in the namespace.
    pub observed: Vec<Observed>,
    /// Observed workloads that the enforce level rejects.
    pub failing_enforce: Vec<String>,
    pub notes: Vec<String>,
    /// The PSA labels the Namespace carries in the input, keyed by what follows
    /// `pod-security.kubernetes.io/` (empty when none).
    pub current: BTreeMap<String, String>,
}

/// The level `step` levels stricter than `level`, at most restricted.
pub fn stricter(level: Level, step: u8) -> Level {
    let i = Level::ALL.iter().position(|l| *l == level).unwrap_or(0) + usize::from(step);
    Level::ALL[i.min(Level::ALL.len() - 1)]
}

/// The audit and warn level: `step` levels stricter than enforce, and at least the intended
/// level, so the gap between what the PSPs meant and what is enforced shows from day one.
pub fn audit_level(enforce: Level, intended: Option<Level>, step: u8) -> Level {
    stricter(enforce, step).max(intended.unwrap_or(Level::Privileged))
}

/// The label value of the version: `v1.N` or `latest`.
pub fn version_label(opts: &PlanOptions) -> String {
    if opts.pin_version {
        opts.k8s_version.pinned()
    } else {
        "latest".into()
    }
}

/// Plans one namespace from its usable PSPs and the workloads observed in it.
pub fn plan_namespace(
    name: &str,
    usable: &BTreeSet<String>,
    levels: &BTreeMap<String, PspLevels>,
    observed: Vec<Observed>,
    opts: &PlanOptions,
) -> NamespacePlan {
    let known: Vec<(&String, &PspLevels)> = usable
        .iter()
        .filter_map(|p| levels.get(p).map(|l| (p, l)))
        .collect();
    let safe = known.iter().map(|(_, l)| l.compatible).min();
    let target = known.iter().map(|(_, l)| l.intended).min();
    let decided_by = known
        .iter()
        .filter(|(_, l)| Some(l.compatible) == safe)
        .map(|(p, _)| p.to_string())
        .collect();
    let mut notes = Vec::new();
    let mut enforce = match safe {
        Some(l) => l,
        None => {
            notes.push(
                "no PSP is usable here: pods could not be created under PSP; restricted is the closest PSA can come".into(),
            );
            Level::Restricted
        }
    };
    for o in observed.iter().filter(|o| o.set_aside.is_some()) {
        notes.push(format!(
            "{} {} counts against a level it fails, never for one it meets: {}",
            o.kind,
            o.name,
            o.set_aside.as_deref().unwrap_or_default()
        ));
    }
    match (safe, target, opts.enforce) {
        (Some(safe), Some(target), EnforceFrom::Intended) => {
            if target > safe {
                notes.push(format!(
                    "enforces the intended level {target} (--enforce intended), stricter than the compatible {safe}: pods that relied on what the PSPs allowed by omission are rejected"
                ));
            }
            enforce = target;
        }
        (Some(safe), Some(target), EnforceFrom::Compatible) => {
            enforce = raise_with_evidence(safe, target, &observed, &mut notes);
        }
        _ => {}
    }
    let failing_enforce = failing(&observed, enforce);
    let step = audit_level(enforce, target, opts.audit_step);
    NamespacePlan {
        name: name.to_string(),
        enforce,
        audit: step,
        warn: step,
        version: version_label(opts),
        psps: usable.iter().cloned().collect(),
        decided_by,
        safe_level: safe,
        target_level: target,
        observed,
        failing_enforce,
        notes,
        current: BTreeMap::new(),
    }
}

/// `Kind name` of every observed workload that `enforce` rejects.
pub fn failing(observed: &[Observed], enforce: Level) -> Vec<String> {
    observed
        .iter()
        .filter(|o| o.meets < enforce)
        .map(|o| format!("{} {}", o.kind, o.name))
        .collect()
}

/// Raises enforce from `safe` towards `target` as far as every observed workload allows. Only
/// workloads not set aside are evidence that a level is met; every workload, set aside or not,
/// must pass the level it is raised to.
fn raise_with_evidence(
    safe: Level,
    target: Level,
    observed: &[Observed],
    notes: &mut Vec<String>,
) -> Level {
    if target <= safe {
        return safe;
    }
    if observed.iter().all(|o| o.set_aside.is_some()) {
        notes.push(format!(
            "the PSPs intend {target} but allow by omission what {target} forbids; with no workloads given as evidence, enforce stays {safe}"
        ));
        return safe;
    }
    let weakest = observed.iter().map(|o| o.meets).min().unwrap_or(target);
    let raised = weakest.min(target).max(safe);
    if raised > safe {
        let n = observed.len();
        let all = if n == 1 {
            "the one workload in the input meets".to_string()
        } else {
            format!("all {n} workloads in the input meet")
        };
        notes.push(format!("raised from {safe} to {raised}: {all} {raised}"));
    }
    let mut level = raised;
    while level < target {
        level = stricter(level, 1);
        let blockers: Vec<String> = observed
            .iter()
            .filter(|o| o.meets < level)
            .map(|o| format!("{} {} (meets {})", o.kind, o.name, o.meets))
            .collect();
        notes.push(format!(
            "not raised to {level}, which these fail: {}",
            blockers.join(", ")
        ));
    }
    raised
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> PlanOptions {
        PlanOptions {
            k8s_version: Version::Minor(30),
            pin_version: true,
            audit_step: 1,
            allow_loosen: false,
            enforce: EnforceFrom::Compatible,
        }
    }

    fn levels(list: &[(&str, Level, Level)]) -> BTreeMap<String, PspLevels> {
        list.iter()
            .map(|(n, c, i)| {
                (
                    n.to_string(),
                    PspLevels {
                        compatible: *c,
                        intended: *i,
                    },
                )
            })
            .collect()
    }

    fn usable(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn seen(name: &str, meets: Level) -> Observed {
        Observed {
            set_aside: None,
            namespace: "ns".into(),
            kind: "Deployment".into(),
            name: name.into(),
            meets,
        }
    }

    #[test]
    fn the_least_restrictive_usable_psp_decides() {
        let l = levels(&[
            ("a", Level::Restricted, Level::Restricted),
            ("b", Level::Baseline, Level::Baseline),
        ]);
        let p = plan_namespace("ns", &usable(&["a", "b"]), &l, vec![], &opts());
        assert_eq!(
            (p.enforce, p.audit, p.warn),
            (Level::Baseline, Level::Restricted, Level::Restricted)
        );
        assert_eq!(p.decided_by, ["b"]);
        assert_eq!(p.version, "v1.30");
    }

    #[test]
    fn evidence_raises_enforce_up_to_the_target_only() {
        let l = levels(&[("a", Level::Privileged, Level::Baseline)]);
        let p = plan_namespace(
            "ns",
            &usable(&["a"]),
            &l,
            vec![seen("web", Level::Restricted)],
            &opts(),
        );
        assert_eq!(p.enforce, Level::Baseline, "never above the intended level");
        let p = plan_namespace(
            "ns",
            &usable(&["a"]),
            &l,
            vec![
                seen("web", Level::Restricted),
                seen("db", Level::Privileged),
            ],
            &opts(),
        );
        assert_eq!(p.enforce, Level::Privileged);
        assert!(
            p.notes.iter().any(|n| n.contains("Deployment db")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn a_set_aside_pod_still_blocks_a_level_it_fails() {
        let l = levels(&[("a", Level::Baseline, Level::Restricted)]);
        let mut mutated = seen("web-1", Level::Baseline);
        mutated.kind = "Pod".into();
        mutated.set_aside = Some("it was admitted by PSP a, which sets defaults".into());
        let p = plan_namespace(
            "ns",
            &usable(&["a"]),
            &l,
            vec![seen("web", Level::Restricted), mutated],
            &opts(),
        );
        assert_eq!(p.enforce, Level::Baseline, "{:?}", p.notes);
        assert!(p.failing_enforce.is_empty());
        assert!(
            p.notes
                .iter()
                .any(|n| n
                    == "not raised to restricted, which these fail: Pod web-1 (meets baseline)"),
            "{:?}",
            p.notes
        );
        assert!(
            !p.notes.iter().any(|n| n.contains("raised from")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn without_evidence_enforce_stays_safe() {
        let l = levels(&[("a", Level::Privileged, Level::Baseline)]);
        let p = plan_namespace("ns", &usable(&["a"]), &l, vec![], &opts());
        assert_eq!(p.enforce, Level::Privileged);
        assert_eq!(p.audit, Level::Baseline);
    }

    #[test]
    fn no_usable_psp_is_flagged() {
        let p = plan_namespace("ns", &usable(&[]), &levels(&[]), vec![], &opts());
        assert_eq!(p.enforce, Level::Restricted);
        assert!(p.notes[0].contains("no PSP is usable"));
    }

    #[test]
    fn audit_and_warn_are_at_least_the_intended_level() {
        let l = levels(&[("a", Level::Privileged, Level::Restricted)]);
        let p = plan_namespace("ns", &usable(&["a"]), &l, vec![], &opts());
        assert_eq!(p.enforce, Level::Privileged);
        assert_eq!((p.audit, p.warn), (Level::Restricted, Level::Restricted));
        let intended = PlanOptions {
            enforce: EnforceFrom::Intended,
            ..opts()
        };
        let p = plan_namespace(
            "ns",
            &usable(&["a"]),
            &l,
            vec![seen("web", Level::Privileged)],
            &intended,
        );
        assert_eq!(p.enforce, Level::Restricted);
        assert_eq!(p.failing_enforce, ["Deployment web"]);
        assert!(p.notes[0].contains("--enforce intended"), "{:?}", p.notes);
    }

    #[test]
    fn audit_step_is_capped_at_restricted() {
        assert_eq!(stricter(Level::Baseline, 2), Level::Restricted);
        assert_eq!(stricter(Level::Privileged, 0), Level::Privileged);
    }
}
