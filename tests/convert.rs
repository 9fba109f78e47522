//! `podsec-migrate convert` end to end: snapshots of REPORT.md, report.json and the terminal
//! summary for every fixture; determinism; `--check`; `--fail-on`; output safety; the corpus.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{run, shared_dir, Run};
use serde_json::Value;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLE: &str = "fixtures/example-cluster";

/// The fixture folders, sorted (the folder of per-family fixtures left out).
fn fixtures() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(Path::new(MANIFEST).join("fixtures"))
        .expect("fixtures/ exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // The per-family fixtures under fixtures/fields/ have their own test (tests/fields.rs).
        .filter(|name| name != "fields")
        .collect();
    v.sort();
    v
}

/// Runs `convert INPUT --out OUT EXTRA...`.
fn convert(input: &str, out: &Path, extra: &[&str]) -> Run {
    let out = out.to_str().expect("utf-8 temp path");
    let mut args = vec!["convert", input, "--out", out];
    args.extend_from_slice(extra);
    run(&args)
}

/// Runs `convert` and expects exit 0.
fn ok(input: &str, out: &Path, extra: &[&str]) -> Run {
    let r = convert(input, out, extra);
    assert_eq!(r.code, 0, "convert {input} failed: {}", r.stderr);
    r
}

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                pending.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn report_json(dir: &Path) -> Value {
    serde_json::from_str(&read(dir, "report.json")).expect("report.json is JSON")
}

const VERDICTS: [&str; 5] = ["exact", "stricter", "mutation_dropped", "looser", "lost"];

/// What every report.json must hold: the public keys, a valid verdict per row, rows for every
/// PSP, and a semantic diff whose removed and kept lines are exactly the PSP's rules.
fn assert_report_shape(v: &Value) {
    assert!(v["k8s_version"].as_str().unwrap().starts_with("v1."));
    assert!(v["namespaces"].is_array());
    let rows = v["fidelity"].as_array().expect("fidelity rows");
    for r in rows {
        for key in ["psp", "target", "field", "reason", "psp_rule"] {
            assert!(r[key].is_string(), "{key} in {r}");
        }
        assert!(VERDICTS.contains(&r["verdict"].as_str().unwrap()), "{r}");
    }
    for p in v["policies"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        assert!(
            rows.iter()
                .any(|r| r["psp"] == name && r["target"] == "psa"),
            "no psa rows for {name}"
        );
    }
    for d in v["semantic_diff"].as_array().unwrap() {
        let psp_rules: Vec<&Value> = rows
            .iter()
            .filter(|r| r["psp"] == d["psp"] && r["target"] == d["target"])
            .map(|r| &r["psp_rule"])
            .collect();
        let old: Vec<&Value> = d["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["op"] != "added")
            .map(|l| &l["rule"])
            .collect();
        assert_eq!(old, psp_rules, "diff of {}", d["psp"]);
        // The rows that compare nothing are counted apart from exact: the six counts add up.
        let total: u64 = VERDICTS
            .iter()
            .chain(&["unrestricted"])
            .map(|k| d["counts"][k].as_u64().unwrap())
            .sum();
        assert_eq!(total as usize, psp_rules.len());
    }
}

#[test]
fn every_fixture_reports_and_summary() {
    for case in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let r = ok(&format!("fixtures/{case}"), &out, &[]);
        let json = report_json(&out);
        assert_report_shape(&json);
        insta::assert_snapshot!(format!("{case}__report_md"), read(&out, "REPORT.md"));
        insta::assert_snapshot!(format!("{case}__report_json"), read(&out, "report.json"));
        let stdout = r.stdout.replace(out.to_str().unwrap(), "[OUT]");
        insta::assert_snapshot!(format!("{case}__summary"), stdout);
    }
}

#[test]
fn same_input_same_bytes() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    let first = ok(EXAMPLE, &a, &[]);
    let second = ok(EXAMPLE, &b, &[]);
    // The same but for the directory the last lines name.
    assert_eq!(
        first.stdout.replace(a.to_str().unwrap(), "[OUT]"),
        second.stdout.replace(b.to_str().unwrap(), "[OUT]")
    );
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(
        ta.contains_key(Path::new("REPORT.md"))
            && ta.contains_key(Path::new("psa/namespaces.yaml"))
    );
    assert_eq!(ta, tb);
}

