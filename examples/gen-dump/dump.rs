//! A realistic, deterministic cluster dump: what `kubectl get psp,clusterroles,
//! clusterrolebindings,rolebindings,namespaces,serviceaccounts,deployments,replicasets,pods -A`
//! prints for a cluster that still runs PodSecurityPolicies. Shared by the `gen-dump` example
//! and the tests (`#[path]`), so the benchmarks and the tests read the same kind of dump.
//!
//! The cluster: four PSPs (restricted with defaults, baseline-like, host-network for ingress,
//! privileged for system agents), a ClusterRole per PSP, every service account granted
//! restricted, some namespaces granted more through RoleBindings; one namespace per 200 pods;
//! Deployments with a ReplicaSet and three pods each, DaemonSets in kube-system; pods carry the
//! `kubernetes.io/psp` annotation and their ReplicaSet as owner. Security settings vary with a
//! seeded generator: hardened, default, root, privileged, host paths, added capabilities.
#![allow(dead_code)]

use std::io::{self, Write};

use serde_json::{json, Value};

/// A small deterministic generator (xorshift64*): the same seed gives the same dump.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0..n
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The PSPs, their RBAC, and the namespaces and service accounts for `pods` pods.
pub fn cluster(pods: usize) -> Vec<Value> {
    let mut out = vec![
        psp(
            "a-restricted",
            json!({
                "privileged": false, "allowPrivilegeEscalation": false,
                "requiredDropCapabilities": ["ALL"],
                "volumes": ["configMap", "emptyDir", "projected", "secret", "downwardAPI", "persistentVolumeClaim"],
                "runAsUser": {"rule": "MustRunAsNonRoot"},
                "seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t"}},
                "supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 65535}]},
                "fsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 65535}]},
                "readOnlyRootFilesystem": false
            }),
            Some("runtime/default"),
        ),
        psp(
            "b-baseline",
            json!({
                "privileged": false,
                "allowedCapabilities": ["NET_BIND_SERVICE", "CHOWN"],
                "volumes": ["configMap", "emptyDir", "projected", "secret", "downwardAPI", "persistentVolumeClaim"],
                "runAsUser": {"rule": "RunAsAny"},
                "seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t"}},
                "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}
            }),
            None,
        ),
        psp(
            "c-ingress",
            json!({
                "hostNetwork": true, "hostPorts": [{"min": 80, "max": 80}, {"min": 443, "max": 443}],
                "allowedCapabilities": ["NET_BIND_SERVICE"],
                "volumes": ["configMap", "secret", "projected", "emptyDir"],
                "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
                "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}
            }),
            None,
        ),
        psp(
            "d-privileged",
            json!({
                "privileged": true, "allowPrivilegeEscalation": true, "allowedCapabilities": ["*"],
                "volumes": ["*"], "hostNetwork": true, "hostPID": true, "hostIPC": true,
                "hostPorts": [{"min": 0, "max": 65535}],
                "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
                "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}
            }),
            None,
        ),
    ];
    for name in ["a-restricted", "b-baseline", "c-ingress", "d-privileged"] {
        out.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": format!("psp:{name}")},
            "rules": [{"apiGroups": ["policy"], "resources": ["podsecuritypolicies"],
                       "verbs": ["use"], "resourceNames": [name]}]
        }));
    }
    out.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "psp:restricted:everyone"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "psp:a-restricted"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:serviceaccounts"}]
    }));
    for ns in namespaces(pods) {
        out.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        if let Some(grant) = namespace_grant(&ns) {
            out.push(json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": format!("psp:{grant}"), "namespace": ns},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": format!("psp:{grant}")},
                "subjects": [{"kind": "Group", "name": format!("system:serviceaccounts:{ns}"), "apiGroup": "rbac.authorization.k8s.io"}]
            }));
        }
    }
    out
}

fn psp(name: &str, spec: Value, seccomp_default: Option<&str>) -> Value {
    let mut annotations = serde_json::Map::new();
    if let Some(p) = seccomp_default {
        annotations.insert(
            "seccomp.security.alpha.kubernetes.io/allowedProfileNames".into(),
            json!(p),
        );
        annotations.insert(
            "seccomp.security.alpha.kubernetes.io/defaultProfileName".into(),
            json!(p),
        );
    }
    if !name.ends_with("privileged") {
        annotations.insert(
            "apparmor.security.beta.kubernetes.io/allowedProfileNames".into(),
            json!("runtime/default"),
        );
        annotations.insert(
            "apparmor.security.beta.kubernetes.io/defaultProfileName".into(),
            json!("runtime/default"),
        );
    }
    json!({"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy",
           "metadata": {"name": name, "annotations": annotations}, "spec": spec})
}

