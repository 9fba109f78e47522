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

/// Converts `input` into `out` (every target).
fn convert_into(input: &str, out: &Path, extra: &[&str]) {
    // The Kyverno target alone (with PSA): verify's counts below are Kyverno's.
    let mut args = vec![
        "convert",
        input,
        "--out",
        out.to_str().unwrap(),
        "--targets",
        "psa,kyverno",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "convert {input}: {}", r.stderr);
}

/// Converts `input` into `out` (every target) and returns the policy text.
fn convert(input: &str, out: &Path, extra: &[&str]) -> String {
    convert_into(input, out, extra);
    std::fs::read_to_string(out.join(POLICY)).unwrap()
}

fn parse(text: &str) -> Value {
    let docs = podsec_migrate::load::yaml::parse_documents(text).expect("the policy parses");
    assert_eq!(docs.len(), 1);
    docs.into_iter().next().unwrap().value
}

/// The shared schemas, when the shared folder is there (`None` skips the checks, loudly).
fn schemas(test: &str) -> Option<common::schema::Schemas> {
    shared_dir(test).map(|s| common::schema::Schemas::load(&s.join("schemas")))
}

/// `text` parses to one document that validates against its shared schema.
fn valid(schemas: Option<&common::schema::Schemas>, what: &str, text: &str) -> Value {
    let doc = parse(text);
    if let Some(schemas) = schemas {
        assert_eq!(schemas.validate(&doc), Ok(true), "{what}: {text}");
    }
    doc
}

