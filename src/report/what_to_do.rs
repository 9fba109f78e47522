//! What to do, the opening of REPORT.md and of the terminal's findings: the commands that apply
//! the output (a dry run first), then namespace by namespace the proposed labels and what in
//! the input needs a change first: workloads that fail the level the namespace should reach,
//! with the controls they fail; workloads that relied on a PSP default, which PSA never sets;
//! workloads the input's own PSPs denied under its RBAC (a DaemonSet that outgrew its PSP, a
//! service account bound to no PSP), with why and what the plan does with them.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::markdown::{cell, fold, unfold};
use super::printable;
use super::wording::{count, sentence};
use crate::convert::{Blocker, Conversion};
use crate::pss::Level;
use crate::replay::SimResult;
use crate::targets::psa::{current_levels, NamespacePlan};

/// At most this many entries per list (workloads, names) before the rest is counted.
pub const LIST_MAX: usize = 20;

/// The label script, relative to the output directory.
pub const LABEL_SCRIPT: &str = "psa/label-namespaces.sh";

/// What the input says about one namespace.
#[derive(Default)]
struct Findings<'a> {
    /// Workloads the enforce level rejects.
    rejected: Vec<&'a Blocker>,
    /// Workloads that keep enforce below the level the PSPs intend.
    holding_back: Vec<&'a Blocker>,
    mutated: Vec<&'a SimResult>,
    denied: Vec<&'a SimResult>,
}

/// The findings of every namespace that has any, by name.
fn by_namespace(c: &Conversion) -> BTreeMap<&str, Findings<'_>> {
    let mut out: BTreeMap<&str, Findings<'_>> = BTreeMap::new();
    for b in &c.blockers {
        let rejected = plan_of(c, &b.namespace).is_some_and(|ns| b.meets < ns.enforce);
        let f = out.entry(b.namespace.as_str()).or_default();
        if rejected {
            f.rejected.push(b);
        } else {
            f.holding_back.push(b);
        }
    }
    for r in &c.psp_mutated {
        out.entry(r.namespace.as_str()).or_default().mutated.push(r);
    }
    for r in &c.psp_denied {
        out.entry(r.namespace.as_str()).or_default().denied.push(r);
    }
    out
}

fn plan_of<'a>(c: &'a Conversion, namespace: &str) -> Option<&'a NamespacePlan> {
    c.plan.namespaces.iter().find(|n| n.name == namespace)
}

/// Namespaces whose enforce level stays below what their PSPs intend with no workload in the
/// input to say why: the plan had no evidence that the stricter level is met.
fn without_evidence<'a>(
    c: &'a Conversion,
    findings: &BTreeMap<&str, Findings<'_>>,
) -> Vec<&'a NamespacePlan> {
    c.plan
        .namespaces
        .iter()
        .filter(|n| n.target_level.is_some_and(|t| t > n.enforce))
        .filter(|n| {
            findings
                .get(n.name.as_str())
                .is_none_or(|f| f.holding_back.is_empty())
        })
        .collect()
}

/// One namespace's findings in `report.json`'s `what_to_do`.
#[derive(Serialize)]
pub struct NamespaceJson<'a> {
    namespace: &'a str,
    rejected_by_enforce: Vec<BlockerJson<'a>>,
    below_intended: Vec<BlockerJson<'a>>,
    relied_on_psp_defaults: Vec<MutatedJson<'a>>,
    denied_by_own_psps: Vec<DeniedJson<'a>>,
}

/// A workload that fails the level its namespace should reach.
#[derive(Serialize)]
struct BlockerJson<'a> {
    kind: &'a str,
    name: &'a str,
    source: &'a str,
    meets: Level,
    fails: Level,
    violations: &'a [crate::pss::Violation],
}

/// A workload that relied on a PSP default: the PSP and what it set.
#[derive(Serialize)]
struct MutatedJson<'a> {
    kind: &'a str,
    name: Option<&'a str>,
    source: &'a str,
    psp: Option<&'a str>,
    defaults: String,
}

/// A workload the input's own PSPs denied, and what the plan does with it.
#[derive(Serialize)]
struct DeniedJson<'a> {
    kind: &'a str,
    name: Option<&'a str>,
    source: &'a str,
    service_account: &'a str,
    why: Vec<String>,
    under_plan: String,
}

