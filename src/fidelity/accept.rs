//! Accepted findings: fidelity rows a reviewer has looked at and accepted, so that `--fail-on`
//! trips only on new ones.
//!
//! The file is one YAML document, `apiVersion: podsec-migrate/v1alpha1`, `kind:
//! AcceptedFindings`, with `findings`: one entry per PSP, target and field, saying the worst
//! verdict accepted and why. (Shaped as a Kubernetes object so that, kept beside the manifests,
//! the loader counts it among the skipped kinds instead of refusing it.) An entry accepts every
//! row of its PSP, target and field up to its verdict; a row that gets worse is new again. An
//! entry whose PSP, target and field have no row worse than `exact` any more is stale.

use serde::Serialize;
use serde_json::Value;

use super::{Fidelity, FidelityRow};
use crate::diag::{Location, Locator};
use crate::load::yaml::parse_documents;

/// The `apiVersion` and `kind` of the file.
pub const API_VERSION: &str = "podsec-migrate/v1alpha1";
pub const KIND: &str = "AcceptedFindings";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    pub psp: String,
    pub target: String,
    pub field: String,
    /// The worst verdict accepted.
    pub verdict: Fidelity,
    pub reason: String,
    /// Where the entry is written.
    #[serde(skip)]
    pub at: Location,
}

impl Accepted {
    /// True when this entry accepts `row`: same PSP, target and field, no worse a verdict.
    pub fn accepts(&self, row: &FidelityRow) -> bool {
        self.psp == row.psp
            && self.target == row.target
            && self.field == row.field
            && row.verdict <= self.verdict
    }

    /// `psp/target field`, as `--fail-on` names rows.
    pub fn key(&self) -> String {
        format!("{}/{} {}", self.psp, self.target, self.field)
    }
}

/// Reads an accepted-findings file named `file`; every problem at once, each
/// `file:line:column: error: field: message`.
pub fn read(file: &str, text: &str) -> Result<Vec<Accepted>, Vec<String>> {
    let docs = parse_documents(text).map_err(|e| {
        vec![format!(
            "{file}:{}:{}: error: {}",
            e.pos.line, e.pos.column, e.message
        )]
    })?;
    let [doc] = docs.as_slice() else {
        return Err(vec![format!(
            "{file}: error: expected one YAML document (kind {KIND}), found {}",
            docs.len()
        )]);
    };
    let at = Locator {
        file: file.to_string(),
        spans: doc.spans.clone(),
    };
    let mut errors = Vec::new();
    let mut error = |field: &str, message: String| {
        errors.push(format!("{}: error: {field}: {message}", at.at(field)));
    };
    let Some(top) = doc.value.as_object() else {
        error("", format!("expected a mapping with kind {KIND}"));
        return Err(errors);
    };
    for (key, want) in [("apiVersion", API_VERSION), ("kind", KIND)] {
        if top.get(key).and_then(Value::as_str) != Some(want) {
            error(key, format!("expected {want:?}"));
        }
    }
    for key in top.keys() {
        if !["apiVersion", "kind", "findings"].contains(&key.as_str()) {
            error(key, format!("unknown field {key:?} (expected findings)"));
        }
    }
    let mut out = Vec::new();
    match top.get("findings") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("findings[{i}]");
                match entry(item, &path, &at) {
                    Ok(a) => out.push(a),
                    Err(problems) => {
                        for (field, message) in problems {
                            error(&field, message);
                        }
                    }
                }
            }
        }
        Some(_) => error("findings", "expected a list of findings".into()),
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// One entry at `path`, or its problems as (field path, message).
fn entry(item: &Value, path: &str, at: &Locator) -> Result<Accepted, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let Some(map) = item.as_object() else {
        return Err(vec![(
            path.to_string(),
            "expected a mapping with psp, target, field, verdict and reason".into(),
        )]);
    };
    const KEYS: [&str; 5] = ["psp", "target", "field", "verdict", "reason"];
    for key in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        problems.push((
            format!("{path}.{key}"),
            format!(
                "unknown field {key:?} (expected one of {})",
                KEYS.join(", ")
            ),
        ));
    }
    let mut text = |key: &str| -> String {
        match map.get(key).and_then(Value::as_str).map(str::trim) {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => {
                problems.push((
                    format!("{path}.{key}"),
                    "expected a non-empty string".into(),
                ));
                String::new()
            }
        }
    };
    let (psp, target, field, reason) = (text("psp"), text("target"), text("field"), text("reason"));
    let verdict_text = text("verdict");
    let verdict = Fidelity::ALL
        .into_iter()
        .find(|v| v.as_str() == verdict_text);
    if verdict.is_none() && !verdict_text.is_empty() {
        problems.push((
            format!("{path}.verdict"),
            format!(
                "unknown verdict {verdict_text:?} (expected one of {})",
                Fidelity::ALL.map(Fidelity::as_str).join(", ")
            ),
        ));
    }
    match verdict {
        Some(verdict) if problems.is_empty() => Ok(Accepted {
            psp,
            target,
            field,
            verdict,
            reason,
            at: at.at(path),
        }),
        _ => Err(problems),
    }
}

