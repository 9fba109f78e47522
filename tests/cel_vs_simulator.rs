//! Differential tests of the CEL backend against the PSP simulator: the emitted validating
//! program, run in the embedded CEL engine, admits a pod exactly when the simulator does (on the
//! pod as the simulator's chosen PSP left it), and never admits, as submitted, a pod the
//! simulator denies.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::podgen::{pod, psp};
use common::rbacgen::{grants, named, placed_pod};
use k8s_openapi::api::core::v1::Pod;
use podsec_migrate::cel::eval::mutation::{self, comparable};
use podsec_migrate::cel::eval::{Engine, Request};
use podsec_migrate::cel::{mutating, mutating_one, validating, Access, PodRoot};
use podsec_migrate::intent::{intent_of, Intent};
use podsec_migrate::load::{load_inputs, LoadOptions};
use podsec_migrate::psp::Psp;
use podsec_migrate::replay::{self, has_rbac};
use podsec_migrate::scope::{Identity, Scopes};
use podsec_migrate::simulate::{apply_api_defaults, choose, evaluate, Admission, Choice};
use proptest::prelude::*;
use serde_json::Value;

/// A requester with no grants of its own, so only the pod's service account counts (as in
/// `simulate` without `--user`).
fn request(namespace: &str) -> Request {
    Request {
        namespace: namespace.into(),
        username: "someone".into(),
        groups: vec!["system:authenticated".into()],
        operation: "CREATE".into(),
    }
}

fn engine(intents: &[Intent], access: Access<'_>) -> Engine {
    let program = validating(intents, access, &PodRoot::pod());
    Engine::new(&program).unwrap_or_else(|e| panic!("{e}"))
}

fn admitted_by(engine: &Engine, pod: &Pod, namespace: &str) -> (bool, Option<String>) {
    let json = serde_json::to_value(pod).expect("a pod serialises");
    let out = engine
        .evaluate(&json, &request(namespace))
        .unwrap_or_else(|e| panic!("evaluation failed: {e}"));
    (out.admitted, out.message)
}

