//! The vap target end to end: for every fixture, the ValidatingAdmissionPolicy, the
//! MutatingAdmissionPolicy and their bindings validate against the shared schemas (unknown
//! fields rejected), are snapshotted, and `verify` finds them deciding as the simulator on the
//! fixture's own pods and controllers; the Kubernetes version picks the APIs.

mod common;

use std::path::Path;

use common::{run, shared_dir};
use serde_json::Value;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
const POLICY: &str = "vap/validating-admission-policy.yaml";
const BINDING: &str = "vap/validating-admission-policy-binding.yaml";
const MUTATING: &str = "vap/mutating-admission-policy.yaml";
const MUTATING_BINDING: &str = "vap/mutating-admission-policy-binding.yaml";

/// Every fixture folder (the per-family ones too), relative to the crate.
fn fixtures() -> Vec<String> {
    let root = Path::new(MANIFEST).join("fixtures");
    let mut v = Vec::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name == "fields" {
            for f in std::fs::read_dir(root.join("fields")).unwrap() {
                let f = f.unwrap().file_name().to_string_lossy().into_owned();
                v.push(format!("fields/{f}"));
            }
        } else {
            v.push(name);
        }
    }
    v.sort();
    v
}

/// `convert INPUT --out OUT --targets vap EXTRA...`, exit 0 expected.
fn convert(input: &str, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "convert",
        input,
        "--out",
        out.to_str().unwrap(),
        "--targets",
        "vap",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "convert {input}: {}", r.stderr);
}

fn read(out: &Path, file: &str) -> Option<String> {
    std::fs::read_to_string(out.join(file)).ok()
}

fn parse(text: &str) -> Value {
    let docs = podsec_migrate::load::yaml::parse_documents(text).expect("the document parses");
    assert_eq!(docs.len(), 1);
    docs.into_iter().next().unwrap().value
}

fn schemas(test: &str) -> Option<common::schema::Schemas> {
    shared_dir(test).map(|s| common::schema::Schemas::load(&s.join("schemas")))
}

/// `text` parses to one document that a shared schema covers and accepts.
fn valid(schemas: Option<&common::schema::Schemas>, what: &str, text: &str) -> Value {
    let doc = parse(text);
    if let Some(schemas) = schemas {
        assert_eq!(schemas.validate(&doc), Ok(true), "{what}: {text}");
    }
    doc
}

/// `verify OUT INPUT`: exit 0 and nothing differs; `None` when the input holds no pod.
fn verified(out: &Path, input: &str) -> Option<String> {
    let r = run(&["verify", out.to_str().unwrap(), input]);
    if r.code == 3 && r.stderr.contains("no Pod or pod template found") {
        return None;
    }
    assert_eq!(r.code, 0, "verify {input}: {}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("DIFFERS "), "{input}: {}", r.stdout);
    Some(r.stdout)
}

#[test]
fn every_fixture_is_valid_snapshotted_and_verified() {
    let schemas = schemas("vap schemas");
    let mut agreed = 0;
    let mut controllers = 0;
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        convert(&input, &out, &[]);
        let name = case.replace('/', "__");
        for (file, suffix) in [
            (POLICY, "policy"),
            (BINDING, "binding"),
            (MUTATING, "mutating"),
            (MUTATING_BINDING, "mutating_binding"),
        ] {
            let Some(text) = read(&out, file) else {
                assert!(file.starts_with("vap/mutating"), "{case}: no {file}");
                continue;
            };
            valid(schemas.as_ref(), &format!("{case} {file}"), &text);
            insta::assert_snapshot!(format!("{name}__{suffix}"), text);
        }
        assert_eq!(
            read(&out, MUTATING).is_some(),
            read(&out, MUTATING_BINDING).is_some(),
            "{case}: a mutating policy goes with its binding"
        );
        let Some(stdout) = verified(&out, &input) else {
            continue;
        };
        agreed += stdout.lines().filter(|l| l.starts_with("AGREED ")).count();
        controllers += stdout
            .lines()
            .filter(|l| l.starts_with("AGREED ") && !l.starts_with("AGREED Pod "))
            .count();
        assert!(!stdout.contains("DECLARED "), "{case}: {stdout}");
    }
    assert!(agreed >= 40, "only {agreed} verdicts agreed");
    assert!(controllers >= 8, "only {controllers} controllers agreed");
}

