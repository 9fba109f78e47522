//! The mutation step (CREATE only): fill what the pod left unset from the policy's defaults, in
//! the order the admission plugin did it. Only actual changes are recorded, so an empty result
//! means "admitted without mutation" exactly when the plugin would have found the pod unchanged.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Capabilities, Pod, PodSecurityContext, SecurityContext};
use serde_json::{json, Value};

use super::pod::{effective, for_each_sc_mut, seccomp_annotation};
use super::rules::{Defaults, Rules};
use super::Mutation;
use crate::psp::SeLinuxOptions;

/// Pod annotation holding the pod's seccomp profile (1.19-1.24 keep it in sync with the field).
pub const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// Prefix of a container's seccomp annotation.
pub const SECCOMP_CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";
/// Prefix of a container's AppArmor annotation.
pub const APPARMOR_CONTAINER: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Mutates `pod` (whose spec is set) and returns the changes made.
pub(crate) fn mutate(r: &Rules, pod: &mut Pod) -> Vec<Mutation> {
    let mut out = Vec::new();
    let d = &r.defaults;
    let spec = pod.spec.as_mut().expect("a pod spec");
    pod_security_context(d, &mut spec.security_context, &mut out);
    seccomp(d, pod, &mut out);
    let spec = pod.spec.as_mut().expect("a pod spec");
    if let (Some(name), None) = (&d.runtime_class, &spec.runtime_class_name) {
        spec.runtime_class_name = Some(name.clone());
        out.push(m("spec.runtimeClassName", json!(name)));
    }
    let annotations = &mut pod.metadata.annotations;
    // Per container, in the plugin's order: ids and SELinux, AppArmor, then the rest.
    for_each_sc_mut(spec, |path, name, pod_sc, sc| {
        container_ids(
            d,
            &mut Setter {
                path,
                out: &mut out,
            },
            pod_sc,
            sc,
        );
        apparmor(d, name, annotations, &mut out);
        container_rest(
            d,
            &mut Setter {
                path,
                out: &mut out,
            },
            pod_sc,
            sc,
        );
    });
    out
}

fn m(path: impl Into<String>, value: Value) -> Mutation {
    Mutation {
        path: path.into(),
        value,
    }
}

fn pod_security_context(
    d: &Defaults,
    sc: &mut Option<PodSecurityContext>,
    out: &mut Vec<Mutation>,
) {
    let has = sc.clone().unwrap_or_default();
    // An explicit empty list counts as set: only an absent list is defaulted.
    if let (None, Some(gid)) = (&has.supplemental_groups, d.supplemental_group) {
        sc.get_or_insert_with(Default::default).supplemental_groups = Some(vec![gid]);
        out.push(m("spec.securityContext.supplementalGroups", json!([gid])));
    }
    if let (None, Some(gid)) = (has.fs_group, d.fs_group) {
        sc.get_or_insert_with(Default::default).fs_group = Some(gid);
        out.push(m("spec.securityContext.fsGroup", json!(gid)));
    }
    if let (None, Some(o)) = (&has.se_linux_options, &d.selinux) {
        sc.get_or_insert_with(Default::default).se_linux_options = Some(selinux(o));
        out.push(m("spec.securityContext.seLinuxOptions", selinux_json(o)));
    }
}

/// The pod seccomp annotation: kept when non-empty, else derived from the pod's field, else the
/// policy default.
fn seccomp(d: &Defaults, pod: &mut Pod, out: &mut Vec<Mutation>) {
    let current = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(SECCOMP_POD))
        .cloned()
        .unwrap_or_default();
    if !current.is_empty() {
        return;
    }
    let field = pod
        .spec
        .as_ref()
        .and_then(|s| s.security_context.as_ref())
        .and_then(|sc| sc.seccomp_profile.as_ref())
        .map(seccomp_annotation);
    let Some(profile) = field
        .or_else(|| d.seccomp.clone())
        .filter(|p| !p.is_empty())
    else {
        return;
    };
    let a = pod
        .metadata
        .annotations
        .get_or_insert_with(Default::default);
    a.insert(SECCOMP_POD.into(), profile.clone());
    out.push(m(
        format!("metadata.annotations[{SECCOMP_POD}]"),
        json!(profile),
    ));
}

fn apparmor(
    d: &Defaults,
    name: &str,
    annotations: &mut Option<std::collections::BTreeMap<String, String>>,
    out: &mut Vec<Mutation>,
) {
    let Some(profile) = &d.apparmor else {
        return;
    };
    let key = format!("{APPARMOR_CONTAINER}{name}");
    let set = annotations
        .as_ref()
        .and_then(|a| a.get(&key))
        .is_some_and(|v| !v.is_empty());
    if !set {
        annotations
            .get_or_insert_with(Default::default)
            .insert(key.clone(), profile.clone());
        out.push(m(format!("metadata.annotations[{key}]"), json!(profile)));
    }
}

