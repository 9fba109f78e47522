//! The members one PSP becomes: per module that restricts something under this PSP, its
//! settings, carried whole from the intent (every list and range as the PSP wrote it). A module
//! that would admit every pod under the PSP's values is left out, so a PSP restricting nothing
//! has no member.

use serde_json::{json, Map, Value};

use super::modules::{self, Module};
use super::Form;
use crate::intent::{Control, HostNamespace, Intent};
use crate::psp::{GroupRule, IdRange, RunAsUserRule, SeLinuxRule};

/// One module with its settings, for one PSP.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub module: &'static Module,
    pub settings: Value,
}

/// Whether the admission plugin could use the PSP at all: one whose MustRunAs or MayRunAs
/// strategy has no range, or whose SELinux MustRunAs has no options, admitted nothing (the
/// simulator's `unusable`), and its settings would be refused by the modules, so it gets no
/// members and admits nothing in a group. The loader already refuses such a PSP as an error;
/// this keeps a module from ever being handed settings it rejects.
pub fn usable(intent: &Intent) -> bool {
    crate::simulate::rules::Rules::of(intent)
        .unusable()
        .is_empty()
}

/// The members of `intent`, in [`modules::ALL`] order. In the `policies` form mutating modules
/// also carry the PSP's defaults (the group form cannot mutate).
pub fn members(intent: &Intent, form: Form) -> Vec<Member> {
    let builders: [fn(&Intent, Form) -> Option<Value>; 15] = [
        privileged,
        host_namespaces,
        volumes,
        host_paths,
        flex_volumes,
        capabilities,
        user_group,
        fs_group,
        selinux,
        read_only_root_filesystem,
        privilege_escalation,
        proc_mount,
        sysctls,
        seccomp,
        apparmor,
    ];
    modules::ALL
        .iter()
        .zip(builders)
        .filter_map(|(m, build)| {
            build(intent, form).map(|settings| Member {
                module: m,
                settings,
            })
        })
        .collect()
}

/// `privileged: false`: pod-privileged, judging init and ephemeral containers too (as PSP did).
fn privileged(i: &Intent, _: Form) -> Option<Value> {
    let allowed = i.value(|c| match c {
        Control::Privileged { allowed } => Some(*allowed),
        _ => None,
    });
    (!allowed).then(|| json!({"skip_init_containers": false, "skip_ephemeral_containers": false}))
}

/// `hostPID`, `hostIPC`, `hostNetwork` and `hostPorts`: always, since no host port is allowed
/// unless a range says so.
fn host_namespaces(i: &Intent, _: Form) -> Option<Value> {
    let ns = |which: HostNamespace| {
        i.value(|c| match c {
            Control::HostNamespace { namespace, allowed } if *namespace == which => Some(*allowed),
            _ => None,
        })
    };
    let ports = i.value(|c| match c {
        Control::HostPorts(r) => Some(ranges(r)),
        _ => None,
    });
    Some(json!({
        "allow_host_ipc": ns(HostNamespace::Ipc),
        "allow_host_network": ns(HostNamespace::Network),
        "allow_host_pid": ns(HostNamespace::Pid),
        "allow_host_ports": ports,
    }))
}

/// `volumes`, unless it holds `*`.
fn volumes(i: &Intent, _: Form) -> Option<Value> {
    let v = i.value(|c| match c {
        Control::Volumes(v) => Some(v),
        _ => None,
    });
    (!v.any).then(|| json!({"allowedTypes": v.types}))
}

/// `allowedHostPaths`, when it lists any.
fn host_paths(i: &Intent, _: Form) -> Option<Value> {
    let p = i.value(|c| match c {
        Control::HostPaths(p) => Some(p),
        _ => None,
    });
    let list: Vec<Value> = p
        .iter()
        .map(|h| json!({"pathPrefix": h.path_prefix, "readOnly": h.read_only}))
        .collect();
    (!list.is_empty()).then(|| json!({"allowedHostPaths": list}))
}

/// `allowedFlexVolumes`, when it lists any.
fn flex_volumes(i: &Intent, _: Form) -> Option<Value> {
    let d = i.value(|c| match c {
        Control::FlexVolumes(d) => Some(d),
        _ => None,
    });
    let list: Vec<Value> = d.iter().map(|d| json!({"driver": d})).collect();
    (!list.is_empty()).then(|| json!({"allowedFlexVolumes": list}))
}