/// The Kubernetes version picks the APIs: no target before 1.30 when it is named (a usage
/// error) and left out with a note when it is not; no MutatingAdmissionPolicy before 1.34,
/// v1beta1 in 1.34 and 1.35, v1 from 1.36.
#[test]
fn the_version_picks_the_apis() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let r = run(&[
        "convert",
        "fixtures/simulate-mutations",
        "--out",
        out.to_str().unwrap(),
        "--targets",
        "vap",
        "--k8s-version",
        "v1.29",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--targets vap") && r.stderr.contains("1.30"),
        "{}",
        r.stderr
    );
    assert!(!out.exists(), "nothing is written on a usage error");
    let r = run(&[
        "convert",
        "fixtures/simulate-mutations",
        "--out",
        out.to_str().unwrap(),
        "--k8s-version",
        "v1.29",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!out.join("vap").exists());
    assert!(
        read(&out, "REPORT.md")
            .unwrap()
            .contains("The vap target is left out"),
        "the report says why"
    );
    let schemas = schemas("vap version schemas");
    for (version, api) in [
        ("v1.33", None),
        ("v1.34", Some("v1beta1")),
        ("v1.35", Some("v1beta1")),
        ("v1.36", Some("v1")),
        ("latest", Some("v1")),
    ] {
        let out = t.path().join(version);
        convert(
            "fixtures/simulate-mutations",
            &out,
            &["--k8s-version", version],
        );
        let policy = read(&out, MUTATING);
        let binding = read(&out, MUTATING_BINDING);
        match api {
            None => {
                assert!(policy.is_none() && binding.is_none(), "{version}");
                let report: Value =
                    serde_json::from_str(&read(&out, "report.json").unwrap()).unwrap();
                let dropped: Vec<&Value> = report["fidelity"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["target"] == "vap" && r["effect"] == "mutate")
                    .collect();
                assert!(!dropped.is_empty());
                assert!(
                    dropped.iter().all(|r| r["verdict"] == "mutation_dropped"),
                    "{dropped:?}"
                );
                // Pods that relied on a default are refused, and verify says why.
                let v = run(&[
                    "verify",
                    out.to_str().unwrap(),
                    "fixtures/simulate-mutations",
                ]);
                assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
                assert!(v.stdout.contains("DECLARED "), "{}", v.stdout);
                assert!(
                    v.stdout.contains("no MutatingAdmissionPolicy"),
                    "{}",
                    v.stdout
                );
            }
            Some(api) => {
                let policy = policy.unwrap();
                assert_eq!(
                    policy.contains("--runtime-config=admissionregistration.k8s.io/v1beta1=true"),
                    api == "v1beta1",
                    "{version}: the beta API is said to need enabling"
                );
                for text in [policy, binding.unwrap()] {
                    let doc = valid(schemas.as_ref(), version, &text);
                    assert_eq!(
                        doc["apiVersion"],
                        format!("admissionregistration.k8s.io/{api}"),
                        "{version}"
                    );
                }
                let v = verified(&out, "fixtures/simulate-mutations").unwrap();
                assert!(!v.contains("DECLARED "), "{v}");
            }
        }
    }
}

/// `--vap-actions warn,audit` is a dry run: the binding refuses nothing, and verify declares
/// the pods the policy would refuse; deny and warn together is a usage error.
#[test]
fn vap_actions_make_a_dry_run() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert(
        "fixtures/hostile-cel",
        &out,
        &["--vap-actions", "warn,audit"],
    );
    let binding = parse(&read(&out, BINDING).unwrap());
    assert_eq!(
        binding["spec"]["validationActions"],
        serde_json::json!(["Warn", "Audit"])
    );
    let r = run(&["verify", out.to_str().unwrap(), "fixtures/hostile-cel"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.matches("DECLARED ").count(), 3, "{}", r.stdout);
    assert!(r.stdout.contains("a dry run"), "{}", r.stdout);
    let bad = t.path().join("bad");
    let r = run(&[
        "convert",
        "fixtures/hostile-cel",
        "--out",
        bad.to_str().unwrap(),
        "--targets",
        "vap",
        "--vap-actions",
        "deny,warn",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot be combined"), "{}", r.stderr);
}

/// Names that are YAML, CEL, template or shell syntax stay inside their literals: every
/// document is one valid document of its kind, and verify agrees with the simulator.
#[test]
fn hostile_names_keep_structure_and_decisions() {
    let schemas = schemas("vap hostile schemas");
    for case in ["hostile-names", "hostile-cel"] {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        convert(&input, &out, &[]);
        let policy = valid(schemas.as_ref(), case, &read(&out, POLICY).unwrap());
        assert_eq!(policy["kind"], "ValidatingAdmissionPolicy");
        assert_eq!(policy["spec"]["validations"].as_array().unwrap().len(), 1);
        let binding = valid(schemas.as_ref(), case, &read(&out, BINDING).unwrap());
        assert_eq!(binding["spec"]["policyName"], policy["metadata"]["name"]);
        assert_eq!(binding["spec"].as_object().unwrap().len(), 2, "{binding}");
        verified(&out, &input);
    }
}

/// A policy edited to admit everything is caught, and so is a binding edited to leave a
/// namespace out: verify honours the binding's namespaceSelector.
#[test]
fn verify_catches_edits_to_the_policy_and_the_binding() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert("fixtures/hostile-cel", &out, &[]);
    let text = read(&out, POLICY).unwrap();
    let marker = "  validations:\n    - expression: |-\n";
    let at = text.find(marker).expect("the validation") + marker.len();
    let end = text[at..].find("\n      messageExpression").unwrap() + at;
    std::fs::write(
        out.join(POLICY),
        format!("{}        true{}", &text[..at], &text[end..]),
    )
    .unwrap();
    let r = run(&["verify", out.to_str().unwrap(), "fixtures/hostile-cel"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.matches("DIFFERS ").count(), 3, "{}", r.stdout);
    std::fs::write(out.join(POLICY), &text).unwrap();
    let binding = read(&out, BINDING).unwrap();
    let namespaces: Vec<String> = {
        let r = run(&[
            "verify",
            out.to_str().unwrap(),
            "fixtures/hostile-cel",
            "--format",
            "json",
        ]);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| !x["simulator_admitted"].as_bool().unwrap())
            .map(|x| x["namespace"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!namespaces.is_empty());
    let values: Vec<String> = namespaces
        .iter()
        .map(|n| serde_json::to_string(n).unwrap())
        .collect();
    std::fs::write(
        out.join(BINDING),
        format!(
            "{binding}  matchResources:\n    namespaceSelector:\n      matchExpressions:\n        - {{key: kubernetes.io/metadata.name, operator: NotIn, values: [{}]}}\n",
            values.join(", ")
        ),
    )
    .unwrap();
    let r = run(&["verify", out.to_str().unwrap(), "fixtures/hostile-cel"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.matches("DIFFERS ").count(), 3, "{}", r.stdout);
}
