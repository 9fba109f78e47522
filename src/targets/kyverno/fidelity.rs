//! What the Kyverno target keeps of each PSP. Every validating constraint is decided in CEL as
//! the plugin did, OR-ed with the other PSPs the pod may use, and every default is applied by
//! the MutatingPolicy after the same choice of PSP the plugin made, so every row is `exact`.
//! The differential tests (`tests/cel_vs_simulator.rs`) and `verify` hold the target to it.
//!
//! The ClusterPolicy form (`--kyverno-api clusterpolicy`) decides with the same CEL but applies
//! no defaults: a ClusterPolicy mutate rule chooses by JMESPath preconditions, which cannot
//! make the plugin's choice among the PSPs the pod may use. Every default is then
//! `mutation_dropped`, and the validating constraint a pod without the value fails is
//! `stricter`: the CEL checks the pod as submitted and after the PSP's defaults, so a pod that
//! relied on the default is refused until it sets the value.
//!
//! Neither form uses `validate.podSecurity` or match `subjects`: one podSecurity subrule is
//! one PSS level with exclusions for every pod, and subjects select who submits, so neither
//! can say "admitted when some PSP this pod may use admits it"; the one CEL rule does.

use crate::fidelity::{effect_name, origin_name, Fidelity, FidelityRow, TargetReport};
use crate::intent::{Constraint, Control, Effect, Intent};

use super::TARGET;

/// One report per intent, in the order given.
pub fn reports(intents: &[Intent]) -> Vec<TargetReport> {
    intents.iter().map(report).collect()
}

fn report(intent: &Intent) -> TargetReport {
    TargetReport {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        compared_with: "the PSPs the pod may use (the RBAC of the input), OR-ed in one ValidatingPolicy; the chosen PSP's defaults applied by one MutatingPolicy".into(),
        rows: intent.constraints.iter().map(|c| row(intent, c)).collect(),
        extra_rules: Vec::new(),
    }
}

fn row(intent: &Intent, c: &Constraint) -> FidelityRow {
    let rule = c.describe();
    let reason = match c.effect {
        Effect::Mutate => "applied by the MutatingPolicy where the pod leaves it unset, after the plugin's choice of PSP (to a controller's pod template too, so the template passes the ValidatingPolicy)",
        Effect::Validate => "checked in CEL as the plugin did, OR-ed with the other PSPs the pod may use",
    };
    FidelityRow {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        field: c.field.clone(),
        effect: effect_name(c.effect),
        origin: origin_name(c.origin),
        verdict: Fidelity::Exact,
        reason: reason.into(),
        psp_rule: rule.clone(),
        target_rule: Some(rule),
    }
}

/// One report per intent for the ClusterPolicy form, in the order given.
pub fn cluster_policy_reports(intents: &[Intent]) -> Vec<TargetReport> {
    intents.iter().map(cluster_policy_report).collect()
}

fn cluster_policy_report(intent: &Intent) -> TargetReport {
    let defaulted: Vec<&'static str> = intent
        .with_effect(Effect::Mutate)
        .filter_map(|c| refused_when_unset(&c.control, intent))
        .collect();
    TargetReport {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        compared_with: "the PSPs the pod may use (the RBAC of the input), OR-ed in the one validate.cel rule of a ClusterPolicy (--kyverno-api clusterpolicy); no PSP defaults applied".into(),
        rows: intent
            .constraints
            .iter()
            .map(|c| cluster_policy_row(intent, c, &defaulted))
            .collect(),
        extra_rules: Vec::new(),
    }
}

fn cluster_policy_row(intent: &Intent, c: &Constraint, defaulted: &[&str]) -> FidelityRow {
    let rule = c.describe();
    let (verdict, reason, target_rule) = match c.effect {
        Effect::Mutate => (
            Fidelity::MutationDropped,
            "not applied: the ClusterPolicy form has no mutate rule, since its preconditions (JMESPath) cannot make the plugin's choice among the PSPs the pod may use",
            None,
        ),
        Effect::Validate if defaulted.contains(&c.field.as_str()) => (
            Fidelity::Stricter,
            "checked in CEL as the plugin did, but no default is applied: a pod that relied on the PSP's default for this field is refused until it sets the value",
            Some(format!("{rule} (set explicitly)")),
        ),
        Effect::Validate => (
            Fidelity::Exact,
            "checked in CEL as the plugin did, OR-ed with the other PSPs the pod may use",
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
        reason: reason.into(),
        psp_rule: rule,
        target_rule,
    }
}

/// The validating field whose check a pod without the value fails, for a default that fills
/// it; `None` when leaving the value unset passes the check anyway (the runtime class: an
/// unset name passes as submitted, and after the defaults when the default is allowed).
fn refused_when_unset(c: &Control, intent: &Intent) -> Option<&'static str> {
    match c {
        Control::DefaultRunAsUser { .. } | Control::DefaultRunAsNonRoot => Some("spec.runAsUser"),
        Control::DefaultRunAsGroup { .. } => Some("spec.runAsGroup"),
        Control::DefaultSupplementalGroups { .. } => Some("spec.supplementalGroups"),
        Control::DefaultFsGroup { .. } => Some("spec.fsGroup"),
        Control::DefaultSeLinux { .. } => Some("spec.seLinux"),
        Control::DefaultAddCapabilities(_) | Control::DefaultDropCapabilities(_) => {
            Some("spec.requiredDropCapabilities")
        }
        Control::DefaultReadOnlyRootFilesystem => Some("spec.readOnlyRootFilesystem"),
        Control::DefaultAllowPrivilegeEscalation { allowed: false } => {
            Some("spec.allowPrivilegeEscalation")
        }
        Control::DefaultSeccomp { .. } => {
            let unset_allowed = intent.find(|c| match c {
                Control::Seccomp { allowed } => Some(
                    allowed
                        .as_ref()
                        .is_none_or(|a| a.iter().any(|p| p.is_empty() || p == "*")),
                ),
                _ => None,
            });
            (!unset_allowed.unwrap_or(true)).then_some(SECCOMP_ALLOWED)
        }
        Control::DefaultAppArmor { .. } => Some(APPARMOR_ALLOWED),
        _ => None,
    }
}

const SECCOMP_ALLOWED: &str =
    "metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]";
const APPARMOR_ALLOWED: &str =
    "metadata.annotations[apparmor.security.beta.kubernetes.io/allowedProfileNames]";
