//! ValidatingAdmissionPolicy: the API server's own CEL admission, nothing to install. One
//! `ValidatingAdmissionPolicy` (admissionregistration.k8s.io/v1, Kubernetes 1.30 and later)
//! whose CEL, from the shared [CEL backend](crate::cel), admits a pod exactly when some PSP the
//! pod may use admits it, and one `MutatingAdmissionPolicy` (v1beta1 in 1.34 and 1.35, v1 from
//! 1.36) that applies the defaults of the PSP the plugin would have chosen; each with its
//! binding.
//!
//! One policy holds every PSP: the API server denies when any policy denies, so PSPs split
//! across policies would be AND-ed, and PSP meant OR. Pod controllers are matched by
//! `matchConstraints` and judged through their pod template, found by `object.kind`
//! ([`PodRoot::pod_or_template`]). Scoping by namespace, service account and user is in the
//! CEL (`variables.namespace`, `variables.serviceAccount`, `request.userInfo`), as the RBAC of
//! the input grants the PSPs.
//!
//! The bindings select no namespaces: PSP judged pods in every namespace, and leaving one out
//! in a binding is exact only where some PSP usable by every pod there admits every pod
//! unchanged. No PSP does: even one that allows every volume (`*`) refuses volume types it did
//! not know (an `image` volume), and one that allows every host port refuses ports beyond
//! 65535. So the scoping stays in the CEL, where it is exact. `verify` still honours a
//! `namespaceSelector` a reviewer adds to a binding, so the effect of such an edit is seen.

mod fidelity;

use std::collections::BTreeSet;

use serde::Serialize;
use tera::Context;

use super::{Input, Rendered, Target};
use crate::cel::eval::mutation::{JSON_PATCH_EXPRESSION, POD_CREATE_ONLY};
use crate::cel::{self, Access, PodRoot};
use crate::intent::{Effect, Intent};
use crate::pss::Version;
use crate::render::{render, Document};
use crate::replay::has_rbac;
use crate::scope::Scopes;

/// The target's name in reports and its output folder.
pub const TARGET: &str = "vap";
/// The validating policy's name, and its binding's.
pub const POLICY_NAME: &str = "podsec-migrate-psps";
/// The file the validating policy is written to.
pub const POLICY_PATH: &str = "vap/validating-admission-policy.yaml";
/// The file the validating policy's binding is written to.
pub const BINDING_PATH: &str = "vap/validating-admission-policy-binding.yaml";
/// The mutating policy's name, and its binding's.
pub const MUTATING_NAME: &str = "podsec-migrate-psp-defaults";
/// The file the mutating policy is written to.
pub const MUTATING_PATH: &str = "vap/mutating-admission-policy.yaml";
/// The file the mutating policy's binding is written to.
pub const MUTATING_BINDING_PATH: &str = "vap/mutating-admission-policy-binding.yaml";
/// The first minor version with ValidatingAdmissionPolicy in admissionregistration.k8s.io/v1.
pub const MIN_MINOR: u32 = 30;
/// The first minor version with MutatingAdmissionPolicy (v1beta1; a beta API, so off until the
/// cluster enables it).
pub const MAP_BETA_MINOR: u32 = 34;
/// The first minor version with MutatingAdmissionPolicy in v1.
pub const MAP_V1_MINOR: u32 = 36;
/// The pod resources the validating policy matches: the pod, and the subresource ephemeral
/// containers are added through (PSP judged both), and ReplicationControllers.
const VALIDATED_CORE: &[&str] = &["pods", "pods/ephemeralcontainers", "replicationcontrollers"];
/// The pod resources the mutating policy matches (PSP changed no pod on update).
const MUTATED_CORE: &[&str] = &["pods", "replicationcontrollers"];

/// What the binding does with a pod the policy rejects (`validationActions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Refuse the request.
    Deny,
    /// Let it through with a warning to the client.
    Warn,
    /// Let it through with an audit annotation.
    Audit,
}

impl Action {
    /// The spelling in `validationActions`.
    pub fn api_name(self) -> &'static str {
        match self {
            Action::Deny => "Deny",
            Action::Warn => "Warn",
            Action::Audit => "Audit",
        }
    }
}

/// `--vap-actions` as the API accepts it: at least one, and not Deny with Warn (the API server
/// refuses that pair: a denied request has no warnings to show). Sorted, without repeats.
pub fn check_actions(actions: &[Action]) -> Result<Vec<Action>, String> {
    let set: BTreeSet<Action> = actions.iter().copied().collect();
    if set.contains(&Action::Deny) && set.contains(&Action::Warn) {
        return Err("--vap-actions: deny and warn cannot be combined (the API server refuses validationActions [Deny, Warn]); use deny, deny,audit, warn, warn,audit or audit".into());
    }
    if set.is_empty() {
        return Err("--vap-actions: give at least one of deny, warn, audit".into());
    }
    Ok(set.into_iter().collect())
}

/// Why the target cannot be rendered for `version`, if it cannot.
pub fn unsupported(version: Version) -> Option<String> {
    match version {
        Version::Minor(m) if m < MIN_MINOR => Some(format!(
            "ValidatingAdmissionPolicy is in admissionregistration.k8s.io/v1 from Kubernetes 1.{MIN_MINOR}; --k8s-version v1.{m} is older (use the psa, kyverno or gatekeeper targets, or --k8s-version v1.{MIN_MINOR} or later)"
        )),
        _ => None,
    }
}

/// The MutatingAdmissionPolicy API version for `version`: none before 1.34.
pub fn map_api(version: Version) -> Option<&'static str> {
    match version {
        Version::Minor(m) if m < MAP_BETA_MINOR => None,
        Version::Minor(m) if m < MAP_V1_MINOR => Some("v1beta1"),
        _ => Some("v1"),
    }
}

