//! The PSP admission plugin replayed over the inputs: for every Pod and pod template, the PSPs
//! it could use (RBAC), the one the plugin would have chosen, what that PSP would have changed,
//! or why every candidate denied it; and, for pods that record the PSP that admitted them, a
//! cross-check with that record.

mod annotation;
mod candidates;
mod owner;
pub mod path;

use std::collections::BTreeMap;

use serde::Serialize;

pub use candidates::{has_rbac, GrantUse, Selection};
use candidates::{Candidates, Requester};

use crate::load::{Loaded, Object, ObjectKind, PodView};
use crate::psp::{FeatureGates, Psp};
use crate::scope::Identity;
use crate::simulate::{choose, Choice, Failure, Mutation};

/// How to pick the candidate PSPs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Try every PSP, whatever RBAC says.
    pub all_psps: bool,
    /// The requesting user, whose grants join the service account's.
    pub user: Option<Identity>,
}

/// One PSP's reason to deny.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Denial {
    pub psp: String,
    pub field: String,
    pub message: String,
    pub psp_field: String,
}

/// A field the recorded PSP mutates where the pod differs from its controller's template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    pub path: String,
    pub pod: serde_json::Value,
    pub template: serde_json::Value,
}

/// The verdict on one Pod or pod template.
#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    pub kind: &'static str,
    pub namespace: String,
    pub name: Option<String>,
    pub source: String,
    /// `namespace/name` of the service account the pod runs as.
    pub service_account: String,
    pub admitted: bool,
    pub psp: Option<String>,
    /// The PSPs tried, in the plugin's (name) order.
    pub candidates: Vec<String>,
    /// The RBAC grants that make each candidate usable (empty when RBAC is not consulted).
    pub grants: Vec<GrantUse>,
    pub mutations: Vec<Mutation>,
    pub denials: Vec<Denial>,
    /// Why the pod is denied, in one sentence; `None` when admitted.
    pub reason: Option<String>,
    /// The `kubernetes.io/psp` annotation the pod carries.
    pub annotation_psp: Option<String>,
    /// Whether the simulator chose the recorded PSP (`None` without a record).
    pub annotation_agrees: Option<bool>,
    /// Why the simulator's choice differs from the record.
    pub annotation_note: Option<String>,
    /// The controller the pod was made from (`Kind name`), when found in the input.
    pub controller: Option<String>,
    /// Fields the recorded PSP mutates where the pod differs from the template: the pod relied
    /// on PSP mutation, which Pod Security Admission does not do. `None` when not checked.
    pub depends_on_mutation: Option<Vec<Drift>>,
}

/// Every result, with how candidates were picked.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub selection: Selection,
    /// The API server feature gates the PSPs were read under (set by the caller that applied
    /// them; the 1.23/1.24 default otherwise).
    pub feature_gates: FeatureGates,
    pub results: Vec<SimResult>,
}

/// What every pod's simulation shares.
struct Context<'a> {
    loaded: &'a Loaded,
    psps: BTreeMap<String, &'a Psp>,
    candidates: Candidates<'a>,
}

/// Simulates every Pod and pod template of `loaded`, in input order.
pub fn simulate(loaded: &Loaded, opts: &Options) -> Report {
    let psps: BTreeMap<String, &Psp> = loaded.psps().map(|(_, p)| (p.name.clone(), p)).collect();
    let candidates = Candidates::new(loaded, opts, psps.keys().cloned().collect());
    let ctx = Context {
        loaded,
        psps,
        candidates,
    };
    let results = loaded
        .objects
        .iter()
        .filter_map(|o| Some(simulate_one(&ctx, o, o.pod_view()?)))
        .collect();
    Report {
        selection: ctx.candidates.selection(),
        feature_gates: FeatureGates::default(),
        results,
    }
}

fn simulate_one(ctx: &Context<'_>, obj: &Object, view: PodView<'_>) -> SimResult {
    let namespace = obj.namespace().unwrap_or_else(|| "default".into());
    let sa = view.service_account();
    let requester = Requester::new(&namespace, &sa);
    let names = ctx.candidates.usable(&requester);
    let tried: Vec<&Psp> = names
        .iter()
        .filter_map(|n| ctx.psps.get(n).copied())
        .collect();
    let mut r = SimResult::blank(obj, &view, &namespace, &sa);
    r.candidates = names.into_iter().collect();
    r.grants = ctx.candidates.grants(&requester);
    if tried.is_empty() {
        r.reason = Some(ctx.candidates.none_usable(&requester));
    } else {
        record_choice(&mut r, choose(&tried, view.spec, view.meta));
    }
    annotation::cross_check(ctx, obj, view, &mut r);
    r
}

impl SimResult {
    /// A denied result with nothing tried yet.
    fn blank(obj: &Object, view: &PodView<'_>, namespace: &str, sa: &str) -> SimResult {
        SimResult {
            kind: obj.kind.kind(),
            namespace: namespace.to_string(),
            name: view.owner.name.clone(),
            source: obj.source.to_string(),
            service_account: format!("{namespace}/{sa}"),
            admitted: false,
            psp: None,
            candidates: Vec::new(),
            grants: Vec::new(),
            mutations: Vec::new(),
            denials: Vec::new(),
            reason: None,
            annotation_psp: None,
            annotation_agrees: None,
            annotation_note: None,
            controller: None,
            depends_on_mutation: None,
        }
    }
}

fn record_choice(r: &mut SimResult, choice: Choice) {
    match choice {
        Choice::Admitted { psp, mutations, .. } => {
            r.admitted = true;
            r.psp = Some(psp);
            r.mutations = mutations;
        }
        Choice::Denied { failures } => {
            r.denials = failures
                .into_iter()
                .flat_map(|(psp, fs)| fs.into_iter().map(move |f| denial(&psp, f)))
                .collect();
            r.reason = Some(format!(
                "denied by every usable PSP ({})",
                r.candidates.join(", ")
            ));
        }
    }
}

fn denial(psp: &str, f: Failure) -> Denial {
    Denial {
        psp: psp.to_string(),
        field: f.field,
        message: f.message,
        psp_field: f.psp_field,
    }
}

/// The object's Pod, when it is one.
fn as_pod(obj: &Object) -> Option<&k8s_openapi::api::core::v1::Pod> {
    match &obj.kind {
        ObjectKind::Pod(p) => Some(p),
        _ => None,
    }
}