/// `verify OUT INPUT`, exit 0 expected; `None` when the input holds no pod to verify.
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
fn every_fixture_policy_is_snapshotted_and_verified() {
    let schemas = schemas("kyverno schemas");
    let mut agreed = 0;
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        let text = convert(&input, &out, &[]);
        valid(schemas.as_ref(), &case, &text);
        insta::assert_snapshot!(case.replace('/', "__"), text);
        if let Ok(mutating) = std::fs::read_to_string(out.join(MUTATING)) {
            valid(schemas.as_ref(), &case, &mutating);
            insta::assert_snapshot!(format!("{}__mutating", case.replace('/', "__")), mutating);
        }
        let Some(stdout) = verified(&out, &input) else {
            continue;
        };
        agreed += stdout.lines().filter(|l| l.starts_with("AGREED ")).count();
        assert!(!stdout.contains("DECLARED "), "{case}: {stdout}");
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
    // No `__` in a name: Kubernetes' CEL would read `__true__` as an escape for `true` (the real
    // engine, in gator, failed on `psp_cel______true______x_admits`).
    assert_eq!(
        psp,
        [
            &"psp_cel_true_x_usable",
            &"psp_cel_true_x_violations",
            &"psp_cel_true_x_admits"
        ]
    );
    // Kyverno's autogen rewrites the text `object.spec`: it must not occur in a literal.
    assert!(!text.contains("/object.spec"), "{text}");
    let r = run(&["verify", out.to_str().unwrap(), "fixtures/hostile-cel"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let kyverno_agreed = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("AGREED ") && l.contains("; kyverno "))
        .count();
    assert_eq!(kyverno_agreed, 5, "{}", r.stdout);
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
    let r = run(&[
        "verify",
        out.to_str().unwrap(),
        "fixtures/simulate-mutations",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("DECLARED Pod shop/bare"), "{}", r.stdout);
    assert!(
        r.stdout.contains("holds no mutating policy"),
        "{}",
        r.stdout
    );
}

/// The Kyverno CLI suite validates against the shared schema, names only pods it holds, and
/// expects what the emitted policies do in the embedded engine (which the differential tests
/// hold to the simulator).
#[test]
fn kyverno_cli_suite_is_complete_and_consistent() {
    use podsec_migrate::cel::eval::{mutation, Engine, Request, Validation};
    use podsec_migrate::cel::Variable;
    let schemas = schemas("kyverno cli suite schemas");
    for case in ["example-cluster", "simulate-mutations", "hostile-cel"] {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        convert(&format!("fixtures/{case}"), &out, &[]);
        let named = |doc: &Value, key: &str| -> Vec<Variable> {
            doc["spec"][key]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| Variable {
                    name: v["name"].as_str().unwrap().into(),
                    expression: v["expression"].as_str().unwrap().into(),
                })
                .collect()
        };
        let vp = parse(&std::fs::read_to_string(out.join(POLICY)).unwrap());
        let validation = &vp["spec"]["validations"][0];
        let validating = Engine::from_parts(
            &[],
            &named(&vp, "variables"),
            &[Validation {
                expression: validation["expression"].as_str().unwrap().into(),
                message_expression: validation["messageExpression"].as_str().unwrap().into(),
            }],
        )
        .unwrap();
        let mutating = std::fs::read_to_string(out.join(MUTATING))
            .ok()
            .map(|text| {
                let mp = parse(&text);
                Engine::from_parts(
                    &named(&mp, "matchConditions"),
                    &named(&mp, "variables"),
                    &[],
                )
                .unwrap()
            });
        for (suite, expect_mutation) in [("validating", false), ("mutating", true)] {
            let dir = out.join("kyverno/tests").join(suite);
            if expect_mutation && mutating.is_none() {
                assert!(
                    !dir.exists(),
                    "{case}: a mutating suite without a mutating policy"
                );
                continue;
            }
            let test_text = std::fs::read_to_string(dir.join("kyverno-test.yaml")).unwrap();
            let test = parse(&test_text);
            if let Some(schemas) = &schemas {
                assert_eq!(
                    schemas.validate(&test),
                    Ok(true),
                    "{case} {suite}: {test_text}"
                );
            }
            let read_pods = |file: &str| -> Vec<Value> {
                let text = std::fs::read_to_string(dir.join(file)).unwrap();
                podsec_migrate::load::yaml::parse_documents(&text)
                    .unwrap()
                    .into_iter()
                    .map(|d| d.value)
                    .collect()
            };
            let pods = read_pods("resources.yaml");
            let patched = if expect_mutation {
                read_pods("patched.yaml")
            } else {
                Vec::new()
            };
            let by_name = |docs: &[Value], name: &str| -> Value {
                let found: Vec<&Value> = docs
                    .iter()
                    .filter(|p| p["metadata"]["name"] == name)
                    .collect();
                assert_eq!(found.len(), 1, "{case} {suite}: {name}");
                found[0].clone()
            };
            let mut checked = 0;
            for result in test["results"].as_array().unwrap() {
                for name in result["resources"].as_array().unwrap() {
                    let name = name.as_str().unwrap();
                    let mut pod = by_name(&pods, name);
                    let request = Request {
                        namespace: pod["metadata"]["namespace"].as_str().unwrap().into(),
                        username: "kyverno-test".into(),
                        groups: vec![],
                        operation: "CREATE".into(),
                    };
                    if expect_mutation {
                        mutation::apply(mutating.as_ref().unwrap(), &mut pod, &request).unwrap();
                        assert_eq!(pod, by_name(&patched, name), "{case}: {name}");
                    } else {
                        let admitted = validating.evaluate(&pod, &request).unwrap().admitted;
                        assert_eq!(admitted, result["result"] == "pass", "{case}: {name}");
                    }
                    checked += 1;
                }
            }
            assert_eq!(
                checked,
                pods.len(),
                "{case} {suite}: every resource has a result"
            );
        }
    }
}

const CLUSTER_POLICY: &str = "kyverno/cluster-policy.yaml";

/// Converts `input` into `out` with `--kyverno-api clusterpolicy` and returns the ClusterPolicy
/// text; the CEL policy types and the mutating suite are not written.
fn convert_cluster_policy(input: &str, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["--kyverno-api", "clusterpolicy"];
    args.extend_from_slice(extra);
    convert_into(input, out, &args);
    for absent in [POLICY, MUTATING, "kyverno/tests/mutating"] {
        assert!(!out.join(absent).exists(), "{input}: {absent} written");
    }
    std::fs::read_to_string(out.join(CLUSTER_POLICY)).unwrap()
}

/// The legacy form on every fixture: the ClusterPolicy validates against the shared schema
/// (unknown fields rejected), is snapshotted, and `verify` finds it deciding as the simulator,
/// where it differs only on pods that relied on a PSP default, declared as the form's loss.
#[test]
fn every_fixture_cluster_policy_is_snapshotted_and_verified() {
    let schemas = schemas("kyverno clusterpolicy schemas");
    let (mut agreed, mut declared) = (0, 0);
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        let text = convert_cluster_policy(&input, &out, &[]);
        valid(schemas.as_ref(), &case, &text);
        insta::assert_snapshot!(format!("{}__clusterpolicy", case.replace('/', "__")), text);
        let Some(stdout) = verified(&out, &input) else {
            continue;
        };
        agreed += stdout.matches("AGREED ").count();
        let declared_here = stdout.matches("DECLARED ").count();
        assert_eq!(
            stdout
                .matches(
                    "the ClusterPolicy form (--kyverno-api clusterpolicy) applies no PSP defaults"
                )
                .count(),
            declared_here,
            "{case}: {stdout}"
        );
        declared += declared_here;
    }
    assert!(agreed >= 40, "only {agreed} verdicts agreed outright");
    assert!(declared >= 2, "only {declared} declared differences");
}

