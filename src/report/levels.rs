//! The `levels` report: JSON, a terminal table and markdown. Same input, same bytes.

use std::fmt::Write as _;

use crate::report::markdown::{cell, table};
use crate::report::printable;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::levels::{PolicyLevels, Row, Verdict};
use crate::load::{Loaded, Source};
use crate::psp::{FeatureGates, Psp};
use crate::pss::Version;

/// `levels --dump-model`: every PSP's parsed model and the input's diagnostics.
#[derive(Serialize)]
struct ModelJson<'a> {
    policies: Vec<ModelEntry<'a>>,
    diagnostics: &'a [Diagnostic],
    files: usize,
}

/// One PSP of [`ModelJson`] and where it was read.
#[derive(Serialize)]
struct ModelEntry<'a> {
    source: &'a Source,
    policy: &'a Psp,
}

/// Every PSP's parsed model and the input's diagnostics, as pretty JSON with a final newline.
pub fn model_json(loaded: &Loaded) -> String {
    let out = ModelJson {
        policies: loaded
            .psps()
            .map(|(obj, policy)| ModelEntry {
                source: &obj.source,
                policy,
            })
            .collect(),
        diagnostics: &loaded.diagnostics,
        files: loaded.files,
    };
    serde_json::to_string_pretty(&out).expect("the model serializes") + "\n"
}

/// Every PSP's levels at one version.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The version whose definitions were used, as `v1.N` (`latest` is spelled out).
    pub k8s_version: String,
    /// The API server feature gates the PSPs were read under.
    pub feature_gates: FeatureGates,
    pub policies: Vec<PolicyLevels>,
}

impl Report {
    /// A report of `policies` at `version`, sorted by name, then source.
    pub fn new(version: Version, mut policies: Vec<PolicyLevels>) -> Report {
        policies.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.source.cmp(&b.source)));
        Report {
            k8s_version: version.pinned(),
            feature_gates: FeatureGates::default(),
            policies,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serializes")
    }

    /// A plain-text table per PSP (no colour).
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Pod Security Standards {}\nPSPs as stored with feature gates {}\n",
            self.k8s_version, self.feature_gates
        );
        for p in &self.policies {
            out.push('\n');
            text_policy(&mut out, p);
        }
        out
    }

    /// Markdown: one section per PSP with a table of fields.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# PodSecurityPolicy levels (Pod Security Standards {})\n\nPSPs as stored with feature gates {}.\n",
            self.k8s_version, self.feature_gates
        );
        for p in &self.policies {
            out.push('\n');
            markdown_policy(&mut out, p);
        }
        out
    }
}

/// The label of a verdict.
fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Same => "same",
        Verdict::PspStricter => "psp_stricter",
        Verdict::PspLooser => "psp_looser",
        Verdict::NoOpinion => "no_opinion",
    }
}

fn text_policy(out: &mut String, p: &PolicyLevels) {
    let _ = writeln!(out, "{}{}", printable(&p.name), source_suffix(p));
    let _ = writeln!(out, "  compatible level: {}", p.compatible_level);
    let _ = writeln!(out, "  intended level:   {}", p.intended_level);
    let width = p
        .fields
        .iter()
        .map(|r| r.field.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "  {:width$}  {:12}  {:12}  reason",
        "field", "baseline", "restricted"
    );
    for r in &p.fields {
        let _ = writeln!(
            out,
            "  {:width$}  {:12}  {:12}  {}",
            r.field,
            verdict(r.baseline),
            verdict(r.restricted),
            r.reason
        );
    }
    if !p.allowed_by_omission.is_empty() {
        let _ = writeln!(
            out,
            "  allowed by omission (keeps compatible below intended):"
        );
        for o in &p.allowed_by_omission {
            let _ = writeln!(out, "    - {} (blocks {}): {}", o.field, o.level, o.reason);
        }
    }
    if !p.new_in_pss.is_empty() {
        let _ = writeln!(
            out,
            "  new in PSS (no PSP field; audit workloads, not counted):"
        );
        for c in &p.new_in_pss {
            let _ = writeln!(
                out,
                "    - {} ({} from {}): {}",
                c.control, c.level, c.since, c.reason
            );
        }
    }
}

fn source_suffix(p: &PolicyLevels) -> String {
    p.source
        .as_ref()
        .map(|s| format!("  ({})", printable(s)))
        .unwrap_or_default()
}

fn markdown_policy(out: &mut String, p: &PolicyLevels) {
    let _ = writeln!(out, "## {}\n", cell(&p.name));
    if let Some(s) = &p.source {
        let _ = writeln!(out, "Source: {}\n", cell(s));
    }
    let _ = writeln!(
        out,
        "Compatible level: **{}**. Intended level: **{}**.\n",
        p.compatible_level, p.intended_level
    );
    table(
        out,
        &["Field", "Baseline", "Restricted", "Reason"],
        p.fields.iter().map(markdown_row),
    );
    if !p.allowed_by_omission.is_empty() {
        let _ = writeln!(
            out,
            "\nAllowed by omission (keeps compatible below intended):\n"
        );
        for o in &p.allowed_by_omission {
            let _ = writeln!(
                out,
                "- `{}` (blocks {}): {}",
                o.field,
                o.level,
                cell(&o.reason)
            );
        }
    }
    if !p.new_in_pss.is_empty() {
        let _ = writeln!(
            out,
            "\nNew in PSS (no PSP field; audit workloads, not counted):\n"
        );
        for c in &p.new_in_pss {
            let _ = writeln!(
                out,
                "- `{}` ({} from {}): {}",
                c.control, c.level, c.since, c.reason
            );
        }
    }
}

fn markdown_row(r: &Row) -> Vec<String> {
    vec![
        format!("`{}`", r.field),
        verdict(r.baseline).to_string(),
        verdict(r.restricted).to_string(),
        cell(&r.reason),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::levels::judge;
    use crate::psp::testing::psp;
    use crate::pss::Level;

    fn named(name: &str) -> PolicyLevels {
        let mut p = psp();
        p.name = name.into();
        judge(&intent_of(&p), Version::Latest)
    }

    #[test]
    fn latest_is_spelled_as_the_newest_minor_and_policies_are_sorted() {
        let r = Report::new(Version::Latest, vec![named("b"), named("a")]);
        assert_eq!(r.k8s_version, format!("v1.{}", crate::pss::NEWEST_MINOR));
        assert_eq!(r.policies[0].name, "a");
    }

    #[test]
    fn json_keeps_the_public_keys() {
        let r = Report::new(Version::Minor(29), vec![named("a")]);
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["k8s_version"], "v1.29");
        let p = &v["policies"][0];
        assert_eq!(p["compatible_level"], Level::Privileged.as_str());
        for key in ["field", "baseline", "restricted", "reason"] {
            assert!(p["fields"][0].get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn markdown_escapes_pipes() {}
}
