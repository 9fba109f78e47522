//! The cluster-wide part of the plan: `PodSecurityConfiguration` defaults (what applies to
//! namespaces without labels) and exemptions, each with the reason it exists.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::current::{current_labels, respect_current};
use super::plan::{
    audit_level, plan_namespace, version_label, EnforceFrom, NamespacePlan, Observed, PlanOptions,
    PspLevels,
};
use crate::load::Loaded;
use crate::pss::Level;
use crate::scope::{Scopes, Subject};

/// Groups a cluster-wide grant must name to reach every pod: all service accounts.
const EVERYONE: [&str; 2] = ["system:authenticated", "system:serviceaccounts"];

/// The defaults for namespaces without labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Defaults {
    pub enforce: Level,
    pub audit: Level,
    pub warn: Level,
    pub version: String,
    /// The PSPs granted to every service account in every namespace.
    pub psps: Vec<String>,
    pub why: String,
}

/// One exemption and why it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exemption {
    pub value: String,
    pub why: String,
}

/// Everything Pod Security Admission needs, for the whole cluster.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterPlan {
    pub k8s_version: String,
    /// `pod-security.admission.config.k8s.io/<v>` for the target version.
    pub config_api_version: String,
    pub defaults: Defaults,
    pub namespaces: Vec<NamespacePlan>,
    pub exempt_usernames: Vec<Exemption>,
    pub exempt_namespaces: Vec<Exemption>,
    pub exempt_runtime_classes: Vec<Exemption>,
    /// Grants PSA cannot express at all (to groups of people), and other cluster-wide remarks.
    pub notes: Vec<String>,
}

/// The config API version Kubernetes `minor` reads.
fn config_api_version(minor: u32) -> &'static str {
    match minor {
        0..=22 => "pod-security.admission.config.k8s.io/v1alpha1",
        23 | 24 => "pod-security.admission.config.k8s.io/v1beta1",
        _ => "pod-security.admission.config.k8s.io/v1",
    }
}

/// Plans every namespace the input mentions, the defaults and the exemptions.
pub fn cluster_plan(
    loaded: &Loaded,
    scopes: &Scopes,
    levels: &BTreeMap<String, PspLevels>,
    observed: &[Observed],
    opts: &PlanOptions,
) -> ClusterPlan {
    let all: BTreeSet<String> = levels.keys().cloned().collect();
    let mut current = current_labels(loaded);
    let namespaces: Vec<NamespacePlan> = crate::scope::namespaces_in(loaded)
        .into_iter()
        .map(|ns| {
            let seen = observed
                .iter()
                .filter(|o| o.namespace == ns)
                .cloned()
                .collect();
            let mut plan = plan_namespace(
                &ns,
                &scopes.usable_in_namespace(&ns, &all),
                levels,
                seen,
                opts,
            );
            if let Some(labels) = current.remove(&ns) {
                respect_current(&mut plan, labels, opts.allow_loosen);
            }
            plan
        })
        .collect();
    let defaults = defaults(scopes, levels, &all, opts);
    let mut notes = Vec::new();
    let minor = opts.k8s_version.effective_minor();
    if minor < 22 {
        notes.push(format!(
            "Pod Security Admission arrived in Kubernetes 1.22; v1.{minor} does not have it"
        ));
    }
    let exempt_usernames =
        user_exemptions(scopes, levels, &all, &namespaces, &defaults, &mut notes);
    ClusterPlan {
        k8s_version: opts.k8s_version.pinned(),
        config_api_version: config_api_version(minor).into(),
        defaults,
        namespaces,
        exempt_usernames,
        exempt_namespaces: Vec::new(),
        exempt_runtime_classes: Vec::new(),
        notes,
    }
}

