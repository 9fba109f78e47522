//! The Constraint's parameters: every PSP's intent, as the [`Rules`] the simulator reads, and
//! who may use it (the RBAC grants of the input), in the shape the ConstraintTemplate's
//! `openAPIV3Schema` declares. The Rego is the same for every cluster; only these change.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::cel::Access;
use crate::intent::{Effect, Intent};
use crate::psp::{GroupRule, IdRange, RunAsUserRule, SeLinuxOptions, SeLinuxRule};
use crate::scope::{Grant, Subject};
use crate::simulate::rules::{Defaults, Rules};

/// The parameters of the one Constraint: `{"psps": [...]}`, PSPs in name order.
pub fn parameters(intents: &[Intent], access: Access<'_>) -> Value {
    let mut sorted: Vec<&Intent> = intents.iter().collect();
    sorted.sort_by(|a, b| a.psp.cmp(&b.psp));
    let all: BTreeSet<String> = sorted.iter().map(|i| i.psp.clone()).collect();
    let psps: Vec<Value> = sorted.iter().map(|i| psp(i, access, &all)).collect();
    json!({ "psps": psps })
}

/// One PSP's entry.
fn psp(intent: &Intent, access: Access<'_>, all: &BTreeSet<String>) -> Value {
    let r = Rules::of(intent);
    let mut p = Map::new();
    p.insert("name".into(), json!(intent.psp));
    match access {
        Access::Everyone => {
            p.insert("everyone".into(), json!(true));
            p.insert("grants".into(), json!([]));
        }
        Access::Rbac(scopes) => {
            p.insert("everyone".into(), json!(false));
            p.insert(
                "grants".into(),
                Value::Array(grants(&scopes.grants, &intent.psp, all)),
            );
        }
    }
    let unusable: Vec<String> = r
        .unusable()
        .into_iter()
        .map(|(f, why)| format!("{f}: the policy cannot be used: {why}"))
        .collect();
    p.insert("unusable".into(), json!(unusable));
    p.insert("privileged".into(), json!(r.privileged));
    p.insert("hostPID".into(), json!(r.host_pid));
    p.insert("hostIPC".into(), json!(r.host_ipc));
    p.insert("hostNetwork".into(), json!(r.host_network));
    p.insert("hostPorts".into(), ranges(&r.host_ports));
    let volumes: Vec<String> = if r.volumes.any {
        vec!["*".into()]
    } else {
        r.volumes.types.iter().cloned().collect()
    };
    p.insert("volumes".into(), json!(volumes));
    let host_paths: Vec<Value> = r
        .host_paths
        .iter()
        .map(|h| json!({"pathPrefix": h.path_prefix, "readOnly": h.read_only}))
        .collect();
    p.insert("allowedHostPaths".into(), json!(host_paths));
    p.insert("allowedFlexVolumes".into(), json!(r.flex_drivers));
    p.insert("allowedCSIDrivers".into(), json!(r.csi_drivers));
    p.insert("allowedCapabilities".into(), json!(r.allowed_caps));
    p.insert("requiredDropCapabilities".into(), json!(r.required_drop));
    p.insert(
        "runAsUser".into(),
        json!({"rule": user_rule(r.run_as_user.rule), "ranges": ranges(&r.run_as_user.ranges)}),
    );
    for (key, g) in [
        ("runAsGroup", &r.run_as_group),
        ("supplementalGroups", &r.supplemental_groups),
        ("fsGroup", &r.fs_group),
    ] {
        p.insert(
            key.into(),
            json!({"rule": group_rule(g.rule), "ranges": ranges(&g.ranges)}),
        );
    }
    let mut selinux = Map::new();
    selinux.insert(
        "rule".into(),
        json!(match r.selinux_rule {
            SeLinuxRule::MustRunAs => "MustRunAs",
            SeLinuxRule::RunAsAny => "RunAsAny",
        }),
    );
    if let Some(o) = &r.selinux {
        selinux.insert("seLinuxOptions".into(), selinux_options(o));
    }
    p.insert("seLinux".into(), Value::Object(selinux));
    p.insert("readOnlyRootFilesystem".into(), json!(r.read_only_root));
    p.insert("allowPrivilegeEscalation".into(), json!(r.allow_escalation));
    p.insert("allowedUnsafeSysctls".into(), json!(r.unsafe_sysctls));
    p.insert("forbiddenSysctls".into(), json!(r.forbidden_sysctls));
    p.insert("allowedProcMountTypes".into(), json!(r.proc_mounts));
    if let Some(names) = &r.runtime_classes {
        p.insert(
            "runtimeClass".into(),
            json!({"allowedRuntimeClassNames": names}),
        );
    }
    if let Some(list) = &r.seccomp {
        p.insert("seccomp".into(), json!({"allowedProfiles": list}));
    }
    if let Some(list) = &r.apparmor {
        p.insert("appArmor".into(), json!({"allowedProfiles": list}));
    }
    if intent.with_effect(Effect::Mutate).next().is_some() {
        p.insert("defaults".into(), defaults(&r.defaults));
    }
    Value::Object(p)
}

