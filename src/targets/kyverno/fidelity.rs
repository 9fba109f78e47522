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
use crate::psp::SeLinuxRule;

use super::TARGET;

const CHECKED: &str = "checked in CEL as the plugin did, OR-ed with the other PSPs the pod may use";

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
    let (verdict, reason) = match (c.effect, cel_limit(&c.control)) {
        (Effect::Validate, Some(limit)) => (Fidelity::Stricter, limit),
        (Effect::Mutate, _) => (Fidelity::Exact, "applied by the MutatingPolicy where the pod leaves it unset, after the plugin's choice of PSP (to a controller's pod template too, so the template passes the ValidatingPolicy)"),
        (Effect::Validate, None) => (Fidelity::Exact, CHECKED),
    };
    FidelityRow {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        field: c.field.clone(),
        effect: effect_name(c.effect),
        origin: origin_name(c.origin),
        verdict,
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
            "not applied: the ClusterPolicy form has no mutate rule, since its preconditions (JMESPath) cannot make the plugin's choice among the PSPs the pod may use".to_string(),
            None,
        ),
        Effect::Validate => {
            let mut limits: Vec<&str> = Vec::new();
            if defaulted.contains(&c.field.as_str()) {
                limits.push("checked in CEL as the plugin did, but no default is applied: a pod that relied on the PSP's default for this field is refused until it sets the value");
            }
            limits.extend(cel_limit(&c.control));
            match limits.as_slice() {
                [] => (Fidelity::Exact, CHECKED.to_string(), Some(rule.clone())),
                _ => {
                    let target = if defaulted.contains(&c.field.as_str()) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::simulate::testing::psp;

    fn selinux_row(level: &str, cluster_policy: bool) -> FidelityRow {
        let p = psp(&format!(
            "  seLinux: {{rule: MustRunAs, seLinuxOptions: {{level: '{level}'}}}}\n"
        ));
        let intent = intent_of(&p);
        let reports = if cluster_policy {
            cluster_policy_reports(&[intent])
        } else {
            reports(&[intent])
        };
        reports[0]
            .rows
            .iter()
            .find(|r| r.field == "spec.seLinux" && r.effect == "validate")
            .unwrap()
            .clone()
    }

    /// A level the CEL compares as written is declared stricter, in both forms; one it
    /// compares in any category order is exact.
    #[test]
    fn selinux_levels_beyond_the_permuted_ones_are_stricter() {
        for cluster_policy in [false, true] {
            let six = selinux_row("s0:c1,c2,c3,c4,c5,c6", cluster_policy);
            assert_eq!(six.verdict, Fidelity::Stricter, "{six:?}");
            assert!(six.reason.contains("more than 5 categories"), "{six:?}");
        }
        assert_eq!(selinux_row("s0:c1,c2", false).verdict, Fidelity::Exact);
    }
}
