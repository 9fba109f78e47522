//! A Kyverno CLI test suite (`kyverno test DIR/kyverno`): the input's own pods and pod
//! templates, and probe pods that exercise every PSP field in each RBAC situation of the input,
//! each with the simulator's verdict as the expected result.
//!
//! Two tests, so the result does not depend on whether the CLI mutates before it validates:
//! `tests/validating` judges each pod as the plugin stored it (after the chosen PSP's defaults)
//! or, when denied, as submitted; `tests/mutating` submits the pods the plugin changed and
//! expects them changed as the chosen PSP's patches change them in the embedded engine, kept
//! only where that equals the plugin's pod (capability lists in the policy's order): so the
//! suite tests the policy's choice of PSP against the plugin's. The ClusterPolicy form
//! has only `tests/validating`, against the ClusterPolicy's rule.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;
use serde_json::{json, Value};
use tera::Context;

use super::{CLUSTER_POLICY_NAME, CLUSTER_POLICY_RULE, MUTATING_NAME, POLICY_NAME};
use crate::cel::eval::{mutation, Engine, Request};
use crate::cel::{self, PodRoot};
use crate::intent::Intent;
use crate::load::Loaded;
use crate::psp::Psp;
use crate::render::{render, yaml_safe_json, Document};
use crate::replay;
use crate::scope::{Identity, Scopes};
use crate::simulate::{apply_api_defaults, choose, Choice};

/// One pod of the suite: where it runs, as submitted and as the plugin left it.
struct Case {
    name: String,
    submitted: Value,
    /// `Some(pod)` when admitted (the stored pod, mutated or not); `None` when denied.
    stored: Option<Value>,
    mutated: bool,
    /// The PSP the plugin chose, when it changed the pod.
    chosen: Option<String>,
}

/// Which policies the suite tests.
pub enum Form<'a> {
    /// The ValidatingPolicy, and the MutatingPolicy where there is one (with the intents whose
    /// defaults it applies).
    Policies(Option<&'a [Intent]>),
    /// The ClusterPolicy's rule; no mutation.
    ClusterPolicy,
}

/// The suite's documents; none when the input holds no pod, template or usable placement.
pub fn documents(loaded: &Loaded, scopes: Option<&Scopes>, form: Form<'_>) -> Vec<Document> {
    let psps: BTreeMap<&str, &Psp> = loaded.psps().map(|(_, p)| (p.name.as_str(), p)).collect();
    let mut cases = input_cases(loaded, &psps);
    cases.extend(probe_cases(&psps, scopes));
    unique_names(&mut cases);
    if cases.is_empty() {
        return Vec::new();
    }
    match form {
        Form::Policies(mutating) => {
            let mut out = validating(&cases, &VALIDATING_POLICY);
            if let Some(intents) = mutating {
                out.extend(mutating_suite(&cases, intents));
            }
            out
        }
        Form::ClusterPolicy => validating(&cases, &CLUSTER_POLICY),
    }
}

/// The input's pods and pod templates, as the replay of the plugin judged them.
fn input_cases(loaded: &Loaded, psps: &BTreeMap<&str, &Psp>) -> Vec<Case> {
    let report = replay::simulate(loaded, &replay::Options::default());
    let views = loaded.objects.iter().filter_map(|o| o.pod_view());
    views
        .zip(&report.results)
        .map(|(view, r)| {
            let mut pod = Pod {
                metadata: view.meta.clone(),
                spec: Some(view.spec.clone()),
                status: None,
            };
            pod.metadata.namespace = Some(r.namespace.clone());
            let base = format!(
                "{}-{}",
                r.kind.to_lowercase(),
                r.name.as_deref().unwrap_or("unnamed")
            );
            let chosen = r.psp.as_deref().and_then(|p| psps.get(p));
            case(base, pod, chosen.map(|p| vec![*p]).unwrap_or_default())
        })
        .collect()
}

/// A case from a pod and the PSPs it may use.
fn case(name: String, mut pod: Pod, usable: Vec<&Psp>) -> Case {
    pod.metadata.name = Some(name.clone());
    let spec = pod.spec.clone().unwrap_or_default();
    let choice = choose(&usable, &spec, &pod.metadata);
    apply_api_defaults(&mut pod);
    let submitted = serde_json::to_value(&pod).unwrap_or(Value::Null);
    let (stored, chosen) = match choice {
        Choice::Admitted {
            pod,
            mutations,
            psp,
        } => {
            let stored = serde_json::to_value(&*pod).map(mutation::comparable).ok();
            (stored, (!mutations.is_empty()).then_some(psp))
        }
        Choice::Denied { .. } => (None, None),
    };
    Case {
        name,
        submitted,
        stored,
        mutated: chosen.is_some(),
        chosen,
    }
}