/// The legacy form's fidelity: every default is dropped, the checks a pod without the default
/// fails are stricter, the rest exact; the report names the form.
#[test]
fn cluster_policy_fidelity_says_what_the_form_loses() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert_cluster_policy("fixtures/simulate-mutations", &out, &[]);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let rows: Vec<&Value> = report["fidelity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"] == "kyverno")
        .collect();
    let verdict = |field: &str, effect: &str| -> Vec<&str> {
        rows.iter()
            .filter(|r| r["field"] == field && r["effect"] == effect)
            .map(|r| r["verdict"].as_str().unwrap())
            .collect()
    };
    assert!(rows
        .iter()
        .filter(|r| r["effect"] == "mutate")
        .all(|r| r["verdict"] == "mutation_dropped"));
    assert_eq!(verdict("spec.runAsUser", "validate"), ["stricter"]);
    assert_eq!(verdict("spec.fsGroup", "validate"), ["stricter"]);
    assert_eq!(verdict("spec.privileged", "validate"), ["exact"]);
    assert!(rows
        .iter()
        .all(|r| r["verdict"] != "looser" && r["verdict"] != "lost"));
    let md = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(md.contains("--kyverno-api clusterpolicy"), "{md}");
}

#[test]
fn cluster_policy_audit_actions_make_a_dry_run() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let deny = parse(&convert_cluster_policy(
        "fixtures/example-cluster",
        &out,
        &[],
    ));
    assert_eq!(deny["spec"]["validationFailureAction"], "Enforce");
    let audit = parse(&convert_cluster_policy(
        "fixtures/example-cluster",
        &out,
        &["--kyverno-actions", "audit", "--force"],
    ));
    assert_eq!(audit["spec"]["validationFailureAction"], "Audit");
}

