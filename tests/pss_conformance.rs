//! The evaluator against upstream's Pod Security fixtures.
//!
//! Walks `<shared>/conformance/pss/<level>/<version>/<pass|fail>/*.yaml`: every pass fixture
//! must be allowed and every fail fixture denied at exactly that level and version. The shared
//! folder is `$PODSEC_SHARED`, else `<crate>/../shared`; when it is missing the test skips
//! loudly, except under CI (`$CI` set), where it fails.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::Pod;
use podsec_migrate::load::yaml::parse_documents;
use podsec_migrate::pss::registry::check_ids;
use podsec_migrate::pss::{evaluate, Level, Version};

/// Every `*.yaml` file under `dir`, at any depth, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Sorted subdirectory names of `dir`.
fn subdirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The verdict for one fixture file: whether it is allowed, the lower-cased IDs of the failed
/// checks, and the violation messages; or a reason it could not be judged.
fn judge(
    path: &Path,
    level: Level,
    version: Version,
) -> Result<(bool, Vec<String>, String), String> {
    let text = fs::read_to_string(path).map_err(|e| format!("read: {e}"))?;
    let docs = parse_documents(&text).map_err(|e| format!("parse: {e:?}"))?;
    let [doc] = docs.as_slice() else {
        return Err(format!("expected one document, found {}", docs.len()));
    };
    let pod: Pod = serde_json::from_value(doc.value.clone()).map_err(|e| format!("pod: {e}"))?;
    let spec = pod.spec.unwrap_or_default();
    let eval = evaluate(&spec, &pod.metadata, level, version);
    let messages: Vec<String> = eval
        .violations
        .iter()
        .map(|v| format!("{}: {}", v.check, v.message))
        .collect();
    let ids = eval
        .violations
        .iter()
        .map(|v| v.check.to_lowercase())
        .collect();
    Ok((eval.allowed(), ids, messages.join("; ")))
}

#[test]
fn upstream_fixtures_agree_with_the_evaluator() {
    let Some(shared) = common::shared_dir("pss conformance") else {
        return;
    };
    let root = shared.join("conformance/pss");
    let expected_files = yaml_files(&root).len();
    let mut checked = 0usize;
    let mut mismatches = Vec::new();
    for level_name in subdirs(&root) {
        let level: Level = level_name.parse().expect("level directory");
        for version_name in subdirs(&root.join(&level_name)) {
            let version: Version = version_name.parse().expect("version directory");
            for outcome in subdirs(&root.join(&level_name).join(&version_name)) {
                let want_allowed = match outcome.as_str() {
                    "pass" => true,
                    "fail" => false,
                    other => panic!("unexpected outcome directory {other:?}"),
                };
                let dir = root.join(&level_name).join(&version_name).join(&outcome);
                for file in yaml_files(&dir) {
                    checked += 1;
                    let rel = file.strip_prefix(&root).unwrap().display().to_string();
                    // Fixture names are `<lower-cased check ID><n>.yaml` (or `base*`). A fail
                    // fixture must be denied by its own check, unless that check is overridden
                    // at this level and version (then by the check that replaces it).
                    let stem = file.file_stem().unwrap().to_string_lossy();
                    let check = stem.trim_end_matches(|c: char| c.is_ascii_digit());
                    let enforced = check_ids(level, version).any(|id| id.to_lowercase() == check);
                    match judge(&file, level, version) {
                        Ok((true, _, _)) if want_allowed => {}
                        Ok((false, _, why)) if want_allowed => {
                            mismatches.push(format!("{rel}: denied, expected allowed: {why}"))
                        }
                        Ok((true, _, _)) => {
                            mismatches.push(format!("{rel}: allowed, expected denied"))
                        }
                        Ok((false, ids, _)) if !enforced || ids.iter().any(|id| id == check) => {}
                        Ok((false, _, why)) => mismatches
                            .push(format!("{rel}: denied, but not by check {check:?}: {why}")),
                        Err(e) => mismatches.push(format!("{rel}: {e}")),
                    }
                }
            }
        }
    }
    println!(
        "PSS conformance: {checked} fixture files checked, {} mismatches",
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} fixtures disagree:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(
        checked,
        expected_files,
        "checked {checked} fixtures but {expected_files} *.yaml files exist under {}",
        root.display()
    );
    assert!(checked > 0, "no fixtures found under {}", root.display());
}
