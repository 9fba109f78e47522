//! Kubewarden: the PSPs as Kubewarden's PSP policy modules (WebAssembly, pinned in
//! [`modules`]), each PSP field carried whole into the settings of the module that checks it
//! ([`settings`]).
//!
//! The default form (`--kubewarden-form group`) writes one `ClusterAdmissionPolicyGroup`
//! (policies.kubewarden.io/v1) per [scope](scope): a set of namespaces sharing one set of
//! usable PSPs, selected by `kubernetes.io/metadata.name`. Its `expression` ORs those PSPs, each
//! the AND of its members ([`group`]), so a pod is admitted when some PSP usable in its
//! namespace admits it, as the plugin did. A group cannot mutate: the PSP defaults are lost in
//! this form, and the fidelity rows say so.
//!
//! `--kubewarden-form policies`, for Kubewarden releases without groups, writes plain
//! `ClusterAdmissionPolicy` objects. Kubewarden admits a pod only when every policy matching it
//! does: plain policies AND, and PSPs cannot be OR-ed. So each scope gets the members of ONE of
//! its PSPs, the least restrictive by compatible Pod Security level (then by name): pods of that
//! scope are judged by that PSP alone, exactly where it is the only one usable. The other PSPs
//! usable there are not enforced in that scope (their rows say `lost`, naming where), and a
//! scope where no PSP is usable gets no policy (the plugin refused every pod there; the catch-
//! all scope's row says so). The modules that can mutate do so in this form (`mutating: true`)
//! and apply the chosen PSP's defaults they know.
//!
//! Both forms match Pods on CREATE and UPDATE, as PSP judged pods: a pod controller is not
//! refused when created; its pods are, when it creates them.

mod fidelity;
pub mod group;
pub mod modules;
pub mod scope;
pub mod settings;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tera::Context;

use super::{Input, Rendered, Target};
use crate::intent::Intent;
use crate::levels::PolicyLevels;
use crate::render::{render, Document};
use scope::{Namespaces, Scope};
use settings::Member;

/// The target's name in reports and its output folder.
pub const TARGET: &str = "kubewarden";

/// Which Kubewarden objects are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// One ClusterAdmissionPolicyGroup per scope, OR-ing its PSPs (no mutation).
    #[default]
    Group,
    /// Plain ClusterAdmissionPolicy objects: one PSP per scope, with its defaults.
    Policies,
}

/// Kubewarden as a [`Target`].
pub struct Kubewarden;

impl Target for Kubewarden {
    fn name(&self) -> &'static str {
        TARGET
    }

    fn about(&self) -> &'static str {
        "Kubewarden: a ClusterAdmissionPolicyGroup per namespace scope, OR-ing the usable PSPs, each the AND of Kubewarden's PSP modules"
    }

    fn render(&self, input: &Input<'_>) -> Rendered {
        let form = input.options.kubewarden_form;
        let scopes = scopes(input);
        let chosen = chosen(&scopes, input.intents, input.levels);
        Rendered {
            documents: documents(input.intents, &scopes, form, input.levels, &chosen),
            fidelity: fidelity::reports(input, &scopes, form, &chosen),
        }
    }
}

/// The scopes of the input: its RBAC over the namespaces it names.
pub fn scopes(input: &Input<'_>) -> Vec<Scope> {
    let psps: BTreeSet<String> = input.intents.iter().map(|i| i.psp.clone()).collect();
    let known = crate::scope::namespaces_in(input.loaded);
    scope::scopes(input.scopes, &psps, &known)
}

/// The PSP each scope is judged by in the `policies` form, by scope name: of those the plugin
/// could use, the least restrictive compatible level, then the first name.
pub fn chosen(
    scopes: &[Scope],
    intents: &[Intent],
    levels: &[PolicyLevels],
) -> BTreeMap<String, String> {
    let usable: BTreeSet<&str> = intents
        .iter()
        .filter(|i| settings::usable(i))
        .map(|i| i.psp.as_str())
        .collect();
    scopes
        .iter()
        .filter_map(|s| {
            let candidates = s.psps.iter().filter(|p| usable.contains(p.as_str()));
            let pick = candidates.min_by_key(|p| {
                let level = levels
                    .iter()
                    .find(|l| &l.name == *p)
                    .map(|l| l.compatible_level);
                (level, (*p).clone())
            })?;
            Some((s.name.clone(), pick.clone()))
        })
        .collect()
}

