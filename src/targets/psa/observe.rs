//! Evidence: the strictest Pod Security Standards level each observed pod and pod template
//! already meets.
//!
//! A running Pod that records (`kubernetes.io/psp`) a PSP that mutates pods, or a PSP the input
//! does not hold, may carry that PSP's defaults (runAsNonRoot, a seccomp profile, dropped
//! capabilities...), which Pod Security Admission will not add to the pods its controller makes
//! next: such a pod is set aside, and its controller's template (when in the input) counts.

use super::Observed;
use crate::intent::{intent_of, Effect};
use crate::load::{Loaded, ObjectKind};
use crate::pss::{evaluate, evaluate_template, Level, Version};
use crate::simulate::VALIDATED_BY;

/// Every pod and pod template of the input, with the strictest level it meets at `version`.
pub fn observe(loaded: &Loaded, version: Version) -> Vec<Observed> {
    loaded
        .objects
        .iter()
        .filter_map(|obj| {
            let pod = obj.pod_view()?;
            let meets = [Level::Restricted, Level::Baseline]
                .into_iter()
                .find(|l| match &obj.kind {
                    ObjectKind::Pod(_) => evaluate(pod.spec, pod.meta, *l, version).allowed(),
                    _ => evaluate_template(pod.spec, pod.meta, *l, version).allowed(),
                })
                .unwrap_or(Level::Privileged);
            let recorded = match &obj.kind {
                ObjectKind::Pod(p) => p
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(VALIDATED_BY)),
                _ => None,
            };
            let set_aside = recorded.and_then(|name| mutated_by_psp(loaded, name));
            Some(Observed {
                namespace: obj.namespace().unwrap_or_default(),
                kind: obj.kind.kind().to_string(),
                name: pod.owner.name.clone().unwrap_or_default(),
                meets,
                set_aside,
            })
        })
        .collect()
}

/// Why a pod admitted by PSP `name` may carry PSP's changes, or `None` when that PSP changes
/// nothing.
pub fn mutated_by_psp(loaded: &Loaded, name: &str) -> Option<String> {
    let Some((_, psp)) = loaded.psps().find(|(_, p)| p.name == name) else {
        return Some(format!("it was admitted by PSP {name}, which is not in the input, so it may carry that PSP's defaults"));
    };
    intent_of(psp)
        .constraints
        .iter()
        .any(|c| c.effect == Effect::Mutate)
        .then(|| {
            format!(
                "it was admitted by PSP {name}, which sets defaults on pods that PSA will not set"
            )
        })
}
