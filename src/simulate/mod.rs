//! A simulator of the PodSecurityPolicy admission plugin (Kubernetes 1.19-1.24 behaviour) for pod
//! CREATE: does this policy admit this pod, and what does it change?
//!
//! It is driven by the [intent](crate::intent), not by the PSP: the simulator is the reference
//! every generated policy is tested against, so it must see exactly what the targets see. If the
//! intent dropped or bent a PSP field, the conformance tests against real-cluster verdicts catch
//! it here, once, instead of in every target.
//!
//! Steps, as the plugin ran them: the API server's defaulting ([`apply_api_defaults`]), the
//! policy's mutations, then validation of the mutated pod. [`choose`] picks among several
//! policies the way the plugin did.

mod check;
pub use check::volumes::has_path_prefix;
mod defaults;
mod mutate;
mod pod;
pub(crate) mod rules;

use k8s_openapi::api::core::v1::{Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

pub use defaults::apply_api_defaults;
pub use mutate::{APPARMOR_CONTAINER, SECCOMP_CONTAINER, SECCOMP_POD};

use crate::intent::{intent_of, Intent};
use crate::psp::Psp;

/// Annotation the plugin wrote on an admitted pod: the name of the policy that admitted it.
pub const VALIDATED_BY: &str = "kubernetes.io/psp";

/// One change the policy made, at a pod path such as
/// `spec.containers[name=app].securityContext.runAsNonRoot`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mutation {
    pub path: String,
    pub value: serde_json::Value,
}

/// One reason for a denial: the pod field, what is wrong, and the PSP field that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub field: String,
    pub message: String,
    pub psp_field: String,
}

/// The verdict of one policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Admission {
    Admitted { mutations: Vec<Mutation> },
    Denied { failures: Vec<Failure> },
}

impl Admission {
    pub fn is_admitted(&self) -> bool {
        matches!(self, Admission::Admitted { .. })
    }

    /// Admitted with no change at all.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Admission::Admitted { mutations } if mutations.is_empty())
    }
}

/// A verdict and the pod it applies to: defaulted by the API server and, when admitted, mutated
/// by the policy (when denied, the defaulted pod before mutation).
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub admission: Admission,
    pub pod: Pod,
}

/// Does `psp` admit the pod on CREATE?
pub fn admit(psp: &Psp, spec: &PodSpec, meta: &ObjectMeta) -> Admission {
    evaluate(psp, spec, meta).admission
}

/// [`admit`], with the resulting pod.
pub fn evaluate(psp: &Psp, spec: &PodSpec, meta: &ObjectMeta) -> Evaluation {
    let pod = Pod {
        metadata: meta.clone(),
        spec: Some(spec.clone()),
        status: None,
    };
    evaluate_intent(&intent_of(psp), &pod)
}

/// The simulation proper, on an intent. A pod without a spec is read as an empty spec.
pub fn evaluate_intent(intent: &Intent, pod: &Pod) -> Evaluation {
    let mut pod = pod.clone();
    pod.spec.get_or_insert_with(Default::default);
    apply_api_defaults(&mut pod);
    let r = rules::Rules::of(intent);
    let unusable = r.unusable();
    if !unusable.is_empty() {
        let failures = unusable
            .into_iter()
            .map(|(psp_field, why)| Failure {
                field: String::new(),
                message: format!("the policy cannot be used: {why}"),
                psp_field,
            })
            .collect();
        return Evaluation {
            admission: Admission::Denied { failures },
            pod,
        };
    }
    let before = pod.clone();
    let mutations = mutate::mutate(&r, &mut pod);
    let failures = check::validate(&r, &pod);
    if failures.is_empty() {
        Evaluation {
            admission: Admission::Admitted { mutations },
            pod,
        }
    } else {
        Evaluation {
            admission: Admission::Denied { failures },
            pod: before,
        }
    }
}

/// The outcome over several policies available to the pod.
#[derive(Debug, Clone)]
pub enum Choice {
    /// `psp` admitted the pod; `pod` is the stored pod (mutated, annotated with [`VALIDATED_BY`]).
    Admitted {
        psp: String,
        mutations: Vec<Mutation>,
        pod: Box<Pod>,
    },
    /// No policy admitted it: every policy's failures, in name order (empty when no policy).
    Denied {
        failures: Vec<(String, Vec<Failure>)>,
    },
}

/// Picks as the plugin did: policies in name order; the first that admits without any change
/// wins at once; else the first that admits with changes; else denied with every failure.
pub fn choose(psps: &[&Psp], spec: &PodSpec, meta: &ObjectMeta) -> Choice {
    let mut sorted: Vec<&Psp> = psps.to_vec();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut first_mutating: Option<(String, Vec<Mutation>, Pod)> = None;
    let mut failures = Vec::new();
    for psp in sorted {
        let e = evaluate(psp, spec, meta);
        match e.admission {
            Admission::Admitted { mutations } if mutations.is_empty() => {
                return admitted(&psp.name, mutations, e.pod);
            }
            Admission::Admitted { mutations } => {
                first_mutating.get_or_insert((psp.name.clone(), mutations, e.pod));
            }
            Admission::Denied { failures: f } => failures.push((psp.name.clone(), f)),
        }
    }
    match first_mutating {
        Some((name, mutations, pod)) => admitted(&name, mutations, pod),
        None => Choice::Denied { failures },
    }
}

fn admitted(psp: &str, mutations: Vec<Mutation>, mut pod: Pod) -> Choice {
    pod.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(VALIDATED_BY.into(), psp.into());
    Choice::Admitted {
        psp: psp.into(),
        mutations,
        pod: Box::new(pod),
    }
}

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
