//! The Gatekeeper target end to end: for every fixture, every document `convert` writes under
//! gatekeeper/ validates against the shared schemas (unknown fields rejected) and the
//! Constraint's parameters against the template's own openAPIV3Schema; the Constraint and the
//! mutators are snapshotted; `verify` runs the Rego (regorus) after the mutators and agrees with
//! the simulator or names a declared reason; the gator suite expects what the Rego decides.

mod common;

use std::path::Path;

use common::{run, shared_dir};
use podsec_migrate::cel::eval::{Engine, Request};
use podsec_migrate::verify::gatekeeper::cel_block;
use podsec_migrate::verify::rego::Rego;
use serde_json::{json, Value};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

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

fn convert(input: &str, out: &Path) {
    convert_with(input, out, &[]);
}

fn convert_with(input: &str, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "convert",
        input,
        "--out",
        out.to_str().unwrap(),
        "--targets",
        "gatekeeper",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "convert {input}: {}", r.stderr);
}

fn docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    podsec_migrate::load::yaml::parse_documents(&text)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .into_iter()
        .map(|d| d.value)
        .filter(|v| !v.is_null())
        .collect()
}

fn one(path: &Path) -> Value {
    let mut d = docs(path);
    assert_eq!(d.len(), 1, "{}", path.display());
    d.remove(0)
}

/// `schema` with every object that lists its properties closed to others: unknown fields are
/// rejected, as a structural schema prunes them.
fn closed(mut schema: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if m.contains_key("properties") && !m.contains_key("additionalProperties") {
                    m.insert("additionalProperties".into(), json!(false));
                }
                for (_, x) in m.iter_mut() {
                    walk(x);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut schema);
    schema
}

/// The template's Rego in the embedded engine.
fn rego_of(template: &Value) -> Rego {
    let target = &template["spec"]["targets"][0];
    let mut modules = vec![(
        "template.rego".to_string(),
        target["rego"].as_str().unwrap().to_string(),
    )];
    for (i, lib) in target["libs"].as_array().unwrap().iter().enumerate() {
        modules.push((format!("lib{i}.rego"), lib.as_str().unwrap().to_string()));
    }
    Rego::new(&modules).unwrap()
}

/// The template's CEL code block, with the Constraint's parameters.
fn cel_of(template: &Value, parameters: &Value) -> Engine {
    cel_block(&template["spec"]["targets"][0])
        .unwrap()
        .expect("the template has a CEL code block")
        .with_params(parameters)
}

