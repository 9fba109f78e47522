//! `podsec-migrate audit`: judges every Pod and pod template in the input against one Pod
//! Security Standards level and version, as Pod Security Admission would.
//!
//! Exit code 0 when everything passes, 1 when anything fails. Pod controllers are judged by
//! their pod template (what `audit` and `warn` modes look at), and named by the controller.

use serde::Serialize;

use super::load_or_report;
use crate::cli::{AuditArgs, Format};
use crate::exit;
use crate::load::{Loaded, ObjectKind};
use crate::pss::{evaluate, evaluate_template, Level, Version, Violation};
use crate::report::printable;

/// The verdict on one object.
#[derive(Debug, Serialize)]
pub struct AuditResult {
    pub kind: &'static str,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub source: String,
    pub level: Level,
    pub version: String,
    pub allowed: bool,
    pub violations: Vec<Violation>,
}

/// Runs `audit`.
pub fn run(args: &AuditArgs) -> u8 {
    let (level, version) = match parse_target(args) {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("podsec-migrate audit: {msg}");
            return exit::USAGE;
        }
    };
    let loaded = match load_or_report(&args.input) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let results = audit(&loaded, level, version);
    if results.is_empty() {
        eprintln!("podsec-migrate: no Pod or pod template found in the input");
        return exit::INPUT;
    }
    match args.format {
        Format::Json => print_json(&results),
        _ => print_text(&results, level, version),
    }
    if results.iter().all(|r| r.allowed) {
        exit::OK
    } else {
        exit::FINDINGS
    }
}

/// The level and version asked for, or what is wrong with them.
fn parse_target(args: &AuditArgs) -> Result<(Level, Version), String> {
    if args.format == Format::Markdown {
        return Err("--format markdown is not supported here: use text or json".into());
    }
    let level = args.level.parse::<Level>()?;
    let version = args.k8s_version.parse::<Version>()?;
    Ok((level, version))
}

/// Judges every Pod and pod template in `loaded`, in input order.
pub fn audit(loaded: &Loaded, level: Level, version: Version) -> Vec<AuditResult> {
    let mut results = Vec::new();
    for obj in &loaded.objects {
        let Some(pod) = obj.pod_view() else {
            if let ObjectKind::Workload(w) = &obj.kind {
                eprintln!(
                    "{}: warning: {} has no pod template; not audited",
                    obj.source,
                    w.kind()
                );
            }
            continue;
        };
        let eval = match &obj.kind {
            ObjectKind::Pod(_) => evaluate(pod.spec, pod.meta, level, version),
            _ => evaluate_template(pod.spec, pod.meta, level, version),
        };
        results.push(AuditResult {
            kind: obj.kind.kind(),
            namespace: pod.owner.namespace.clone(),
            name: pod.owner.name.clone(),
            source: obj.source.to_string(),
            level,
            version: version.to_string(),
            allowed: eval.allowed(),
            violations: eval.violations,
        });
    }
    results
}

fn print_json(results: &[AuditResult]) {
    let out = serde_json::json!({ "results": results });
    println!(
        "{}",
        serde_json::to_string_pretty(&out).expect("audit results serialize")
    );
}

/// `namespace/name`, or just the name when there is no namespace, safe for a terminal.
fn display_name(r: &AuditResult) -> String {
    let name = printable(r.name.as_deref().unwrap_or("<unnamed>"));
    match &r.namespace {
        Some(ns) => format!("{}/{name}", printable(ns)),
        None => name,
    }
}

fn print_text(results: &[AuditResult], level: Level, version: Version) {
    for r in results {
        let verdict = if r.allowed { "PASS" } else { "FAIL" };
        println!(
            "{verdict} {} {} ({})",
            r.kind,
            display_name(r),
            printable(&r.source)
        );
        for v in &r.violations {
            println!("    {}: {}", v.check, printable(&v.message));
        }
    }
    let passed = results.iter().filter(|r| r.allowed).count();
    println!("{passed} of {} passed {level}:{version}", results.len());
}
