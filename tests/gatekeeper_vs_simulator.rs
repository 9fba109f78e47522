//! Differential test of the Gatekeeper target against the PSP simulator: the emitted mutators
//! (applied with Gatekeeper's semantics), then the emitted Rego (regorus) and, on the same
//! mutated pod, the emitted CEL code block (the embedded CEL engine), decide every pod as
//! the plugin did among the PSPs the pod may use, across namespaces, service accounts and
//! requesting users; a disagreement fails unless the target's fidelity rows declare it (the
//! mutators cannot choose among PSPs or tell service accounts and users apart, nor apply an
//! AppArmor default). Every fixture's pods too. The counts are printed.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::podgen::psp;
use common::rbacgen::{grants, placed_pod};
use k8s_openapi::api::core::v1::Pod;
use podsec_migrate::cel::eval::{Engine, Request};
use podsec_migrate::cel::Access;
use podsec_migrate::intent::{intent_of, Intent};
use podsec_migrate::load::{load_inputs, LoadOptions};
use podsec_migrate::psp::Psp;
use podsec_migrate::replay::{self, has_rbac};
use podsec_migrate::scope::{Identity, Scopes};
use podsec_migrate::simulate::{apply_api_defaults, choose, Choice};
use podsec_migrate::targets::gatekeeper::fidelity::{ambiguities, declared};
use podsec_migrate::targets::gatekeeper::{apply::apply, cel, mutators, parameters, rego};
use podsec_migrate::verify::rego::Rego;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

fn engine() -> Rego {
    let mut modules = vec![("main.rego".to_string(), rego::MAIN.to_string())];
    modules.extend(
        rego::LIBS
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string())),
    );
    Rego::new(&modules).unwrap_or_else(|e| panic!("{e}"))
}

