//! The PSP defaults as Gatekeeper mutators (mutations.gatekeeper.sh/v1): `Assign` for a value,
//! `ModifySet` for a list, `AssignMetadata` for an annotation, each add-if-absent (`pathTests`
//! MustNotExist; AssignMetadata never overwrites) and each scoped to the namespaces where the
//! PSP that has the default may be used.
//!
//! User and group IDs, runAsNonRoot and SELinux options are assigned on the pod's security
//! context: a container without its own value takes the pod's, so every container ends with the
//! value the plugin gave it, and a container or pod that set one keeps it (a pathTest can only
//! test the path it assigns, not the pod level above a container, so a container-level default
//! would override a pod-level value the plugin kept). Capabilities, the read-only root
//! filesystem and privilege escalation are per container, on all three container lists.
//!
//! An AppArmor default is a per-container annotation in the PSP era, which no mutator can name;
//! it is assigned as the pod's `appArmorProfile` field (Kubernetes 1.30+), which the Rego reads
//! where a container has no annotation. What mutators cannot do (choose among PSPs, scope by
//! service account or user) is in [`super::fidelity`].

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{json, Value};

use super::parameters::selinux_options;
use crate::cel::Access;
use crate::intent::Intent;
use crate::scope::Subject;
use crate::simulate::rules::Rules;
use crate::simulate::SECCOMP_POD;

/// The container lists, in the plugin's visiting order.
pub const LISTS: [&str; 3] = ["initContainers", "containers", "ephemeralContainers"];

/// One mutator, ready for the template.
#[derive(Debug, Clone, Serialize)]
pub struct Mutator {
    /// `Assign`, `ModifySet` or `AssignMetadata`.
    pub kind: &'static str,
    pub name: String,
    /// The PSP whose default it applies.
    pub psp: String,
    /// The namespaces it applies in; `None` for every namespace.
    pub namespaces: Option<Vec<String>>,
    pub location: String,
    /// The value (Assign, AssignMetadata) or the values to merge (ModifySet), as YAML-safe JSON.
    pub value: String,
    /// Whether it applies only where the location is absent (`pathTests` MustNotExist): every
    /// Assign, and a ModifySet that replaces an absent list (an empty list counts as set).
    pub must_not_exist: bool,
}

/// Where a PSP's defaults apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Namespaces(BTreeSet<String>),
}

impl Scope {
    pub fn contains(&self, ns: &str) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::Namespaces(n) => n.contains(ns),
        }
    }
}

/// The namespaces where someone may use `psp`: a RoleBinding's namespace; for a ClusterRoleBinding
/// to a service account (or the service accounts of one namespace), that namespace; for any other
/// cluster-wide grant, every namespace.
pub fn scope(psp: &str, access: Access<'_>, all: &BTreeSet<String>) -> Scope {
    let Access::Rbac(scopes) = access else {
        return Scope::Everywhere;
    };
    let mut out = BTreeSet::new();
    for g in scopes
        .grants
        .iter()
        .filter(|g| g.psps.resolve(all).contains(psp))
    {
        match (&g.namespace, &g.subject) {
            (Some(ns), _) => {
                out.insert(ns.clone());
            }
            (None, Subject::ServiceAccount { namespace, .. }) => {
                out.insert(namespace.clone());
            }
            (None, Subject::Group(g)) if g.starts_with("system:serviceaccounts:") => {
                out.insert(g["system:serviceaccounts:".len()..].to_string());
            }
            (None, _) => return Scope::Everywhere,
        }
    }
    Scope::Namespaces(out)
}

/// Every mutator, PSPs in name order.
pub fn mutators(intents: &[Intent], access: Access<'_>) -> Vec<Mutator> {
    let mut sorted: Vec<&Intent> = intents.iter().collect();
    sorted.sort_by(|a, b| a.psp.cmp(&b.psp));
    let all: BTreeSet<String> = sorted.iter().map(|i| i.psp.clone()).collect();
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    for intent in sorted {
        let r = Rules::of(intent);
        if !r.unusable().is_empty() {
            continue;
        }
        let namespaces = match scope(&intent.psp, access, &all) {
            Scope::Everywhere => None,
            Scope::Namespaces(n) if n.is_empty() => continue,
            Scope::Namespaces(n) => Some(n.into_iter().collect()),
        };
        let base = unique_slug(&intent.psp, &mut taken);
        for (kind, suffix, location, value) in of_rules(&r) {
            let must_not_exist = kind == "Assign" || suffix == "supplemental-groups";
            out.push(Mutator {
                must_not_exist,
                kind,
                name: format!("{base}-{suffix}"),
                psp: intent.psp.clone(),
                namespaces: namespaces.clone(),
                location,
                value: crate::render::yaml_safe_json(&value.to_string()),
            });
        }
    }
    out
}

