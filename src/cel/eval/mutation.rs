//! Running an emitted mutating program: evaluate its variables, take the chosen patches, apply
//! them. The last step of the real policy, wrapping each patch map in a `JSONPatch` object, is
//! a fixed form (`variables.patches.map(p, JSONPatch{op: p.op, path: p.path, value: p.value})`)
//! that the embedded engine does not construct; the patches themselves are evaluated.

use serde_json::Value;

use super::patch;
use super::{to_json, Engine, Request};

/// The match condition that keeps pods to CREATE (controllers are mutated on UPDATE too).
pub const POD_CREATE_ONLY: &str = "object.kind != \"Pod\" || request.operation == \"CREATE\"";

/// The expression that turns the chosen patch maps into JSON patches, as emitted.
pub const JSON_PATCH_EXPRESSION: &str =
    "variables.patches.map(p, JSONPatch{op: p.op, path: p.path, value: p.value})";

/// Applies the patches `engine` chooses for `object` (in place); returns how many were applied.
pub fn apply(engine: &Engine, object: &mut Value, request: &Request) -> Result<usize, String> {
    let Some(values) = engine.variables(object, request)? else {
        return Ok(0);
    };
    let patches = values
        .get("patches")
        .ok_or("the mutating program has no variable `patches`")?;
    let Value::Array(list) = to_json(patches)? else {
        return Err("`patches` is not a list".into());
    };
    for p in &list {
        let (Some("add"), Some(path)) = (p["op"].as_str(), p["path"].as_str()) else {
            return Err(format!("unsupported patch {p}"));
        };
        patch::add(object, path, p["value"].clone())?;
    }
    Ok(list.len())
}

/// A pod (as JSON) in the form two mutated pods are compared in: without the plugin's
/// `kubernetes.io/psp` record, with capability lists as sets and an empty list left out (the
/// plugin rebuilt them from sets; the emitted patches append to the lists as they are).
pub fn comparable(mut pod: Value) -> Value {
    if let Some(a) = pod
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        a.remove(crate::simulate::VALIDATED_BY);
    }
    for list in crate::cel::CONTAINER_LISTS {
        let containers = pod
            .get_mut("spec")
            .and_then(|s| s.get_mut(list))
            .and_then(Value::as_array_mut);
        for c in containers.into_iter().flatten() {
            let Some(Value::Object(caps)) = c.pointer_mut("/securityContext/capabilities") else {
                continue;
            };
            for k in ["add", "drop"] {
                if let Some(Value::Array(l)) = caps.get_mut(k) {
                    l.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    l.dedup();
                    if l.is_empty() {
                        caps.remove(k);
                    }
                }
            }
        }
    }
    pod
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::{mutating, Access, PodRoot};
    use crate::intent::intent_of;
    use crate::simulate::testing::psp;
    use serde_json::json;

    fn request() -> Request {
        Request {
            namespace: "ns".into(),
            username: "u".into(),
            groups: vec![],
            operation: "CREATE".into(),
        }
    }

    /// For a controller, the patches land in its pod template: under `spec.template` for a
    /// Deployment, under `spec.jobTemplate.spec.template` for a CronJob.
    #[test]
    fn patches_find_the_pod_template_by_kind() {
        let p = psp("  fsGroup: {rule: MustRunAs, ranges: [{min: 7, max: 9}]}\n");
        let program = mutating(
            &[intent_of(&p)],
            Access::Everyone,
            &PodRoot::pod_or_template(),
        );
        let engine = Engine::from_parts(&[], &program.variables, &[]).unwrap();
        let pod = json!({"metadata": {}, "spec": {"containers": [{"name": "a"}]}});
        let mut deployment = json!({"kind": "Deployment", "metadata": {"namespace": "ns"}, "spec": {"template": pod}});
        let mut cron = json!({"kind": "CronJob", "metadata": {"namespace": "ns"}, "spec": {"jobTemplate": {"spec": {"template": pod}}}});
        let mut bare = json!({"kind": "Pod", "metadata": {"namespace": "ns"}, "spec": {"containers": [{"name": "a"}]}});
        for o in [&mut deployment, &mut cron, &mut bare] {
            assert!(apply(&engine, o, &request()).unwrap() > 0);
        }
        assert_eq!(
            deployment.pointer("/spec/template/spec/securityContext/fsGroup"),
            Some(&json!(7))
        );
        assert_eq!(
            cron.pointer("/spec/jobTemplate/spec/template/spec/securityContext/fsGroup"),
            Some(&json!(7))
        );
        assert_eq!(
            bare.pointer("/spec/securityContext/fsGroup"),
            Some(&json!(7))
        );
    }

    /// A pod on UPDATE is left alone, as PSP did; a controller is not.
    #[test]
    fn pods_change_on_create_only() {
        let p = psp("  fsGroup: {rule: MustRunAs, ranges: [{min: 7, max: 9}]}\n");
        let program = mutating(
            &[intent_of(&p)],
            Access::Everyone,
            &PodRoot::pod_or_template(),
        );
        let conditions = [crate::cel::Variable {
            name: "pods-on-create-only".into(),
            expression: POD_CREATE_ONLY.into(),
        }];
        let engine = Engine::from_parts(&conditions, &program.variables, &[]).unwrap();
        let update = Request {
            operation: "UPDATE".into(),
            ..request()
        };
        let mut pod =
            json!({"kind": "Pod", "metadata": {}, "spec": {"containers": [{"name": "a"}]}});
        assert_eq!(apply(&engine, &mut pod, &update).unwrap(), 0);
        let mut deployment = json!({"kind": "Deployment", "metadata": {}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}});
        assert!(apply(&engine, &mut deployment, &update).unwrap() > 0);
    }
}
