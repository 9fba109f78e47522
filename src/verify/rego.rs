//! The embedded Rego engine (regorus, in Rego v0 mode, the syntax every Gatekeeper release
//! accepts): a ConstraintTemplate's modules run as Gatekeeper runs them, with the admission
//! review under `input.review` and the constraint's parameters under `input.parameters`; the
//! messages of `violation` are the verdict.

use regorus::{Engine, Value};

/// The modules of one ConstraintTemplate, compiled once, evaluated per review.
#[derive(Clone)]
pub struct Rego {
    engine: Engine,
    /// The package of the template's main module (`data.<package>.violation` is queried).
    package: String,
}

impl Rego {
    /// Compiles `modules` (file name, Rego source); the first is the template's own module,
    /// the others its libraries.
    pub fn new(modules: &[(String, String)]) -> Result<Rego, String> {
        let mut engine = Engine::new();
        engine.set_rego_v0(true);
        let mut package = None;
        for (name, source) in modules {
            let p = engine
                .add_policy(name.clone(), source.clone())
                .map_err(|e| format!("{name}: {e}"))?;
            package.get_or_insert(p);
        }
        let package = package.ok_or("no Rego module")?;
        Ok(Rego { engine, package })
    }

    /// The messages of `violation` for `input` (`{"review": ..., "parameters": ...}`), sorted;
    /// none means admitted.
    pub fn violations(&mut self, input: &serde_json::Value) -> Result<Vec<String>, String> {
        let text = input.to_string();
        self.engine
            .set_input(Value::from_json_str(&text).map_err(|e| e.to_string())?);
        let rule = format!("{}.violation", self.package);
        let value = self.engine.eval_rule(rule).map_err(|e| e.to_string())?;
        let set = match value {
            Value::Undefined => return Ok(Vec::new()),
            Value::Set(s) => s,
            other => return Err(format!("violation is not a set: {other}")),
        };
        let mut out: Vec<String> = set
            .iter()
            .map(|v| match &v["msg"] {
                Value::String(s) => s.to_string(),
                other => other.to_string(),
            })
            .collect();
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A v0 partial set rule (`violation[{"msg": msg}] { ... }`), as Gatekeeper templates
    /// write them, with a library module: denies with its message, admits with none.
    #[test]
    fn v0_violation_rules_with_a_library_run() {
        let main = "package t\nimport data.lib.t.util\nviolation[{\"msg\": msg}] {\n  util.bad(input.review.object)\n  msg := sprintf(\"%v is bad\", [input.parameters.what])\n}\n";
        let lib = "package lib.t.util\nbad(o) { o.spec.hostPID == true }\n";
        let mut rego = Rego::new(&[
            ("t.rego".into(), main.into()),
            ("util.rego".into(), lib.into()),
        ])
        .unwrap();
        let input = |pid: bool| json!({"review": {"object": {"spec": {"hostPID": pid}}}, "parameters": {"what": "hostPID"}});
        assert_eq!(rego.violations(&input(true)).unwrap(), ["hostPID is bad"]);
        assert!(rego.violations(&input(false)).unwrap().is_empty());
    }

    /// The engine runs in v0 mode: a rule without `if`, which Rego v1 refuses, is accepted, as
    /// every Gatekeeper release accepts it.
    #[test]
    fn v0_rules_that_rego_v1_refuses_are_accepted() {
        let v0 = "package t\nviolation[{\"msg\": \"x\"}] { true }\n";
        let mut v1 = regorus::Engine::new();
        assert!(v1.add_policy("t.rego".into(), v0.into()).is_err());
        let mut rego = Rego::new(&[("t.rego".into(), v0.into())]).unwrap();
        assert_eq!(rego.violations(&serde_json::json!({})).unwrap(), ["x"]);
    }
}
