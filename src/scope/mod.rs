//! Scopes: which PodSecurityPolicies each subject may `use`, and where, as RBAC decided it.
//!
//! The PSP admission plugin asked the authorizer, in the pod's namespace, whether the pod's
//! service account (then the requesting user) may `use` a PSP: verb `use` (or `*`) on resource
//! `podsecuritypolicies` (or `*`) in API group `policy` or `extensions` (or `*`), for the PSP's
//! name (or every name when the rule lists none). A RoleBinding grants in its namespace only; a
//! ClusterRoleBinding everywhere.

mod rules;
mod subject;

use std::collections::{BTreeMap, BTreeSet};

use crate::load::{Loaded, ObjectKind};
pub use rules::PspSelection;
pub use subject::{Identity, Subject};

/// One grant: `subject` may use `psps` in `namespace` (every namespace when `None`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Grant {
    pub subject: Subject,
    pub namespace: Option<String>,
    pub psps: PspSelection,
    /// The binding and role that make the grant, e.g. `RoleBinding ingress/psp -> Role psp`.
    pub via: String,
}

/// Every grant found in the input.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Scopes {
    pub grants: Vec<Grant>,
    /// Service accounts named by ServiceAccount objects, bindings or pods, by namespace
    /// (`default` is always there for every namespace the input mentions).
    pub service_accounts: BTreeMap<String, BTreeSet<String>>,
}

impl Scopes {
    /// Collects the grants and the service accounts the input knows of.
    pub fn from_loaded(loaded: &Loaded) -> Scopes {
        let roles = rules::RoleIndex::from_loaded(loaded);
        let mut scopes = Scopes::default();
        for obj in &loaded.objects {
            match &obj.kind {
                ObjectKind::RoleBinding(b) => {
                    let ns = obj.namespace().unwrap_or_else(|| "default".into());
                    let sel = roles.selection(&b.role_ref.kind, &b.role_ref.name, Some(&ns));
                    let via = format!(
                        "RoleBinding {ns}/{} -> {} {}",
                        b.metadata.name.as_deref().unwrap_or(""),
                        b.role_ref.kind,
                        b.role_ref.name
                    );
                    scopes.add(
                        b.subjects.as_deref().unwrap_or_default(),
                        Some(ns),
                        sel,
                        via,
                    );
                }
                ObjectKind::ClusterRoleBinding(b) => {
                    let sel = roles.selection(&b.role_ref.kind, &b.role_ref.name, None);
                    let via = format!(
                        "ClusterRoleBinding {} -> {} {}",
                        b.metadata.name.as_deref().unwrap_or(""),
                        b.role_ref.kind,
                        b.role_ref.name
                    );
                    scopes.add(b.subjects.as_deref().unwrap_or_default(), None, sel, via);
                }
                _ => {}
            }
        }
        scopes.collect_service_accounts(loaded);
        scopes
    }

    /// Grants every PSP to every service account (and authenticated user) in every namespace:
    /// what the tool assumes when the input holds no RBAC, as `simulate` tries every PSP then.
    pub fn grant_everything(&mut self, via: &str) {
        self.grants.push(Grant {
            subject: Subject::Group("system:authenticated".into()),
            namespace: None,
            psps: PspSelection::All,
            via: via.into(),
        });
    }

    fn add(
        &mut self,
        subjects: &[k8s_openapi::api::rbac::v1::Subject],
        ns: Option<String>,
        sel: PspSelection,
        via: String,
    ) {
        if sel.is_empty() {
            return;
        }
        for s in subjects {
            if let Some(subject) = Subject::from_rbac(s, ns.as_deref()) {
                self.grants.push(Grant {
                    subject,
                    namespace: ns.clone(),
                    psps: sel.clone(),
                    via: via.clone(),
                });
            }
        }
    }

    /// Service accounts from ServiceAccount objects, pods, pod templates and binding subjects,
    /// plus `default` in every namespace mentioned anywhere in the input.
    fn collect_service_accounts(&mut self, loaded: &Loaded) {
        let mut add = |ns: &str, name: &str| {
            self.service_accounts
                .entry(ns.to_string())
                .or_default()
                .insert(name.to_string());
        };
        for ns in crate::scope::namespaces_in(loaded) {
            add(&ns, "default");
        }
        for obj in &loaded.objects {
            match &obj.kind {
                ObjectKind::ServiceAccount(sa) => {
                    let m = &sa.metadata;
                    add(
                        m.namespace.as_deref().unwrap_or("default"),
                        m.name.as_deref().unwrap_or("default"),
                    );
                }
                _ => {
                    if let (Some(pod), Some(ns)) = (obj.pod_view(), obj.namespace()) {
                        add(&ns, &pod.service_account());
                    }
                }
            }
        }
        for g in &self.grants {
            if let Subject::ServiceAccount { namespace, name } = &g.subject {
                self.service_accounts
                    .entry(namespace.clone())
                    .or_default()
                    .insert(name.clone());
            }
        }
    }

    /// The PSPs (from `all`) that `who` may use in `namespace`.
    pub fn usable(
        &self,
        who: &Identity,
        namespace: &str,
        all: &BTreeSet<String>,
    ) -> BTreeSet<String> {
        self.grants_for(who, namespace)
            .flat_map(|g| g.psps.resolve(all))
            .collect()
    }

    /// The grants that apply to `who` in `namespace`.
    pub fn grants_for<'a>(
        &'a self,
        who: &'a Identity,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a Grant> + 'a {
        self.grants.iter().filter(move |g| {
            g.namespace.as_deref().is_none_or(|n| n == namespace) && g.subject.matches(who)
        })
    }

    /// The PSPs pods in `namespace` could run under: the union over the namespace's service
    /// accounts (several PSPs available to a subject mean OR, never AND).
    pub fn usable_in_namespace(&self, namespace: &str, all: &BTreeSet<String>) -> BTreeSet<String> {
        let default = BTreeSet::from(["default".to_string()]);
        let sas = self.service_accounts.get(namespace).unwrap_or(&default);
        sas.iter()
            .flat_map(|sa| self.usable(&Identity::service_account(namespace, sa), namespace, all))
            .collect()
    }

    /// Grants whose subjects are users (not service accounts or groups that include them):
    /// Pod Security Admission can express these only as username exemptions.
    pub fn user_grants(&self) -> impl Iterator<Item = &Grant> {
        self.grants.iter().filter(|g| matches!(g.subject, Subject::User(ref u) if !u.starts_with("system:serviceaccount:")))
    }
}

/// Every namespace the input mentions: Namespace objects, the namespaces of namespaced objects
/// (`default` when unset), and the namespaces binding subjects name (a service account's, or
/// the `system:serviceaccounts:<ns>` group's), sorted.
pub fn namespaces_in(loaded: &Loaded) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for obj in &loaded.objects {
        if let ObjectKind::Namespace(n) = &obj.kind {
            out.extend(n.metadata.name.clone());
        }
        out.extend(obj.namespace());
        let subjects = match &obj.kind {
            ObjectKind::RoleBinding(b) => b.subjects.as_deref(),
            ObjectKind::ClusterRoleBinding(b) => b.subjects.as_deref(),
            _ => None,
        };
        for s in subjects.unwrap_or_default() {
            match s.kind.as_str() {
                "ServiceAccount" => out.extend(s.namespace.clone().filter(|n| !n.is_empty())),
                "Group" => out.extend(
                    s.name
                        .strip_prefix("system:serviceaccounts:")
                        .map(str::to_string),
                ),
                _ => {}
            }
        }
    }
    out
}
