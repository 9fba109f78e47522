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

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use tera::Context;

use super::{CLUSTER_POLICY_NAME, CLUSTER_POLICY_RULE, MUTATING_NAME, POLICY_NAME};
use crate::cel::eval::{mutation, Engine, Request};
use crate::cel::{self, PodRoot};
use crate::intent::Intent;
use crate::load::Loaded;
use crate::render::{render, yaml_safe_json, Document};
use crate::scope::Scopes;
use crate::targets::cases::{cases, Case};

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
    let cases = cases(loaded, scopes);
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
