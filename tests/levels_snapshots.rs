//! `podsec-migrate levels` end to end: insta snapshots of every fixture, the Kubernetes docs'
//! examples, and the shared PSP corpus.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_podsec-migrate");
const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// Runs `levels` from the crate root and returns (exit code, stdout, stderr).
fn levels(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .current_dir(MANIFEST)
        .arg("levels")
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// Runs `levels` and expects success.
fn ok(args: &[&str]) -> String {
    let (code, out, err) = levels(args);
    assert_eq!(code, 0, "levels {args:?} failed: {err}");
    out
}

/// The fixture folders, sorted (the folder of per-family fixtures left out).
fn fixtures() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(Path::new(MANIFEST).join("fixtures"))
        .expect("fixtures/ exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // The per-family fixtures under fixtures/fields/ have their own test (tests/fields.rs).
        .filter(|name| name != "fields")
        .collect();
    v.sort();
    v
}

fn snapshot(name: &str, body: &str) {
    insta::assert_snapshot!(name, body);
}

#[test]
fn every_fixture_json_and_text() {
    for case in fixtures() {
        let dir = format!("fixtures/{case}");
        snapshot(&format!("{case}__json"), &ok(&[&dir, "--format", "json"]));
        snapshot(&format!("{case}__text"), &ok(&[&dir]));
    }
}

/// The same fixture with the ProcMountType gate on: `allowedProcMountTypes` is kept (the
/// default snapshot shows it dropped, as a 1.23/1.24 API server did).
#[test]
fn gate_sensitive_fixtures() {
    let out = ok(&[
        "fixtures/unmasked-procmount",
        "--format",
        "json",
        "--feature-gates",
        "ProcMountType=true",
    ]);
    snapshot("unmasked-procmount__proc_mount_type_on__json", &out);
}

#[test]
fn version_sensitive_fixtures() {
    for (case, version) in [
        ("sysctl-safe-1-29", "v1.28"),
        ("sysctl-safe-1-29", "v1.29"),
        ("selinux-container-engine", "v1.30"),
        ("selinux-container-engine", "v1.31"),
        ("restricted-nonroot", "v1.18"),
    ] {
        let dir = format!("fixtures/{case}");
        let out = ok(&[&dir, "--format", "json", "--k8s-version", version]);
        snapshot(&format!("{case}__{version}__json"), &out);
    }
}

#[test]
fn markdown_of_the_docs_examples() {
    snapshot(
        "k8s-docs-examples__markdown",
        &ok(&["fixtures/k8s-docs-examples", "--format", "markdown"]),
    );
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("levels prints JSON")
}

fn policy<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

/// The field row `field` of a policy.
fn row<'a>(policy: &'a Value, field: &str) -> &'a Value {
    policy["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["field"] == field)
        .unwrap_or_else(|| panic!("no row {field}"))
}

#[test]
fn docs_baseline_example_is_privileged_and_says_why() {
    let report = json(&["fixtures/k8s-docs-examples", "--format", "json"]);
    let p = policy(&report, "baseline");
    assert_eq!(p["compatible_level"], "privileged");
    let caps = row(p, "allowedCapabilities");
    assert_eq!(caps["baseline"], "psp_looser");
    assert!(caps["reason"].as_str().unwrap().contains("NET_RAW"));
    let seccomp = row(
        p,
        "seccomp.security.alpha.kubernetes.io/allowedProfileNames",
    );
    assert_eq!(seccomp["baseline"], "psp_looser");
    assert!(seccomp["reason"].as_str().unwrap().contains("unconfined"));
    let selinux = row(p, "seLinux");
    assert_eq!(selinux["baseline"], "psp_looser");
    assert!(selinux["reason"].as_str().unwrap().contains("RunAsAny"));
}

#[test]
fn docs_restricted_example_intends_restricted_but_is_not_compatible_with_it() {
    let report = json(&["fixtures/k8s-docs-examples", "--format", "json"]);
    let p = policy(&report, "restricted");
    assert_eq!(p["intended_level"], "restricted");
    assert_ne!(p["compatible_level"], "restricted");
    let omitted: Vec<&str> = p["allowed_by_omission"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["field"].as_str().unwrap())
        .collect();
    assert!(omitted.contains(&"runAsUser"), "{omitted:?}");
    assert_eq!(
        policy(&report, "privileged")["intended_level"],
        "privileged"
    );
}

#[test]
fn sysctls_turn_safe_at_1_29() {
    let at = |v| {
        json(&[
            "fixtures/sysctl-safe-1-29",
            "--format",
            "json",
            "--k8s-version",
            v,
        ])
    };
    assert_eq!(
        policy(&at("v1.28"), "sysctl-keepalive")["compatible_level"],
        "privileged"
    );
    assert_eq!(
        policy(&at("v1.29"), "sysctl-keepalive")["compatible_level"],
        "baseline"
    );
}

#[test]
fn latest_prints_as_the_newest_minor_and_bad_versions_are_usage_errors() {
    let report = json(&["fixtures/privileged-open", "--format", "json"]);
    assert_eq!(report["k8s_version"], "v1.37");
    let (code, _, err) = levels(&["fixtures/privileged-open", "--k8s-version", "v2.0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--k8s-version"), "{err}");
}

#[test]
fn output_is_deterministic() {
    let args = ["fixtures", "--rename-duplicates", "--format", "json"];
    assert_eq!(ok(&args), ok(&args));
}

#[test]
fn every_corpus_psp_gets_both_levels() {
    let Some(shared) = common::shared_dir("every_corpus_psp_gets_both_levels") else {
        return;
    };
    let corpus = shared.join("corpus/psp");
    let files = std::fs::read_dir(&corpus).unwrap().count();
    let dir = corpus.to_string_lossy().into_owned();
    let report = json(&[&dir, "--rename-duplicates", "--format", "json"]);
    let policies = report["policies"].as_array().unwrap();
    assert!(
        policies.len() >= files,
        "{} policies from {files} files",
        policies.len()
    );
    let rank = |v: &Value| match v.as_str() {
        Some("privileged") => 0,
        Some("baseline") => 1,
        Some("restricted") => 2,
        other => panic!("not a level: {other:?}"),
    };
    for p in policies {
        let (c, i) = (rank(&p["compatible_level"]), rank(&p["intended_level"]));
        assert!(c <= i, "{}: compatible above intended", p["name"]);
        assert!(!p["fields"].as_array().unwrap().is_empty());
    }
}
