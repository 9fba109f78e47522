//! Workloads the input's own PSPs already denied: upstream mistakes such as a DaemonSet that
//! outgrew its PSP, or a service account bound to no PSP. The conversion names each one, says
//! why the PSP admission plugin refused it (under the RBAC in the input), and what the plan
//! does with it, instead of leaving a level that admits it unexplained.

use std::fmt::Write;

use super::markdown::{cell, table};
use super::printable;
use crate::convert::Conversion;
use crate::pss::Level;
use crate::replay::SimResult;

/// `Kind namespace/name` of a simulated workload.
fn workload(r: &SimResult) -> String {
    format!(
        "{} {}/{}",
        r.kind,
        r.namespace,
        r.name.as_deref().unwrap_or("(unnamed)")
    )
}

/// Why the plugin refused it: the reason, then each PSP's denial.
fn why(r: &SimResult) -> Vec<String> {
    let mut out = vec![r.reason.clone().unwrap_or_else(|| "denied".into())];
    out.extend(
        r.denials
            .iter()
            .map(|d| format!("{}: {}: {}", d.psp, d.field, d.message)),
    );
    out
}

/// What the plan does with it: the enforce level of its namespace, and whether the workload
/// meets that level (so PSA blocks it as PSP did) or not (PSA would run what PSP refused).
fn under_plan(r: &SimResult, c: &Conversion) -> String {
    let Some(ns) = c.plan.namespaces.iter().find(|n| n.name == r.namespace) else {
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

/// The terminal lines, after the plan (nothing when no workload was denied).
pub fn terminal(out: &mut String, c: &Conversion) {
    if c.psp_denied.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Denied by their own PSPs under the RBAC in the input ({}); the plan takes its levels from the PSPs, not from these workloads:",
        c.psp_denied.len()
    );
    for r in &c.psp_denied {
        let _ = writeln!(
            out,
            "  {} (service account {})",
            printable(&workload(r)),
            printable(&r.service_account)
        );
        for w in why(r) {
            let _ = writeln!(out, "    {}", printable(&w));
        }
        let _ = writeln!(out, "    {}", printable(&under_plan(r, c)));
    }
}

/// The REPORT.md section (nothing when no workload was denied).
pub fn markdown(out: &mut String, c: &Conversion) {
    if c.psp_denied.is_empty() {
        return;
    }
    let _ = writeln!(out, "## What to do: workloads their own PSPs denied\n");
    let _ = writeln!(out, "The PSP admission plugin, under the RBAC in the input, admitted none of these workloads' pods. The plan takes its levels from the PSPs and does not raise a level to let them in; fix each workload or the RBAC that should grant it a PSP.\n");
    table(
        out,
        &[
            "workload",
            "service account",
            "why PSP denied it",
            "under this plan",
        ],
        c.psp_denied.iter().map(|r| {
            let why: Vec<String> = why(r).iter().map(|w| cell(w)).collect();
            vec![
                cell(&workload(r)),
                cell(&r.service_account),
                why.join("<br>"),
                cell(&under_plan(r, c)),
            ]
        }),
    );
    out.push('\n');
}