/// Probe pods, one set per distinct set of usable PSPs among the namespaces and service
/// accounts of the input (every PSP, once, without RBAC).
fn probe_cases(psps: &BTreeMap<&str, &Psp>, scopes: Option<&Scopes>) -> Vec<Case> {
    let all: BTreeSet<String> = psps.keys().map(|k| k.to_string()).collect();
    let mut placements: Vec<(String, String, BTreeSet<String>)> = Vec::new();
    match scopes {
        None => placements.push(("default".into(), "default".into(), all.clone())),
        Some(s) => {
            let mut seen = BTreeSet::new();
            for (ns, accounts) in &s.service_accounts {
                for sa in accounts {
                    let usable = s.usable(&Identity::service_account(ns, sa), ns, &all);
                    if !usable.is_empty() && seen.insert(usable.clone()) {
                        placements.push((ns.clone(), sa.clone(), usable));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, (ns, sa, usable)) in placements.iter().enumerate() {
        let usable: Vec<&Psp> = usable
            .iter()
            .filter_map(|n| psps.get(n.as_str()).copied())
            .collect();
        for (kind, spec) in probes() {
            let mut spec = spec;
            spec["serviceAccountName"] = json!(sa);
            let pod: Pod = match serde_json::from_value(json!({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"namespace": ns},
                "spec": spec,
            })) {
                Ok(p) => p,
                Err(_) => continue,
            };
            out.push(case(format!("probe-{i}-{kind}"), pod, usable.clone()));
        }
    }
    out
}

/// The probe pods: one that sets nothing, one hardened, and one per field a PSP restricts.
fn probes() -> Vec<(&'static str, Value)> {
    let c = |sc: Value| json!({"containers": [{"name": "app", "image": "busybox", "securityContext": sc}]});
    vec![
        (
            "minimal",
            json!({"containers": [{"name": "app", "image": "busybox"}]}),
        ),
        (
            "hardened",
            json!({
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000, "supplementalGroups": [1000], "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "app", "image": "busybox", "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}}]
            }),
        ),
        ("privileged", c(json!({"privileged": true}))),
        ("root", c(json!({"runAsUser": 0}))),
        ("escalation", c(json!({"allowPrivilegeEscalation": true}))),
        (
            "capabilities",
            c(json!({"capabilities": {"add": ["NET_ADMIN", "SYS_ADMIN"]}})),
        ),
        ("proc-mount", c(json!({"procMount": "Unmasked"}))),
        ("selinux", c(json!({"seLinuxOptions": {"type": "spc_t"}}))),
        (
            "host-namespaces",
            json!({"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": [{"name": "app", "image": "busybox"}]}),
        ),
        (
            "host-port",
            json!({"containers": [{"name": "app", "image": "busybox", "ports": [{"containerPort": 80, "hostPort": 80}]}]}),
        ),
        (
            "host-path",
            json!({
                "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}],
                "containers": [{"name": "app", "image": "busybox", "volumeMounts": [{"name": "logs", "mountPath": "/logs"}]}]
            }),
        ),
        (
            "nfs",
            json!({"volumes": [{"name": "v", "nfs": {"server": "nfs.example", "path": "/"}}], "containers": [{"name": "app", "image": "busybox"}]}),
        ),
        (
            "sysctl",
            json!({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}, "containers": [{"name": "app", "image": "busybox"}]}),
        ),
        (
            "unconfined",
            json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "app", "image": "busybox"}]}),
        ),
    ]
}

/// Names unique across the suite (the CLI names results by resource name).
fn unique_names(cases: &mut [Case]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for c in cases.iter_mut() {
        let n = seen.entry(c.name.clone()).or_default();
        *n += 1;
        if *n > 1 {
            c.name = format!("{}-{n}", c.name);
        }
        for doc in [Some(&mut c.submitted), c.stored.as_mut()]
            .into_iter()
            .flatten()
        {
            doc["metadata"]["name"] = json!(c.name);
        }
    }
}

/// One expected result: `pass` or `fail` for the named pods.
#[derive(Serialize)]
struct Expected {
    result: &'static str,
    resources: Vec<String>,
    patched: bool,
}

/// The policy a test names, and how a result points at it.
struct Tested {
    /// The policy's name.
    policy: &'static str,
    /// Its file, relative to the test's folder.
    file: &'static str,
    /// The result's flag naming the policy type (`isValidatingPolicy`), for the CEL types.
    kind_flag: Option<&'static str>,
    /// The rule, for a ClusterPolicy.
    rule: Option<&'static str>,
}

const VALIDATING_POLICY: Tested = Tested {
    policy: POLICY_NAME,
    file: "../../validating-policy.yaml",
    kind_flag: Some("isValidatingPolicy"),
    rule: None,
};

const MUTATING_POLICY: Tested = Tested {
    policy: MUTATING_NAME,
    file: "../../mutating-policy.yaml",
    kind_flag: Some("isMutatingPolicy"),
    rule: None,
};