/// `report.json`'s `what_to_do`: every namespace with a finding, by name; lists whole.
pub fn json(c: &Conversion) -> Vec<NamespaceJson<'_>> {
    fn blocker<'a>(b: &&'a Blocker) -> BlockerJson<'a> {
        BlockerJson {
            kind: b.kind,
            name: &b.name,
            source: &b.source,
            meets: b.meets,
            fails: b.fails,
            violations: &b.violations,
        }
    }
    by_namespace(c)
        .into_iter()
        .map(|(namespace, f)| NamespaceJson {
            namespace,
            rejected_by_enforce: f.rejected.iter().map(blocker).collect(),
            below_intended: f.holding_back.iter().map(blocker).collect(),
            relied_on_psp_defaults: f
                .mutated
                .iter()
                .map(|r| MutatedJson {
                    kind: r.kind,
                    name: r.name.as_deref(),
                    source: &r.source,
                    psp: r.psp.as_deref().or(r.annotation_psp.as_deref()),
                    defaults: defaults_relied_on(r),
                })
                .collect(),
            denied_by_own_psps: f
                .denied
                .iter()
                .map(|r| DeniedJson {
                    kind: r.kind,
                    name: r.name.as_deref(),
                    source: &r.source,
                    service_account: &r.service_account,
                    why: why_denied(r),
                    under_plan: sentence(&under_plan(r, c)),
                })
                .collect(),
        })
        .collect()
}

/// `Kind namespace/name` of a simulated workload.
pub fn workload(r: &SimResult) -> String {
    format!(
        "{} {}/{}",
        r.kind,
        r.namespace,
        r.name.as_deref().unwrap_or("(unnamed)")
    )
}

/// Why the plugin refused it: the reason, then each PSP's denial.
fn why_denied(r: &SimResult) -> Vec<String> {
    let mut out = vec![r.reason.clone().unwrap_or_else(|| "denied".into())];
    out.extend(
        r.denials
            .iter()
            .map(|d| format!("{}: {}: {}", d.psp, d.field, d.message)),
    );
    out
}

/// What the plan does with a workload its own PSPs denied: the enforce level of its namespace,
/// and whether the workload meets that level (so PSA blocks it as PSP did) or not (PSA would
/// run what PSP refused).
fn under_plan(r: &SimResult, c: &Conversion) -> String {
    let Some(ns) = plan_of(c, &r.namespace) else {
        return format!(
            "namespace {} gets no labels; the cluster default enforces {}",
            r.namespace, c.plan.defaults.enforce
        );
    };
    let name = r.name.as_deref().unwrap_or_default();
    let meets = ns
        .observed
        .iter()
        .find(|o| o.kind == r.kind && o.name == name)
        .map(|o| o.meets);
    match meets {
        Some(m) if m < ns.enforce => format!(
            "the plan blocks it too: namespace {} enforces {}, and it meets only {m}",
            ns.name, ns.enforce
        ),
        Some(_) if ns.enforce == Level::Privileged => format!(
            "the plan admits it: namespace {} enforces privileged for the PSPs granted there, so PSA would run what PSP refused; fix the workload or its RBAC before relying on the plan",
            ns.name
        ),
        Some(_) => format!(
            "the plan admits it: it meets {}, the enforce level of namespace {}, so PSA would run what PSP refused; fix the workload or its RBAC before relying on the plan",
            ns.enforce, ns.name
        ),
        None => format!("namespace {} enforces {}", ns.name, ns.enforce),
    }
}

/// What the PSP changed, as `path = value` (pods that differ from their template: the paths).
fn defaults_relied_on(r: &SimResult) -> String {
    let mut out: Vec<String> = r
        .mutations
        .iter()
        .map(|m| format!("{} = {}", m.path, m.value))
        .collect();
    for d in r.depends_on_mutation.iter().flatten() {
        out.push(format!(
            "{} (pod {}, template {})",
            d.path, d.pod, d.template
        ));
    }
    out.join("; ")
}

/// `a, b, c and 4 more`: at most `max` of `items`, then how many are left out.
pub fn capped(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        let _ = write!(s, " and {} more", items.len() - max);
    }
    s
}

/// `enforce restricted, audit restricted, warn restricted (v1.37)`.
fn labels(ns: &NamespacePlan) -> String {
    format!(
        "enforce {}, audit {}, warn {} ({})",
        ns.enforce, ns.audit, ns.warn, ns.version
    )
}

