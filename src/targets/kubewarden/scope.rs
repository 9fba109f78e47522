//! Where each group applies: the namespaces that share one set of usable PSPs. Kubewarden
//! selects namespaces (`namespaceSelector`), not service accounts or users, so a namespace's set
//! is every PSP some pod there could use under the RBAC of the input: the grants to its service
//! accounts (by name, by `system:serviceaccounts:<ns>`, or cluster-wide groups) and to the
//! people who might create pods there (users and groups). Namespaces the input does not name
//! get the PSPs granted cluster-wide to everyone: the catch-all group's.

use std::collections::{BTreeMap, BTreeSet};

use crate::scope::{Grant, Scopes, Subject};

/// The name of the group that applies where no other does.
pub const CATCH_ALL: &str = "podsec-migrate-psps";

/// The namespaces a group selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespaces {
    /// These namespaces.
    In(Vec<String>),
    /// Every namespace but these (none: every namespace).
    NotIn(Vec<String>),
}

impl Namespaces {
    /// Whether `namespace` is selected.
    pub fn contains(&self, namespace: &str) -> bool {
        match self {
            Namespaces::In(n) => n.iter().any(|x| x == namespace),
            Namespaces::NotIn(n) => !n.iter().any(|x| x == namespace),
        }
    }

    /// The namespaces, for a reason's text: `namespaces a, b` or `every namespace but a, b`,
    /// naming at most [`SHOWN`] and saying how many more.
    pub fn describe(&self) -> String {
        match self {
            Namespaces::In(n) => format!("namespaces {}", shortened(n)),
            Namespaces::NotIn(n) if n.is_empty() => "every namespace".into(),
            Namespaces::NotIn(n) => format!("every namespace but {}", shortened(n)),
        }
    }
}

/// How many names a reason lists before it says how many more there are (a reason is a table
/// cell in REPORT.md).
pub const SHOWN: usize = 3;

/// `a, b, c and 7 more`.
pub fn shortened(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    match names.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// One scope: a set of namespaces and the PSPs usable there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The group's name (and the prefix of the plain policies' names).
    pub name: String,
    pub namespaces: Namespaces,
    pub psps: BTreeSet<String>,
}

/// The scopes for `psps` under `scopes`, given the namespaces the input names: one per set of
/// usable PSPs that differs from the catch-all's, then the catch-all.
pub fn scopes(scopes: &Scopes, psps: &BTreeSet<String>, known: &BTreeSet<String>) -> Vec<Scope> {
    let elsewhere = usable_in(scopes, None, psps);
    let mut by_set: BTreeMap<BTreeSet<String>, Vec<String>> = BTreeMap::new();
    for ns in known {
        let set = usable_in(scopes, Some(ns), psps);
        if set != elsewhere {
            by_set.entry(set).or_default().push(ns.clone());
        }
    }
    let mut out: Vec<Scope> = by_set
        .into_iter()
        .enumerate()
        .map(|(n, (psps, namespaces))| Scope {
            name: format!("{CATCH_ALL}-{}", n + 1),
            namespaces: Namespaces::In(namespaces),
            psps,
        })
        .collect();
    let mut taken: Vec<String> = out
        .iter()
        .flat_map(|s| match &s.namespaces {
            Namespaces::In(n) => n.clone(),
            Namespaces::NotIn(_) => Vec::new(),
        })
        .collect();
    taken.sort();
    out.push(Scope {
        name: CATCH_ALL.into(),
        namespaces: Namespaces::NotIn(taken),
        psps: elsewhere,
    });
    out
}

/// The PSPs (from `all`) some pod in `namespace` could use: granted there or cluster-wide to a
/// subject that can create pods there. `None` stands for a namespace the input does not name,
/// where no namespace-specific grant or service account applies.
pub fn usable_in(
    scopes: &Scopes,
    namespace: Option<&str>,
    all: &BTreeSet<String>,
) -> BTreeSet<String> {
    scopes
        .grants
        .iter()
        .filter(|g| g.namespace.is_none() || g.namespace.as_deref() == namespace)
        .filter(|g| reaches(g, namespace))
        .flat_map(|g| g.psps.resolve(all))
        .collect()
}

/// Whether the grant's subject can make pods in `namespace`: a service account only in its own
/// namespace (as the pod's service account); anyone else anywhere (as the requesting user).
fn reaches(g: &Grant, namespace: Option<&str>) -> bool {
    let own = |ns: &str| Some(ns) == namespace;
    match &g.subject {
        Subject::ServiceAccount { namespace: ns, .. } => own(ns),
        Subject::User(u) => match u.strip_prefix("system:serviceaccount:") {
            Some(rest) => rest.split(':').next().is_some_and(own),
            None => true,
        },
        Subject::Group(grp) => grp.strip_prefix("system:serviceaccounts:").is_none_or(own),
    }
}

/// Whether a grant covers every pod in the namespaces it reaches (a cluster-wide group of
/// service accounts or everyone, or a namespace's service accounts): otherwise a group, which
/// selects whole namespaces, widens it.
pub fn whole_namespace(g: &Grant) -> bool {
    match &g.subject {
        Subject::Group(grp) if grp == "system:authenticated" || grp == "system:serviceaccounts" => {
            true
        }
        Subject::Group(grp) => grp.starts_with("system:serviceaccounts:"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::PspSelection;

    fn grant(subject: Subject, namespace: Option<&str>, psp: &str) -> Grant {
        Grant {
            subject,
            namespace: namespace.map(str::to_string),
            psps: PspSelection::Named(BTreeSet::from([psp.to_string()])),
            via: "test".into(),
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn namespaces_with_the_same_psps_share_a_scope() {
        let s = Scopes {
            grants: vec![
                grant(
                    Subject::Group("system:serviceaccounts".into()),
                    None,
                    "restricted",
                ),
                grant(
                    Subject::ServiceAccount {
                        namespace: "ingress".into(),
                        name: "nginx".into(),
                    },
                    Some("ingress"),
                    "host",
                ),
                grant(
                    Subject::Group("system:serviceaccounts:monitoring".into()),
                    None,
                    "host",
                ),
                grant(
                    Subject::ServiceAccount {
                        namespace: "ci".into(),
                        name: "builder".into(),
                    },
                    None,
                    "privileged",
                ),
            ],
            service_accounts: Default::default(),
        };
        let all = set(&["host", "privileged", "restricted"]);
        let known = set(&["app", "ci", "ingress", "monitoring"]);
        let found = scopes(&s, &all, &known);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].psps, set(&["host", "restricted"]));
        assert_eq!(
            found[0].namespaces,
            Namespaces::In(vec!["ingress".into(), "monitoring".into()])
        );
        assert_eq!(found[1].psps, set(&["privileged", "restricted"]));
        assert_eq!(found[1].namespaces, Namespaces::In(vec!["ci".into()]));
        assert_eq!(found[2].name, CATCH_ALL);
        assert_eq!(found[2].psps, set(&["restricted"]));
        assert!(found[2].namespaces.contains("elsewhere"));
        assert!(!found[2].namespaces.contains("ci"));
    }
}
