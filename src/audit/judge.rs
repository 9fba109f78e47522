//! One workload judged for the migration, as it is read: the strictest Pod Security Standards
//! level it meets (and the controls it fails below that), the controls new in PSS it hits, what
//! PSP changed in it (the PSP admission plugin replayed with the RBAC read so far), and the
//! verdict of every engine target found in the plan directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;

use crate::cel::eval::mutation;
use crate::cel::eval::{Engine, Request};
use crate::load::Source;
use crate::load::{Loaded, Object, ObjectKind, PodView};
use crate::psp::Psp;
use crate::pss::{evaluate, evaluate_template, Evaluation, Level, Version};
use crate::scope::{Identity, Scopes};
use crate::simulate::{apply_api_defaults, choose, Choice, VALIDATED_BY};
use crate::verify::kyverno;

/// What is kept of one workload.
#[derive(Debug, Clone)]
pub struct Judged {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub source: Source,
    /// The strictest level the workload meets.
    pub meets: Level,
    /// The controls it fails at baseline and at restricted (upstream check ids).
    pub baseline: Vec<&'static str>,
    pub restricted: Vec<&'static str>,
    /// Controls no PSP had that it fails.
    pub new_in_pss: Vec<&'static str>,
    /// The `kubernetes.io/psp` annotation of a Pod.
    pub recorded_psp: Option<String>,
    pub mutation: Option<PspMutation>,
    /// Engine targets that deny it, with their messages.
    pub denied_by: Vec<(&'static str, String)>,
}

impl Judged {
    /// True when nothing about it needs reporting beyond the counts.
    pub fn is_clean(&self) -> bool {
        self.meets == Level::Restricted
            && self.new_in_pss.is_empty()
            && self.mutation.is_none()
            && self.denied_by.is_empty()
    }
}

/// The PSP that admitted a workload only after changing it, and where.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PspMutation {
    pub psp: String,
    pub paths: Vec<String>,
}

/// The PSS part of the judgement: the level met, and the controls failed at baseline and
/// restricted.
pub fn pss(
    obj: &Object,
    view: PodView<'_>,
    version: Version,
) -> (Level, Vec<&'static str>, Vec<&'static str>) {
    let eval = |level| -> Evaluation {
        match &obj.kind {
            ObjectKind::Pod(_) => evaluate(view.spec, view.meta, level, version),
            _ => evaluate_template(view.spec, view.meta, level, version),
        }
    };
    let ids = |e: Evaluation| e.violations.iter().map(|v| v.check).collect::<Vec<_>>();
    let restricted = ids(eval(Level::Restricted));
    if restricted.is_empty() {
        return (Level::Restricted, Vec::new(), restricted);
    }
    let baseline = ids(eval(Level::Baseline));
    let meets = if baseline.is_empty() {
        Level::Baseline
    } else {
        Level::Privileged
    };
    (meets, baseline, restricted)
}

/// The controls new in PSS (no PSP had them) at `version`.
pub fn new_controls(version: Version) -> Vec<&'static str> {
    crate::levels::new_in_pss_controls(version)
        .into_iter()
        .map(|c| c.control)
        .collect()
}

/// Judges one workload; `None` for objects that are not pods or pod templates.
pub fn judge(
    obj: &Object,
    version: Version,
    new: &[&'static str],
    sim: Option<&Simulator>,
    engines: &[TargetEngine],
) -> Result<Option<Judged>, String> {
    let Some(view) = obj.pod_view() else {
        return Ok(None);
    };
    let (meets, baseline, restricted) = pss(obj, view, version);
    let new_in_pss = restricted
        .iter()
        .chain(&baseline)
        .copied()
        .filter(|c| new.contains(c))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let namespace = obj.namespace().unwrap_or_else(|| "default".into());
    let mut denied_by = Vec::new();
    for e in engines {
        if let Some(message) = e.denies(&namespace, view)? {
            denied_by.push((e.target, message));
        }
    }
    let recorded_psp = match &obj.kind {
        ObjectKind::Pod(p) => p
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(VALIDATED_BY))
            .cloned(),
        _ => None,
    };
    Ok(Some(Judged {
        kind: obj.kind.kind(),
        name: view.owner.name.clone().unwrap_or_default(),
        source: obj.source.clone(),
        meets,
        baseline,
        restricted,
        new_in_pss,
        recorded_psp,
        mutation: sim.and_then(|s| s.mutation(&namespace, view)),
        denied_by,
        namespace,
    }))
}

