//! An embedded CEL engine for the emitted policies: the `cel` crate, with the few functions of
//! the Kubernetes CEL libraries the policies use, and JSON read the way Kubernetes reads it
//! (integers as CEL `int`); and the JSON patches a mutating program chooses, applied.

use std::collections::HashMap;
use std::sync::Arc;

use cel::extractors::This;
use cel::objects::{Key, Map};
use cel::{Context, Program as Compiled, Value};
use serde::Serialize;

pub mod mutation;
pub mod patch;

use crate::cel::{Program, Variable};

/// The admission request as the policies see it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Request {
    pub namespace: String,
    pub username: String,
    pub groups: Vec<String>,
    /// `CREATE` or `UPDATE`.
    pub operation: String,
}

/// A program compiled once, evaluated for many objects: match conditions (all must hold for
/// the policy to apply), variables in order, and validations (all must hold).
pub struct Engine {
    match_conditions: Vec<(String, Compiled)>,
    variables: Vec<(String, Compiled)>,
    validations: Vec<(Compiled, Compiled)>,
    /// `variables.params`, where the policy has parameters (a Gatekeeper Constraint's).
    params: Option<Value>,
}

/// A context with every variable evaluated, and the variables by name.
type Prepared = (Context<'static>, HashMap<String, Value>);

/// One validation as a document states it: the expression and its message expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    pub expression: String,
    pub message_expression: String,
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
    /// Compiles every expression of `program`.
    pub fn new(program: &Program) -> Result<Engine, String> {
        Engine::from_parts(
            &[],
            &program.variables,
            &[Validation {
                expression: program.expression.clone(),
                message_expression: program.message_expression.clone(),
            }],
        )
    }

    /// Compiles match conditions, variables and validations; an error names the expression
    /// that failed.
    pub fn from_parts(
        match_conditions: &[Variable],
        variables: &[Variable],
        validations: &[Validation],
    ) -> Result<Engine, String> {
        let compile = |what: &str, e: &str| {
            Compiled::compile(e).map_err(|err| format!("CEL {what} does not compile: {err}"))
        };
        let named = |kind: &str, vs: &[Variable]| -> Result<Vec<(String, Compiled)>, String> {
            vs.iter()
                .map(|v| {
                    Ok((
                        v.name.clone(),
                        compile(&format!("{kind} {}", v.name), &v.expression)?,
                    ))
                })
                .collect()
        };
        let mut checks = Vec::new();
        for (i, v) in validations.iter().enumerate() {
            checks.push((
                compile(&format!("validation {i}"), &v.expression)?,
                compile(&format!("messageExpression {i}"), &v.message_expression)?,
            ));
        }
        Ok(Engine {
            match_conditions: named("matchCondition", match_conditions)?,
            variables: named("variable", variables)?,
            validations: checks,
            params: None,
        })
    }

    /// The engine with `variables.params` set to `params`, as Gatekeeper sets a Constraint's
    /// parameters for its CEL code.
    #[must_use]
    pub fn with_params(mut self, params: &serde_json::Value) -> Engine {
        self.set_params(params);
        self
    }

    /// Sets `variables.params` to `params` (see [`Engine::with_params`]).
    pub fn set_params(&mut self, params: &serde_json::Value) {
        self.params = Some(from_json(params));
    }

    /// The context for `object` and `request` with every variable evaluated in order, and the
    /// variables by name; `None` when a match condition excludes the object.
    fn prepare(
        &self,
        object: &serde_json::Value,
        old_object: Option<&serde_json::Value>,
        request: &Request,
    ) -> Result<Option<Prepared>, String> {
        let mut ctx = Context::default();
        ctx.add_function("join", join);
        ctx.add_function("indexOf", index_of);
        ctx.add_function("split", split);
        ctx.add_function("substring", substring);
        ctx.add_variable_from_value("object", from_json(object));
        ctx.add_variable_from_value("oldObject", old_object.map_or(Value::Null, from_json));
        ctx.add_variable_from_value("request", request_value(request));
        for (name, condition) in &self.match_conditions {
            if !boolean(condition.execute(&ctx), &format!("matchCondition {name}"))? {
                return Ok(None);
            }
        }
        // One map grows as the variables are evaluated: the context's handle on it is dropped
        // before each insert, so the insert does not copy it.
        let mut map: Arc<HashMap<Key, Value>> = Arc::default();
        if let Some(params) = &self.params {
            Arc::make_mut(&mut map).insert(Key::String(Arc::new("params".into())), params.clone());
        }
        for (name, program) in &self.variables {
            ctx.add_variable_from_value("variables", Value::Map(Map { map: map.clone() }));
            let v = program
                .execute(&ctx)
                .map_err(|e| format!("variable {name}: {e}"))?;
            ctx.add_variable_from_value("variables", Value::Null);
            Arc::make_mut(&mut map).insert(Key::String(Arc::new(name.clone())), v);
        }
        ctx.add_variable_from_value("variables", Value::Map(Map { map: map.clone() }));
        let values = map.iter().map(|(k, v)| (key_text(k), v.clone())).collect();
        Ok(Some((ctx, values)))
    }

    /// Evaluates the variables only (for a mutating program), by name; `None` when a match
    /// condition excludes the object.
    pub fn variables(
        &self,
        object: &serde_json::Value,
        request: &Request,
    ) -> Result<Option<HashMap<String, Value>>, String> {
        Ok(self
            .prepare(object, None, request)?
            .map(|(_, values)| values))
    }

    /// Evaluates the program for `object` (a Pod as JSON) and `request`; an object a match
    /// condition excludes is admitted.
    pub fn evaluate(
        &self,
        object: &serde_json::Value,
        request: &Request,
    ) -> Result<Outcome, String> {
        self.evaluate_update(object, None, request)
    }

    /// As [`Engine::evaluate`], with `oldObject` set to `old_object` (an UPDATE's stored
    /// object; null when `None`, as on CREATE).
    pub fn evaluate_update(
        &self,
        object: &serde_json::Value,
        old_object: Option<&serde_json::Value>,
        request: &Request,
    ) -> Result<Outcome, String> {
        let Some((ctx, values)) = self.prepare(object, old_object, request)? else {
            return Ok(Outcome {
                admitted: true,
                message: None,
                values: HashMap::new(),
            });
        };
        for (i, (check, message)) in self.validations.iter().enumerate() {
            if !boolean(check.execute(&ctx), &format!("validation {i}"))? {
                let message = match message.execute(&ctx) {
                    Ok(Value::String(s)) => s.to_string(),
                    Ok(other) => return Err(format!("messageExpression {i} gave {other:?}")),
                    Err(e) => return Err(format!("messageExpression {i}: {e}")),
                };
                return Ok(Outcome {
                    admitted: false,
                    message: Some(message),
                    values,
                });
            }
        }
        Ok(Outcome {
            admitted: true,
            message: None,
            values,
        })
    }
}

