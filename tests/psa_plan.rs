//! Pod Security Admission from PSPs and RBAC: the namespace plan on fixtures that show the
//! typical clusters, the emitted documents (snapshots, JSON Schemas, k8s-openapi round trip),
//! and the property that a pod some usable PSP admitted passes the proposed enforce level.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::podgen::pod;
use common::run;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use podsec_migrate::intent::intent_of;
use podsec_migrate::load::yaml::parse_documents;
use podsec_migrate::load::{load_inputs, LoadOptions};
use podsec_migrate::pss::{evaluate as pss_evaluate, Level, Version};
use podsec_migrate::simulate::{choose, Choice};
use proptest::prelude::*;
use serde_json::Value;

const PSA_FILES: [&str; 4] = [
    "psa/namespaces.yaml",
    "psa/label-namespaces.sh",
    "psa/admission-configuration.yaml",
    "psa/pod-security-webhook-configmap.yaml",
];
const FIXTURES: [&str; 6] = [
    "psa-eks-default",
    "psa-existing-labels",
    "psa-multi-tenant",
    "psa-user-only-grant",
    "psa-pods-meet-restricted",
    "example-cluster",
];

/// Converts a fixture into a temporary directory; returns it with the parsed report.json.
fn convert(fixture: &str, extra: &[&str]) -> (tempfile::TempDir, Value) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let input = format!("fixtures/{fixture}");
    let mut args = vec![
        "convert",
        input.as_str(),
        "--targets",
        "psa",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{fixture}: {}", r.stderr);
    let report =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    (tmp, report)
}

fn read(tmp: &tempfile::TempDir, file: &str) -> String {
    std::fs::read_to_string(tmp.path().join("out").join(file)).unwrap()
}

/// The plan row of namespace `name`.
fn ns<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no namespace {name}"))
}

fn levels(n: &Value) -> (String, String, String) {
    let s = |k: &str| n[k].as_str().unwrap().to_string();
    (s("enforce"), s("audit"), s("warn"))
}

#[test]
fn psa_documents_for_every_fixture() {
    for f in FIXTURES {
        let (tmp, _) = convert(f, &[]);
        let all: String = PSA_FILES
            .iter()
            .map(|p| format!("==> {p} <==\n{}\n", read(&tmp, p)))
            .collect();
        insta::assert_snapshot!(format!("psa__{f}"), all);
    }
}

#[test]
fn eks_default_makes_every_namespace_privileged_and_says_why() {
    let (_, r) = convert("psa-eks-default", &[]);
    for name in ["default", "kube-system", "payments"] {
        let n = ns(&r, name);
        assert_eq!(
            levels(n),
            ("privileged".into(), "baseline".into(), "baseline".into()),
            "{name}"
        );
        assert_eq!(n["decided_by"], serde_json::json!(["eks.privileged"]));
    }
    assert_eq!(r["defaults"]["enforce"], "privileged");
    assert!(r["defaults"]["why"]
        .as_str()
        .unwrap()
        .contains("every service account may use eks.privileged"));
}

#[test]
fn multi_tenant_gets_baseline_by_default_and_privileged_only_in_kube_system() {
    let (_, r) = convert("psa-multi-tenant", &[]);
    assert_eq!(ns(&r, "kube-system")["enforce"], "privileged");
    assert_eq!(
        ns(&r, "kube-system")["psps"],
        serde_json::json!(["system", "tenant"])
    );
    assert_eq!(ns(&r, "ingress")["enforce"], "baseline");
    assert_eq!(
        ns(&r, "ingress")["psps"],
        serde_json::json!(["ingress", "tenant"])
    );
    for team in ["team-a", "team-b"] {
        assert_eq!(
            levels(ns(&r, team)),
            ("baseline".into(), "restricted".into(), "restricted".into())
        );
        assert!(
            ns(&r, team)["notes"][0]
                .as_str()
                .unwrap()
                .contains("intend restricted"),
            "{}",
            ns(&r, team)
        );
    }
    assert_eq!(r["defaults"]["enforce"], "baseline");
}

