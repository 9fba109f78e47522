//! Who may use a PSP, as CEL: the pod's service account in the pod's namespace, or the
//! requesting user and groups (`request.userInfo`), through the RBAC grants of the input, as the
//! admission plugin asked the authorizer.

use super::lit;
use crate::scope::{Grant, Scopes, Subject};

/// Which PSPs a pod may use.
#[derive(Debug, Clone, Copy)]
pub enum Access<'a> {
    /// Every PSP, for everyone (the input holds no RBAC, or RBAC is ignored on request).
    Everyone,
    /// As the RBAC grants say.
    Rbac(&'a Scopes),
}

const SA_PREFIX: &str = "system:serviceaccount:";

/// The CEL condition under which `psp` may be used (`all` names every PSP of the input).
pub fn usable(access: Access<'_>, psp: &str, all: &std::collections::BTreeSet<String>) -> String {
    let Access::Rbac(scopes) = access else {
        return "true".into();
    };
    let mut parts: Vec<String> = scopes
        .grants
        .iter()
        .filter(|g| g.psps.resolve(all).contains(psp))
        .map(grant)
        .collect();
    parts.sort();
    parts.dedup();
    if parts.is_empty() {
        "false".into()
    } else if parts.iter().any(|p| p == "true") {
        "true".into()
    } else {
        parts.join(" ||\n")
    }
}

/// One grant: its namespace (when a RoleBinding made it) and its subject.
fn grant(g: &Grant) -> String {
    let who = subject(&g.subject);
    match &g.namespace {
        Some(ns) => format!("(variables.namespace == {} && {who})", lit::string(ns)),
        None => who,
    }
}

/// The pod's service account as an identity, or the requesting user, is `s`.
fn subject(s: &Subject) -> String {
    match s {
        Subject::ServiceAccount { namespace, name } => service_account(namespace, name),
        Subject::User(u) => match u.strip_prefix(SA_PREFIX).and_then(|r| r.split_once(':')) {
            Some((ns, name)) => service_account(ns, name),
            None => format!("request.userInfo.username == {}", lit::string(u)),
        },
        Subject::Group(g) => {
            let pod_side = match g.as_str() {
                "system:authenticated" | "system:serviceaccounts" => Some("true".to_string()),
                other => other
                    .strip_prefix("system:serviceaccounts:")
                    .map(|ns| format!("variables.namespace == {}", lit::string(ns))),
            };
            let user_side = format!(
                "(has(request.userInfo.groups) && {} in request.userInfo.groups)",
                lit::string(g)
            );
            match pod_side.as_deref() {
                Some("true") => "true".into(),
                Some(p) => format!("({p} || {user_side})"),
                None => user_side,
            }
        }
    }
}

/// The pod's own service account `ns/name`, or a request made by it.
fn service_account(ns: &str, name: &str) -> String {
    format!(
        "((variables.namespace == {} && variables.serviceAccount == {}) || request.userInfo.username == {})",
        lit::string(ns),
        lit::string(name),
        lit::string(&format!("{SA_PREFIX}{ns}:{name}"))
    )
}