/// The CEL code block, compiled once; each case sets its parameters.
fn cel_engine() -> Engine {
    Engine::from_parts(&[], &cel::variables(), &[cel::validation()])
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The pod as the API server hands it to admission, as JSON.
fn submitted(pod: &Pod) -> Value {
    let mut pod = pod.clone();
    apply_api_defaults(&mut pod);
    serde_json::to_value(&pod).expect("a pod serialises")
}

/// Mutators, then the Rego: admitted? The CEL block must decide the mutated pod as the Rego
/// did (it panics otherwise), so every count below holds for both engines.
fn gatekeeper_admits(
    rego: &mut Rego,
    cel: &mut Engine,
    mutators: &[Value],
    parameters: &Value,
    pod: &Pod,
    namespace: &str,
    user: &Identity,
) -> (bool, Vec<String>, usize) {
    let mut object = submitted(pod);
    let changed =
        apply(mutators, &mut object, namespace, "CREATE").unwrap_or_else(|e| panic!("{e}"));
    let input = json!({"review": {
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "operation": "CREATE", "namespace": namespace, "object": object,
        "userInfo": {"username": user.user, "groups": user.groups}},
        "parameters": parameters});
    let v = rego.violations(&input).unwrap_or_else(|e| panic!("{e}"));
    cel.set_params(parameters);
    let request = Request {
        namespace: namespace.to_string(),
        username: user.user.clone(),
        groups: user.groups.clone(),
        operation: "CREATE".into(),
    };
    let out = cel
        .evaluate(&object, &request)
        .unwrap_or_else(|e| panic!("CEL: {e}"));
    assert_eq!(
        out.admitted,
        v.is_empty(),
        "the CEL block and the Rego disagree: CEL {:?}, Rego {v:?}; parameters {parameters}; pod {object}",
        out.message
    );
    CEL_DECIDED.fetch_add(1, Ordering::Relaxed);
    (v.is_empty(), v, changed)
}

static CEL_DECIDED: AtomicUsize = AtomicUsize::new(0);

static AGREED: AtomicUsize = AtomicUsize::new(0);
static DECLARED: AtomicUsize = AtomicUsize::new(0);

/// At least 5,000 generated pods under generated PSPs (1-3, possibly with RBAC), across
/// namespaces, service accounts and users.
#[test]
fn generated_pods_decide_as_the_plugin() {
    let mut rego = engine();
    let cel = std::cell::RefCell::new(cel_engine());
    let mut runner = TestRunner::new(Config {
        cases: 5000,
        max_shrink_iters: 0,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        proptest::collection::vec(psp(), 1..4).prop_flat_map(|ps| {
            let n = ps.len();
            (Just(ps), grants(n), proptest::bool::weighted(0.8))
        }),
        placed_pod(),
    );
    let rego = std::cell::RefCell::new(&mut rego);
    runner
        .run(&strategy, |((psps, scopes, rbac), (pod, ns, user))| {
            let psps: Vec<Psp> = psps
                .into_iter()
                .enumerate()
                .map(|(i, mut p)| {
                    p.name = format!("p{i}");
                    p
                })
                .collect();
            let intents: Vec<Intent> = psps.iter().map(intent_of).collect();
            let access = if rbac { Access::Rbac(&scopes) } else { Access::Everyone };
            let all: BTreeSet<String> = psps.iter().map(|p| p.name.clone()).collect();
            let sa_name = pod.spec.as_ref().unwrap().service_account_name.clone().unwrap();
            let sa = Identity::service_account(&ns, &sa_name);
            let requester = user.clone().unwrap_or_else(|| Identity::user("someone", &["system:authenticated".to_string()]));
            let usable: BTreeSet<String> = if rbac {
                let mut u = scopes.usable(&sa, &ns, &all);
                u.extend(scopes.usable(&requester, &ns, &all));
                u
            } else {
                all.clone()
            };
            let candidates: Vec<&Psp> = psps.iter().filter(|p| usable.contains(&p.name)).collect();
            let sim = choose(&candidates, pod.spec.as_ref().unwrap(), &pod.metadata);
            let sim_admitted = matches!(sim, Choice::Admitted { .. });
            let params = parameters::parameters(&intents, access);
            let muts = mutators::documents(&intents, access);
            let (admitted, violations, changed) = gatekeeper_admits(&mut rego.borrow_mut(), &mut cel.borrow_mut(), &muts, &params, &pod, &ns, &requester);
            if admitted == sim_admitted {
                AGREED.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            // Declared only where the mutators changed the pod, in a namespace where they cannot
            // make the plugin's choice: an unchanged pod is the Rego's alone to decide.
            let why = (changed > 0).then(|| declared(&ambiguities(&intents, access), &ns)).flatten();
            prop_assert!(why.is_some(), "undeclared: simulator admits={sim_admitted}, gatekeeper admits={admitted} ({violations:?}); usable {usable:?}; {}; parameters {params}; mutators {}", serde_json::to_string(&pod).unwrap(), serde_json::to_string(&muts).unwrap());
            DECLARED.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (a, d) = (
        AGREED.load(Ordering::Relaxed),
        DECLARED.load(Ordering::Relaxed),
    );
    eprintln!("gatekeeper vs simulator, generated: {a} agreed, {d} declared, 0 undeclared (Rego and CEL alike)");
    assert!(a + d >= 5000, "{a} + {d}");
    assert!(
        CEL_DECIDED.load(Ordering::Relaxed) >= a + d,
        "the CEL block decided every case"
    );
    assert!(
        a > 4 * d,
        "most verdicts agree outright: {a} agreed, {d} declared"
    );
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every fixture's pods and pod templates under the fixture's own RBAC.
#[test]
fn fixtures_decide_as_simulate() {
    let mut rego = engine();
    let mut cel = cel_engine();
    let (mut agreed, mut declared_n) = (0, 0);
    let mut dirs: Vec<PathBuf> = Vec::new();
    for e in std::fs::read_dir(fixtures()).unwrap() {
        let p = e.unwrap().path();
        if p.ends_with("fields") {
            dirs.extend(std::fs::read_dir(&p).unwrap().map(|f| f.unwrap().path()));
        } else {
            dirs.push(p);
        }
    }
    dirs.sort();
    for dir in dirs {
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
        let intents: Vec<Intent> = loaded.psps().map(|(_, p)| intent_of(p)).collect();
        let scopes = Scopes::from_loaded(&loaded);
        let access = if has_rbac(&loaded) {
            Access::Rbac(&scopes)
        } else {
            Access::Everyone
        };
        let params = parameters::parameters(&intents, access);
        let muts = mutators::documents(&intents, access);
        let amb = ambiguities(&intents, access);
        let report = replay::simulate(&loaded, &replay::Options::default());
        let nobody = Identity::user("podsec-migrate:verify", &[]);
        let views = loaded.objects.iter().filter_map(|o| o.pod_view());
        for (view, r) in views.zip(&report.results) {
            let pod = Pod {
                metadata: view.meta.clone(),
                spec: Some(view.spec.clone()),
                status: None,
            };
            let (admitted, v, changed) = gatekeeper_admits(
                &mut rego,
                &mut cel,
                &muts,
                &params,
                &pod,
                &r.namespace,
                &nobody,
            );
            if admitted == r.admitted {
                agreed += 1;
            } else {
                assert!(
                    changed > 0 && declared(&amb, &r.namespace).is_some(),
                    "{}: {} {:?}: simulator {} gatekeeper {admitted} {v:?}",
                    dir.display(),
                    r.kind,
                    r.name,
                    r.admitted
                );
                declared_n += 1;
            }
        }
    }
    eprintln!(
        "gatekeeper vs simulator, fixtures: {agreed} agreed, {declared_n} declared, 0 undeclared (Rego and CEL alike)"
    );
    assert!(agreed >= 40, "{agreed}");
}
