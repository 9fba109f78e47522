//! The simulator against real-cluster verdicts: `<shared>/conformance/psp-kind/<field>/` holds a
//! PSP and pods a kind v1.23 cluster admitted (`allowed.yaml`) or rejected (`disallowed.yaml`)
//! with that PSP as the only policy. Every allowed pod must be admitted; every disallowed pod
//! must be denied unless listed in [`EXCEPTIONS`] with the reason.

mod common;

use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::{PodSpec, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podsec_migrate::load::{load_inputs, LoadOptions, Loaded};
use podsec_migrate::psp::FeatureGates;
use podsec_migrate::simulate::{admit, Admission};

/// Disallowed pods the simulator admits, with the reason: `(field, pod name, reason)`. Empty:
/// every pod agrees. Notes on the ORIGIN.md caveats, which need no exception:
/// - allowedProcMountTypes: on 1.23 the ProcMountType gate was off, so the API server dropped
///   the PSP's `allowedProcMountTypes` and refused `Unmasked` whatever the PSP said; every PSP
///   here is read as that cluster stored it ([`FeatureGates::default`]).
/// - volumes: the live cluster added a projected service-account token volume to every pod
///   before PSP ran; [`with_token_volume`] re-checks every pod that way.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// The pod as the ServiceAccount admission plugin handed it to PSP: plus the `kube-api-access`
/// projected volume of a 1.21+ cluster (token, `kube-root-ca.crt`, namespace).
fn with_token_volume(spec: &PodSpec) -> PodSpec {
    let mut s = spec.clone();
    let v: Volume = serde_json::from_value(serde_json::json!({
        "name": "kube-api-access-test", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace",
                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}))
    .unwrap();
    s.volumes.get_or_insert_with(Vec::new).push(v);
    s
}

/// Every pod spec in a file: pods, and the templates of pod controllers.
fn pods(loaded: &Loaded) -> Vec<(String, ObjectMeta, PodSpec)> {
    loaded
        .objects
        .iter()
        .filter_map(|o| {
            let pod = o.pod_view()?;
            let name = format!(
                "{}/{}",
                o.kind.kind(),
                pod.owner.name.clone().unwrap_or_default()
            );
            Some((name, pod.meta.clone(), pod.spec.clone()))
        })
        .collect()
}

fn load(path: &Path) -> Loaded {
    let l = load_inputs(&[path.to_path_buf()], &LoadOptions::default());
    assert!(!l.has_errors(), "{}: {:?}", path.display(), l.diagnostics);
    l
}

#[test]
fn psp_kind_verdicts() {
    let Some(shared) = common::shared_dir("psp_kind_verdicts") else {
        return;
    };
    let root = shared.join("conformance/psp-kind");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let (mut checked, mut agreed, mut excused, mut mutated) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for dir in &dirs {
        let field = dir.file_name().unwrap().to_string_lossy().to_string();
        let psp_loaded = load(&dir.join("psp.yaml"));
        let mut psp = psp_loaded.psps().next().expect("a PSP").1.clone();
        FeatureGates::default().apply(&mut psp);
        for (file, want_admit) in [("allowed.yaml", true), ("disallowed.yaml", false)] {
            for (name, meta, spec) in pods(&load(&dir.join(file))) {
                checked += 1;
                let got = admit(&psp, &spec, &meta);
                let live = admit(&psp, &with_token_volume(&spec), &meta);
                assert_eq!(
                    got.is_admitted(),
                    live.is_admitted(),
                    "{field}/{name}: the token volume changes the verdict"
                );
                if matches!(&got, Admission::Admitted { mutations } if !mutations.is_empty()) {
                    mutated += 1;
                }
                let pod_name = name.split('/').nth(1).unwrap_or_default();
                let exception = EXCEPTIONS
                    .iter()
                    .find(|(f, n, _)| *f == field && *n == pod_name);
                let verdict = match &got {
                    Admission::Admitted { mutations } if mutations.is_empty() => {
                        "admitted".to_string()
                    }
                    Admission::Admitted { mutations } => {
                        let paths: Vec<&str> = mutations.iter().map(|m| m.path.as_str()).collect();
                        format!("admitted after mutating {}", paths.join(", "))
                    }
                    Admission::Denied { .. } => "denied".to_string(),
                };
                println!("{field:32} {file:16} {name:48} {verdict}");
                if got.is_admitted() == want_admit {
                    agreed += 1;
                    assert!(
                        exception.is_none(),
                        "{field}/{name}: listed as an exception but agrees"
                    );
                } else if let (false, Some((_, _, why))) = (want_admit, exception) {
                    excused += 1;
                    println!("    exception: {why}");
                } else {
                    let detail = match &got {
                        Admission::Denied { failures } => format!("{failures:?}"),
                        Admission::Admitted { mutations } => format!("mutations {mutations:?}"),
                    };
                    wrong.push(format!("{field}/{file}/{name}: {verdict}; {detail}"));
                }
            }
        }
    }
    println!("psp-kind: {} fields, {checked} pods checked, {agreed} agree ({mutated} admitted after mutation), {excused} documented exceptions", dirs.len());
    assert!(
        checked > 40,
        "expected the whole suite, found {checked} pods"
    );
    assert!(
        wrong.is_empty(),
        "disagreements with the cluster:\n{}",
        wrong.join("\n")
    );
}
