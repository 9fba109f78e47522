//! Bad input ends in a clear message naming file, line and column, exit code 3, and nothing on
//! stdout; never a panic or a hang. Warnings name the field and let the run go on.

mod common;

use std::path::{Path, PathBuf};

use common::run;

/// A PSP whose spec has `extra` added to the required strategies (indented by two spaces).
fn psp(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: {name}\nspec:\n  runAsUser: {{rule: RunAsAny}}\n  seLinux: {{rule: RunAsAny}}\n  supplementalGroups: {{rule: RunAsAny}}\n  fsGroup: {{rule: RunAsAny}}\n{extra}"
    )
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// Runs `levels --dump-model` on one file holding `content`, expecting the input error code.
fn expect_input_error(content: &[u8], expected: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "input.yaml", content);
    let r = run(&["levels", "--dump-model", file.to_str().unwrap()]);
    assert_eq!(r.code, 3, "stderr: {}", r.stderr);
    assert!(
        r.stdout.is_empty(),
        "nothing may be written on error: {}",
        r.stdout
    );
    for e in expected {
        assert!(r.stderr.contains(e), "expected {e:?} in:\n{}", r.stderr);
    }
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r.stderr
}

/// Runs on one file and expects success with the given warnings.
fn expect_warnings(content: &str, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "input.yaml", content.as_bytes());
    let r = run(&["levels", "--dump-model", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    for e in expected {
        assert!(r.stderr.contains(e), "expected {e:?} in:\n{}", r.stderr);
    }
}

#[test]
fn malformed_yaml_names_the_line() {
    expect_input_error(
        b"apiVersion: v1\nkind: [Pod\nmetadata: {}\n",
        &["input.yaml:3:9: error: invalid YAML"],
    );
}

#[test]
fn a_binary_file_is_refused() {
    expect_input_error(
        b"\x7fELF\x02\x01\x01\x00\x00\x00binary",
        &["input.yaml:1:1", "not a text file"],
    );
}

#[test]
fn invalid_utf8_is_refused() {
    expect_input_error(b"kind: \xff\xfe\n", &["input.yaml:1:1", "not UTF-8 text"]);
}

/// kubectl skips files without a document (`kubectl apply -f dir/` ignores an empty file, a
/// comment-only file and a bare `---\n---`): a warning each, and the run goes on.
#[test]
fn empty_and_comment_only_files_are_a_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a-empty.yaml", b"");
    write(dir.path(), "b-comment.yaml", b"# just a comment\n");
    write(dir.path(), "c-separators.yaml", b"---\n---\n");
    write(dir.path(), "d-psp.yaml", psp("p", "").as_bytes());
    let r = run(&["levels", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    for f in ["a-empty.yaml", "b-comment.yaml", "c-separators.yaml"] {
        assert!(
            r.stderr
                .contains(&format!("{f}:1:1: warning: no YAML or JSON document")),
            "{f}: {}",
            r.stderr
        );
    }
    assert!(r.stdout.contains("compatible level"), "{}", r.stdout);
    // Alone, such a file still leaves nothing to work on.
    let only = write(dir.path(), "e-only.yaml", b"");
    let r = run(&["levels", only.to_str().unwrap()]);
    assert_eq!(r.code, 3, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains("no PodSecurityPolicy found"),
        "{}",
        r.stderr
    );
}

/// A FIFO named like a manifest would block the run forever on open: skipped with a warning.
#[cfg(unix)]
#[test]
fn a_fifo_in_a_scanned_directory_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "psp.yaml", psp("p", "").as_bytes());
    let fifo = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!(
            "SKIPPED a_fifo_in_a_scanned_directory_is_skipped_with_a_warning: mkfifo unavailable"
        );
        return;
    }
    let r = run(&["levels", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(
        r.stderr
            .contains("pipe.yaml:1:1: warning: not a regular file"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.yaml");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let r = run(&["levels", "--dump-model", p.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("huge.yaml:1:1") && r.stderr.contains("larger than the 64 MiB limit"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn deep_nesting_is_an_error() {
    let text = format!("a: {}{}", "[".repeat(200_000), "]".repeat(200_000));
    expect_input_error(text.as_bytes(), &["input.yaml:1:", "nesting deeper"]);
}

#[test]
fn an_alias_bomb_is_stopped() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", [p.as_str(); 9].join(", ")));
    }
    expect_input_error(text.as_bytes(), &["alias bomb"]);
}

#[test]
fn a_document_that_is_not_an_object_is_refused() {
    expect_input_error(
        b"- just\n- a list\n",
        &[
            "input.yaml:1:1",
            "document 1 is a list, expected a Kubernetes object",
        ],
    );
    expect_input_error(b"hello\n", &["document 1 is a string"]);
}

#[test]
fn an_object_without_kind_is_refused() {
    expect_input_error(b"apiVersion: v1\nmetadata: {name: x}\n", &["missing kind"]);
}

#[test]
fn a_missing_file_is_refused() {
    let r = run(&["levels", "--dump-model", "no/such/file.yaml"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr
            .contains("no/such/file.yaml:1:1: error: cannot read"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_misspelled_field_is_an_error_with_a_suggestion() {
    let text = psp("typo", "  allowedCapabilites: [NET_ADMIN]\n");
    expect_input_error(
        text.as_bytes(),
        &["input.yaml:10:3: error: spec.allowedCapabilites: unknown field \"allowedCapabilites\" (did you mean \"allowedCapabilities\"?)"],
    );
}

#[test]
fn every_problem_in_a_file_is_reported_at_once() {
    let text = psp(
        "many",
        "  hostNetwrok: true\n  volumes: [secrets]\n  privileged: \"yes\"\n",
    );
    expect_input_error(
        text.as_bytes(),
        &[
            "spec.hostNetwrok",
            "spec.volumes[0]: unknown volume type \"secrets\" (did you mean \"secret\"?)",
            "spec.privileged: expected true or false, found a string",
        ],
    );
}

#[test]
fn an_unknown_rule_is_an_error() {
    let text = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: r}\nspec:\n  runAsUser: {rule: MustRunAsNonroot}\n  seLinux: {rule: RunAsAny}\n  supplementalGroups: {rule: RunAsAny}\n  fsGroup: {rule: RunAsAny}\n";
    expect_input_error(text.as_bytes(), &["input.yaml:5:", "rule \"MustRunAsNonroot\" is not one of MustRunAs, MustRunAsNonRoot, RunAsAny (did you mean \"MustRunAsNonRoot\"?)"]);
}

#[test]
fn must_run_as_without_ranges_is_an_error() {
    let text = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: r}\nspec:\n  runAsUser: {rule: MustRunAs}\n  seLinux: {rule: RunAsAny}\n  supplementalGroups: {rule: RunAsAny}\n  fsGroup: {rule: RunAsAny}\n";
    expect_input_error(
        text.as_bytes(),
        &["spec.runAsUser.ranges: this rule needs at least one range"],
    );
}

#[test]
fn min_above_max_and_negative_ids_are_errors() {
    let text = psp("ranges", "  hostPorts:\n  - {min: 90, max: 80}\n");
    expect_input_error(
        text.as_bytes(),
        &[
            "input.yaml:11:",
            "spec.hostPorts[0]: min 90 is greater than max 80",
        ],
    );
    let text = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: r}\nspec:\n  runAsUser: {rule: RunAsAny}\n  seLinux: {rule: RunAsAny}\n  supplementalGroups: {rule: RunAsAny}\n  fsGroup:\n    rule: MustRunAs\n    ranges: [{min: -1, max: 10}]\n";
    expect_input_error(
        text.as_bytes(),
        &["spec.fsGroup.ranges[0]: IDs cannot be negative"],
    );
}

#[test]
fn duplicate_psp_names_across_inputs_are_an_error_unless_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.yaml", psp("same", "").as_bytes());
    let b = write(
        dir.path(),
        "b.yaml",
        psp("same", "  privileged: true\n").as_bytes(),
    );
    let r = run(&[
        "levels",
        "--dump-model",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("b.yaml:4:3: error: metadata.name: PodSecurityPolicy \"same\" is defined twice (first at"), "{}", r.stderr);
    let r = run(&[
        "levels",
        "--dump-model",
        "--rename-duplicates",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("renamed \"same-2\""), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["policies"][1]["policy"]["name"], "same-2");
    assert_eq!(v["policies"][1]["policy"]["spec"]["privileged"], true);
}

#[test]
fn unknown_capabilities_and_out_of_range_ports_are_warnings() {
    expect_warnings(
        &psp("caps", "  allowedCapabilities: [CAP_NET_ADMIN, NET_FOO]\n  hostPorts: [{min: 1, max: 65536}]\n"),
        &[
            "input.yaml:10:25: warning: spec.allowedCapabilities[0]: unknown capability \"CAP_NET_ADMIN\" (Kubernetes spells it \"NET_ADMIN\"",
            "spec.allowedCapabilities[1]: unknown capability \"NET_FOO\"",
            "spec.hostPorts[0].max: 65536 is outside the port range 0-65535",
        ],
    );
}

#[test]
fn a_missing_required_strategy_is_a_warning() {
    expect_warnings(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: fragment}\nspec:\n  volumes: [secret]\n",
        &["warning: spec: missing required strategy spec.runAsUser", "missing required strategy spec.fsGroup"],
    );
}

#[test]
fn a_device_that_never_ends_is_cut_at_the_size_limit() {
    let r = run(&[
        "levels",
        "--dump-model",
        "--max-input-mib",
        "1",
        "/dev/zero",
    ]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr
            .contains("/dev/zero:1:1: error: input is larger than the 1 MiB limit"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_symlink_back_up_the_tree_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "psp.yaml", psp("once", "").as_bytes());
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let r = run(&["levels", "--dump-model", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["policies"].as_array().unwrap().len(), 1);
    assert!(
        r.stderr.contains("1 file(s) in directories"),
        "the link is listed as passed over: {}",
        r.stderr
    );
}

#[test]
fn subjects_that_grant_nothing_are_warnings() {
    expect_warnings(
        &("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects:\n- {kind: ServiceAccount, name: sa}\n- {kind: Robot, name: r2d2}\n---\n".to_string() + &psp("p", "")),
        &[
            "input.yaml:11:4: warning: subjects[0]: a ServiceAccount subject of a ClusterRoleBinding needs a namespace",
            "input.yaml:12:4: warning: subjects[1]: subject kind \"Robot\" is not User, Group or ServiceAccount",
        ],
    );
}

#[test]
fn a_kind_close_to_one_podsec_migrate_reads_is_named_with_a_suggestion() {
    // A plural in the PSP's own group would leave the PSP out: an error.
    let text = psp("a", "").replace("kind: PodSecurityPolicy", "kind: PodSecurityPolicies");
    expect_input_error(
        text.as_bytes(),
        &["input.yaml:2:1: error: kind: kind \"PodSecurityPolicies\" (policy/v1beta1) is not a kind podsec-migrate reads; did you mean \"PodSecurityPolicy\"?"],
    );
    expect_input_error(
        b"apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n",
        &["input.yaml:2:1: error: kind: kind \"Deploymnet\" (apps/v1) is not a kind podsec-migrate reads; did you mean \"Deployment\"?"],
    );
    // In a custom resource group it may be on purpose: a warning. Far from any kind: no word.
    expect_warnings(
        &format!(
            "{}---\napiVersion: example.com/v1\nkind: Pods\nmetadata: {{name: x}}\n---\napiVersion: v1\nkind: Node\nmetadata: {{name: node-1}}\n",
            psp("a", "")
        ),
        &["input.yaml:12:1: warning: kind: kind \"Pods\" (example.com/v1) is not a kind podsec-migrate reads; did you mean \"Pod\"? Skipped, as a custom resource"],
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "input.yaml",
        format!(
            "{}---\napiVersion: v1\nkind: Node\nmetadata: {{name: node-1}}\n",
            psp("a", "")
        )
        .as_bytes(),
    );
    let r = run(&["levels", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stderr.contains("did you mean"),
        "Node is not Role: {}",
        r.stderr
    );
}

#[test]
fn a_list_whose_items_are_not_a_list_is_an_error() {
    expect_input_error(
        b"apiVersion: v1\nkind: List\nitems:\n  kind: Pod\n",
        &["input.yaml:4:3: error: items: the items of a List must be a list of objects, and this is a mapping; nothing in it is read"],
    );
}

#[test]
fn a_psp_under_policy_v1_is_read_as_v1beta1_with_a_warning() {
    let text = psp("a", "").replace("policy/v1beta1", "policy/v1");
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "input.yaml", text.as_bytes());
    let r = run(&["levels", "--dump-model", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "input.yaml:1:1: warning: apiVersion: PodSecurityPolicy policy/v1 never existed"
        ),
        "{}",
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["policies"][0]["policy"]["apiVersion"], "policy/v1beta1",
        "{v}"
    );
}

/// go-yaml v2, which kubectl used to read manifests, resolves `yes`/`on` to true and
/// `no`/`off` to false (YAML 1.1; gopkg.in/yaml.v2 resolve.go), so the API server stored
/// `hostNetwork: yes` as `true`: the PSP is read that way, with a warning naming the place.
#[test]
fn yaml_1_1_booleans_in_a_psp_are_read_as_kubectl_read_them() {
    let text = psp("a", "  hostNetwork: yes\n  hostPID: on\n  hostIPC: off\n");
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "input.yaml", text.as_bytes());
    let r = run(&["levels", "--dump-model", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let spec = &v["policies"][0]["policy"]["spec"];
    assert_eq!(
        (&spec["hostNetwork"], &spec["hostPID"], &spec["hostIPC"]),
        (
            &serde_json::json!(true),
            &serde_json::json!(true),
            &serde_json::json!(false)
        ),
        "{spec}"
    );
    for (line, field, text) in [
        (10, "hostNetwork", "yes"),
        (11, "hostPID", "on"),
        (12, "hostIPC", "off"),
    ] {
        let col = 3 + field.len() + 2;
        assert!(
            r.stderr.contains(&format!(
                "input.yaml:{line}:{col}: warning: spec.{field}: \"{text}\" is read as the boolean"
            )),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn audit_without_a_plan_notes_duplicate_psp_names_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.yaml", psp("same", "").as_bytes());
    let b = write(
        dir.path(),
        "b.yaml",
        format!(
            "{}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: ns}}\nspec:\n  containers:\n  - {{name: c, image: i}}\n",
            psp("same", "")
        )
        .as_bytes(),
    );
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let r = run(&["audit", "--level", "baseline", a, b]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "b.yaml:4:3: warning: metadata.name: PodSecurityPolicy \"same\" is defined twice"
        ),
        "{}",
        r.stderr
    );
    // A plan uses the PSPs: there it is still an error.
    let r = run(&["audit", "--plan", "auto", a, b]);
    assert_eq!(r.code, 3, "{}", r.stderr);
}
