//! Differential test of the vap target against the PSP simulator: the documents the target
//! emits (policy, binding, mutating policy and its binding), read back the way `verify` reads
//! them and run with their scope in the embedded CEL engine, end where the plugin did, for
//! generated PSPs, RBAC, namespaces, service accounts, users and pods, the pods submitted bare or
//! inside a Deployment or a CronJob. The generators are the CEL differential test's
//! (`tests/common`).

mod common;

use std::collections::BTreeMap;

use common::podgen::psp;
use common::rbacgen::{grants, named, placed_pod};
use k8s_openapi::api::core::v1::Pod;
use podsec_migrate::cel::eval::mutation::comparable;
use podsec_migrate::cel::eval::Request;
use podsec_migrate::intent::{intent_of, Intent};
use podsec_migrate::psp::Psp;
use podsec_migrate::pss::Version;
use podsec_migrate::scope::{Identity, Scopes};
use podsec_migrate::simulate::{apply_api_defaults, choose, Choice};
use podsec_migrate::targets::vap::{self, Action};
use podsec_migrate::verify::vap::{from_texts, pod_of, template_pointer, Vap};
use proptest::prelude::*;
use serde_json::{json, Value};

/// How the pod reaches admission.
#[derive(Debug, Clone, Copy)]
enum Form {
    Pod,
    Deployment,
    CronJob,
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![Just(Form::Pod), Just(Form::Deployment), Just(Form::CronJob)]
}

/// The target's documents for `intents` under `scopes` at `version`, read back.
fn target(intents: &[Intent], scopes: &Scopes, version: Version) -> Vap {
    let docs = vap::documents(intents, Some(scopes), version, &[Action::Deny], "");
    let text = |path: &'static str| {
        docs.iter()
            .find(|d| d.path == path)
            .map(|d| (path, d.content.as_str()))
    };
    let mutating = text(vap::MUTATING_PATH).zip(text(vap::MUTATING_BINDING_PATH));
    from_texts(
        text(vap::POLICY_PATH).expect("a validating policy"),
        text(vap::BINDING_PATH).expect("its binding"),
        mutating,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The pod as the API server hands it to admission (its defaulting applied), as JSON.
fn submitted(pod: &Pod) -> Value {
    let mut pod = pod.clone();
    apply_api_defaults(&mut pod);
    serde_json::to_value(&pod).expect("a pod serialises")
}

/// The object admission receives: the pod, or a controller in `ns` holding it as template.
fn object(form: Form, pod: &Value, ns: &str) -> (Value, Option<&'static str>) {
    let template = json!({"metadata": pod["metadata"], "spec": pod["spec"]});
    let (api, kind, spec) = match form {
        Form::Pod => return (pod.clone(), None),
        Form::Deployment => (
            "apps/v1",
            "Deployment",
            json!({"selector": {}, "template": template}),
        ),
        Form::CronJob => (
            "batch/v1",
            "CronJob",
            json!({"schedule": "@daily", "jobTemplate": {"spec": {"template": template}}}),
        ),
    };
    (
        json!({"apiVersion": api, "kind": kind, "metadata": {"name": "w", "namespace": ns}, "spec": spec}),
        Some(template_pointer(kind)),
    )
}

fn labels(ns: &str) -> BTreeMap<String, String> {
    [("kubernetes.io/metadata.name".to_string(), ns.to_string())].into()
}

/// The PSPs usable by the pod's service account in `ns` and by `user`.
fn candidates<'a>(
    psps: &'a [Psp],
    scopes: &Scopes,
    pod: &Pod,
    ns: &str,
    user: Option<&Identity>,
) -> Vec<&'a Psp> {
    let all: std::collections::BTreeSet<String> = psps.iter().map(|p| p.name.clone()).collect();
    let sa = pod
        .spec
        .as_ref()
        .unwrap()
        .service_account_name
        .as_deref()
        .unwrap();
    let mut usable = scopes.usable(&Identity::service_account(ns, sa), ns, &all);
    if let Some(u) = user {
        usable.extend(scopes.usable(u, ns, &all));
    }
    psps.iter().filter(|p| usable.contains(&p.name)).collect()
}

