//! Every reason `levels` gives for a PSP not being compatible with a level is demonstrated: a
//! pod that the PSP admits fails the PSS evaluator at that level, as submitted (PSA judges what
//! is submitted: it does not make PSP's mutations), on a control that belongs to the PSP field
//! the reason is about (the PSP field -> PSS control map is the controls' own `psp_fields`).
//!
//! The pods are generated ones, and the same pods with one of the PSP's own grants used (a port
//! in its host-port ranges, a path under an allowed prefix, an allowed capability, volume type,
//! unsafe sysctl, Unmasked /proc, privileged, a host namespace): generic pods rarely hit a
//! fixture's particular values.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::podgen::pod;
use k8s_openapi::api::core::v1::Pod;
use podsec_migrate::intent::intent_of;
use podsec_migrate::levels::{judge, Verdict};
use podsec_migrate::load::{load_inputs, LoadOptions};
use podsec_migrate::psp::Psp;
use podsec_migrate::pss::registry::controls_of_psp_field;
use podsec_migrate::pss::{evaluate as pss_evaluate, Level, Version};
use podsec_migrate::simulate::{admit, evaluate, Admission};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{json, Value};

/// Generated pods, the same for every PSP (fixed seed).
fn pods(n: usize) -> Vec<Pod> {
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(23),
        ..Config::default()
    });
    (0..n)
        .map(|_| pod().new_tree(&mut runner).unwrap().current())
        .collect()
}

/// A small source for each volume type a PSP may list.
fn volume_of(kind: &str, psp: &Psp) -> Option<Value> {
    let flex = psp
        .spec
        .allowed_flex_volumes
        .first()
        .cloned()
        .unwrap_or_else(|| "example/flex".into());
    let src = match kind {
        "hostPath" | "*" => {
            json!({"path": psp.spec.allowed_host_paths.first().map(|h| h.path_prefix.clone()).unwrap_or_else(|| "/etc".into())})
        }
        "nfs" => json!({"server": "nfs.example", "path": "/"}),
        "gitRepo" => json!({"repository": "https://example.com/r.git"}),
        "flexVolume" => json!({"driver": flex}),
        "iscsi" => {
            json!({"targetPortal": "10.0.0.1:3260", "iqn": "iqn.2001-04.com.example:x", "lun": 0})
        }
        "rbd" => json!({"monitors": ["m:6789"], "image": "i"}),
        "cephFS" => return Some(json!({"name": "witness", "cephfs": {"monitors": ["m:6789"]}})),
        "glusterfs" => json!({"endpoints": "e", "path": "p"}),
        "awsElasticBlockStore" => json!({"volumeID": "v"}),
        "gcePersistentDisk" => json!({"pdName": "p"}),
        "cinder" => json!({"volumeID": "v"}),
        "azureFile" => json!({"secretName": "s", "shareName": "x"}),
        "vsphereVolume" => json!({"volumePath": "p"}),
        _ => return None,
    };
    let key = if kind == "*" { "hostPath" } else { kind };
    Some(json!({"name": "witness", key: src}))
}

/// An edit that makes a pod (as JSON) use one of a PSP's grants.
type Witness = Box<dyn Fn(&mut Value)>;

/// One way to use each of the PSP's grants in a pod (a JSON merge into the pod).
fn witnesses(psp: &Psp) -> Vec<Witness> {
    let s = &psp.spec;
    let mut out: Vec<Witness> = Vec::new();
    let c0 = |v: &mut Value, key: &str, val: Value| {
        v["spec"]["containers"][0]["securityContext"][key] = val
    };
    if s.privileged {
        out.push(Box::new(move |v| c0(v, "privileged", json!(true))));
    }
    for (flag, key) in [
        (s.host_network, "hostNetwork"),
        (s.host_pid, "hostPID"),
        (s.host_ipc, "hostIPC"),
    ] {
        if flag {
            out.push(Box::new(move |v| v["spec"][key] = json!(true)));
        }
    }
    for r in &s.host_ports {
        let port = r.min.clamp(1, 65535);
        out.push(Box::new(move |v| {
            v["spec"]["containers"][0]["ports"] = json!([{"containerPort": port, "hostPort": port}])
        }));
    }
    for cap in &s.allowed_capabilities {
        let cap = if cap == "*" {
            "SYS_ADMIN".to_string()
        } else {
            cap.clone()
        };
        out.push(Box::new(move |v| {
            c0(v, "capabilities", json!({"add": [cap.clone()]}))
        }));
    }
    for kind in &s.volumes {
        if let Some(vol) = volume_of(kind, psp) {
            out.push(Box::new(move |v| {
                v["spec"]["volumes"] = json!([vol.clone()])
            }));
        }
    }
    for pattern in &s.allowed_unsafe_sysctls {
        let name = if pattern == "*" {
            "kernel.msgmax".to_string()
        } else {
            pattern.replace('*', "msgmax")
        };
        out.push(Box::new(move |v| {
            v["spec"]["securityContext"]["sysctls"] = json!([{"name": name.clone(), "value": "1"}])
        }));
    }
    if s.allowed_proc_mount_types.iter().any(|t| t == "Unmasked") {
        out.push(Box::new(move |v| c0(v, "procMount", json!("Unmasked"))));
    }
    let seccomp = psp.profiles.seccomp_allowed.iter().flatten();
    if seccomp.into_iter().any(|p| p == "*" || p == "unconfined") {
        out.push(Box::new(|v| {
            v["spec"]["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"})
        }));
    }
    out
}

