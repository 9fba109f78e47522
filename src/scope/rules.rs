//! Which PSPs a role's rules allow to `use`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::rbac::v1::PolicyRule;

use crate::load::{Loaded, ObjectKind};

/// The PSPs a role lets its subjects use: every PSP, or named ones.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PspSelection {
    All,
    Named(BTreeSet<String>),
}

impl PspSelection {
    /// True when nothing is granted.
    pub fn is_empty(&self) -> bool {
        matches!(self, PspSelection::Named(n) if n.is_empty())
    }

    /// The granted PSPs among `all` (a name with no PSP behind it grants nothing).
    pub fn resolve(&self, all: &BTreeSet<String>) -> BTreeSet<String> {
        match self {
            PspSelection::All => all.clone(),
            PspSelection::Named(n) => n.intersection(all).cloned().collect(),
        }
    }

    fn union(self, other: PspSelection) -> PspSelection {
        match (self, other) {
            (PspSelection::All, _) | (_, PspSelection::All) => PspSelection::All,
            (PspSelection::Named(mut a), PspSelection::Named(b)) => {
                a.extend(b);
                PspSelection::Named(a)
            }
        }
    }
}

/// True when `list` holds `wanted` or `*`.
fn has(list: Option<&Vec<String>>, wanted: &[&str]) -> bool {
    list.is_some_and(|l| l.iter().any(|x| x == "*" || wanted.contains(&x.as_str())))
}

/// What one rule grants on PSPs.
fn rule_selection(rule: &PolicyRule) -> PspSelection {
    let applies = has(Some(&rule.verbs), &["use"])
        && has(rule.resources.as_ref(), &["podsecuritypolicies"])
        && has(rule.api_groups.as_ref(), &["policy", "extensions"]);
    match (&rule.resource_names, applies) {
        (_, false) => PspSelection::Named(BTreeSet::new()),
        (Some(names), true) if !names.is_empty() => {
            PspSelection::Named(names.iter().cloned().collect())
        }
        _ => PspSelection::All,
    }
}

/// Every rule set: (namespace, name) for Roles, ("", name) for ClusterRoles.
pub struct RoleIndex {
    roles: BTreeMap<(String, String), PspSelection>,
    cluster_roles: BTreeMap<String, PspSelection>,
}

impl RoleIndex {
    /// Indexes the input's Roles and ClusterRoles by what they grant on PSPs.
    pub fn from_loaded(loaded: &Loaded) -> RoleIndex {
        let mut roles = BTreeMap::new();
        let mut cluster_roles = BTreeMap::new();
        let of = |rules: Option<&Vec<PolicyRule>>| {
            rules
                .into_iter()
                .flatten()
                .map(rule_selection)
                .fold(PspSelection::Named(BTreeSet::new()), PspSelection::union)
        };
        for obj in &loaded.objects {
            match &obj.kind {
                ObjectKind::Role(r) => {
                    let key = (
                        obj.namespace().unwrap_or_default(),
                        r.metadata.name.clone().unwrap_or_default(),
                    );
                    roles.insert(key, of(r.rules.as_ref()));
                }
                ObjectKind::ClusterRole(r) => {
                    cluster_roles.insert(
                        r.metadata.name.clone().unwrap_or_default(),
                        of(r.rules.as_ref()),
                    );
                }
                _ => {}
            }
        }
        RoleIndex {
            roles,
            cluster_roles,
        }
    }

    /// What a roleRef grants; a role that is not in the input grants nothing (the loader warns).
    pub fn selection(&self, kind: &str, name: &str, ns: Option<&str>) -> PspSelection {
        let found = match kind {
            "ClusterRole" => self.cluster_roles.get(name),
            "Role" => ns.and_then(|ns| self.roles.get(&(ns.to_string(), name.to_string()))),
            _ => None,
        };
        found
            .cloned()
            .unwrap_or(PspSelection::Named(BTreeSet::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> PolicyRule {
        let v = |x: &[&str]| Some(x.iter().map(|s| s.to_string()).collect());
        PolicyRule {
            api_groups: v(groups),
            resources: v(resources),
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            resource_names: if names.is_empty() { None } else { v(names) },
            ..Default::default()
        }
    }

    #[test]
    fn use_on_named_psps() {
        let sel = rule_selection(&rule(
            &["policy"],
            &["podsecuritypolicies"],
            &["use"],
            &["a", "b"],
        ));
        assert_eq!(
            sel,
            PspSelection::Named(["a".to_string(), "b".to_string()].into())
        );
    }

    #[test]
    fn wildcards_and_the_extensions_group_count() {
        assert_eq!(
            rule_selection(&rule(&["*"], &["*"], &["*"], &[])),
            PspSelection::All
        );
        assert_eq!(
            rule_selection(&rule(
                &["extensions"],
                &["podsecuritypolicies"],
                &["use"],
                &[]
            )),
            PspSelection::All
        );
    }

    #[test]
    fn other_verbs_groups_or_resources_grant_nothing() {
        assert!(rule_selection(&rule(
            &["policy"],
            &["podsecuritypolicies"],
            &["get", "list"],
            &[]
        ))
        .is_empty());
        assert!(
            rule_selection(&rule(&["apps"], &["podsecuritypolicies"], &["use"], &[])).is_empty()
        );
        assert!(rule_selection(&rule(&["policy"], &["pods"], &["use"], &[])).is_empty());
    }

    #[test]
    fn resolve_keeps_only_existing_psps() {
        let all: BTreeSet<String> = ["a".to_string(), "c".to_string()].into();
        assert_eq!(
            PspSelection::Named(["a".to_string(), "b".to_string()].into()).resolve(&all),
            ["a".to_string()].into()
        );
        assert_eq!(PspSelection::All.resolve(&all), all);
    }
}
