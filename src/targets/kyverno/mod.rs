//! Kyverno: one `ValidatingPolicy` (policies.kyverno.io/v1) whose CEL, from the shared
//! [CEL backend](crate::cel), admits a pod exactly when some PSP the pod may use admits it, and
//! one `MutatingPolicy` that applies the defaults of the PSP the plugin would have chosen.
//! With `--kyverno-api clusterpolicy`, for Kyverno releases older than those types, one
//! `ClusterPolicy` (kyverno.io/v1) with one `validate.cel` rule holding the same CEL, and no
//! mutation (see [`fidelity`] for what that form loses).
//!
//! One policy holds every PSP: Kyverno denies when any policy denies, so PSPs split across
//! policies would be AND-ed, and PSP meant OR.

mod fidelity;
mod test_suite;

use serde::Serialize;
use tera::Context;

use super::{Input, Rendered, Target};
use crate::cel::{self, Access, PodRoot};
use crate::render::{render, Document};
use crate::replay::has_rbac;

/// The target's name in reports and its output folder.
pub const TARGET: &str = "kyverno";
/// The validating policy's name.
pub const POLICY_NAME: &str = "podsec-migrate-psps";
/// The file the validating policy is written to.
pub const POLICY_PATH: &str = "kyverno/validating-policy.yaml";
/// The mutating policy's name.
pub const MUTATING_NAME: &str = "podsec-migrate-psp-defaults";
/// The file the mutating policy is written to.
pub const MUTATING_PATH: &str = "kyverno/mutating-policy.yaml";
/// The ClusterPolicy's name (`--kyverno-api clusterpolicy`).
pub const CLUSTER_POLICY_NAME: &str = "podsec-migrate-psps";
/// The ClusterPolicy's one rule.
pub const CLUSTER_POLICY_RULE: &str = "admitted-by-a-usable-psp";
/// The file the ClusterPolicy is written to.
pub const CLUSTER_POLICY_PATH: &str = "kyverno/cluster-policy.yaml";
/// The pod controllers ClusterPolicy autogen copies the rule for: the ValidatingPolicy's
/// (a ReplicationController's pods are judged as pods).
const AUTOGEN_CONTROLLERS: &str = "CronJob,DaemonSet,Deployment,Job,ReplicaSet,StatefulSet";

/// Which Kyverno API the policies are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// `ValidatingPolicy` and `MutatingPolicy` (policies.kyverno.io/v1).
    #[default]
    Policies,
    /// One `ClusterPolicy` (kyverno.io/v1) with a `validate.cel` rule, and no mutation.
    #[value(name = "clusterpolicy")]
    ClusterPolicy,
}

/// What a rejected pod meets: a refusal, or a record in Kyverno's reports only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Actions {
    /// `validationActions: [Deny]`.
    #[default]
    Deny,
    /// `validationActions: [Audit]`: a dry run.
    Audit,
}

/// Kyverno as a [`Target`].
pub struct Kyverno;

impl Target for Kyverno {
    fn name(&self) -> &'static str {
        TARGET
    }

    fn about(&self) -> &'static str {
        "Kyverno: a ValidatingPolicy that decides as the PSPs did (CEL, autogen for pod controllers)"
    }

    fn render(&self, input: &Input<'_>) -> Rendered {
        let access = if has_rbac(input.loaded) {
            Access::Rbac(input.scopes)
        } else {
            Access::Everyone
        };
        let scopes = has_rbac(input.loaded).then_some(input.scopes);
        if input.options.kyverno_api == Api::ClusterPolicy {
            let program = cel::validating(input.intents, access, &PodRoot::pod());
            let mut documents = vec![cluster_policy(input, &program)];
            documents.extend(test_suite::documents(
                input.loaded,
                scopes,
                test_suite::Form::ClusterPolicy,
            ));
            return Rendered {
                documents,
                fidelity: fidelity::cluster_policy_reports(input.intents),
            };
        }
        let program = cel::validating(input.intents, access, &PodRoot::pod());
        let mut documents = vec![policy(input, &program)];
        let defaults = input.intents.iter().any(|i| {
            i.with_effect(crate::intent::Effect::Mutate)
                .next()
                .is_some()
        });
        if defaults {
            let mutating = cel::mutating(input.intents, access, &PodRoot::pod_or_template());
            documents.push(mutating_policy(input, &mutating));
        }
        documents.extend(test_suite::documents(
            input.loaded,
            scopes,
            test_suite::Form::Policies(defaults.then_some(input.intents)),
        ));
        Rendered {
            documents,
            fidelity: fidelity::reports(input.intents),
        }
    }
}