/// The REPORT.md section: the commands, then namespace by namespace.
pub fn markdown(out: &mut String, c: &Conversion) {
    let findings = by_namespace(c);
    let _ = writeln!(out, "## What to do\n");
    steps(out, c, !findings.is_empty());
    let quiet: Vec<String> = c
        .plan
        .namespaces
        .iter()
        .filter(|n| !findings.contains_key(n.name.as_str()))
        .map(|n| format!("{} ({})", n.name, n.enforce))
        .collect();
    if !findings.is_empty() {
        let _ = writeln!(out, "### Namespace by namespace\n");
    }
    let folded = fold(out, findings.len(), &tally(&findings));
    for (name, f) in &findings {
        namespace_markdown(out, c, name, f);
    }
    unfold(out, folded);
    let unproven = without_evidence(c, &findings);
    if !unproven.is_empty() {
        let list: Vec<String> = unproven
            .iter()
            .map(|n| {
                format!(
                    "{} ({}, intended {})",
                    n.name,
                    n.enforce,
                    n.target_level.unwrap_or(n.enforce)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Enforce stays below the level the PSPs intend, and no workload in the input shows that level is met, in {}: {}. Give their workloads as input (each counts as evidence), or pass `--enforce intended`; audit and warn already report what the stricter level would reject.\n",
            count(unproven.len(), "namespace", "namespaces"),
            cell(&capped(&list, LIST_MAX))
        );
    }
    if !quiet.is_empty() && !findings.is_empty() {
        let _ = writeln!(
            out,
            "No workload in the input needs a change in {}: {}.\n",
            count(quiet.len(), "other namespace", "other namespaces"),
            cell(&capped(&quiet, LIST_MAX))
        );
    }
}

/// `150 namespaces to look at: 150 with workloads below the intended level, ...`.
fn tally(findings: &BTreeMap<&str, Findings<'_>>) -> String {
    let with = |f: &dyn Fn(&Findings<'_>) -> bool| findings.values().filter(|x| f(x)).count();
    let parts = [
        (
            with(&|f| !f.rejected.is_empty()),
            "with workloads enforce rejects",
        ),
        (
            with(&|f| !f.holding_back.is_empty()),
            "with workloads below the intended level",
        ),
        (
            with(&|f| !f.mutated.is_empty()),
            "with workloads that relied on PSP defaults",
        ),
        (
            with(&|f| !f.denied.is_empty()),
            "with workloads the input's own PSPs denied",
        ),
    ];
    let said: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    format!(
        "{} to look at: {}",
        count(findings.len(), "namespace", "namespaces"),
        said.join(", ")
    )
}

/// The numbered commands, a dry run first, for the targets rendered.
fn steps(out: &mut String, c: &Conversion, findings: bool) {
    let has = |path: &str| c.documents.iter().any(|d| d.path == path);
    let mut steps: Vec<String> = Vec::new();
    if findings {
        steps.push("Fix, or knowingly accept, what the namespaces below list: the proposed levels reject or flag those workloads, and PSA sets none of the defaults the PSPs set.".into());
    }
    if has(LABEL_SCRIPT) {
        steps.push(format!("Dry run the labels, from the directory of this report: `sh {LABEL_SCRIPT}`. The API server answers with a warning for every running pod the new enforce level would reject; nothing is changed."));
        steps.push(format!(
            "Label the namespaces once the dry run is clean: `sh {LABEL_SCRIPT} --apply`."
        ));
    }
    if has("psa/admission-configuration.yaml") {
        let d = &c.plan.defaults;
        steps.push(format!(
            "Give the API server `psa/admission-configuration.yaml` (`--admission-control-config-file`) so that namespaces without labels get enforce {}, audit {}, warn {}.",
            d.enforce, d.audit, d.warn
        ));
    }
    for t in c.targets.iter().filter(|t| **t != "psa") {
        let test = if *t == "kyverno" {
            "`kyverno test kyverno`, then "
        } else {
            ""
        };
        steps.push(format!(
            "Check the {t} policies: {test}`kubectl apply --dry-run=server -f {t}/`; then apply them without `--dry-run`."
        ));
    }
    steps.push("Once every namespace is labelled and the warnings are gone, turn the PodSecurityPolicy admission plugin off (it is gone from Kubernetes 1.25).".into());
    for (i, s) in steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {s}", i + 1);
    }
    out.push('\n');
}

/// One namespace: its labels, then each list of workloads.
fn namespace_markdown(out: &mut String, c: &Conversion, name: &str, f: &Findings<'_>) {
    let _ = writeln!(out, "#### {}\n", cell(name));
    match plan_of(c, name) {
        Some(ns) => {
            let current = current_levels(ns)
                .map(|cur| format!("; current enforce / audit / warn: {}", cell(&cur)))
                .unwrap_or_default();
            let _ = writeln!(out, "Proposed labels: {}{current}.\n", labels(ns));
        }
        None => {
            let d = &c.plan.defaults;
            let _ = writeln!(
                out,
                "No labels proposed (not a namespace of the plan): the cluster default applies, enforce {}, audit {}, warn {}.\n",
                d.enforce, d.audit, d.warn
            );
        }
    }
    if let Some(first) = f.rejected.first() {
        let _ = writeln!(
            out,
            "- **Rejected by enforce {}**: fix these before labelling, or their next pods are refused:",
            plan_of(c, name).map_or(first.fails, |n| n.enforce)
        );
        blocker_items(out, &f.rejected);
    }
    if let Some(first) = f.holding_back.first() {
        let enforce = plan_of(c, name).map_or(Level::Privileged, |n| n.enforce);
        let _ = writeln!(
            out,
            "- **Keep enforce at {enforce}, below the intended {}**: change these fields and enforce can go up:",
            first.fails
        );
        blocker_items(out, &f.holding_back);
    }
    if !f.mutated.is_empty() {
        let _ = writeln!(
            out,
            "- **Relied on PSP defaults**: set these in the workload, since PSA never sets them:"
        );
        items(out, &f.mutated, |r| {
            format!(
                "{} (PSP {}): {}",
                cell(&workload(r)),
                cell(
                    r.psp
                        .as_deref()
                        .or(r.annotation_psp.as_deref())
                        .unwrap_or("?")
                ),
                cell(&defaults_relied_on(r))
            )
        });
    }
    if !f.denied.is_empty() {
        let _ = writeln!(
            out,
            "- **Denied by their own PSPs** under the RBAC in the input; the plan takes its levels from the PSPs and does not raise one to let them in, so fix each workload or the RBAC that should grant it a PSP:"
        );
        items(out, &f.denied, |r| {
            format!(
                "{} (service account {}): {}. {}",
                cell(&workload(r)),
                cell(&r.service_account),
                cell(&why_denied(r).join("; ")),
                cell(&sentence(&under_plan(r, c)))
            )
        });
    }
    out.push('\n');
}

/// The blockers as list items: the workload, the level it meets, the controls it fails.
fn blocker_items(out: &mut String, list: &[&Blocker]) {
    items(out, list, |b| {
        let fails: Vec<String> = b.violations.iter().map(|v| v.message.clone()).collect();
        format!(
            "{} {} (meets {}; {}): {}",
            b.kind,
            cell(&b.name),
            b.meets,
            cell(&b.source),
            cell(&fails.join("; "))
        )
    });
}

/// At most [`LIST_MAX`] nested list items, then how many more and where they all are.
fn items<T>(out: &mut String, list: &[T], show: impl Fn(&T) -> String) {
    for x in list.iter().take(LIST_MAX) {
        let _ = writeln!(out, "  - {}", show(x));
    }
    if list.len() > LIST_MAX {
        let _ = writeln!(
            out,
            "  - and {} more: `podsec-migrate audit --plan auto` with the same inputs lists every one",
            list.len() - LIST_MAX
        );
    }
}

/// The terminal lines, after the plan: per namespace, how many workloads need what; then the
/// workloads the input's own PSPs denied, with why (nothing when the input has no findings).
pub fn terminal(out: &mut String, c: &Conversion) {
    let findings = by_namespace(c);
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "What to do first (REPORT.md lists each workload and field):"
    );
    for (name, f) in findings.iter().take(LIST_MAX) {
        let mut parts = Vec::new();
        if !f.rejected.is_empty() {
            parts.push(format!(
                "{} rejected by enforce",
                count(f.rejected.len(), "workload", "workloads")
            ));
        }
        if let Some(b) = f.holding_back.first() {
            parts.push(format!(
                "{} below the intended {}",
                count(f.holding_back.len(), "workload", "workloads"),
                b.fails
            ));
        }
        if !f.mutated.is_empty() {
            parts.push(format!(
                "{} relied on PSP defaults",
                count(f.mutated.len(), "workload", "workloads")
            ));
        }
        if !f.denied.is_empty() {
            parts.push(format!(
                "{} denied by the input's own PSPs",
                count(f.denied.len(), "workload", "workloads")
            ));
        }
        let _ = writeln!(out, "  {}: {}", printable(name), parts.join(", "));
    }
    if findings.len() > LIST_MAX {
        let _ = writeln!(
            out,
            "  and {} more",
            count(findings.len() - LIST_MAX, "namespace", "namespaces")
        );
    }
    denied_terminal(out, c);
}

/// The workloads the input's own PSPs denied, each with why and what the plan does with it.
fn denied_terminal(out: &mut String, c: &Conversion) {
    if c.psp_denied.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Denied by their own PSPs under the RBAC in the input ({}); the plan takes its levels from the PSPs, not from these workloads:",
        c.psp_denied.len()
    );
    for r in c.psp_denied.iter().take(LIST_MAX) {
        let _ = writeln!(
            out,
            "  {} (service account {})",
            printable(&workload(r)),
            printable(&r.service_account)
        );
        for w in why_denied(r) {
            let _ = writeln!(out, "    {}", printable(&w));
        }
        let _ = writeln!(out, "    {}", printable(&sentence(&under_plan(r, c))));
    }
    if c.psp_denied.len() > LIST_MAX {
        let _ = writeln!(out, "  and {} more", c.psp_denied.len() - LIST_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::capped;

    #[test]
    fn long_lists_are_cut_and_counted() {
        let items: Vec<String> = (1..=5).map(|i| i.to_string()).collect();
        assert_eq!(capped(&items, 3), "1, 2, 3 and 2 more");
        assert_eq!(capped(&items, 5), "1, 2, 3, 4, 5");
    }
}
