//! The `audit` report: JSON for scripts, one line per object for the terminal (written as the
//! input is read), and with a plan the per-namespace answers as text, JSON members or Markdown
//! for a pull request.

use std::fmt::Write as _;

use serde::Serialize;

use super::markdown::{cell, table};
use super::printable;
use crate::audit::namespaces::{Finding, NamespaceReport};
use crate::audit::plan::Plan;
use crate::audit::AuditResult;
use crate::pss::{Level, Version};

/// The JSON document.
#[derive(Serialize)]
struct AuditJson<'a> {
    results: &'a [AuditResult],
}

/// Every result as pretty JSON, with a final newline.
pub fn json(results: &[AuditResult]) -> String {
    let out =
        serde_json::to_string_pretty(&AuditJson { results }).expect("audit results serialize");
    out + "\n"
}

/// `value` as pretty JSON, every line after the first indented by `indent` spaces (a member
/// of an enclosing pretty document).
fn nested_json<T: Serialize>(value: &T, indent: usize) -> String {
    let text = serde_json::to_string_pretty(value).expect("audit output serializes");
    text.replace('\n', &format!("\n{}", " ".repeat(indent)))
}

/// One result as a member of the `results` array, indented as [`json`] indents it.
pub fn result_json(r: &AuditResult) -> String {
    format!("    {}", nested_json(r, 4))
}

/// `namespace/name`, or just the name when there is no namespace, safe for a terminal.
fn display_name(r: &AuditResult) -> String {
    let name = printable(r.name.as_deref().unwrap_or("<unnamed>"));
    match &r.namespace {
        Some(ns) => format!("{}/{name}", printable(ns)),
        None => name,
    }
}

/// One object's line, its violations indented below it.
pub fn result_text(r: &AuditResult) -> String {
    let mut out = String::new();
    let verdict = if r.allowed { "PASS" } else { "FAIL" };
    let _ = writeln!(
        out,
        "{verdict} {} {} ({})",
        r.kind,
        display_name(r),
        printable(&r.source)
    );
    for v in &r.violations {
        let _ = writeln!(out, "    {}: {}", v.check, printable(&v.message));
    }
    out
}

/// The count that passed.
pub fn summary_text(passed: usize, total: usize, level: Level, version: Version) -> String {
    format!("{passed} of {total} passed {level}:{version}\n")
}

/// One line per object, its violations indented below it, then the count that passed.
pub fn text(results: &[AuditResult], level: Level, version: Version) -> String {
    let mut out: String = results.iter().map(result_text).collect();
    let passed = results.iter().filter(|r| r.allowed).count();
    out.push_str(&summary_text(passed, results.len(), level, version));
    out
}

/// The totals over every namespace.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub namespaces: usize,
    pub workloads: usize,
    pub rejected: usize,
    pub flagged: usize,
    pub relied_on_psp_mutation: usize,
    pub new_in_pss: usize,
    pub denied_by_targets: usize,
}

impl Summary {
    /// Adds one namespace's counts.
    pub fn add(&mut self, n: &NamespaceReport) {
        self.namespaces += 1;
        self.workloads += n.workloads;
        self.rejected += n.counts.rejected;
        self.flagged += n.counts.flagged;
        self.relied_on_psp_mutation += n.counts.relied_on_psp_mutation;
        self.new_in_pss += n.counts.new_in_pss;
        self.denied_by_targets += n.counts.denied_by_targets;
    }
}

/// The totals of `namespaces`.
pub fn summary(namespaces: &[NamespaceReport]) -> Summary {
    let mut s = Summary::default();
    namespaces.iter().for_each(|n| s.add(n));
    s
}

/// Where the plan came from.
#[derive(Serialize)]
struct PlanInfo<'a> {
    source: &'a str,
    /// Engine targets of the plan directory that judged every workload.
    targets: &'a [&'a str],
}

/// Writes the plan's members of the JSON document (`plan`, `namespaces`, `summary`) straight
/// to `out`, indented as members of the enclosing document, one namespace at a time: no copy
/// of the output is held. Returns the totals.
pub fn write_plan_json(
    out: &mut dyn std::io::Write,
    plan: &Plan,
    targets: &[&str],
    namespaces: impl Iterator<Item = NamespaceReport>,
) -> std::io::Result<Summary> {
    let info = PlanInfo {
        source: &plan.source,
        targets,
    };
    out.write_all(b"  \"plan\": ")?;
    erased::Member::write(
        &info,
        &mut Indented {
            out: &mut *out,
            pad: b"\n  ",
        },
    )?;
    out.write_all(b",\n  \"namespaces\": [")?;
    let mut summary = Summary::default();
    for n in namespaces {
        let sep: &[u8] = if summary.namespaces == 0 {
            b"\n    "
        } else {
            b",\n    "
        };
        out.write_all(sep)?;
        erased::Member::write(
            &n,
            &mut Indented {
                out: &mut *out,
                pad: b"\n    ",
            },
        )?;
        summary.add(&n);
    }
    out.write_all(if summary.namespaces == 0 {
        b"]"
    } else {
        b"\n  ]"
    })?;
    out.write_all(b",\n  \"summary\": ")?;
    erased::Member::write(
        &summary,
        &mut Indented {
            out: &mut *out,
            pad: b"\n  ",
        },
    )?;
    Ok(summary)
}