fn mutator(intents: &[Intent], access: Access<'_>) -> Engine {
    let program = mutating(intents, access, &PodRoot::pod());
    Engine::from_parts(&[], &program.variables, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// The pod as the API server hands it to admission (its defaulting applied), as JSON.
fn submitted(pod: &Pod) -> Value {
    let mut pod = pod.clone();
    apply_api_defaults(&mut pod);
    serde_json::to_value(&pod).expect("a pod serialises")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2500, failure_persistence: None, ..ProptestConfig::default() })]

    /// One PSP: denied pods are denied as submitted; pods admitted unchanged are admitted as
    /// submitted; pods admitted after the PSP's defaults are admitted once those are applied.
    #[test]
    fn one_psp_decides_as_the_simulator(psp in psp(), pod in pod()) {
        let e = engine(&[intent_of(&psp)], Access::Everyone);
        let sim = evaluate(&psp, pod.spec.as_ref().unwrap(), &pod.metadata);
        let (raw, message) = admitted_by(&e, &pod, "default");
        match &sim.admission {
            Admission::Denied { failures } => prop_assert!(!raw, "CEL admits a pod the PSP denies: {failures:?}"),
            Admission::Admitted { mutations } if mutations.is_empty() => {
                prop_assert!(raw, "CEL denies a pod the PSP admits unchanged: {message:?}")
            }
            Admission::Admitted { mutations } => {
                let (after, message) = admitted_by(&e, &sim.pod, "default");
                prop_assert!(after, "CEL denies the pod after the PSP's defaults {mutations:?}: {message:?}");
            }
        }
    }

    /// Several PSPs, every one usable: OR, never AND; the plugin's choice is admitted.
    #[test]
    fn several_psps_are_ored(psps in proptest::collection::vec(psp(), 1..4), pod in pod()) {
        let psps = named(psps);
        let intents: Vec<Intent> = psps.iter().map(intent_of).collect();
        let e = engine(&intents, Access::Everyone);
        let refs: Vec<&Psp> = psps.iter().collect();
        let (raw, message) = admitted_by(&e, &pod, "default");
        match choose(&refs, pod.spec.as_ref().unwrap(), &pod.metadata) {
            Choice::Denied { failures } => prop_assert!(!raw, "CEL admits a pod every PSP denies: {failures:?}"),
            Choice::Admitted { mutations, pod: stored, psp } => {
                if mutations.is_empty() {
                    prop_assert!(raw, "CEL denies a pod {psp} admits unchanged: {message:?}");
                }
                let (after, message) = admitted_by(&e, &stored, "default");
                prop_assert!(after, "CEL denies the pod {psp} admitted: {message:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    /// The mutating program applies the defaults of the PSP the plugin would choose, and the
    /// validating program then admits exactly what the plugin admitted: the whole emitted pair
    /// ends where the plugin did, pod for pod; the chosen PSP's patches alone (`mutating_one`,
    /// which the Kyverno test suite expects with) change the pod exactly as the whole program.
    #[test]
    fn mutation_then_validation_ends_where_the_plugin_did(psps in proptest::collection::vec(psp(), 1..4), pod in pod()) {
        let psps = named(psps);
        let intents: Vec<Intent> = psps.iter().map(intent_of).collect();
        let (m, v) = (mutator(&intents, Access::Everyone), engine(&intents, Access::Everyone));
        let mut object = submitted(&pod);
        mutation::apply(&m, &mut object, &request("default")).unwrap_or_else(|e| panic!("{e}"));
        let out = v.evaluate(&object, &request("default")).unwrap_or_else(|e| panic!("{e}"));
        let refs: Vec<&Psp> = psps.iter().collect();
        match choose(&refs, pod.spec.as_ref().unwrap(), &pod.metadata) {
            Choice::Denied { failures } => {
                prop_assert!(!out.admitted, "CEL admits after mutation a pod every PSP denies: {failures:?}");
                prop_assert_eq!(object, submitted(&pod), "patches applied to a denied pod");
            }
            Choice::Admitted { psp, pod: stored, mutations } => {
                prop_assert!(out.admitted, "CEL denies the pod {} admitted: {:?}", psp, out.message);
                if !mutations.is_empty() {
                    // The chosen PSP's patches alone change the pod exactly as the whole program.
                    let intent = intents.iter().find(|i| i.psp == psp).unwrap();
                    let one = mutating_one(intent, &PodRoot::pod());
                    let one = Engine::from_parts(&[], &one.variables, &[]).unwrap_or_else(|e| panic!("{e}"));
                    let mut alone = submitted(&pod);
                    mutation::apply(&one, &mut alone, &request("default")).unwrap_or_else(|e| panic!("{e}"));
                    prop_assert_eq!(&alone, &object, "{} alone", psp);
                }
                let want = comparable(serde_json::to_value(&*stored).unwrap());
                prop_assert_eq!(comparable(object), want, "{}", psp);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    /// Under generated RBAC, across namespaces, service accounts and requesting users: the
    /// emitted pair admits exactly the pods the plugin admitted among the PSPs the pod could
    /// use, and stores the same pod.
    #[test]
    fn rbac_scoping_decides_as_the_plugin(
        (psps, scopes) in proptest::collection::vec(psp(), 1..4).prop_flat_map(|ps| { let n = ps.len(); (Just(ps), grants(n)) }),
        (pod, ns, user) in placed_pod(),
    ) {
        let psps = named(psps);
        let intents: Vec<Intent> = psps.iter().map(intent_of).collect();
        let access = Access::Rbac(&scopes);
        let (m, v) = (mutator(&intents, access), engine(&intents, access));
        let all: std::collections::BTreeSet<String> = psps.iter().map(|p| p.name.clone()).collect();
        let sa = Identity::service_account(&ns, pod.spec.as_ref().unwrap().service_account_name.as_deref().unwrap());
        let mut usable = scopes.usable(&sa, &ns, &all);
        if let Some(u) = &user {
            usable.extend(scopes.usable(u, &ns, &all));
        }
        let candidates: Vec<&Psp> = psps.iter().filter(|p| usable.contains(&p.name)).collect();
        let req = match &user {
            Some(u) => Request { namespace: ns.clone(), username: u.user.clone(), groups: u.groups.clone(), operation: "CREATE".into() },
            None => request(&ns),
        };
        let mut object = submitted(&pod);
        mutation::apply(&m, &mut object, &req).unwrap_or_else(|e| panic!("{e}"));
        let out = v.evaluate(&object, &req).unwrap_or_else(|e| panic!("{e}"));
        match choose(&candidates, pod.spec.as_ref().unwrap(), &pod.metadata) {
            Choice::Denied { .. } => {
                prop_assert!(!out.admitted, "CEL admits a pod no usable PSP ({:?}) admits", usable);
                prop_assert_eq!(object, submitted(&pod), "patches applied to a denied pod");
            }
            Choice::Admitted { psp, pod: stored, .. } => {
                prop_assert!(out.admitted, "CEL denies the pod {} admitted: {:?}", psp, out.message);
                prop_assert_eq!(comparable(object), comparable(serde_json::to_value(&*stored).unwrap()), "{}", psp);
            }
        }
    }
}

/// The fixtures folder.
fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every fixture's pods and pod templates, under the fixture's own RBAC: the CEL program
/// admits exactly the pods `simulate` admits (the stored pod, after the chosen PSP's defaults)
/// and denies the rest as submitted.
#[test]
fn fixtures_decide_as_simulate() {
    let mut checked = 0;
    for dir in std::fs::read_dir(fixtures()).expect("fixtures") {
        let dir = dir.expect("entry").path();
        let loaded = load_inputs(
            std::slice::from_ref(&dir),
            &LoadOptions {
                max_input_bytes: 64 << 20,
                rename_duplicates: true,
            },
        );
        if loaded.has_errors() {
            continue;
        }
        let psps: BTreeMap<String, &Psp> =
            loaded.psps().map(|(_, p)| (p.name.clone(), p)).collect();
        let intents: Vec<Intent> = psps.values().map(|p| intent_of(p)).collect();
        let scopes = Scopes::from_loaded(&loaded);
        let access = if has_rbac(&loaded) {
            Access::Rbac(&scopes)
        } else {
            Access::Everyone
        };
        let e = engine(&intents, access);
        let report = replay::simulate(&loaded, &replay::Options::default());
        let views = loaded
            .objects
            .iter()
            .filter_map(|o| Some((o, o.pod_view()?)));
        for ((obj, view), result) in views.zip(&report.results) {
            let ns = obj.namespace().unwrap_or_else(|| "default".into());
            let pod = Pod {
                metadata: view.meta.clone(),
                spec: Some(view.spec.clone()),
                status: None,
            };
            let (raw, message) = admitted_by(&e, &pod, &ns);
            let what = format!(
                "{} {} ({})",
                result.kind,
                result.name.as_deref().unwrap_or(""),
                result.source
            );
            match &result.psp {
                None => assert!(
                    !raw,
                    "{what}: CEL admits a pod simulate denies ({:?})",
                    result.reason
                ),
                Some(name) => {
                    let stored = evaluate(psps[name], view.spec, view.meta).pod;
                    let (after, message2) = admitted_by(&e, &stored, &ns);
                    assert!(
                        after,
                        "{what}: CEL denies the pod {name} admitted: {message2:?}"
                    );
                    if result.mutations.is_empty() {
                        assert!(
                            raw,
                            "{what}: CEL denies a pod {name} admits unchanged: {message:?}"
                        );
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 20,
        "only {checked} pods and templates in the fixtures"
    );
}

/// The properties above are not vacuous: over the same generators the CEL program both admits
/// and denies, and pods that need a PSP's defaults are denied as submitted and admitted after.
#[test]
fn generators_reach_every_outcome_in_cel() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut admitted, mut denied, mut needs_defaults) = (0, 0, 0);
    for _ in 0..300 {
        let p = psp().new_tree(&mut runner).unwrap().current();
        let q = pod().new_tree(&mut runner).unwrap().current();
        let e = engine(&[intent_of(&p)], Access::Everyone);
        let (raw, _) = admitted_by(&e, &q, "default");
        let sim = evaluate(&p, q.spec.as_ref().unwrap(), &q.metadata);
        match &sim.admission {
            Admission::Denied { .. } if !raw => denied += 1,
            Admission::Admitted { .. } if admitted_by(&e, &sim.pod, "default").0 => {
                admitted += 1;
                needs_defaults += usize::from(!raw);
            }
            _ => {}
        }
    }
    assert!(admitted > 30, "admitted {admitted}");
    assert!(denied > 30, "denied {denied}");
    assert!(needs_defaults > 5, "needs defaults {needs_defaults}");
}

/// A message names every usable PSP and what it refused.
#[test]
fn denial_message_names_each_psp_and_its_reason() {
    let dir = fixtures().join("simulate-psp-choice");
    let loaded = load_inputs(
        &[dir],
        &LoadOptions {
            max_input_bytes: 64 << 20,
            rename_duplicates: false,
        },
    );
    let intents: Vec<Intent> = loaded.psps().map(|(_, p)| intent_of(p)).collect();
    let e = engine(&intents, Access::Everyone);
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "x"},
        "spec": {"hostPID": true, "containers": [{"name": "app", "securityContext": {"privileged": true}}]}
    }))
    .unwrap();
    let (ok, message) = admitted_by(&e, &pod, "default");
    assert!(!ok);
    let message = message.expect("a message");
    assert!(
        message.starts_with("denied by every PodSecurityPolicy it may use:"),
        "{message}"
    );
    for i in &intents {
        assert!(message.contains(&format!("[{}: ", i.psp)), "{message}");
    }
    assert!(message.contains("hostPID is not allowed"), "{message}");
}
