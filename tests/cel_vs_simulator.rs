//! Differential tests of the CEL backend against the PSP simulator: the emitted validating
//! program, run in the embedded CEL engine, admits a pod exactly when the simulator does (on the
//! pod as the simulator's chosen PSP left it), and never admits, as submitted, a pod the
//! simulator denies.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::podgen::{pod, psp};
use k8s_openapi::api::core::v1::Pod;
use podsec_migrate::cel::{validating, Access, PodRoot};
use podsec_migrate::intent::{intent_of, Intent};
use podsec_migrate::load::{load_inputs, LoadOptions};
use podsec_migrate::psp::Psp;
use podsec_migrate::replay::{self, has_rbac};
use podsec_migrate::scope::Scopes;
use podsec_migrate::simulate::{choose, evaluate, Admission, Choice};
use podsec_migrate::verify::cel::{Engine, Request};
use proptest::prelude::*;

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

/// PSPs named `p0`, `p1`, ... so the simulator's name order is their index order.
fn named(psps: Vec<Psp>) -> Vec<Psp> {
    psps.into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            p.name = format!("p{i}");
            p
        })
        .collect()
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