/// A boolean result, or an error naming `what`.
fn boolean(r: cel::ResolveResult, what: &str) -> Result<bool, String> {
    match r {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("{what} gave {other:?}, not a bool")),
        Err(e) => Err(format!("{what}: {e}")),
    }
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

/// The Kubernetes strings library's `string.split(separator)` and `string.split(separator, n)`
/// (at most `n` parts, the last holding the rest; a negative `n` is no limit, 0 no parts), as
/// Go splits: an empty separator splits between code points.
fn split(
    This(s): This<Arc<String>>,
    cel::extractors::Arguments(args): cel::extractors::Arguments,
) -> Result<Value, cel::ExecutionError> {
    let Some(Value::String(sep)) = args.first() else {
        return Err(cel::ExecutionError::function_error(
            "split",
            "the separator is not a string",
        ));
    };
    let limit = match args.get(1) {
        None => -1,
        Some(Value::Int(n)) => *n,
        Some(other) => {
            return Err(cel::ExecutionError::function_error(
                "split",
                format!("the limit is not an int: {other:?}"),
            ))
        }
    };
    let parts: Vec<String> = match (usize::try_from(limit), sep.is_empty()) {
        (Ok(0), _) => Vec::new(),
        (Err(_), false) => s.split(sep.as_str()).map(str::to_string).collect(),
        (Ok(n), false) => s.splitn(n, sep.as_str()).map(str::to_string).collect(),
        (limit, true) => {
            let chars: Vec<char> = s.chars().collect();
            let n = limit.unwrap_or(usize::MAX).min(chars.len());
            let mut out: Vec<String> = chars[..n.saturating_sub(1)]
                .iter()
                .map(char::to_string)
                .collect();
            if n > 0 {
                out.push(chars[n - 1..].iter().collect());
            }
            out
        }
    };
    Ok(Value::List(Arc::new(
        parts
            .into_iter()
            .map(|p| Value::String(Arc::new(p)))
            .collect(),
    )))
}

