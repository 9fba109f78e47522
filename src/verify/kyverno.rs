//! Reads the Kyverno target's ValidatingPolicy back from an output directory into the embedded
//! engine: its match conditions, variables and validations, as written (a reviewer may have
//! edited them; what is verified is what would be applied).

use std::path::Path;

use serde_json::Value;

use super::cel::{Engine, Validation};
use crate::cel::Variable;
use crate::load::yaml::parse_documents;

/// The engine for the ValidatingPolicy in `path`; an error names the file and what is wrong.
pub fn engine(path: &Path) -> Result<Engine, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let docs = parse_documents(&text)
        .map_err(|e| format!("{shown}:{}:{}: {}", e.pos.line, e.pos.column, e.message))?;
    let policies: Vec<&Value> = docs
        .iter()
        .map(|d| &d.value)
        .filter(|v| v["kind"] == "ValidatingPolicy")
        .collect();
    let [policy] = policies.as_slice() else {
        return Err(format!(
            "{shown}: expected one ValidatingPolicy, found {}",
            policies.len()
        ));
    };
    let spec = &policy["spec"];
    let named = |key: &str| -> Result<Vec<Variable>, String> {
        list(spec, key)
            .iter()
            .map(|v| {
                Ok(Variable {
                    name: string(v, "name").map_err(|e| format!("{shown}: spec.{key}: {e}"))?,
                    expression: string(v, "expression")
                        .map_err(|e| format!("{shown}: spec.{key}: {e}"))?,
                })
            })
            .collect()
    };
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
    Engine::from_parts(
        &named("matchConditions")?,
        &named("variables")?,
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
