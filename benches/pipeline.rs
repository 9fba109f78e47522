//! Throughput of the pipeline stages, single-threaded, in-process: intent + levels per PSP,
//! each target's render and `convert` end to end on the shared PSP corpus, and `verify`
//! (every target, and Gatekeeper's Rego and CEL engines one by one: workloads per second) on a
//! generated cluster. Whole-process figures (`audit` on
//! dumps, peak memory, convert as a process) come from `benches/whole-process.sh`.
//!
//! Run: `cargo bench --bench pipeline` (criterion). Under `cargo test --all-targets` each
//! benchmark runs once, as a test. The PSP corpus is
//! read from `$PODSEC_SHARED/corpus/psp`, else `../shared/corpus/psp`; without it those rows
//! are skipped, loudly.

#[path = "../examples/gen-dump/dump.rs"]
mod dump;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use podsec_migrate::convert::{convert, Options};
use podsec_migrate::intent::intent_of;
use podsec_migrate::levels::judge;
use podsec_migrate::load::{load_inputs, LoadOptions, Loaded};
use podsec_migrate::psp::FeatureGates;
use podsec_migrate::pss::Version;
use podsec_migrate::targets::{self, psa::PlanOptions};

fn options(targets: Vec<String>) -> Options {
    Options {
        targets,
        feature_gates: FeatureGates::default(),
        plan: PlanOptions {
            k8s_version: Version::Minor(30),
            pin_version: true,
            audit_step: 1,
            allow_loosen: false,
            enforce: Default::default(),
        },
        kyverno_actions: Default::default(),
        kyverno_api: Default::default(),
        vap_actions: vec![podsec_migrate::targets::vap::Action::Deny],
        kubewarden_form: Default::default(),
    }
}

fn load(paths: &[PathBuf]) -> Loaded {
    let opts = LoadOptions {
        rename_duplicates: true,
        ..LoadOptions::default()
    };
    let loaded = load_inputs(paths, &opts);
    assert!(
        !loaded.has_errors(),
        "the input loads: {:?}",
        loaded.diagnostics
    );
    loaded
}

fn corpus() -> Option<PathBuf> {
    let shared = std::env::var_os("PODSEC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let dir = shared.join("corpus/psp");
    dir.is_dir().then_some(dir)
}

/// Intent + levels per PSP, each target's `convert`, and `convert` with every target, on the
/// shared PSP corpus (loaded once).
fn corpus_stages(c: &mut Criterion) {
    let Some(dir) = corpus() else {
        println!("SKIPPED corpus benchmarks: no ../shared/corpus/psp (set PODSEC_SHARED)");
        return;
    };
    let loaded = load(&[dir]);
    let psps: Vec<_> = loaded.psps().map(|(_, p)| p.clone()).collect();
    let mut group = c.benchmark_group(format!("corpus/{}-psps", psps.len()));
    group.throughput(Throughput::Elements(psps.len() as u64));
    group.bench_function("intent+levels", |b| {
        b.iter(|| {
            for p in &psps {
                black_box(judge(&intent_of(black_box(p)), Version::Minor(30)));
            }
        })
    });
    for t in targets::ALL {
        let opts = options(vec![t.name().to_string()]);
        group.bench_function(format!("convert/{}", t.name()), |b| {
            b.iter(|| black_box(convert(&loaded, &opts)))
        });
    }
    let every = options(Vec::new());
    group.bench_function("convert/every-target", |b| {
        b.iter(|| black_box(convert(&loaded, &every)))
    });
    group.finish();
}

/// `verify` of every target a generated cluster (4 PSPs, 400 pods with their controllers) was
/// converted to, on its workloads; throughput is workloads per second.
fn verify_stage(c: &mut Criterion) {
    let pods = 400;
    let dir = std::env::temp_dir().join(format!("podsec-bench-verify-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let input = dir.join("cluster.yaml");
    let mut bytes = Vec::new();
    dump::write(&mut bytes, dump::Format::YamlDocs, pods, 1).expect("dump");
    std::fs::write(&input, bytes).expect("write dump");
    let loaded = load(std::slice::from_ref(&input));
    let conversion = convert(&loaded, &options(Vec::new()));
    let out = dir.join("out");
    podsec_migrate::output::write_dir(&out, &conversion.documents, true).expect("write output");
    let workloads = loaded
        .objects
        .iter()
        .filter(|o| o.pod_view().is_some())
        .count();
    let opts = podsec_migrate::replay::Options::default();
    let mut group = c.benchmark_group(format!(
        "verify/{workloads}-workloads-{}-psps",
        loaded.psps().count()
    ));
    group.throughput(Throughput::Elements(workloads as u64));
    group.sample_size(10);
    group.bench_function("every-target", |b| {
        b.iter(|| black_box(podsec_migrate::verify::verify(&out, &loaded, &opts).expect("verify")))
    });
    gatekeeper_engines(&mut group, &out, &loaded);
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Gatekeeper's engines on their own: the Rego (regorus) or the CEL code block (the embedded
/// CEL engine) on every workload's pod, after the mutators (applied once, outside the timing).
fn gatekeeper_engines(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    out: &std::path::Path,
    loaded: &Loaded,
) {
    use podsec_migrate::cel::eval::Request;
    let mut gk = podsec_migrate::verify::gatekeeper::Gatekeeper::read(out, loaded).expect("read");
    let pods: Vec<(serde_json::Value, String)> = loaded
        .objects
        .iter()
        .filter_map(|o| o.pod_view())
        .map(|v| {
            let ns = v
                .owner
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into());
            let pod = k8s_openapi::api::core::v1::Pod {
                metadata: v.meta.clone(),
                spec: Some(v.spec.clone()),
                status: None,
            };
            let mut object = serde_json::to_value(&pod).expect("a pod serialises");
            gk.mutate(&mut object, &ns).expect("mutators");
            (object, ns)
        })
        .collect();
    group.bench_function("gatekeeper-rego", |b| {
        b.iter(|| {
            for (object, ns) in &pods {
                black_box(gk.review(object, ns, "", &[], "CREATE").expect("rego"));
            }
        })
    });
    let gk = gk;
    group.bench_function("gatekeeper-cel", |b| {
        b.iter(|| {
            for (object, ns) in &pods {
                let request = Request {
                    namespace: ns.clone(),
                    operation: "CREATE".into(),
                    ..Request::default()
                };
                black_box(gk.review_cel(object, None, &request).expect("cel"));
            }
        })
    });
}

criterion_group!(benches, corpus_stages, verify_stage);
criterion_main!(benches);
