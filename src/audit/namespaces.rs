//! The per-namespace answers: workloads are tallied as they are judged (only those with
//! something to report are kept, as a few names), and read against the plan at the end.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::judge::{Judged, PspMutation};
use super::plan::Plan;
use crate::load::Loaded;
use crate::pss::Level;
use crate::targets::psa::{mutated_by_psp, Observed};

/// What one namespace's workloads add up to while the input is read.
#[derive(Debug, Default)]
struct Tallied {
    workloads: usize,
    /// How many meet privileged (only), baseline (only) and restricted.
    meets: [usize; 3],
    /// Workloads with something to report.
    kept: Vec<Judged>,
    /// Clean workloads: whether one records no PSP (or is no Pod), and the PSPs the others
    /// record (for the evidence `--plan auto` weighs).
    clean_unrecorded: bool,
    clean_recorded: BTreeSet<String>,
}

/// Every namespace's tally.
#[derive(Debug, Default)]
pub struct Tally {
    namespaces: BTreeMap<String, Tallied>,
}

impl Tally {
    /// Counts one workload, keeping it when it has something to report.
    pub fn add(&mut self, j: Judged) {
        let t = self.namespaces.entry(j.namespace.clone()).or_default();
        t.workloads += 1;
        t.meets[j.meets as usize] += 1;
        if !j.is_clean() {
            t.kept.push(j);
        } else if let Some(psp) = j.recorded_psp {
            t.clean_recorded.insert(psp);
        } else {
            t.clean_unrecorded = true;
        }
    }

    /// Workloads tallied.
    pub fn workloads(&self) -> usize {
        self.namespaces.values().map(|t| t.workloads).sum()
    }

    /// The namespaces with workloads.
    pub fn namespaces(&self) -> impl Iterator<Item = &String> {
        self.namespaces.keys()
    }

    /// The evidence `convert`'s plan weighs, with the same outcome: every workload below
    /// restricted, and one clean one per namespace that counts (a Pod whose recorded PSP set
    /// defaults does not count, as in `convert`).
    pub fn observed(&self, context: &Loaded) -> Vec<Observed> {
        let mut out = Vec::new();
        for (ns, t) in &self.namespaces {
            for j in &t.kept {
                out.push(Observed {
                    namespace: ns.clone(),
                    kind: j.kind.to_string(),
                    name: j.name.clone(),
                    meets: j.meets,
                    set_aside: j
                        .recorded_psp
                        .as_deref()
                        .and_then(|p| mutated_by_psp(context, p)),
                });
            }
            let counts = t.clean_unrecorded
                || t
                    .clean_recorded
                    .iter()
                    .any(|p| mutated_by_psp(context, p).is_none());
            if counts {
                out.push(Observed {
                    namespace: ns.clone(),
                    kind: "Pod".into(),
                    name: String::new(),
                    meets: Level::Restricted,
                    set_aside: None,
                });
            }
        }
        out
    }

    /// The answers for every namespace that has workloads or is in the plan, by name.
    pub fn finish(self, plan: &Plan) -> Vec<NamespaceReport> {
        let mut names: BTreeSet<String> = plan.namespaces.keys().cloned().collect();
        names.extend(self.namespaces.keys().cloned());
        let mut tallies = self.namespaces;
        names
            .into_iter()
            .map(|n| {
                let t = tallies.remove(&n).unwrap_or_default();
                report(n, t, plan)
            })
            .collect()
    }
}

/// One workload in an answer.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub kind: &'static str,
    pub name: String,
    pub source: String,
    /// The strictest level it meets.
    pub meets: Level,
    /// The modes that act on it (`enforce`; `audit`, `warn`).
    pub modes: Vec<&'static str>,
    /// The controls it fails at the level of the first of those modes.
    pub checks: Vec<&'static str>,
}

/// A workload PSP admitted only after changing it.
#[derive(Debug, Clone, Serialize)]
pub struct MutationFinding {
    pub kind: &'static str,
    pub name: String,
    pub source: String,
    #[serde(flatten)]
    pub mutation: PspMutation,
}

/// A workload that hits controls no PSP had.
#[derive(Debug, Clone, Serialize)]
pub struct NewControlFinding {
    pub kind: &'static str,
    pub name: String,
    pub source: String,
    pub controls: Vec<&'static str>,
}

/// A workload an engine target of the plan directory denies.
#[derive(Debug, Clone, Serialize)]
pub struct TargetFinding {
    pub target: &'static str,
    pub kind: &'static str,
    pub name: String,
    pub source: String,
    pub message: String,
}

/// How many workloads meet each level at best.
#[derive(Debug, Clone, Serialize)]
pub struct MeetCounts {
    pub restricted: usize,
    pub baseline: usize,
    pub privileged: usize,
}

/// The answer for one namespace.
#[derive(Debug, Clone, Serialize)]
pub struct NamespaceReport {
    pub name: String,
    /// Whether the plan labels it (otherwise the defaults apply).
    pub labelled: bool,
    pub enforce: Level,
    pub audit: Level,
    pub warn: Level,
    pub version: String,
    pub workloads: usize,
    pub meets: MeetCounts,
    /// The strictest level every workload here meets (`None` without workloads).
    pub all_meet: Option<Level>,
    /// Workloads whose pods the enforce level rejects.
    pub rejected: Vec<Finding>,
    /// Workloads enforce admits but audit or warn flag.
    pub flagged: Vec<Finding>,
    pub relied_on_psp_mutation: Vec<MutationFinding>,
    pub new_in_pss: Vec<NewControlFinding>,
    pub denied_by_targets: Vec<TargetFinding>,
}

