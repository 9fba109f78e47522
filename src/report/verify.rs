//! The `verify` report: JSON for scripts, and for the terminal one line per pod or template and
//! target, with the reason when the target and the simulator differ.

use super::printable;
use crate::verify::{Report, Verdicts};

/// The report as pretty JSON, with a final newline.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("verify results serialize") + "\n"
}

/// The terminal report.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        result_text(r, &mut out);
    }
    for t in &report.targets {
        if let Some(why) = &t.not_run {
            out += &format!("{}: {why} ({})\n", t.target, printable(&t.file));
            continue;
        }
        let runs = report.results.len();
        let agreed = count(report, t.target, |v| v.agreed);
        let declared = count(report, t.target, |v| !v.agreed && v.declared.is_some());
        out += &format!(
            "{}: {agreed} of {runs} agree with the simulator, {declared} declared difference{}, {} undeclared ({})\n",
            t.target,
            if declared == 1 { "" } else { "s" },
            runs - agreed - declared,
            printable(&t.file)
        );
    }
    out
}

fn count(
    report: &Report,
    target: &str,
    pred: impl Fn(&crate::verify::TargetVerdict) -> bool,
) -> usize {
    report
        .results
        .iter()
        .flat_map(|r| &r.targets)
        .filter(|v| v.target == target && pred(v))
        .count()
}

fn result_text(r: &Verdicts, out: &mut String) {
    let name = printable(r.name.as_deref().unwrap_or("<unnamed>"));
    let ns = printable(&r.namespace);
    let sim = match (&r.psp, r.after_defaults) {
        (Some(p), false) => format!("simulator admits (by {})", printable(p)),
        (Some(p), true) => format!("simulator admits after the defaults of {}", printable(p)),
        (None, _) => "simulator denies".to_string(),
    };
    for v in &r.targets {
        let side = if v.admitted { "admits" } else { "denies" };
        let head = if v.agreed {
            "AGREED"
        } else if v.declared.is_some() {
            "DECLARED"
        } else {
            "DIFFERS"
        };
        *out += &format!(
            "{head} {} {ns}/{name} ({}): {sim}; {} {side}\n",
            r.kind,
            printable(&r.source),
            v.target
        );
        if let (false, Some(m)) = (v.admitted, &v.message) {
            *out += &format!("    {}: {}\n", v.target, printable(m));
        }
        if v.same_pod == Some(false) {
            *out += &format!(
                "    {}: the pod after its mutation differs from the one the plugin stored\n",
                v.target
            );
        }
        if let Some(d) = &v.declared {
            *out += &format!("    declared: {}\n", printable(d));
        }
    }
}
