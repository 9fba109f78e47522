//! The kubewarden target end to end. Kubewarden's modules are WebAssembly and are not run here,
//! so the output is tested by its settings table: for every fixture each document validates
//! against the shared schemas (unknown fields rejected) and is snapshotted; the settings say
//! what each PSP says (read from the PSP model, not the intent the target uses); each group's
//! expression ORs exactly the PSPs usable in its namespaces under the RBAC of the input
//! (computed with `scope`'s own functions); hostile names keep the structure; `verify` says the
//! target is not run.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{run, shared_dir};
use podsec_migrate::intent::intent_of;
use podsec_migrate::load::{load_inputs, LoadOptions, Loaded};
use podsec_migrate::psp::{FeatureGates, Psp};
use podsec_migrate::scope::{namespaces_in, Identity, Scopes, Subject};
use podsec_migrate::targets::kubewarden::{group, modules, settings, Form};
use serde_json::{json, Value};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
const GROUP: &str = "ClusterAdmissionPolicyGroup";
const POLICY: &str = "ClusterAdmissionPolicy";

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

/// `convert INPUT --out OUT --targets kubewarden EXTRA...`, exit 0 expected.
fn convert(input: &str, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "convert",
        input,
        "--out",
        out.to_str().unwrap(),
        "--targets",
        "kubewarden",
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "convert {input}: {}", r.stderr);
}

/// The files of `out/kubewarden`, by name, each parsed as exactly one document.
fn documents(out: &Path) -> BTreeMap<String, (String, Value)> {
    let mut docs = BTreeMap::new();
    for e in std::fs::read_dir(out.join("kubewarden")).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = podsec_migrate::load::yaml::parse_documents(&text).expect("the file parses");
        assert_eq!(parsed.len(), 1, "{}: one document", path.display());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        docs.insert(name, (text, parsed.into_iter().next().unwrap().value));
    }
    docs
}

fn schemas(test: &str) -> Option<common::schema::Schemas> {
    shared_dir(test).map(|s| common::schema::Schemas::load(&s.join("schemas")))
}

/// Every document is of `kind` and accepted by its shared schema.
fn validate(
    schemas: Option<&common::schema::Schemas>,
    what: &str,
    docs: &BTreeMap<String, (String, Value)>,
    kind: &str,
) {
    for (name, (text, doc)) in docs {
        assert_eq!(doc["kind"], kind, "{what} {name}");
        assert_eq!(
            doc["apiVersion"], "policies.kubewarden.io/v1",
            "{what} {name}"
        );
        if let Some(s) = schemas {
            assert_eq!(s.validate(doc), Ok(true), "{what} {name}: {text}");
        }
    }
}

/// The documents joined in one text, for one snapshot per fixture and form.
fn joined(docs: &BTreeMap<String, (String, Value)>) -> String {
    docs.iter()
        .map(|(name, (text, _))| format!("=== {name}\n{text}"))
        .collect()
}

/// The input as `convert` reads it by default (the ProcMountType gate off).
fn load(input: &str) -> Loaded {
    let path = PathBuf::from(MANIFEST).join(input);
    let mut loaded = load_inputs(&[path], &LoadOptions::default());
    loaded.apply_feature_gates(&FeatureGates::parse("ProcMountType=false").unwrap());
    loaded
}

