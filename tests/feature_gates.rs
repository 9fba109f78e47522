//! `--feature-gates` on `levels`, `simulate` and `convert`: with `ProcMountType` off (the
//! 1.23/1.24 default) the API server drops `allowedProcMountTypes` from every PSP
//! (pkg/api/podsecuritypolicy/util.go `DropDisabledFields`), and the PSP plugin, which judges the
//! pod as submitted before `PrepareForCreate` forces its `procMount` to Default
//! (pkg/api/pod/util.go `dropDisabledProcMountField`), refuses `Unmasked` under every PSP.
//! Every report says which setting it assumed.

mod common;

use common::{run, run_with_stdin};
use serde_json::Value;

const FIXTURE: &str = "fixtures/unmasked-procmount";

/// A pod asking for Unmasked /proc that the fixture's PSP otherwise admits.
const UNMASKED_POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: builder
  namespace: ci
  annotations:
    container.apparmor.security.beta.kubernetes.io/build: runtime/default
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: build
    image: buildah
    securityContext: {procMount: Unmasked, allowPrivilegeEscalation: false}
"#;

fn levels_json(extra: &[&str]) -> (Value, String) {
    let mut args = vec!["levels", FIXTURE, "--format", "json"];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (serde_json::from_str(&r.stdout).unwrap(), r.stderr)
}

#[test]
fn levels_drops_allowed_proc_mount_types_unless_the_gate_is_on() {
    let (off, stderr) = levels_json(&[]);
    assert_eq!(off["feature_gates"]["ProcMountType"], false);
    assert_eq!(off["policies"][0]["compatible_level"], "baseline");
    assert!(
        stderr.contains("spec.allowedProcMountTypes") && stderr.contains("dropped"),
        "{stderr}"
    );
    let (on, stderr) = levels_json(&["--feature-gates", "ProcMountType=true"]);
    assert_eq!(on["feature_gates"]["ProcMountType"], true);
    assert_eq!(on["policies"][0]["compatible_level"], "privileged");
    assert!(!stderr.contains("dropped"), "{stderr}");
    let text = run(&["levels", FIXTURE]);
    assert!(
        text.stdout
            .contains("feature gates ProcMountType=false (the 1.23/1.24 default)"),
        "{}",
        text.stdout
    );
}

#[test]
fn simulate_refuses_unmasked_with_the_gate_off_and_admits_it_with_the_gate_on() {
    let psp = std::fs::read_to_string(format!("{FIXTURE}/psp.yaml")).unwrap();
    let input = format!("{psp}\n---{UNMASKED_POD}");
    let off = run_with_stdin(&["simulate", "-"], input.as_bytes());
    assert_eq!(off.code, 1, "{}\n{}", off.stdout, off.stderr);
    assert!(off.stdout.contains("procMount"), "{}", off.stdout);
    assert!(off.stdout.contains("ProcMountType=false"), "{}", off.stdout);
    let on = run_with_stdin(
        &[
            "simulate",
            "-",
            "--feature-gates",
            "ProcMountType=true",
            "--format",
            "json",
        ],
        input.as_bytes(),
    );
    assert_eq!(on.code, 0, "{}\n{}", on.stdout, on.stderr);
    let v: Value = serde_json::from_str(&on.stdout).unwrap();
    assert_eq!(v["feature_gates"]["ProcMountType"], true);
    assert_eq!(v["results"][0]["admitted"], true);
}

#[test]
fn convert_reports_the_gate_setting_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "convert",
        FIXTURE,
        "--out",
        out.to_str().unwrap(),
        "--feature-gates",
        "ProcMountType=true",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ProcMountType=true"), "{}", r.stdout);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["feature_gates"]["ProcMountType"], true);
    let md = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(md.contains("feature gates ProcMountType=true"), "{md}");
}

#[test]
fn unknown_gates_and_values_are_usage_errors() {
    for gates in ["Sysctls=true", "ProcMountType=maybe", "ProcMountType"] {
        let r = run(&["levels", FIXTURE, "--feature-gates", gates]);
        assert_eq!(r.code, 2, "{gates}: {}", r.stderr);
        assert!(r.stderr.contains("--feature-gates"), "{}", r.stderr);
    }
}