/// Serializing a member without naming its type at the call site.
mod erased {
    use serde::Serialize;

    pub trait Member {
        fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()>;
    }

    impl<T: Serialize> Member for T {
        fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
            serde_json::to_writer_pretty(out, self).map_err(std::io::Error::other)
        }
    }
}

/// A writer that indents every line after the first (`pad` is a newline and the indent).
struct Indented<'a> {
    out: &'a mut dyn std::io::Write,
    pad: &'static [u8],
}

impl std::io::Write for Indented<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|b| *b == b'\n') {
            self.out.write_all(&rest[..i])?;
            self.out.write_all(self.pad)?;
            rest = &rest[i + 1..];
        }
        self.out.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// How many workloads of one kind of answer the text and Markdown show per namespace; JSON
/// lists all.
pub const SHOWN: usize = 20;

/// `Kind name (source)` of a workload, safe for a terminal.
fn who(kind: &str, name: &str, source: &str) -> String {
    format!("{kind} {} ({})", printable(name), printable(source))
}

fn modes_label(f: &Finding, n: &NamespaceReport) -> String {
    let level = match f.modes.first() {
        Some(&"enforce") => n.enforce,
        Some(&"audit") => n.audit,
        _ => n.warn,
    };
    format!("{} {level}", f.modes.join("/"))
}

/// Lines for up to [`SHOWN`] items, then how many more of `total` there are.
fn capped<T>(out: &mut String, items: &[T], total: usize, line: impl Fn(&T) -> String) {
    for i in items.iter().take(SHOWN) {
        let _ = writeln!(out, "{}", line(i));
    }
    let shown = items.len().min(SHOWN);
    if total > shown {
        let _ = writeln!(
            out,
            "      ... and {} more (--format json lists every one)",
            total - shown
        );
    }
}

