//! OPA Gatekeeper: a ConstraintTemplate of our own (Rego and a CEL code block, the same for every
//! cluster) that admits a pod exactly when some PSP the pod may use admits it, one Constraint
//! whose parameters carry the PSPs' intents and grants, ExpansionTemplates so pod controllers are judged through their
//! pod templates, mutators for the PSP defaults, and a gator suite.
//!
//! One Constraint holds every PSP: Gatekeeper denies when any constraint reports a violation, so
//! PSPs split across constraints would be AND-ed, and PSP meant OR.

pub mod apply;
pub mod cel;
pub mod fidelity;
pub mod mutators;
pub mod parameters;
pub mod rego;
mod suite;

use tera::Context;

use super::{Input, Rendered, Target};
use crate::cel::Access;
use crate::render::{render, yaml_safe_json, Document};
use crate::replay::has_rbac;

/// The target's name in reports and its output folder.
pub const TARGET: &str = "gatekeeper";
/// The ConstraintTemplate's name (the lower-cased kind, as Gatekeeper requires).
pub const TEMPLATE_NAME: &str = rego::PACKAGE;
/// The Constraint kind the template defines.
pub const KIND: &str = "PodsecMigratePsps";
/// The Constraint's name.
pub const CONSTRAINT_NAME: &str = "podsec-migrate-psps";
pub const TEMPLATE_PATH: &str = "gatekeeper/constraint-template.yaml";
pub const CONSTRAINT_PATH: &str = "gatekeeper/constraint.yaml";
pub const EXPANSION_PATH: &str = "gatekeeper/expansion-templates.yaml";
pub const MUTATORS_PATH: &str = "gatekeeper/mutators.yaml";
pub use suite::SUITE_PATH;

/// Gatekeeper as a [`Target`].
pub struct Gatekeeper;

impl Target for Gatekeeper {
    fn name(&self) -> &'static str {
        TARGET
    }

    fn about(&self) -> &'static str {
        "OPA Gatekeeper: a ConstraintTemplate (Rego, and CEL beside it) and Constraint that decide as the PSPs did, ExpansionTemplates, mutators for the defaults, a gator suite"
    }

    fn render(&self, input: &Input<'_>) -> Rendered {
        let rbac = has_rbac(input.loaded);
        let access = if rbac {
            Access::Rbac(input.scopes)
        } else {
            Access::Everyone
        };
        let mut documents = vec![
            template(),
            constraint(input, access),
            Document {
                path: EXPANSION_PATH.into(),
                content: render("gatekeeper/expansion-templates.yaml", &version_context()),
            },
        ];
        let mutators = mutators::mutators(input.intents, access);
        if !mutators.is_empty() {
            documents.push(mutators_document(input, &mutators));
        }
        documents.extend(suite::documents(input.loaded, rbac.then_some(input.scopes)));
        Rendered {
            documents,
            fidelity: fidelity::reports(input.intents, access, input.loaded),
        }
    }
}

fn version_context() -> Context {
    let mut ctx = Context::new();
    ctx.insert("tool_version", env!("CARGO_PKG_VERSION"));
    ctx
}

/// The ConstraintTemplate: the same for every input.
pub fn template() -> Document {
    let mut ctx = version_context();
    ctx.insert("name", TEMPLATE_NAME);
    ctx.insert("kind", KIND);
    ctx.insert("schema", rego::PARAMETERS_SCHEMA);
    ctx.insert("rego", rego::MAIN);
    let libs: Vec<&str> = rego::LIBS.iter().map(|(_, src)| *src).collect();
    ctx.insert("libs", &libs);
    ctx.insert("cel_engine", cel::ENGINE);
    ctx.insert("cel_variables", &cel::variables());
    let validation = cel::validation();
    ctx.insert(
        "cel_validation",
        &serde_json::json!({
            "expression": validation.expression,
            "message_expression": validation.message_expression,
        }),
    );
    Document {
        path: TEMPLATE_PATH.into(),
        content: render("gatekeeper/constraint-template.yaml", &ctx),
    }
}

fn psp_names(input: &Input<'_>) -> Vec<String> {
    let mut names: Vec<String> = input.intents.iter().map(|i| i.psp.clone()).collect();
    names.sort();
    names
}

fn constraint(input: &Input<'_>, access: Access<'_>) -> Document {
    let mut ctx = version_context();
    let levels: Vec<String> = input
        .levels
        .iter()
        .map(|l| format!("{}={}", l.name, l.compatible_level))
        .collect();
    let params = parameters::parameters(input.intents, access);
    ctx.insert("kind", KIND);
    ctx.insert("name", CONSTRAINT_NAME);
    ctx.insert("psps", &psp_names(input));
    ctx.insert("levels", &levels.join(","));
    ctx.insert("action", "deny");
    ctx.insert(
        "parameters",
        &yaml_safe_json(&serde_json::to_string_pretty(&params).unwrap_or_default()),
    );
    Document {
        path: CONSTRAINT_PATH.into(),
        content: render("gatekeeper/constraint.yaml", &ctx),
    }
}

fn mutators_document(input: &Input<'_>, mutators: &[mutators::Mutator]) -> Document {
    Document {
        path: MUTATORS_PATH.into(),
        content: mutators::yaml(&psp_names(input), mutators),
    }
}