/// The CEL block's verdict: admitted?
fn cel_admits(cel: &Engine, object: &Value, operation: &str, old: Option<&Value>) -> bool {
    let request = Request {
        namespace: object["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .into(),
        operation: operation.into(),
        ..Request::default()
    };
    cel.evaluate_update(object, old, &request).unwrap().admitted
}

fn review(
    rego: &mut Rego,
    parameters: &Value,
    object: &Value,
    operation: &str,
    old: Option<&Value>,
) -> Vec<String> {
    let mut review = json!({
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "operation": operation,
        "namespace": object["metadata"]["namespace"].as_str().unwrap_or("default"),
        "object": object,
    });
    if let Some(o) = old {
        review["oldObject"] = o.clone();
    }
    rego.violations(&json!({"review": review, "parameters": parameters}))
        .unwrap()
}

#[test]
fn every_fixture_is_valid_snapshotted_and_verified() {
    let schemas =
        shared_dir("gatekeeper schemas").map(|s| common::schema::Schemas::load(&s.join("schemas")));
    let mut agreed = 0;
    let mut template_text: Option<String> = None;
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        convert(&input, &out);
        let gk = out.join("gatekeeper");
        let text = std::fs::read_to_string(gk.join("constraint-template.yaml")).unwrap();
        match &template_text {
            None => template_text = Some(text.clone()),
            Some(first) => assert_eq!(
                first, &text,
                "{case}: the template is the same for every input"
            ),
        }
        let template = one(&gk.join("constraint-template.yaml"));
        let constraint = one(&gk.join("constraint.yaml"));
        assert_eq!(
            constraint["kind"],
            template["spec"]["crd"]["spec"]["names"]["kind"]
        );
        let params_schema =
            closed(template["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"].clone());
        let v = jsonschema::validator_for(&params_schema).unwrap();
        let errors: Vec<String> = v
            .iter_errors(&constraint["spec"]["parameters"])
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{case}: parameters: {errors:?}");
        let mut checked = vec![];
        for file in [
            "constraint-template.yaml",
            "expansion-templates.yaml",
            "mutators.yaml",
            "suite.yaml",
        ] {
            let path = gk.join(file);
            if !path.is_file() {
                continue;
            }
            for doc in docs(&path) {
                if let Some(s) = &schemas {
                    assert_eq!(s.validate(&doc), Ok(true), "{case} {file}: {doc}");
                }
                checked.push(doc["kind"].as_str().unwrap().to_string());
            }
        }
        assert!(checked.iter().any(|k| k == "ExpansionTemplate"), "{case}");
        let snap = case.replace('/', "__");
        insta::assert_snapshot!(
            format!("{snap}__constraint"),
            std::fs::read_to_string(gk.join("constraint.yaml")).unwrap()
        );
        if let Ok(m) = std::fs::read_to_string(gk.join("mutators.yaml")) {
            insta::assert_snapshot!(format!("{snap}__mutators"), m);
        }
        let r = run(&["verify", out.to_str().unwrap(), &input]);
        if r.code == 3 && r.stderr.contains("no Pod or pod template found") {
            continue;
        }
        assert_eq!(r.code, 0, "verify {case}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains("DIFFERS "), "{case}: {}", r.stdout);
        agreed += r
            .stdout
            .lines()
            .filter(|l| l.starts_with("AGREED "))
            .count();
    }
    insta::assert_snapshot!("constraint_template", template_text.unwrap());
    assert!(agreed >= 40, "only {agreed} verdicts agreed outright");
}

/// The gator suite names one object file per case, and the Rego gives each case the verdict the
/// suite expects (gator runs no mutators: an admitted pod is given as the plugin stored it).
#[test]
fn gator_suite_expects_what_the_rego_decides() {
    for case in [
        "example-cluster",
        "simulate-mutations",
        "simulate-rbac-scoping",
    ] {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        convert(&format!("fixtures/{case}"), &out);
        let gk = out.join("gatekeeper");
        let suite = one(&gk.join("suite.yaml"));
        let template = one(&gk.join(suite["tests"][0]["template"].as_str().unwrap()));
        let constraint = one(&gk.join(suite["tests"][0]["constraint"].as_str().unwrap()));
        let mut rego = rego_of(&template);
        let cases = suite["tests"][0]["cases"].as_array().unwrap();
        assert!(cases.len() > 10, "{case}: {} cases", cases.len());
        let (mut yes, mut no) = (0, 0);
        for c in cases {
            let object = one(&gk.join(c["object"].as_str().unwrap()));
            let want = c["assertions"][0]["violations"].as_str().unwrap();
            let got = review(
                &mut rego,
                &constraint["spec"]["parameters"],
                &object,
                "CREATE",
                None,
            );
            assert_eq!(
                if got.is_empty() { "no" } else { "yes" },
                want,
                "{case} {}: {got:?}",
                c["name"]
            );
            if want == "yes" {
                yes += 1
            } else {
                no += 1
            }
        }
        assert!(yes > 0 && no > 0, "{case}: {yes} denied, {no} admitted");
    }
}

/// Names that are quotes, line breaks or template syntax stay values: the Constraint is one
/// document whose parameters name the PSP as written, the mutators' names are Kubernetes names,
/// and verify agrees with the simulator.
#[test]
fn hostile_names_keep_structure_and_decisions() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert("fixtures/hostile-names", &out);
    let gk = out.join("gatekeeper");
    let constraint = one(&gk.join("constraint.yaml"));
    let names: Vec<&str> = constraint["spec"]["parameters"]["psps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"open\"psp"), "{names:?}");
    let grants = constraint["spec"]["parameters"]["psps"][0]["grants"].to_string();
    assert!(
        grants.contains("mallory\\\"\\n- \\\"system:anonymous"),
        "{grants}"
    );
    if gk.join("mutators.yaml").is_file() {
        for m in docs(&gk.join("mutators.yaml")) {
            let name = m["metadata"]["name"].as_str().unwrap();
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
        }
    }
    // The open PSP is granted to mallory in the hostile namespace only: a privileged pod there
    // is admitted for her and refused for anyone else, and refused for her elsewhere.
    let mut rego = rego_of(&one(&gk.join("constraint-template.yaml")));
    let params = &constraint["spec"]["parameters"];
    let ns = "ns'; rm -rf / #\"\n  evil: yes";
    let mallory = "mallory\"\n- \"system:anonymous\u{2028}- ${{ secrets.x }}";
    let privileged = |namespace: &str| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": namespace},
        "spec": {"containers": [{"name": "app", "image": "x", "securityContext": {"privileged": true}}]}})
    };
    let as_user = |rego: &mut Rego, namespace: &str, user: &str| {
        let input = json!({"review": {"operation": "CREATE", "namespace": namespace, "object": privileged(namespace),
            "userInfo": {"username": user, "groups": []}}, "parameters": params});
        rego.violations(&input).unwrap()
    };
    assert!(as_user(&mut rego, ns, mallory).is_empty());
    assert!(!as_user(&mut rego, ns, "mallory").is_empty());
    assert!(!as_user(&mut rego, "default", mallory).is_empty());
}