/// The capabilities a container may add: `allowedCapabilities` and the default ones, which PSP
/// allowed implicitly (the module checks additions against its allowed list only).
pub fn addable_capabilities(i: &Intent) -> Vec<String> {
    let mut out = i.value(|c| match c {
        Control::AllowedCapabilities(a) => Some(a.clone()),
        _ => None,
    });
    for d in default_add(i) {
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// `defaultAddCapabilities`.
fn default_add(i: &Intent) -> Vec<String> {
    i.find(|c| match c {
        Control::DefaultAddCapabilities(d) => Some(d.clone()),
        _ => None,
    })
    .unwrap_or_default()
}

/// Capabilities: what may be added, what must be dropped, and (policies form) what is added
/// by default. Left out when any capability may be added and none must be dropped.
fn capabilities(i: &Intent, form: Form) -> Option<Value> {
    let allowed = addable_capabilities(i);
    let drop = i.value(|c| match c {
        Control::RequiredDropCapabilities(d) => Some(d.clone()),
        _ => None,
    });
    if allowed.iter().any(|a| a == "*") && drop.is_empty() {
        return None;
    }
    let mut s = Map::new();
    s.insert("allowed_capabilities".into(), json!(allowed));
    s.insert("required_drop_capabilities".into(), json!(drop));
    if form == Form::Policies {
        s.insert("default_add_capabilities".into(), json!(default_add(i)));
    }
    Some(Value::Object(s))
}

/// `runAsUser`, `runAsGroup` and `supplementalGroups`, unless all three are RunAsAny. A value
/// the pod sets is never overwritten (PSP only filled unset ones); the group form only
/// validates (`validate_only`).
fn user_group(i: &Intent, form: Form) -> Option<Value> {
    let (user_rule, user_ranges) = i.value(|c| match c {
        Control::RunAsUser { rule, ranges } => Some((*rule, ranges.clone())),
        _ => None,
    });
    let (group_rule, group_ranges) = i.value(|c| match c {
        Control::RunAsGroup { rule, ranges } => Some((*rule, ranges.clone())),
        _ => None,
    });
    let (supp_rule, supp_ranges) = i.value(|c| match c {
        Control::SupplementalGroups { rule, ranges } => Some((*rule, ranges.clone())),
        _ => None,
    });
    let any = user_rule == RunAsUserRule::RunAsAny
        && group_rule == GroupRule::RunAsAny
        && supp_rule == GroupRule::RunAsAny;
    if any {
        return None;
    }
    Some(json!({
        "run_as_user": strategy(user_rule_name(user_rule), &user_ranges),
        "run_as_group": strategy(group_rule_name(group_rule), &group_ranges),
        "supplemental_groups": strategy(group_rule_name(supp_rule), &supp_ranges),
        "validate_only": form == Form::Group,
    }))
}

/// One user-group-psp strategy: its rule, its ranges when it has any, and no overwriting.
fn strategy(rule: &str, r: &[IdRange]) -> Value {
    let mut s = Map::new();
    s.insert("rule".into(), json!(rule));
    if !r.is_empty() {
        s.insert("ranges".into(), ranges(r));
    }
    s.insert("overwrite".into(), json!(false));
    Value::Object(s)
}

/// `fsGroup`, unless RunAsAny.
fn fs_group(i: &Intent, _: Form) -> Option<Value> {
    let (rule, r) = i.value(|c| match c {
        Control::FsGroup { rule, ranges } => Some((*rule, ranges.clone())),
        _ => None,
    });
    (rule != GroupRule::RunAsAny)
        .then(|| json!({"rule": group_rule_name(rule), "ranges": ranges(&r)}))
}

/// `seLinux: MustRunAs` with the options it sets.
fn selinux(i: &Intent, _: Form) -> Option<Value> {
    let (rule, options) = i.value(|c| match c {
        Control::SeLinux { rule, options } => Some((*rule, options.clone())),
        _ => None,
    });
    if rule == SeLinuxRule::RunAsAny {
        return None;
    }
    let mut s = Map::new();
    s.insert("rule".into(), json!("MustRunAs"));
    let o = options.unwrap_or_default();
    for (k, v) in [
        ("user", o.user),
        ("role", o.role),
        ("type", o.type_),
        ("level", o.level),
    ] {
        if let Some(v) = v {
            s.insert(k.into(), json!(v));
        }
    }
    Some(Value::Object(s))
}

/// `readOnlyRootFilesystem: true` (the module has no settings).
fn read_only_root_filesystem(i: &Intent, _: Form) -> Option<Value> {
    let required = i.value(|c| match c {
        Control::ReadOnlyRootFilesystem { required } => Some(*required),
        _ => None,
    });
    required.then(|| json!({}))
}

/// `allowPrivilegeEscalation: false`, whose default (unset becomes false) the policies form
/// applies. The module refuses `allowPrivilegeEscalation: true` outright, so it cannot serve a
/// PSP that allows escalation and only defaults it off.
fn privilege_escalation(i: &Intent, _: Form) -> Option<Value> {
    let allowed = i.value(|c| match c {
        Control::AllowPrivilegeEscalation { allowed } => Some(*allowed),
        _ => None,
    });
    (!allowed).then(|| json!({"default_allow_privilege_escalation": false}))
}

/// `allowedProcMountTypes` without `Unmasked`.
fn proc_mount(i: &Intent, _: Form) -> Option<Value> {
    let allowed = i.value(|c| match c {
        Control::ProcMount { allowed } => Some(allowed),
        _ => None,
    });
    (!allowed.iter().any(|t| t == "Unmasked"))
        .then(|| json!({"allow_unmasked_proc_mount_type": false}))
}

/// `forbiddenSysctls` and `allowedUnsafeSysctls`: always, since unsafe sysctls are refused
/// unless allowed.
fn sysctls(i: &Intent, _: Form) -> Option<Value> {
    let forbidden = i.value(|c| match c {
        Control::ForbiddenSysctls(f) => Some(f),
        _ => None,
    });
    let unsafe_allowed = i.value(|c| match c {
        Control::AllowedUnsafeSysctls(a) => Some(a),
        _ => None,
    });
    Some(json!({"forbiddenSysctls": forbidden, "allowedUnsafeSysctls": unsafe_allowed}))
}

/// The seccomp profiles allowed, unless `*`: the annotation values as written, with the profile
/// field's types and localhost profiles they stand for. No annotation allows no profile.
fn seccomp(i: &Intent, _: Form) -> Option<Value> {
    let allowed = i.value(|c| match c {
        Control::Seccomp { allowed } => Some(allowed.clone()),
        _ => None,
    });
    let list = allowed.unwrap_or_default();
    if list.iter().any(|p| p == "*") {
        return None;
    }
    let mut types: Vec<&str> = Vec::new();
    let mut localhost: Vec<&str> = Vec::new();
    for p in &list {
        let t = match p.as_str() {
            "runtime/default" | "docker/default" => Some("RuntimeDefault"),
            "unconfined" => Some("Unconfined"),
            _ => p.strip_prefix("localhost/").map(|name| {
                localhost.push(name);
                "Localhost"
            }),
        };
        if let Some(t) = t.filter(|t| !types.contains(t)) {
            types.push(t);
        }
    }
    Some(json!({"allowed_profiles": list, "profile_types": types, "localhost_profiles": localhost}))
}

/// The AppArmor profiles allowed, when the annotation restricts them.
fn apparmor(i: &Intent, _: Form) -> Option<Value> {
    let allowed = i.value(|c| match c {
        Control::AppArmor { allowed } => Some(allowed.clone()),
        _ => None,
    });
    allowed.map(|a| json!({"allowed_profiles": a}))
}

/// `[{min, max}]`, every range as written.
fn ranges(r: &[IdRange]) -> Value {
    r.iter()
        .map(|r| json!({"min": r.min, "max": r.max}))
        .collect()
}

/// The rule as the PSP (and the module) spells it.
fn user_rule_name(r: RunAsUserRule) -> &'static str {
    match r {
        RunAsUserRule::MustRunAs => "MustRunAs",
        RunAsUserRule::MustRunAsNonRoot => "MustRunAsNonRoot",
        RunAsUserRule::RunAsAny => "RunAsAny",
    }
}

/// The rule as the PSP (and the module) spells it.
fn group_rule_name(r: GroupRule) -> &'static str {
    match r {
        GroupRule::MustRunAs => "MustRunAs",
        GroupRule::MayRunAs => "MayRunAs",
        GroupRule::RunAsAny => "RunAsAny",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::simulate::testing::psp;

    fn settings(spec: &str, form: Form) -> Vec<(&'static str, Value)> {
        members(&intent_of(&psp(spec)), form)
            .into_iter()
            .map(|m| (m.module.name, m.settings))
            .collect()
    }

    /// Every key any member writes is a documented setting of its module.
    #[test]
    fn every_emitted_setting_is_documented() {
        let spec = "  privileged: false\n  hostPorts: [{min: 80, max: 90}]\n  volumes: [hostPath, flexVolume]\n  allowedHostPaths: [{pathPrefix: /var, readOnly: true}]\n  allowedFlexVolumes: [{driver: x/y}]\n  allowedCapabilities: [NET_ADMIN]\n  defaultAddCapabilities: [CHOWN]\n  requiredDropCapabilities: [ALL]\n  runAsUser: {rule: MustRunAs, ranges: [{min: 1, max: 9}]}\n  runAsGroup: {rule: MayRunAs, ranges: [{min: 2, max: 3}]}\n  supplementalGroups: {rule: MustRunAs, ranges: [{min: 4, max: 5}]}\n  fsGroup: {rule: MustRunAs, ranges: [{min: 6, max: 7}]}\n  seLinux: {rule: MustRunAs, seLinuxOptions: {user: u, role: r, type: t, level: 's0:c1'}}\n  readOnlyRootFilesystem: true\n  allowPrivilegeEscalation: false\n  forbiddenSysctls: [kernel.msgmax]\n  allowedUnsafeSysctls: [net.core.*]\n";
        for form in [Form::Group, Form::Policies] {
            let intent = intent_of(&psp(spec));
            let found = members(&intent, form);
            assert_eq!(found.len(), modules::ALL.len() - 1, "{found:?}"); // all but apparmor
            for m in found {
                for path in modules::key_paths(&m.settings) {
                    assert!(
                        m.module
                            .settings
                            .iter()
                            .any(|d| *d == path || d.starts_with(&format!("{path}[]"))),
                        "{}: {path} is not a documented setting",
                        m.module.name
                    );
                }
            }
        }
    }

    #[test]
    fn values_are_carried_whole() {
        let s = settings(
            "  hostNetwork: true\n  hostPorts: [{min: 80, max: 80}, {min: 8000, max: 9000}]\n  allowedCapabilities: ['*']\n",
            Form::Group,
        );
        let host = &s
            .iter()
            .find(|(n, _)| *n == "host-namespaces-psp")
            .unwrap()
            .1;
        assert_eq!(host["allow_host_network"], true);
        assert_eq!(host["allow_host_pid"], false);
        assert_eq!(
            host["allow_host_ports"],
            json!([{"min": 80, "max": 80}, {"min": 8000, "max": 9000}])
        );
        assert!(!s.iter().any(|(n, _)| *n == "capabilities-psp"));
    }

    #[test]
    fn defaults_only_in_the_policies_form() {
        let spec = "  allowedCapabilities: [NET_ADMIN]\n  defaultAddCapabilities: [CHOWN]\n  runAsUser: {rule: MustRunAs, ranges: [{min: 5, max: 9}]}\n";
        let caps = |form| {
            settings(spec, form)
                .into_iter()
                .find(|(n, _)| *n == "capabilities-psp")
                .unwrap()
                .1
        };
        assert_eq!(
            caps(Form::Group)["allowed_capabilities"],
            json!(["NET_ADMIN", "CHOWN"])
        );
        assert!(caps(Form::Group).get("default_add_capabilities").is_none());
        assert_eq!(
            caps(Form::Policies)["default_add_capabilities"],
            json!(["CHOWN"])
        );
        let users = |form| {
            settings(spec, form)
                .into_iter()
                .find(|(n, _)| *n == "user-group-psp")
                .unwrap()
                .1
        };
        assert_eq!(users(Form::Group)["validate_only"], true);
        assert_eq!(users(Form::Policies)["validate_only"], false);
        assert_eq!(
            users(Form::Group)["run_as_user"],
            json!({"rule": "MustRunAs", "ranges": [{"min": 5, "max": 9}], "overwrite": false})
        );
    }

    /// A strategy without the range it needs made the PSP unusable: it gets no members (the
    /// module would refuse the settings) and `false` in the expression.
    #[test]
    fn a_psp_the_plugin_could_not_use_is_not_usable() {
        let mut p = psp("");
        assert!(usable(&intent_of(&p)));
        p.spec.run_as_user.rule = RunAsUserRule::MustRunAs;
        assert!(!usable(&intent_of(&p)));
        let mut p = psp("");
        p.spec.fs_group.rule = GroupRule::MayRunAs;
        assert!(!usable(&intent_of(&p)));
    }

    #[test]
    fn seccomp_profiles_give_types_and_localhost_names() {
        let p = psp("");
        let mut p = p;
        p.profiles.seccomp_allowed = Some(vec![
            "runtime/default".into(),
            "localhost/a.json".into(),
            "docker/default".into(),
        ]);
        let found = members(&intent_of(&p), Form::Group);
        let s = &found
            .iter()
            .find(|m| m.module.name == "seccomp-psp")
            .unwrap()
            .settings;
        assert_eq!(s["profile_types"], json!(["RuntimeDefault", "Localhost"]));
        assert_eq!(s["localhost_profiles"], json!(["a.json"]));
        assert_eq!(s["allowed_profiles"].as_array().unwrap().len(), 3);
    }
}
