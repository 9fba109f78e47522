//! The `audit` report: JSON for scripts, one line per object for the terminal.

use std::fmt::Write as _;

use serde::Serialize;

use super::printable;
use crate::audit::AuditResult;
use crate::pss::{Level, Version};

/// The JSON document.
#[derive(Serialize)]
struct AuditJson<'a> {
    results: &'a [AuditResult],
}

/// Every result as pretty JSON, with a final newline.
pub fn json(results: &[AuditResult]) -> String {
    let out =
        serde_json::to_string_pretty(&AuditJson { results }).expect("audit results serialize");
    out + "\n"
}

/// `namespace/name`, or just the name when there is no namespace, safe for a terminal.
fn display_name(r: &AuditResult) -> String {
    let name = printable(r.name.as_deref().unwrap_or("<unnamed>"));
    match &r.namespace {
        Some(ns) => format!("{}/{name}", printable(ns)),
        None => name,
    }
}

/// One line per object, its violations indented below it, then the count that passed.
pub fn text(results: &[AuditResult], level: Level, version: Version) -> String {
    let mut out = String::new();
    for r in results {
        let verdict = if r.allowed { "PASS" } else { "FAIL" };
        let _ = writeln!(
            out,
            "{verdict} {} {} ({})",
            r.kind,
            display_name(r),
            printable(&r.source)
        );
        for v in &r.violations {
            let _ = writeln!(out, "    {}: {}", v.check, printable(&v.message));
        }
    }
    let passed = results.iter().filter(|r| r.allowed).count();
    let _ = writeln!(
        out,
        "{passed} of {} passed {level}:{version}",
        results.len()
    );
    out
}
