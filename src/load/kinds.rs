//! Kind dispatch: which objects the tool reads, into which types.

use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Loaded, Locator, Object, Source, Workload};
use crate::diag::Diagnostic;
use crate::psp::Psp;

/// The objects the tool understands.
#[derive(Debug, Clone)]
pub enum ObjectKind {
    PodSecurityPolicy(Box<Psp>),
    Role(Box<Role>),
    ClusterRole(Box<ClusterRole>),
    RoleBinding(Box<RoleBinding>),
    ClusterRoleBinding(Box<ClusterRoleBinding>),
    Namespace(Box<Namespace>),
    ServiceAccount(Box<ServiceAccount>),
    Pod(Box<Pod>),
    Workload(Box<Workload>),
}

impl ObjectKind {
    /// The kind, as Kubernetes spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            ObjectKind::PodSecurityPolicy(_) => "PodSecurityPolicy",
            ObjectKind::Role(_) => "Role",
            ObjectKind::ClusterRole(_) => "ClusterRole",
            ObjectKind::RoleBinding(_) => "RoleBinding",
            ObjectKind::ClusterRoleBinding(_) => "ClusterRoleBinding",
            ObjectKind::Namespace(_) => "Namespace",
            ObjectKind::ServiceAccount(_) => "ServiceAccount",
            ObjectKind::Pod(_) => "Pod",
            ObjectKind::Workload(w) => w.kind(),
        }
    }
}

/// Reads one object; unknown kinds are counted in `loaded.skipped`, bad ones become diagnostics.
pub fn decode(
    value: Value,
    source: Source,
    locator: Locator,
    loaded: &mut Loaded,
) -> Option<Object> {
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if api_version.is_empty() || kind.is_empty() {
        let missing = if api_version.is_empty() {
            "apiVersion"
        } else {
            "kind"
        };
        loaded.diagnostics.push(Diagnostic::error(
            locator.at(""),
            missing,
            format!("missing {missing}: every Kubernetes object needs apiVersion and kind"),
        ));
        return None;
    }
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    let value = canonical_version(
        value,
        group,
        &kind,
        &api_version,
        &locator,
        &mut loaded.diagnostics,
    );
    let diags = &mut loaded.diagnostics;
    let parsed = match (group, kind.as_str()) {
        ("policy" | "extensions", "PodSecurityPolicy") => {
            let api_version = psp_version(&api_version, &locator, diags);
            crate::psp::parse(&value, &api_version, &locator, diags)
                .map(|p| ObjectKind::PodSecurityPolicy(Box::new(p)))
        }
        ("rbac.authorization.k8s.io", "Role") => {
            typed(value, &locator, diags).map(ObjectKind::Role)
        }
        ("rbac.authorization.k8s.io", "ClusterRole") => {
            typed(value, &locator, diags).map(ObjectKind::ClusterRole)
        }
        ("rbac.authorization.k8s.io", "RoleBinding") => {
            typed(value, &locator, diags).map(ObjectKind::RoleBinding)
        }
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => {
            typed(value, &locator, diags).map(ObjectKind::ClusterRoleBinding)
        }
        ("", "Namespace") => typed(value, &locator, diags).map(ObjectKind::Namespace),
        ("", "ServiceAccount") => typed(value, &locator, diags).map(ObjectKind::ServiceAccount),
        ("", "Pod") => typed(value, &locator, diags).map(ObjectKind::Pod),
        ("", "PodTemplate") => workload(value, &locator, diags, Workload::PodTemplate),
        ("", "ReplicationController") => {
            workload(value, &locator, diags, Workload::ReplicationController)
        }
        ("apps", "Deployment") => workload(value, &locator, diags, Workload::Deployment),
        ("apps", "StatefulSet") => workload(value, &locator, diags, Workload::StatefulSet),
        ("apps", "DaemonSet") => workload(value, &locator, diags, Workload::DaemonSet),
        ("apps", "ReplicaSet") => workload(value, &locator, diags, Workload::ReplicaSet),
        ("batch", "Job") => workload(value, &locator, diags, Workload::Job),
        ("batch", "CronJob") => workload(value, &locator, diags, Workload::CronJob),
        _ => {
            if let Some(d) = near_miss(group, &api_version, &kind, &locator) {
                loaded.diagnostics.push(d);
            }
            *loaded
                .skipped
                .entry(format!("{api_version}/{kind}"))
                .or_default() += 1;
            return None;
        }
    };
    parsed.map(|kind| Object {
        source,
        locator,
        kind,
    })
}

