//! What the Kyverno target keeps of each PSP. Every validating constraint is decided in CEL as
//! the plugin did, OR-ed with the other PSPs the pod may use, so it is `exact`, except where the
//! PSP also filled the field with a default: the policy checks the pod as submitted and after
//! the PSP's defaults, and applies none, so a pod that relied on the default is refused
//! (`stricter`), and the default itself is `mutation_dropped`.

use crate::fidelity::{effect_name, origin_name, Fidelity, FidelityRow, TargetReport};
use crate::intent::{Constraint, Control, Effect, Intent};

use super::TARGET;

/// One report per intent, in the order given.
pub fn reports(intents: &[Intent]) -> Vec<TargetReport> {
    intents.iter().map(report).collect()
}

fn report(intent: &Intent) -> TargetReport {
    let defaulted: Vec<&'static str> = intent
        .with_effect(Effect::Mutate)
        .filter_map(|c| refused_when_unset(&c.control, intent))
        .collect();
    let rows = intent
        .constraints
        .iter()
        .map(|c| row(intent, c, &defaulted))
        .collect();
    TargetReport {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        compared_with: "the PSPs the pod may use, OR-ed, in one ValidatingPolicy".into(),
        rows,
        extra_rules: Vec::new(),
    }
}

fn row(intent: &Intent, c: &Constraint, defaulted: &[&str]) -> FidelityRow {
    let rule = c.describe();
    let (verdict, reason, target_rule) = match c.effect {
        Effect::Mutate => (
            Fidelity::MutationDropped,
            "no mutating policy is emitted yet: the default is not applied, and a pod that left the field unset is refused".to_string(),
            None,
        ),
        Effect::Validate if defaulted.contains(&c.field.as_str()) => (
            Fidelity::Stricter,
            "checked as the plugin did, but a pod that relied on the PSP's default for this field is refused until it sets the value".to_string(),
            Some(format!("{rule} (set explicitly)")),
        ),
        Effect::Validate => (
            Fidelity::Exact,
            "checked in CEL as the plugin did, OR-ed with the other PSPs the pod may use".to_string(),
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

/// The validating field whose check a pod without the value fails, for a default that fills
/// it; `None` when leaving the value unset passes the check anyway.
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