/// The PSS level of every PSP, as the policies' annotation gives them.
fn levels(input: &Input<'_>) -> String {
    let levels: Vec<String> = input
        .levels
        .iter()
        .map(|l| format!("{}={}", l.name, l.compatible_level))
        .collect();
    levels.join(",")
}

/// The ClusterPolicy document (`--kyverno-api clusterpolicy`).
fn cluster_policy(input: &Input<'_>, program: &cel::Program) -> Document {
    let mut ctx = Context::new();
    let psps: Vec<&str> = input.intents.iter().map(|i| i.psp.as_str()).collect();
    let action = match input.options.kyverno_actions {
        Actions::Deny => "Enforce",
        Actions::Audit => "Audit",
    };
    ctx.insert("name", CLUSTER_POLICY_NAME);
    ctx.insert("rule", CLUSTER_POLICY_RULE);
    ctx.insert("psps", &psps);
    ctx.insert("levels", &levels(input));
    ctx.insert("controllers", AUTOGEN_CONTROLLERS);
    ctx.insert("tool_version", env!("CARGO_PKG_VERSION"));
    ctx.insert("action", action);
    ctx.insert("variables", &program.variables);
    ctx.insert("expression", &program.expression);
    ctx.insert("message_expression", &program.message_expression);
    Document {
        path: CLUSTER_POLICY_PATH.into(),
        content: render("kyverno/cluster-policy.yaml", &ctx),
    }
}

/// The ValidatingPolicy document.
fn policy(input: &Input<'_>, program: &cel::Program) -> Document {
    let mut ctx = Context::new();
    let psps: Vec<&str> = input.intents.iter().map(|i| i.psp.as_str()).collect();
    let actions = match input.options.kyverno_actions {
        Actions::Deny => "Deny",
        Actions::Audit => "Audit",
    };
    ctx.insert("name", POLICY_NAME);
    ctx.insert("psps", &psps);
    ctx.insert("levels", &levels(input));
    ctx.insert("tool_version", env!("CARGO_PKG_VERSION"));
    ctx.insert("actions", &[actions]);
    ctx.insert("defaults", &program.psps.iter().any(|p| p.after_defaults));
    ctx.insert("variables", &program.variables);
    ctx.insert("expression", &program.expression);
    ctx.insert("message_expression", &program.message_expression);
    Document {
        path: POLICY_PATH.into(),
        content: render("kyverno/validating-policy.yaml", &ctx),
    }
}

/// The MutatingPolicy document.
fn mutating_policy(input: &Input<'_>, program: &cel::Mutating) -> Document {
    let mut ctx = Context::new();
    let psps: Vec<&str> = input.intents.iter().map(|i| i.psp.as_str()).collect();
    ctx.insert("name", MUTATING_NAME);
    ctx.insert("psps", &psps);
    ctx.insert("tool_version", env!("CARGO_PKG_VERSION"));
    ctx.insert("variables", &program.variables);
    ctx.insert(
        "patch_expression",
        crate::cel::eval::mutation::JSON_PATCH_EXPRESSION,
    );
    ctx.insert(
        "pod_create_only",
        crate::cel::eval::mutation::POD_CREATE_ONLY,
    );
    Document {
        path: MUTATING_PATH.into(),
        content: render("kyverno/mutating-policy.yaml", &ctx),
    }
}
