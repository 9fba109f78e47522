//! Gatekeeper's mutators, applied as Gatekeeper applies them, for `verify` and the tests: the
//! mutators whose match takes the pod, in Gatekeeper's order (kind, then name), repeated until
//! nothing changes. `Assign` sets a value, `ModifySet` merges values into a list, and
//! `AssignMetadata` adds an annotation or label that is absent; a list step `[key:*]` visits
//! every element that has the key and creates none; `pathTests` MustNotExist / MustExist gate
//! each concrete path. Only the forms podsec-migrate emits are read; anything else is an error
//! naming the mutator.

use serde_json::{Map, Value};

/// One step of a location.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    /// `field[key:glob]`: the elements of list `field` whose `key` matches `glob`.
    List {
        field: String,
        key: String,
        glob: String,
    },
}

/// The steps of a Gatekeeper location (`a.b[name:*].c`, `metadata.annotations."x.y/z"`).
fn parse(location: &str) -> Result<Vec<Step>, String> {
    let mut out = Vec::new();
    let mut chars = location.chars().peekable();
    while chars.peek().is_some() {
        let mut name = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => name.extend(chars.next()),
                    Some(c) => name.push(c),
                    None => return Err(format!("{location}: unterminated quote")),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' || c == '[' {
                    break;
                }
                name.push(c);
                chars.next();
            }
        }
        if name.is_empty() {
            return Err(format!("{location}: an empty step"));
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            let inner: String = chars.by_ref().take_while(|c| *c != ']').collect();
            let (key, glob) = inner
                .split_once(':')
                .ok_or_else(|| format!("{location}: a list step needs key:value"))?;
            out.push(Step::List {
                field: name,
                key: key.into(),
                glob: glob.into(),
            });
        } else {
            out.push(Step::Field(name));
        }
        match chars.next() {
            None | Some('.') => {}
            Some(c) => return Err(format!("{location}: unexpected {c:?}")),
        }
    }
    Ok(out)
}

fn glob_matches(glob: &str, value: &str) -> bool {
    match glob.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => glob == value,
    }
}

