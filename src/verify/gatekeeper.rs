//! Reads the Gatekeeper target back from an output directory: the ConstraintTemplate's Rego
//! (run in [`Rego`], v0 mode) and its CEL code block (run in the embedded CEL [`Engine`]), the
//! Constraint's parameters, and the mutators (applied with [`apply`]) — as written, so what is
//! verified is what would be applied.

use std::path::Path;

use serde_json::{json, Value};

use super::rego::Rego;
use crate::cel::eval::{Engine, Request, Validation};
use crate::cel::{Access, Variable};
use crate::intent::{intent_of, Intent};
use crate::load::yaml::parse_documents;
use crate::load::Loaded;
use crate::replay::{has_rbac, SimResult};
use crate::scope::Scopes;
use crate::targets::gatekeeper::apply::apply;
use crate::targets::gatekeeper::fidelity::{ambiguities, declared, Ambiguity};

/// The Gatekeeper policies of one output directory, ready to run.
pub struct Gatekeeper {
    rego: Rego,
    /// The CEL code block, with the Constraint's parameters; `None` for a template without one.
    cel: Option<Engine>,
    parameters: Value,
    mutators: Vec<Value>,
    ambiguities: Vec<Ambiguity>,
}

/// Every document of the YAML file at `path`.
fn documents(path: &Path) -> Result<Vec<Value>, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let docs = parse_documents(&text)
        .map_err(|e| format!("{shown}:{}:{}: {}", e.pos.line, e.pos.column, e.message))?;
    Ok(docs
        .into_iter()
        .map(|d| d.value)
        .filter(|v| !v.is_null())
        .collect())
}

fn one(path: &Path, kind: Option<&str>) -> Result<Value, String> {
    let mut docs = documents(path)?;
    if let Some(k) = kind {
        docs.retain(|d| d["kind"] == k);
    }
    match docs.len() {
        1 => Ok(docs.remove(0)),
        n => Err(format!(
            "{}: expected one {}, found {n}",
            path.display(),
            kind.unwrap_or("document")
        )),
    }
}

impl Gatekeeper {
    /// Reads `dir/gatekeeper/`: the template, the constraint and, when present, the mutators.
    pub fn read(dir: &Path, loaded: &Loaded) -> Result<Gatekeeper, String> {
        let template_path = dir.join("gatekeeper").join("constraint-template.yaml");
        let template = one(&template_path, Some("ConstraintTemplate"))?;
        let shown = template_path.display();
        let target = &template["spec"]["targets"][0];
        let main = target["rego"]
            .as_str()
            .ok_or_else(|| format!("{shown}: spec.targets[0].rego is missing"))?;
        let mut modules = vec![("template.rego".to_string(), main.to_string())];
        for (i, lib) in target["libs"].as_array().into_iter().flatten().enumerate() {
            let src = lib
                .as_str()
                .ok_or_else(|| format!("{shown}: spec.targets[0].libs[{i}] is not text"))?;
            modules.push((format!("lib{i}.rego"), src.to_string()));
        }
        let rego = Rego::new(&modules).map_err(|e| format!("{shown}: {e}"))?;
        let kind = template["spec"]["crd"]["spec"]["names"]["kind"]
            .as_str()
            .ok_or_else(|| format!("{shown}: spec.crd.spec.names.kind is missing"))?;
        let constraint_path = dir.join("gatekeeper").join("constraint.yaml");
        let constraint = one(&constraint_path, Some(kind))?;
        let parameters = constraint["spec"]["parameters"].clone();
        let cel = cel_block(target)
            .map(|code| code.map(|e| e.with_params(&parameters)))
            .map_err(|e| format!("{shown}: {e}"))?;
        let mutators_path = dir.join("gatekeeper").join("mutators.yaml");
        let mutators = if mutators_path.is_file() {
            documents(&mutators_path)?
        } else {
            Vec::new()
        };
        let intents: Vec<Intent> = loaded.psps().map(|(_, p)| intent_of(p)).collect();
        let scopes = Scopes::from_loaded(loaded);
        let access = if has_rbac(loaded) {
            Access::Rbac(&scopes)
        } else {
            Access::Everyone
        };
        let ambiguities = ambiguities(&intents, access);
        Ok(Gatekeeper {
            rego,
            cel,
            parameters,
            mutators,
            ambiguities,
        })
    }

    /// Applies the mutators to `object` (a Pod as JSON, in place) on CREATE.
    pub fn mutate(&self, object: &mut Value, namespace: &str) -> Result<usize, String> {
        apply(&self.mutators, object, namespace, "CREATE")
    }

    /// The violations of `object` under the constraint: none means admitted.
    pub fn review(
        &mut self,
        object: &Value,
        namespace: &str,
        username: &str,
        groups: &[String],
        operation: &str,
    ) -> Result<Vec<String>, String> {
        let input = json!({
            "review": {
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "operation": operation,
                "namespace": namespace,
                "object": object,
                "userInfo": {"username": username, "groups": groups},
            },
            "parameters": self.parameters,
        });
        self.rego.violations(&input)
    }

    /// Whether the template has a CEL code block.
    pub fn has_cel(&self) -> bool {
        self.cel.is_some()
    }

    /// The CEL code block's verdict on `object`: `None` admits, else the message.
    pub fn review_cel(
        &self,
        object: &Value,
        old_object: Option<&Value>,
        request: &Request,
    ) -> Result<Option<String>, String> {
        let Some(engine) = &self.cel else {
            return Ok(None);
        };
        let out = engine.evaluate_update(object, old_object, request)?;
        Ok((!out.admitted).then(|| out.message.unwrap_or_default()))
    }

    /// Why a disagreement on this pod is expected, when the fidelity report says so: the
    /// mutators changed the pod (`changed` changes) in a namespace where they cannot make the
    /// plugin's choice. A pod the mutators left alone is judged by the Rego alone, which must
    /// agree.
    pub fn declared(&self, sim: &SimResult, changed: usize) -> Option<String> {
        if changed == 0 {
            return None;
        }
        declared(&self.ambiguities, &sim.namespace)
    }
}

/// The template target's `K8sNativeValidation` code block, compiled; `None` when it has none.
pub fn cel_block(target: &Value) -> Result<Option<Engine>, String> {
    let engine = crate::targets::gatekeeper::cel::ENGINE;
    let Some((i, code)) = target["code"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .find(|(_, c)| c["engine"] == engine)
    else {
        return Ok(None);
    };
    let at = format!("spec.targets[0].code[{i}].source");
    let source = &code["source"];
    let text = |v: &Value, what: &str| -> Result<String, String> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{at}: {what} is missing or not text"))
    };
    let mut variables = Vec::new();
    for (j, v) in source["variables"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        variables.push(Variable {
            name: text(&v["name"], &format!("variables[{j}].name"))?,
            expression: text(&v["expression"], &format!("variables[{j}].expression"))?,
        });
    }
    let mut validations = Vec::new();
    for (j, v) in source["validations"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        validations.push(Validation {
            expression: text(&v["expression"], &format!("validations[{j}].expression"))?,
            message_expression: text(
                &v["messageExpression"],
                &format!("validations[{j}].messageExpression"),
            )?,
        });
    }
    if validations.is_empty() {
        return Err(format!("{at}: no validations"));
    }
    Engine::from_parts(&[], &variables, &validations)
        .map(Some)
        .map_err(|e| format!("{at}: {e}"))
}
