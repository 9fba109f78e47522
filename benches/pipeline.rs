//! Throughput of the pipeline stages, single-threaded, in-process: intent + levels per PSP,
//! each target's render and `convert` end to end on the shared PSP corpus, and `verify`
//! (Kyverno: pods x PSPs per second) on a generated cluster. Whole-process figures (`audit` on
//! dumps, peak memory, convert as a process) come from `benches/whole-process.sh`.
//!
//! Run: `cargo bench --bench pipeline` (optional argument: seconds per measurement, default 2).
//! Without `--bench` (`cargo test --all-targets`) it is a quick smoke run. The PSP corpus is
//! read from `$PODSEC_SHARED/corpus/psp`, else `../shared/corpus/psp`; without it those rows
//! are skipped, loudly.

#[path = "../examples/gen-dump/dump.rs"]
mod dump;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use podsec_migrate::convert::{convert, Options};
use podsec_migrate::intent::intent_of;
use podsec_migrate::levels::judge;
use podsec_migrate::load::{load_inputs, LoadOptions, Loaded};
use podsec_migrate::psp::FeatureGates;
use podsec_migrate::pss::Version;
use podsec_migrate::targets::{self, psa::PlanOptions};

/// Runs `f` repeatedly for about `budget`; returns runs per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut runs = 0u64;
    while start.elapsed() < budget || runs == 0 {
        f();
        runs += 1;
    }
    runs as f64 / start.elapsed().as_secs_f64()
}

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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let timing = args.iter().any(|a| a == "--bench");
    let secs = args.iter().find_map(|a| a.parse::<f64>().ok());
    let budget = match (timing, secs) {
        (_, Some(s)) => Duration::from_secs_f64(s),
        (true, None) => Duration::from_secs(2),
        (false, None) => {
            println!("smoke run (use `cargo bench --bench pipeline` for real numbers)");
            Duration::from_millis(20)
        }
    };
    match corpus() {
        None => println!("SKIPPED corpus rows: no ../shared/corpus/psp (set PODSEC_SHARED)"),
        Some(dir) => {
            let loaded = load(&[dir]);
            let psps: Vec<_> = loaded.psps().map(|(_, p)| p.clone()).collect();
            let per_sec = rate(budget, || {
                for p in &psps {
                    black_box(judge(&intent_of(black_box(p)), Version::Minor(30)));
                }
            });
            println!(
                "intent + levels: {:.0} PSPs/s ({} corpus PSPs)",
                per_sec * psps.len() as f64,
                psps.len()
            );
            for t in targets::ALL {
                let opts = options(vec![t.name().to_string()]);
                let per_sec = rate(budget, || {
                    black_box(convert(&loaded, &opts));
                });
                println!(
                    "convert --targets {}: {:.2} ms per run ({} PSPs)",
                    t.name(),
                    1000.0 / per_sec,
                    psps.len()
                );
            }
            let opts = options(Vec::new());
            let per_sec = rate(budget, || {
                black_box(convert(&loaded, &opts));
            });
            println!(
                "convert, every target: {:.2} ms per run ({} PSPs, loaded)",
                1000.0 / per_sec,
                psps.len()
            );
        }
    }
    verify_rate(budget);
}

/// `verify` with the Kyverno policies of a converted generated cluster (4 PSPs) on its pods.
fn verify_rate(budget: Duration) {
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
    let per_sec = rate(budget, || {
        black_box(podsec_migrate::verify::verify(&out, &loaded, &opts).expect("verify"));
    });
    let psps = loaded.psps().count();
    println!(
        "verify (kyverno, mutating + validating): {:.0} workloads/s, {:.0} workloads x PSPs/s ({workloads} workloads, {psps} PSPs)",
        per_sec * workloads as f64,
        per_sec * (workloads * psps) as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