/// What to do at the end of a location.
#[derive(Clone, Copy)]
enum Op<'a> {
    Assign(&'a Value),
    Merge(&'a [Value]),
    AddIfAbsent(&'a Value),
}

/// Applies `op` at every concrete path `steps` reaches from `node`; `absent_only` skips a path
/// whose leaf exists. Returns whether anything changed.
fn walk(node: &mut Value, steps: &[Step], op: Op<'_>, absent_only: bool) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return false;
    };
    let Value::Object(map) = node else {
        return false;
    };
    match step {
        Step::Field(name) if rest.is_empty() => leaf(map, name, op, absent_only),
        Step::Field(name) => {
            let child = map
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            walk(child, rest, op, absent_only)
        }
        Step::List { field, key, glob } => {
            let Some(Value::Array(items)) = map.get_mut(field) else {
                return false;
            };
            let mut changed = false;
            for item in items.iter_mut() {
                let matches = item
                    .get(key)
                    .and_then(Value::as_str)
                    .is_some_and(|v| glob_matches(glob, v));
                if matches {
                    changed |= walk(item, rest, op, absent_only);
                }
            }
            changed
        }
    }
}

fn leaf(map: &mut Map<String, Value>, name: &str, op: Op<'_>, absent_only: bool) -> bool {
    let present = map.contains_key(name);
    if present && absent_only {
        return false;
    }
    match op {
        Op::Assign(v) => {
            let changed = map.get(name) != Some(v);
            map.insert(name.into(), v.clone());
            changed
        }
        Op::AddIfAbsent(v) => {
            if present {
                return false;
            }
            map.insert(name.into(), v.clone());
            true
        }
        Op::Merge(values) => {
            let list = map
                .entry(name.to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(items) = list else {
                return false;
            };
            let mut changed = !present;
            for v in values {
                if !items.contains(v) {
                    items.push(v.clone());
                    changed = true;
                }
            }
            changed
        }
    }
}

/// Whether `mutator`'s match takes a Pod in `namespace` on `operation`.
fn takes(mutator: &Value, namespace: &str, operation: &str) -> bool {
    let spec = &mutator["spec"];
    let m = &spec["match"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(kinds) = m["kinds"].as_array() {
        let pod = kinds
            .iter()
            .any(|k| strings(&k["kinds"]).iter().any(|x| x == "Pod" || x == "*"));
        if !pod {
            return false;
        }
    }
    if m.get("namespaces").is_some()
        && !strings(&m["namespaces"])
            .iter()
            .any(|g| glob_matches(g, namespace))
    {
        return false;
    }
    if strings(&m["excludedNamespaces"])
        .iter()
        .any(|g| glob_matches(g, namespace))
    {
        return false;
    }
    if let Some(apply_to) = spec["applyTo"].as_array() {
        let ok = apply_to.iter().any(|a| {
            strings(&a["kinds"]).iter().any(|k| k == "Pod")
                && (a.get("operations").is_none()
                    || strings(&a["operations"]).iter().any(|o| o == operation))
        });
        if !ok {
            return false;
        }
    }
    true
}

/// Applies one mutator to `pod`; returns whether it changed anything.
fn apply_one(mutator: &Value, pod: &mut Value) -> Result<bool, String> {
    let name = mutator["metadata"]["name"].as_str().unwrap_or("(unnamed)");
    let kind = mutator["kind"].as_str().unwrap_or_default();
    let spec = &mutator["spec"];
    let location = spec["location"]
        .as_str()
        .ok_or_else(|| format!("{kind} {name}: no spec.location"))?;
    let steps = parse(location).map_err(|e| format!("{kind} {name}: {e}"))?;
    let mut absent_only = false;
    for t in spec["parameters"]["pathTests"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let sub = t["subPath"].as_str().unwrap_or_default();
        match t["condition"].as_str() {
            Some("MustNotExist") if sub == location => absent_only = true,
            other => {
                return Err(format!(
                    "{kind} {name}: pathTest {other:?} on {sub:?}: verify runs MustNotExist on the location only"
                ))
            }
        }
    }
    let changed = match kind {
        "Assign" => {
            let value = &spec["parameters"]["assign"]["value"];
            if value.is_null() {
                return Err(format!("{kind} {name}: no parameters.assign.value"));
            }
            walk(pod, &steps, Op::Assign(value), absent_only)
        }
        "ModifySet" => {
            if spec["parameters"]["operation"].as_str().unwrap_or("merge") != "merge" {
                return Err(format!(
                    "{kind} {name}: verify runs the merge operation only"
                ));
            }
            let values = spec["parameters"]["values"]["fromList"]
                .as_array()
                .ok_or_else(|| format!("{kind} {name}: no parameters.values.fromList"))?;
            walk(pod, &steps, Op::Merge(values), absent_only)
        }
        "AssignMetadata" => {
            let value = &spec["parameters"]["assign"]["value"];
            match steps.as_slice() {
                [Step::Field(m), Step::Field(k), Step::Field(_)]
                    if m == "metadata" && (k == "annotations" || k == "labels") =>
                {
                    walk(pod, &steps, Op::AddIfAbsent(value), false)
                }
                _ => return Err(format!("{kind} {name}: {location} is not metadata.annotations.<key> or metadata.labels.<key>")),
            }
        }
        other => return Err(format!("{other} {name}: not a mutator verify runs")),
    };
    Ok(changed)
}

/// Applies every mutator of `mutators` that takes the pod, Gatekeeper's way; returns how many
/// changes were made.
pub fn apply(
    mutators: &[Value],
    pod: &mut Value,
    namespace: &str,
    operation: &str,
) -> Result<usize, String> {
    let mut ordered: Vec<&Value> = mutators
        .iter()
        .filter(|m| takes(m, namespace, operation))
        .collect();
    ordered.sort_by_key(|m| {
        (
            m["kind"].as_str().unwrap_or_default().to_string(),
            m["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    });
    let mut changes = 0;
    for _ in 0..8 {
        let mut changed = false;
        for m in &ordered {
            if apply_one(m, pod)? {
                changes += 1;
                changed = true;
            }
        }
        if !changed {
            return Ok(changes);
        }
    }
    Err("the mutators did not converge".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assign(location: &str, value: Value) -> Value {
        json!({"kind": "Assign", "metadata": {"name": "a"}, "spec": {
            "applyTo": [{"groups": [""], "kinds": ["Pod"], "versions": ["v1"], "operations": ["CREATE"]}],
            "match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}], "namespaces": ["apps"]},
            "location": location,
            "parameters": {"assign": {"value": value}, "pathTests": [{"subPath": location, "condition": "MustNotExist"}]}}})
    }

    #[test]
    fn locations_parse_with_list_steps_and_quotes() {
        assert_eq!(
            parse("spec.containers[name:*].securityContext.runAsUser").unwrap(),
            vec![
                Step::Field("spec".into()),
                Step::List {
                    field: "containers".into(),
                    key: "name".into(),
                    glob: "*".into()
                },
                Step::Field("securityContext".into()),
                Step::Field("runAsUser".into()),
            ]
        );
        assert_eq!(
            parse("metadata.annotations.\"a.b/c\"").unwrap()[2],
            Step::Field("a.b/c".into())
        );
    }

    /// MustNotExist on a globbed location is tested per element: set where absent, kept where
    /// set; parents are created; a missing list creates nothing.
    #[test]
    fn assign_adds_where_absent_on_every_element() {
        let m = assign(
            "spec.containers[name:*].securityContext.readOnlyRootFilesystem",
            json!(true),
        );
        let mut pod = json!({"spec": {"containers": [
            {"name": "a"},
            {"name": "b", "securityContext": {"readOnlyRootFilesystem": false}}]}});
        assert_eq!(
            apply(std::slice::from_ref(&m), &mut pod, "apps", "CREATE").unwrap(),
            1
        );
        assert_eq!(
            pod["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"],
            json!(true)
        );
        assert_eq!(
            pod["spec"]["containers"][1]["securityContext"]["readOnlyRootFilesystem"],
            json!(false)
        );
        let mut none = json!({"spec": {}});
        assert_eq!(
            apply(std::slice::from_ref(&m), &mut none, "apps", "CREATE").unwrap(),
            0
        );
        assert_eq!(none, json!({"spec": {}}));
        // Another namespace, or an UPDATE: not taken.
        let mut other = json!({"spec": {"containers": [{"name": "a"}]}});
        assert_eq!(
            apply(std::slice::from_ref(&m), &mut other, "tools", "CREATE").unwrap(),
            0
        );
        assert_eq!(apply(&[m], &mut other, "apps", "UPDATE").unwrap(), 0);
    }

    #[test]
    fn modify_set_merges_missing_values_and_assign_metadata_never_overwrites() {
        let set = json!({"kind": "ModifySet", "metadata": {"name": "m"}, "spec": {
            "applyTo": [{"groups": [""], "kinds": ["Pod"], "versions": ["v1"]}],
            "match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]},
            "location": "spec.containers[name:*].securityContext.capabilities.drop",
            "parameters": {"operation": "merge", "values": {"fromList": ["ALL", "NET_RAW"]}}}});
        let mut pod = json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"capabilities": {"drop": ["NET_RAW", "KILL"]}}},
            {"name": "b"}]}});
        apply(&[set], &mut pod, "x", "CREATE").unwrap();
        assert_eq!(
            pod["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"],
            json!(["NET_RAW", "KILL", "ALL"])
        );
        assert_eq!(
            pod["spec"]["containers"][1]["securityContext"]["capabilities"]["drop"],
            json!(["ALL", "NET_RAW"])
        );
        let meta = json!({"kind": "AssignMetadata", "metadata": {"name": "s"}, "spec": {
            "match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]},
            "location": "metadata.annotations.\"seccomp.security.alpha.kubernetes.io/pod\"",
            "parameters": {"assign": {"value": "runtime/default"}}}});
        let mut bare = json!({"metadata": {}});
        apply(std::slice::from_ref(&meta), &mut bare, "x", "CREATE").unwrap();
        assert_eq!(
            bare["metadata"]["annotations"]["seccomp.security.alpha.kubernetes.io/pod"],
            json!("runtime/default")
        );
        let mut set_already =
            json!({"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": ""}}});
        assert_eq!(apply(&[meta], &mut set_already, "x", "CREATE").unwrap(), 0);
    }
}
