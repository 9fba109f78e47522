//! The per-namespace answers: workloads are tallied as they are judged (only those with
//! something to report are kept, as a few names), and read against the plan at the end.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::judge::{Judged, PspMutation};
use super::plan::Plan;
use crate::load::Loaded;
use crate::pss::Level;
use crate::targets::psa::{mutated_by_psp, Observed};

/// A kept workload, compactly: its name and source in one allocation, everything else an
/// index into the tally's tables of distinct values (a cluster has few distinct lists of
/// failed controls or PSP changes, and many workloads sharing them).
#[derive(Debug)]
struct Kept {
    /// The order it was read in.
    seq: usize,
    kind: &'static str,
    name: Box<str>,
    /// Where it was read: the file (an index into the tally's files), line and column.
    file: u32,
    line: u32,
    column: u32,
    meets: Level,
    baseline: u32,
    restricted: u32,
    new_in_pss: u32,
    recorded_psp: Option<u32>,
    mutation: Option<u32>,
    denied_by: Box<[(&'static str, Box<str>)]>,
}

impl Kept {
    fn name(&self) -> &str {
        &self.name
    }

    /// `file:line:column`, as the loader's source reads.
    fn source(&self, files: &Interned<String>) -> String {
        format!("{}:{}:{}", files.get(self.file), self.line, self.column)
    }
}

/// A line or column as kept (a file of over 4 billion lines reads as the last one).
fn saturated(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Distinct values, each stored once and named by its index.
#[derive(Debug)]
struct Interned<T> {
    values: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T> Default for Interned<T> {
    fn default() -> Self {
        Interned {
            values: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T: Clone + Eq + std::hash::Hash> Interned<T> {
    fn id(&mut self, v: T) -> u32 {
        if let Some(i) = self.index.get(&v) {
            return *i;
        }
        let i = u32::try_from(self.values.len()).expect("fewer than 2^32 distinct values");
        self.values.push(v.clone());
        self.index.insert(v, i);
        i
    }

    fn get(&self, i: u32) -> &T {
        &self.values[i as usize]
    }
}

/// What one namespace's workloads add up to while the input is read.
#[derive(Debug, Default)]
struct Tallied {
    workloads: usize,
    /// How many meet privileged (only), baseline (only) and restricted.
    meets: [usize; 3],
    /// Workloads with something to report.
    kept: Vec<Kept>,
    /// Clean workloads: whether one records no PSP (or is no Pod), and the PSPs the others
    /// record (for the evidence `--plan auto` weighs).
    clean_unrecorded: bool,
    clean_recorded: BTreeSet<String>,
}

/// Every namespace's tally.
#[derive(Debug, Default)]
pub struct Tally {
    namespaces: BTreeMap<String, Tallied>,
    checks: Interned<Vec<&'static str>>,
    psps: Interned<String>,
    mutations: Interned<PspMutation>,
    files: Interned<String>,
}

impl Tally {
    /// Counts one workload, keeping it when it has something to report.
    pub fn add(&mut self, seq: usize, j: Judged) {
        if !self.namespaces.contains_key(&j.namespace) {
            self.namespaces
                .insert(j.namespace.clone(), Tallied::default());
        }
        let clean = j.is_clean();
        let kept = (!clean).then(|| Kept {
            seq,
            kind: j.kind,
            name: j.name.into(),
            file: self.files.id(j.source.file),
            line: saturated(j.source.line),
            column: saturated(j.source.column),
            meets: j.meets,
            baseline: self.checks.id(j.baseline),
            restricted: self.checks.id(j.restricted),
            new_in_pss: self.checks.id(j.new_in_pss),
            recorded_psp: j.recorded_psp.clone().map(|p| self.psps.id(p)),
            mutation: j.mutation.map(|m| self.mutations.id(m)),
            denied_by: j
                .denied_by
                .into_iter()
                .map(|(t, m)| (t, m.into()))
                .collect(),
        });
        let t = self
            .namespaces
            .get_mut(&j.namespace)
            .expect("inserted above");
        t.workloads += 1;
        t.meets[j.meets as usize] += 1;
        match (kept, j.recorded_psp) {
            (Some(k), _) => t.kept.push(k),
            (None, Some(psp)) => {
                t.clean_recorded.insert(psp);
            }
            (None, None) => t.clean_unrecorded = true,
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

    /// The evidence `convert`'s plan weighs, reduced to what decides the levels: per
    /// namespace, one workload for each level met by a workload that counts (a Pod whose
    /// recorded PSP set defaults does not count, as in `convert`). The plan raises enforce
    /// from the weakest of them; the workloads themselves are in the answers.
    pub fn observed(&self, context: &Loaded) -> Vec<Observed> {
        let mut mutating: HashMap<String, bool> = HashMap::new();
        let mut counts = |psp: Option<&str>| match psp {
            None => true,
            Some(p) => !*mutating
                .entry(p.to_string())
                .or_insert_with(|| mutated_by_psp(context, p).is_some()),
        };
        let mut out = Vec::new();
        for (ns, t) in &self.namespaces {
            let mut seen = [false; 3];
            seen[Level::Restricted as usize] =
                t.clean_unrecorded || t.clean_recorded.iter().any(|p| counts(Some(p.as_str())));
            for k in &t.kept {
                if counts(k.recorded_psp.map(|p| self.psps.get(p).as_str())) {
                    seen[k.meets as usize] = true;
                }
            }
            for level in Level::ALL.into_iter().filter(|l| seen[*l as usize]) {
                out.push(Observed {
                    namespace: ns.clone(),
                    kind: "Pod".into(),
                    name: format!("a workload meeting {level}"),
                    meets: level,
                    set_aside: None,
                });
            }
        }
        out
    }

    /// The answers for every namespace that has workloads or is in the plan, by name, made
    /// one namespace at a time (a caller that writes each before taking the next holds one).
    pub fn reports(self, plan: &Plan) -> impl Iterator<Item = NamespaceReport> + '_ {
        let mut names: BTreeSet<String> = plan.namespaces.keys().cloned().collect();
        names.extend(self.namespaces.keys().cloned());
        let Tally {
            namespaces: mut tallies,
            checks,
            mutations,
            files,
            ..
        } = self;
        names.into_iter().map(move |n| {
            let mut t = tallies.remove(&n).unwrap_or_default();
            t.kept.sort_by_key(|k| k.seq);
            report(n, t, plan, &checks, &mutations, &files)
        })
    }

    /// Every answer at once (for tests and small inputs).
    pub fn finish(self, plan: &Plan) -> Vec<NamespaceReport> {
        self.reports(plan).collect()
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

/// How many workloads each answer holds (its list may be shortened for display).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub rejected: usize,
    pub flagged: usize,
    pub relied_on_psp_mutation: usize,
    pub new_in_pss: usize,
    pub denied_by_targets: usize,
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
    pub counts: Counts,
    /// Workloads whose pods the enforce level rejects.
    pub rejected: Vec<Finding>,
    /// Workloads enforce admits but audit or warn flag.
    pub flagged: Vec<Finding>,
    pub relied_on_psp_mutation: Vec<MutationFinding>,
    pub new_in_pss: Vec<NewControlFinding>,
    pub denied_by_targets: Vec<TargetFinding>,
}

fn report(
    name: String,
    t: Tallied,
    plan: &Plan,
    checks: &Interned<Vec<&'static str>>,
    mutations: &Interned<PspMutation>,
    files: &Interned<String>,
) -> NamespaceReport {
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
        counts: Counts::default(),
        rejected: Vec::new(),
        flagged: Vec::new(),
        relied_on_psp_mutation: Vec::new(),
        new_in_pss: Vec::new(),
        denied_by_targets: Vec::new(),
    };
    for k in &t.kept {
        let fails_at = |level: Level| match level {
            Level::Privileged => Vec::new(),
            Level::Baseline => checks.get(k.baseline).clone(),
            Level::Restricted => checks.get(k.restricted).clone(),
        };
        let finding = |modes: Vec<&'static str>, level: Level| Finding {
            kind: k.kind,
            name: k.name().to_string(),
            source: k.source(files),
            meets: k.meets,
            modes,
            checks: fails_at(level),
        };
        if k.meets < r.enforce {
            r.rejected.push(finding(vec!["enforce"], r.enforce));
        } else {
            let by: Vec<(&'static str, Level)> = [("audit", r.audit), ("warn", r.warn)]
                .into_iter()
                .filter(|(_, l)| k.meets < *l)
                .collect();
            if let Some((_, level)) = by.first() {
                let level = *level;
                r.flagged
                    .push(finding(by.iter().map(|(m, _)| *m).collect(), level));
            }
        }
        let new = checks.get(k.new_in_pss);
        if !new.is_empty() {
            r.new_in_pss.push(NewControlFinding {
                kind: k.kind,
                name: k.name().to_string(),
                source: k.source(files),
                controls: new.clone(),
            });
        }
        for (target, message) in &k.denied_by {
            r.denied_by_targets.push(TargetFinding {
                target,
                kind: k.kind,
                name: k.name().to_string(),
                source: k.source(files),
                message: message.to_string(),
            });
        }
        if let Some(m) = k.mutation {
            r.relied_on_psp_mutation.push(MutationFinding {
                kind: k.kind,
                name: k.name().to_string(),
                source: k.source(files),
                mutation: mutations.get(m).clone(),
            });
        }
    }
    r.counts = Counts {
        rejected: r.rejected.len(),
        flagged: r.flagged.len(),
        relied_on_psp_mutation: r.relied_on_psp_mutation.len(),
        new_in_pss: r.new_in_pss.len(),
        denied_by_targets: r.denied_by_targets.len(),
    };
    r
}

impl NamespaceReport {
    /// The same answer with at most `n` workloads listed per answer (`counts` keep the totals).
    pub fn shortened(mut self, n: usize) -> NamespaceReport {
        self.rejected.truncate(n);
        self.flagged.truncate(n);
        self.relied_on_psp_mutation.truncate(n);
        self.new_in_pss.truncate(n);
        self.denied_by_targets.truncate(n);
        self
    }

    /// True when nothing here is rejected or denied.
    pub fn passes(&self) -> bool {
        self.counts.rejected == 0 && self.counts.denied_by_targets == 0
    }
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
            source: crate::load::Source {
                file: "dump.yaml".into(),
                document: 1,
                item: None,
                line: name.len(),
                column: 1,
            },
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
        t.add(1, judged("shop", "ok", Level::Restricted));
        t.add(2, judged("shop", "web", Level::Baseline));
        t.add(3, judged("shop", "agent", Level::Privileged));
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
        t.add(1, judged("other", "x", Level::Baseline));
        let r = t.finish(&plan(Level::Privileged, Level::Baseline));
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].name.as_str(), r[0].labelled), ("other", false));
        assert_eq!(
            (r[1].name.as_str(), r[1].workloads, r[1].all_meet),
            ("shop", 0, None)
        );
    }
}