/// ValidatingAdmissionPolicy as a [`Target`].
pub struct Vap;

impl Target for Vap {
    fn name(&self) -> &'static str {
        TARGET
    }

    fn about(&self) -> &'static str {
        "ValidatingAdmissionPolicy (1.30+) that decides as the PSPs did, and MutatingAdmissionPolicy (1.34+) for their defaults: built into the API server"
    }

    fn unsupported(&self, version: Version) -> Option<String> {
        unsupported(version)
    }

    fn render(&self, input: &Input<'_>) -> Rendered {
        let rbac = has_rbac(input.loaded).then_some(input.scopes);
        let actions = check_actions(&input.options.vap_actions).unwrap_or(vec![Action::Deny]);
        Rendered {
            documents: documents(
                input.intents,
                rbac,
                input.options.k8s_version,
                &actions,
                &levels(input),
            ),
            fidelity: fidelity::reports(input.intents, input.options.k8s_version, &actions),
        }
    }
}

/// The target's documents for `intents` under the RBAC of `scopes` (every PSP usable by
/// everyone without), for a cluster at `version`: the validating policy and its binding, and
/// from 1.34 the mutating policy and its binding when some PSP has defaults.
pub fn documents(
    intents: &[Intent],
    scopes: Option<&Scopes>,
    version: Version,
    actions: &[Action],
    levels: &str,
) -> Vec<Document> {
    let access = scopes.map_or(Access::Everyone, Access::Rbac);
    let psps: Vec<&str> = intents.iter().map(|i| i.psp.as_str()).collect();
    let mut ctx = Context::new();
    ctx.insert("psps", &psps);
    ctx.insert("levels", levels);
    ctx.insert("tool_version", env!("CARGO_PKG_VERSION"));
    let program = cel::validating(intents, access, &PodRoot::pod_or_template());
    let mut out = vec![
        validating_policy(&ctx, &program),
        validating_binding(&ctx, actions),
    ];
    let defaults = intents
        .iter()
        .any(|i| i.with_effect(Effect::Mutate).next().is_some());
    if let (true, Some(api)) = (defaults, map_api(version)) {
        let mutating = cel::mutating(intents, access, &PodRoot::pod_or_template());
        ctx.insert("api_version", api);
        out.extend(mutating_policy(&ctx, &mutating));
    }
    out
}

/// The PSS level of every PSP, as the policy's annotation gives them.
fn levels(input: &Input<'_>) -> String {
    let levels: Vec<String> = input
        .levels
        .iter()
        .map(|l| format!("{}={}", l.name, l.compatible_level))
        .collect();
    levels.join(",")
}

fn quoted(list: &[&str]) -> Vec<String> {
    list.iter().map(|r| format!("\"{r}\"")).collect()
}

/// The ValidatingAdmissionPolicy.
fn validating_policy(base: &Context, program: &cel::Program) -> Document {
    let mut ctx = base.clone();
    ctx.insert("name", POLICY_NAME);
    ctx.insert("core_resources", &quoted(VALIDATED_CORE));
    ctx.insert("variables", &program.variables);
    ctx.insert("expression", &program.expression);
    ctx.insert("message_expression", &program.message_expression);
    Document {
        path: POLICY_PATH.into(),
        content: render("vap/validating-admission-policy.yaml", &ctx),
    }
}

/// The ValidatingAdmissionPolicyBinding.
fn validating_binding(base: &Context, actions: &[Action]) -> Document {
    let mut ctx = base.clone();
    let names: Vec<&str> = actions.iter().map(|a| a.api_name()).collect();
    ctx.insert("name", POLICY_NAME);
    ctx.insert("actions", &names);
    Document {
        path: BINDING_PATH.into(),
        content: render("vap/validating-admission-policy-binding.yaml", &ctx),
    }
}

/// The MutatingAdmissionPolicy and its binding.
fn mutating_policy(base: &Context, program: &cel::Mutating) -> [Document; 2] {
    let mut ctx = base.clone();
    ctx.insert("name", MUTATING_NAME);
    ctx.insert("core_resources", &quoted(MUTATED_CORE));
    ctx.insert("variables", &program.variables);
    ctx.insert("patch_expression", JSON_PATCH_EXPRESSION);
    ctx.insert("pod_create_only", POD_CREATE_ONLY);
    [
        Document {
            path: MUTATING_PATH.into(),
            content: render("vap/mutating-admission-policy.yaml", &ctx),
        },
        Document {
            path: MUTATING_BINDING_PATH.into(),
            content: render("vap/mutating-admission-policy-binding.yaml", &ctx),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_the_api_rules() {
        use Action::*;
        assert_eq!(check_actions(&[Audit, Warn, Audit]), Ok(vec![Warn, Audit]));
        assert_eq!(check_actions(&[Deny]), Ok(vec![Deny]));
        assert!(check_actions(&[Deny, Warn])
            .unwrap_err()
            .contains("cannot be combined"));
        assert!(check_actions(&[]).is_err());
    }

    #[test]
    fn versions_pick_the_apis() {
        assert!(unsupported(Version::Minor(29)).unwrap().contains("v1.29"));
        assert!(unsupported(Version::Minor(30)).is_none());
        assert!(unsupported(Version::Latest).is_none());
        assert_eq!(map_api(Version::Minor(33)), None);
        assert_eq!(map_api(Version::Minor(34)), Some("v1beta1"));
        assert_eq!(map_api(Version::Minor(35)), Some("v1beta1"));
        assert_eq!(map_api(Version::Minor(36)), Some("v1"));
        assert_eq!(map_api(Version::Latest), Some("v1"));
    }
}