/// A template edited to refuse everything is caught: verify names the pods and exits 1.
#[test]
fn verify_fails_on_an_undeclared_disagreement() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert("fixtures/simulate-rbac-scoping", &out);
    let path = out.join("gatekeeper/constraint-template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let tampered = text.replacen("\tnot admitted\n", "\ttrue\n", 1);
    assert_ne!(text, tampered);
    std::fs::write(&path, tampered).unwrap();
    let r = run(&[
        "verify",
        out.to_str().unwrap(),
        "fixtures/simulate-rbac-scoping",
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("DIFFERS "), "{}", r.stdout);
}

/// The CEL code block is verified on its own: tampering with it alone makes `verify` fail.
#[test]
fn verify_fails_when_the_cel_block_alone_disagrees() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert("fixtures/simulate-rbac-scoping", &out);
    let path = out.join("gatekeeper/constraint-template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let tampered = text.replacen("!variables.judged || ", "true || ", 1);
    assert_ne!(text, tampered);
    std::fs::write(&path, tampered).unwrap();
    let r = run(&[
        "verify",
        out.to_str().unwrap(),
        "fixtures/simulate-rbac-scoping",
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("gatekeeper-cel"), "{}", r.stdout);
    assert!(r.stdout.contains("DIFFERS "), "{}", r.stdout);
}

/// An UPDATE of a Pod re-judges only what may change: an update that leaves the spec as it was
/// passes even when the pod would now be refused; one that adds a privileged ephemeral container
/// is refused.
#[test]
fn pod_updates_judge_only_what_may_change() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert("fixtures/example-cluster", &out);
    let gk = out.join("gatekeeper");
    let template = one(&gk.join("constraint-template.yaml"));
    let mut rego = rego_of(&template);
    let params = one(&gk.join("constraint.yaml"))["spec"]["parameters"].clone();
    let cel = cel_of(&template, &params);
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "nowhere-granted"},
        "spec": {"containers": [{"name": "app", "image": "x", "securityContext": {"privileged": true}}]}});
    assert!(!review(&mut rego, &params, &pod, "CREATE", None).is_empty());
    assert!(!cel_admits(&cel, &pod, "CREATE", None));
    let mut relabelled = pod.clone();
    relabelled["metadata"]["labels"] = json!({"a": "b"});
    assert!(review(&mut rego, &params, &relabelled, "UPDATE", Some(&pod)).is_empty());
    assert!(cel_admits(&cel, &relabelled, "UPDATE", Some(&pod)));
    let mut debugged = pod.clone();
    debugged["spec"]["ephemeralContainers"] =
        json!([{"name": "dbg", "image": "x", "securityContext": {"privileged": true}}]);
    assert!(!review(&mut rego, &params, &debugged, "UPDATE", Some(&pod)).is_empty());
    assert!(!cel_admits(&cel, &debugged, "UPDATE", Some(&pod)));
    let mut annotated = pod.clone();
    annotated["metadata"]["annotations"] =
        json!({"container.apparmor.security.beta.kubernetes.io/app": "unconfined"});
    assert!(!review(&mut rego, &params, &annotated, "UPDATE", Some(&pod)).is_empty());
    assert!(!cel_admits(&cel, &annotated, "UPDATE", Some(&pod)));
    assert!(cel_admits(&cel, &annotated, "UPDATE", Some(&annotated)));
}

