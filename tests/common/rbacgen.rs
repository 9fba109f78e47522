//! Generators of RBAC situations shared by the differential tests: PSPs named in the plugin's
//! order, grants of them to subjects from a small vocabulary, and pods placed in a namespace,
//! running as a service account, requested by a user or not.

use k8s_openapi::api::core::v1::Pod;
use podsec_migrate::psp::Psp;
use podsec_migrate::scope::{Grant, Identity, PspSelection, Scopes, Subject};
use proptest::prelude::*;

use super::podgen::pod;

/// PSPs named `p0`, `p1`, ... so the simulator's name order is their index order.
pub fn named(psps: Vec<Psp>) -> Vec<Psp> {
    psps.into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            p.name = format!("p{i}");
            p
        })
        .collect()
}

pub const NAMESPACES: &[&str] = &["apps", "tools"];
pub const ACCOUNTS: &[&str] = &["default", "builder"];

/// A subject from a small vocabulary: service accounts in either namespace, their groups,
/// every authenticated identity, a user, a user's group, and a user spelled as a service
/// account.
pub fn subject() -> impl Strategy<Value = Subject> {
    use proptest::sample::select;
    prop_oneof![
        (select(NAMESPACES), select(ACCOUNTS)).prop_map(|(ns, name)| Subject::ServiceAccount {
            namespace: ns.into(),
            name: name.into()
        }),
        select(NAMESPACES).prop_map(|ns| Subject::Group(format!("system:serviceaccounts:{ns}"))),
        Just(Subject::Group("system:authenticated".into())),
        Just(Subject::User("alice".into())),
        Just(Subject::Group("admins".into())),
        (select(NAMESPACES), select(ACCOUNTS))
            .prop_map(|(ns, sa)| Subject::User(format!("system:serviceaccount:{ns}:{sa}"))),
    ]
}

/// Grants of the PSPs `p0`..`p{n-1}`: each to a subject, in one namespace or everywhere.
pub fn grants(n: usize) -> impl Strategy<Value = Scopes> {
    use proptest::sample::select;
    let grant = (0..n, subject(), proptest::option::of(select(NAMESPACES)));
    proptest::collection::vec(grant, 0..5).prop_map(|gs| Scopes {
        grants: gs
            .into_iter()
            .map(|(i, subject, ns)| Grant {
                subject,
                namespace: ns.map(Into::into),
                psps: PspSelection::Named([format!("p{i}")].into_iter().collect()),
                via: "generated".into(),
            })
            .collect(),
        service_accounts: Default::default(),
    })
}

/// A pod placed in a namespace, running as a service account, requested by alice (in group
/// `admins`) or by someone with no grants of their own.
pub fn placed_pod() -> impl Strategy<Value = (Pod, String, Option<Identity>)> {
    use proptest::sample::select;
    (
        pod(),
        select(NAMESPACES),
        select(ACCOUNTS),
        proptest::bool::ANY,
    )
        .prop_map(|(mut pod, ns, sa, by_alice)| {
            pod.metadata.namespace = Some(ns.into());
            pod.spec.as_mut().unwrap().service_account_name = Some(sa.into());
            let user = by_alice.then(|| Identity::user("alice", &["admins".to_string()]));
            (pod, ns.to_string(), user)
        })
}
