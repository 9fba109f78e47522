//! The fidelity part of the reports: a summary table, one collapsible section per PSP with its
//! rows and semantic diff (REPORT.md), structured rows (report.json) and counts (terminal). The
//! counts keep the rows that compare nothing (the PSP restricts nothing there) apart from
//! `exact`.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::markdown::{cell, fold, table, unfold};
use crate::convert::Conversion;
use crate::fidelity::{
    semantic_diff, unified_diff, Counts, DiffLine, Fidelity, FidelityRow, TargetReport,
};
use crate::intent::{Effect, Intent};

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

/// The label of the rows that compare nothing.
const UNRESTRICTED: &str = "unrestricted";

/// A report's counts, with the `exact` rows that compare nothing (the PSP restricts nothing in
/// that field, so any target keeps it) counted apart as `unrestricted`: `exact` then counts only
/// restrictions kept as they were.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SplitCounts {
    #[serde(flatten)]
    verdicts: Counts,
    unrestricted: usize,
}

impl SplitCounts {
    /// The counts of `r`, its rows matched with the constraints of the PSP's intent.
    pub fn of(r: &TargetReport, intents: &[Intent]) -> SplitCounts {
        let intent = intents.iter().find(|i| i.psp == r.psp);
        let unrestricted = r
            .rows
            .iter()
            .filter(|row| intent.is_some_and(|i| restricts_nothing(row, i)))
            .count();
        let mut verdicts = r.counts();
        if let Some(exact) = verdicts.0.get_mut(&Fidelity::Exact) {
            *exact -= unrestricted;
        }
        SplitCounts {
            verdicts,
            unrestricted,
        }
    }

    /// Adds `other` into `self`.
    fn add(&mut self, other: &SplitCounts) {
        self.verdicts.add(&other.verdicts);
        self.unrestricted += other.unrestricted;
    }

    /// The counts in column order: exact, unrestricted, then the other verdicts.
    fn columns(&self) -> Vec<(&'static str, usize)> {
        let mut out = vec![
            (Fidelity::Exact.label(), self.verdicts.get(Fidelity::Exact)),
            (UNRESTRICTED, self.unrestricted),
        ];
        out.extend(
            Fidelity::ALL[1..]
                .iter()
                .map(|f| (f.label(), self.verdicts.get(*f))),
        );
        out
    }

    /// `3 exact, 2 unrestricted, 1 stricter, 0 mutation dropped, 2 looser, 1 lost`.
    fn summary(&self) -> String {
        self.columns()
            .iter()
            .map(|(label, n)| format!("{n} {label}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An `exact` validating row whose constraint restricts nothing: it compares nothing.
fn restricts_nothing(row: &FidelityRow, intent: &Intent) -> bool {
    row.verdict == Fidelity::Exact
        && row.effect == "validate"
        && intent.constraints.iter().any(|c| {
            c.effect == Effect::Validate
                && c.field == row.field
                && c.describe() == row.psp_rule
                && !c.restricts(intent)
        })
}

/// The REPORT.md section.
pub fn markdown(out: &mut String, c: &Conversion) {
    let reports = &c.fidelity;
    let _ = writeln!(out, "## What each target keeps\n");
    let _ = writeln!(out, "One row per PSP, target and intent constraint (every default and every restriction a level has no opinion on included). *exact*: a restriction kept as it was; *unrestricted*: the PSP restricts nothing here, so there is nothing to keep (counted apart from exact); *stricter*: pods the PSP admitted may now be rejected; *mutation dropped*: a default the PSP applied is not applied (PSA never mutates); *looser*: pods the PSP rejected may now be admitted; *lost*: no way to express it.\n");
    let mut header = vec!["PSP", "target", "compared with"];
    let labels: Vec<&str> = SplitCounts::default()
        .columns()
        .iter()
        .map(|(l, _)| *l)
        .collect();
    header.extend(labels);
    let folded = fold(
        out,
        reports.len(),
        &format!("{} rows of counts, one per PSP and target", reports.len()),
    );
    table(
        out,
        &header,
        reports.iter().map(|r| {
            let counts = SplitCounts::of(r, &c.intents);
            let mut cells = vec![cell(&r.psp), cell(&r.target), cell(&r.compared_with)];
            cells.extend(counts.columns().iter().map(|(_, n)| n.to_string()));
            cells
        }),
    );
    out.push('\n');
    unfold(out, folded);
    for (psp, targets) in by_psp(reports) {
        details(out, psp, &targets, &c.intents);
    }
}

/// One collapsible section per PSP: per target, the comparison, the rows and the diff.
fn details(out: &mut String, psp: &str, targets: &[&TargetReport], intents: &[Intent]) {
    let summary = targets
        .iter()
        .map(|t| format!("{}: {}", t.target, SplitCounts::of(t, intents).summary()))
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
    counts: SplitCounts,
    lines: Vec<DiffLine>,
}

impl DiffJson<'_> {
    /// The entry of one report.
    pub fn of<'a>(r: &'a TargetReport, intents: &[Intent]) -> DiffJson<'a> {
        DiffJson {
            psp: &r.psp,
            target: &r.target,
            compared_with: &r.compared_with,
            counts: SplitCounts::of(r, intents),
            lines: semantic_diff(r),
        }
    }
}

/// The terminal lines: counts per PSP and target, then totals per target.
pub fn terminal(out: &mut String, c: &Conversion, colour: bool) {
    let reports = &c.fidelity;
    if reports.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Fidelity (exact / unrestricted / stricter / mutation dropped / looser / lost)"
    );
    let width = reports
        .iter()
        .map(|r| super::printable(&r.psp).chars().count())
        .max()
        .unwrap_or(0)
        .max("(total)".len());
    let tw = reports.iter().map(|r| r.target.len()).max().unwrap_or(0);
    let mut totals: BTreeMap<&str, SplitCounts> = BTreeMap::new();
    for r in reports {
        let counts = SplitCounts::of(r, &c.intents);
        totals.entry(r.target.as_str()).or_default().add(&counts);
        let _ = writeln!(
            out,
            "  {:width$}  {:tw$}  {}",
            super::printable(&r.psp),
            r.target,
            counted(&counts, colour)
        );
    }
    for (target, counts) in totals {
        let _ = writeln!(
            out,
            "  {:width$}  {:tw$}  {}",
            "(total)",
            target,
            counted(&counts, colour)
        );
    }
}

/// `12 / 4 / 1 / 3 / 8 / 2`, with non-zero looser in yellow and lost in red when `colour`.
fn counted(c: &SplitCounts, colour: bool) -> String {
    c.columns()
        .iter()
        .map(|(label, n)| {
            let code = match *label {
                "looser" => "33",
                "lost" => "31",
                _ => "",
            };
            if colour && *n > 0 && !code.is_empty() {
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
        assert_eq!(cell("a|b</x>"), "a\\|b&lt;/x>");
    }

    #[test]
    fn colour_only_when_asked() {
        let mut c = SplitCounts::default();
        c.verdicts.0.insert(Fidelity::Lost, 2);
        assert!(!counted(&c, false).contains('\x1b'));
        assert!(counted(&c, true).contains("\x1b[31m  2\x1b[0m"));
    }
}