fn psps(loaded: &Loaded) -> Vec<Psp> {
    let mut v: Vec<Psp> = loaded.psps().map(|(_, p)| p.clone()).collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

#[test]
fn every_fixture_is_valid_and_snapshotted_in_both_forms() {
    let schemas = schemas("kubewarden schemas");
    let mut groups = 0;
    let mut policies = 0;
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let name = case.replace('/', "__");
        let input = format!("fixtures/{case}");
        let out = t.path().join("group");
        convert(&input, &out, &[]);
        let docs = documents(&out);
        assert!(!docs.is_empty(), "{case}: at least the catch-all group");
        validate(schemas.as_ref(), &case, &docs, GROUP);
        groups += docs.len();
        insta::assert_snapshot!(format!("{name}__group"), joined(&docs));
        let out = t.path().join("policies");
        convert(&input, &out, &["--kubewarden-form", "policies"]);
        let docs = documents(&out);
        validate(schemas.as_ref(), &case, &docs, POLICY);
        policies += docs.len();
        insta::assert_snapshot!(format!("{name}__policies"), joined(&docs));
    }
    assert!(groups >= fixtures().len(), "{groups} groups");
    assert!(policies >= 40, "only {policies} policies");
}

#[test]
fn the_corpus_converts_and_validates() {
    let Some(shared) = shared_dir("kubewarden corpus") else {
        return;
    };
    let schemas = schemas("kubewarden corpus schemas");
    let corpus = shared.join("corpus/psp");
    let t = tempfile::tempdir().unwrap();
    for (form, kind) in [("group", GROUP), ("policies", POLICY)] {
        let out = t.path().join(form);
        convert(
            corpus.to_str().unwrap(),
            &out,
            &["--kubewarden-form", form, "--rename-duplicates"],
        );
        let docs = documents(&out);
        assert!(!docs.is_empty());
        validate(schemas.as_ref(), "corpus", &docs, kind);
    }
    let opts = LoadOptions {
        rename_duplicates: true,
        ..LoadOptions::default()
    };
    let loaded = load_inputs(&[corpus], &opts);
    let pinned: Vec<String> = modules::ALL.iter().map(|m| m.reference()).collect();
    let groups = documents(&t.path().join("group"));
    let mut members = 0;
    for (_, d) in groups.values() {
        for m in d["spec"]["policies"].as_object().unwrap().values() {
            assert!(pinned.iter().any(|p| m["module"] == p.as_str()), "{m}");
            members += 1;
        }
    }
    assert!(members >= 50, "only {members} members");
    assert!(psps(&loaded).len() >= 50, "the corpus holds its PSPs");
}

/// A member's settings in the group of `docs` that holds it.
fn member<'a>(docs: &'a BTreeMap<String, (String, Value)>, name: &str) -> Option<&'a Value> {
    docs.values()
        .find_map(|(_, d)| d["spec"]["policies"].get(name))
        .map(|m| &m["settings"])
}

/// `[{min, max}]` of PSP ranges.
fn ranges(r: &[podsec_migrate::psp::PortRange]) -> Value {
    r.iter()
        .map(|r| json!({"min": r.min, "max": r.max}))
        .collect()
}

