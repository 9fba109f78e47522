//! The conversion's reports: `report.json` (for scripts), `REPORT.md` (for the pull request) and
//! the terminal summary. All three are built from the same `Conversion`, deterministically.

mod fidelity;
mod markdown;
mod psp_denied;
mod terminal;

use serde_json::{json, Value};

use crate::commands::convert::Conversion;
use crate::render::Document;

pub use markdown::{cell as markdown_cell, markdown};
pub use terminal::{terminal, terminal_with};

/// Colour on the terminal: only when stdout is a tty and `NO_COLOR` is unset or empty.
pub fn colour() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Text from the input made safe for a terminal line: control characters (line breaks and
/// escape sequences included) and the Unicode line separators are shown escaped (`\n`,
/// `\u{1b}`), so a name cannot start a line of its own or drive the terminal.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The report files written into the output directory.
pub fn render(c: &Conversion) -> Vec<Document> {
    vec![
        Document {
            path: "REPORT.md".into(),
            content: markdown(c),
        },
        Document {
            path: "report.json".into(),
            content: json(c),
        },
    ]
}

/// The `v1.N` the conversion is for.
pub fn version_label(c: &Conversion) -> String {
    c.version.pinned()
}

/// `report.json`, pretty-printed with a final newline.
pub fn json(c: &Conversion) -> String {
    let policies: Vec<Value> = c
        .policies
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "source": p.source,
                "compatible_level": p.compatible_level,
                "intended_level": p.intended_level,
            })
        })
        .collect();
    let targets: Vec<String> = c
        .targets
        .iter()
        .map(|t| format!("{t:?}").to_lowercase())
        .collect();
    let (fidelity, semantic_diff) = fidelity::json(&c.fidelity);
    let v = json!({
        "k8s_version": version_label(c),
        "feature_gates": c.feature_gates,
        "targets": targets,
        "policies": policies,
        "namespaces": c.plan.namespaces,
        "defaults": c.plan.defaults,
        "exemptions": {
            "usernames": c.plan.exempt_usernames,
            "namespaces": c.plan.exempt_namespaces,
            "runtimeClasses": c.plan.exempt_runtime_classes,
        },
        "notes": c.plan.notes,
        "fidelity": fidelity,
        "semantic_diff": semantic_diff,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&v).expect("the report serializes")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable_escapes_what_drives_a_terminal() {
        assert_eq!(
            super::printable("a\nb\u{1b}[31mc\u{2028}"),
            "a\\nb\\u{1b}[31mc\\u{2028}"
        );
        assert_eq!(super::printable("plain-name"), "plain-name");
    }
}
