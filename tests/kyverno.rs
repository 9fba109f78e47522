//! The Kyverno target end to end: for every fixture, the ValidatingPolicy `convert` writes
//! validates against the shared schema, is snapshotted, and `verify` finds it deciding as the
//! simulator on the fixture's own pods and templates (or the difference is declared).

mod common;

use std::path::Path;

use common::{run, shared_dir};
use serde_json::Value;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
const POLICY: &str = "kyverno/validating-policy.yaml";
const MUTATING: &str = "kyverno/mutating-policy.yaml";

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

/// Converts `input` into `out` (every target) and returns the policy text.
fn convert(input: &str, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["convert", input, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "convert {input}: {}", r.stderr);
    std::fs::read_to_string(out.join(POLICY)).unwrap()
}

fn parse(text: &str) -> Value {
    let docs = podsec_migrate::load::yaml::parse_documents(text).expect("the policy parses");
    assert_eq!(docs.len(), 1);
    docs.into_iter().next().unwrap().value
}

#[test]
fn every_fixture_policy_is_snapshotted_and_verified() {
    let schemas =
        shared_dir("kyverno schemas").map(|s| common::schema::Schemas::load(&s.join("schemas")));
    let mut agreed = 0;
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        let text = convert(&input, &out, &[]);
        let doc = parse(&text);
        if let Some(schemas) = &schemas {
            assert_eq!(schemas.validate(&doc), Ok(true), "{case}: {text}");
        }
        insta::assert_snapshot!(case.replace('/', "__"), text);
        if let Ok(mutating) = std::fs::read_to_string(out.join(MUTATING)) {
            let doc = parse(&mutating);
            if let Some(schemas) = &schemas {
                assert_eq!(schemas.validate(&doc), Ok(true), "{case}: {mutating}");
            }
            insta::assert_snapshot!(format!("{}__mutating", case.replace('/', "__")), mutating);
        }
        let r = run(&["verify", out.to_str().unwrap(), &input]);
        if r.code == 3 && r.stderr.contains("no Pod or pod template found") {
            continue;
        }
        assert_eq!(r.code, 0, "verify {case}: {}{}", r.stdout, r.stderr);
        agreed += r
            .stdout
            .lines()
            .filter(|l| l.starts_with("AGREED "))
            .count();
        assert!(!r.stdout.contains("DIFFERS "), "{case}: {}", r.stdout);
        assert!(!r.stdout.contains("DECLARED "), "{case}: {}", r.stdout);
    }
    assert!(agreed >= 40, "only {agreed} verdicts agreed outright");
}

/// Values that are CEL or template syntax stay inside their literals: the policy has the
/// variables a PSP always gets, and `verify` agrees with the simulator on pods that would be
/// let in if a value escaped.
#[test]
fn hostile_values_keep_structure_and_decisions() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let text = convert("fixtures/hostile-cel", &out, &[]);
    let doc = parse(&text);
    let names: Vec<&str> = doc["spec"]["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    let psp: Vec<&&str> = names.iter().filter(|n| n.starts_with("psp_")).collect();
    assert_eq!(
        psp,
        [
            &"psp_cel______true______x_usable",
            &"psp_cel______true______x_violations",
            &"psp_cel______true______x_admits"
        ]
    );
    // Kyverno's autogen rewrites the text `object.spec`: it must not occur in a literal.
    assert!(!text.contains("/object.spec"), "{text}");
    let r = run(&["verify", out.to_str().unwrap(), "fixtures/hostile-cel"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.matches("AGREED ").count(), 5, "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("kyverno denies").count(),
        3,
        "{}",
        r.stdout
    );
}

#[test]
fn audit_actions_make_a_dry_run() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let text = convert(
        "fixtures/example-cluster",
        &out,
        &["--kyverno-actions", "audit"],
    );
    assert_eq!(
        parse(&text)["spec"]["validationActions"],
        serde_json::json!(["Audit"])
    );
}

/// A policy edited to admit everything is caught: `verify` names the pods the simulator denies
/// and exits 1.
#[test]
fn verify_fails_on_an_undeclared_disagreement() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let text = convert("fixtures/hostile-cel", &out, &[]);
    let marker = "  validations:\n    - expression: |-\n";
    let at = text.find(marker).expect("the validation") + marker.len();
    let end = text[at..].find("\n      messageExpression").unwrap() + at;
    let tampered = format!("{}        true{}", &text[..at], &text[end..]);
    std::fs::write(out.join(POLICY), tampered).unwrap();
    let r = run(&["verify", out.to_str().unwrap(), "fixtures/hostile-cel"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.matches("DIFFERS ").count(), 3, "{}", r.stdout);
    assert!(r.stdout.contains("3 undeclared"), "{}", r.stdout);
}

#[test]
fn verify_without_a_policy_is_an_input_error() {
    let t = tempfile::tempdir().unwrap();
    let r = run(&[
        "verify",
        t.path().to_str().unwrap(),
        "fixtures/example-cluster",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("kyverno/validating-policy.yaml"),
        "{}",
        r.stderr
    );
}

/// Without the mutating policy, pods that relied on a PSP default are refused, and `verify`
/// says why instead of failing.
#[test]
fn without_the_mutating_policy_relying_on_defaults_is_declared() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert("fixtures/simulate-mutations", &out, &[]);
    std::fs::remove_file(out.join(MUTATING)).unwrap();
    let r = run(&["verify", out.to_str().unwrap(), "fixtures/simulate-mutations"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("DECLARED Pod shop/bare"), "{}", r.stdout);
    assert!(r.stdout.contains("holds no mutating policy"), "{}", r.stdout);
}
