//! The conversion pipeline, below the commands and the reports: PSPs in, every target's
//! documents and fidelity rows out, all in memory. `commands/convert.rs` adds the flags, the
//! reports, writing or `--check`, and the exit code.

use std::collections::BTreeMap;

use crate::fidelity::TargetReport;
use crate::intent::{intent_of, Intent};
use crate::levels::{judge, PolicyLevels};
use crate::load::{Loaded, ObjectKind};
use crate::psp::FeatureGates;
use crate::pss::{evaluate, evaluate_template, Level, Version, Violation};
use crate::render::Document;
use crate::replay::{self, SimResult};
use crate::scope::Scopes;
use crate::targets::psa::{cluster_plan, observe, ClusterPlan, PlanOptions, PspLevels};
use crate::targets::{self, Input, Target};

/// What to convert for, and into what.
#[derive(Debug, Clone)]
pub struct Options {
    /// The targets to render, by name; empty means every target.
    pub targets: Vec<String>,
    /// The API server feature gates the PSPs were read under (the loader applied them).
    pub feature_gates: FeatureGates,
    /// Version and label settings of the namespace plan (its `k8s_version` is every target's).
    pub plan: PlanOptions,
    /// What the Kyverno policy does with a pod it rejects.
    pub kyverno_actions: crate::targets::kyverno::Actions,
    /// Which Kyverno API the policies are written for.
    pub kyverno_api: crate::targets::kyverno::Api,
    /// The ValidatingAdmissionPolicyBinding's `validationActions`.
    pub vap_actions: Vec<crate::targets::vap::Action>,
    /// Which Kubewarden objects are written.
    pub kubewarden_form: crate::targets::kubewarden::Form,
}

/// Everything one conversion produced, before it is written.
pub struct Conversion {
    pub version: Version,
    /// The API server feature gates the PSPs were read under.
    pub feature_gates: FeatureGates,
    /// The targets rendered, in [`targets::ALL`] order.
    pub targets: Vec<&'static str>,
    pub policies: Vec<PolicyLevels>,
    pub plan: ClusterPlan,
    /// The intent of every PSP, sorted by name.
    pub intents: Vec<Intent>,
    /// What each target keeps of each PSP, by PSP name, then target.
    pub fidelity: Vec<TargetReport>,
    /// Every target's documents (the reports are added by the caller), sorted by path.
    pub documents: Vec<Document>,
    /// Workloads the input's own PSPs denied under its RBAC (simulated as `simulate` does).
    pub psp_denied: Vec<SimResult>,
    /// Workloads the input's own PSPs admitted only by changing them (their defaults), or pods
    /// that differ from their template where the recorded PSP mutates: PSA sets none of it.
    pub psp_mutated: Vec<SimResult>,
    /// Workloads that keep their namespace below the level its PSPs intend, or fail its
    /// enforce level, with the controls they fail.
    pub blockers: Vec<Blocker>,
    /// True when the input holds no RBAC and every PSP was taken as usable by everyone.
    pub no_rbac: bool,
}

/// A workload that fails the level its namespace should reach: the stricter of the enforce
/// level and the PSPs' intended level.
#[derive(Debug, Clone)]
pub struct Blocker {
    pub namespace: String,
    pub kind: &'static str,
    pub name: String,
    /// `file:line:column` of the object.
    pub source: String,
    /// The strictest level it meets.
    pub meets: Level,
    /// The level it fails.
    pub fails: Level,
    /// The controls it fails at that level, worded as the API server words them.
    pub violations: Vec<Violation>,
}

/// What a conversion of an input without RBAC assumes, said once on stderr and in the report.
pub const NO_RBAC: &str = "the input holds no RBAC (Role, ClusterRole, RoleBinding, ClusterRoleBinding), so every PSP is taken as usable by every service account and user in every namespace, as simulate and the Kyverno policy take it; add the RBAC that grants the PSPs to scope them";

/// Builds every target's output in memory.
pub fn convert(loaded: &Loaded, opts: &Options) -> Conversion {
    let version = opts.plan.k8s_version;
    let (chosen, left_out) = chosen_targets(opts);
    let mut intents: Vec<Intent> = loaded.psps().map(|(_, p)| intent_of(p)).collect();
    intents.sort_by(|a, b| a.psp.cmp(&b.psp));
    let sources: BTreeMap<&str, String> = loaded
        .psps()
        .map(|(obj, p)| (p.name.as_str(), obj.source.to_string()))
        .collect();
    let policies: Vec<PolicyLevels> = intents
        .iter()
        .map(|i| PolicyLevels {
            source: sources.get(i.psp.as_str()).cloned(),
            ..judge(i, version)
        })
        .collect();
    let levels: BTreeMap<String, PspLevels> = policies
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                PspLevels {
                    compatible: p.compatible_level,
                    intended: p.intended_level,
                },
            )
        })
        .collect();
    let mut scopes = Scopes::from_loaded(loaded);
    let no_rbac = !replay::has_rbac(loaded);
    if no_rbac {
        scopes.grant_everything("no RBAC in the input: every PSP assumed usable by everyone");
    }
    let mut plan = cluster_plan(
        loaded,
        &scopes,
        &levels,
        &observe(loaded, version),
        &opts.plan,
    );
    if no_rbac {
        plan.notes.insert(0, NO_RBAC.into());
    }
    plan.notes.extend(left_out);
    let target_options = targets::Options {
        k8s_version: version,
        kyverno_actions: opts.kyverno_actions,
        kyverno_api: opts.kyverno_api,
        vap_actions: opts.vap_actions.clone(),
        kubewarden_form: opts.kubewarden_form,
    };
    let input = Input {
        intents: &intents,
        levels: &policies,
        scopes: &scopes,
        plan: &plan,
        loaded,
        options: &target_options,
    };
    let mut documents = Vec::new();
    let mut fidelity = Vec::new();
    for t in &chosen {
        let out = t.render(&input);
        documents.extend(out.documents);
        fidelity.extend(out.fidelity);
    }
    fidelity.sort_by(|a, b| (&a.psp, &a.target).cmp(&(&b.psp, &b.target)));
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    plan.notes.extend(oversized(&documents));
    let simulated = replay::simulate(loaded, &replay::Options::default()).results;
    let (psp_denied, admitted): (Vec<SimResult>, Vec<SimResult>) =
        simulated.into_iter().partition(|r| !r.admitted);
    let psp_mutated = admitted
        .into_iter()
        .filter(|r| {
            !r.mutations.is_empty()
                || r.depends_on_mutation
                    .as_ref()
                    .is_some_and(|d| !d.is_empty())
        })
        .collect();
    let blockers = blockers(loaded, &plan, version);
    Conversion {
        version,
        feature_gates: opts.feature_gates,
        targets: chosen.iter().map(|t| t.name()).collect(),
        policies,
        plan,
        intents,
        fidelity,
        documents,
        psp_denied,
        psp_mutated,
        blockers,
        no_rbac,
    }
}