fn ranges(r: &[IdRange]) -> Value {
    Value::Array(
        r.iter()
            .map(|r| json!({"min": r.min, "max": r.max}))
            .collect(),
    )
}

fn user_rule(r: RunAsUserRule) -> &'static str {
    match r {
        RunAsUserRule::MustRunAs => "MustRunAs",
        RunAsUserRule::MustRunAsNonRoot => "MustRunAsNonRoot",
        RunAsUserRule::RunAsAny => "RunAsAny",
    }
}

fn group_rule(r: GroupRule) -> &'static str {
    match r {
        GroupRule::MustRunAs => "MustRunAs",
        GroupRule::MayRunAs => "MayRunAs",
        GroupRule::RunAsAny => "RunAsAny",
    }
}

/// SELinux options with the unset parts left out, as the API serialises them.
pub(super) fn selinux_options(o: &SeLinuxOptions) -> Value {
    let mut m = Map::new();
    for (k, v) in [
        ("level", &o.level),
        ("role", &o.role),
        ("type", &o.type_),
        ("user", &o.user),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    Value::Object(m)
}

/// The defaults the Rego reads "after defaults" (the mutators apply them).
fn defaults(d: &Defaults) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.into(), v);
    };
    if let Some(uid) = d.run_as_user {
        put("runAsUser", json!(uid));
    }
    if d.run_as_non_root {
        put("runAsNonRoot", json!(true));
    }
    if let Some(gid) = d.run_as_group {
        put("runAsGroup", json!(gid));
    }
    if let Some(gid) = d.supplemental_group {
        put("supplementalGroup", json!(gid));
    }
    if let Some(gid) = d.fs_group {
        put("fsGroup", json!(gid));
    }
    if let Some(o) = &d.selinux {
        put("seLinuxOptions", selinux_options(o));
    }
    if !d.add_caps.is_empty() {
        put("addCapabilities", json!(d.add_caps));
    }
    if !d.drop_caps.is_empty() {
        put("dropCapabilities", json!(d.drop_caps));
    }
    if d.read_only_root {
        put("readOnlyRootFilesystem", json!(true));
    }
    if let Some(v) = d.allow_escalation {
        put("allowPrivilegeEscalation", json!(v));
    }
    if let Some(name) = &d.runtime_class {
        put("runtimeClassName", json!(name));
    }
    if let Some(p) = &d.seccomp {
        put("seccomp", json!(p));
    }
    if let Some(p) = &d.apparmor {
        put("appArmor", json!(p));
    }
    Value::Object(m)
}

/// The grants that let someone use `psp`, deduplicated, in a stable order.
fn grants(all_grants: &[Grant], psp: &str, all: &BTreeSet<String>) -> Vec<Value> {
    let mut out: Vec<Value> = all_grants
        .iter()
        .filter(|g| g.psps.resolve(all).contains(psp))
        .map(grant)
        .collect();
    out.sort_by_key(|v| v.to_string());
    out.dedup();
    out
}

fn grant(g: &Grant) -> Value {
    let mut m = Map::new();
    if let Some(ns) = &g.namespace {
        m.insert("namespace".into(), json!(ns));
    }
    match &g.subject {
        Subject::User(u) => m.insert("user".into(), json!(u)),
        Subject::Group(x) => m.insert("group".into(), json!(x)),
        Subject::ServiceAccount { namespace, name } => m.insert(
            "serviceAccount".into(),
            json!({"namespace": namespace, "name": name}),
        ),
    };
    Value::Object(m)
}
