//! `podsec-migrate simulate` end to end: snapshots of the simulate fixtures, every mutation kind,
//! the plugin's choice among PSPs, RBAC scoping, and the `kubernetes.io/psp` cross-check.

mod common;

use common::{run, run_with_stdin, Run};
use serde_json::{json, Value};

/// The simulate fixtures and the exit code each gives.
const CASES: [(&str, i32); 4] = [
    ("simulate-mutations", 1),
    ("simulate-psp-choice", 1),
    ("simulate-rbac-scoping", 1),
    ("simulate-annotation-drift", 1),
];

fn simulate(args: &[&str]) -> Run {
    run(&[&["simulate"], args].concat())
}

/// Runs with `--format json` and returns the exit code and the parsed output.
fn json_of(args: &[&str], stdin: &str) -> (i32, Value, String) {
    let r = run_with_stdin(
        &[&["simulate", "--format", "json"], args].concat(),
        stdin.as_bytes(),
    );
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r.code, v, r.stderr)
}

/// The result for the pod or controller `name`.
fn result<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no result for {name}"))
}

fn snapshot(name: &str, body: &str) {
    insta::assert_snapshot!(name, body);
}

#[test]
fn fixture_snapshots_text_and_json() {
    for (case, code) in CASES {
        let dir = format!("fixtures/{case}");
        let text = simulate(&[&dir]);
        assert_eq!(text.code, code, "{case}: {}", text.stderr);
        snapshot(&format!("{case}__text"), &text.stdout);
        let json = simulate(&[&dir, "--format", "json"]);
        assert_eq!(json.code, code, "{case}: {}", json.stderr);
        snapshot(&format!("{case}__json"), &json.stdout);
    }
}

#[test]
fn output_is_the_same_bytes_every_run() {
    let args = [
        "fixtures/simulate-annotation-drift",
        "fixtures/simulate-mutations",
        "fixtures/simulate-rbac-scoping",
        "--format",
        "json",
    ];
    let first = simulate(&args);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert_eq!(first.stdout, simulate(&args).stdout);
}

// ---------------------------------------------------------------- mutations, one kind at a time

/// A PSP named `name` with RunAsAny strategies unless `spec` sets them, and `annotations`.
fn psp(name: &str, annotations: &str, spec: &str) -> String {
    let strategies: String = ["runAsUser", "seLinux", "supplementalGroups", "fsGroup"]
        .iter()
        .filter(|k| !spec.contains(&format!("  {k}:")))
        .map(|k| format!("  {k}: {{rule: RunAsAny}}\n"))
        .collect();
    format!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: {name}\n  annotations: {{{annotations}}}\nspec:\n  volumes: ['*']\n{strategies}{spec}---\n"
    )
}

/// A pod `app-pod` in `apps` with container `app` (security context `sc`, a flow mapping body)
/// and extra pod spec lines.
fn pod(sc: &str, spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: app-pod, namespace: apps}}\nspec:\n{spec}  containers:\n  - {{name: app, image: x, securityContext: {{{sc}}}}}\n---\n"
    )
}

