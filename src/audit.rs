//! The `audit` pipeline: every Pod and pod template in the input judged against one Pod
//! Security Standards level and version, as Pod Security Admission would. Pod controllers are
//! judged by their pod template (what `audit` and `warn` modes look at), and named by the
//! controller.
//!
//! With a plan (`--plan`), the migration question for a whole cluster: per namespace, what its
//! proposed enforce level rejects, what audit and warn flag, which workloads relied on PSP
//! mutation, which hit controls no PSP had, what the engine targets of a convert output deny,
//! and the strictest level every workload there meets. Objects are judged one at a time as the
//! input is read ([`crate::load::stream_inputs`]); what is kept per workload is a few names.

pub mod judge;
pub mod namespaces;
pub mod plan;
pub mod progress;

use serde::Serialize;

use crate::load::{Loaded, Object, ObjectKind};
use crate::pss::{evaluate, evaluate_template, Level, Version, Violation};

/// The verdict on one object.
#[derive(Debug, Serialize)]
pub struct AuditResult {
    pub kind: &'static str,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub source: String,
    pub level: Level,
    pub version: String,
    pub allowed: bool,
    pub violations: Vec<Violation>,
}

/// Judges every Pod and pod template in `loaded`, in input order.
pub fn audit(loaded: &Loaded, level: Level, version: Version) -> Vec<AuditResult> {
    let mut results = Vec::new();
    for obj in &loaded.objects {
        match judge_level(obj, level, version) {
            Some(r) => results.push(r),
            None => warn_no_template(obj),
        }
    }
    results
}

/// A workload without a pod template is said so on stderr (it is not audited).
pub fn warn_no_template(obj: &Object) {
    if let ObjectKind::Workload(w) = &obj.kind {
        eprintln!(
            "{}: warning: {} has no pod template; not audited",
            obj.source,
            w.kind()
        );
    }
}

/// Judges one Pod or pod template against `level` at `version`; `None` for other objects.
pub fn judge_level(obj: &Object, level: Level, version: Version) -> Option<AuditResult> {
    let pod = obj.pod_view()?;
    let eval = match &obj.kind {
        ObjectKind::Pod(_) => evaluate(pod.spec, pod.meta, level, version),
        _ => evaluate_template(pod.spec, pod.meta, level, version),
    };
    Some(AuditResult {
        kind: obj.kind.kind(),
        namespace: pod.owner.namespace.clone(),
        name: pod.owner.name.clone(),
        source: obj.source.to_string(),
        level,
        version: version.to_string(),
        allowed: eval.allowed(),
        violations: eval.violations,
    })
}