/// One namespace per 200 pods (at least three): kube-system, ingress, then team namespaces.
pub fn namespaces(pods: usize) -> Vec<String> {
    let n = (pods / 200).max(3);
    let mut out = vec!["kube-system".to_string(), "ingress".to_string()];
    out.extend((2..n).map(|i| format!("team-{i:04}")));
    out
}

/// The PSP a namespace's service accounts get beyond restricted.
fn namespace_grant(ns: &str) -> Option<&'static str> {
    match ns {
        "kube-system" => Some("d-privileged"),
        "ingress" => Some("c-ingress"),
        _ if ns.ends_with('3') || ns.ends_with('7') => Some("b-baseline"),
        _ => None,
    }
}

/// The security settings of one workload, by how hardened it is.
fn pod_spec(rng: &mut Rng, ns: &str, app: &str) -> (Value, &'static str) {
    let image = format!(
        "registry.example.com/{app}:1.{}.{}",
        rng.below(20),
        rng.below(10)
    );
    let resources =
        json!({"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}});
    let ports = json!([{"containerPort": 8080, "name": "http", "protocol": "TCP"}]);
    let env = json!([{"name": "APP", "value": app}, {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]);
    let volumes = json!([{"name": "config", "configMap": {"name": format!("{app}-config")}}, {"name": "tmp", "emptyDir": {}}]);
    let mounts =
        json!([{"name": "config", "mountPath": "/etc/app"}, {"name": "tmp", "mountPath": "/tmp"}]);
    let kind = match ns {
        "kube-system" => 5,
        "ingress" => 4,
        _ => match rng.below(10) {
            // now and then a privileged agent in a team namespace (no PSP there admits it)
            4 | 5 if rng.below(10) == 0 => 5,
            4 | 5 => 8,
            k => k,
        },
    };
    let (pod_sc, sc, psp, extra_volumes, host_network) = match kind {
        // hardened: restricted as written
        0..=3 => (
            json!({"runAsNonRoot": true, "runAsUser": 10001, "fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}}),
            json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true}),
            "a-restricted",
            json!([]),
            false,
        ),
        // relies on the restricted PSP's defaults (no seccomp, no fsGroup)
        6 | 7 => (
            json!({"runAsNonRoot": true, "runAsUser": 1000}),
            json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}),
            "a-restricted",
            json!([]),
            false,
        ),
        // ingress: host network and ports
        4 => (
            json!({}),
            json!({"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}),
            "c-ingress",
            json!([]),
            true,
        ),
        // system agent: privileged with host paths
        5 => (
            json!({}),
            json!({"privileged": true}),
            "d-privileged",
            json!([{"name": "host-logs", "hostPath": {"path": "/var/log", "type": "Directory"}}]),
            true,
        ),
        // default settings: baseline, not restricted
        8 => (json!({}), json!({}), "b-baseline", json!([]), false),
        // root with an added capability
        _ => (
            json!({"runAsUser": 0}),
            json!({"capabilities": {"add": ["CHOWN"]}}),
            "b-baseline",
            json!([]),
            false,
        ),
    };
    let mut vols = volumes.as_array().cloned().unwrap_or_default();
    vols.extend(extra_volumes.as_array().cloned().unwrap_or_default());
    let mut spec = json!({
        "serviceAccountName": "default",
        "securityContext": pod_sc,
        "containers": [{"name": app, "image": image, "ports": ports, "env": env,
                        "resources": resources, "volumeMounts": mounts, "securityContext": sc,
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10}}],
        "volumes": vols,
    });
    if rng.below(30) == 0 {
        // a probe against another host: no PSP checked it; baseline does from 1.34
        spec["containers"][0]["livenessProbe"]["httpGet"]["host"] = json!("10.0.0.1");
    }
    if host_network {
        spec["hostNetwork"] = json!(true);
    }
    if rng.below(4) == 0 {
        spec["initContainers"] = json!([{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "true"], "securityContext": spec["containers"][0]["securityContext"].clone()}]);
    }
    (spec, psp)
}

/// The workloads of the dump, generated one object at a time: per Deployment its ReplicaSet and
/// three pods (DaemonSets and their pods in kube-system), `pods` pods in all.
pub fn workloads(pods: usize, seed: u64) -> impl Iterator<Item = Value> {
    let namespaces = namespaces(pods);
    let mut rng = Rng::new(seed);
    let mut made = 0usize;
    let mut n = 0usize;
    let mut queue: std::collections::VecDeque<Value> = Default::default();
    std::iter::from_fn(move || {
        while queue.is_empty() && made < pods {
            // kube-system and ingress hold one workload in fifty each; teams share the rest.
            let ns = match n % 50 {
                0 => namespaces[0].clone(),
                1 => namespaces[1].clone(),
                _ => namespaces[2 + n % (namespaces.len() - 2)].clone(),
            };
            let app = format!("app-{n:06}");
            n += 1;
            let (spec, psp) = pod_spec(&mut rng, &ns, &app);
            let labels = json!({"app": app});
            let template = json!({"metadata": {"labels": labels}, "spec": spec});
            let replicas = 3.min(pods - made);
            let daemon = ns == "kube-system";
            let (owner_kind, owner_name) = if daemon {
                queue.push_back(json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
                    "metadata": {"name": app, "namespace": ns, "uid": format!("uid-{app}")},
                    "spec": {"selector": {"matchLabels": labels}, "template": template}}));
                ("DaemonSet", app.clone())
            } else {
                let rs = format!("{app}-{:x}", rng.below(1 << 32));
                queue.push_back(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": app, "namespace": ns, "uid": format!("uid-{app}")},
                    "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": template}}));
                queue.push_back(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": {"name": rs, "namespace": ns, "uid": format!("uid-{rs}"),
                                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": app, "uid": format!("uid-{app}"), "controller": true}]},
                    "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": template}}));
                ("ReplicaSet", rs)
            };
            for r in 0..replicas {
                let mut pod_spec = spec.clone();
                // What the restricted PSP filled in is on the running pods.
                if psp == "a-restricted" && pod_spec["securityContext"].get("fsGroup").is_none() {
                    pod_spec["securityContext"]["fsGroup"] = json!(1);
                    pod_spec["securityContext"]["supplementalGroups"] = json!([1]);
                }
                pod_spec["nodeName"] = json!(format!("node-{:03}", rng.below(200)));
                queue.push_back(json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": format!("{owner_name}-{r}{:04x}", rng.below(1 << 16)), "namespace": ns,
                                 "labels": labels, "annotations": {"kubernetes.io/psp": psp},
                                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner_name, "controller": true}]},
                    "spec": pod_spec,
                    "status": {"phase": "Running", "podIP": format!("10.{}.{}.{}", rng.below(256), rng.below(256), rng.below(256))}}));
            }
            made += replicas;
        }
        queue.pop_front()
    })
}

