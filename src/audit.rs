//! The `audit` pipeline: every Pod and pod template in the input judged against one Pod Security
//! Standards level and version, as Pod Security Admission would. Pod controllers are judged by
//! their pod template (what `audit` and `warn` modes look at), and named by the controller.

use serde::Serialize;

use crate::load::{Loaded, ObjectKind};
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
        let Some(pod) = obj.pod_view() else {
            if let ObjectKind::Workload(w) = &obj.kind {
                eprintln!(
                    "{}: warning: {} has no pod template; not audited",
                    obj.source,
                    w.kind()
                );
            }
            continue;
        };
        let eval = match &obj.kind {
            ObjectKind::Pod(_) => evaluate(pod.spec, pod.meta, level, version),
            _ => evaluate_template(pod.spec, pod.meta, level, version),
        };
        results.push(AuditResult {
            kind: obj.kind.kind(),
            namespace: pod.owner.namespace.clone(),
            name: pod.owner.name.clone(),
            source: obj.source.to_string(),
            level,
            version: version.to_string(),
            allowed: eval.allowed(),
            violations: eval.violations,
        });
    }
    results
}