#[test]
fn current_labels_are_never_loosened_without_allow_loosen() {
    let (tmp, r) = convert("psa-existing-labels", &["--k8s-version", "v1.30"]);
    // team-a is labelled restricted; its PSPs alone give baseline: the label is kept.
    let a = ns(&r, "team-a");
    assert_eq!(
        levels(a),
        (
            "restricted".into(),
            "restricted".into(),
            "restricted".into()
        )
    );
    assert_eq!(
        a["current"],
        serde_json::json!({"enforce": "restricted", "enforce-version": "v1.29", "warn": "restricted"})
    );
    assert!(
        a["notes"]
            .to_string()
            .contains("keeps enforce at restricted (current label)"),
        "{a}"
    );
    // kube-system's audit and warn are kept; ingress is tightened from its looser label.
    assert_eq!(
        levels(ns(&r, "kube-system")),
        (
            "privileged".into(),
            "restricted".into(),
            "restricted".into()
        )
    );
    assert_eq!(ns(&r, "ingress")["enforce"], "baseline");
    // A label that is not a level is read as PSA reads it (enforce: restricted), not loosened.
    assert_eq!(ns(&r, "team-c")["enforce"], "restricted");
    assert!(ns(&r, "team-c")["notes"]
        .to_string()
        .contains("PSA reads it as restricted"));
    // Namespaces without labels have an empty `current`.
    assert_eq!(r["defaults"]["enforce"], "baseline");
    // The script sets only what differs.
    let script = read(&tmp, "psa/label-namespaces.sh");
    let block = |name: &str| -> String {
        script
            .split("\n\n")
            .find(|b| b.starts_with(&format!("# {name}: ")))
            .unwrap_or_else(|| panic!("no block for {name}: {script}"))
            .to_string()
    };
    assert!(
        block("team-b").contains("already labelled as proposed: nothing to change")
            && !block("team-b").contains("kubectl"),
        "{}",
        block("team-b")
    );
    let a = block("team-a");
    assert!(
        a.contains("enforce-version='v1.30'") && a.contains("audit='restricted'"),
        "{a}"
    );
    assert!(!a.contains("enforce='") && !a.contains("warn='"), "{a}");
    assert!(block("ingress").contains("enforce='baseline'"));
    // --allow-loosen lets the PSPs decide, and says what it loosens.
    let (_, r) = convert(
        "psa-existing-labels",
        &["--k8s-version", "v1.30", "--allow-loosen"],
    );
    let a = ns(&r, "team-a");
    assert_eq!(a["enforce"], "baseline");
    assert!(
        a["notes"]
            .to_string()
            .contains("loosens enforce from restricted (current label) to baseline"),
        "{a}"
    );
}