/// The Kubernetes strings library's `string.substring(start, end)`, in code points; an index
/// out of range is an error.
fn substring(
    This(s): This<Arc<String>>,
    start: i64,
    end: i64,
) -> Result<Value, cel::ExecutionError> {
    let chars: Vec<char> = s.chars().collect();
    let (Ok(a), Ok(b)) = (usize::try_from(start), usize::try_from(end)) else {
        return Err(cel::ExecutionError::function_error(
            "substring",
            "a negative index",
        ));
    };
    if a > b || b > chars.len() {
        return Err(cel::ExecutionError::function_error(
            "substring",
            format!(
                "indexes {start}..{end} are out of range for {} code points",
                chars.len()
            ),
        ));
    }
    Ok(Value::String(Arc::new(chars[a..b].iter().collect())))
}

/// The Kubernetes lists library's `list.indexOf(value)`: the first index holding an equal
/// value, or -1.
fn index_of(This(list): This<Arc<Vec<Value>>>, wanted: Value) -> i64 {
    list.iter()
        .position(|v| *v == wanted)
        .map_or(-1, |i| i as i64)
}

/// A CEL value as JSON (maps with string keys; what a patch value can hold).
pub fn to_json(v: &Value) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::UInt(u) => J::from(*u),
        Value::Float(f) => J::from(*f),
        Value::String(s) => J::String(s.to_string()),
        Value::List(l) => J::Array(l.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Map(m) => {
            let mut out = serde_json::Map::new();
            let mut entries: Vec<(&Key, &Value)> = m.map.iter().collect();
            entries.sort_by_key(|(k, _)| key_text(k));
            for (k, v) in entries {
                out.insert(key_text(k), to_json(v)?);
            }
            J::Object(out)
        }
        other => return Err(format!("{other:?} has no JSON form")),
    })
}

fn key_text(k: &Key) -> String {
    match k {
        Key::String(s) => s.to_string(),
        Key::Int(i) => i.to_string(),
        Key::Uint(u) => u.to_string(),
        Key::Bool(b) => b.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The variables of one run, each with no other input.
    fn values(
        variables: &[(&str, &str)],
        params: Option<serde_json::Value>,
    ) -> Result<HashMap<String, Value>, String> {
        let variables: Vec<Variable> = variables
            .iter()
            .map(|(name, expression)| Variable {
                name: (*name).into(),
                expression: (*expression).into(),
            })
            .collect();
        let mut engine = Engine::from_parts(&[], &variables, &[])?;
        if let Some(p) = params {
            engine.set_params(&p);
        }
        Ok(engine
            .variables(&serde_json::json!({}), &Request::default())?
            .expect("no match condition"))
    }

    fn eval(expression: &str) -> Value {
        values(&[("v", expression)], None).unwrap()["v"].clone()
    }

    fn string(s: &str) -> Value {
        Value::String(Arc::new(s.to_string()))
    }

    fn strings(v: &[&str]) -> Value {
        Value::List(Arc::new(
            v.iter()
                .map(|s| Value::String(Arc::new((*s).to_string())))
                .collect(),
        ))
    }

    #[test]
    fn split_and_substring_behave_as_the_kubernetes_strings_library() {
        assert_eq!(eval(r#""s0:c1,c2".split(":")"#), strings(&["s0", "c1,c2"]));
        assert_eq!(eval(r#""a:b:c".split(":", 2)"#), strings(&["a", "b:c"]));
        assert_eq!(eval(r#""a:b:c".split(":", -1)"#), strings(&["a", "b", "c"]));
        assert_eq!(eval(r#""a:b".split(":", 0)"#), strings(&[]));
        assert_eq!(eval(r#""".split(",")"#), strings(&[""]));
        assert_eq!(eval(r#""abc".split("")"#), strings(&["a", "b", "c"]));
        assert_eq!(eval(r#""abc".split("", 2)"#), strings(&["a", "bc"]));
        assert_eq!(eval(r#""kernel.*".substring(0, 7)"#), string("kernel."));
        assert_eq!(eval(r#""é*".substring(0, 1)"#), string("é"));
        assert!(values(&[("v", r#""ab".substring(1, 3)"#)], None).is_err());
    }

    #[test]
    fn old_object_is_null_on_create_and_params_are_a_variable() {
        assert_eq!(eval("oldObject == null"), Value::Bool(true));
        let got = values(
            &[("v", "variables.params.x + 1")],
            Some(serde_json::json!({"x": 41})),
        );
        assert_eq!(got.unwrap()["v"], Value::Int(42));
    }
}
