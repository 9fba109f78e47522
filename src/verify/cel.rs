//! An embedded CEL engine for the emitted policies: the `cel` crate, with the few functions of
//! the Kubernetes CEL libraries the policies use, and JSON read the way Kubernetes reads it
//! (integers as CEL `int`).

use std::collections::HashMap;
use std::sync::Arc;

use cel::extractors::This;
use cel::objects::{Key, Map};
use cel::{Context, Program as Compiled, Value};
use serde::Serialize;

use crate::cel::Program;

/// The admission request as the policies see it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Request {
    pub namespace: String,
    pub username: String,
    pub groups: Vec<String>,
    /// `CREATE` or `UPDATE`.
    pub operation: String,
}

/// A program compiled once, evaluated for many objects.
pub struct Engine {
    variables: Vec<(String, Compiled)>,
    expression: Compiled,
    message: Compiled,
}

/// The outcome for one object.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub admitted: bool,
    /// The message expression's value when denied.
    pub message: Option<String>,
    /// Each variable's value, for explanations (`<id>_admits` and the like).
    pub values: HashMap<String, Value>,
}

impl Engine {
    /// Compiles every expression of `program`; an error names the expression that failed.
    pub fn new(program: &Program) -> Result<Engine, String> {
        let compile = |name: &str, e: &str| {
            Compiled::compile(e).map_err(|err| format!("CEL {name} does not compile: {err}"))
        };
        let mut variables = Vec::new();
        for v in &program.variables {
            variables.push((v.name.clone(), compile(&v.name, &v.expression)?));
        }
        Ok(Engine {
            variables,
            expression: compile("expression", &program.expression)?,
            message: compile("messageExpression", &program.message_expression)?,
        })
    }

    /// Evaluates the program for `object` (a Pod as JSON) and `request`.
    pub fn evaluate(
        &self,
        object: &serde_json::Value,
        request: &Request,
    ) -> Result<Outcome, String> {
        let mut ctx = Context::default();
        ctx.add_function("join", join);
        ctx.add_variable_from_value("object", from_json(object));
        ctx.add_variable_from_value("request", request_value(request));
        let mut values: HashMap<String, Value> = HashMap::new();
        for (name, program) in &self.variables {
            ctx.add_variable_from_value("variables", map_of(&values));
            let v = program
                .execute(&ctx)
                .map_err(|e| format!("variable {name}: {e}"))?;
            values.insert(name.clone(), v);
        }
        ctx.add_variable_from_value("variables", map_of(&values));
        let admitted = match self.expression.execute(&ctx) {
            Ok(Value::Bool(b)) => b,
            Ok(other) => return Err(format!("expression gave {other:?}, not a bool")),
            Err(e) => return Err(format!("expression: {e}")),
        };
        let message = if admitted {
            None
        } else {
            match self.message.execute(&ctx) {
                Ok(Value::String(s)) => Some(s.to_string()),
                Ok(other) => return Err(format!("messageExpression gave {other:?}")),
                Err(e) => return Err(format!("messageExpression: {e}")),
            }
        };
        Ok(Outcome {
            admitted,
            message,
            values,
        })
    }
}

fn map_of(values: &HashMap<String, Value>) -> Value {
    let m: HashMap<Key, Value> = values
        .iter()
        .map(|(k, v)| (Key::String(Arc::new(k.clone())), v.clone()))
        .collect();
    Value::Map(Map { map: Arc::new(m) })
}

fn request_value(r: &Request) -> Value {
    let s = |v: &str| serde_json::Value::String(v.to_string());
    let groups: Vec<serde_json::Value> = r.groups.iter().map(|g| s(g)).collect();
    from_json(&serde_json::json!({
        "namespace": s(&r.namespace),
        "operation": s(&r.operation),
        "userInfo": {"username": s(&r.username), "groups": groups},
    }))
}

/// JSON as Kubernetes hands it to CEL: integers are `int`, other numbers `double`.
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(a) => Value::List(Arc::new(a.iter().map(from_json).collect())),
        serde_json::Value::Object(o) => {
            let m: HashMap<Key, Value> = o
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), from_json(v)))
                .collect();
            Value::Map(Map { map: Arc::new(m) })
        }
    }
}

/// The Kubernetes strings library's `list.join(separator)`.
fn join(This(list): This<Arc<Vec<Value>>>, sep: Arc<String>) -> Result<Value, cel::ExecutionError> {
    let mut parts = Vec::with_capacity(list.len());
    for v in list.iter() {
        match v {
            Value::String(s) => parts.push(s.to_string()),
            other => {
                return Err(cel::ExecutionError::function_error(
                    "join",
                    format!("not a string: {other:?}"),
                ))
            }
        }
    }
    Ok(Value::String(Arc::new(parts.join(sep.as_str()))))
}
