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
//! The rows themselves are shared with the other CEL target ([`crate::targets::cel_rows`]).

use crate::fidelity::TargetReport;
use crate::intent::Intent;
use crate::targets::cel_rows::{self, Wording};

use super::TARGET;

/// One report per intent, in the order given.
pub fn reports(intents: &[Intent]) -> Vec<TargetReport> {
    cel_rows::reports(
        intents,
        &Wording {
            target: TARGET,
            compared_with: "the PSPs the pod may use (the RBAC of the input), OR-ed in one ValidatingPolicy; the chosen PSP's defaults applied by one MutatingPolicy".into(),
            defaults: Ok("applied by the MutatingPolicy where the pod leaves it unset, after the plugin's choice of PSP (to a controller's pod template too, so the template passes the ValidatingPolicy)"),
        },
    )
}

/// One report per intent for the ClusterPolicy form, in the order given.
pub fn cluster_policy_reports(intents: &[Intent]) -> Vec<TargetReport> {
    cel_rows::reports(
        intents,
        &Wording {
            target: TARGET,
            compared_with: "the PSPs the pod may use (the RBAC of the input), OR-ed in the one validate.cel rule of a ClusterPolicy (--kyverno-api clusterpolicy); no PSP defaults applied".into(),
            defaults: Err("not applied: the ClusterPolicy form has no mutate rule, since its preconditions (JMESPath) cannot make the plugin's choice among the PSPs the pod may use".into()),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fidelity::{Fidelity, FidelityRow};
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
