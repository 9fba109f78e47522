//! `REPORT.md`: what a reviewer reads in the pull request.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::version_label;
use super::what_to_do::{capped, LIST_MAX};
use super::wording::{count, sentence};
use crate::convert::Conversion;
use crate::pss::Level;
use crate::targets::psa::current_levels;

/// Text safe anywhere inline in Markdown, table cells included: Markdown's active characters
/// are backslash-escaped, `&` and `<` become entities (no name can open an HTML tag, so a `>`
/// closes nothing and is kept as written, `->` included, except first, where it would open a
/// quote), and every line break (U+2028 and U+2029 included) becomes a space, so no value can
/// start a new line, list item, heading or table row.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '`' | '*' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '>' if out.trim().is_empty() => out.push_str("\\>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown table: the header, the separator and one line per row. Cells are written as
/// given: values from the input go through [`cell`] first.
pub fn table<R: AsRef<[String]>>(
    out: &mut String,
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) {
    let line = |out: &mut String, cells: &[String]| {
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    };
    line(
        out,
        &header.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
    );
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for r in rows {
        line(out, r.as_ref());
    }
}

/// A list for a table cell: `(none)`, or at most [`LIST_MAX`] items and a count of the rest.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        cell(&capped(items, LIST_MAX))
    }
}

/// The whole report.
pub fn markdown(c: &Conversion) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# PodSecurityPolicy migration report\n");
    let _ = writeln!(
        out,
        "Kubernetes {}; {}, as stored with feature gates {}.\n",
        version_label(c),
        count(c.policies.len(), "PodSecurityPolicy", "PodSecurityPolicies"),
        c.feature_gates
    );
    super::what_to_do::markdown(&mut out, c);
    levels_section(&mut out, c);
    psa_section(&mut out, c);
    super::fidelity::markdown(&mut out, c);
    out
}

/// Opens a collapsed `<details>` block when `rows` exceeds [`LIST_MAX`], so a long table does
/// not bury what follows; returns whether it did (the caller closes it with [`unfold`]).
pub fn fold(out: &mut String, rows: usize, summary: &str) -> bool {
    if rows <= LIST_MAX {
        return false;
    }
    let _ = writeln!(
        out,
        "<details>\n<summary>{}</summary>\n",
        super::fidelity::html(summary)
    );
    true
}

/// Closes what [`fold`] opened.
pub fn unfold(out: &mut String, folded: bool) {
    if folded {
        let _ = writeln!(out, "</details>\n");
    }
}

fn levels_section(out: &mut String, c: &Conversion) {
    let _ = writeln!(out, "## Pod Security Standards level of each PSP\n");
    let _ = writeln!(out, "*Compatible*: the strictest level that rejects nothing the PSP admitted. *Intended*: the strictest level that none of the PSP's explicit grants exceed; the gap is what the PSP allowed by omission (run `podsec-migrate levels` for every field).\n");
    let folded = fold(
        out,
        c.policies.len(),
        &count(c.policies.len(), "PodSecurityPolicy", "PodSecurityPolicies"),
    );
    table(
        out,
        &["PSP", "compatible", "intended", "source"],
        c.policies.iter().map(|p| {
            vec![
                cell(&p.name),
                p.compatible_level.to_string(),
                p.intended_level.to_string(),
                cell(p.source.as_deref().unwrap_or("")),
            ]
        }),
    );
    out.push('\n');
    unfold(out, folded);
}

fn psa_section(out: &mut String, c: &Conversion) {
    let plan = &c.plan;
    let _ = writeln!(out, "## Pod Security Admission\n");
    let mut by_level: BTreeMap<Level, usize> = BTreeMap::new();
    for ns in &plan.namespaces {
        *by_level.entry(ns.enforce).or_default() += 1;
    }
    let levels: Vec<String> = by_level.iter().map(|(l, n)| format!("{n} {l}")).collect();
    let folded = fold(
        out,
        plan.namespaces.len(),
        &format!(
            "{}: enforce {}",
            count(plan.namespaces.len(), "namespace", "namespaces"),
            levels.join(", ")
        ),
    );
    let labelled = plan.namespaces.iter().any(|n| !n.current.is_empty());
    let mut header = vec!["namespace"];
    if labelled {
        header.push("current enforce / audit / warn");
    }
    header.extend([
        "enforce",
        "audit",
        "warn",
        "version",
        "usable PSPs",
        "decided by",
        "would fail enforce",
    ]);
    table(
        out,
        &header,
        plan.namespaces.iter().map(|ns| {
            let mut row = vec![cell(&ns.name)];
            if labelled {
                row.push(cell(current_levels(ns).as_deref().unwrap_or("(no labels)")));
            }
            row.extend([
                mark(ns.enforce),
                ns.audit.to_string(),
                ns.warn.to_string(),
                cell(&ns.version),
                list(&ns.psps),
                list(&ns.decided_by),
                list(&ns.failing_enforce),
            ]);
            row
        }),
    );
    out.push('\n');
    for ns in plan.namespaces.iter().filter(|n| !n.notes.is_empty()) {
        let _ = writeln!(
            out,
            "- **{}**: {}",
            cell(&ns.name),
            cell(&ns.notes.join("; "))
        );
    }
    unfold(out, folded);
    let d = &plan.defaults;
    let _ = writeln!(
        out,
        "\n### Cluster defaults\n\nNamespaces without labels: enforce {}, audit {}, warn {} ({}). {}\n",
        d.enforce,
        d.audit,
        d.warn,
        cell(&d.version),
        cell(&full_stop(&sentence(&d.why)))
    );
    let _ = writeln!(out, "### Exemptions\n");
    if plan.exempt_usernames.is_empty() {
        let _ = writeln!(out, "No exemptions: no user is granted a PSP looser than the level where the grant applies.");
    }
    for e in &plan.exempt_usernames {
        let _ = writeln!(out, "- Username \"{}\": {}", cell(&e.value), cell(&e.why));
    }
    for n in &plan.notes {
        let _ = writeln!(out, "- {}", cell(&sentence(n)));
    }
    out.push('\n');
}

/// `s` ending with a full stop.
fn full_stop(s: &str) -> String {
    if s.is_empty() || s.ends_with('.') {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// Privileged stands out in a table.
fn mark(l: Level) -> String {
    match l {
        Level::Privileged => "**privileged**".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_cannot_start_lines_rows_tags_or_code() {
        assert_eq!(cell("a|b\nc\u{2028}d"), "a\\|b c d");
        assert_eq!(
            cell("<img src=x> [l](u) `c` *e*"),
            "&lt;img src=x> \\[l\\](u) \\`c\\` \\*e\\*"
        );
    }

    #[test]
    fn arrows_stay_arrows_and_a_leading_quote_marker_is_escaped() {
        assert_eq!(
            cell("RoleBinding a -> ClusterRole b"),
            "RoleBinding a -> ClusterRole b"
        );
        assert_eq!(cell(" > quoted"), " \\> quoted");
    }
}
