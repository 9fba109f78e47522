//! The `simulate` report: JSON for scripts, and for the terminal one verdict per pod with its
//! candidates, mutations, denials and the annotation cross-check.

use serde_json::Value;

use super::printable;
use crate::replay::{Drift, Report, Selection, SimResult};

/// The report as pretty JSON, with a final newline.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("simulate results serialize") + "\n"
}

/// The terminal report.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        result_text(r, &mut out);
    }
    let admitted = report.results.iter().filter(|r| r.admitted).count();
    let from = match report.selection {
        Selection::Rbac => "candidate PSPs from RBAC",
        Selection::AllPsps => "every PSP tried (--all-psps)",
        Selection::NoRbac => "every PSP tried (no RBAC in the input)",
    };
    out += &format!(
        "{admitted} of {} admitted; {from}; PSPs as stored with feature gates {}\n",
        report.results.len(),
        report.feature_gates
    );
    out
}

fn result_text(r: &SimResult, out: &mut String) {
    let name = printable(r.name.as_deref().unwrap_or("<unnamed>"));
    let ns = printable(&r.namespace);
    let verdict = match &r.psp {
        Some(psp) => format!("ADMITTED {} {ns}/{name} by {}", r.kind, printable(psp)),
        None => format!("DENIED {} {ns}/{name}", r.kind),
    };
    let candidates = if r.candidates.is_empty() {
        "none".to_string()
    } else {
        printable(&r.candidates.join(", "))
    };
    *out += &format!("{verdict} ({})\n", printable(&r.source));
    *out += &format!(
        "    service account {}; candidates: {candidates}\n",
        printable(&r.service_account)
    );
    for m in &r.mutations {
        *out += &format!(
            "    mutates {} = {}\n",
            printable(&m.path),
            printable(&value(&m.value))
        );
    }
    if let Some(reason) = &r.reason {
        *out += &format!("    reason: {}\n", printable(reason));
    }
    for d in &r.denials {
        let field = if d.field.is_empty() {
            &d.psp_field
        } else {
            &d.field
        };
        *out += &format!(
            "    {}: {}: {}\n",
            printable(&d.psp),
            printable(field),
            printable(&d.message)
        );
    }
    annotation_text(r, out);
}

fn annotation_text(r: &SimResult, out: &mut String) {
    if let Some(recorded) = &r.annotation_psp {
        let verdict = match (&r.annotation_agrees, &r.annotation_note) {
            (Some(true), _) => "the simulator agrees".to_string(),
            (_, Some(note)) => format!("the simulator disagrees: {note}"),
            _ => "the simulator disagrees".to_string(),
        };
        *out += &format!(
            "    recorded PSP {}: {}\n",
            printable(recorded),
            printable(&verdict)
        );
    }
    if let Some(c) = &r.controller {
        *out += &format!("    controller: {}\n", printable(c));
    }
    match r.depends_on_mutation.as_deref() {
        Some([]) => *out += "    does not depend on PSP mutation\n",
        Some(drifts) => drift_text(drifts, out),
        None => {}
    }
}

fn drift_text(drifts: &[Drift], out: &mut String) {
    *out += "    DEPENDS ON PSP MUTATION (Pod Security Admission does not mutate):\n";
    for d in drifts {
        *out += &format!(
            "      {}: pod {}, template {}\n",
            printable(&d.path),
            printable(&value(&d.pod)),
            printable(&value(&d.template))
        );
    }
}

/// A value as compact JSON; `unset` for null.
fn value(v: &Value) -> String {
    match v {
        Value::Null => "unset".into(),
        v => v.to_string(),
    }
}