/// A one-container pod that sets what the PSP requires and leaves to it what it defaults:
/// the first allowed seccomp and AppArmor profiles, a user in its range (non-root, without
/// runAsNonRoot, under MustRunAsNonRoot).
fn satisfying(psp: &Psp) -> Pod {
    use podsec_migrate::psp::RunAsUserRule;
    let first = |l: &Option<Vec<String>>| {
        l.as_ref()
            .and_then(|l| l.iter().find(|x| !x.is_empty() && *x != "*").cloned())
    };
    let mut annotations = serde_json::Map::new();
    if let Some(p) = first(&psp.profiles.seccomp_allowed) {
        annotations.insert("seccomp.security.alpha.kubernetes.io/pod".into(), json!(p));
    }
    if let Some(p) = first(&psp.profiles.apparmor_allowed) {
        annotations.insert(
            "container.apparmor.security.beta.kubernetes.io/c0".into(),
            json!(p),
        );
    }
    let user = match psp.spec.run_as_user.rule {
        RunAsUserRule::MustRunAs => psp
            .spec
            .run_as_user
            .ranges
            .first()
            .map(|r| r.min)
            .unwrap_or(1000),
        _ => 1000,
    };
    serde_json::from_value(json!({
        "metadata": {"name": "satisfying", "annotations": annotations},
        "spec": {"containers": [{"name": "c0", "image": "x", "securityContext": {"runAsUser": user}}]}
    }))
    .unwrap()
}

/// The generated pods, and the ones the PSP admits with each witness applied (a pod the PSP
/// admits plus one of its grants is likely admitted still).
fn with_witnesses(psp: &Psp, pods: &[Pod]) -> Vec<Pod> {
    let mut all: Vec<Pod> = pods.to_vec();
    all.push(satisfying(psp));
    let admitted: Vec<Pod> = all
        .iter()
        .rev()
        .filter(|p| admit(psp, p.spec.as_ref().unwrap(), &p.metadata).is_admitted())
        .take(100)
        .cloned()
        .collect();
    for w in witnesses(psp) {
        for p in &admitted {
            let mut v = serde_json::to_value(p).unwrap();
            w(&mut v);
            all.push(serde_json::from_value(v).expect("a witness keeps the pod well-formed"));
        }
    }
    all
}

/// For each (field, level) the PSP is looser on, whether some pod it admits fails PSS there.
fn demonstrated(psp: &Psp, version: Version, pods: &[Pod]) -> BTreeMap<(String, Level), bool> {
    let judged = judge(&intent_of(psp), version);
    let mut wanted: BTreeMap<(String, Level), bool> = BTreeMap::new();
    for row in &judged.fields {
        for level in [Level::Baseline, Level::Restricted] {
            if row.at(level) == Verdict::PspLooser {
                wanted.insert((row.psp_field(), level), false);
            }
        }
    }
    for p in with_witnesses(psp, pods) {
        let (spec, meta) = (p.spec.as_ref().unwrap(), &p.metadata);
        if !matches!(
            evaluate(psp, spec, meta).admission,
            Admission::Admitted { .. }
        ) {
            continue;
        }
        for ((field, level), found) in wanted.iter_mut().filter(|(_, f)| !**f) {
            let e = pss_evaluate(spec, meta, *level, version);
            *found = e
                .violations
                .iter()
                .any(|v| controls_of_psp_field(field).contains(&v.check));
        }
    }
    wanted
}

#[test]
fn every_reason_against_a_level_is_shown_by_a_generated_pod() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let loaded = load_inputs(
        &[dir],
        &LoadOptions {
            rename_duplicates: true,
            ..LoadOptions::default()
        },
    );
    let pods = pods(4000);
    let (mut shown, mut missing) = (0, Vec::new());
    for (_, psp) in loaded.psps() {
        for ((field, level), found) in demonstrated(psp, Version::Latest, &pods) {
            if found {
                shown += 1;
            } else {
                missing.push(format!("{}: {field} vs {level}", psp.name));
            }
        }
    }
    eprintln!(
        "levels: {shown} reasons demonstrated by a generated pod, {} not",
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "reasons no generated pod demonstrates:\n{}",
        missing.join("\n")
    );
}