/// (kind, name suffix, location, value) of every default of `r`.
fn of_rules(r: &Rules) -> Vec<(&'static str, String, String, Value)> {
    let d = &r.defaults;
    let mut out = Vec::new();
    let mut pod = |field: &str, suffix: &str, value: Value| {
        out.push((
            "Assign",
            suffix.to_string(),
            format!("spec.securityContext.{field}"),
            value,
        ));
    };
    if let Some(uid) = d.run_as_user {
        pod("runAsUser", "run-as-user", json!(uid));
    }
    if let Some(gid) = d.run_as_group {
        pod("runAsGroup", "run-as-group", json!(gid));
    }
    if d.run_as_non_root {
        pod("runAsNonRoot", "run-as-non-root", json!(true));
    }
    if let Some(gid) = d.fs_group {
        pod("fsGroup", "fs-group", json!(gid));
    }
    if let Some(o) = &d.selinux {
        pod("seLinuxOptions", "selinux-options", selinux_options(o));
    }
    if let Some(gid) = d.supplemental_group {
        out.push((
            "ModifySet",
            "supplemental-groups".into(),
            "spec.securityContext.supplementalGroups".into(),
            json!([gid]),
        ));
    }
    if let Some(name) = &d.runtime_class {
        out.push((
            "Assign",
            "runtime-class".into(),
            "spec.runtimeClassName".into(),
            json!(name),
        ));
    }
    if let Some(profile) = &d.seccomp {
        out.push((
            "AssignMetadata",
            "seccomp".into(),
            format!("metadata.annotations.\"{SECCOMP_POD}\""),
            json!(profile),
        ));
    }
    if let Some(field) = d.apparmor.as_deref().and_then(apparmor_field) {
        out.push((
            "Assign",
            "apparmor".into(),
            "spec.securityContext.appArmorProfile".into(),
            field,
        ));
    }
    for list in LISTS {
        let at = |f: &str| format!("spec.{list}[name:*].securityContext.{f}");
        let short = match list {
            "initContainers" => "init",
            "containers" => "app",
            _ => "ephemeral",
        };
        if !d.add_caps.is_empty() {
            out.push((
                "ModifySet",
                format!("{short}-add-capabilities"),
                at("capabilities.add"),
                json!(d.add_caps),
            ));
        }
        if !d.drop_caps.is_empty() {
            out.push((
                "ModifySet",
                format!("{short}-drop-capabilities"),
                at("capabilities.drop"),
                json!(d.drop_caps),
            ));
        }
        if d.read_only_root {
            out.push((
                "Assign",
                format!("{short}-read-only-root-filesystem"),
                at("readOnlyRootFilesystem"),
                json!(true),
            ));
        }
        if let Some(v) = d.allow_escalation {
            out.push((
                "Assign",
                format!("{short}-allow-privilege-escalation"),
                at("allowPrivilegeEscalation"),
                json!(v),
            ));
        }
    }
    out
}

/// The pod's `appArmorProfile` field (Kubernetes 1.30+) that stands for an AppArmor annotation
/// value; `None` for a value no field expresses.
pub fn apparmor_field(profile: &str) -> Option<Value> {
    match profile {
        "runtime/default" => Some(json!({"type": "RuntimeDefault"})),
        "unconfined" => Some(json!({"type": "Unconfined"})),
        _ => profile
            .strip_prefix("localhost/")
            .filter(|p| !p.is_empty())
            .map(|p| json!({"type": "Localhost", "localhostProfile": p})),
    }
}

/// `podsec-<psp>`, lower-cased, every character a name may not hold replaced by `-`, made
/// unique with a numeric suffix.
fn unique_slug(psp: &str, taken: &mut BTreeSet<String>) -> String {
    let mut slug = String::new();
    for c in psp.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    let slug: String = slug.chars().take(180).collect();
    let base = if slug.is_empty() {
        "podsec".to_string()
    } else {
        format!("podsec-{slug}")
    };
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// `mutators.yaml` for `mutators`, naming the PSPs `psps` in its header.
pub fn yaml(psps: &[String], mutators: &[Mutator]) -> String {
    let mut ctx = tera::Context::new();
    ctx.insert("tool_version", env!("CARGO_PKG_VERSION"));
    ctx.insert("psps", psps);
    ctx.insert("mutators", mutators);
    crate::render::render("gatekeeper/mutators.yaml", &ctx)
}

/// The mutators of `intents` under `access`, as the documents `mutators.yaml` holds (what
/// `verify` and the tests apply).
pub fn documents(intents: &[Intent], access: Access<'_>) -> Vec<Value> {
    let text = yaml(&[], &mutators(intents, access));
    crate::load::yaml::parse_documents(&text)
        .map(|docs| {
            docs.into_iter()
                .map(|d| d.value)
                .filter(|v| v.get("kind").is_some())
                .collect()
        })
        .unwrap_or_default()
}
