//! What the Kyverno target keeps of each PSP. Every validating constraint is decided in CEL as
//! the plugin did, OR-ed with the other PSPs the pod may use, and every default is applied by
//! the MutatingPolicy after the same choice of PSP the plugin made, so every row is `exact`.
//! The differential tests (`tests/cel_vs_simulator.rs`) and `verify` hold the target to it.

use crate::fidelity::{effect_name, origin_name, Fidelity, FidelityRow, TargetReport};
use crate::intent::{Constraint, Effect, Intent};

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