/// Every PSP of the shared corpus converts, and its Constraint loads beside the template.
#[test]
fn corpus_converts() {
    let Some(shared) = shared_dir("gatekeeper corpus") else {
        return;
    };
    let dir = shared.join("corpus/psp");
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert_with(dir.to_str().unwrap(), &out, &["--rename-duplicates"]);
    let gk = out.join("gatekeeper");
    let template = one(&gk.join("constraint-template.yaml"));
    let mut rego = rego_of(&template);
    let params = one(&gk.join("constraint.yaml"))["spec"]["parameters"].clone();
    let cel = cel_of(&template, &params);
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert_eq!(
        params["psps"].as_array().unwrap().len(),
        files,
        "one PSP per corpus file"
    );
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "x"}]}});
    let privileged = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
        "spec": {"hostNetwork": true, "containers": [{"name": "app", "image": "x",
            "securityContext": {"privileged": true}, "ports": [{"containerPort": 80}]}]}});
    for pod in [pod, privileged] {
        let by_rego = review(&mut rego, &params, &pod, "CREATE", None).is_empty();
        assert_eq!(cel_admits(&cel, &pod, "CREATE", None), by_rego, "{pod}");
    }
}

/// Every slice of the shared apps corpus, converted and verified with its own workloads: the
/// mutators then the Rego, and the CEL block alike, admit exactly what the simulator admits
/// under the slice's RBAC.
#[test]
fn every_apps_slice_verifies_with_the_gatekeeper_target() {
    let Some(shared) = shared_dir("gatekeeper apps corpus") else {
        return;
    };
    let dir = shared.join("corpus/apps");
    let mut slices: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    slices.sort();
    let (mut agreed, mut by_rego, mut by_cel) = (0, 0, 0);
    for path in &slices {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = path.to_str().unwrap();
        convert(input, &out);
        let r = run(&["verify", out.to_str().unwrap(), input]);
        assert_eq!(r.code, 0, "{input}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains("DIFFERS "), "{input}: {}", r.stdout);
        let agreeing: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with("AGREED "))
            .collect();
        agreed += agreeing
            .iter()
            .filter(|l| !l.contains("; gatekeeper-cel "))
            .count();
        by_rego += agreeing
            .iter()
            .filter(|l| l.contains("; gatekeeper "))
            .count();
        by_cel += agreeing
            .iter()
            .filter(|l| l.contains("; gatekeeper-cel "))
            .count();
    }
    assert_eq!(agreed, 41, "every workload of the 17 slices agrees");
    assert!(by_rego > 0);
    assert_eq!(
        by_cel, by_rego,
        "the CEL block agrees wherever the Rego does"
    );
}