#[test]
fn check_is_clean_after_convert_and_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok(EXAMPLE, &out, &[]);
    let before = tree(&out);
    let r = convert(EXAMPLE, &out, &["--check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("is up to date"), "{}", r.stderr);
    assert_eq!(tree(&out), before);
    // Nothing beside DIR either.
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
}

#[test]
fn check_shows_drift_as_unified_diffs_and_exits_5() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok(EXAMPLE, &out, &[]);
    let report = read(&out, "REPORT.md");
    let tampered = report.replacen(
        "# PodSecurityPolicy migration report",
        "# edited by hand",
        1,
    );
    assert_ne!(report, tampered);
    std::fs::write(out.join("REPORT.md"), &tampered).unwrap();
    std::fs::write(out.join("psa/extra.yaml"), "x: 1\n").unwrap();
    let before = tree(&out);
    let r = convert(EXAMPLE, &out, &["--check"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stdout.contains("--- a/REPORT.md\n+++ b/REPORT.md\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("\n-# edited by hand\n+# PodSecurityPolicy migration report\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("--- a/psa/extra.yaml\n+++ /dev/null\n"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("2 file(s) differ"), "{}", r.stderr);
    assert_eq!(tree(&out), before, "--check writes nothing");
    // A missing DIR is said to be missing (exit 5, a drift), not listed file by file, and is
    // not created.
    let missing = t.path().join("missing");
    let r = convert(EXAMPLE, &missing, &["--check"]);
    assert_eq!(r.code, 5);
    assert!(r.stdout.is_empty(), "no diff per file: {}", r.stdout);
    assert!(
        r.stderr
            .contains(&format!("{} is missing", missing.display())),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("without --check"), "{}", r.stderr);
    assert!(!missing.exists());
}

#[test]
fn fail_on_exits_6_after_writing() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    // The example loses fsGroup ranges and host path prefixes under PSA.
    let r = convert(EXAMPLE, &out, &["--fail-on", "lost"]);
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(r.stderr.contains("--fail-on lost"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("node-agent/psa spec.allowedHostPaths (lost)"),
        "{}",
        r.stderr
    );
    assert!(out.join("REPORT.md").is_file(), "output is written first");
    assert!(r.stdout.contains("Fidelity"), "summary is printed first");
    // --check with no drift still applies --fail-on.
    assert_eq!(
        convert(EXAMPLE, &out, &["--check", "--fail-on", "looser"]).code,
        6
    );
}

const ACCEPTED: &str = "fixtures/example-cluster/accepted-findings.yaml";

#[test]
fn the_readme_ci_recipe_passes_on_the_example_with_its_accepted_findings() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok(EXAMPLE, &out, &[]);
    // The recipe of README.md, with the file the example ships.
    let r = convert(
        EXAMPLE,
        &out,
        &["--check", "--fail-on", "lost", "--accept", ACCEPTED],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("stale"), "{}", r.stderr);
    // Without it, the inherent losses trip --fail-on.
    assert_eq!(
        convert(EXAMPLE, &out, &["--check", "--fail-on", "lost"]).code,
        6
    );
}

#[test]
fn fail_on_trips_only_on_findings_not_accepted_and_names_stale_entries() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    // Drop one entry (node-agent's host paths) and add one that matches nothing.
    let text = read(Path::new(MANIFEST), ACCEPTED);
    let start = text
        .find("- psp: node-agent\n  target: psa\n  field: spec.allowedHostPaths")
        .unwrap();
    let end = start
        + text[start..]
            .find("- psp: node-agent\n  target: psa\n  field: spec.readOnly")
            .unwrap();
    let edited = format!(
        "{}{}- psp: retired\n  target: psa\n  field: spec.hostPID\n  verdict: lost\n  reason: once lost\n",
        &text[..start],
        &text[end..]
    );
    let file = t.path().join("accepted.yaml");
    std::fs::write(&file, &edited).unwrap();
    let stale_line = edited.lines().count() - 4;
    let r = convert(
        EXAMPLE,
        &out,
        &["--fail-on", "lost", "--accept", file.to_str().unwrap()],
    );
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "--fail-on lost: 1 fidelity row(s) at least that bad not accepted in {}: node-agent/psa spec.allowedHostPaths (lost)\n",
            file.display()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "{}:{stale_line}:3: warning: accepted finding retired/psa spec.hostPID is stale",
            file.display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn write_accept_writes_what_accept_reads_back() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let file = t.path().join("accepted.yaml");
    let fixture = "fixtures/fidelity-scoped";
    let r = convert(
        fixture,
        &out,
        &[
            "--fail-on",
            "looser",
            "--write-accept",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "what is written is accepted: {}", r.stderr);
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("kind: AcceptedFindings\n"), "{written}");
    assert!(
        written.contains("  field: \"spec.fsGroup\"\n  verdict: \"lost\"\n"),
        "{written}"
    );
    let r = convert(
        fixture,
        &out,
        &[
            "--check",
            "--fail-on",
            "looser",
            "--accept",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Accepting lost rows does not accept looser ones.
    let r = convert(
        fixture,
        &out,
        &[
            "--fail-on",
            "lost",
            "--write-accept",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = convert(
        fixture,
        &out,
        &["--fail-on", "looser", "--accept", file.to_str().unwrap()],
    );
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(!r.stderr.contains("(lost)"), "{}", r.stderr);
    // Never inside DIR, which the next run replaces.
    let inside = out.join("accepted.yaml");
    let r = convert(fixture, &out, &["--write-accept", inside.to_str().unwrap()]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("which every run replaces"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_accepted_findings_file_is_an_input_error_naming_the_line() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let file = t.path().join("accepted.yaml");
    std::fs::write(
        &file,
        "apiVersion: podsec-migrate/v1alpha1\nkind: AcceptedFindings\nfindings:\n- psp: a\n  target: psa\n  field: spec.fsGroup\n  verdict: lost\n",
    )
    .unwrap();
    let r = convert(EXAMPLE, &out, &["--accept", file.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{}:4:3: error: findings[0].reason: expected a non-empty string",
            file.display()
        )),
        "{}",
        r.stderr
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn fail_on_passes_below_the_threshold() {
    // privileged-open restricts almost nothing: one looser row (proc mount) and no lost row.
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let fixture = "fixtures/privileged-open";
    ok(fixture, &out, &["--fail-on", "lost"]);
    let v = report_json(&out);
    let worst: Vec<&str> = v["fidelity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .filter(|v| *v == "looser" || *v == "lost")
        .collect();
    assert!(!worst.is_empty() && !worst.contains(&"lost"), "{worst:?}");
    assert_eq!(convert(fixture, &out, &["--fail-on", "looser"]).code, 6);
    assert_eq!(
        convert(fixture, &out, &["--check", "--fail-on", "lost"]).code,
        0
    );
}

#[test]
fn an_unwritable_dir_exits_4_and_leaves_nothing() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("file");
    std::fs::write(&file, "not a directory\n").unwrap();
    let r = convert(EXAMPLE, &file.join("out"), &[]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory\n");
}

#[test]
fn out_creates_missing_parents() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("a/b/c");
    ok(EXAMPLE, &out, &[]);
    assert!(out.join("REPORT.md").is_file() && out.join(".podsec-migrate").is_file());
    assert_eq!(
        std::fs::read_dir(out.parent().unwrap()).unwrap().count(),
        1,
        "nothing but DIR beside it"
    );
}

#[test]
fn a_foreign_dir_is_kept_unless_forced() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    let r = convert(EXAMPLE, &out, &[]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(tree(&out).len(), 1, "untouched");
    ok(EXAMPLE, &out, &["--force"]);
    assert!(!out.join("precious.txt").exists());
    assert!(out.join(".podsec-migrate").is_file() && out.join("REPORT.md").is_file());
    // Now it is ours: a second run needs no --force.
    ok(EXAMPLE, &out, &[]);
}

/// Copies the example cluster into `dir`.
fn copy_example(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for e in std::fs::read_dir(Path::new(MANIFEST).join(EXAMPLE)).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
}

#[test]
fn force_never_deletes_an_input_the_working_directory_or_a_repository() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("dir");
    copy_example(&dir.join("sub"));
    let before = tree(&dir);
    // DIR holds the input directory `sub/`.
    let r = common::run_in(&dir, &["convert", "sub", "--out", ".", "--force"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("refusing to replace .: it contains the input sub"),
        "{}",
        r.stderr
    );
    let r = common::run_in(t.path(), &["convert", "dir/sub", "--out", "dir", "--force"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("it contains the input dir/sub"),
        "{}",
        r.stderr
    );
    // DIR is the input itself.
    let r = common::run_in(
        t.path(),
        &["convert", "dir/sub", "--out", "dir/sub", "--force"],
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("it is the input dir/sub"), "{}", r.stderr);
    // DIR is a parent of the working directory (the input comes from elsewhere).
    let input = Path::new(MANIFEST).join(EXAMPLE);
    let input = input.to_str().unwrap();
    let r = common::run_in(
        &dir.join("sub"),
        &["convert", input, "--out", "..", "--force"],
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("it holds the working directory"),
        "{}",
        r.stderr
    );
    // DIR holds a repository.
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let before_git = tree(&dir);
    let r = common::run_in(t.path(), &["convert", input, "--out", "dir", "--force"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("it holds the repository dir/.git"),
        "{}",
        r.stderr
    );
    assert_eq!(tree(&dir), before_git, "untouched");
    std::fs::remove_dir(dir.join(".git")).unwrap();
    assert_eq!(tree(&dir), before, "untouched");
}

#[test]
fn report_md_keeps_names_inside_their_section() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok(EXAMPLE, &out, &[]);
    let md = read(&out, "REPORT.md");
    let opens = md.matches("<details>").count();
    assert_eq!(opens, md.matches("</details>").count());
    assert_eq!(opens, 4, "one section per PSP");
    assert!(md.contains("<summary>restricted — gatekeeper: "), "{md}");
    assert!(md.contains(" lost; kyverno: "), "{md}");
    assert!(md.contains(" lost; psa: "), "{md}");
    assert!(
        md.contains("```diff\n--- psp/node-agent\n+++ psa/node-agent\n"),
        "{md}"
    );
    assert!(md
        .contains("\n-host paths: /var/lib/docker/containers (read-only), /var/log (read-only)\n"));
}

#[test]
fn the_whole_corpus_converts_in_one_run() {
    let Some(shared) = shared_dir("the_whole_corpus_converts_in_one_run") else {
        return;
    };
    let corpus = shared.join("corpus/psp");
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let start = std::time::Instant::now();
    let r = convert(corpus.to_str().unwrap(), &out, &["--rename-duplicates"]);
    let took = start.elapsed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = report_json(&out);
    assert_report_shape(&v);
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for row in v["fidelity"].as_array().unwrap() {
        let key = (
            row["target"].as_str().unwrap().to_string(),
            row["verdict"].as_str().unwrap().to_string(),
        );
        *counts.entry(key).or_default() += 1;
    }
    let psps = v["policies"].as_array().unwrap().len();
    assert!(psps >= 50, "{psps} PSPs");
    eprintln!("corpus: {psps} PSPs converted in {took:?}");
    for ((target, verdict), n) in &counts {
        eprintln!("  {target} {verdict}: {n}");
    }
}

#[test]
fn a_psp_is_compared_with_the_enforce_level_of_its_namespace() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok("fixtures/fidelity-scoped", &out, &[]);
    let v = report_json(&out);
    let row = |psp: &str, field: &str| -> Value {
        v["fidelity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["psp"] == psp
                    && r["field"] == field
                    && r["effect"] == "validate"
                    && r["target"] == "psa"
            })
            .unwrap_or_else(|| panic!("{psp} {field}"))
            .clone()
    };
    // `app` is baseline-compatible, but `apps` enforces restricted (its workloads meet it).
    let diff = v["semantic_diff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["target"] == "psa")
        .unwrap();
    assert_eq!(diff["psp"], "app");
    assert!(diff["compared_with"]
        .as_str()
        .unwrap()
        .starts_with("restricted: "));
    assert_eq!(row("app", "spec.runAsUser")["verdict"], "stricter");
    assert_eq!(
        row("app", "spec.allowPrivilegeEscalation")["verdict"],
        "stricter"
    );
    assert_eq!(row("app", "spec.privileged")["verdict"], "exact");
    assert_eq!(row("app", "spec.fsGroup")["verdict"], "lost");
    assert_eq!(row("app", "spec.fsGroup")["target_rule"], Value::Null);
    assert_eq!(row("tools", "spec.allowedHostPaths")["verdict"], "lost");
}

#[test]
fn markdown_and_html_in_values_stay_inside_their_cell_and_block() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok("fixtures/fidelity-scoped", &out, &[]);
    let md = read(&out, "REPORT.md");
    let lines: Vec<&str> = md.lines().collect();
    let opened = lines.iter().filter(|l| **l == "<details>").count();
    let closed = lines.iter().filter(|l| **l == "</details>").count();
    assert_eq!((opened, closed), (2, 2));
    assert!(
        md.contains("/srv/\\`\\`\\`&lt;/details>\\|&lt;b>x&lt;/b> (read-only)"),
        "{md}"
    );
    // The diff fence outgrows the three backticks of the path.
    assert!(md.contains("````diff\n--- psp/tools\n"), "{md}");
    assert!(md.contains("\n-host paths: /srv/```</details>|<b>x</b> (read-only)\n"));
}

/// A minimal PSP named `name`.
fn minimal_psp(name: &str) -> String {
    format!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: {name}\nspec:\n  seLinux: {{rule: RunAsAny}}\n  runAsUser: {{rule: RunAsAny}}\n  supplementalGroups: {{rule: RunAsAny}}\n  fsGroup: {{rule: RunAsAny}}\n  volumes: ['*']\n"
    )
}

#[test]
fn every_psp_names_its_source_so_a_renamed_duplicate_traces_to_its_file() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("a.yaml"), minimal_psp("web")).unwrap();
    std::fs::write(
        input.join("b.yaml"),
        format!("# the same name\n{}", minimal_psp("web")),
    )
    .unwrap();
    let out = t.path().join("out");
    ok(input.to_str().unwrap(), &out, &["--rename-duplicates"]);
    let json = report_json(&out);
    let source = |name: &str| {
        json["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {json}"))["source"]
            .as_str()
            .unwrap_or_else(|| panic!("no source for {name}"))
            .to_string()
    };
    let a = input.join("a.yaml").display().to_string();
    let b = input.join("b.yaml").display().to_string();
    assert_eq!(source("web"), format!("{a}:1:1"));
    assert_eq!(source("web-2"), format!("{b}:2:1"));
    let md = read(&out, "REPORT.md");
    assert!(
        md.lines()
            .any(|l| l.starts_with("| web-2 |") && l.contains(&format!("{b}:2:1"))),
        "{md}"
    );
}

/// The `## ` headings of a Markdown report, in order.
fn headings(md: &str) -> Vec<&str> {
    md.lines().filter(|l| l.starts_with("## ")).collect()
}

#[test]
fn report_md_opens_with_what_to_do_and_folds_the_per_psp_detail() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok(EXAMPLE, &out, &[]);
    let md = read(&out, "REPORT.md");
    assert_eq!(headings(&md)[0], "## What to do", "{:?}", headings(&md));
    // The commands to apply, the dry run first, relative to the report's directory.
    let dry = md
        .find("`sh psa/label-namespaces.sh`")
        .expect("the dry run");
    let apply = md
        .find("`sh psa/label-namespaces.sh --apply`")
        .expect("the apply");
    assert!(dry < apply);
    // Per namespace: the labels and the pods that relied on PSP defaults.
    let what = &md[..md.find("\n## Pod Security Standards level").unwrap()];
    assert!(what.contains("#### shop\n\nProposed labels: enforce restricted, audit restricted, warn restricted (v1.37)."), "{what}");
    assert!(what.contains("**Relied on PSP defaults**"), "{what}");
    assert!(
        what.contains("Deployment shop/storefront (PSP restricted): ")
            && what.contains("spec.securityContext.fsGroup = 1"),
        "{what}"
    );
    // Every per-PSP section is folded.
    let fidelity = &md[md.find("## What each target keeps").unwrap()..];
    for psp in ["ingress", "node-agent", "privileged", "restricted"] {
        assert!(
            fidelity.contains(&format!("<details>\n<summary>{psp} — ")),
            "{psp}"
        );
    }
}

#[test]
fn what_to_do_names_the_fields_blocking_a_level_and_says_denied_workloads_once() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok("fixtures/simulate-annotation-drift", &out, &[]);
    let md = read(&out, "REPORT.md");
    let what = &md[..md.find("\n## Pod Security Standards level").unwrap()];
    assert!(
        what.contains("**Keep enforce at privileged, below the intended restricted**"),
        "{what}"
    );
    let web = what
        .lines()
        .find(|l| l.starts_with("  - Deployment web (meets baseline; "))
        .unwrap_or_else(|| panic!("{what}"));
    assert!(
        web.contains("runAsNonRoot != true (pod or container \"web\" must set securityContext.runAsNonRoot=true)"),
        "{web}"
    );
    // report.json says the same, whole.
    let json = report_json(&out);
    let shop = json["what_to_do"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["namespace"] == "shop")
        .unwrap_or_else(|| panic!("{}", json["what_to_do"]));
    let web = shop["below_intended"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "Deployment" && b["name"] == "web")
        .unwrap_or_else(|| panic!("{shop}"));
    assert_eq!(
        (&web["meets"], &web["fails"]),
        (&Value::from("baseline"), &Value::from("restricted"))
    );
    assert!(
        web["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["check"] == "runAsNonRoot"),
        "{web}"
    );
    assert_eq!(shop["denied_by_own_psps"][0]["name"], "legacy", "{shop}");
    assert!(
        !shop["relied_on_psp_defaults"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{shop}"
    );
    // The workload the input's own PSPs denied is in What to do, and said once in the report.
    assert!(what.contains("**Denied by their own PSPs**"), "{what}");
    assert_eq!(
        md.matches("denied by every usable PSP (a-restricted)")
            .count(),
        1,
        "{md}"
    );
}

#[test]
fn rows_that_compare_nothing_are_counted_apart_from_exact() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok(EXAMPLE, &out, &[]);
    let json = report_json(&out);
    let rows = json["fidelity"].as_array().unwrap();
    for d in json["semantic_diff"].as_array().unwrap() {
        if d["target"] != "psa" {
            continue;
        }
        // For PSA, those are the rows that say so.
        let nothing = rows
            .iter()
            .filter(|r| r["psp"] == d["psp"] && r["target"] == "psa")
            .filter(|r| {
                r["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with("the PSP restricts nothing here")
            })
            .count();
        assert!(nothing > 0, "{}", d["psp"]);
        assert_eq!(d["counts"]["unrestricted"], nothing, "{}", d["psp"]);
    }
    // privileged allows everything: Kyverno keeps only what it restricts exactly.
    let privileged = json["semantic_diff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["psp"] == "privileged" && d["target"] == "kyverno")
        .unwrap();
    assert!(
        privileged["counts"]["unrestricted"].as_u64().unwrap()
            > privileged["counts"]["exact"].as_u64().unwrap(),
        "{privileged}"
    );
}

#[test]
fn the_summary_ends_with_where_the_output_went_and_the_next_command() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("migrated");
    let r = ok(EXAMPLE, &out, &[]);
    let files = tree(&out).len() - 1; // the marker
    let tail: Vec<&str> = r.stdout.lines().rev().take(2).collect();
    assert_eq!(
        tail[1],
        format!(
            "Wrote {files} files to {} (REPORT.md opens with what to do).",
            out.display()
        )
    );
    assert_eq!(
        tail[0],
        format!(
            "Next: sh {}/psa/label-namespaces.sh   # a server-side dry run; add --apply once it is clean",
            out.display()
        )
    );
    // With --format json stdout stays one JSON document; the lines go to stderr.
    let r = ok(EXAMPLE, &out, &["--format", "json"]);
    serde_json::from_str::<Value>(&r.stdout).expect("stdout is JSON");
    assert!(r.stderr.contains("Next: sh "), "{}", r.stderr);
}

/// A cluster of `n` namespaces: a restricted PSP for everyone, a privileged one for the
/// default service account of every other namespace, and per namespace a Deployment that fails
/// restricted.
fn big_cluster(n: usize) -> String {
    let mut s = String::new();
    s.push_str(&minimal_psp("privileged"));
    s.push_str("---\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: restricted\nspec:\n  privileged: false\n  allowPrivilegeEscalation: false\n  requiredDropCapabilities: [ALL]\n  volumes: [configMap, secret, emptyDir]\n  runAsUser: {rule: MustRunAsNonRoot}\n  seLinux: {rule: RunAsAny}\n  supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}\n  fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}\n");
    s.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: psp-restricted\nrules:\n- {apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [restricted]}\n");
    s.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: psp-restricted\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-restricted}\nsubjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:serviceaccounts}\n");
    s.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: psp-privileged\nrules:\n- {apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [privileged]}\n");
    for i in 0..n {
        let ns = format!("team-{i:03}-with-a-long-descriptive-namespace-name");
        s.push_str(&format!(
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
        ));
        if i % 2 == 0 {
            s.push_str(&format!("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: psp-privileged\n  namespace: {ns}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-privileged}}\nsubjects:\n- {{kind: ServiceAccount, name: default, namespace: {ns}}}\n"));
        }
        s.push_str(&format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: {ns}\nspec:\n  selector: {{matchLabels: {{app: a}}}}\n  template:\n    metadata: {{labels: {{app: a}}}}\n    spec:\n      containers:\n      - {{name: app, image: app}}\n"));
    }
    s
}

#[test]
fn a_300_namespace_cluster_gives_a_readable_report() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("cluster.yaml");
    std::fs::write(&input, big_cluster(300)).unwrap();
    let out = t.path().join("out");
    ok(input.to_str().unwrap(), &out, &[]);
    let md = read(&out, "REPORT.md");
    // No table cell is a wall of text.
    let longest = md
        .lines()
        .filter(|l| l.starts_with('|'))
        .flat_map(|l| l.split(" | "))
        .map(|c| c.chars().count())
        .max()
        .unwrap();
    assert!(longest <= 600, "a table cell of {longest} characters");
    // The namespace table is folded behind a summary of its levels.
    assert!(
        md.contains(
            "<details>\n<summary>300 namespaces: enforce 150 privileged, 150 baseline</summary>"
        ),
        "{}",
        &md[..md.len().min(3000)]
    );
    // Namespace by namespace is folded behind a tally; lists say how many they leave out.
    assert!(
        md.contains("<details>\n<summary>150 namespaces to look at: 150 with workloads below the intended level, 150 with workloads that relied on PSP defaults</summary>"),
        "{}",
        &md[..md.len().min(3000)]
    );
    assert!(
        md.contains("and 130 more."),
        "the other namespaces are counted"
    );
    let what = &md[..md.find("\n## Pod Security Standards level").unwrap()];
    assert!(
        what.lines().all(|l| l.chars().count() <= 2_000),
        "a line of What to do is too long"
    );
}

#[test]
fn wording_counts_agree_sentences_start_upper_case_and_arrows_stay_arrows() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    ok("fixtures/psa-user-only-grant", &out, &[]);
    let md = read(&out, "REPORT.md");
    assert!(md.contains("; 1 PodSecurityPolicy, as stored"), "{md}");
    assert!(!md.contains("PodSecurityPolicies"), "{md}");
    assert!(!md.contains("-&gt;"), "{md}");
    assert!(
        md.contains("via RoleBinding debug/alice-debug -> ClusterRole psp:debug-tools"),
        "{md}"
    );
    // The cluster defaults' reason is a sentence of its own.
    let defaults = md
        .lines()
        .find(|l| l.starts_with("Namespaces without labels: "))
        .unwrap();
    let why = &defaults[defaults.find("). ").unwrap() + 3..];
    assert!(
        why.starts_with(char::is_uppercase) && why.ends_with('.'),
        "{defaults}"
    );
    // List items of notes start upper case.
    for l in md
        .lines()
        .filter(|l| l.starts_with("- ") && !l.starts_with("- **"))
    {
        let first = l[2..].chars().next().unwrap();
        assert!(!first.is_lowercase(), "{l}");
    }
    // audit's counts of one.
    let r = run(&["audit", "--plan", "auto", "fixtures/fidelity-scoped"]);
    assert!(r.stdout.contains("    1 workload: "), "{}", r.stdout);
    assert!(
        r.stdout.contains("\n1 workload in 2 namespaces: "),
        "{}",
        r.stdout
    );
}
