//! The cluster slices of ../shared/corpus/apps: real install manifests (PSPs, the RBAC that
//! grants them, the workloads that ran under them) taken unchanged from public projects.
//!
//! For every slice: it loads with no error; `simulate` under the slice's own RBAC gives each
//! workload a verdict recorded in an insta snapshot (`apps__<slice>.snap`); and the service
//! account and usable PSPs of every workload agree with the column INDEX.md resolved by hand,
//! independently of this tool. INDEX.md is parsed here, not copied.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Value};

/// One workload row of INDEX.md: the service account and the PSPs it may use, by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Resolved {
    service_account: String,
    psps: BTreeSet<String>,
}

/// The backticked words of `cell` outside parentheses (`a` (via `x`) -> [a]).
fn backticked_outside_parens(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut word: Option<String> = None;
    for c in cell.chars() {
        match (c, &mut word) {
            ('(', None) => depth += 1,
            (')', None) => depth = depth.saturating_sub(1),
            ('`', None) if depth == 0 => word = Some(String::new()),
            ('`', Some(w)) => {
                out.push(std::mem::take(w));
                word = None;
            }
            (c, Some(w)) => w.push(c),
            _ => {}
        }
    }
    out
}

/// INDEX.md's workload table: file -> `Kind/namespace/name` -> what was resolved by hand.
fn index_rows(index: &str) -> BTreeMap<String, BTreeMap<String, Resolved>> {
    let mut rows: BTreeMap<String, BTreeMap<String, Resolved>> = BTreeMap::new();
    for line in index.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        // The workload table is the one with five columns whose second is Kind/namespace/name.
        if cells.len() != 5 || !cells[0].ends_with(".yaml") || cells[1].matches('/').count() != 2 {
            continue;
        }
        let sa = backticked_outside_parens(cells[2]);
        assert_eq!(
            sa.len(),
            1,
            "INDEX.md row without one service account: {line}"
        );
        let psps = if cells[3] == "**none**" {
            BTreeSet::new()
        } else {
            backticked_outside_parens(cells[3]).into_iter().collect()
        };
        assert!(
            cells[3] == "**none**" || !psps.is_empty(),
            "INDEX.md row with neither PSPs nor **none**: {line}"
        );
        let previous = rows.entry(cells[0].to_string()).or_default().insert(
            cells[1].to_string(),
            Resolved {
                service_account: sa[0].clone(),
                psps,
            },
        );
        assert!(
            previous.is_none(),
            "INDEX.md lists a workload twice: {line}"
        );
    }
    rows
}

/// What `simulate --format json` said about one slice, reduced to what the snapshot keeps.
fn verdicts(results: &[Value]) -> Value {
    let rows: Vec<Value> = results
        .iter()
        .map(|r| {
            let mutations: Vec<Value> = r["mutations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| json!(format!("{} = {}", m["path"].as_str().unwrap(), m["value"])))
                .collect();
            let denials: Vec<Value> = r["denials"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    json!(format!(
                        "{}: {}: {}",
                        d["psp"].as_str().unwrap(),
                        d["field"].as_str().unwrap(),
                        d["message"].as_str().unwrap()
                    ))
                })
                .collect();
            let grants: Vec<Value> = r["grants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| {
                    json!(format!(
                        "{} to {} via {}",
                        g["psp"].as_str().unwrap(),
                        g["subject"].as_str().unwrap(),
                        g["via"].as_str().unwrap()
                    ))
                })
                .collect();
            json!({
                "workload": workload_key(r),
                "service_account": r["service_account"],
                "candidates": r["candidates"],
                "grants": grants,
                "admitted": r["admitted"],
                "psp": r["psp"],
                "mutations": mutations,
                "denials": denials,
                "reason": r["reason"],
            })
        })
        .collect();
    Value::Array(rows)
}

/// `Kind/namespace/name`, as INDEX.md names a workload.
fn workload_key(r: &Value) -> String {
    format!(
        "{}/{}/{}",
        r["kind"].as_str().unwrap(),
        r["namespace"].as_str().unwrap(),
        r["name"].as_str().unwrap()
    )
}

