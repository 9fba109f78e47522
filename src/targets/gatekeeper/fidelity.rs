//! What the Gatekeeper target keeps of each PSP. Every validating constraint is decided in Rego
//! as the plugin did, OR-ed with the other PSPs the pod may use: `exact`. Defaults are applied
//! by mutators, which apply wherever their match takes the pod: they cannot make the plugin's
//! choice among several PSPs usable in a namespace, nor tell the service accounts or users a
//! PSP is granted to from the others in that namespace. Where either happens for a PSP with
//! defaults, its default rows are `stricter` (a pod may get this PSP's defaults where the plugin
//! chose another PSP, and another PSP may then refuse it) and name the input's pods the mutators
//! change against the plugin's choice. An AppArmor default is an annotation named after each
//! container, which no mutator can name: it is applied as the pod's `appArmorProfile` field,
//! and is `mutation_dropped` only for a value no field expresses.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use super::mutators::{documents, scope, Scope};
use super::{apply, TARGET};
use crate::cel::Access;
use crate::fidelity::{effect_name, origin_name, Fidelity, FidelityRow, TargetReport};
use crate::intent::{Constraint, Control, Effect, Intent};
use crate::load::Loaded;
use crate::scope::Subject;
use crate::simulate::apply_api_defaults;

/// How many affected pods a reason names before it says how many more there are (a reason is
/// a table cell in REPORT.md).
const AFFECTED_SHOWN: usize = 3;

const CHECKED: &str =
    "checked in Rego as the plugin did, OR-ed with the other PSPs the pod may use";

/// Why the mutators of a PSP may not make the plugin's choice, where they apply.
#[derive(Debug, Clone)]
pub struct Ambiguity {
    pub psp: String,
    pub scope: Scope,
    pub reason: String,
}

