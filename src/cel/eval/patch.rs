//! JSON Patch (RFC 6902) `add`, the only operation the emitted mutations use: to an object
//! member (set or replace) or into an array (insert at an index, or append with `-`).

use serde_json::Value;

/// Applies `add` of `value` at JSON pointer `path` to `doc`; an error names the path.
pub fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let tokens = tokens(path)?;
    let Some((last, parents)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    let mut cur = doc;
    for t in parents {
        cur = match cur {
            Value::Object(m) => m.get_mut(t.as_str()),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("{path}: no {t:?} to add below"))?;
    }
    match cur {
        Value::Object(m) => {
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) if last == "-" => {
            a.push(value);
            Ok(())
        }
        Value::Array(a) => match last.parse::<usize>() {
            Ok(i) if i <= a.len() => {
                a.insert(i, value);
                Ok(())
            }
            _ => Err(format!("{path}: index {last:?} is out of range")),
        },
        _ => Err(format!("{path}: the parent is not an object or array")),
    }
}

/// The reference tokens of a JSON pointer, unescaped (`~1` is `/`, `~0` is `~`).
fn tokens(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("{path:?} is not a JSON pointer"));
    };
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn add_sets_members_and_inserts_into_arrays() {
        let mut doc =
            json!({"metadata": {"annotations": {}}, "spec": {"containers": [{"name": "a"}]}});
        add(&mut doc, "/metadata/annotations/a~1b~0c", json!("x")).unwrap();
        add(&mut doc, "/spec/containers/0/securityContext", json!({})).unwrap();
        add(
            &mut doc,
            "/spec/containers/0/securityContext/runAsUser",
            json!(7),
        )
        .unwrap();
        add(&mut doc, "/spec/containers/-", json!({"name": "b"})).unwrap();
        assert_eq!(doc["metadata"]["annotations"]["a/b~c"], "x");
        assert_eq!(
            doc["spec"]["containers"][0]["securityContext"]["runAsUser"],
            7
        );
        assert_eq!(doc["spec"]["containers"][1]["name"], "b");
    }

    #[test]
    fn add_below_a_missing_parent_fails() {
        let mut doc = json!({"spec": {}});
        let err = add(&mut doc, "/spec/securityContext/fsGroup", json!(1)).unwrap_err();
        assert!(err.contains("securityContext"), "{err}");
        assert!(add(&mut doc, "spec", json!(1)).is_err());
    }
}
