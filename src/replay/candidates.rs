//! The candidate PSPs of a pod: those its service account (and the requesting user, when given)
//! may `use` in the pod's namespace, or every PSP.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Options;
use crate::load::{Loaded, ObjectKind};
use crate::scope::{Identity, Scopes};

/// How the candidates were picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// From the RBAC in the input.
    Rbac,
    /// Every PSP, as asked (`--all-psps`).
    AllPsps,
    /// Every PSP, because the input holds no RBAC.
    NoRbac,
}

/// True when the input holds any Role, ClusterRole, RoleBinding or ClusterRoleBinding.
pub fn has_rbac(loaded: &Loaded) -> bool {
    loaded.objects.iter().any(|o| {
        matches!(
            o.kind,
            ObjectKind::Role(_)
                | ObjectKind::ClusterRole(_)
                | ObjectKind::RoleBinding(_)
                | ObjectKind::ClusterRoleBinding(_)
        )
    })
}

/// One RBAC grant that makes a PSP a candidate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GrantUse {
    pub psp: String,
    /// `ServiceAccount ns/name`, `User name` or `Group name`.
    pub subject: String,
    /// The binding and role, e.g. `RoleBinding ns/b -> ClusterRole r`.
    pub via: String,
}

/// Who asks for the pod, in which namespace.
pub(super) struct Requester<'a> {
    namespace: &'a str,
    sa: &'a str,
}

impl<'a> Requester<'a> {
    pub fn new(namespace: &'a str, sa: &'a str) -> Self {
        Self { namespace, sa }
    }
}

/// Picks candidate PSPs for pods.
pub(super) struct Candidates<'a> {
    all: BTreeSet<String>,
    /// `None` when every PSP is a candidate.
    scopes: Option<Scopes>,
    user: Option<&'a Identity>,
    selection: Selection,
}

impl<'a> Candidates<'a> {
    pub fn new(loaded: &Loaded, opts: &'a Options, all: BTreeSet<String>) -> Self {
        let selection = if opts.all_psps {
            Selection::AllPsps
        } else if has_rbac(loaded) {
            Selection::Rbac
        } else {
            Selection::NoRbac
        };
        let scopes = (selection == Selection::Rbac).then(|| Scopes::from_loaded(loaded));
        Self {
            all,
            scopes,
            user: opts.user.as_ref(),
            selection,
        }
    }

    pub fn selection(&self) -> Selection {
        self.selection
    }

    /// The PSPs `who` may use, sorted by name.
    pub fn usable(&self, who: &Requester<'_>) -> BTreeSet<String> {
        let Some(scopes) = &self.scopes else {
            return self.all.clone();
        };
        let sa = Identity::service_account(who.namespace, who.sa);
        let mut out = scopes.usable(&sa, who.namespace, &self.all);
        if let Some(user) = self.user {
            out.extend(scopes.usable(user, who.namespace, &self.all));
        }
        out
    }

    /// The grants behind [`Candidates::usable`], one per PSP, subject and binding, sorted; empty
    /// when RBAC is not consulted.
    pub fn grants(&self, who: &Requester<'_>) -> Vec<GrantUse> {
        let Some(scopes) = &self.scopes else {
            return Vec::new();
        };
        let sa = Identity::service_account(who.namespace, who.sa);
        let ids = std::iter::once(&sa).chain(self.user);
        let mut out: Vec<GrantUse> = ids
            .flat_map(|id| scopes.grants_for(id, who.namespace))
            .flat_map(|g| {
                g.psps.resolve(&self.all).into_iter().map(|psp| GrantUse {
                    psp,
                    subject: g.subject.to_string(),
                    via: g.via.clone(),
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Why no PSP could be tried for `who`.
    pub fn none_usable(&self, who: &Requester<'_>) -> String {
        if self.all.is_empty() {
            return "the input holds no PodSecurityPolicy".into();
        }
        let user = self
            .user
            .map(|u| format!(" or User {}", u.user))
            .unwrap_or_default();
        format!(
            "no PSP is usable by ServiceAccount {ns}/{sa}{user} in namespace {ns}",
            ns = who.namespace,
            sa = who.sa
        )
    }
}
