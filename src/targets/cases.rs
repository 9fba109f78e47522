//! The pods a target's test suite runs (the Kyverno CLI test, the gator suite): the input's own
//! pods and pod templates, and probe pods that exercise every PSP field in each RBAC situation
//! of the input, each with the simulator's verdict and the pod as the plugin stored it.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};

use crate::cel::eval::mutation;
use crate::load::Loaded;
use crate::psp::Psp;
use crate::replay;
use crate::scope::{Identity, Scopes};
use crate::simulate::{apply_api_defaults, choose, Choice};

/// Every case of a suite, names unique; none when the input holds no pod, template or usable
/// placement.
pub(crate) fn cases(loaded: &Loaded, scopes: Option<&Scopes>) -> Vec<Case> {
    let psps: BTreeMap<&str, &Psp> = loaded.psps().map(|(_, p)| (p.name.as_str(), p)).collect();
    let mut cases = input_cases(loaded, &psps);
    cases.extend(probe_cases(&psps, scopes));
    unique_names(&mut cases);
    cases
}

/// One pod of the suite: where it runs, as submitted and as the plugin left it.
pub(crate) struct Case {
    pub name: String,
    pub submitted: Value,
    /// `Some(pod)` when admitted (the stored pod, mutated or not); `None` when denied.
    pub stored: Option<Value>,
    pub mutated: bool,
    /// The PSP the plugin chose, when it changed the pod.
    pub chosen: Option<String>,
}

/// The input's pods and pod templates, as the replay of the plugin judged them.
fn input_cases(loaded: &Loaded, psps: &BTreeMap<&str, &Psp>) -> Vec<Case> {
    let report = replay::simulate(loaded, &replay::Options::default());
    let views = loaded.objects.iter().filter_map(|o| o.pod_view());
    views
        .zip(&report.results)
        .map(|(view, r)| {
            let mut pod = Pod {
                metadata: view.meta.clone(),
                spec: Some(view.spec.clone()),
                status: None,
            };
            pod.metadata.namespace = Some(r.namespace.clone());
            let base = format!(
                "{}-{}",
                r.kind.to_lowercase(),
                r.name.as_deref().unwrap_or("unnamed")
            );
            let chosen = r.psp.as_deref().and_then(|p| psps.get(p));
            case(base, pod, chosen.map(|p| vec![*p]).unwrap_or_default())
        })
        .collect()
}

/// A case from a pod and the PSPs it may use.
fn case(name: String, mut pod: Pod, usable: Vec<&Psp>) -> Case {
    pod.metadata.name = Some(name.clone());
    let spec = pod.spec.clone().unwrap_or_default();
    let choice = choose(&usable, &spec, &pod.metadata);
    apply_api_defaults(&mut pod);
    let submitted = serde_json::to_value(&pod).unwrap_or(Value::Null);
    let (stored, chosen) = match choice {
        Choice::Admitted {
            pod,
            mutations,
            psp,
        } => {
            let stored = serde_json::to_value(&*pod).map(mutation::comparable).ok();
            (stored, (!mutations.is_empty()).then_some(psp))
        }
        Choice::Denied { .. } => (None, None),
    };
    Case {
        name,
        submitted,
        stored,
        mutated: chosen.is_some(),
        chosen,
    }
}

/// Probe pods, one set per distinct set of usable PSPs among the namespaces and service
/// accounts of the input (every PSP, once, without RBAC).
fn probe_cases(psps: &BTreeMap<&str, &Psp>, scopes: Option<&Scopes>) -> Vec<Case> {
    let all: BTreeSet<String> = psps.keys().map(|k| k.to_string()).collect();
    let mut placements: Vec<(String, String, BTreeSet<String>)> = Vec::new();
    match scopes {
        None => placements.push(("default".into(), "default".into(), all.clone())),
        Some(s) => {
            let mut seen = BTreeSet::new();
            for (ns, accounts) in &s.service_accounts {
                for sa in accounts {
                    let usable = s.usable(&Identity::service_account(ns, sa), ns, &all);
                    if !usable.is_empty() && seen.insert(usable.clone()) {
                        placements.push((ns.clone(), sa.clone(), usable));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, (ns, sa, usable)) in placements.iter().enumerate() {
        let usable: Vec<&Psp> = usable
            .iter()
            .filter_map(|n| psps.get(n.as_str()).copied())
            .collect();
        for (kind, spec) in probes() {
            let mut spec = spec;
            spec["serviceAccountName"] = json!(sa);
            let pod: Pod = match serde_json::from_value(json!({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"namespace": ns},
                "spec": spec,
            })) {
                Ok(p) => p,
                Err(_) => continue,
            };
            out.push(case(format!("probe-{i}-{kind}"), pod, usable.clone()));
        }
    }
    out
}

/// The probe pods: one that sets nothing, one hardened, and one per field a PSP restricts.
fn probes() -> Vec<(&'static str, Value)> {
    let c = |sc: Value| json!({"containers": [{"name": "app", "image": "busybox", "securityContext": sc}]});
    vec![
        (
            "minimal",
            json!({"containers": [{"name": "app", "image": "busybox"}]}),
        ),
        (
            "hardened",
            json!({
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000, "supplementalGroups": [1000], "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "app", "image": "busybox", "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}}]
            }),
        ),
        ("privileged", c(json!({"privileged": true}))),
        ("root", c(json!({"runAsUser": 0}))),
        ("escalation", c(json!({"allowPrivilegeEscalation": true}))),
        (
            "capabilities",
            c(json!({"capabilities": {"add": ["NET_ADMIN", "SYS_ADMIN"]}})),
        ),
        ("proc-mount", c(json!({"procMount": "Unmasked"}))),
        ("selinux", c(json!({"seLinuxOptions": {"type": "spc_t"}}))),
        (
            "host-namespaces",
            json!({"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": [{"name": "app", "image": "busybox"}]}),
        ),
        (
            "host-port",
            json!({"containers": [{"name": "app", "image": "busybox", "ports": [{"containerPort": 80, "hostPort": 80}]}]}),
        ),
        (
            "host-path",
            json!({
                "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}],
                "containers": [{"name": "app", "image": "busybox", "volumeMounts": [{"name": "logs", "mountPath": "/logs"}]}]
            }),
        ),
        (
            "nfs",
            json!({"volumes": [{"name": "v", "nfs": {"server": "nfs.example", "path": "/"}}], "containers": [{"name": "app", "image": "busybox"}]}),
        ),
        (
            "sysctl",
            json!({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}, "containers": [{"name": "app", "image": "busybox"}]}),
        ),
        (
            "unconfined",
            json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "app", "image": "busybox"}]}),
        ),
    ]
}

/// Names unique across the suite (the CLI names results by resource name).
fn unique_names(cases: &mut [Case]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for c in cases.iter_mut() {
        let n = seen.entry(c.name.clone()).or_default();
        *n += 1;
        if *n > 1 {
            c.name = format!("{}-{n}", c.name);
        }
        for doc in [Some(&mut c.submitted), c.stored.as_mut()]
            .into_iter()
            .flatten()
        {
            doc["metadata"]["name"] = json!(c.name);
        }
    }
}
