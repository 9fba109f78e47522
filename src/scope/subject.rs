//! RBAC subjects and the identities they match.

use k8s_openapi::api::rbac::v1::Subject as RbacSubject;

/// Who a grant is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "kind", rename_all = "PascalCase")]
pub enum Subject {
    ServiceAccount { namespace: String, name: String },
    User(String),
    Group(String),
}

impl Subject {
    /// Reads an RBAC subject; a service account without a namespace is in the binding's
    /// namespace. Unknown kinds give `None`.
    pub fn from_rbac(s: &RbacSubject, binding_ns: Option<&str>) -> Option<Subject> {
        match s.kind.as_str() {
            "ServiceAccount" => {
                let ns = s
                    .namespace
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .or(binding_ns)?;
                Some(Subject::ServiceAccount {
                    namespace: ns.to_string(),
                    name: s.name.clone(),
                })
            }
            "User" => Some(
                service_account_user(&s.name)
                    .map(|(namespace, name)| Subject::ServiceAccount { namespace, name })
                    .unwrap_or_else(|| Subject::User(s.name.clone())),
            ),
            "Group" => Some(Subject::Group(s.name.clone())),
            _ => None,
        }
    }

    /// True when this subject covers `who`.
    pub fn matches(&self, who: &Identity) -> bool {
        match self {
            Subject::User(u) => *u == who.user,
            Subject::Group(g) => who.groups.iter().any(|x| x == g),
            Subject::ServiceAccount { namespace, name } => {
                who.user == format!("system:serviceaccount:{namespace}:{name}")
            }
        }
    }
}

/// The namespace and name of a service account's user name, `system:serviceaccount:NS:NAME`:
/// RBAC authorizes a User subject with that name exactly as the service account (they are one
/// identity), so a grant to it is a grant to the service account. As upstream's
/// `serviceaccount.SplitUsername` (k8s.io/apiserver/pkg/authentication/serviceaccount/util.go),
/// anything but exactly two non-empty parts after the prefix is not a service account.
pub fn service_account_user(user: &str) -> Option<(String, String)> {
    let rest = user.strip_prefix("system:serviceaccount:")?;
    let (namespace, name) = rest.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':'))
        .then(|| (namespace.to_string(), name.to_string()))
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::ServiceAccount { namespace, name } => {
                write!(f, "ServiceAccount {namespace}/{name}")
            }
            Subject::User(u) => write!(f, "User {u}"),
            Subject::Group(g) => write!(f, "Group {g}"),
        }
    }
}

/// An authenticated identity: a user name and its groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub groups: Vec<String>,
}

impl Identity {
    /// A service account, with the groups Kubernetes gives every service account.
    pub fn service_account(namespace: &str, name: &str) -> Identity {
        Identity {
            user: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".into(),
            ],
        }
    }

    /// A user with the given groups (plus `system:authenticated`).
    pub fn user(name: &str, groups: &[String]) -> Identity {
        let mut groups = groups.to_vec();
        if !groups.iter().any(|g| g == "system:authenticated") {
            groups.push("system:authenticated".into());
        }
        Identity {
            user: name.to_string(),
            groups,
        }
    }
}
