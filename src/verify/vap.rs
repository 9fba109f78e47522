//! Reads the vap target's policies back from an output directory into the embedded engine, with
//! what decides whether they apply at all: the policies' `matchConstraints` (which kinds and
//! operations) and `matchConditions`, the bindings' `namespaceSelector`, and the validating
//! binding's `validationActions` (a dry run refuses nothing). The objects are the ones the API
//! server would hand over: a Pod, or a pod controller with its template inside.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::kyverno::{list, named, read_one_text, string};
use crate::cel::eval::mutation::JSON_PATCH_EXPRESSION;
use crate::cel::eval::{mutation, Engine, Request, Validation};
use crate::load::{Object, ObjectKind, Workload};
use crate::targets::vap::{BINDING_PATH, MUTATING_BINDING_PATH, MUTATING_PATH, POLICY_PATH};

/// Which requests one policy and its binding apply to.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `(group, resource, operations)` from the policy's `matchConstraints.resourceRules`.
    rules: Vec<(Vec<String>, Vec<String>, Vec<String>)>,
    /// The binding's `matchResources.namespaceSelector`, when it has one.
    selector: Option<Value>,
}

/// The vap target of one directory, ready to run.
pub struct Vap {
    pub validating: Engine,
    validating_scope: Scope,
    /// The validating binding's `validationActions`.
    pub actions: Vec<String>,
    pub mutating: Option<(Engine, Scope)>,
}

/// The file `verify` names for the target.
pub fn policy_file(dir: &Path) -> std::path::PathBuf {
    dir.join(POLICY_PATH)
}

/// The vap target in `dir`, when `convert` wrote one.
pub fn load(dir: &Path) -> Result<Option<Vap>, String> {
    let read = |p: &str| -> Result<Option<(String, String)>, String> {
        let path = dir.join(p);
        if !path.is_file() {
            return Ok(None);
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Some((path.display().to_string(), text)))
    };
    let Some(policy) = read(POLICY_PATH)? else {
        return Ok(None);
    };
    let binding = read(BINDING_PATH)?.ok_or_else(|| {
        format!("{}: the ValidatingAdmissionPolicy has no binding ({BINDING_PATH}): it would not be in force", dir.display())
    })?;
    let mutating = match (read(MUTATING_PATH)?, read(MUTATING_BINDING_PATH)?) {
        (Some(p), Some(b)) => Some((p, b)),
        (Some(_), None) => {
            return Err(format!(
                "{}: the MutatingAdmissionPolicy has no binding ({MUTATING_BINDING_PATH})",
                dir.display()
            ))
        }
        _ => None,
    };
    from_texts(
        pair(&policy),
        pair(&binding),
        mutating.as_ref().map(|(p, b)| (pair(p), pair(b))),
    )
    .map(Some)
}

fn pair((file, text): &(String, String)) -> Named<'_> {
    (file.as_str(), text.as_str())
}

/// A (file name, text) pair.
type Named<'a> = (&'a str, &'a str);