/// The kinds this tool reads, with their API group.
const KINDS: [(&str, &str); 16] = [
    ("policy", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("", "Namespace"),
    ("", "ServiceAccount"),
    ("", "Pod"),
    ("", "PodTemplate"),
    ("", "ReplicationController"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
];

/// The kind this tool reads that `kind` is a slip of: another case, a plural, or a typo (an
/// edit distance of at most one per five letters, so `Node` is not taken for `Role`).
fn kind_meant(kind: &str) -> Option<&'static str> {
    let lower = kind.to_ascii_lowercase();
    KINDS.iter().map(|(_, k)| *k).find(|k| {
        let known = k.to_ascii_lowercase();
        let plural = [
            format!("{known}s"),
            format!("{known}es"),
            known
                .strip_suffix('y')
                .map(|stem| format!("{stem}ies"))
                .unwrap_or_default(),
        ];
        lower == known
            || plural.contains(&lower)
            || crate::psp::edit_distance(&lower, &known) <= (known.len() / 5).max(1)
    })
}

/// A kind this tool does not read but that looks like a slip for one it does
/// (`PodSecurityPolicies`, `Deploymnet`): an error in a group whose kinds it reads (the object
/// would otherwise be left out, and kubectl would refuse it), a warning in any other group (a
/// custom resource may be named so on purpose). `None` when it is not close to any.
fn near_miss(group: &str, api_version: &str, kind: &str, locator: &Locator) -> Option<Diagnostic> {
    let meant = kind_meant(kind).filter(|m| *m != kind)?;
    let our_group = KINDS.iter().any(|(g, _)| *g == group) || group == "extensions";
    let message = format!(
        "kind {kind:?} ({api_version}) is not a kind podsec-migrate reads; did you mean {meant:?}?"
    );
    Some(if our_group {
        Diagnostic::error(
            locator.at("kind"),
            "kind",
            format!("{message} The API server has no such kind, so this object would be left out"),
        )
    } else {
        Diagnostic::warning(
            locator.at("kind"),
            "kind",
            format!("{message} Skipped, as a custom resource"),
        )
    })
}

/// The version a PodSecurityPolicy is read at: the one given, or, for a version PSP never had
/// (`policy/v1`: PodSecurityPolicy was served only as policy/v1beta1 and extensions/v1beta1),
/// policy/v1beta1 with a warning, since what it means is plain.
fn psp_version(api_version: &str, locator: &Locator, diags: &mut Vec<Diagnostic>) -> String {
    if matches!(api_version, "policy/v1beta1" | "extensions/v1beta1") {
        return api_version.to_string();
    }
    diags.push(Diagnostic::warning(
        locator.at("apiVersion"),
        "apiVersion",
        format!("PodSecurityPolicy {api_version} never existed (the API served PodSecurityPolicy only as policy/v1beta1 and extensions/v1beta1, and no version of it after 1.24); read as policy/v1beta1"),
    ));
    "policy/v1beta1".to_string()
}

/// The version k8s-openapi reads for each group this tool reads typed.
fn served_version(group: &str) -> Option<&'static str> {
    match group {
        "" => Some("v1"),
        "rbac.authorization.k8s.io" => Some("rbac.authorization.k8s.io/v1"),
        "apps" => Some("apps/v1"),
        "batch" => Some("batch/v1"),
        _ => None,
    }
}

/// Older versions of RBAC, apps and batch kinds (v1beta1, v1beta2) have the same shape for every
/// field this tool reads: they are read as v1, with a warning that says so.
fn canonical_version(
    mut value: Value,
    group: &str,
    kind: &str,
    api_version: &str,
    locator: &Locator,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let Some(v1) = served_version(group) else {
        return value;
    };
    if api_version != v1 && kind != "PodSecurityPolicy" {
        diags.push(Diagnostic::warning(
            locator.at("apiVersion"),
            "apiVersion",
            format!("{kind} {api_version} is no longer served by Kubernetes; read as {v1}"),
        ));
        value["apiVersion"] = Value::String(v1.to_string());
    }
    value
}

/// Deserializes into a k8s-openapi type; a failure names the field that failed.
fn typed<T: DeserializeOwned>(
    value: Value,
    locator: &Locator,
    diags: &mut Vec<Diagnostic>,
) -> Option<Box<T>> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(t) => Some(Box::new(t)),
        Err(e) => {
            let field = e.path().to_string();
            let field = if field == "." { String::new() } else { field };
            diags.push(Diagnostic::error(
                locator.at(&field),
                field.clone(),
                e.into_inner().to_string(),
            ));
            None
        }
    }
}

fn workload<T: DeserializeOwned>(
    value: Value,
    locator: &Locator,
    diags: &mut Vec<Diagnostic>,
    wrap: fn(T) -> Workload,
) -> Option<ObjectKind> {
    typed::<T>(value, locator, diags).map(|t| ObjectKind::Workload(Box::new(wrap(*t))))
}
