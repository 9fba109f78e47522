//! Reading a value of a pod at a simulator path such as
//! `spec.containers[name=app].securityContext.runAsNonRoot` or
//! `metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]`.

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A mapping key: `spec`, or `[key]` (annotation keys hold dots).
    Key(String),
    /// The list item whose `name` is this: `[name=app]`.
    Named(String),
    /// A list index: `[0]`.
    Index(usize),
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' | '[' => {
                if !word.is_empty() {
                    out.push(Step::Key(std::mem::take(&mut word)));
                }
                if c == '[' {
                    let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                    out.push(bracket(inner));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(Step::Key(word));
    }
    out
}

fn bracket(inner: String) -> Step {
    if let Some(name) = inner.strip_prefix("name=") {
        Step::Named(name.to_string())
    } else if let Ok(i) = inner.parse() {
        Step::Index(i)
    } else {
        Step::Key(inner)
    }
}

/// The value at `path` in `root` (a pod as JSON), `None` when absent.
pub fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    steps(path).iter().try_fold(root, |v, s| match s {
        Step::Key(k) => v.get(k),
        Step::Index(i) => v.get(i),
        Step::Named(n) => v
            .as_array()?
            .iter()
            .find(|item| item.get("name").and_then(Value::as_str) == Some(n)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}},
            "spec": {
                "securityContext": {"fsGroup": 2000},
                "containers": [
                    {"name": "side", "securityContext": {"runAsNonRoot": false}},
                    {"name": "app", "securityContext": {"runAsNonRoot": true}, "ports": [{"hostPort": 80}]}
                ]
            }
        })
    }

    #[test]
    fn container_fields_are_found_by_name() {
        let p = pod();
        let v = lookup(&p, "spec.containers[name=app].securityContext.runAsNonRoot");
        assert_eq!(v, Some(&json!(true)));
        let v = lookup(
            &p,
            "spec.containers[name=side].securityContext.runAsNonRoot",
        );
        assert_eq!(v, Some(&json!(false)));
        let v = lookup(&p, "spec.containers[name=app].ports[0].hostPort");
        assert_eq!(v, Some(&json!(80)));
    }

    #[test]
    fn annotation_keys_keep_their_dots_and_slashes() {
        let p = pod();
        let v = lookup(
            &p,
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
        );
        assert_eq!(v, Some(&json!("runtime/default")));
    }

    #[test]
    fn absent_fields_and_containers_are_none() {
        let p = pod();
        assert_eq!(
            lookup(&p, "spec.securityContext.fsGroup"),
            Some(&json!(2000))
        );
        assert_eq!(lookup(&p, "spec.securityContext.supplementalGroups"), None);
        assert_eq!(
            lookup(&p, "spec.containers[name=gone].securityContext"),
            None
        );
        assert_eq!(lookup(&p, "spec.initContainers[name=app]"), None);
    }
}