fn report(name: String, t: Tallied, plan: &Plan) -> NamespaceReport {
    let labelled = plan.namespaces.contains_key(&name);
    let modes = plan.modes(&name).clone();
    let all_meet = (t.workloads > 0).then(|| {
        Level::ALL
            .into_iter()
            .find(|l| t.meets[*l as usize] > 0)
            .unwrap_or(Level::Restricted)
    });
    let mut r = NamespaceReport {
        name,
        labelled,
        enforce: modes.enforce,
        audit: modes.audit,
        warn: modes.warn,
        version: modes.version.clone(),
        workloads: t.workloads,
        meets: MeetCounts {
            restricted: t.meets[Level::Restricted as usize],
            baseline: t.meets[Level::Baseline as usize],
            privileged: t.meets[Level::Privileged as usize],
        },
        all_meet,
        rejected: Vec::new(),
        flagged: Vec::new(),
        relied_on_psp_mutation: Vec::new(),
        new_in_pss: Vec::new(),
        denied_by_targets: Vec::new(),
    };
    for j in t.kept {
        let finding = |modes: Vec<&'static str>, level: Level| Finding {
            kind: j.kind,
            name: j.name.clone(),
            source: j.source.clone(),
            meets: j.meets,
            modes,
            checks: j.fails_at(level).to_vec(),
        };
        if j.meets < r.enforce {
            r.rejected.push(finding(vec!["enforce"], r.enforce));
        } else {
            let by: Vec<(&'static str, Level)> = [("audit", r.audit), ("warn", r.warn)]
                .into_iter()
                .filter(|(_, l)| j.meets < *l)
                .collect();
            if let Some((_, level)) = by.first() {
                let level = *level;
                r.flagged
                    .push(finding(by.iter().map(|(m, _)| *m).collect(), level));
            }
        }
        if !j.new_in_pss.is_empty() {
            r.new_in_pss.push(NewControlFinding {
                kind: j.kind,
                name: j.name.clone(),
                source: j.source.clone(),
                controls: j.new_in_pss.clone(),
            });
        }
        for (target, message) in &j.denied_by {
            r.denied_by_targets.push(TargetFinding {
                target,
                kind: j.kind,
                name: j.name.clone(),
                source: j.source.clone(),
                message: message.clone(),
            });
        }
        if let Some(m) = j.mutation {
            r.relied_on_psp_mutation.push(MutationFinding {
                kind: j.kind,
                name: j.name,
                source: j.source,
                mutation: m,
            });
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::plan::Modes;
    use crate::pss::Version;

    fn judged(ns: &str, name: &str, meets: Level) -> Judged {
        Judged {
            kind: "Deployment",
            namespace: ns.into(),
            name: name.into(),
            source: format!("dump.yaml:{name}"),
            meets,
            baseline: if meets < Level::Baseline {
                vec!["privileged"]
            } else {
                vec![]
            },
            restricted: if meets < Level::Restricted {
                vec!["runAsNonRoot"]
            } else {
                vec![]
            },
            new_in_pss: vec![],
            recorded_psp: None,
            mutation: None,
            denied_by: vec![],
        }
    }

    fn plan(enforce: Level, audit: Level) -> Plan {
        let modes = Modes {
            enforce,
            audit,
            warn: audit,
            version: "v1.30".into(),
            parsed_version: Version::Minor(30),
        };
        Plan {
            source: "test".into(),
            defaults: modes.clone(),
            namespaces: [("shop".to_string(), modes)].into(),
        }
    }

    /// Below enforce is rejected (with the controls failed at enforce), between enforce and
    /// audit is flagged (with the controls failed at audit); the weakest workload sets the
    /// level all meet.
    #[test]
    fn enforce_rejects_and_audit_flags() {
        let mut t = Tally::default();
        t.add(judged("shop", "ok", Level::Restricted));
        t.add(judged("shop", "web", Level::Baseline));
        t.add(judged("shop", "agent", Level::Privileged));
        let r = &t.finish(&plan(Level::Baseline, Level::Restricted))[0];
        assert_eq!(r.workloads, 3);
        assert_eq!(r.all_meet, Some(Level::Privileged));
        assert_eq!(r.rejected.len(), 1);
        assert_eq!(r.rejected[0].name, "agent");
        assert_eq!(r.rejected[0].checks, ["privileged"]);
        assert_eq!(r.flagged.len(), 1);
        assert_eq!(r.flagged[0].name, "web");
        assert_eq!(r.flagged[0].modes, ["audit", "warn"]);
        assert_eq!(r.flagged[0].checks, ["runAsNonRoot"]);
    }

    /// A namespace with no workloads is still answered when the plan names it; one the plan
    /// does not name gets the defaults.
    #[test]
    fn plan_namespaces_and_defaults() {
        let mut t = Tally::default();
        t.add(judged("other", "x", Level::Baseline));
        let r = t.finish(&plan(Level::Privileged, Level::Baseline));
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].name.as_str(), r[0].labelled), ("other", false));
        assert_eq!((r[1].name.as_str(), r[1].workloads, r[1].all_meet), ("shop", 0, None));
    }
}