/// The PSP admission plugin, prepared once for many workloads from the PSPs and RBAC read so
/// far: candidates from RBAC (every PSP when there is no RBAC), the plugin's choice.
pub struct Simulator {
    psps: BTreeMap<String, Psp>,
    all: BTreeSet<String>,
    /// `None` when every PSP is a candidate.
    scopes: Option<Scopes>,
}

impl Simulator {
    /// The simulator for the PSPs and RBAC of `context`; `None` without PSPs.
    pub fn new(context: &Loaded) -> Option<Simulator> {
        let psps: BTreeMap<String, Psp> = context
            .psps()
            .map(|(_, p)| (p.name.clone(), p.clone()))
            .collect();
        if psps.is_empty() {
            return None;
        }
        let scopes = crate::replay::has_rbac(context).then(|| Scopes::from_loaded(context));
        Some(Simulator {
            all: psps.keys().cloned().collect(),
            psps,
            scopes,
        })
    }

    /// The PSP that would have admitted the workload only by changing it, and the changes;
    /// `None` when it is admitted unchanged or denied.
    pub fn mutation(&self, namespace: &str, view: PodView<'_>) -> Option<PspMutation> {
        let names = match &self.scopes {
            Some(s) => {
                let sa = Identity::service_account(namespace, &view.service_account());
                s.usable(&sa, namespace, &self.all)
            }
            None => self.all.clone(),
        };
        let tried: Vec<&Psp> = names.iter().filter_map(|n| self.psps.get(n)).collect();
        if tried.is_empty() {
            return None;
        }
        match choose(&tried, view.spec, view.meta) {
            Choice::Admitted { psp, mutations, .. } if !mutations.is_empty() => Some(PspMutation {
                psp,
                paths: mutations.into_iter().map(|m| m.path).collect(),
            }),
            _ => None,
        }
    }
}

/// An engine target of a convert output directory, run as `verify` runs it.
pub struct TargetEngine {
    pub target: &'static str,
    pub file: String,
    mutator: Option<Engine>,
    validator: Engine,
}

/// The requesting user of every judged pod: one with no grants of its own, as `verify` uses.
const REQUESTER: &str = "podsec-migrate:audit";

impl TargetEngine {
    /// The policy's message when it denies the pod (or the template, judged as a pod).
    pub fn denies(&self, namespace: &str, view: PodView<'_>) -> Result<Option<String>, String> {
        let mut pod = Pod {
            metadata: view.meta.clone(),
            spec: Some(view.spec.clone()),
            status: None,
        };
        apply_api_defaults(&mut pod);
        let mut object = serde_json::to_value(&pod).map_err(|e| e.to_string())?;
        let request = Request {
            namespace: namespace.to_string(),
            username: REQUESTER.into(),
            groups: Vec::new(),
            operation: "CREATE".into(),
        };
        if let Some(m) = &self.mutator {
            mutation::apply(m, &mut object, &request)
                .map_err(|e| format!("{}: mutation: {e}", self.file))?;
        }
        let out = self
            .validator
            .evaluate(&object, &request)
            .map_err(|e| format!("{}: {e}", self.file))?;
        Ok((!out.admitted).then(|| out.message.unwrap_or_default()))
    }
}

/// The engine targets found in `dir` (today Kyverno's ValidatingPolicy, with its
/// MutatingPolicy when there is one).
pub fn engines(dir: &Path) -> Result<Vec<TargetEngine>, String> {
    let validating = dir.join("kyverno").join("validating-policy.yaml");
    let mutating = dir.join("kyverno").join("mutating-policy.yaml");
    if !validating.is_file() {
        return Ok(Vec::new());
    }
    let mutator = if mutating.is_file() {
        Some(kyverno::mutating_engine(&mutating)?)
    } else {
        None
    };
    Ok(vec![TargetEngine {
        target: "kyverno",
        file: validating.display().to_string(),
        mutator,
        validator: kyverno::engine(&validating)?,
    }])
}
