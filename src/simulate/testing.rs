//! Helpers for the simulator's tests: PSPs and pods written as YAML, and the verdict of one
//! policy on one pod. Each check file tests its family with these; `tests.rs` tests the choice
//! among policies.

pub(crate) use k8s_openapi::api::core::v1::Pod;
pub(crate) use serde_json::json;

pub(crate) use super::{
    choose, evaluate, Admission, Choice, Evaluation, APPARMOR_CONTAINER, SECCOMP_CONTAINER,
    SECCOMP_POD,
};
pub(crate) use crate::load::{load_text, Loaded, ObjectKind};
pub(crate) use crate::psp::{GroupRule, Psp, RunAsUserRule};

/// A PSP named `name`: RunAsAny strategies, volumes `*`, plus `spec` (lines indented two spaces)
/// and `annotations` (a flow mapping body).
pub(crate) fn named_psp(name: &str, spec: &str, annotations: &str) -> Psp {
    let strategies: String = ["seLinux", "runAsUser", "supplementalGroups", "fsGroup"]
        .iter()
        .filter(|k| !spec.contains(&format!("  {k}:")))
        .map(|k| format!("  {k}: {{rule: RunAsAny}}\n"))
        .collect();
    let text = format!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: '{name}'\n  annotations: {{{annotations}}}\nspec:\n{strategies}{spec}"
    );
    let mut loaded = Loaded::default();
    load_text("psp.yaml", &text, &mut loaded);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let p = loaded.psps().next().expect("a PSP").1.clone();
    p
}

pub(crate) fn psp(spec: &str) -> Psp {
    let with_volumes = if spec.contains("  volumes:") {
        spec.to_string()
    } else {
        format!("  volumes: ['*']\n{spec}")
    };
    named_psp("p", &with_volumes, "")
}

pub(crate) fn psp_annotated(annotations: &str) -> Psp {
    named_psp("p", "  volumes: ['*']\n", annotations)
}

/// A pod from its spec (lines indented two spaces) and annotations (a flow mapping body).
pub(crate) fn pod_annotated(spec: &str, annotations: &str) -> Pod {
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{{annotations}}}\nspec:\n{spec}"
    );
    let mut loaded = Loaded::default();
    load_text("pod.yaml", &text, &mut loaded);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    match &loaded.objects[0].kind {
        ObjectKind::Pod(p) => (**p).clone(),
        other => panic!("not a pod: {}", other.kind()),
    }
}

pub(crate) fn pod(spec: &str) -> Pod {
    pod_annotated(spec, "")
}

pub(crate) const APP: &str = "  containers: [{name: app, image: x}]\n";

pub(crate) fn run(psp: &Psp, pod: &Pod) -> Evaluation {
    evaluate(psp, pod.spec.as_ref().unwrap(), &pod.metadata)
}

/// The pod fields that failed, or `admitted`.
pub(crate) fn failed(psp: &Psp, pod: &Pod) -> Vec<String> {
    match run(psp, pod).admission {
        Admission::Denied { failures } => failures.into_iter().map(|f| f.field).collect(),
        Admission::Admitted { .. } => vec!["admitted".into()],
    }
}

pub(crate) fn admitted(psp: &Psp, pod: &Pod) -> bool {
    run(psp, pod).admission.is_admitted()
}

/// The mutations as `(path, value)`; panics when denied.
pub(crate) fn mutations(psp: &Psp, pod: &Pod) -> Vec<(String, serde_json::Value)> {
    match run(psp, pod).admission {
        Admission::Admitted { mutations } => {
            mutations.into_iter().map(|m| (m.path, m.value)).collect()
        }
        Admission::Denied { failures } => panic!("denied: {failures:?}"),
    }
}