/// Sets one field of a container's security context and records it.
struct Setter<'a> {
    path: &'a str,
    out: &'a mut Vec<Mutation>,
}

impl Setter<'_> {
    fn set(
        &mut self,
        sc: &mut Option<SecurityContext>,
        field: &str,
        v: Value,
        apply: impl FnOnce(&mut SecurityContext),
    ) {
        apply(sc.get_or_insert_with(Default::default));
        self.out
            .push(m(format!("{}.securityContext.{field}", self.path), v));
    }
}

/// A container's user, group and SELinux defaults; values the pod level supplies are left alone.
fn container_ids(
    d: &Defaults,
    s: &mut Setter<'_>,
    pod_sc: Option<&PodSecurityContext>,
    sc: &mut Option<SecurityContext>,
) {
    let eff = effective(pod_sc, sc.as_ref());
    if let (None, Some(uid)) = (eff.run_as_user, d.run_as_user) {
        s.set(sc, "runAsUser", json!(uid), |c| c.run_as_user = Some(uid));
    }
    if let (None, Some(gid)) = (eff.run_as_group, d.run_as_group) {
        s.set(sc, "runAsGroup", json!(gid), |c| c.run_as_group = Some(gid));
    }
    if let (None, Some(o)) = (&eff.se_linux, &d.selinux) {
        s.set(sc, "seLinuxOptions", selinux_json(o), |c| {
            c.se_linux_options = Some(selinux(o))
        });
    }
}

/// The rest of a container's defaults: runAsNonRoot, capabilities, read-only root, escalation.
fn container_rest(
    d: &Defaults,
    s: &mut Setter<'_>,
    pod_sc: Option<&PodSecurityContext>,
    sc: &mut Option<SecurityContext>,
) {
    let eff = effective(pod_sc, sc.as_ref());
    if d.run_as_non_root && eff.run_as_non_root.is_none() && eff.run_as_user.is_none() {
        s.set(sc, "runAsNonRoot", json!(true), |c| {
            c.run_as_non_root = Some(true)
        });
    }
    if let Some(caps) = capabilities(d, sc.as_ref().and_then(|c| c.capabilities.as_ref())) {
        let v = json!({"add": caps.add.clone().unwrap_or_default(), "drop": caps.drop.clone().unwrap_or_default()});
        s.set(sc, "capabilities", v, |c| c.capabilities = Some(caps));
    }
    let own = sc.clone().unwrap_or_default();
    if d.read_only_root && own.read_only_root_filesystem.is_none() {
        s.set(sc, "readOnlyRootFilesystem", json!(true), |c| {
            c.read_only_root_filesystem = Some(true)
        });
    }
    if let (None, Some(v)) = (own.allow_privilege_escalation, d.allow_escalation) {
        s.set(sc, "allowPrivilegeEscalation", json!(v), |c| {
            c.allow_privilege_escalation = Some(v)
        });
    }
}

/// The capabilities after defaulting, when they change: default adds not dropped by the
/// container join its adds, required drops join its drops; both lists then come out sorted and
/// de-duplicated, as the plugin built them from sets.
fn capabilities(d: &Defaults, have: Option<&Capabilities>) -> Option<Capabilities> {
    let set = |v: Option<&Vec<String>>| -> BTreeSet<String> {
        v.into_iter().flatten().cloned().collect()
    };
    let add = set(have.and_then(|c| c.add.as_ref()));
    let drop = set(have.and_then(|c| c.drop.as_ref()));
    let default_add: BTreeSet<String> = d
        .add_caps
        .iter()
        .filter(|c| !drop.contains(*c))
        .cloned()
        .collect();
    let all_add: BTreeSet<String> = add.union(&default_add).cloned().collect();
    let all_drop: BTreeSet<String> = drop
        .union(&d.drop_caps.iter().cloned().collect())
        .cloned()
        .collect();
    if all_add.len() == add.len() && all_drop.len() == drop.len() {
        return None;
    }
    let list = |s: BTreeSet<String>| (!s.is_empty()).then(|| s.into_iter().collect());
    Some(Capabilities {
        add: list(all_add),
        drop: list(all_drop),
    })
}

fn selinux(o: &SeLinuxOptions) -> k8s_openapi::api::core::v1::SELinuxOptions {
    k8s_openapi::api::core::v1::SELinuxOptions {
        user: o.user.clone(),
        role: o.role.clone(),
        type_: o.type_.clone(),
        level: o.level.clone(),
    }
}

fn selinux_json(o: &SeLinuxOptions) -> Value {
    serde_json::to_value(selinux(o)).unwrap_or(Value::Null)
}
