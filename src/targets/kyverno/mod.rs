//! Kyverno: one `ValidatingPolicy` (policies.kyverno.io/v1) whose CEL, from the shared
//! [CEL backend](crate::cel), admits a pod exactly when some PSP the pod may use admits it.
//!
//! One policy holds every PSP: Kyverno denies when any policy denies, so PSPs split across
//! policies would be AND-ed, and PSP meant OR.

mod fidelity;

use serde::Serialize;
use tera::Context;

use super::{Input, Rendered, Target};
use crate::cel::{self, Access, PodRoot};
use crate::render::{render, Document};
use crate::replay::has_rbac;

/// The target's name in reports and its output folder.
pub const TARGET: &str = "kyverno";
/// The policy's name.
pub const POLICY_NAME: &str = "podsec-migrate-psps";
/// The file the policy is written to.
pub const POLICY_PATH: &str = "kyverno/validating-policy.yaml";

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
        let program = cel::validating(input.intents, access, &PodRoot::pod());
        Rendered {
            documents: vec![policy(input, &program)],
            fidelity: fidelity::reports(input.intents),
        }
    }
}

/// The ValidatingPolicy document.
fn policy(input: &Input<'_>, program: &cel::Program) -> Document {
    let mut ctx = Context::new();
    let psps: Vec<&str> = input.intents.iter().map(|i| i.psp.as_str()).collect();
    let levels: Vec<String> = input
        .levels
        .iter()
        .map(|l| format!("{}={}", l.name, l.compatible_level))
        .collect();
    let actions = match input.options.kyverno_actions {
        Actions::Deny => "Deny",
        Actions::Audit => "Audit",
    };
    ctx.insert("name", POLICY_NAME);
    ctx.insert("psps", &psps);
    ctx.insert("levels", &levels.join(","));
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