#[test]
fn a_user_subject_naming_a_service_account_is_that_service_account() {
    // Only PSPs and RBAC: no ServiceAccount object and no pod names ci/builder.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = run(&[
        "convert",
        "fixtures/sa-named-as-user/psps.yaml",
        "fixtures/sa-named-as-user/rbac.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let ci = ns(&report, "ci");
    assert_eq!(ci["psps"], serde_json::json!(["builder", "restricted"]));
    assert_eq!(ci["enforce"], "privileged");
    assert!(
        !report["notes"].to_string().contains("named as a user"),
        "{}",
        report["notes"]
    );
    // simulate agrees: the pod of ci/builder may use builder, which admits it.
    let r = run(&["simulate", "fixtures/sa-named-as-user"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ADMITTED Pod ci/build-1 by builder"),
        "{}",
        r.stdout
    );
    // And the whole fixture, pod included, gives convert the same plan.
    let (_, with_pod) = convert("sa-named-as-user", &[]);
    assert_eq!(ns(&with_pod, "ci")["enforce"], "privileged");
}

#[test]
fn without_rbac_convert_says_once_that_every_psp_is_usable_by_everyone() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = run(&[
        "convert",
        "fixtures/baseline-caps",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.matches("holds no RBAC").count(), 1, "{}", r.stderr);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .contains("every PSP is taken as usable by every service account"),
        "{}",
        report["notes"]
    );
    // As simulate and the Kyverno policy: the one PSP (baseline-compatible) is the default.
    assert_eq!(report["defaults"]["enforce"], "baseline");
    assert_eq!(
        report["defaults"]["psps"],
        serde_json::json!(["baseline-caps"])
    );
    let r = run(&[
        "convert",
        "fixtures/psa-multi-tenant",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!r.stderr.contains("holds no RBAC"), "{}", r.stderr);
}

#[test]
fn enforce_intended_enforces_what_the_psps_meant_and_audit_is_never_below_it() {
    // restricted-nonroot is compatible with baseline and means restricted; with no RBAC it is
    // every service account's, so it sets the cluster defaults.
    let stricter = |r: &Value| -> Vec<String> {
        r["fidelity"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row["verdict"] == "stricter")
            .map(|row| row["field"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, r) = convert("restricted-nonroot", &[]);
    assert_eq!(
        (&r["defaults"]["enforce"], &r["defaults"]["audit"]),
        (&Value::from("baseline"), &Value::from("restricted"))
    );
    assert!(stricter(&r).is_empty());
    let (_, r) = convert("restricted-nonroot", &["--enforce", "intended"]);
    assert_eq!(r["defaults"]["enforce"], "restricted");
    assert!(r["defaults"]["why"]
        .as_str()
        .unwrap()
        .contains("--enforce intended"));
    // What becomes stricter is in the rows.
    assert_eq!(
        stricter(&r),
        [
            "spec.requiredDropCapabilities",
            "spec.runAsUser",
            "spec.allowPrivilegeEscalation"
        ]
    );
    let (_, r) = convert("psa-multi-tenant", &["--enforce", "intended"]);
    assert_eq!(
        levels(ns(&r, "team-a")),
        (
            "restricted".into(),
            "restricted".into(),
            "restricted".into()
        )
    );
    assert!(ns(&r, "team-a")["notes"]
        .to_string()
        .contains("--enforce intended"));
    // By default audit and warn are at least the intended level, even two steps above enforce.
    let (_, r) = convert("sa-named-as-user", &[]);
    let ci = ns(&r, "ci");
    assert_eq!(ci["enforce"], "privileged");
    assert_eq!(
        (&ci["target_level"], &ci["audit"]),
        (&Value::from("privileged"), &Value::from("baseline"))
    );
}

#[test]
fn current_labels_show_as_current_to_proposed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = run(&[
        "convert",
        "fixtures/psa-existing-labels",
        "--targets",
        "psa",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("current -> proposed enforce / audit / warn"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "team-a       restricted / - / restricted -> restricted / restricted / restricted"
        ),
        "{}",
        r.stdout
    );
    let md = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(
        md.contains(
            "| team-a | restricted / - / restricted | restricted | restricted | restricted |"
        ),
        "{md}"
    );
}

#[test]
fn a_psp_granted_only_to_a_user_becomes_an_exemption_and_a_flagged_namespace() {
    let (tmp, r) = convert("psa-user-only-grant", &[]);
    let debug = ns(&r, "debug");
    assert_eq!(debug["psps"], serde_json::json!([]));
    assert!(debug["notes"][0]
        .as_str()
        .unwrap()
        .contains("no PSP is usable"));
    let users = &r["exemptions"]["usernames"];
    assert_eq!(users[0]["value"], "alice@example.com");
    assert!(users[0]["why"]
        .as_str()
        .unwrap()
        .contains("debug-tools (privileged) in namespace debug"));
    assert!(r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("group sre-oncall")));
    assert!(read(&tmp, "psa/admission-configuration.yaml").contains("- \"alice@example.com\""));
}

#[test]
fn workloads_that_meet_restricted_raise_enforce_to_the_intended_level() {
    let (_, r) = convert("psa-pods-meet-restricted", &[]);
    let shop = ns(&r, "shop");
    assert_eq!(shop["safe_level"], "baseline");
    assert_eq!(shop["target_level"], "restricted");
    assert_eq!(shop["enforce"], "restricted");
    assert_eq!(shop["observed"].as_array().unwrap().len(), 2);
    assert!(shop["notes"][0].as_str().unwrap().contains(
        "raised from baseline to restricted: all 2 workloads in the input meet restricted"
    ));
}

#[test]
fn label_versions_follow_the_options() {
    let (_, r) = convert("psa-multi-tenant", &["--k8s-version", "v1.29"]);
    assert_eq!(ns(&r, "team-a")["version"], "v1.29");
    let (_, r) = convert(
        "psa-multi-tenant",
        &["--psa-version", "latest", "--audit-step", "0"],
    );
    assert_eq!(ns(&r, "team-a")["version"], "latest");
    // Audit and warn stay at least at the intended level (restricted) whatever the step.
    assert_eq!(
        levels(ns(&r, "team-a")),
        ("baseline".into(), "restricted".into(), "restricted".into())
    );
    assert_eq!(
        levels(ns(&r, "kube-system")),
        (
            "privileged".into(),
            "privileged".into(),
            "privileged".into()
        )
    );
}

/// The PodSecurityConfiguration inside each wrapper, parsed.
fn configurations(tmp: &tempfile::TempDir) -> (Value, Value) {
    let admission = parse_documents(&read(tmp, "psa/admission-configuration.yaml"))
        .unwrap()
        .remove(0)
        .value;
    assert_eq!(admission["kind"], "AdmissionConfiguration");
    assert_eq!(admission["plugins"][0]["name"], "PodSecurity");
    let cm = parse_documents(&read(tmp, "psa/pod-security-webhook-configmap.yaml"))
        .unwrap()
        .remove(0)
        .value;
    let inner = cm["data"]["podsecurityconfiguration.yaml"]
        .as_str()
        .unwrap();
    (
        admission["plugins"][0]["configuration"].clone(),
        parse_documents(inner).unwrap().remove(0).value,
    )
}

#[test]
fn the_configuration_api_version_follows_kubernetes_and_both_wrappers_agree() {
    for (version, api) in [
        ("v1.22", "pod-security.admission.config.k8s.io/v1alpha1"),
        ("v1.24", "pod-security.admission.config.k8s.io/v1beta1"),
        ("v1.25", "pod-security.admission.config.k8s.io/v1"),
    ] {
        let (tmp, _) = convert("psa-user-only-grant", &["--k8s-version", version]);
        let (builtin, webhook) = configurations(&tmp);
        assert_eq!(builtin, webhook, "{version}");
        assert_eq!(builtin["apiVersion"], api);
        assert_eq!(
            builtin["exemptions"]["usernames"],
            serde_json::json!(["alice@example.com"])
        );
    }
}

#[test]
fn emitted_documents_validate_against_the_schemas_and_round_trip() {
    let Some(shared) = common::shared_dir("psa schemas") else {
        return;
    };
    let schemas = common::schema::Schemas::load(&shared.join("schemas"));
    let mut validated = 0;
    for f in FIXTURES {
        let (tmp, _) = convert(f, &[]);
        for file in [
            "psa/namespaces.yaml",
            "psa/pod-security-webhook-configmap.yaml",
        ] {
            for doc in parse_documents(&read(&tmp, file)).unwrap() {
                match schemas.validate(&doc.value) {
                    Ok(true) => validated += 1,
                    Ok(false) => panic!("{f}/{file}: no schema for {}", doc.value["kind"]),
                    Err(e) => panic!("{f}/{file}: {e:?}"),
                }
                let back = match doc.value["kind"].as_str() {
                    Some("Namespace") => serde_json::to_value(
                        serde_json::from_value::<Namespace>(doc.value.clone()).unwrap(),
                    ),
                    _ => serde_json::to_value(
                        serde_json::from_value::<ConfigMap>(doc.value.clone()).unwrap(),
                    ),
                }
                .unwrap();
                assert_eq!(
                    back, doc.value,
                    "{f}/{file}: k8s-openapi round trip changed the document"
                );
            }
        }
    }
    eprintln!("psa: {validated} documents validated against the shared schemas");
    assert!(validated >= FIXTURES.len() * 2);
}

/// A pod generated for namespace `ns` with service account `sa`.
fn in_namespace(
    mut p: k8s_openapi::api::core::v1::Pod,
    ns: &str,
    sa: &str,
) -> k8s_openapi::api::core::v1::Pod {
    p.metadata.namespace = Some(ns.into());
    p.spec.as_mut().unwrap().service_account_name = Some(sa.into());
    p
}

/// Checks one generated pod in every namespace of `fixture`: a pod that some PSP usable there
/// admits (as the admission plugin would choose) passes PSS at the proposed enforce level,
/// unless the plan says enforce was raised above what the PSPs guarantee. Returns how many
/// admissions were judged at a level above privileged.
fn check_fixture(p: &k8s_openapi::api::core::v1::Pod, fixture: &str) -> Result<usize, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture);
    let loaded = load_inputs(&[dir], &LoadOptions::default());
    let scopes = podsec_migrate::scope::Scopes::from_loaded(&loaded);
    let all: BTreeSet<String> = loaded.psps().map(|(_, x)| x.name.clone()).collect();
    let version = Version::Latest;
    let levels: std::collections::BTreeMap<_, _> = loaded
        .psps()
        .map(|(_, x)| {
            let l = podsec_migrate::levels::judge(&intent_of(x), version);
            (
                x.name.clone(),
                podsec_migrate::targets::psa::PspLevels {
                    compatible: l.compatible_level,
                    intended: l.intended_level,
                },
            )
        })
        .collect();
    let opts = podsec_migrate::targets::psa::PlanOptions {
        k8s_version: version,
        pin_version: true,
        audit_step: 1,
        allow_loosen: false,
        enforce: podsec_migrate::targets::psa::EnforceFrom::Compatible,
    };
    let plan = podsec_migrate::targets::psa::cluster_plan(
        &loaded,
        &scopes,
        &levels,
        &podsec_migrate::targets::psa::observe(&loaded, version),
        &opts,
    );
    let mut judged = 0;
    for n in plan
        .namespaces
        .iter()
        .filter(|n| n.safe_level.is_some_and(|safe| n.enforce <= safe))
    {
        for sa in scopes.service_accounts.get(&n.name).into_iter().flatten() {
            let usable = scopes.usable(
                &podsec_migrate::scope::Identity::service_account(&n.name, sa),
                &n.name,
                &all,
            );
            let psps: Vec<_> = loaded
                .psps()
                .filter(|(_, x)| usable.contains(&x.name))
                .map(|(_, x)| x)
                .collect();
            let pod = in_namespace(p.clone(), &n.name, sa);
            let Choice::Admitted {
                pod: admitted, psp, ..
            } = choose(&psps, pod.spec.as_ref().unwrap(), &pod.metadata)
            else {
                continue;
            };
            let e = pss_evaluate(
                admitted.spec.as_ref().unwrap(),
                &admitted.metadata,
                n.enforce,
                version,
            );
            let real: Vec<_> = e
                .violations
                .iter()
                .filter(|v| {
                    !["windowsHostProcess", "hostProbesAndHostLifecycle"].contains(&v.check)
                })
                .collect();
            if !real.is_empty() {
                return Err(format!(
                    "{fixture}/{}: {psp} admitted a pod that enforce {} rejects: {real:?}",
                    n.name, n.enforce
                ));
            }
            judged += usize::from(n.enforce > Level::Privileged);
        }
    }
    Ok(judged)
}

