//! Pods as a live 1.21+ cluster hands them to the PSP plugin: the ServiceAccount admission plugin
//! has added a `kube-api-access-*` projected volume, and a pod that ran carries the
//! `kubernetes.io/psp` annotation of the PSP that admitted it.
//!
//! For every fixture PSP that allows `secret` but not `projected` (where the token volume
//! matters), a pod that PSP admits is made live-shaped and must still be admitted by it, with the
//! recorded PSP confirmed. Upstream: pkg/security/podsecuritypolicy/provider.go
//! `allowsVolumeType` ("if secret volume is allowed, projected volume with only service account
//! token, ConfigMap, and DownwardAPI sources is allowed") and util.go
//! `IsOnlyServiceAccountTokenSources`, from 1.20.

use std::path::Path;

use k8s_openapi::api::core::v1::{Pod, Volume};
use podsec_migrate::load::{load_inputs, load_text, LoadOptions, Loaded, ObjectKind};
use podsec_migrate::psp::Psp;
use podsec_migrate::replay::{simulate, Options};
use podsec_migrate::simulate::{evaluate, Admission};

/// The projected volume the ServiceAccount admission plugin injects (as `kubectl get pod -o
/// yaml` shows it on a 1.23 cluster).
const KUBE_API_ACCESS: &str = r#"{"name": "kube-api-access-5x7kq", "projected": {"defaultMode": 420, "sources": [
  {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
  {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
  {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
]}}"#;

/// Pods with one container and no volume: plain, then with the AppArmor and seccomp
/// annotations a PSP with allowed lists and no default requires.
fn bare_pods() -> Vec<Pod> {
    let annotations = [
        "{}",
        r#"{"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}"#,
        r#"{"container.apparmor.security.beta.kubernetes.io/app": "runtime/default",
            "seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}"#,
    ];
    annotations
        .iter()
        .map(|a| {
            serde_json::from_str(&format!(
                r#"{{"apiVersion": "v1", "kind": "Pod",
                    "metadata": {{"name": "app", "namespace": "default", "annotations": {a}}},
                    "spec": {{"containers": [{{"name": "app", "image": "nginx"}}]}}}}"#
            ))
            .unwrap()
        })
        .collect()
}

/// `pod` as the named PSP stored it on a live cluster: mutated by that PSP, with the token
/// volume mounted and the `kubernetes.io/psp` annotation.
fn live(psp: &Psp, pod: &Pod) -> Option<Pod> {
    let e = evaluate(psp, pod.spec.as_ref()?, &pod.metadata);
    if !e.admission.is_admitted() {
        return None;
    }
    let mut p = e.pod;
    let spec = p.spec.as_mut()?;
    let v: Volume = serde_json::from_str(KUBE_API_ACCESS).unwrap();
    spec.volumes.get_or_insert_with(Vec::new).push(v);
    for c in &mut spec.containers {
        c.volume_mounts
            .get_or_insert_with(Vec::new)
            .push(serde_json::from_str(
                r#"{"name": "kube-api-access-5x7kq", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}"#,
            ).unwrap());
    }
    p.metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert("kubernetes.io/psp".into(), psp.name.clone());
    Some(p)
}

fn allows(psp: &Psp, t: &str) -> bool {
    psp.spec.volumes.iter().any(|v| v == t || v == "*")
}

#[test]
fn live_cluster_pods_are_admitted_by_their_recorded_psp_in_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut checked = Vec::new();
    for dir in dirs {
        let loaded = load_inputs(std::slice::from_ref(&dir), &LoadOptions::default());
        for (_, psp) in loaded.psps() {
            if !allows(psp, "secret") || allows(psp, "projected") {
                continue;
            }
            let Some(pod) = bare_pods().iter().find_map(|p| live(psp, p)) else {
                continue;
            };
            let name = format!(
                "{}/{}",
                dir.file_name().unwrap().to_string_lossy(),
                psp.name
            );
            let again = evaluate(psp, pod.spec.as_ref().unwrap(), &pod.metadata);
            assert!(
                matches!(&again.admission, Admission::Admitted { mutations } if mutations.is_empty()),
                "{name}: the live-shaped pod is not admitted unchanged: {:?}",
                again.admission
            );
            // Only this PSP, no RBAC: the recorded PSP must be the simulator's choice.
            let mut one = Loaded::default();
            one.objects.extend(
                loaded
                    .objects
                    .iter()
                    .filter(|o| matches!(&o.kind, ObjectKind::PodSecurityPolicy(p) if p.name == psp.name))
                    .cloned(),
            );
            load_text(
                "live-pod.json",
                &serde_json::to_string(&pod).unwrap(),
                &mut one,
            );
            assert!(!one.has_errors(), "{name}: {:?}", one.diagnostics);
            let report = simulate(&one, &Options::default());
            assert_eq!(report.results.len(), 1, "{name}");
            let r = &report.results[0];
            assert!(r.admitted, "{name}: denied: {:?}", r.denials);
            assert_eq!(
                r.annotation_psp.as_deref(),
                Some(psp.name.as_str()),
                "{name}"
            );
            assert_eq!(
                r.annotation_agrees,
                Some(true),
                "{name}: {:?}",
                r.annotation_note
            );
            checked.push(name);
        }
    }
    eprintln!("live-shaped pods checked: {checked:?}");
    assert!(
        checked.len() >= 5,
        "expected the secret-without-projected fixtures, got {checked:?}"
    );
}
