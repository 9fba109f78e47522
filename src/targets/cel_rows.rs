//! Fidelity rows of the targets that decide with the [CEL backend](crate::cel) (Kyverno's
//! policies, ValidatingAdmissionPolicy): every validating constraint is decided in CEL as the
//! plugin did, OR-ed with the other PSPs the pod may use. What differs between them is whether
//! the PSP defaults are applied (a mutating policy that makes the plugin's choice of PSP), and
//! the wording. Both targets call [`reports`] with their own [`Wording`].

use crate::fidelity::{effect_name, origin_name, Fidelity, FidelityRow, TargetReport};
use crate::intent::{Constraint, Control, Effect, Intent};
use crate::psp::SeLinuxRule;

/// What a validating row says when the CEL decides exactly.
pub const CHECKED: &str =
    "checked in CEL as the plugin did, OR-ed with the other PSPs the pod may use";

/// How one target words its rows, and whether it applies the defaults.
pub struct Wording {
    pub target: &'static str,
    /// What the PSP was compared with.
    pub compared_with: String,
    /// `Ok(reason)` for a default the target applies (the row is exact); `Err(reason)` when
    /// it applies none (every default is `mutation_dropped`, and the validating row of a field
    /// a pod relied on the default for is `stricter`).
    pub defaults: Result<&'static str, String>,
}

/// Where the CEL decides a validating constraint less precisely than the plugin did (always
/// stricter), why; `None` where it decides exactly.
fn cel_limit(c: &Control) -> Option<&'static str> {
    match c {
        Control::SeLinux {
            rule: SeLinuxRule::MustRunAs,
            options: Some(o),
        } if !o.level.as_deref().is_none_or(crate::cel::selinux::level_compared_as_the_plugin_did) => {
            Some("the SELinux level has more than 5 categories: the CEL compares it as written, so the same categories in another order, which the plugin took as equal, are refused")
        }
        _ => None,
    }
}

/// One report per intent, in the order given.
pub fn reports(intents: &[Intent], wording: &Wording) -> Vec<TargetReport> {
    intents.iter().map(|i| report(i, wording)).collect()
}

fn report(intent: &Intent, wording: &Wording) -> TargetReport {
    let defaulted: Vec<&'static str> = match wording.defaults {
        Ok(_) => Vec::new(),
        Err(_) => intent
            .with_effect(Effect::Mutate)
            .filter_map(|c| refused_when_unset(&c.control, intent))
            .collect(),
    };
    TargetReport {
        psp: intent.psp.clone(),
        target: wording.target.into(),
        compared_with: wording.compared_with.clone(),
        rows: intent
            .constraints
            .iter()
            .map(|c| row(intent, c, wording, &defaulted))
            .collect(),
        extra_rules: Vec::new(),
    }
}

fn row(intent: &Intent, c: &Constraint, wording: &Wording, defaulted: &[&str]) -> FidelityRow {
    let rule = c.describe();
    let (verdict, reason, target_rule) = match (c.effect, &wording.defaults) {
        (Effect::Mutate, Ok(applied)) => (Fidelity::Exact, applied.to_string(), Some(rule.clone())),
        (Effect::Mutate, Err(dropped)) => (Fidelity::MutationDropped, dropped.clone(), None),
        (Effect::Validate, _) => {
            let unset = defaulted.contains(&c.field.as_str());
            let mut limits: Vec<&str> = Vec::new();
            if unset {
                limits.push("checked in CEL as the plugin did, but no default is applied: a pod that relied on the PSP's default for this field is refused until it sets the value");
            }
            limits.extend(cel_limit(&c.control));
            match limits.as_slice() {
                [] => (Fidelity::Exact, CHECKED.to_string(), Some(rule.clone())),
                _ => {
                    let target = if unset {
                        format!("{rule} (set explicitly)")
                    } else {
                        rule.clone()
                    };
                    (Fidelity::Stricter, limits.join("; "), Some(target))
                }
            }
        }
    };
    FidelityRow {
        psp: intent.psp.clone(),
        target: wording.target.into(),
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
/// it; `None` when leaving the value unset passes the check anyway (the runtime class: an
/// unset name passes as submitted, and after the defaults when the default is allowed).
pub fn refused_when_unset(c: &Control, intent: &Intent) -> Option<&'static str> {
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