/// The largest object the API server stores: etcd's default request limit (1.5 MiB).
pub const MAX_OBJECT_BYTES: usize = 1_572_864;

/// A note per emitted object larger than [`MAX_OBJECT_BYTES`], which the API server would refuse
/// (the Kyverno policies grow with the PSPs: about 18 KB of CEL per PSP in the mutating policy).
/// Only the YAML manifests count: the reports are not applied.
pub fn oversized(documents: &[Document]) -> Vec<String> {
    documents
        .iter()
        .filter(|d| d.path.ends_with(".yaml"))
        .flat_map(|d| {
            d.content
                .split("\n---\n")
                .filter(|object| object.len() > MAX_OBJECT_BYTES)
                .map(|object| {
                    format!(
                        "{} holds an object of {:.1} MiB, and the API server stores objects of at most 1.5 MiB (etcd's default request limit), so applying it fails; its PSPs cannot be split across several objects without AND-ing them, so leave this target out (--targets) or merge PSPs that say the same; the gatekeeper target's template does not grow with the PSPs",
                        d.path,
                        object.len() as f64 / 1_048_576.0
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The targets to render, in [`targets::ALL`] order, and a note per target left out of the
/// default set because the Kubernetes version lacks its API. A target named in `--targets`
/// that the version lacks is refused by the command before this runs; here it is left out
/// with the same note.
pub fn chosen_targets(opts: &Options) -> (Vec<&'static dyn Target>, Vec<String>) {
    let mut chosen = Vec::new();
    let mut notes = Vec::new();
    let version = opts.plan.k8s_version;
    for t in targets::ALL.iter().copied() {
        if !(opts.targets.is_empty() || opts.targets.iter().any(|n| n == t.name())) {
            continue;
        }
        match t.unsupported(version) {
            Some(why) => notes.push(format!("the {} target is left out: {why}", t.name())),
            None => chosen.push(t),
        }
    }
    (chosen, notes)
}

/// Every pod and pod template of a planned namespace that fails the level the namespace should
/// reach (the stricter of its enforce level and its PSPs' intended level), in input order.
fn blockers(loaded: &Loaded, plan: &ClusterPlan, version: Version) -> Vec<Blocker> {
    let goals: BTreeMap<&str, Level> = plan
        .namespaces
        .iter()
        .map(|n| {
            (
                n.name.as_str(),
                n.enforce.max(n.target_level.unwrap_or(n.enforce)),
            )
        })
        .filter(|(_, goal)| *goal > Level::Privileged)
        .collect();
    loaded
        .objects
        .iter()
        .filter_map(|obj| {
            let view = obj.pod_view()?;
            let namespace = obj.namespace().unwrap_or_default();
            let goal = *goals.get(namespace.as_str())?;
            let judge = |level| match &obj.kind {
                ObjectKind::Pod(_) => evaluate(view.spec, view.meta, level, version),
                _ => evaluate_template(view.spec, view.meta, level, version),
            };
            let at_goal = judge(goal);
            if at_goal.allowed() {
                return None;
            }
            let meets = match goal {
                Level::Restricted if judge(Level::Baseline).allowed() => Level::Baseline,
                _ => Level::Privileged,
            };
            Some(Blocker {
                namespace,
                kind: obj.kind.kind(),
                name: view.owner.name.clone().unwrap_or_default(),
                source: obj.source.to_string(),
                meets,
                fails: goal,
                violations: at_goal.violations,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(path: &str, content: String) -> Document {
        Document {
            path: path.into(),
            content,
        }
    }

    /// Only an object over the limit is named, even inside a multi-document file.
    #[test]
    fn objects_over_the_api_server_limit_are_noted() {
        let big = "x".repeat(MAX_OBJECT_BYTES + 1);
        let small = "kind: ConfigMap\n".to_string();
        let docs = [
            document("kyverno/mutating-policy.yaml", big.clone()),
            document("a/small.yaml", small.clone()),
            document("b/many.yaml", format!("{small}---\n{big}")),
            document("c/limit.yaml", "y".repeat(MAX_OBJECT_BYTES)),
            document("report.json", big.clone()),
        ];
        let notes = oversized(&docs);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("kyverno/mutating-policy.yaml holds an object of 1.5 MiB"));
        assert!(notes[1].starts_with("b/many.yaml "));
    }
}
