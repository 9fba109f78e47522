//! The fidelity part of the reports: a summary table, one collapsible section per PSP with its
//! rows and semantic diff (REPORT.md), structured rows (report.json) and counts (terminal).

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::markdown::{cell, table};
use crate::fidelity::{semantic_diff, unified_diff, Counts, DiffLine, Fidelity, TargetReport};

/// Text for HTML (`<summary>`) and for table cells inside an HTML block: `&`, `<` and `>`
/// escaped, so a name cannot open or close a tag (no attribute values are written).
pub fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A fenced code block whose fence is longer than any backtick run in `body`.
pub fn fenced(info: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in body.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{info}\n{body}{fence}\n")
}

/// The reports of one PSP, in target order.
fn by_psp(reports: &[TargetReport]) -> BTreeMap<&str, Vec<&TargetReport>> {
    let mut m: BTreeMap<&str, Vec<&TargetReport>> = BTreeMap::new();
    for r in reports {
        m.entry(r.psp.as_str()).or_default().push(r);
    }
    m
}

/// The REPORT.md section.
pub fn markdown(out: &mut String, reports: &[TargetReport]) {
    let _ = writeln!(out, "## What each target keeps\n");
    let _ = writeln!(out, "One row per PSP, target and intent constraint (every default and every restriction a level has no opinion on included). *exact*: kept as it was; *stricter*: pods the PSP admitted may now be rejected; *mutation dropped*: a default the PSP applied is not applied (PSA never mutates); *looser*: pods the PSP rejected may now be admitted; *lost*: no way to express it.\n");
    let mut header = vec!["PSP", "target", "compared with"];
    header.extend(Fidelity::ALL.iter().map(|f| f.label()));
    table(
        out,
        &header,
        reports.iter().map(|r| {
            let c = r.counts();
            let mut cells = vec![cell(&r.psp), cell(&r.target), cell(&r.compared_with)];
            cells.extend(Fidelity::ALL.iter().map(|f| c.get(*f).to_string()));
            cells
        }),
    );
    out.push('\n');
    for (psp, targets) in by_psp(reports) {
        details(out, psp, &targets);
    }
}

/// One collapsible section per PSP: per target, the comparison, the rows and the diff.
fn details(out: &mut String, psp: &str, targets: &[&TargetReport]) {
    let summary = targets
        .iter()
        .map(|t| format!("{}: {}", t.target, t.counts().summary()))
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(
        out,
        "<details>\n<summary>{} — {}</summary>\n",
        html(psp),
        html(&summary)
    );
    for t in targets {
        let _ = writeln!(
            out,
            "**{}**, compared with {}.\n",
            cell(&t.target),
            cell(&t.compared_with)
        );
        table(
            out,
            &["field", "effect", "value", "verdict", "reason"],
            t.rows.iter().map(|r| {
                let value = if r.origin == "default" {
                    "API default"
                } else {
                    "set"
                };
                vec![
                    cell(&r.field),
                    r.effect.to_string(),
                    value.to_string(),
                    r.verdict.label().to_string(),
                    cell(&r.reason),
                ]
            }),
        );
        out.push('\n');
        out.push_str(&fenced("diff", &unified_diff(t)));
        out.push('\n');
    }
    let _ = writeln!(out, "</details>\n");
}

/// One PSP and target in `report.json`'s `semantic_diff`.
#[derive(Serialize)]
pub struct DiffJson<'a> {
    psp: &'a str,
    target: &'a str,
    compared_with: &'a str,
    counts: Counts,
    lines: Vec<DiffLine>,
}

impl DiffJson<'_> {
    /// The entry of one report.
    pub fn of(r: &TargetReport) -> DiffJson<'_> {
        DiffJson {
            psp: &r.psp,
            target: &r.target,
            compared_with: &r.compared_with,
            counts: r.counts(),
            lines: semantic_diff(r),
        }
    }
}

/// The terminal lines: counts per PSP and target, then totals per target.
pub fn terminal(out: &mut String, reports: &[TargetReport], colour: bool) {
    if reports.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Fidelity (exact / stricter / mutation dropped / looser / lost)"
    );
    let width = reports
        .iter()
        .map(|r| super::printable(&r.psp).chars().count())
        .max()
        .unwrap_or(0)
        .max("(total)".len());
    let tw = reports.iter().map(|r| r.target.len()).max().unwrap_or(0);
    for r in reports {
        let _ = writeln!(
            out,
            "  {:width$}  {:tw$}  {}",
            super::printable(&r.psp),
            r.target,
            counts(&r.counts(), colour)
        );
    }
    for (target, c) in crate::fidelity::totals_by_target(reports) {
        let _ = writeln!(
            out,
            "  {:width$}  {:tw$}  {}",
            "(total)",
            target,
            counts(&c, colour)
        );
    }
}

/// `12 / 1 / 3 / 8 / 2`, with non-zero looser in yellow and lost in red when `colour`.
fn counts(c: &Counts, colour: bool) -> String {
    Fidelity::ALL
        .iter()
        .map(|f| {
            let n = c.get(*f);
            let code = match f {
                Fidelity::Looser => "33",
                Fidelity::Lost => "31",
                _ => "",
            };
            if colour && n > 0 && !code.is_empty() {
                format!("\x1b[{code}m{n:>3}\x1b[0m")
            } else {
                format!("{n:>3}")
            }
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks_in_the_body() {
        assert_eq!(fenced("diff", "a\n"), "```diff\na\n```\n");
        assert_eq!(fenced("diff", "x ```` y\n"), "`````diff\nx ```` y\n`````\n");
    }

    #[test]
    fn html_cannot_open_or_close_tags() {
        assert_eq!(
            html("</details><b a=\"1\">&"),
            "&lt;/details&gt;&lt;b a=\"1\"&gt;&amp;"
        );
        assert_eq!(cell("a|b</x>"), "a\\|b&lt;/x&gt;");
    }

    #[test]
    fn colour_only_when_asked() {
        let mut c = Counts::default();
        c.0.insert(Fidelity::Lost, 2);
        assert!(!counts(&c, false).contains('\x1b'));
        assert!(counts(&c, true).contains("\x1b[31m  2\x1b[0m"));
    }
}