/// The target from the texts of its documents, each with the file name errors give.
pub fn from_texts(
    policy: Named<'_>,
    binding: Named<'_>,
    mutating: Option<(Named<'_>, Named<'_>)>,
) -> Result<Vap, String> {
    let (file, text) = policy;
    let doc = read_one_text(file, text, "ValidatingAdmissionPolicy")?;
    let spec = &doc["spec"];
    let validations = list(spec, "validations")
        .iter()
        .map(|v| {
            let expression =
                string(v, "expression").map_err(|e| format!("{file}: spec.validations: {e}"))?;
            let message_expression = match (v.get("messageExpression"), v.get("message")) {
                (Some(Value::String(m)), _) => m.clone(),
                (_, Some(Value::String(m))) => crate::cel::lit::string(m),
                _ => crate::cel::lit::string("denied by the ValidatingAdmissionPolicy"),
            };
            Ok(Validation {
                expression,
                message_expression,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if validations.is_empty() {
        return Err(format!(
            "{file}: the ValidatingAdmissionPolicy has no validations"
        ));
    }
    let validating = Engine::from_parts(
        &named(spec, "matchConditions", file)?,
        &named(spec, "variables", file)?,
        &validations,
    )
    .map_err(|e| format!("{file}: {e}"))?;
    let (bfile, btext) = binding;
    let b = read_one_text(bfile, btext, "ValidatingAdmissionPolicyBinding")?;
    check_policy_name(&b, &doc, bfile)?;
    let actions: Vec<String> = list(&b["spec"], "validationActions")
        .iter()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    let validating_scope = scope(spec, &b);
    let mutating = match mutating {
        None => None,
        Some(((file, text), (bfile, btext))) => {
            let doc = read_one_text(file, text, "MutatingAdmissionPolicy")?;
            let spec = &doc["spec"];
            let expression = match list(spec, "mutations") {
                [m] if m["patchType"] == "JSONPatch" => m["jsonPatch"]["expression"].as_str(),
                _ => None,
            };
            if expression.map(str::trim) != Some(JSON_PATCH_EXPRESSION) {
                return Err(format!(
                    "{file}: expected one JSONPatch mutation `{JSON_PATCH_EXPRESSION}`; verify runs only that form"
                ));
            }
            let engine = Engine::from_parts(
                &named(spec, "matchConditions", file)?,
                &named(spec, "variables", file)?,
                &[],
            )
            .map_err(|e| format!("{file}: {e}"))?;
            let b = read_one_text(bfile, btext, "MutatingAdmissionPolicyBinding")?;
            check_policy_name(&b, &doc, bfile)?;
            Some((engine, scope(spec, &b)))
        }
    };
    Ok(Vap {
        validating,
        validating_scope,
        actions,
        mutating,
    })
}

/// A binding names the policy it puts in force.
fn check_policy_name(binding: &Value, policy: &Value, file: &str) -> Result<(), String> {
    if binding["spec"]["policyName"] != policy["metadata"]["name"] {
        return Err(format!(
            "{file}: the binding's policyName {} is not the policy's name {}",
            binding["spec"]["policyName"], policy["metadata"]["name"]
        ));
    }
    Ok(())
}

fn scope(spec: &Value, binding: &Value) -> Scope {
    let strings = |v: &Value, k: &str| -> Vec<String> {
        list(v, k)
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let rules = list(&spec["matchConstraints"], "resourceRules")
        .iter()
        .map(|r| {
            (
                strings(r, "apiGroups"),
                strings(r, "resources"),
                strings(r, "operations"),
            )
        })
        .collect();
    let selector = binding["spec"]["matchResources"]
        .get("namespaceSelector")
        .cloned();
    Scope { rules, selector }
}

/// The API group and resource of a kind the policies can match, with `sub` as subresource.
fn resource(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("", "pods"),
        "ReplicationController" => ("", "replicationcontrollers"),
        "Deployment" => ("apps", "deployments"),
        "ReplicaSet" => ("apps", "replicasets"),
        "StatefulSet" => ("apps", "statefulsets"),
        "DaemonSet" => ("apps", "daemonsets"),
        "Job" => ("batch", "jobs"),
        "CronJob" => ("batch", "cronjobs"),
        _ => return None,
    })
}

impl Scope {
    /// Whether a request of `operation` on an object of `kind` in a namespace labelled
    /// `labels` is matched.
    pub fn applies(&self, kind: &str, operation: &str, labels: &BTreeMap<String, String>) -> bool {
        let Some((group, res)) = resource(kind) else {
            return false;
        };
        let any = |l: &[String], x: &str| l.iter().any(|v| v == "*" || v == x);
        let ruled = self
            .rules
            .iter()
            .any(|(g, r, o)| any(g, group) && any(r, res) && any(o, operation));
        ruled && self.selector.as_ref().is_none_or(|s| selects(s, labels))
    }
}

/// A label selector on `labels`: every `matchLabels` entry and every `matchExpressions`
/// requirement holds (an operator this does not know selects nothing).
fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    let by_label = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let by_expression = list(selector, "matchExpressions").iter().all(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = list(e, "values").iter().filter_map(Value::as_str).collect();
        let have = labels.get(key);
        match e["operator"].as_str() {
            Some("In") => have.is_some_and(|v| values.contains(&v.as_str())),
            Some("NotIn") => have.is_none_or(|v| !values.contains(&v.as_str())),
            Some("Exists") => have.is_some(),
            Some("DoesNotExist") => have.is_none(),
            _ => false,
        }
    });
    by_label && by_expression
}

/// The labels of namespace `ns`: those of its Namespace object in the input, and the name label
/// the API server sets on every namespace.
pub fn namespace_labels(objects: &[Object], ns: &str) -> BTreeMap<String, String> {
    let mut labels: BTreeMap<String, String> = objects
        .iter()
        .find_map(|o| match &o.kind {
            ObjectKind::Namespace(n) if n.metadata.name.as_deref() == Some(ns) => {
                n.metadata.labels.clone()
            }
            _ => None,
        })
        .map(|l| l.into_iter().collect())
        .unwrap_or_default();
    labels.insert("kubernetes.io/metadata.name".into(), ns.to_string());
    labels
}

/// What the target did with one object.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The policy's own verdict (true where it does not apply).
    pub admitted: bool,
    /// Whether the request goes through: admitted, or the binding does not deny.
    pub enforced: bool,
    pub message: Option<String>,
    /// Whether the mutating policy applied (it applies where its scope says, patches or not).
    pub mutated: bool,
}