/// The terminal answer: one section per namespace, then the totals.
pub fn plan_text(plan: &Plan, targets: &[&str], namespaces: &[NamespaceReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "plan: {}", printable(&plan.source));
    for n in namespaces {
        let labels = if n.labelled {
            ""
        } else {
            " (cluster defaults)"
        };
        let _ = writeln!(
            out,
            "namespace {}: enforce {}, audit {}, warn {} ({}){labels}",
            printable(&n.name),
            n.enforce,
            n.audit,
            n.warn,
            printable(&n.version)
        );
        let all = n
            .all_meet
            .map(|l| format!("; every one meets {l}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {}: {} meet restricted, {} baseline, {} only privileged{all}",
            super::wording::count(n.workloads, "workload", "workloads"),
            n.meets.restricted,
            n.meets.baseline,
            n.meets.privileged
        );
        capped(&mut out, &n.rejected, n.counts.rejected, |f| {
            format!(
                "    REJECTED by {}: {}: {}",
                modes_label(f, n),
                who(f.kind, &f.name, &f.source),
                f.checks.join(", ")
            )
        });
        capped(&mut out, &n.flagged, n.counts.flagged, |f| {
            format!(
                "    FLAGGED by {}: {}: {}",
                modes_label(f, n),
                who(f.kind, &f.name, &f.source),
                f.checks.join(", ")
            )
        });
        capped(
            &mut out,
            &n.relied_on_psp_mutation,
            n.counts.relied_on_psp_mutation,
            |m| {
                format!(
                    "    RELIED ON PSP MUTATION: {}: {} set {}",
                    who(m.kind, &m.name, &m.source),
                    printable(&m.mutation.psp),
                    printable(&m.mutation.paths.join(", "))
                )
            },
        );
        capped(&mut out, &n.new_in_pss, n.counts.new_in_pss, |c| {
            format!(
                "    NEW IN PSS: {}: {}",
                who(c.kind, &c.name, &c.source),
                c.controls.join(", ")
            )
        });
        capped(
            &mut out,
            &n.denied_by_targets,
            n.counts.denied_by_targets,
            |t| {
                format!(
                    "    DENIED by {}: {}: {}",
                    t.target,
                    who(t.kind, &t.name, &t.source),
                    printable(&t.message)
                )
            },
        );
    }
    let s = summary(namespaces);
    let judged_by = if targets.is_empty() {
        String::new()
    } else {
        format!(", {} denied by {}", s.denied_by_targets, targets.join(", "))
    };
    let _ = writeln!(
        out,
        "{} in {}: {} rejected by enforce, {} flagged by audit/warn, {} relied on PSP mutation, {} hit controls new in PSS{judged_by}",
        super::wording::count(s.workloads, "workload", "workloads"),
        super::wording::count(s.namespaces, "namespace", "namespaces"),
        s.rejected, s.flagged, s.relied_on_psp_mutation, s.new_in_pss
    );
    out
}

/// Markdown for a pull request: a table of every namespace, then a section per namespace that
/// has something to say.
pub fn plan_markdown(plan: &Plan, targets: &[&str], namespaces: &[NamespaceReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# What the migration breaks\n");
    let s = summary(namespaces);
    let _ = writeln!(
        out,
        "Plan: `{}`. {} in {}: **{} rejected** by enforce, {} flagged by audit/warn, {} relied on PSP mutation, {} hit controls new in PSS{}.\n",
        cell(&plan.source).replace('`', "'"),
        super::wording::count(s.workloads, "workload", "workloads"),
        super::wording::count(s.namespaces, "namespace", "namespaces"),
        s.rejected,
        s.flagged,
        s.relied_on_psp_mutation,
        s.new_in_pss,
        if targets.is_empty() {
            String::new()
        } else {
            format!(", {} denied by {}", s.denied_by_targets, targets.join(", "))
        }
    );
    let rows: Vec<Vec<String>> = namespaces
        .iter()
        .map(|n| {
            vec![
                cell(&n.name),
                format!("{} ({})", n.enforce, cell(&n.version)),
                format!("{} / {}", n.audit, n.warn),
                n.workloads.to_string(),
                n.all_meet.map(|l| l.to_string()).unwrap_or("-".into()),
                n.counts.rejected.to_string(),
                n.counts.flagged.to_string(),
                n.counts.relied_on_psp_mutation.to_string(),
                n.counts.new_in_pss.to_string(),
                n.counts.denied_by_targets.to_string(),
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            "namespace",
            "enforce",
            "audit / warn",
            "workloads",
            "all meet",
            "rejected",
            "flagged",
            "relied on PSP mutation",
            "new in PSS",
            "denied by targets",
        ],
        rows,
    );
    out.push('\n');
    for n in namespaces {
        let c = &n.counts;
        let nothing =
            c.rejected + c.flagged + c.relied_on_psp_mutation + c.new_in_pss + c.denied_by_targets
                == 0;
        if nothing {
            continue;
        }
        let _ = writeln!(out, "## {}\n", cell(&n.name));
        let item = |kind: &str, name: &str, source: &str| {
            format!(
                "{kind} {} (`{}`)",
                cell(name),
                cell(source).replace('`', "'")
            )
        };
        let section = |out: &mut String, title: &str, total: usize, lines: Vec<String>| {
            if lines.is_empty() {
                return;
            }
            let _ = writeln!(out, "{title}:\n");
            let shown = lines.len().min(SHOWN);
            for l in lines.into_iter().take(SHOWN) {
                let _ = writeln!(out, "- {l}");
            }
            if total > shown {
                let _ = writeln!(
                    out,
                    "- ... and {} more (`--format json` lists every one)",
                    total - shown
                );
            }
            out.push('\n');
        };
        section(
            &mut out,
            &format!("Rejected by enforce {}", n.enforce),
            n.counts.rejected,
            n.rejected
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        item(f.kind, &f.name, &f.source),
                        f.checks.join(", ")
                    )
                })
                .collect(),
        );
        section(
            &mut out,
            "Flagged by audit / warn",
            n.counts.flagged,
            n.flagged
                .iter()
                .map(|f| {
                    format!(
                        "{} ({}): {}",
                        item(f.kind, &f.name, &f.source),
                        modes_label(f, n),
                        f.checks.join(", ")
                    )
                })
                .collect(),
        );
        section(
            &mut out,
            "Relied on PSP mutation (Pod Security Admission does not mutate)",
            n.counts.relied_on_psp_mutation,
            n.relied_on_psp_mutation
                .iter()
                .map(|m| {
                    format!(
                        "{}: {} set {}",
                        item(m.kind, &m.name, &m.source),
                        cell(&m.mutation.psp),
                        cell(&m.mutation.paths.join(", "))
                    )
                })
                .collect(),
        );
        section(
            &mut out,
            "Controls new in PSS (no PSP checked them)",
            n.counts.new_in_pss,
            n.new_in_pss
                .iter()
                .map(|c| {
                    format!(
                        "{}: {}",
                        item(c.kind, &c.name, &c.source),
                        c.controls.join(", ")
                    )
                })
                .collect(),
        );
        section(
            &mut out,
            "Denied by the engine targets",
            n.counts.denied_by_targets,
            n.denied_by_targets
                .iter()
                .map(|t| {
                    format!(
                        "{}: {}: {}",
                        t.target,
                        item(t.kind, &t.name, &t.source),
                        cell(&t.message)
                    )
                })
                .collect(),
        );
    }
    out
}