const CLUSTER_POLICY: Tested = Tested {
    policy: CLUSTER_POLICY_NAME,
    file: "../../cluster-policy.yaml",
    kind_flag: None,
    rule: Some(CLUSTER_POLICY_RULE),
};

fn test_file(
    dir: &str,
    name: &str,
    tested: &Tested,
    what: &str,
    results: Vec<Expected>,
) -> Document {
    let mut ctx = Context::new();
    ctx.insert("tool_version", env!("CARGO_PKG_VERSION"));
    ctx.insert("name", name);
    ctx.insert("policy", tested.policy);
    ctx.insert("policy_file", tested.file);
    ctx.insert("kind_flag", &tested.kind_flag);
    ctx.insert("rule", &tested.rule);
    ctx.insert("what", what);
    ctx.insert("results", &results);
    Document {
        path: format!("{dir}/kyverno-test.yaml"),
        content: render("kyverno/kyverno-test.yaml", &ctx),
    }
}

/// Pods as a YAML stream: one JSON document each (JSON is YAML), made safe for YAML readers.
fn stream(docs: &[&Value]) -> String {
    let mut out = String::new();
    for d in docs {
        let json = serde_json::to_string_pretty(d).unwrap_or_default();
        out.push_str("---\n");
        out.push_str(&yaml_safe_json(&json));
        out.push('\n');
    }
    out
}

fn validating(cases: &[Case], tested: &Tested) -> Vec<Document> {
    const DIR: &str = "kyverno/tests/validating";
    let docs: Vec<&Value> = cases
        .iter()
        .map(|c| c.stored.as_ref().unwrap_or(&c.submitted))
        .collect();
    let pass: Vec<String> = cases
        .iter()
        .filter(|c| c.stored.is_some())
        .map(|c| c.name.clone())
        .collect();
    let fail: Vec<String> = cases
        .iter()
        .filter(|c| c.stored.is_none())
        .map(|c| c.name.clone())
        .collect();
    let results = [("pass", pass), ("fail", fail)]
        .into_iter()
        .filter(|(_, r)| !r.is_empty())
        .map(|(result, resources)| Expected {
            result,
            resources,
            patched: false,
        })
        .collect();
    vec![
        test_file(
            DIR,
            "podsec-migrate-validating",
            tested,
            "each pod as the plugin stored it (or, when denied, as submitted)",
            results,
        ),
        Document {
            path: format!("{DIR}/resources.yaml"),
            content: stream(&docs),
        },
    ]
}

/// The pods the plugin changed, as submitted and as the chosen PSP's patches change them.
fn mutating_suite(cases: &[Case], intents: &[Intent]) -> Vec<Document> {
    const DIR: &str = "kyverno/tests/mutating";
    let mut engines: BTreeMap<&str, Option<Engine>> = BTreeMap::new();
    let mut submitted = Vec::new();
    let mut patched = Vec::new();
    let mut names = Vec::new();
    for c in cases.iter().filter(|c| c.mutated) {
        let Some(psp) = c.chosen.as_deref() else {
            continue;
        };
        let engine = engines
            .entry(psp)
            .or_insert_with(|| patches_engine(intents, psp));
        let Some(engine) = engine.as_ref() else {
            continue;
        };
        let ns = c.submitted["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default");
        let request = Request {
            namespace: ns.into(),
            username: "podsec-migrate:kyverno-test".into(),
            groups: vec!["system:authenticated".into()],
            operation: "CREATE".into(),
        };
        let mut object = c.submitted.clone();
        let applied = mutation::apply(engine, &mut object, &request);
        // Only pods the policy changes exactly as the plugin did (as sets) are expected here.
        if applied.is_ok() && Some(mutation::comparable(object.clone())) == c.stored {
            submitted.push(&c.submitted);
            names.push(c.name.clone());
            patched.push(object);
        }
    }
    if names.is_empty() {
        return Vec::new();
    }
    let patched_refs: Vec<&Value> = patched.iter().collect();
    vec![
        test_file(
            DIR,
            "podsec-migrate-mutating",
            &MUTATING_POLICY,
            "the pods the plugin changed, as submitted, each expected changed as the plugin changed it",
            vec![Expected {
                result: "pass",
                resources: names,
                patched: true,
            }],
        ),
        Document {
            path: format!("{DIR}/resources.yaml"),
            content: stream(&submitted),
        },
        Document {
            path: format!("{DIR}/patched.yaml"),
            content: stream(&patched_refs),
        },
    ]
}

/// The embedded engine running the patches of `psp` alone; `None` when no intent is named so or
/// its program does not compile (its cases are then left out of the suite).
fn patches_engine(intents: &[Intent], psp: &str) -> Option<Engine> {
    let intent = intents.iter().find(|i| i.psp == psp)?;
    let program = cel::mutating_one(intent, &PodRoot::pod_or_template());
    Engine::from_parts(&[], &program.variables, &[]).ok()
}
