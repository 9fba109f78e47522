//! The group's members and its `expression`. Kubewarden calls each member of a
//! ClusterAdmissionPolicyGroup as a function of no arguments, named as its key in `policies`
//! (`a() && b() || c()`): the expression ORs the PSPs usable in the scope, each the AND of its
//! members. Members are named `<psp>_<module>`, the PSP's name made a CEL identifier.

use std::collections::BTreeMap;

use super::modules::Module;
use super::settings::Member;
use crate::cel::lit::identifier;
use crate::intent::Intent;

/// Each PSP's identifier: its name as a CEL identifier, with `_2`, `_3`... when two names give
/// the same one.
pub fn psp_ids(intents: &[Intent]) -> BTreeMap<String, String> {
    let mut taken: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    for i in intents {
        let base = identifier(&i.psp);
        let mut id = base.clone();
        let mut n = 1;
        while taken.contains(&id) {
            n += 1;
            id = format!("{base}_{n}");
        }
        taken.push(id.clone());
        out.insert(i.psp.clone(), id);
    }
    out
}

/// A member's key in `policies`.
pub fn member_name(psp_id: &str, module: &Module) -> String {
    format!("{psp_id}_{}", module.identifier())
}

/// The expression over the members of each PSP usable in a scope, in the order given: the OR
/// of each PSP's AND. A PSP without members admits every pod (`true`), one the plugin could not
/// use (`None`) none (`false`); so does a scope without PSPs. The literals are CEL booleans, as
/// the member calls are (the group's `expression` is CEL).
pub fn expression(psps: &[(&str, Option<&[Member]>)]) -> String {
    if psps.is_empty() {
        return "false".into();
    }
    let terms: Vec<String> = psps
        .iter()
        .map(|(id, members)| match members {
            None => "false".to_string(),
            Some([]) => "true".to_string(),
            Some(members) => {
                let calls: Vec<String> = members
                    .iter()
                    .map(|m| format!("{}()", member_name(id, m.module)))
                    .collect();
                format!("({})", calls.join(" && "))
            }
        })
        .collect();
    terms.join(" || ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::kubewarden::modules::{self, ALL};
    use serde_json::json;

    #[test]
    fn ids_are_identifiers_and_unique() {
        let intent = |n: &str| Intent {
            psp: n.into(),
            constraints: Vec::new(),
        };
        let ids = psp_ids(&[intent("a-b"), intent("a.b"), intent("0x")]);
        assert_eq!(ids["a-b"], "a_b");
        assert_eq!(ids["a.b"], "a_b_2");
        assert_eq!(ids["0x"], "_0x");
    }

    /// No module's identifier ends with `_` and another's, so distinct PSP identifiers give
    /// distinct member names.
    #[test]
    fn member_names_cannot_collide() {
        for a in ALL {
            for b in ALL.iter().filter(|b| b.name != a.name) {
                assert!(!a.identifier().ends_with(&format!("_{}", b.identifier())));
            }
        }
    }

    #[test]
    fn expression_ors_psps_and_ands_members() {
        let m = |module: &'static Module| Member {
            module,
            settings: json!({}),
        };
        let a = [m(&modules::POD_PRIVILEGED), m(&modules::VOLUMES)];
        let b = [m(&modules::SYSCTL)];
        assert_eq!(
            expression(&[
                ("a", Some(&a)),
                ("b", Some(&b)),
                ("c", Some(&[])),
                ("d", None)
            ]),
            "(a_pod_privileged() && a_volumes_psp()) || (b_sysctl_psp()) || true || false"
        );
        assert_eq!(expression(&[]), "false");
    }
}