/// For every PSP of every fixture, the emitted settings say what the PSP says, read from the
/// PSP model: host namespaces and port ranges whole, privileged, volumes, flex drivers, host
/// paths, capabilities, user and group strategies, fsGroup, SELinux, sysctls.
#[test]
fn settings_say_what_each_psp_says() {
    let mut checked = 0;
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        convert(&input, &out, &[]);
        let docs = documents(&out);
        let loaded = load(&input);
        let all = psps(&loaded);
        let intents: Vec<_> = all.iter().map(intent_of).collect();
        let ids = group::psp_ids(&intents);
        for p in &all {
            let id = &ids[&p.name];
            let m = |module: &str| member(&docs, &format!("{id}_{}", module.replace('-', "_")));
            let s = &p.spec;
            let Some(host) = m("host-namespaces-psp") else {
                // A PSP usable nowhere is in no group.
                continue;
            };
            checked += 1;
            assert_eq!(
                host["allow_host_network"], s.host_network,
                "{case} {}",
                p.name
            );
            assert_eq!(host["allow_host_pid"], s.host_pid);
            assert_eq!(host["allow_host_ipc"], s.host_ipc);
            assert_eq!(host["allow_host_ports"], ranges(&s.host_ports));
            assert_eq!(
                m("pod-privileged").is_some(),
                !s.privileged,
                "{case} {}",
                p.name
            );
            match m("volumes-psp") {
                Some(v) => {
                    let mut want: Vec<&String> = s.volumes.iter().collect();
                    want.sort();
                    want.dedup();
                    assert_eq!(v["allowedTypes"], json!(want), "{case} {}", p.name);
                }
                None => assert!(s.volumes.iter().any(|v| v == "*"), "{case} {}", p.name),
            }
            let drivers: Vec<Value> = s
                .allowed_flex_volumes
                .iter()
                .map(|d| json!({"driver": d}))
                .collect();
            assert_eq!(
                m("flexvolume-drivers-psp").map(|v| v["allowedFlexVolumes"].clone()),
                (!drivers.is_empty()).then(|| json!(drivers))
            );
            let paths: Vec<Value> = s
                .allowed_host_paths
                .iter()
                .map(|h| json!({"pathPrefix": h.path_prefix, "readOnly": h.read_only}))
                .collect();
            assert_eq!(
                m("hostpaths-psp").map(|v| v["allowedHostPaths"].clone()),
                (!paths.is_empty()).then(|| json!(paths))
            );
            if let Some(c) = m("capabilities-psp") {
                let allowed = c["allowed_capabilities"].as_array().unwrap();
                for cap in s
                    .allowed_capabilities
                    .iter()
                    .chain(&s.default_add_capabilities)
                {
                    assert!(allowed.contains(&json!(cap)), "{case} {}: {cap}", p.name);
                }
                assert_eq!(
                    c["required_drop_capabilities"],
                    json!(s.required_drop_capabilities)
                );
            } else {
                assert!(s.allowed_capabilities.iter().any(|c| c == "*"));
                assert!(s.required_drop_capabilities.is_empty());
            }
            if let Some(u) = m("user-group-psp") {
                assert_eq!(
                    u["run_as_user"]["rule"],
                    json!(s.run_as_user.rule),
                    "{case} {}",
                    p.name
                );
                if !s.run_as_user.ranges.is_empty() {
                    assert_eq!(u["run_as_user"]["ranges"], ranges(&s.run_as_user.ranges));
                }
                assert_eq!(
                    u["supplemental_groups"]["rule"],
                    json!(s.supplemental_groups.rule)
                );
                assert_eq!(u["validate_only"], true, "groups only validate");
            }
            match m("allowed-fsgroups-psp") {
                Some(f) => {
                    assert_eq!(f["rule"], json!(s.fs_group.rule));
                    assert_eq!(f["ranges"], ranges(&s.fs_group.ranges));
                }
                None => assert_eq!(json!(s.fs_group.rule), "RunAsAny"),
            }
            match m("selinux-psp") {
                Some(se) => {
                    assert_eq!(se["rule"], "MustRunAs");
                    let o = s.se_linux.options.clone().unwrap_or_default();
                    assert_eq!(se.get("type").and_then(Value::as_str), o.type_.as_deref());
                    assert_eq!(se.get("level").and_then(Value::as_str), o.level.as_deref());
                }
                None => assert_eq!(json!(s.se_linux.rule), "RunAsAny"),
            }
            let sys = m("sysctl-psp").expect("unsafe sysctls are always judged");
            assert_eq!(sys["forbiddenSysctls"], json!(s.forbidden_sysctls));
            assert_eq!(sys["allowedUnsafeSysctls"], json!(s.allowed_unsafe_sysctls));
            assert_eq!(
                m("readonly-root-filesystem-psp").is_some(),
                s.read_only_root_filesystem
            );
            assert_eq!(
                m("allow-privilege-escalation-psp").is_some(),
                !s.allow_privilege_escalation
            );
        }
    }
    assert!(checked >= 40, "only {checked} PSPs checked");
}

