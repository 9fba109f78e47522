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
//! Run: `cargo bench --bench pss_eval` (criterion; throughput is pods per second).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

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

/// PSS evaluation of every pod of the set at `level`, latest.
fn evaluate_all(pods: &[(PodSpec, ObjectMeta)], level: Level) -> usize {
    pods.iter()
        .filter(|(spec, meta)| {
            evaluate(black_box(spec), black_box(meta), level, Version::Latest).allowed()
        })
        .count()
}

fn pss(c: &mut Criterion) {
    for size in SET_SIZES {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let pods: Vec<_> = (0..size).map(|i| pod(&mut rng, i)).collect();
        let mut group = c.benchmark_group(format!("pss/{size}-pods"));
        group.throughput(Throughput::Elements(size as u64));
        for level in [Level::Baseline, Level::Restricted] {
            group.bench_function(level.to_string(), |b| b.iter(|| evaluate_all(&pods, level)));
        }
        group.finish();
    }
}

criterion_group!(benches, pss);
criterion_main!(benches);
