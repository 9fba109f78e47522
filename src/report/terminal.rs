//! The short summary printed after a conversion.

use std::fmt::Write;

use super::printable;

use super::version_label;
use crate::convert::Conversion;
use crate::targets::psa::current_levels;

/// The summary without colour.
pub fn terminal(c: &Conversion) -> String {
    terminal_with(c, false)
}

/// The plan (namespace, levels, the PSPs that decided, what would fail), then the fidelity
/// counts per PSP and target; `colour` marks looser and lost counts.
pub fn terminal_with(c: &Conversion, colour: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Pod Security Admission plan for Kubernetes {} (PSPs as stored with feature gates {})",
        version_label(c),
        c.feature_gates
    );
    let width = c
        .plan
        .namespaces
        .iter()
        .map(|n| printable(&n.name).chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    let labelled = c.plan.namespaces.iter().any(|n| !n.current.is_empty());
    let header = if labelled {
        "current -> proposed enforce / audit / warn"
    } else {
        "enforce / audit / warn"
    };
    let levels: Vec<String> = c
        .plan
        .namespaces
        .iter()
        .map(|ns| {
            let proposed = format!("{} / {} / {}", ns.enforce, ns.audit, ns.warn);
            match current_levels(ns) {
                Some(current) => format!("{} -> {proposed}", printable(&current)),
                None if labelled => format!("(no labels) -> {proposed}"),
                None => proposed,
            }
        })
        .collect();
    let lw = levels
        .iter()
        .map(|l| l.chars().count())
        .chain([header.len()])
        .max()
        .unwrap_or(36)
        .max(36);
    let _ = writeln!(
        out,
        "  {:width$}  {header:<lw$}  {:<28}  would fail enforce",
        "namespace", "decided by"
    );
    for (ns, levels) in c.plan.namespaces.iter().zip(&levels) {
        let decided = if ns.decided_by.is_empty() {
            "(no usable PSP)".to_string()
        } else {
            printable(&ns.decided_by.join(", "))
        };
        let failing = if ns.failing_enforce.is_empty() {
            "-".to_string()
        } else {
            printable(&ns.failing_enforce.join(", "))
        };
        let _ = writeln!(
            out,
            "  {:width$}  {levels:<lw$}  {decided:<28}  {failing}",
            printable(&ns.name)
        );
    }
    let d = &c.plan.defaults;
    let _ = writeln!(
        out,
        "  {:width$}  {:<lw$}  {}",
        "(default)",
        format!("{} / {} / {}", d.enforce, d.audit, d.warn),
        printable(&d.psps.join(", "))
    );
    if !c.plan.exempt_usernames.is_empty() {
        let users: Vec<&str> = c
            .plan
            .exempt_usernames
            .iter()
            .map(|e| e.value.as_str())
            .collect();
        let _ = writeln!(out, "  exempt usernames: {}", printable(&users.join(", ")));
    }
    super::what_to_do::terminal(&mut out, c);
    super::fidelity::terminal(&mut out, c, colour);
    out
}

/// The summary's last lines: where the output went and the next command to run (the label
/// script's dry run when the PSA target was rendered).
pub fn next_steps(c: &Conversion, dir: &std::path::Path) -> String {
    let shown = dir.display().to_string();
    let script = super::what_to_do::LABEL_SCRIPT;
    let mut out = format!(
        "Wrote {} files to {} (REPORT.md opens with what to do).\n",
        c.documents.len(),
        printable(&shown)
    );
    if c.documents.iter().any(|d| d.path == script) {
        let path = dir.join(script).display().to_string();
        let _ = writeln!(
            out,
            "Next: sh {}   # a server-side dry run; add --apply once it is clean",
            printable(&sh_word(&path))
        );
    } else {
        let path = dir.join("REPORT.md").display().to_string();
        let _ = writeln!(out, "Next: read {}", printable(&path));
    }
    out
}

/// `s` as one shell word: as it is when it holds only characters no shell treats specially,
/// else single-quoted.
fn sh_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::sh_word;

    #[test]
    fn paths_become_one_shell_word() {
        assert_eq!(sh_word("migrated/psa/x.sh"), "migrated/psa/x.sh");
        assert_eq!(sh_word("my dir/it's"), "'my dir/it'\\''s'");
    }
}