/// The mutations the only PSP in `input` makes, as `(path, value)`.
fn mutations(input: &str) -> Vec<(String, Value)> {
    let (code, v, stderr) = json_of(&["-"], input);
    assert_eq!(code, 0, "denied: {v}\n{stderr}");
    let r = &v["results"][0];
    assert_eq!(r["admitted"], true);
    r["mutations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["path"].as_str().unwrap().to_string(), m["value"].clone()))
        .collect()
}

fn one(path: &str, value: Value) -> Vec<(String, Value)> {
    vec![(path.to_string(), value)]
}

const APP_SC: &str = "spec.containers[name=app].securityContext";

#[test]
fn run_as_user_defaults_to_the_first_range_min() {
    let p = psp(
        "p",
        "",
        "  runAsUser: {rule: MustRunAs, ranges: [{min: 1000, max: 2000}, {min: 10, max: 20}]}\n",
    );
    let got = mutations(&(p.clone() + &pod("", "")));
    assert_eq!(got, one(&format!("{APP_SC}.runAsUser"), json!(1000)));
    assert!(mutations(&(p + &pod("runAsUser: 1500", ""))).is_empty());
}

#[test]
fn run_as_non_root_is_set_when_neither_it_nor_a_user_is() {
    let p = psp("p", "", "  runAsUser: {rule: MustRunAsNonRoot}\n");
    let got = mutations(&(p.clone() + &pod("", "")));
    assert_eq!(got, one(&format!("{APP_SC}.runAsNonRoot"), json!(true)));
    assert!(mutations(&(p.clone() + &pod("runAsUser: 1000", ""))).is_empty());
    let pod_level = pod("", "  securityContext: {runAsNonRoot: true}\n");
    assert!(mutations(&(p + &pod_level)).is_empty());
}

#[test]
fn run_as_group_defaults_per_container() {
    let p = psp(
        "p",
        "",
        "  runAsGroup: {rule: MustRunAs, ranges: [{min: 3000, max: 3999}]}\n",
    );
    let got = mutations(&(p + &pod("", "")));
    assert_eq!(got, one(&format!("{APP_SC}.runAsGroup"), json!(3000)));
}

#[test]
fn fs_group_defaults_at_pod_level() {
    let p = psp(
        "p",
        "",
        "  fsGroup: {rule: MustRunAs, ranges: [{min: 2000, max: 2999}]}\n",
    );
    let got = mutations(&(p.clone() + &pod("", "")));
    assert_eq!(got, one("spec.securityContext.fsGroup", json!(2000)));
    let set = pod("", "  securityContext: {fsGroup: 2500}\n");
    assert!(mutations(&(p + &set)).is_empty());
}

#[test]
fn supplemental_groups_default_to_the_first_range_min() {
    let p = psp(
        "p",
        "",
        "  supplementalGroups: {rule: MustRunAs, ranges: [{min: 5000, max: 6000}]}\n",
    );
    let got = mutations(&(p + &pod("", "")));
    assert_eq!(
        got,
        one("spec.securityContext.supplementalGroups", json!([5000]))
    );
}

#[test]
fn selinux_options_default_at_pod_level() {
    let p = psp(
        "p",
        "",
        "  seLinux: {rule: MustRunAs, seLinuxOptions: {level: 's0:c1,c2'}}\n",
    );
    let got = mutations(&(p + &pod("", "")));
    assert_eq!(
        got,
        one(
            "spec.securityContext.seLinuxOptions",
            json!({"level": "s0:c1,c2"})
        )
    );
}

#[test]
fn capabilities_gain_default_adds_and_required_drops() {
    let p = psp(
        "p",
        "",
        "  defaultAddCapabilities: [NET_BIND_SERVICE]\n  requiredDropCapabilities: [ALL]\n",
    );
    let got = mutations(&(p.clone() + &pod("", "")));
    let caps = format!("{APP_SC}.capabilities");
    assert_eq!(
        got,
        one(&caps, json!({"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}))
    );
    // A default add the container drops itself is not added.
    let dropping = pod("capabilities: {drop: [NET_BIND_SERVICE]}", "");
    let got = mutations(&(p + &dropping));
    assert_eq!(
        got,
        one(
            &caps,
            json!({"add": [], "drop": ["ALL", "NET_BIND_SERVICE"]})
        )
    );
}

#[test]
fn allow_privilege_escalation_takes_the_default() {
    let p = psp("p", "", "  defaultAllowPrivilegeEscalation: false\n");
    let got = mutations(&(p.clone() + &pod("", "")));
    assert_eq!(
        got,
        one(&format!("{APP_SC}.allowPrivilegeEscalation"), json!(false))
    );
    assert!(mutations(&(p + &pod("allowPrivilegeEscalation: true", ""))).is_empty());
}

#[test]
fn read_only_root_filesystem_is_set_when_required() {
    let p = psp("p", "", "  readOnlyRootFilesystem: true\n");
    let got = mutations(&(p + &pod("", "")));
    assert_eq!(
        got,
        one(&format!("{APP_SC}.readOnlyRootFilesystem"), json!(true))
    );
}

#[test]
fn seccomp_and_apparmor_defaults_become_annotations() {
    let annotations = "seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default, seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default, apparmor.security.beta.kubernetes.io/allowedProfileNames: runtime/default, apparmor.security.beta.kubernetes.io/defaultProfileName: runtime/default";
    let got = mutations(&(psp("p", annotations, "") + &pod("", "")));
    assert_eq!(
        got,
        vec![
            (
                "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]".to_string(),
                json!("runtime/default")
            ),
            (
                "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]"
                    .to_string(),
                json!("runtime/default")
            ),
        ]
    );
}

#[test]
fn runtime_class_name_takes_the_default() {
    let p = psp("p", "", "  runtimeClass: {allowedRuntimeClassNames: [gvisor, kata], defaultRuntimeClassName: gvisor}\n");
    let got = mutations(&(p.clone() + &pod("", "")));
    assert_eq!(got, one("spec.runtimeClassName", json!("gvisor")));
    assert!(mutations(&(p + &pod("", "  runtimeClassName: kata\n"))).is_empty());
}

#[test]
fn a_controller_template_is_mutated_in_pod_terms_with_init_containers() {
    let (_, v, _) = json_of(&["fixtures/simulate-mutations"], "");
    let web = result(&v, "web");
    assert_eq!(web["kind"], "Deployment");
    let paths: Vec<&str> = web["mutations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"spec.initContainers[name=migrate].securityContext.runAsNonRoot"));
    assert!(paths.contains(&"spec.containers[name=web].securityContext.runAsNonRoot"));
    assert_eq!(result(&v, "hardened")["mutations"], json!([]));
    assert_eq!(result(&v, "hardened")["psp"], "defaults");
}

#[test]
fn a_denied_pod_lists_every_failed_field_and_no_mutation() {
    let (code, v, _) = json_of(&["fixtures/simulate-mutations"], "");
    assert_eq!(code, 1);
    let root = result(&v, "root");
    assert_eq!(root["admitted"], false);
    assert_eq!(root["psp"], Value::Null);
    assert_eq!(root["mutations"], json!([]));
    let fields: Vec<&str> = root["denials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "spec.containers[name=app].securityContext.runAsUser",
            "spec.containers[name=app].securityContext.allowPrivilegeEscalation"
        ]
    );
    assert!(root["denials"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["psp"] == "defaults"));
}

// ---------------------------------------------------------------- the plugin's choice

#[test]
fn non_mutating_psp_wins_then_name_order() {
    let (code, v, _) = json_of(&["fixtures/simulate-psp-choice"], "");
    assert_eq!(code, 1);
    let chosen = |n: &str| result(&v, n)["psp"].clone();
    // `a-restricted` comes first but would change the pod; `b-baseline` changes nothing.
    assert_eq!(chosen("plain"), "b-baseline");
    assert_eq!(result(&v, "plain")["mutations"], json!([]));
    // Both admit unchanged: name order.
    assert_eq!(chosen("hardened"), "a-restricted");
    assert_eq!(chosen("host-net"), "c-host");
    // Only the mutating PSP admits: it wins, with its changes.
    assert_eq!(chosen("downward"), "a-restricted");
    assert!(!result(&v, "downward")["mutations"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn a_pod_no_psp_admits_lists_every_psp_tried() {
    let (_, v, _) = json_of(&["fixtures/simulate-psp-choice"], "");
    let p = result(&v, "privileged");
    assert_eq!(p["admitted"], false);
    let tried: Vec<&str> = p["denials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["psp"].as_str().unwrap())
        .collect();
    assert_eq!(tried, ["a-restricted", "b-baseline", "c-host"]);
    assert_eq!(
        p["reason"],
        "denied by every usable PSP (a-restricted, b-baseline, c-host)"
    );
}

// ---------------------------------------------------------------- RBAC scoping

const RBAC: &str = "fixtures/simulate-rbac-scoping";

fn candidates(v: &Value, name: &str) -> Vec<String> {
    serde_json::from_value(result(v, name)["candidates"].clone()).unwrap()
}

#[test]
fn candidates_follow_the_service_account_and_namespace() {
    let (code, v, stderr) = json_of(&[RBAC], "");
    assert_eq!(code, 1);
    assert_eq!(v["selection"], "rbac");
    assert!(!stderr.contains("no RBAC"), "{stderr}");
    assert_eq!(candidates(&v, "kube-proxy"), ["privileged"]);
    assert_eq!(result(&v, "kube-proxy")["psp"], "privileged");
    assert_eq!(candidates(&v, "ingress-nginx-controller"), ["ingress"]);
    assert_eq!(result(&v, "ingress-nginx-controller")["psp"], "ingress");
    // Same namespace, other service account: nothing granted.
    let canary = result(&v, "ingress-canary");
    assert_eq!(canary["admitted"], false);
    assert_eq!(canary["denials"], json!([]));
    assert_eq!(
        canary["reason"],
        "no PSP is usable by ServiceAccount ingress-nginx/default in namespace ingress-nginx"
    );
    assert_eq!(
        result(&v, "cart")["reason"],
        "no PSP is usable by ServiceAccount shop/default in namespace shop"
    );
}

#[test]
fn a_role_binding_grants_in_its_namespace_only() {
    let kube_proxy_elsewhere = "apiVersion: v1\nkind: Pod\nmetadata: {name: proxy, namespace: tools}\nspec:\n  serviceAccountName: kube-proxy\n  containers: [{name: c, image: x}]\n";
    let files = [
        "-",
        "fixtures/simulate-rbac-scoping/psps.yaml",
        "fixtures/simulate-rbac-scoping/rbac.yaml",
    ];
    let (code, v, _) = json_of(&files, kube_proxy_elsewhere);
    assert_eq!(code, 1);
    assert_eq!(candidates(&v, "proxy"), Vec::<String>::new());
    assert_eq!(
        result(&v, "proxy")["reason"],
        "no PSP is usable by ServiceAccount tools/kube-proxy in namespace tools"
    );
}

#[test]
fn the_requesting_users_grants_join_the_service_accounts() {
    let (_, v, _) = json_of(&[RBAC, "--user", "alice"], "");
    assert_eq!(candidates(&v, "cart"), ["deployers"]);
    assert_eq!(result(&v, "cart")["psp"], "deployers");
    assert_eq!(candidates(&v, "kube-proxy"), ["deployers", "privileged"]);
    // The user's PSP is tried too, and says why it does not fit.
    let canary = result(&v, "ingress-canary");
    assert_eq!(canary["admitted"], false);
    assert!(canary["denials"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["psp"] == "deployers"));
}

#[test]
fn a_user_without_grants_adds_nothing_and_is_named_in_the_reason() {
    let (code, v, _) = json_of(&[RBAC, "--user", "bob"], "");
    assert_eq!(code, 1);
    assert_eq!(candidates(&v, "cart"), Vec::<String>::new());
    assert_eq!(
        result(&v, "cart")["reason"],
        "no PSP is usable by ServiceAccount shop/default or User bob in namespace shop"
    );
}

#[test]
fn the_requesting_users_groups_count() {
    let (_, v, _) = json_of(
        &[RBAC, "--user", "bob", "--group", "dev", "--group", "ops"],
        "",
    );
    assert_eq!(candidates(&v, "cart"), ["deployers"]);
    assert_eq!(result(&v, "cart")["admitted"], true);
    assert_eq!(
        result(&v, "cart")["grants"],
        json!([{
            "psp": "deployers",
            "subject": "Group ops",
            "via": "ClusterRoleBinding psp-deployers -> ClusterRole psp-deployers"
        }])
    );
}

#[test]
fn each_candidate_names_the_grant_behind_it() {
    let (_, v, _) = json_of(&[RBAC, "--user", "alice"], "");
    let grants = &result(&v, "kube-proxy")["grants"];
    let who: Vec<(&str, &str)> = grants
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["psp"].as_str().unwrap(), g["subject"].as_str().unwrap()))
        .collect();
    assert_eq!(
        who,
        [
            ("deployers", "User alice"),
            ("privileged", "Group system:serviceaccounts:kube-system")
        ]
    );
    let (_, v, _) = json_of(&[RBAC, "--all-psps"], "");
    assert_eq!(result(&v, "kube-proxy")["grants"], json!([]));
}

#[test]
fn all_psps_ignores_rbac() {
    let (code, v, stderr) = json_of(&[RBAC, "--all-psps"], "");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v["selection"], "all-psps");
    assert_eq!(
        candidates(&v, "cart"),
        ["deployers", "ingress", "privileged"]
    );
    assert_eq!(result(&v, "ingress-canary")["psp"], "ingress");
    assert!(!stderr.contains("no RBAC"), "{stderr}");
}

#[test]
fn without_rbac_every_psp_is_tried_with_one_note() {
    let (_, v, stderr) = json_of(&["fixtures/simulate-mutations"], "");
    assert_eq!(v["selection"], "no-rbac");
    assert_eq!(stderr.matches("holds no RBAC").count(), 1, "{stderr}");
    assert_eq!(candidates(&v, "bare"), ["defaults"]);
    let (_, _, stderr) = json_of(&["fixtures/simulate-mutations", "--all-psps"], "");
    assert!(!stderr.contains("holds no RBAC"), "{stderr}");
}

// ---------------------------------------------------------------- the kubernetes.io/psp record

const DRIFT: &str = "fixtures/simulate-annotation-drift";

#[test]
fn agreeing_record_and_dependence_on_mutation() {
    let (_, v, _) = json_of(&[DRIFT], "");
    let web = result(&v, "web-5d9c7b8f6-x2x9q");
    assert_eq!(web["annotation_psp"], "a-restricted");
    assert_eq!(web["annotation_agrees"], true);
    assert_eq!(web["annotation_note"], Value::Null);
    // ReplicaSet web-5d9c7b8f6 is absent: paired with Deployment web by name.
    assert_eq!(web["controller"], "Deployment web");
    let drift = web["depends_on_mutation"].as_array().unwrap();
    let paths: Vec<&str> = drift.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
            "spec.containers[name=web].securityContext.runAsNonRoot",
            "spec.containers[name=web].securityContext.capabilities",
            "spec.containers[name=web].securityContext.allowPrivilegeEscalation",
        ]
    );
    assert_eq!(drift[1]["pod"], true);
    assert_eq!(drift[1]["template"], Value::Null);
}

#[test]
fn a_pod_equal_to_its_template_did_not_depend_on_mutation() {
    let (_, v, _) = json_of(&[DRIFT], "");
    let api = result(&v, "api-6f8d9c4b7-pq7rs");
    assert_eq!(api["annotation_agrees"], true);
    assert_eq!(api["controller"], "ReplicaSet api-6f8d9c4b7");
    assert_eq!(api["depends_on_mutation"], json!([]));
}

#[test]
fn disagreeing_records_say_why() {
    let (_, v, _) = json_of(&[DRIFT], "");
    let note = |n: &str| {
        let r = result(&v, n);
        assert_eq!(r["annotation_agrees"], false, "{n}");
        r["annotation_note"].as_str().unwrap().to_string()
    };
    assert_eq!(
        note("legacy"),
        "the recorded PSP b-privileged is not usable by ServiceAccount shop/default here"
    );
    assert_eq!(
        note("orphan"),
        "the recorded PSP old-default is not in the input"
    );
    assert!(note("dns-7b9f5d7c66-lk2vx").starts_with(
        "the recorded PSP b-privileged admits the pod too, but a-restricted comes first"
    ),);
    // Without an owner reference there is nothing to compare with.
    assert_eq!(result(&v, "legacy")["depends_on_mutation"], Value::Null);
}

#[test]
fn a_recorded_psp_that_now_denies_is_named_with_its_reason() {
    let input = psp("open", "", "  privileged: true\n")
        + &psp("strict", "", "")
        + "apiVersion: v1\nkind: Pod\nmetadata: {name: was-privileged, namespace: apps, annotations: {kubernetes.io/psp: strict}}\nspec:\n  containers: [{name: app, image: x, securityContext: {privileged: true}}]\n";
    let (code, v, _) = json_of(&["-"], &input);
    assert_eq!(code, 0);
    let r = result(&v, "was-privileged");
    assert_eq!(r["psp"], "open");
    assert_eq!(r["annotation_agrees"], false);
    assert_eq!(
        r["annotation_note"],
        "the recorded PSP strict denies the pod: spec.containers[name=app].securityContext.privileged: privileged containers are not allowed"
    );
}

#[test]
fn pods_without_a_record_have_no_cross_check() {
    let (_, v, _) = json_of(&[DRIFT], "");
    let web = result(&v, "web");
    for key in [
        "annotation_psp",
        "annotation_agrees",
        "controller",
        "depends_on_mutation",
    ] {
        assert_eq!(web[key], Value::Null, "{key}");
    }
}

// ---------------------------------------------------------------- exit codes

#[test]
fn no_pod_in_the_input_is_an_input_error() {
    let r = simulate(&["fixtures/restricted-nonroot"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("no Pod or pod template"), "{}", r.stderr);
}

#[test]
fn no_psp_in_the_input_is_an_input_error() {
    let r = run_with_stdin(&["simulate", "-"], pod("", "").as_bytes());
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("no PodSecurityPolicy"), "{}", r.stderr);
}

#[test]
fn bad_input_is_an_input_error() {
    let r = run_with_stdin(&["simulate", "-"], b"apiVersion: v1\nkind: Pod\nspec: [\n");
    assert_eq!(r.code, 3, "{}", r.stderr);
}

#[test]
fn usage_errors() {
    for args in [
        &[RBAC, "--format", "markdown"][..],
        &[RBAC, "--group", "ops"],
        &[RBAC, "--user", "alice", "--all-psps"],
    ] {
        assert_eq!(simulate(args).code, 2, "{args:?}");
    }
}

#[test]
fn every_pod_admitted_exits_zero() {
    let input = psp("p", "", "") + &pod("", "");
    let r = run_with_stdin(&["simulate", "-"], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("ADMITTED Pod apps/app-pod by p"),
        "{}",
        r.stdout
    );
    assert!(r
        .stdout
        .ends_with("1 of 1 admitted; every PSP tried (no RBAC in the input); PSPs as stored with feature gates ProcMountType=false (the 1.23/1.24 default)\n"));
}