/// Kyverno's autogen copies a Pod policy for pod controllers by rewriting its JSON text:
/// `object.spec` and `object.metadata` become the pod template's (ClusterPolicy: kyverno/kyverno
/// pkg/autogen, `updateGenRuleByte` and `updateCELFields`; ValidatingPolicy: pkg/cel/autogen,
/// `updateFields`, whose newer releases keep `object.metadata.namespace` and `.name`: the
/// unprotected rewrite checked here is the harder one). In both forms the rewritten CEL, run on
/// a Deployment and on a CronJob (whose template has no metadata) made from each pod of the
/// input, decides as the policy does on the pod: no literal from the input is rewritten
/// (`hostile-cel`) and no read of the template's metadata fails.
#[test]
fn autogen_rewrite_keeps_decisions_in_both_forms() {
    use podsec_migrate::cel::eval::{Engine, Request, Validation};
    use podsec_migrate::cel::Variable;
    /// The engine for CEL `variables` and one `validation` (`expression`, `messageExpression`).
    fn engine(variables: &Value, validation: &Value) -> Engine {
        let variables: Vec<Variable> = variables
            .as_array()
            .unwrap()
            .iter()
            .map(|v| Variable {
                name: v["name"].as_str().unwrap().into(),
                expression: v["expression"].as_str().unwrap().into(),
            })
            .collect();
        Engine::from_parts(
            &[],
            &variables,
            &[Validation {
                expression: validation["expression"].as_str().unwrap().into(),
                message_expression: validation["messageExpression"].as_str().unwrap().into(),
            }],
        )
        .unwrap()
    }
    /// The CEL of a policy document in either form: its variables and validation.
    fn cel(doc: &Value) -> (Value, Value) {
        if doc["kind"] == "ClusterPolicy" {
            let c = &doc["spec"]["rules"][0]["validate"]["cel"];
            (c["variables"].clone(), c["expressions"][0].clone())
        } else {
            let s = &doc["spec"];
            (s["variables"].clone(), s["validations"][0].clone())
        }
    }
    /// The document as autogen rewrites it for `template` (`spec.template` or
    /// `spec.jobTemplate.spec.template`).
    fn rewritten(doc: &Value, template: &str) -> Value {
        let mut text = serde_json::to_string(doc).unwrap();
        for (from, to) in [
            ("oldObject.spec", format!("oldObject.{template}.spec")),
            (
                "oldObject.metadata",
                format!("oldObject.{template}.metadata"),
            ),
        ] {
            text = text.replace(from, &to);
        }
        // `object.` not preceded by `old` (or by `request.`, which the CEL never uses).
        for (from, to) in [
            ("object.spec", format!("object.{template}.spec")),
            ("object.metadata", format!("object.{template}.metadata")),
        ] {
            let parts: Vec<&str> = text.split(from).collect();
            let mut out = parts[0].to_string();
            for part in &parts[1..] {
                out.push_str(if out.ends_with("old") { from } else { &to });
                out.push_str(part);
            }
            text = out;
        }
        serde_json::from_str(&text).unwrap()
    }
    let mut checked = 0;
    for form in ["policies", "clusterpolicy"] {
        for case in [
            "hostile-cel",
            "example-cluster",
            "simulate-mutations",
            "simulate-rbac-scoping",
        ] {
            let t = tempfile::tempdir().unwrap();
            let out = t.path().join("out");
            let input = format!("fixtures/{case}");
            let text = if form == "policies" {
                convert(&input, &out, &[])
            } else {
                convert_cluster_policy(&input, &out, &[])
            };
            let doc = parse(&text);
            let (vars, validation) = cel(&doc);
            let pod_policy = engine(&vars, &validation);
            let rewritten_engine = |template: &str| {
                let (v, e) = cel(&rewritten(&doc, template));
                engine(&v, &e)
            };
            let deployment = rewritten_engine("spec.template");
            let cronjob = rewritten_engine("spec.jobTemplate.spec.template");
            let resources =
                std::fs::read_to_string(out.join("kyverno/tests/validating/resources.yaml"))
                    .unwrap();
            for pod in podsec_migrate::load::yaml::parse_documents(&resources).unwrap() {
                let pod = pod.value;
                let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
                let request = Request {
                    namespace: ns.into(),
                    username: "someone".into(),
                    groups: vec!["system:authenticated".into()],
                    operation: "CREATE".into(),
                };
                let want = pod_policy.evaluate(&pod, &request).unwrap().admitted;
                let mut template = serde_json::json!({"spec": pod["spec"]});
                if let Some(a) = pod["metadata"].get("annotations") {
                    template["metadata"] = serde_json::json!({"annotations": a});
                }
                let deploy = serde_json::json!({
                    "apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": "d", "namespace": ns},
                    "spec": {"template": template.clone()},
                });
                // The template has no metadata unless the pod has annotations.
                let cron = serde_json::json!({
                    "apiVersion": "batch/v1", "kind": "CronJob",
                    "metadata": {"name": "c", "namespace": ns},
                    "spec": {"jobTemplate": {"spec": {"template": template}}},
                });
                let name = &pod["metadata"]["name"];
                for (kind, engine, object) in [
                    ("Deployment", &deployment, &deploy),
                    ("CronJob", &cronjob, &cron),
                ] {
                    let got = engine
                        .evaluate(object, &request)
                        .unwrap_or_else(|e| panic!("{form} {case}: {name} as a {kind}: {e}"))
                        .admitted;
                    assert_eq!(got, want, "{form} {case}: {name} as a {kind}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 80, "only {checked} pods checked");
}

/// The legacy form's CLI suite validates against the shared schema, names the ClusterPolicy's
/// rule in every result, and expects what the ClusterPolicy does in the embedded engine.
#[test]
fn cluster_policy_cli_suite_names_its_rule_and_agrees() {
    use podsec_migrate::cel::eval::{Engine, Request, Validation};
    use podsec_migrate::cel::Variable;
    let schemas = schemas("kyverno cli suite schemas");
    for case in ["example-cluster", "simulate-mutations", "hostile-cel"] {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let policy = parse(&convert_cluster_policy(
            &format!("fixtures/{case}"),
            &out,
            &[],
        ));
        let rule = &policy["spec"]["rules"][0];
        let cel = &rule["validate"]["cel"];
        let engine = Engine::from_parts(
            &[],
            &cel["variables"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| Variable {
                    name: v["name"].as_str().unwrap().into(),
                    expression: v["expression"].as_str().unwrap().into(),
                })
                .collect::<Vec<_>>(),
            &[Validation {
                expression: cel["expressions"][0]["expression"].as_str().unwrap().into(),
                message_expression: cel["expressions"][0]["messageExpression"]
                    .as_str()
                    .unwrap()
                    .into(),
            }],
        )
        .unwrap();
        let dir = out.join("kyverno/tests/validating");
        let test_text = std::fs::read_to_string(dir.join("kyverno-test.yaml")).unwrap();
        let test = parse(&test_text);
        if let Some(schemas) = &schemas {
            assert_eq!(schemas.validate(&test), Ok(true), "{case}: {test_text}");
        }
        assert_eq!(
            test["policies"],
            serde_json::json!(["../../cluster-policy.yaml"])
        );
        let text = std::fs::read_to_string(dir.join("resources.yaml")).unwrap();
        let pods: Vec<Value> = podsec_migrate::load::yaml::parse_documents(&text)
            .unwrap()
            .into_iter()
            .map(|d| d.value)
            .collect();
        let mut checked = 0;
        for result in test["results"].as_array().unwrap() {
            assert_eq!(result["policy"], policy["metadata"]["name"], "{case}");
            assert_eq!(result["rule"], rule["name"], "{case}");
            assert!(result.get("isValidatingPolicy").is_none(), "{case}");
            for name in result["resources"].as_array().unwrap() {
                let pod = pods
                    .iter()
                    .find(|p| &p["metadata"]["name"] == name)
                    .unwrap_or_else(|| panic!("{case}: {name} not in resources.yaml"));
                let request = Request {
                    namespace: pod["metadata"]["namespace"].as_str().unwrap().into(),
                    username: "kyverno-test".into(),
                    groups: vec![],
                    operation: "CREATE".into(),
                };
                let admitted = engine.evaluate(pod, &request).unwrap().admitted;
                assert_eq!(admitted, result["result"] == "pass", "{case}: {name}");
                checked += 1;
            }
        }
        assert_eq!(checked, pods.len(), "{case}: every resource has a result");
    }
}

/// The corpus given twice over (108 PSPs) makes a Kyverno MutatingPolicy larger than the API
/// server stores: convert says so on stderr and in the report's notes, and the 54-PSP corpus
/// alone gets no such warning.
#[test]
fn policies_over_the_api_server_limit_are_warned_of() {
    let Some(shared) = shared_dir("kyverno oversized policies") else {
        return;
    };
    let corpus = shared.join("corpus/psp");
    let corpus = corpus.to_str().unwrap();
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let out = out.to_str().unwrap();
    let args = [
        "convert",
        corpus,
        "--rename-duplicates",
        "--targets",
        "kyverno",
        "--out",
        out,
    ];
    let once = run(&args);
    assert_eq!(once.code, 0, "{}", once.stderr);
    assert!(!once.stderr.contains("1.5 MiB"), "{}", once.stderr);
    let twice = run(&[
        "convert",
        corpus,
        corpus,
        "--rename-duplicates",
        "--targets",
        "kyverno",
        "--out",
        out,
        "--force",
    ]);
    assert_eq!(twice.code, 0, "{}", twice.stderr);
    let warning = "warning: kyverno/mutating-policy.yaml holds an object of";
    assert!(twice.stderr.contains(warning), "{}", twice.stderr);
    let warnings = twice.stderr.matches("convert: warning:").count();
    assert_eq!(
        warnings, 1,
        "only the mutating policy is too large: {}",
        twice.stderr
    );
    let report = std::fs::read_to_string(t.path().join("out/report.json")).unwrap();
    assert!(report.contains("kyverno/mutating-policy.yaml holds an object of"));
}
