//! RBAC scoping on the example cluster: which PSPs each service account, user and namespace may
//! use, as the PSP admission plugin would have asked the authorizer.

use std::collections::BTreeSet;
use std::path::PathBuf;

use podsec_migrate::load::{load_inputs, LoadOptions, Loaded};
use podsec_migrate::scope::{Identity, Scopes};

fn load(text_or_dir: &str) -> Loaded {
    let loaded = load_inputs(&[PathBuf::from(text_or_dir)], &LoadOptions::default());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn all_psps(l: &Loaded) -> BTreeSet<String> {
    l.psps().map(|(_, p)| p.name.clone()).collect()
}

#[test]
fn namespaces_get_the_union_of_their_service_accounts_grants() {
    let l = load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/example-cluster"
    ));
    let s = Scopes::from_loaded(&l);
    let all = all_psps(&l);
    assert_eq!(s.usable_in_namespace("shop", &all), set(&["restricted"]));
    assert_eq!(
        s.usable_in_namespace("ingress-nginx", &all),
        set(&["ingress", "restricted"])
    );
    assert_eq!(
        s.usable_in_namespace("kube-system", &all),
        set(&["privileged", "restricted"])
    );
    assert_eq!(
        s.usable_in_namespace("logging", &all),
        set(&["node-agent", "restricted"])
    );
}

#[test]
fn a_role_binding_grants_in_its_namespace_only_and_to_its_subject_only() {
    let l = load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/example-cluster"
    ));
    let s = Scopes::from_loaded(&l);
    let all = all_psps(&l);
    let ingress_sa = Identity::service_account("ingress-nginx", "ingress-nginx");
    assert_eq!(
        s.usable(&ingress_sa, "ingress-nginx", &all),
        set(&["ingress", "restricted"])
    );
    // The same service account's grant does not reach into another namespace.
    assert_eq!(s.usable(&ingress_sa, "shop", &all), set(&["restricted"]));
    // Another service account in the namespace does not get it.
    let default_sa = Identity::service_account("ingress-nginx", "default");
    assert_eq!(
        s.usable(&default_sa, "ingress-nginx", &all),
        set(&["restricted"])
    );
    // The group of kube-system's service accounts gets privileged there.
    let kube_proxy = Identity::service_account("kube-system", "kube-proxy");
    assert!(s
        .usable(&kube_proxy, "kube-system", &all)
        .contains("privileged"));
    assert_eq!(s.user_grants().count(), 0);
}

#[test]
fn grants_to_users_are_reported_apart() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: ops}
spec: {privileged: true, runAsUser: {rule: RunAsAny}, seLinux: {rule: RunAsAny}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: all-psps}
rules:
- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops, namespace: tools}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: all-psps}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
"#;
    std::fs::write(dir.path().join("in.yaml"), text).unwrap();
    let l = load(dir.path().to_str().unwrap());
    let s = Scopes::from_loaded(&l);
    let all = all_psps(&l);
    assert_eq!(s.user_grants().count(), 1);
    assert_eq!(
        s.usable(&Identity::user("alice", &[]), "tools", &all),
        set(&["ops"])
    );
    assert!(s
        .usable(&Identity::user("alice", &[]), "other", &all)
        .is_empty());
    // Pods run as service accounts: nothing in the namespace may use the PSP.
    assert!(s.usable_in_namespace("tools", &all).is_empty());
}

#[test]
fn namespaces_named_only_by_binding_subjects_are_planned_and_unset_namespaces_mean_default() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: node}
spec: {hostNetwork: true, runAsUser: {rule: RunAsAny}, seLinux: {rule: RunAsAny}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [node]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: node}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node}
subjects:
- {kind: ServiceAccount, name: node-exporter, namespace: monitoring}
- {kind: Group, name: "system:serviceaccounts:logging", apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: local}
rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: local, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: local}
subjects: [{kind: ServiceAccount, name: app}]
"#;
    std::fs::write(dir.path().join("in.yaml"), text).unwrap();
    let l = load(dir.path().to_str().unwrap());
    assert!(
        l.diagnostics.is_empty(),
        "a Role without namespace is in default: {:?}",
        l.diagnostics
    );
    let namespaces = podsec_migrate::scope::namespaces_in(&l);
    assert_eq!(namespaces, set(&["default", "logging", "monitoring"]));
    let s = Scopes::from_loaded(&l);
    let all = all_psps(&l);
    assert_eq!(s.usable_in_namespace("monitoring", &all), set(&["node"]));
    assert_eq!(s.usable_in_namespace("logging", &all), set(&["node"]));
    assert_eq!(
        s.usable(
            &Identity::service_account("default", "app"),
            "default",
            &all
        ),
        set(&["node"])
    );
}
