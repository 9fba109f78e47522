//! The semantic diff: a PSP's rules against a target's, one rule per line, as a unified diff.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::TargetReport;

/// What happens to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    /// In both.
    Kept,
    /// Only the PSP has it (`-`).
    Removed,
    /// Only the target has it (`+`).
    Added,
}

/// One line of the semantic diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub op: DiffOp,
    pub rule: String,
}

impl DiffLine {
    /// The unified-diff prefix.
    fn sign(&self) -> char {
        match self.op {
            DiffOp::Kept => ' ',
            DiffOp::Removed => '-',
            DiffOp::Added => '+',
        }
    }
}

/// Text on one line: control characters (line breaks included) become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Rules as text, one per line.
fn lines(rules: &[String]) -> String {
    rules.iter().map(|r| format!("{}\n", one_line(r))).collect()
}

/// The PSP's rules against the target's, in order: every rule once, kept, removed or added.
pub fn semantic_diff(report: &TargetReport) -> Vec<DiffLine> {
    let (old, new) = (lines(&report.psp_rules()), lines(&report.target_rules()));
    TextDiff::from_lines(&old, &new)
        .iter_all_changes()
        .map(|c| DiffLine {
            op: match c.tag() {
                ChangeTag::Equal => DiffOp::Kept,
                ChangeTag::Delete => DiffOp::Removed,
                ChangeTag::Insert => DiffOp::Added,
            },
            rule: c.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

/// The diff as unified-diff text with a `---`/`+++` header and one hunk holding every rule.
pub fn unified(report: &TargetReport) -> String {
    let diff = semantic_diff(report);
    let count = |skip: DiffOp| diff.iter().filter(|l| l.op != skip).count();
    let (old_n, new_n) = (count(DiffOp::Added), count(DiffOp::Removed));
    let mut out = format!(
        "--- psp/{}\n+++ {}/{}\n@@ -{},{old_n} +{},{new_n} @@\n",
        one_line(&report.psp),
        one_line(&report.target),
        one_line(&report.psp),
        usize::from(old_n > 0),
        usize::from(new_n > 0)
    );
    for l in &diff {
        out.push(l.sign());
        out.push_str(&l.rule);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fidelity::{Fidelity, FidelityRow};

    fn row(rule: &str, target: Option<&str>) -> FidelityRow {
        FidelityRow {
            psp: "p".into(),
            target: "psa".into(),
            field: "spec.x".into(),
            effect: "validate",
            origin: "explicit",
            verdict: Fidelity::Exact,
            reason: "r".into(),
            psp_rule: rule.into(),
            target_rule: target.map(String::from),
        }
    }

    fn report() -> TargetReport {
        TargetReport {
            psp: "p".into(),
            target: "psa".into(),
            compared_with: "baseline".into(),
            rows: vec![
                row("host PID: denied", Some("host PID: denied")),
                row("fsGroup: must be set and in 1-10", None),
                row(
                    "volume types: secret",
                    Some("volume types: any but hostPath"),
                ),
            ],
            extra_rules: vec!["new\nline".into()],
        }
    }

    #[test]
    fn shows_what_disappears_and_appears() {
        let text = unified(&report());
        assert_eq!(
            text,
            "--- psp/p\n+++ psa/p\n@@ -1,3 +1,3 @@\n host PID: denied\n-fsGroup: must be set and in 1-10\n-volume types: secret\n+volume types: any but hostPath\n+new line\n"
        );
        let ops: Vec<DiffOp> = semantic_diff(&report()).iter().map(|l| l.op).collect();
        assert_eq!(
            ops,
            [
                DiffOp::Kept,
                DiffOp::Removed,
                DiffOp::Removed,
                DiffOp::Added,
                DiffOp::Added
            ]
        );
    }
}
