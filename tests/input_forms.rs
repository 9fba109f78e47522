//! Every input form a user has lying around is read: multi-document YAML, List objects, JSON,
//! directories and stdin, with each object's origin kept.

mod common;

use common::{run, run_with_stdin};
use serde_json::Value;

/// `levels --dump-model` output as JSON; the run must succeed.
fn dump(args: &[&str]) -> (Value, String) {
    let mut full = vec!["levels", "--dump-model"];
    full.extend_from_slice(args);
    let r = run(&full);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    (
        serde_json::from_str(&r.stdout).expect("JSON on stdout"),
        r.stderr,
    )
}

fn names(v: &Value) -> Vec<String> {
    v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["policy"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn multi_document_yaml_skips_empty_documents_and_counts_other_kinds() {
    let (v, stderr) = dump(&["fixtures/multi-document/psps.yaml"]);
    assert_eq!(names(&v), ["first", "second"]);
    // Documents are numbered as parsed (empty ones left out), lines as in the file.
    assert_eq!(v["policies"][1]["source"]["line"], 17);
    assert!(
        stderr.contains("skipped (not used by podsec-migrate): 1 v1/ConfigMap"),
        "{stderr}"
    );
}

#[test]
fn list_items_are_objects_of_their_own() {
    let (v, _) = dump(&["fixtures/multi-psp-list/psps.yaml"]);
    assert_eq!(names(&v), ["open", "nonroot", "legacy-extensions"]);
    assert_eq!(v["policies"][2]["source"]["item"], 2);
    assert_eq!(
        v["policies"][2]["policy"]["apiVersion"],
        "extensions/v1beta1"
    );
    assert_eq!(
        v["policies"][1]["policy"]["spec"]["runAsUser"]["rule"],
        "MustRunAsNonRoot"
    );
}

#[test]
fn json_keeps_every_range() {
    let (v, _) = dump(&["fixtures/json-input/psp.json"]);
    let spec = &v["policies"][0]["policy"]["spec"];
    assert_eq!(
        spec["hostPorts"],
        serde_json::json!([{"min": 8000, "max": 8080}, {"min": 9090, "max": 9090}])
    );
    assert_eq!(spec["runAsUser"]["ranges"].as_array().unwrap().len(), 2);
    // API defaults: absent booleans deny, absent allowPrivilegeEscalation allows.
    assert_eq!(spec["hostNetwork"], false);
    assert_eq!(spec["allowPrivilegeEscalation"], true);
}

#[test]
fn directories_are_read_recursively_and_other_files_are_counted() {
    let (v, stderr) = dump(&["fixtures/example-cluster"]);
    assert_eq!(
        names(&v),
        ["restricted", "ingress", "node-agent", "privileged"]
    );
    assert!(
        stderr.contains("1 file(s) in directories without a .yaml/.yml/.json name"),
        "{stderr}"
    );
}

#[test]
fn stdin_is_read_with_a_dash() {
    let text = std::fs::read("fixtures/multi-document/psps.yaml").unwrap();
    let r = run_with_stdin(&["levels", "--dump-model", "-"], &text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(names(&v), ["first", "second"]);
    assert_eq!(v["policies"][0]["source"]["file"], "<stdin>");
}

#[test]
fn a_kubectl_psp_list_with_explicit_list_kind_is_read() {
    let text = b"apiVersion: policy/v1beta1\nkind: PodSecurityPolicyList\nitems:\n- metadata: {name: a}\n  apiVersion: policy/v1beta1\n  kind: PodSecurityPolicy\n  spec: {runAsUser: {rule: RunAsAny}, seLinux: {rule: RunAsAny}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}\n";
    let r = run_with_stdin(&["levels", "--dump-model", "-"], text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "no warnings expected: {}", r.stderr);
}
