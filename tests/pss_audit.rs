//! `podsec-migrate audit`: Pods and pod templates judged against a level and version.

mod common;

use common::run_with_stdin;
use serde_json::Value;

const INPUT: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
  - {name: app, image: nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: api
        image: api
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
"#;

/// Runs `audit` on `input` (via stdin) with `args`; returns the exit code and parsed JSON.
fn audit_json(args: &[&str], input: &str) -> (i32, Value) {
    let mut full = vec!["audit", "--format", "json"];
    full.extend_from_slice(args);
    full.push("-");
    let r = run_with_stdin(&full, input.as_bytes());
    let json = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("JSON on stdout ({e}): {}\nstderr: {}", r.stdout, r.stderr));
    (r.code, json)
}

#[test]
fn restricted_fails_the_bare_pod_and_passes_the_hardened_template() {
    let (code, v) = audit_json(&["--level", "restricted"], INPUT);
    assert_eq!(code, 1);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let pod = &results[0];
    assert_eq!(pod["kind"], "Pod");
    assert_eq!(pod["namespace"], "shop");
    assert_eq!(pod["name"], "web");
    assert_eq!(pod["level"], "restricted");
    assert_eq!(pod["version"], "latest");
    assert_eq!(pod["allowed"], false);
    let checks: Vec<&str> = pod["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
    assert!(pod["source"].as_str().unwrap().contains(':'));
    let deploy = &results[1];
    assert_eq!(deploy["kind"], "Deployment");
    assert_eq!(deploy["name"], "api");
    assert_eq!(deploy["allowed"], true);
    assert_eq!(deploy["violations"], Value::Array(vec![]));
}

#[test]
fn baseline_passes_everything_with_exit_zero() {
    let (code, v) = audit_json(&["--level", "baseline", "--k8s-version", "v1.25"], INPUT);
    assert_eq!(code, 0);
    assert_eq!(v["results"][0]["version"], "v1.25");
    assert!(v["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["allowed"] == true));
}

#[test]
fn version_decides_which_sysctls_are_safe() {
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: tuned}
spec:
  securityContext:
    sysctls: [{name: net.ipv4.tcp_notsent_lowat, value: "16384"}]
  containers: [{name: app, image: app}]
"#;
    let (code, v) = audit_json(&["--level", "baseline", "--k8s-version", "v1.36"], pod);
    assert_eq!(code, 1);
    assert_eq!(v["results"][0]["violations"][0]["check"], "sysctls");
    let (code, _) = audit_json(&["--level", "baseline", "--k8s-version", "v1.37"], pod);
    assert_eq!(code, 0);
}

#[test]
fn text_output_names_failures_and_counts() {
    let r = run_with_stdin(&["audit", "--level", "restricted", "-"], INPUT.as_bytes());
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    assert!(r.stdout.contains("FAIL Pod shop/web"), "{}", r.stdout);
    assert!(
        r.stdout.contains("PASS Deployment shop/api"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(r#"runAsNonRoot: runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)"#),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("1 of 2 passed restricted:latest"),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_level_or_version_is_a_usage_error() {
    let r = run_with_stdin(&["audit", "--level", "strict", "-"], INPUT.as_bytes());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown level"), "{}", r.stderr);
    let r = run_with_stdin(
        &["audit", "--level", "baseline", "--k8s-version", "2.0", "-"],
        INPUT.as_bytes(),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("invalid Kubernetes version"),
        "{}",
        r.stderr
    );
}

#[test]
fn input_without_pods_is_an_input_error() {
    let r = run_with_stdin(
        &["audit", "--level", "baseline", "-"],
        b"apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n",
    );
    assert_eq!(r.code, 3, "stderr: {}", r.stderr);
}
