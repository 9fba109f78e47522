//! The 54 real-world PSPs of ../shared/corpus/psp are all read in one run, and every quirk the
//! corpus keeps on purpose (INDEX.md) is reported as a diagnostic naming file, line and field.
//!
//! The expected quirks are found here independently, from the raw documents, so the test checks
//! the loader's diagnostics against the data rather than against a list typed in by hand.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use podsec_migrate::load::yaml::parse_documents;
use serde_json::Value;

const REQUIRED_STRATEGIES: [&str; 4] = ["seLinux", "runAsUser", "supplementalGroups", "fsGroup"];

/// (file name, field, words the message must hold) for every quirk in one corpus file.
fn expected_quirks(path: &Path) -> Vec<(String, String, String)> {
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    let docs = parse_documents(&std::fs::read_to_string(path).unwrap()).unwrap();
    let roles: BTreeSet<(String, String)> = docs
        .iter()
        .filter(|d| matches!(d.value["kind"].as_str(), Some("Role" | "ClusterRole")))
        .map(|d| {
            (
                d.value["kind"].as_str().unwrap().to_string(),
                d.value["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for d in &docs {
        let v = &d.value;
        match v["kind"].as_str() {
            Some("PodSecurityPolicy") => {
                if v["metadata"]["namespace"].is_string() {
                    out.push((
                        file.clone(),
                        "metadata.namespace".into(),
                        "cluster-scoped".into(),
                    ));
                }
                for s in REQUIRED_STRATEGIES
                    .iter()
                    .filter(|s| v["spec"][**s].is_null())
                {
                    out.push((
                        file.clone(),
                        "spec".into(),
                        format!("missing required strategy spec.{s}"),
                    ));
                }
                for (i, r) in v["spec"]["hostPorts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    for b in ["min", "max"] {
                        if !(0..=65535).contains(&r[b].as_i64().unwrap()) {
                            out.push((
                                file.clone(),
                                format!("spec.hostPorts[{i}].{b}"),
                                "outside the port range".into(),
                            ));
                        }
                    }
                }
            }
            Some("RoleBinding" | "ClusterRoleBinding") => {
                let r = &v["roleRef"];
                let key = (
                    r["kind"].as_str().unwrap().to_string(),
                    r["name"].as_str().unwrap().to_string(),
                );
                if !roles.contains(&key) {
                    out.push((
                        file.clone(),
                        "roleRef.name".into(),
                        "is not in the input".into(),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_whole_corpus_is_read_in_one_run_with_every_quirk_reported() {
    let Some(shared) = common::shared_dir("corpus") else {
        return;
    };
    let dir = shared.join("corpus/psp");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();

    let r = common::run(&[
        "levels",
        "--dump-model",
        "--rename-duplicates",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "stderr:\n{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["files"], files.len(), "every corpus file is read");
    assert_eq!(
        v["policies"].as_array().unwrap().len(),
        files.len(),
        "one PSP per corpus file"
    );

    let diags = v["diagnostics"].as_array().unwrap();
    let mut checked = 0;
    for path in &files {
        for (file, field, words) in expected_quirks(path) {
            let found = diags.iter().any(|d| {
                d["location"]["file"].as_str().unwrap().ends_with(&file)
                    && d["field"] == field.as_str()
                    && d["message"].as_str().unwrap().contains(words.as_str())
                    && d["location"]["line"].as_u64().unwrap() > 1
            });
            assert!(
                found,
                "{file}: no diagnostic on {field} saying {words:?}\n{}",
                r.stderr
            );
            checked += 1;
        }
    }
    // INDEX.md: two out-of-range host ports, two fragments missing four strategies each, two
    // namespaced PSPs, at least one binding to a role that is not in its file.
    let least = 2 + 2 * 4 + 2 + 1;
    assert!(
        checked >= least,
        "only {checked} quirks found: did the corpus change?"
    );
    eprintln!(
        "corpus: {} files, {} policies, {checked} quirks each reported with file and line",
        files.len(),
        files.len()
    );
}