fn request(ns: &str, user: Option<&Identity>) -> Request {
    match user {
        Some(u) => Request {
            namespace: ns.into(),
            username: u.user.clone(),
            groups: u.groups.clone(),
            operation: "CREATE".into(),
        },
        None => Request {
            namespace: ns.into(),
            username: "someone".into(),
            groups: vec!["system:authenticated".into()],
            operation: "CREATE".into(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, failure_persistence: None, ..ProptestConfig::default() })]

    /// With the mutating policy (the newest API): a pod, Deployment or CronJob is let through
    /// exactly when the plugin admitted the pod among the PSPs it could use, and its pod ends
    /// as the plugin stored it; a denied one is left unchanged.
    #[test]
    fn the_emitted_policies_end_where_the_plugin_did(
        (psps, scopes) in proptest::collection::vec(psp(), 1..4).prop_flat_map(|ps| { let n = ps.len(); (Just(ps), grants(n)) }),
        (pod, ns, user) in placed_pod(),
        form in form(),
    ) {
        let psps = named(psps);
        let intents: Vec<Intent> = psps.iter().map(intent_of).collect();
        let v = target(&intents, &scopes, Version::Latest);
        let submitted_pod = submitted(&pod);
        let (mut obj, at) = object(form, &submitted_pod, &ns);
        let d = v.admit(&mut obj, &request(&ns, user.as_ref()), &labels(&ns)).unwrap_or_else(|e| panic!("{e}"));
        let ended = pod_of(&obj, at);
        match choose(&candidates(&psps, &scopes, &pod, &ns, user.as_ref()), pod.spec.as_ref().unwrap(), &pod.metadata) {
            Choice::Denied { .. } => {
                prop_assert!(!d.enforced, "{:?}: the policy admits a pod no usable PSP admits", form);
                prop_assert_eq!(comparable(ended), comparable(submitted_pod), "{:?}: patches applied to a denied pod", form);
            }
            Choice::Admitted { psp, pod: stored, .. } => {
                prop_assert!(d.enforced, "{:?}: the policy denies the pod {} admitted: {:?}", form, psp, d.message);
                prop_assert_eq!(comparable(ended), comparable(serde_json::to_value(&*stored).unwrap()), "{:?} {}", form, psp);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    /// Before 1.34 (no MutatingAdmissionPolicy): what the plugin admitted unchanged is admitted,
    /// what it denied is denied, and what it admitted only after a PSP's defaults is refused,
    /// the loss the fidelity rows declare (`mutation_dropped`, and `stricter` for the field).
    #[test]
    fn without_the_mutating_policy_only_pods_that_relied_on_defaults_differ(
        (psps, scopes) in proptest::collection::vec(psp(), 1..4).prop_flat_map(|ps| { let n = ps.len(); (Just(ps), grants(n)) }),
        (pod, ns, user) in placed_pod(),
        form in form(),
    ) {
        let psps = named(psps);
        let intents: Vec<Intent> = psps.iter().map(intent_of).collect();
        let v = target(&intents, &scopes, Version::Minor(33));
        prop_assert!(v.mutating.is_none());
        let (mut obj, _) = object(form, &submitted(&pod), &ns);
        let d = v.admit(&mut obj, &request(&ns, user.as_ref()), &labels(&ns)).unwrap_or_else(|e| panic!("{e}"));
        let usable = candidates(&psps, &scopes, &pod, &ns, user.as_ref());
        match choose(&usable, pod.spec.as_ref().unwrap(), &pod.metadata) {
            Choice::Denied { .. } => prop_assert!(!d.enforced, "{:?}: admits a pod no usable PSP admits", form),
            Choice::Admitted { mutations, psp, .. } if mutations.is_empty() => {
                prop_assert!(d.enforced, "{:?}: denies a pod {} admitted unchanged: {:?}", form, psp, d.message)
            }
            Choice::Admitted { .. } => {
                // Admitted only after the chosen PSP's defaults: refused here when a check the
                // default satisfied fails without it (`stricter`), admitted when the default
                // filled a field no check reads; the default itself is lost either way
                // (`mutation_dropped`). Both are declared; nothing more to hold.
            }
        }
    }
}

/// The generated cases reach the outcomes that matter, for every form: admitted after the
/// chosen PSP's defaults, and denied (the property above is not vacuous).
#[test]
fn generators_reach_every_outcome_in_every_form() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for _ in 0..300 {
        let ps = named(
            proptest::collection::vec(psp(), 1..4)
                .new_tree(&mut runner)
                .unwrap()
                .current(),
        );
        let scopes = grants(ps.len()).new_tree(&mut runner).unwrap().current();
        let (p, ns, user) = placed_pod().new_tree(&mut runner).unwrap().current();
        let f = form().new_tree(&mut runner).unwrap().current();
        let intents: Vec<Intent> = ps.iter().map(intent_of).collect();
        let v = target(&intents, &scopes, Version::Latest);
        let (mut obj, _) = object(f, &submitted(&p), &ns);
        let d = v
            .admit(&mut obj, &request(&ns, user.as_ref()), &labels(&ns))
            .unwrap();
        let outcome = match choose(
            &candidates(&ps, &scopes, &p, &ns, user.as_ref()),
            p.spec.as_ref().unwrap(),
            &p.metadata,
        ) {
            Choice::Denied { .. } => "denied",
            Choice::Admitted { mutations, .. } if mutations.is_empty() => "unchanged",
            Choice::Admitted { .. } => "after defaults",
        };
        assert_eq!(d.enforced, outcome != "denied");
        *seen.entry((format!("{f:?}"), outcome)).or_default() += 1;
    }
    for f in ["Pod", "Deployment", "CronJob"] {
        let n = |outcome: &str| seen.get(&(f.to_string(), outcome)).copied().unwrap_or(0);
        // The generated PSPs nearly always have a default the pod lacks, so "unchanged" is
        // rare; admitted (either way), admitted after defaults and denied must all be reached.
        assert!(n("denied") >= 20, "{f} denied ({seen:?})");
        assert!(n("after defaults") >= 5, "{f} after defaults ({seen:?})");
        assert!(
            n("after defaults") + n("unchanged") >= 5,
            "{f} admitted ({seen:?})"
        );
    }
}
