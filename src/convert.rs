//! The conversion pipeline, below the commands and the reports: PSPs in, every target's
//! documents and fidelity rows out, all in memory. `commands/convert.rs` adds the flags, the
//! reports, writing or `--check`, and the exit code.

use std::collections::BTreeMap;

use crate::fidelity::TargetReport;
use crate::intent::{intent_of, Intent};
use crate::levels::{judge, PolicyLevels};
use crate::load::Loaded;
use crate::psp::FeatureGates;
use crate::pss::Version;
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
    /// True when the input holds no RBAC and every PSP was taken as usable by everyone.
    pub no_rbac: bool,
}

/// What a conversion of an input without RBAC assumes, said once on stderr and in the report.
pub const NO_RBAC: &str = "the input holds no RBAC (Role, ClusterRole, RoleBinding, ClusterRoleBinding), so every PSP is taken as usable by every service account and user in every namespace, as simulate and the Kyverno policy take it; add the RBAC that grants the PSPs to scope them";

/// Builds every target's output in memory.
pub fn convert(loaded: &Loaded, opts: &Options) -> Conversion {
    let version = opts.plan.k8s_version;
    let chosen: Vec<&'static dyn Target> = targets::ALL
        .iter()
        .copied()
        .filter(|t| opts.targets.is_empty() || opts.targets.iter().any(|n| n == t.name()))
        .collect();
    let mut intents: Vec<Intent> = loaded.psps().map(|(_, p)| intent_of(p)).collect();
    intents.sort_by(|a, b| a.psp.cmp(&b.psp));
    let policies: Vec<PolicyLevels> = intents.iter().map(|i| judge(i, version)).collect();
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
    let target_options = targets::Options {
        k8s_version: version,
        kyverno_actions: opts.kyverno_actions,
        kyverno_api: opts.kyverno_api,
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
    Conversion {
        version,
        feature_gates: opts.feature_gates,
        targets: chosen.iter().map(|t| t.name()).collect(),
        policies,
        plan,
        intents,
        fidelity,
        documents,
        psp_denied: psp_denied(loaded),
        no_rbac,
    }
}

/// The input's workloads that its own PSPs denied, under its RBAC, in the simulator's order.
fn psp_denied(loaded: &Loaded) -> Vec<SimResult> {
    replay::simulate(loaded, &replay::Options::default())
        .results
        .into_iter()
        .filter(|r| !r.admitted)
        .collect()
}