impl Vap {
    /// Whether the binding refuses what the policy rejects.
    pub fn denies(&self) -> bool {
        self.actions.iter().any(|a| a == "Deny")
    }

    /// Runs the mutating policy (where it applies) on `object` in place, then the validating
    /// policy (where it applies).
    pub fn admit(
        &self,
        object: &mut Value,
        request: &Request,
        labels: &BTreeMap<String, String>,
    ) -> Result<Decision, String> {
        let kind = object["kind"].as_str().unwrap_or_default().to_string();
        let op = request.operation.as_str();
        let mut mutated = false;
        if let Some((engine, scope)) = &self.mutating {
            if scope.applies(&kind, op, labels) {
                mutation::apply(engine, object, request).map_err(|e| format!("mutation: {e}"))?;
                mutated = true;
            }
        }
        if !self.validating_scope.applies(&kind, op, labels) {
            return Ok(Decision {
                admitted: true,
                enforced: true,
                message: None,
                mutated,
            });
        }
        let out = self.validating.evaluate(object, request)?;
        Ok(Decision {
            admitted: out.admitted,
            enforced: out.admitted || !self.denies(),
            message: out.message,
            mutated,
        })
    }
}

/// Where a controller of `kind` holds its pod template, as a JSON pointer.
pub fn template_pointer(kind: &str) -> &'static str {
    match kind {
        "CronJob" => "/spec/jobTemplate/spec/template",
        _ => "/spec/template",
    }
}

/// The object the API server hands to admission for `obj`: `pod` (a Pod as JSON, defaulted)
/// itself for a Pod or a PodTemplate (whose pods are judged as pods), else the controller with
/// `pod`'s metadata and spec as its template. With it, where the template is (`None` for a pod).
pub fn admission_object(
    obj: &Object,
    pod: &Value,
) -> Result<(Value, Option<&'static str>), String> {
    let ObjectKind::Workload(w) = &obj.kind else {
        return Ok((pod.clone(), None));
    };
    let json = match w.as_ref() {
        Workload::Deployment(w) => serde_json::to_value(w),
        Workload::StatefulSet(w) => serde_json::to_value(w),
        Workload::DaemonSet(w) => serde_json::to_value(w),
        Workload::ReplicaSet(w) => serde_json::to_value(w),
        Workload::ReplicationController(w) => serde_json::to_value(w),
        Workload::Job(w) => serde_json::to_value(w),
        Workload::CronJob(w) => serde_json::to_value(w),
        Workload::PodTemplate(_) => return Ok((pod.clone(), None)),
    };
    let mut json = json.map_err(|e| e.to_string())?;
    let at = template_pointer(w.kind());
    let template = json
        .pointer_mut(at)
        .ok_or_else(|| format!("{} has no pod template at {at}", w.kind()))?;
    *template = serde_json::json!({"metadata": pod["metadata"], "spec": pod["spec"]});
    Ok((json, Some(at)))
}

/// The pod inside `object` at `at` (the object itself without), as a Pod's JSON.
pub fn pod_of(object: &Value, at: Option<&str>) -> Value {
    match at.and_then(|p| object.pointer(p)) {
        Some(t) => {
            serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": t["metadata"], "spec": t["spec"]})
        }
        None => object.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_match_as_the_api_server_does() {
        let labels: BTreeMap<String, String> = [(
            "kubernetes.io/metadata.name".to_string(),
            "kube-system".to_string(),
        )]
        .into();
        let not_in = json!({"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]}]});
        assert!(!selects(&not_in, &labels));
        let other: BTreeMap<String, String> = [(
            "kubernetes.io/metadata.name".to_string(),
            "apps".to_string(),
        )]
        .into();
        assert!(selects(&not_in, &other));
        assert!(selects(
            &json!({"matchLabels": {"kubernetes.io/metadata.name": "apps"}}),
            &other
        ));
        assert!(!selects(
            &json!({"matchExpressions": [{"key": "team", "operator": "Exists"}]}),
            &other
        ));
    }
}