/// Our reading of one workload: its service account (without namespace) and candidate PSPs.
fn ours(r: &Value) -> Resolved {
    let sa = r["service_account"].as_str().unwrap();
    Resolved {
        service_account: sa.rsplit('/').next().unwrap().to_string(),
        psps: r["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect(),
    }
}

#[test]
fn every_slice_loads_and_every_workload_is_decided_as_index_md_resolved_it() {
    let Some(shared) = common::shared_dir("apps_corpus") else {
        return;
    };
    let dir = shared.join("corpus/apps");
    let index = index_rows(&std::fs::read_to_string(dir.join("INDEX.md")).unwrap());
    let mut slices: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    slices.sort();
    assert_eq!(slices.len(), 17, "the apps corpus holds 17 slices");
    assert_eq!(
        index.keys().cloned().collect::<BTreeSet<_>>(),
        slices.iter().map(|p| file_name(p)).collect::<BTreeSet<_>>(),
        "INDEX.md's workload table covers exactly the slices in the folder"
    );
    let mut disagreements = Vec::new();
    for path in &slices {
        let file = file_name(path);
        let r = common::run(&["simulate", "--format", "json", path.to_str().unwrap()]);
        assert!(
            r.code == 0 || r.code == 1,
            "{file}: simulate exited {} (not a verdict):\n{}",
            r.code,
            r.stderr
        );
        assert!(
            !r.stderr.contains(": error:"),
            "{file}: loading reported errors:\n{}",
            r.stderr
        );
        let out: Value = serde_json::from_str(&r.stdout).unwrap();
        let results = out["results"].as_array().unwrap();
        assert_eq!(
            r.code,
            i32::from(results.iter().any(|w| w["admitted"] == false)),
            "{file}: exit code 1 exactly when a workload is denied"
        );
        let stem = file.trim_end_matches(".yaml").to_string();
        insta::assert_json_snapshot!(format!("apps__{stem}"), verdicts(results));

        let by_hand = &index[&file];
        let ours: BTreeMap<String, Resolved> =
            results.iter().map(|w| (workload_key(w), ours(w))).collect();
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            by_hand.keys().collect::<Vec<_>>(),
            "{file}: the workloads simulated are the workloads INDEX.md lists"
        );
        for (workload, hand) in by_hand {
            if &ours[workload] != hand {
                disagreements.push(format!(
                    "{file} {workload}: INDEX.md {hand:?}, simulate {:?}",
                    ours[workload]
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "service accounts or usable PSPs differ from INDEX.md:\n{}",
        disagreements.join("\n")
    );
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn index_md_cells_are_read_outside_parentheses() {
    assert_eq!(
        backticked_outside_parens("`default` (none -> default)"),
        ["default"]
    );
    assert_eq!(
        backticked_outside_parens("`a` (RoleBinding `x` -> Role y), `b` (via z)"),
        ["a", "b"]
    );
    assert!(backticked_outside_parens("**none**").is_empty());
}

/// Upstream's own mistakes stay visible: `convert` names every workload the slice's PSPs denied
/// (flannel v0.18.1's DaemonSet outgrew its PSP's host paths; Weave Scope's agent and app run as
/// `default`, bound to no PSP), in the terminal summary and in REPORT.md, with the reason and
/// what the plan does with it.
#[test]
fn convert_names_the_workloads_their_own_psps_denied() {
    let Some(shared) = common::shared_dir("apps_corpus") else {
        return;
    };
    let cases: [(&str, &[(&str, &str)]); 2] = [
        (
            "flannel-v0.18.1.yaml",
            &[(
                "DaemonSet kube-system/kube-flannel-ds",
                "host path /opt/cni/bin is not allowed",
            )],
        ),
        (
            "weave-scope-v1.13.2.yaml",
            &[
                (
                    "DaemonSet weave/weave-scope-agent",
                    "no PSP is usable by ServiceAccount weave/default",
                ),
                (
                    "Deployment weave/weave-scope-app",
                    "no PSP is usable by ServiceAccount weave/default",
                ),
            ],
        ),
    ];
    for (file, denied) in cases {
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("out");
        let input = shared.join("corpus/apps").join(file);
        let r = common::run(&[
            "convert",
            input.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
        let report = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
        let section = report
            .split("**Denied by their own PSPs**")
            .nth(1)
            .unwrap_or_else(|| panic!("{file}: REPORT.md has no section on denied workloads"));
        assert!(
            r.stdout.contains(&format!(
                "Denied by their own PSPs under the RBAC in the input ({})",
                denied.len()
            )),
            "{file}:\n{}",
            r.stdout
        );
        for (workload, why) in denied {
            for (place, text) in [("terminal", r.stdout.as_str()), ("REPORT.md", section)] {
                let at = text
                    .find(workload)
                    .unwrap_or_else(|| panic!("{file}: {place} does not name {workload}"));
                let rest = &text[at..];
                assert!(
                    rest.contains(why),
                    "{file}: {place} does not say why: {rest}"
                );
                assert!(
                    rest.contains("The plan admits it: namespace")
                        && rest.contains("enforces privileged"),
                    "{file}: {place} does not say what the plan does with {workload}: {rest}"
                );
            }
        }
    }
}

/// Every slice converted, and `verify` run on its own workloads: the Kyverno target (its
/// MutatingPolicy, then its ValidatingPolicy) and the vap target (its MutatingAdmissionPolicy,
/// then its ValidatingAdmissionPolicy, controllers judged as controllers) admit exactly the workloads the simulator admits
/// under the slice's RBAC, and leaves them as the plugin left them.
#[test]
fn every_slice_verifies_with_the_kyverno_and_vap_targets() {
    let Some(shared) = common::shared_dir("apps_corpus verify") else {
        return;
    };
    let dir = shared.join("corpus/apps");
    let mut slices: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    slices.sort();
    let mut agreed = [0, 0];
    for path in &slices {
        let file = file_name(path);
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let input = path.to_str().unwrap();
        let r = common::run(&[
            "convert",
            input,
            "--out",
            out.to_str().unwrap(),
            "--targets",
            "psa,kyverno,vap",
        ]);
        assert_eq!(r.code, 0, "{file}: convert: {}", r.stderr);
        let r = common::run(&["verify", out.to_str().unwrap(), input]);
        assert_eq!(r.code, 0, "{file}: verify: {}{}", r.stdout, r.stderr);
        assert!(
            !r.stdout.contains("DIFFERS ") && !r.stdout.contains("DECLARED "),
            "{file}: {}",
            r.stdout
        );
        for (i, target) in ["kyverno", "vap"].iter().enumerate() {
            agreed[i] += r
                .stdout
                .lines()
                .filter(|l| {
                    l.starts_with("AGREED ")
                        && (l.ends_with(&format!("; {target} admits"))
                            || l.ends_with(&format!("; {target} denies")))
                })
                .count();
        }
    }
    assert_eq!(
        agreed,
        [41, 41],
        "every workload of the 17 slices agrees, for Kyverno and for the vap target"
    );
}
