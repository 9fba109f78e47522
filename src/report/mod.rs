//! The conversion's reports: `report.json` (for scripts), `REPORT.md` (for the pull request) and
//! the terminal summary. All three are built from the same `Conversion`, deterministically.

pub mod audit;
mod fidelity;
pub mod levels;
pub mod markdown;
pub mod simulate;
mod terminal;
pub mod verify;
mod what_to_do;
mod wording;

use serde::Serialize;

use crate::convert::Conversion;
use crate::fidelity::FidelityRow;
use crate::psp::FeatureGates;
use crate::pss::Level;
use crate::render::Document;
use crate::targets::psa::{Defaults, Exemption, NamespacePlan};

pub use markdown::{cell as markdown_cell, markdown};
pub use terminal::{next_steps, terminal, terminal_with};

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

/// `report.json`: its keys are a public interface (README.md).
#[derive(Serialize)]
struct ReportJson<'a> {
    k8s_version: String,
    feature_gates: FeatureGates,
    targets: &'a [&'static str],
    policies: Vec<PolicyJson<'a>>,
    namespaces: &'a [NamespacePlan],
    defaults: &'a Defaults,
    exemptions: ExemptionsJson<'a>,
    notes: &'a [String],
    what_to_do: Vec<what_to_do::NamespaceJson<'a>>,
    fidelity: Vec<&'a FidelityRow>,
    semantic_diff: Vec<fidelity::DiffJson<'a>>,
}

/// One PSP's levels in `report.json`.
#[derive(Serialize)]
struct PolicyJson<'a> {
    name: &'a str,
    source: Option<&'a str>,
    compatible_level: Level,
    intended_level: Level,
}

/// The plan's exemptions in `report.json`.
#[derive(Serialize)]
struct ExemptionsJson<'a> {
    usernames: &'a [Exemption],
    namespaces: &'a [Exemption],
    #[serde(rename = "runtimeClasses")]
    runtime_classes: &'a [Exemption],
}

/// `report.json`, pretty-printed with a final newline.
pub fn json(c: &Conversion) -> String {
    let policies = c
        .policies
        .iter()
        .map(|p| PolicyJson {
            name: &p.name,
            source: p.source.as_deref(),
            compatible_level: p.compatible_level,
            intended_level: p.intended_level,
        })
        .collect();
    let report = ReportJson {
        k8s_version: version_label(c),
        feature_gates: c.feature_gates,
        targets: &c.targets,
        policies,
        namespaces: &c.plan.namespaces,
        defaults: &c.plan.defaults,
        exemptions: ExemptionsJson {
            usernames: &c.plan.exempt_usernames,
            namespaces: &c.plan.exempt_namespaces,
            runtime_classes: &c.plan.exempt_runtime_classes,
        },
        notes: &c.plan.notes,
        what_to_do: what_to_do::json(c),
        fidelity: c.fidelity.iter().flat_map(|r| &r.rows).collect(),
        semantic_diff: c
            .fidelity
            .iter()
            .map(|r| fidelity::DiffJson::of(r, &c.intents))
            .collect(),
    };
    format!(
        "{}\n",
        serde_json::to_string_pretty(&report).expect("the report serializes")
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