/// Defaults from the PSPs granted cluster-wide to every service account.
fn defaults(
    scopes: &Scopes,
    levels: &BTreeMap<String, PspLevels>,
    all: &BTreeSet<String>,
    opts: &PlanOptions,
) -> Defaults {
    let psps: BTreeSet<String> = scopes
        .grants
        .iter()
        .filter(|g| {
            g.namespace.is_none()
                && matches!(&g.subject, Subject::Group(n) if EVERYONE.contains(&n.as_str()))
        })
        .flat_map(|g| g.psps.resolve(all))
        .collect();
    let known = || psps.iter().filter_map(|p| levels.get(p));
    let safe = known().map(|l| l.compatible).min();
    let intended = known().map(|l| l.intended).min();
    let (enforce, why) = match (safe, intended, opts.enforce) {
        (Some(_), Some(l), EnforceFrom::Intended) => (l, format!("every service account may use {} cluster-wide; the least restrictive intends {l} (--enforce intended)", join(&psps))),
        (Some(l), _, _) => (l, format!("every service account may use {} cluster-wide; the least restrictive is compatible with {l}", join(&psps))),
        _ => (
            Level::Restricted,
            "no PSP is granted to every service account: pods in namespaces not listed here could not run under PSP; restricted is the closest".into(),
        ),
    };
    let step = audit_level(enforce, intended, opts.audit_step);
    Defaults {
        enforce,
        audit: step,
        warn: step,
        version: version_label(opts),
        psps: psps.into_iter().collect(),
        why,
    }
}

/// Users granted a PSP looser than where the grant applies get a username exemption; grants
/// to groups of people cannot be expressed and become notes.
fn user_exemptions(
    scopes: &Scopes,
    levels: &BTreeMap<String, PspLevels>,
    all: &BTreeSet<String>,
    namespaces: &[NamespacePlan],
    defaults: &Defaults,
    notes: &mut Vec<String>,
) -> Vec<Exemption> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for g in &scopes.grants {
        let granted = g.psps.resolve(all);
        let Some(level) = granted
            .iter()
            .filter_map(|p| levels.get(p))
            .map(|l| l.compatible)
            .min()
        else {
            continue;
        };
        let applies = match &g.namespace {
            Some(ns) => namespaces
                .iter()
                .find(|n| &n.name == ns)
                .map(|n| n.enforce)
                .unwrap_or(defaults.enforce),
            // A grant everywhere matters wherever enforce is strictest.
            None => namespaces
                .iter()
                .map(|n| n.enforce)
                .chain([defaults.enforce])
                .max()
                .unwrap_or(defaults.enforce),
        };
        let place = g
            .namespace
            .as_deref()
            .map(|n| format!("namespace {n}"))
            .unwrap_or_else(|| "every namespace".into());
        match &g.subject {
            Subject::User(u) if level < applies && u.starts_with("system:serviceaccount:") => {
                notes.push(format!(
                    "{u} (a service account named as a user) may use {} ({level}) in {place} via {}; as the requesting user of pods it creates, PSA cannot keep this apart from its namespace's level",
                    join(&granted),
                    g.via
                ));
            }
            Subject::User(u) if level < applies => {
                out.entry(u.clone()).or_default().push(format!(
                    "may use {} ({level}) in {place} via {}, looser than enforce {applies} there",
                    join(&granted),
                    g.via
                ));
            }
            Subject::Group(name)
                if level < applies
                    && !name.starts_with("system:serviceaccounts")
                    && !EVERYONE.contains(&name.as_str()) =>
            {
                notes.push(format!(
                    "group {name} may use {} ({level}) in {place} via {}: PSA cannot exempt groups; its members' pods are held to {applies}",
                    join(&granted),
                    g.via
                ));
            }
            _ => {}
        }
    }
    out.into_iter()
        .map(|(u, why)| Exemption {
            value: u,
            why: format!(
                "{}; PSA exemptions are cluster-wide and skip every check for pods this user creates directly, in every namespace",
                why.join("; ")
            ),
        })
        .collect()
}

fn join(names: &BTreeSet<String>) -> String {
    names.iter().cloned().collect::<Vec<_>>().join(", ")
}
