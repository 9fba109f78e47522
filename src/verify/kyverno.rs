//! Reads the Kyverno target's ValidatingPolicy back from an output directory into the embedded
//! engine: its match conditions, variables and validations, as written (a reviewer may have
//! edited them; what is verified is what would be applied). The ClusterPolicy form's one
//! `validate.cel` rule is read the same way.

use std::path::Path;

use serde_json::Value;

use crate::cel::eval::mutation::JSON_PATCH_EXPRESSION;
use crate::cel::eval::{Engine, Validation};
use crate::cel::Variable;
use crate::load::yaml::parse_documents;

/// The one document of `kind` in the file at `path`.
fn read_one(path: &Path, kind: &str) -> Result<Value, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let docs = parse_documents(&text)
        .map_err(|e| format!("{shown}:{}:{}: {}", e.pos.line, e.pos.column, e.message))?;
    let mut found: Vec<Value> = docs
        .into_iter()
        .map(|d| d.value)
        .filter(|v| v["kind"] == kind)
        .collect();
    if found.len() != 1 {
        return Err(format!(
            "{shown}: expected one {kind}, found {}",
            found.len()
        ));
    }
    Ok(found.remove(0))
}

/// The named expressions under `spec.<key>` (variables, match conditions).
fn named(spec: &Value, key: &str, shown: &str) -> Result<Vec<Variable>, String> {
    named_at(spec, "spec", key, shown)
}

/// The named expressions under `parent.<key>`, where `at` is the parent's path.
fn named_at(parent: &Value, at: &str, key: &str, shown: &str) -> Result<Vec<Variable>, String> {
    list(parent, key)
        .iter()
        .map(|v| {
            Ok(Variable {
                name: string(v, "name").map_err(|e| format!("{shown}: {at}.{key}: {e}"))?,
                expression: string(v, "expression")
                    .map_err(|e| format!("{shown}: {at}.{key}: {e}"))?,
            })
        })
        .collect()
}

/// The engine for the MutatingPolicy in `path`: its match conditions and variables. Its one
/// mutation must be the JSON patch form podsec-migrate emits (the engine evaluates the patches
/// it wraps, not the wrapping).
pub fn mutating_engine(path: &Path) -> Result<Engine, String> {
    let shown = path.display().to_string();
    let policy = read_one(path, "MutatingPolicy")?;
    let spec = &policy["spec"];
    let mutations = list(spec, "mutations");
    let expression = match mutations {
        [m] if m["patchType"] == "JSONPatch" => m["jsonPatch"]["expression"].as_str(),
        _ => None,
    };
    if expression.map(str::trim) != Some(JSON_PATCH_EXPRESSION) {
        return Err(format!(
            "{shown}: expected one JSONPatch mutation `{JSON_PATCH_EXPRESSION}`; verify runs only that form"
        ));
    }
    Engine::from_parts(
        &named(spec, "matchConditions", &shown)?,
        &named(spec, "variables", &shown)?,
        &[],
    )
    .map_err(|e| format!("{shown}: {e}"))
}

/// The engine for the ValidatingPolicy in `path`; an error names the file and what is wrong.
pub fn engine(path: &Path) -> Result<Engine, String> {
    let shown = path.display();
    let policy = read_one(path, "ValidatingPolicy")?;
    let spec = &policy["spec"];
    let validations = list(spec, "validations")
        .iter()
        .map(|v| {
            let expression =
                string(v, "expression").map_err(|e| format!("{shown}: spec.validations: {e}"))?;
            let message_expression = match (v.get("messageExpression"), v.get("message")) {
                (Some(Value::String(m)), _) => m.clone(),
                (_, Some(Value::String(m))) => crate::cel::lit::string(m),
                _ => crate::cel::lit::string("denied by the ValidatingPolicy"),
            };
            Ok(Validation {
                expression,
                message_expression,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if validations.is_empty() {
        return Err(format!("{shown}: the ValidatingPolicy has no validations"));
    }
    let shown = shown.to_string();
    Engine::from_parts(
        &named(spec, "matchConditions", &shown)?,
        &named(spec, "variables", &shown)?,
        &validations,
    )
    .map_err(|e| format!("{shown}: {e}"))
}

/// The engine for the ClusterPolicy in `path` (`--kyverno-api clusterpolicy`): the
/// `validate.cel` of its one rule, its CEL preconditions as match conditions. A rule in any
/// other form is an error: the engine runs CEL only.
pub fn cluster_policy_engine(path: &Path) -> Result<Engine, String> {
    let shown = path.display().to_string();
    let policy = read_one(path, "ClusterPolicy")?;
    let rule = match list(&policy["spec"], "rules") {
        [rule] => rule,
        rules => {
            return Err(format!(
                "{shown}: expected one rule, found {}; verify runs the form podsec-migrate emits",
                rules.len()
            ))
        }
    };
    let cel = &rule["validate"]["cel"];
    let validations = list(cel, "expressions")
        .iter()
        .map(|v| {
            let expression = string(v, "expression")
                .map_err(|e| format!("{shown}: spec.rules[0].validate.cel.expressions: {e}"))?;
            let message_expression = match (v.get("messageExpression"), v.get("message")) {
                (Some(Value::String(m)), _) => m.clone(),
                (_, Some(Value::String(m))) => crate::cel::lit::string(m),
                _ => crate::cel::lit::string("denied by the ClusterPolicy"),
            };
            Ok(Validation {
                expression,
                message_expression,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if validations.is_empty() {
        return Err(format!(
            "{shown}: the ClusterPolicy's rule has no validate.cel expressions"
        ));
    }
    Engine::from_parts(
        &named_at(rule, "spec.rules[0]", "celPreconditions", &shown)?,
        &named_at(cel, "spec.rules[0].validate.cel", "variables", &shown)?,
        &validations,
    )
    .map_err(|e| format!("{shown}: {e}"))
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn string(v: &Value, key: &str) -> Result<String, String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("an entry has no {key}"))
}
