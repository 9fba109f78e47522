//! Pod Security Standards evaluation throughput, single-threaded.
//!
//! Builds a fixed set of varied pods in memory (deterministic generator below: 1-4 containers,
//! optional init containers, volumes, and a mix of passing and failing security settings), then
//! times `evaluate` alone for baseline and restricted at `latest`.
//!
//! Two pod sets are timed: a large one (2,000 pods, several megabytes of pod objects, so most
//! reads miss the CPU caches, as when streaming many freshly parsed pods) and a small one
//! (200 pods) that stays cache-resident.
//!
//! Run: `cargo bench --bench pss_eval` (optional argument: seconds per measurement, default 2).

use std::hint::black_box;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podsec_migrate::pss::{evaluate, Level, Version};
use serde_json::{json, Value};

/// Sizes of the pod sets timed: cache-missing and cache-resident.
const SET_SIZES: [usize; 2] = [2_000, 200];

/// A tiny deterministic xorshift generator, so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A container that is restricted-clean unless the dice say otherwise.
fn container(rng: &mut Rng, name: &str) -> Value {
    let mut sc = json!({
        "allowPrivilegeEscalation": false,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": true,
        "seccompProfile": {"type": "RuntimeDefault"},
    });
    if rng.chance(5) {
        sc["allowPrivilegeEscalation"] = json!(true);
    }
    if rng.chance(4) {
        sc["capabilities"]["add"] = json!(["NET_ADMIN"]);
    }
    if rng.chance(3) {
        sc["privileged"] = json!(true);
    }
    if rng.chance(3) {
        sc["runAsUser"] = json!(0);
    }
    let mut c = json!({
        "name": name,
        "image": "registry.example/app:1",
        "securityContext": sc,
        "ports": [{"containerPort": 8080}],
        "readinessProbe": {"httpGet": {"port": 8080, "path": "/healthz"}},
    });
    if rng.chance(3) {
        c["ports"][0]["hostPort"] = json!(8080);
    }
    c
}

/// One pod: 1-4 containers, 0-1 init containers, a few volumes; mostly passing.
fn pod(rng: &mut Rng, i: usize) -> (PodSpec, ObjectMeta) {
    let containers: Vec<Value> = (0..=rng.below(4).min(3))
        .map(|n| container(rng, &format!("app{n}")))
        .collect();
    let init: Vec<Value> = (0..rng.below(2))
        .map(|n| container(rng, &format!("init{n}")))
        .collect();
    let mut volumes = vec![
        json!({"name": "config", "configMap": {"name": "cfg"}}),
        json!({"name": "scratch", "emptyDir": {}}),
    ];
    if rng.chance(4) {
        volumes.push(json!({"name": "host", "hostPath": {"path": "/var/run"}}));
    }
    let mut spec = json!({
        "containers": containers,
        "initContainers": init,
        "volumes": volumes,
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
    });
    if rng.chance(2) {
        spec["hostNetwork"] = json!(true);
    }
    if rng.chance(3) {
        spec["securityContext"]["sysctls"] = json!([{"name": "kernel.msgmax", "value": "1"}]);
    }
    let value = json!({
        "metadata": {"name": format!("pod-{i}"), "namespace": "bench", "labels": {"app": "bench"}},
        "spec": spec,
    });
    let pod: Pod = serde_json::from_value(value).expect("generated pod deserializes");
    (pod.spec.unwrap_or_default(), pod.metadata)
}

/// Evaluations per second of `level` at latest over `pods`, for about `budget`.
fn measure(pods: &[(PodSpec, ObjectMeta)], level: Level, budget: Duration) -> (f64, usize) {
    let start = Instant::now();
    let mut evaluations = 0usize;
    let mut allowed = 0usize;
    while start.elapsed() < budget {
        for (spec, meta) in pods {
            let eval = evaluate(black_box(spec), black_box(meta), level, Version::Latest);
            allowed += usize::from(black_box(eval).allowed());
        }
        evaluations += pods.len();
    }
    let per_sec = evaluations as f64 / start.elapsed().as_secs_f64();
    (per_sec, allowed * pods.len() / evaluations.max(1))
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number sets the seconds per measurement. Without
    // `--bench` (e.g. `cargo test --all-targets`) this is a quick smoke run.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let timing = args.iter().any(|a| a == "--bench");
    let secs = args.iter().find_map(|a| a.parse::<f64>().ok());
    let budget = match (timing, secs) {
        (_, Some(s)) => Duration::from_secs_f64(s),
        (true, None) => Duration::from_secs(2),
        (false, None) => {
            println!("smoke run (use `cargo bench --bench pss_eval` for real numbers)");
            Duration::from_millis(20)
        }
    };
    for size in SET_SIZES {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let pods: Vec<_> = (0..size).map(|i| pod(&mut rng, i)).collect();
        // Warm the registry tables before timing.
        measure(&pods, Level::Restricted, Duration::from_millis(100));
        for level in [Level::Baseline, Level::Restricted] {
            let (per_sec, allowed) = measure(&pods, level, budget);
            println!("{level} latest: {per_sec:.0} pods/s ({size}-pod set, {allowed} allowed)");
        }
    }
}