/// The PSPs some pod in `namespace` may use, from `scope`'s own functions: its service
/// accounts' (`usable_in_namespace`), and those granted to people (users and groups that are
/// not service accounts) there or cluster-wide.
fn expected(scopes: &Scopes, namespace: &str, all: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = scopes.usable_in_namespace(namespace, all);
    for g in &scopes.grants {
        let here = g.namespace.as_deref().is_none_or(|n| n == namespace);
        let person = match &g.subject {
            Subject::User(u) => !u.starts_with("system:serviceaccount:"),
            Subject::Group(grp) => !grp.starts_with("system:serviceaccounts"),
            Subject::ServiceAccount { .. } => false,
        };
        if here && person {
            out.extend(g.psps.resolve(all));
        }
    }
    out
}

/// Whether `namespace` is selected by the group `doc`.
fn selects(doc: &Value, namespace: &str) -> bool {
    let Some(e) = doc["spec"]["namespaceSelector"]["matchExpressions"].get(0) else {
        return true;
    };
    assert_eq!(e["key"], "kubernetes.io/metadata.name");
    let listed = e["values"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == namespace);
    match e["operator"].as_str().unwrap() {
        "In" => listed,
        "NotIn" => !listed,
        other => panic!("operator {other}"),
    }
}

/// In every fixture, each namespace the input names (and one it does not) is selected by
/// exactly one group, whose expression ORs exactly the PSPs usable there.
#[test]
fn each_group_ors_exactly_the_psps_usable_in_its_namespaces() {
    let mut compared = 0;
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        convert(&input, &out, &[]);
        let docs = documents(&out);
        let loaded = load(&input);
        let all_psps = psps(&loaded);
        let intents: Vec<_> = all_psps.iter().map(intent_of).collect();
        let all: BTreeSet<String> = intents.iter().map(|i| i.psp.clone()).collect();
        let ids = group::psp_ids(&intents);
        let mut scopes = Scopes::from_loaded(&loaded);
        if !podsec_migrate::replay::has_rbac(&loaded) {
            scopes.grant_everything("no RBAC");
        }
        let unnamed = "podsec-migrate-a-namespace-the-input-does-not-name";
        let mut namespaces: Vec<String> = namespaces_in(&loaded).into_iter().collect();
        namespaces.push(unnamed.into());
        for ns in namespaces {
            let selecting: Vec<&Value> = docs
                .values()
                .map(|(_, d)| d)
                .filter(|d| selects(d, &ns))
                .collect();
            assert_eq!(selecting.len(), 1, "{case}: {ns} is selected by one group");
            let want = if ns == unnamed {
                let mut w = scopes.usable(&Identity::service_account(&ns, "default"), &ns, &all);
                w.extend(expected(&scopes, &ns, &all));
                w
            } else {
                expected(&scopes, &ns, &all)
            };
            let members: Vec<(String, Option<Vec<settings::Member>>)> = intents
                .iter()
                .filter(|i| want.contains(&i.psp))
                .map(|i| {
                    let m = settings::usable(i).then(|| settings::members(i, Form::Group));
                    (ids[&i.psp].clone(), m)
                })
                .collect();
            let terms: Vec<(&str, Option<&[settings::Member]>)> = members
                .iter()
                .map(|(id, m)| (id.as_str(), m.as_deref()))
                .collect();
            assert_eq!(
                selecting[0]["spec"]["expression"],
                group::expression(&terms),
                "{case}: {ns} should OR {want:?}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 60, "only {compared} namespaces compared");
}

/// The functions `expression` calls: each identifier right before a `()`.
fn called(expression: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in expression.match_indices("()") {
        let head = &expression[..at];
        let start = head
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        out.insert(head[start..].to_string());
    }
    out
}

/// Names with quotes, newlines and line separators survive: every member the expression calls
/// is a key of `policies` and every key is called, and the PSP names read back whole.
#[test]
fn hostile_names_keep_structure() {
    let schemas = schemas("kubewarden hostile schemas");
    for case in ["hostile-names", "hostile-cel"] {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = format!("fixtures/{case}");
        convert(&input, &out, &[]);
        let docs = documents(&out);
        validate(schemas.as_ref(), case, &docs, GROUP);
        let names: Vec<String> = psps(&load(&input)).into_iter().map(|p| p.name).collect();
        assert!(
            names.iter().any(|n| n.contains(['"', '\'', '\n'])),
            "{case}: {names:?}"
        );
        let mut seen = BTreeSet::new();
        for (file, (_, doc)) in &docs {
            let expression = doc["spec"]["expression"].as_str().unwrap();
            let keys: BTreeSet<String> = doc["spec"]["policies"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            let calls = called(expression);
            assert_eq!(calls, keys, "{case} {file}: {expression}");
            for k in &keys {
                assert!(
                    k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{k}"
                );
            }
            let source = doc["metadata"]["annotations"]["podsec-migrate/source-psps"]
                .as_str()
                .unwrap();
            for n in names.iter().filter(|n| source.contains(n.as_str())) {
                seen.insert(n.clone());
            }
            assert!(doc["spec"]["message"].as_str().is_some());
        }
        assert_eq!(
            seen.len(),
            names.len(),
            "{case}: every PSP name reads back whole"
        );
    }
}

/// The policies form: plain ClusterAdmissionPolicy objects, the mutating modules marked so, one
/// PSP per scope; the PSPs left out of a scope are `lost` rows that say where and why.
#[test]
fn the_policies_form_ands_one_psp_per_scope_and_says_what_it_loses() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert(
        "fixtures/example-cluster",
        &out,
        &["--kubewarden-form", "policies"],
    );
    let docs = documents(&out);
    let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, (_, doc)) in &docs {
        let module = doc["spec"]["module"].as_str().unwrap();
        let mutates = [
            "user-group-psp",
            "allowed-fsgroups-psp",
            "capabilities-psp",
            "selinux-psp",
            "allow-privilege-escalation-psp",
        ]
        .iter()
        .any(|m| module.contains(&format!("/{m}:")));
        assert_eq!(doc["spec"]["mutating"], mutates, "{file}");
        // The policy is named `<scope>-<module>`.
        let module_name = module
            .rsplit_once('/')
            .unwrap()
            .1
            .split(':')
            .next()
            .unwrap();
        let name = doc["metadata"]["name"].as_str().unwrap();
        let scope = name
            .strip_suffix(&format!("-{module_name}"))
            .unwrap_or_else(|| panic!("{file}: {name}"))
            .to_string();
        let psp = doc["metadata"]["annotations"]["podsec-migrate/source-psp"]
            .as_str()
            .unwrap();
        sources.entry(scope).or_default().insert(psp.to_string());
    }
    assert!(
        sources.values().all(|s| s.len() == 1),
        "one PSP per scope: {sources:?}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let lost: Vec<&Value> = report["fidelity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"] == "kubewarden" && r["verdict"] == "lost")
        .collect();
    assert!(
        lost.iter()
            .any(|r| r["reason"].as_str().unwrap().contains("AND-ed")),
        "{lost:?}"
    );
    let applied = report["fidelity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["target"] == "kubewarden" && r["effect"] == "mutate" && r["verdict"] == "exact"
        })
        .count();
    assert!(applied > 0, "some default is applied by a mutating module");
}

/// `verify` names the target and says it is not run, without failing.
#[test]
fn verify_says_the_modules_are_not_run() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    convert("fixtures/example-cluster", &out, &[]);
    let r = run(&["verify", out.to_str().unwrap(), "fixtures/example-cluster"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("kubewarden: not run: Kubewarden's policy modules are WebAssembly"),
        "{}",
        r.stdout
    );
    let r = run(&[
        "verify",
        out.to_str().unwrap(),
        "fixtures/example-cluster",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["targets"][0]["not_run"]
        .as_str()
        .unwrap()
        .contains("WebAssembly"));
}
