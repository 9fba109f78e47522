//! `podsec-migrate audit --plan`: the per-namespace answers of a whole cluster, against the
//! plan of a convert output directory or the plan `convert` would make (`--plan auto`).

mod common;

use common::run;
use serde_json::Value;

/// `audit --format json` with `args` (inputs included); the exit code and the document.
fn audit_json(args: &[&str]) -> (i32, Value) {
    let mut full = vec!["audit", "--format", "json"];
    full.extend_from_slice(args);
    let r = run(&full);
    let json = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("JSON on stdout ({e}): {}\nstderr: {}", r.stdout, r.stderr));
    (r.code, json)
}

/// `name -> (enforce, audit, warn)` of a list of namespace objects.
fn levels(namespaces: &Value) -> Vec<(String, String, String, String)> {
    namespaces
        .as_array()
        .expect("namespaces")
        .iter()
        .map(|n| {
            let s = |k: &str| n[k].as_str().unwrap_or_default().to_string();
            (s("name"), s("enforce"), s("audit"), s("warn"))
        })
        .collect()
}

/// Converts `fixture` into a temporary directory.
fn converted(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run(&["convert", fixture, "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "convert {fixture}: {}", r.stderr);
    dir
}

/// `--plan auto` plans as `convert` does, and `--plan DIR` reads back what `convert` wrote:
/// the same enforce, audit and warn level for every namespace with workloads.
#[test]
fn plan_auto_and_plan_dir_agree_with_convert() {
    for fixture in [
        "fixtures/example-cluster",
        "fixtures/psa-pods-meet-restricted",
        "fixtures/simulate-annotation-drift",
        "fixtures/simulate-rbac-scoping",
        "fixtures/fidelity-scoped",
    ] {
        let dir = converted(fixture);
        let out = dir.path().join("out");
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        let planned = levels(&report["namespaces"]);
        let (_, auto) = audit_json(&["--plan", "auto", fixture]);
        let (_, from_dir) = audit_json(&["--plan", out.to_str().unwrap(), fixture]);
        for answers in [&auto, &from_dir] {
            for n in levels(&answers["namespaces"]) {
                if let Some(p) = planned.iter().find(|p| p.0 == n.0) {
                    assert_eq!(&n, p, "{fixture}: namespace {}", n.0);
                }
            }
        }
        assert_eq!(from_dir["plan"]["targets"], serde_json::json!(["kyverno"]));
    }
}

/// The answers without the plan's origin (a temporary path).
fn answers(v: &Value) -> Value {
    serde_json::json!({"namespaces": v["namespaces"], "summary": v["summary"]})
}

#[test]
fn example_cluster_answers() {
    let (code, v) = audit_json(&["--plan", "auto", "fixtures/example-cluster"]);
    assert_eq!(code, 0, "nothing is rejected by the plan convert makes");
    insta::assert_json_snapshot!("example_cluster_auto", answers(&v));
    let dir = converted("fixtures/example-cluster");
    let out = dir.path().join("out");
    let (code, v) = audit_json(&["--plan", out.to_str().unwrap(), "fixtures/example-cluster"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["summary"]["denied_by_targets"], 0,
        "Kyverno admits what PSP admitted"
    );
    insta::assert_json_snapshot!("example_cluster_dir", answers(&v));
}

/// A hand-written plan: enforce restricted where the workloads only meet baseline rejects
/// them (exit 1); the Kyverno policy of another conversion denies the pod PSP denied.
#[test]
fn stricter_plan_rejects_and_names_the_controls() {
    let dir = converted("fixtures/simulate-annotation-drift");
    let out = dir.path().join("out");
    let labels = out.join("psa/namespaces.yaml");
    let text = std::fs::read_to_string(&labels).unwrap();
    std::fs::write(
        &labels,
        text.replace("/enforce: \"privileged\"", "/enforce: \"restricted\"")
            .replace("/enforce: \"baseline\"", "/enforce: \"restricted\""),
    )
    .unwrap();
    let (code, v) = audit_json(&[
        "--plan",
        out.to_str().unwrap(),
        "fixtures/simulate-annotation-drift",
    ]);
    assert_eq!(code, 1, "{v:#}");
    let shop = v["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "shop")
        .expect("namespace shop");
    assert_eq!(shop["enforce"], "restricted");
    let legacy = shop["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "legacy")
        .expect("the privileged pod is rejected");
    assert_eq!(legacy["modes"], serde_json::json!(["enforce"]));
    assert!(
        legacy["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "privileged"),
        "{legacy:#}"
    );
    let denied = shop["denied_by_targets"].as_array().unwrap();
    assert!(
        denied
            .iter()
            .any(|d| d["name"] == "legacy" && d["target"] == "kyverno"),
        "{denied:#?}"
    );
    assert!(
        shop["relied_on_psp_mutation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "web" && m["psp"] == "a-restricted"),
        "{shop:#}"
    );
}

#[test]
fn markdown_for_a_pull_request() {
    let r = run(&[
        "audit",
        "--plan",
        "auto",
        "--format",
        "markdown",
        "fixtures/example-cluster",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("example_cluster_markdown", r.stdout);
}

#[test]
fn text_names_each_namespace_and_the_totals() {
    let r = run(&["audit", "--plan", "auto", "fixtures/example-cluster"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("namespace logging: enforce privileged, audit baseline, warn baseline"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("FLAGGED by audit/warn baseline: DaemonSet log-shipper"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("4 workloads in 4 namespaces: 0 rejected by enforce"),
        "{}",
        r.stdout
    );
}

#[test]
fn markdown_needs_a_plan_and_a_plan_needs_a_directory() {
    let r = run(&[
        "audit",
        "--level",
        "baseline",
        "--format",
        "markdown",
        "fixtures/example-cluster",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(&["audit", "fixtures/example-cluster"]);
    assert_eq!(r.code, 2, "--level or --plan is needed: {}", r.stderr);
    let r = run(&["audit", "--plan", "fixtures", "fixtures/example-cluster"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("not a convert output directory"),
        "{}",
        r.stderr
    );
}