/// The rows at least as bad as `threshold` that no entry accepts.
pub fn new_findings<'a>(
    rows: impl IntoIterator<Item = &'a FidelityRow>,
    threshold: Fidelity,
    accepted: &[Accepted],
) -> Vec<&'a FidelityRow> {
    rows.into_iter()
        .filter(|row| row.verdict >= threshold && !accepted.iter().any(|a| a.accepts(row)))
        .collect()
}

/// The entries whose PSP, target and field have no row worse than `exact` any more.
pub fn stale<'a>(rows: &[&FidelityRow], accepted: &'a [Accepted]) -> Vec<&'a Accepted> {
    accepted
        .iter()
        .filter(|a| {
            !rows.iter().any(|r| {
                r.psp == a.psp
                    && r.target == a.target
                    && r.field == a.field
                    && r.verdict > Fidelity::Exact
            })
        })
        .collect()
}

/// One entry per PSP, target and field among `rows` at least as bad as `threshold`, with the
/// worst verdict and the rows' reasons, in row order: what `--write-accept` writes (to be edited
/// into the reviewer's own reasons).
pub fn entries_for<'a>(
    rows: impl IntoIterator<Item = &'a FidelityRow>,
    threshold: Fidelity,
) -> Vec<Accepted> {
    let mut out: Vec<Accepted> = Vec::new();
    for row in rows.into_iter().filter(|r| r.verdict >= threshold) {
        match out
            .iter_mut()
            .find(|a| a.psp == row.psp && a.target == row.target && a.field == row.field)
        {
            Some(a) => {
                a.verdict = a.verdict.max(row.verdict);
                if !a.reason.contains(&row.reason) {
                    a.reason = format!("{} {}", a.reason, row.reason);
                }
            }
            None => out.push(Accepted {
                psp: row.psp.clone(),
                target: row.target.clone(),
                field: row.field.clone(),
                verdict: row.verdict,
                reason: row.reason.clone(),
                at: Location {
                    file: String::new(),
                    line: 0,
                    column: 0,
                },
            }),
        }
    }
    out
}

/// The file `--write-accept` writes for `entries`.
pub fn render(entries: &[Accepted]) -> String {
    let mut ctx = tera::Context::new();
    ctx.insert("api_version", API_VERSION);
    ctx.insert("kind", KIND);
    ctx.insert("findings", entries);
    crate::render::render("accept/accepted-findings.yaml", &ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(psp: &str, field: &str, verdict: Fidelity) -> FidelityRow {
        FidelityRow {
            psp: psp.into(),
            target: "psa".into(),
            field: field.into(),
            effect: "validate",
            origin: "explicit",
            verdict,
            reason: format!("{field} is {}.", verdict.as_str()),
            psp_rule: String::new(),
            target_rule: None,
        }
    }

    #[test]
    fn written_entries_read_back_and_accept_exactly_their_rows() {
        let rows = [
            row("a", "spec.fsGroup", Fidelity::Lost),
            row("a", "spec.runAsUser", Fidelity::MutationDropped),
            row("b", "spec.volumes", Fidelity::Looser),
        ];
        let entries = entries_for(&rows, Fidelity::Looser);
        assert_eq!(entries.len(), 2);
        let text = render(&entries);
        let back = read("accepted.yaml", &text).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].key(), "a/psa spec.fsGroup");
        assert_eq!(
            back[0].at.line,
            text.lines()
                .position(|l| l.contains("- psp: \"a\""))
                .unwrap()
                + 1
        );
        assert!(new_findings(&rows, Fidelity::Looser, &back).is_empty());
        // A row that gets worse than accepted is new again.
        let worse = [row("b", "spec.volumes", Fidelity::Lost)];
        assert_eq!(new_findings(&worse, Fidelity::Looser, &back).len(), 1);
        // An entry whose field has nothing worse than exact left is stale.
        let fixed = [&row("a", "spec.fsGroup", Fidelity::Exact), &rows[2]];
        let stale = stale(&fixed, &back);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].key(), "a/psa spec.fsGroup");
    }

    #[test]
    fn bad_entries_are_named_by_line() {
        let text = "apiVersion: podsec-migrate/v1alpha1\nkind: AcceptedFindings\nfindings:\n- psp: a\n  target: psa\n  field: spec.fsGroup\n  verdict: gone\n- psp: b\n  target: psa\n  field: spec.volumes\n  verdict: lost\n  reasn: typo\n";
        let errors = read("acc.yaml", text).unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "acc.yaml:4:3: error: findings[0].reason: expected a non-empty string"
            ),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e
                .starts_with("acc.yaml:7:3: error: findings[0].verdict: unknown verdict \"gone\"")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("acc.yaml:12:3: error: findings[1].reasn: unknown field")),
            "{errors:?}"
        );
    }
}