/// The target's documents: a group per scope, or the chosen PSP's policies per scope.
pub fn documents(
    intents: &[Intent],
    scopes: &[Scope],
    form: Form,
    levels: &[PolicyLevels],
    chosen: &BTreeMap<String, String>,
) -> Vec<Document> {
    let members: BTreeMap<&str, Option<Vec<Member>>> = intents
        .iter()
        .map(|i| {
            let m = settings::usable(i).then(|| settings::members(i, form));
            (i.psp.as_str(), m)
        })
        .collect();
    let ids = group::psp_ids(intents);
    let mut base = Context::new();
    base.insert("tool_version", env!("CARGO_PKG_VERSION"));
    let level = |p: &str| {
        levels
            .iter()
            .find(|l| l.name == p)
            .map(|l| l.compatible_level)
    };
    let mut out = Vec::new();
    for s in scopes {
        let mut ctx = base.clone();
        ctx.insert("name", &s.name);
        ctx.insert("where", &s.namespaces.describe());
        ctx.insert("selector", &selector(&s.namespaces));
        match form {
            Form::Group => {
                let psps: Vec<(&str, Option<&[Member]>)> = s
                    .psps
                    .iter()
                    .map(|p| (ids[p].as_str(), members[p.as_str()].as_deref()))
                    .collect();
                out.push(group_document(&ctx, s, &psps));
            }
            Form::Policies => {
                let Some(psp) = chosen.get(&s.name) else {
                    continue;
                };
                ctx.insert("psp", psp);
                ctx.insert("level", &level(psp));
                let others: Vec<&String> = s.psps.iter().filter(|p| *p != psp).collect();
                ctx.insert("others", &others);
                for m in members[psp.as_str()].iter().flatten() {
                    out.push(policy_document(&ctx, s, m));
                }
            }
        }
    }
    out
}

/// The `namespaceSelector` of a scope, when it selects less than every namespace.
#[derive(Debug, Serialize)]
struct Selector<'a> {
    operator: &'static str,
    values: &'a [String],
}

/// The selector of `n`; none for every namespace.
fn selector(n: &Namespaces) -> Option<Selector<'_>> {
    match n {
        Namespaces::In(v) => Some(Selector {
            operator: "In",
            values: v,
        }),
        Namespaces::NotIn(v) if v.is_empty() => None,
        Namespaces::NotIn(v) => Some(Selector {
            operator: "NotIn",
            values: v,
        }),
    }
}

/// One member as the template writes it.
#[derive(Debug, Serialize)]
struct Written<'a> {
    name: String,
    module: String,
    mutating: bool,
    settings: &'a serde_json::Value,
}

/// The ClusterAdmissionPolicyGroup of a scope.
fn group_document(base: &Context, s: &Scope, psps: &[(&str, Option<&[Member]>)]) -> Document {
    let mut ctx = base.clone();
    let written: Vec<Written> = psps
        .iter()
        .flat_map(|(id, members)| {
            members.iter().copied().flatten().map(move |m| Written {
                name: group::member_name(id, m.module),
                module: m.module.reference(),
                mutating: false,
                settings: &m.settings,
            })
        })
        .collect();
    let names: Vec<&String> = s.psps.iter().collect();
    ctx.insert("psps", &names);
    ctx.insert("members", &written);
    ctx.insert("expression", &group::expression(psps));
    ctx.insert("message", &message(s));
    Document {
        path: format!("{TARGET}/{}.yaml", s.name),
        content: render("kubewarden/cluster-admission-policy-group.yaml", &ctx),
    }
}

/// What a refused pod is told.
fn message(s: &Scope) -> String {
    if s.psps.is_empty() {
        return "no PodSecurityPolicy was usable here: the PSP admission plugin refused every pod"
            .into();
    }
    let names: Vec<&str> = s.psps.iter().map(String::as_str).collect();
    format!(
        "no PodSecurityPolicy usable in this namespace admits the pod (tried: {})",
        names.join(", ")
    )
}

/// One ClusterAdmissionPolicy: one module of a scope's chosen PSP.
fn policy_document(base: &Context, s: &Scope, m: &Member) -> Document {
    let mut ctx = base.clone();
    let name = format!("{}-{}", s.name, m.module.name);
    ctx.insert("policy_name", &name);
    ctx.insert("module", &m.module.reference());
    ctx.insert("mutating", &m.module.mutates);
    ctx.insert("settings", &m.settings);
    Document {
        path: format!("{TARGET}/{name}.yaml"),
        content: render("kubewarden/cluster-admission-policy.yaml", &ctx),
    }
}