/// The PSPs with defaults whose mutators cannot follow the plugin, and why.
pub fn ambiguities(intents: &[Intent], access: Access<'_>) -> Vec<Ambiguity> {
    let all: BTreeSet<String> = intents.iter().map(|i| i.psp.clone()).collect();
    let scopes: BTreeMap<&str, Scope> = intents
        .iter()
        .map(|i| (i.psp.as_str(), scope(&i.psp, access, &all)))
        .collect();
    let mut out = Vec::new();
    for intent in intents {
        if intent.with_effect(Effect::Mutate).next().is_none() {
            continue;
        }
        let mine = &scopes[intent.psp.as_str()];
        let mut reasons = Vec::new();
        let shared: Vec<&str> = scopes
            .iter()
            .filter(|(name, s)| **name != intent.psp && overlap(mine, s))
            .map(|(name, _)| *name)
            .collect();
        if !shared.is_empty() {
            reasons.push(format!(
                "pods where its mutators apply may also use {}, and Gatekeeper applies these defaults even where the plugin would have admitted the pod unchanged or chosen another PSP",
                shared.join(", ")
            ));
        }
        if let Access::Rbac(s) = access {
            let narrow: BTreeSet<String> = s
                .grants
                .iter()
                .filter(|g| g.psps.resolve(&all).contains(&intent.psp))
                .filter(|g| !whole_namespace(&g.subject, g.namespace.as_deref()))
                .map(|g| g.subject.to_string())
                .collect();
            if !narrow.is_empty() {
                reasons.push(format!(
                    "it is granted to {}, and a mutator cannot match a service account or user: every pod where its mutators apply gets these defaults",
                    narrow.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        if !reasons.is_empty() {
            out.push(Ambiguity {
                psp: intent.psp.clone(),
                scope: mine.clone(),
                reason: reasons.join("; "),
            });
        }
    }
    out
}

/// Whether a grant to `subject` covers every pod of the namespaces it applies in.
fn whole_namespace(subject: &Subject, namespace: Option<&str>) -> bool {
    match subject {
        Subject::Group(g) if g == "system:authenticated" || g == "system:serviceaccounts" => true,
        Subject::Group(g) => g
            .strip_prefix("system:serviceaccounts:")
            .is_some_and(|ns| namespace.is_none_or(|n| n == ns)),
        _ => false,
    }
}

fn overlap(a: &Scope, b: &Scope) -> bool {
    match (a, b) {
        (Scope::Namespaces(x), Scope::Namespaces(y)) => !x.is_disjoint(y),
        (Scope::Namespaces(x), Scope::Everywhere) | (Scope::Everywhere, Scope::Namespaces(x)) => {
            !x.is_empty()
        }
        (Scope::Everywhere, Scope::Everywhere) => true,
    }
}

/// The declared reason a pod in `namespace` may end differently under the mutators.
pub fn declared(ambiguities: &[Ambiguity], namespace: &str) -> Option<String> {
    let reasons: Vec<String> = ambiguities
        .iter()
        .filter(|a| a.scope.contains(namespace))
        .map(|a| format!("defaults of {}: {}", a.psp, a.reason))
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// One report per intent, in the order given.
pub fn reports(intents: &[Intent], access: Access<'_>, loaded: &Loaded) -> Vec<TargetReport> {
    let amb = ambiguities(intents, access);
    let affected = affected_pods(intents, access, loaded, &amb);
    intents
        .iter()
        .map(|intent| {
            let why = amb.iter().find(|a| a.psp == intent.psp).map(|a| {
                let pods = affected.get(intent.psp.as_str()).cloned().unwrap_or_default();
                let named = if pods.is_empty() {
                    "no pod of the input is affected".to_string()
                } else {
                    let shown: Vec<&str> = pods.iter().take(AFFECTED_SHOWN).map(String::as_str).collect();
                    let more = pods.len().saturating_sub(shown.len());
                    let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
                    format!("pods of the input affected: {}{tail}", shown.join(", "))
                };
                format!("{} ({named})", a.reason)
            });
            TargetReport {
                psp: intent.psp.clone(),
                target: TARGET.into(),
                compared_with: "the PSPs the pod may use (the RBAC of the input), OR-ed in one Constraint; defaults applied by Gatekeeper mutators in the namespaces where the PSP may be used".into(),
                rows: intent
                    .constraints
                    .iter()
                    .map(|c| row(intent, c, why.as_deref()))
                    .collect(),
                extra_rules: Vec::new(),
            }
        })
        .collect()
}

fn row(intent: &Intent, c: &Constraint, ambiguity: Option<&str>) -> FidelityRow {
    let rule = c.describe();
    let (verdict, reason, target_rule) = match (c.effect, &c.control, ambiguity) {
        (Effect::Validate, _, _) => (Fidelity::Exact, CHECKED.to_string(), Some(rule.clone())),
        (Effect::Mutate, Control::DefaultAppArmor { profile }, _)
            if super::mutators::apparmor_field(profile).is_none() =>
        (
            Fidelity::MutationDropped,
            "not applied: the AppArmor profile is an annotation named after each container, which a Gatekeeper mutator cannot name, and no appArmorProfile field stands for this value; a pod that relied on the default is refused until it sets the annotation".to_string(),
            None,
        ),
        (Effect::Mutate, Control::DefaultAppArmor { .. }, None) => (
            Fidelity::Exact,
            "applied as the pod's appArmorProfile field (Kubernetes 1.30+) where it is unset, which the Rego reads for a container without an AppArmor annotation (the PSP wrote the annotation of each container)".to_string(),
            Some(rule.clone()),
        ),
        (Effect::Mutate, _, Some(why)) => (
            Fidelity::Stricter,
            format!("applied by a Gatekeeper mutator where the pod leaves it unset, but {why}"),
            Some(rule.clone()),
        ),
        (Effect::Mutate, Control::DefaultSeccomp { .. }, None) => (
            Fidelity::Exact,
            "applied by an AssignMetadata where the pod has no seccomp annotation (the plugin copied a profile field into it first: a pod that sets the field and relies on it for the pod-level check is judged by the default instead)".to_string(),
            Some(rule.clone()),
        ),
        (Effect::Mutate, _, None) => (
            Fidelity::Exact,
            "applied by a Gatekeeper mutator where the pod leaves it unset, in the namespaces where the PSP may be used (IDs, runAsNonRoot and SELinux on the pod's security context, which containers without their own value take)".to_string(),
            Some(rule.clone()),
        ),
    };
    FidelityRow {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        field: c.field.clone(),
        effect: effect_name(c.effect),
        origin: origin_name(c.origin),
        verdict,
        reason,
        psp_rule: rule,
        target_rule,
    }
}

/// Per ambiguous PSP, the input's pods (`namespace/kind/name`) its mutators change although the
/// plugin did not admit them through that PSP's defaults.
fn affected_pods(
    intents: &[Intent],
    access: Access<'_>,
    loaded: &Loaded,
    amb: &[Ambiguity],
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if amb.is_empty() {
        return out;
    }
    let docs = documents(intents, access);
    let sim = crate::replay::simulate(loaded, &crate::replay::Options::default());
    let views = loaded.objects.iter().filter_map(|o| o.pod_view());
    for (view, r) in views.zip(&sim.results) {
        for a in amb.iter().filter(|a| a.scope.contains(&r.namespace)) {
            if r.psp.as_deref() == Some(a.psp.as_str()) && !r.mutations.is_empty() {
                continue;
            }
            let mut pod = Pod {
                metadata: view.meta.clone(),
                spec: Some(view.spec.clone()),
                status: None,
            };
            apply_api_defaults(&mut pod);
            let Ok(mut object) = serde_json::to_value(&pod) else {
                continue;
            };
            let own: Vec<Value> = docs
                .iter()
                .filter(|d| {
                    d["metadata"]["annotations"]["podsec-migrate/source-psp"] == a.psp.as_str()
                })
                .cloned()
                .collect();
            if apply::apply(&own, &mut object, &r.namespace, "CREATE").unwrap_or(0) > 0 {
                out.entry(a.psp.clone()).or_default().push(format!(
                    "{}/{}/{}",
                    r.namespace,
                    r.kind,
                    r.name.as_deref().unwrap_or("unnamed")
                ));
            }
        }
    }
    out
}
