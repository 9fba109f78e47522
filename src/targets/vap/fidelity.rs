//! What the ValidatingAdmissionPolicy target keeps of each PSP. The validating CEL is the one
//! Kyverno's ValidatingPolicy runs (the [CEL backend](crate::cel)), so every validating
//! constraint is decided as the plugin did, OR-ed with the other PSPs the pod may use (the rows
//! are shared: [`crate::targets::cel_rows`]).
//!
//! The defaults depend on the cluster: a MutatingAdmissionPolicy applies them after the
//! plugin's choice of PSP from Kubernetes 1.34 (v1beta1; v1 from 1.36). Before 1.34 there is
//! nothing built in that can: every default is `mutation_dropped`, and the validating
//! constraint a pod without the value fails is `stricter` (the pod is refused until it sets
//! the value itself).

use crate::fidelity::TargetReport;
use crate::intent::Intent;
use crate::pss::Version;
use crate::targets::cel_rows::{self, Wording};

use super::{map_api, MAP_BETA_MINOR, TARGET};

/// One report per intent, in the order given, for a cluster at `version` with the binding's
/// `actions`.
pub fn reports(
    intents: &[Intent],
    version: Version,
    actions: &[super::Action],
) -> Vec<TargetReport> {
    let dry_run = if actions.contains(&super::Action::Deny) {
        String::new()
    } else {
        let names: Vec<&str> = actions.iter().map(|a| a.api_name()).collect();
        format!(
            " (validationActions {}: a dry run that refuses nothing)",
            names.join(", ")
        )
    };
    let defaults = match map_api(version) {
        Some(api) => Ok(match api {
            "v1beta1" => "applied by the MutatingAdmissionPolicy (v1beta1, a beta API the cluster must enable) where the pod leaves it unset, after the plugin's choice of PSP (to a controller's pod template too, so the template passes the ValidatingAdmissionPolicy)",
            _ => "applied by the MutatingAdmissionPolicy (v1) where the pod leaves it unset, after the plugin's choice of PSP (to a controller's pod template too, so the template passes the ValidatingAdmissionPolicy)",
        }),
        None => Err(format!(
            "not applied: MutatingAdmissionPolicy arrived in Kubernetes 1.{MAP_BETA_MINOR} (v1beta1) and the output is for {}, so nothing built in applies the PSP's defaults",
            version.pinned()
        )),
    };
    let mutating = match map_api(version) {
        Some(api) => {
            format!("the chosen PSP's defaults applied by one MutatingAdmissionPolicy ({api})")
        }
        None => "no PSP defaults applied".to_string(),
    };
    cel_rows::reports(
        intents,
        &Wording {
            target: TARGET,
            compared_with: format!(
                "the PSPs the pod may use (the RBAC of the input), OR-ed in one ValidatingAdmissionPolicy{dry_run}; {mutating}"
            ),
            defaults,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fidelity::Fidelity;
    use crate::intent::intent_of;
    use crate::simulate::testing::psp;

    fn rows(minor: u32) -> Vec<crate::fidelity::FidelityRow> {
        let p = psp("  fsGroup: {rule: MustRunAs, ranges: [{min: 7, max: 9}]}\n");
        reports(
            &[intent_of(&p)],
            Version::Minor(minor),
            &[super::super::Action::Deny],
        )
        .remove(0)
        .rows
    }

    /// Before 1.34 the default is dropped and the field it fills is refused when unset; from
    /// 1.34 both are exact.
    #[test]
    fn defaults_are_lost_before_mutating_admission_policy() {
        let find = |rows: &[crate::fidelity::FidelityRow], effect: &str| {
            rows.iter()
                .find(|r| r.field == "spec.fsGroup" && r.effect == effect)
                .unwrap()
                .clone()
        };
        let old = rows(33);
        assert_eq!(find(&old, "mutate").verdict, Fidelity::MutationDropped);
        assert!(find(&old, "mutate").reason.contains("1.34"), "{old:?}");
        assert_eq!(find(&old, "validate").verdict, Fidelity::Stricter);
        for minor in [34, 36] {
            let new = rows(minor);
            assert_eq!(find(&new, "mutate").verdict, Fidelity::Exact);
            assert_eq!(find(&new, "validate").verdict, Fidelity::Exact);
        }
    }
}