/// How the dump is laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    /// `kubectl get -o json`: one List.
    JsonList,
    /// One JSON document per object.
    JsonDocs,
    /// `kubectl get -o yaml`: one List.
    YamlList,
    /// One YAML document per object.
    YamlDocs,
}

/// Writes the whole dump: the cluster's PSPs and RBAC first, then the workloads.
pub fn write(out: &mut dyn Write, format: Format, pods: usize, seed: u64) -> io::Result<()> {
    let objects = cluster(pods).into_iter().chain(workloads(pods, seed));
    match format {
        Format::JsonList => {
            out.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")?;
            for (i, o) in objects.enumerate() {
                if i > 0 {
                    out.write_all(b",\n")?;
                }
                let text = serde_json::to_string_pretty(&o).expect("serializes");
                let text = text.replace('\n', "\n        ");
                write!(out, "        {text}")?;
            }
            out.write_all(b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n")?;
        }
        Format::JsonDocs => {
            for o in objects {
                serde_json::to_writer(&mut *out, &o)?;
                out.write_all(b"\n")?;
            }
        }
        Format::YamlList => {
            out.write_all(b"apiVersion: v1\nitems:\n")?;
            for o in objects {
                let mut s = String::new();
                yaml(&o, 1, true, &mut s);
                out.write_all(s.as_bytes())?;
            }
            out.write_all(b"kind: List\nmetadata:\n  resourceVersion: \"\"\n")?;
        }
        Format::YamlDocs => {
            for o in objects {
                let mut s = String::from("---\n");
                yaml(&o, 0, false, &mut s);
                out.write_all(s.as_bytes())?;
            }
        }
    }
    Ok(())
}

/// Block YAML for `v` (a mapping), as kubectl writes it; with `item`, as a sequence entry at
/// `indent` levels. Strings are double-quoted JSON strings, which YAML reads the same way.
pub fn yaml(v: &Value, indent: usize, item: bool, out: &mut String) {
    let pad = "  ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (i, (k, val)) in m.iter().enumerate() {
                let lead = if item && i == 0 {
                    format!("{}- ", "  ".repeat(indent.saturating_sub(1)))
                } else {
                    pad.clone()
                };
                match val {
                    Value::Object(c) if !c.is_empty() => {
                        out.push_str(&format!("{lead}{k}:\n"));
                        yaml(val, indent + 1, false, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{lead}{k}:\n"));
                        for e in a {
                            if e.as_object().is_some_and(|o| !o.is_empty()) {
                                yaml(e, indent + 1, true, out);
                            } else {
                                out.push_str(&format!("{pad}- {}\n", scalar(e)));
                            }
                        }
                    }
                    _ => out.push_str(&format!("{lead}{k}: {}\n", scalar(val))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}