const PROPERTY_FIXTURES: [&str; 4] = [
    "psa-eks-default",
    "psa-multi-tenant",
    "psa-pods-meet-restricted",
    "example-cluster",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn pods_the_usable_psps_admit_pass_the_proposed_enforce_level(p in pod(), which in 0usize..4) {
        if let Err(e) = check_fixture(&p, PROPERTY_FIXTURES[which]) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// The property must meet admitted pods in namespaces enforced above privileged.
#[test]
fn the_enforce_property_is_exercised_above_privileged() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(11),
        ..Config::default()
    });
    let mut judged = 0;
    for _ in 0..300 {
        let p = pod().new_tree(&mut runner).unwrap().current();
        judged += check_fixture(&p, "psa-multi-tenant").unwrap();
    }
    eprintln!("psa: {judged} admitted pods judged at baseline or restricted");
    assert!(
        judged >= 20,
        "only {judged} admitted pods were judged above privileged"
    );
}

/// Hostile names (quotes, line breaks, U+2028, template and shell syntax) in namespaces,
/// bindings and users do not change the structure of any emitted document.
#[test]
fn hostile_names_do_not_change_the_structure_of_the_output() {
    let (tmp, r) = convert("hostile-names", &[]);
    let ns_name = "ns'; rm -rf / #\"\n  evil: yes";
    let user = "mallory\"\n- \"system:anonymous\u{2028}- ${{ secrets.x }}";
    assert_eq!(r["namespaces"][0]["name"], ns_name);
    for file in PSA_FILES {
        let text = read(&tmp, file);
        assert!(
            !text.contains(['\u{2028}', '\u{2029}']),
            "{file}: a raw line separator reached the output"
        );
    }
    let docs = parse_documents(&read(&tmp, "psa/namespaces.yaml")).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].value["metadata"]["name"], ns_name);
    assert_eq!(
        docs[0].value["metadata"]["labels"]
            .as_object()
            .unwrap()
            .len(),
        6
    );
    let (builtin, webhook) = configurations(&tmp);
    assert_eq!(builtin, webhook);
    assert_eq!(
        builtin["exemptions"]["usernames"],
        serde_json::json!([user])
    );
    let script = read(&tmp, "psa/label-namespaces.sh");
    let check = std::process::Command::new("sh")
        .arg("-n")
        .arg("-c")
        .arg(&script)
        .status()
        .unwrap();
    assert!(
        check.success(),
        "the label script is not valid shell:\n{script}"
    );
    assert_eq!(script.matches("kubectl label").count(), 1);
    assert!(
        script.contains(r#"namespace 'ns'\''; rm -rf / #"#),
        "{script}"
    );
}

#[test]
fn versions_without_pod_security_admission_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = run(&[
        "convert",
        "fixtures/psa-multi-tenant",
        "--k8s-version",
        "v1.21",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("Pod Security Admission arrived in Kubernetes 1.22"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
}
