//! PodSecurityPolicy manifest -> [`Psp`], reporting unknown fields, wrong types and unknown rule
//! names with their location. The API server's value checks are in `validate.rs`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::*;
use super::read::Reader;
use crate::diag::member_path;

/// Top-level members of a PodSecurityPolicy object.
const TOP_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];

/// Every member of PodSecurityPolicySpec.
pub const SPEC_FIELDS: &[&str] = &[
    "privileged",
    "defaultAddCapabilities",
    "requiredDropCapabilities",
    "allowedCapabilities",
    "volumes",
    "hostNetwork",
    "hostPorts",
    "hostPID",
    "hostIPC",
    "seLinux",
    "runAsUser",
    "runAsGroup",
    "supplementalGroups",
    "fsGroup",
    "readOnlyRootFilesystem",
    "defaultAllowPrivilegeEscalation",
    "allowPrivilegeEscalation",
    "allowedHostPaths",
    "allowedFlexVolumes",
    "allowedCSIDrivers",
    "allowedUnsafeSysctls",
    "forbiddenSysctls",
    "allowedProcMountTypes",
    "runtimeClass",
];

/// Reads a PodSecurityPolicy. Returns `None` only when there is no usable name; every other
/// problem is a diagnostic and the field keeps its API default.
pub fn parse_psp(value: &Value, api_version: &str, r: &mut Reader<'_>) -> Option<Psp> {
    let top = r.mapping(value, "")?;
    r.unknown_fields(top, "", TOP_FIELDS);
    let (name, annotations) = read_metadata(top.get("metadata").unwrap_or(&Value::Null), r)?;
    let spec = match top.get("spec") {
        Some(v) => r
            .mapping(v, "spec")
            .map(|m| read_spec(m, r))
            .unwrap_or_default(),
        None => {
            r.error(
                "",
                "missing spec: a PodSecurityPolicy needs at least its required strategies",
            );
            PspSpec::default()
        }
    };
    let profiles = read_profiles(&annotations);
    Some(Psp {
        name,
        api_version: api_version.to_string(),
        annotations,
        profiles,
        spec,
    })
}

/// The name and annotations; a namespace on this cluster-scoped kind is a warning.
fn read_metadata(value: &Value, r: &mut Reader<'_>) -> Option<(String, BTreeMap<String, String>)> {
    let Some(meta) = r.mapping(value, "metadata") else {
        r.error(
            "metadata",
            "missing metadata.name: a PodSecurityPolicy needs a name",
        );
        return None;
    };
    if let Some(ns) = r.string(meta, "metadata", "namespace") {
        r.warn(
            "metadata.namespace",
            format!("PodSecurityPolicy is cluster-scoped: the API server ignores namespace {ns:?}"),
        );
    }
    let mut annotations = BTreeMap::new();
    if let Some(a) = meta
        .get("annotations")
        .and_then(|v| r.mapping(v, "metadata.annotations"))
    {
        for (k, v) in a {
            match v {
                Value::String(s) => {
                    annotations.insert(k.clone(), s.clone());
                }
                other => r.error(
                    &member_path("metadata.annotations", k),
                    format!(
                        "annotation values are strings, found {}",
                        crate::diag::json_type(other)
                    ),
                ),
            }
        }
    }
    match r.string(meta, "metadata", "name") {
        Some(n) if !n.is_empty() => Some((n, annotations)),
        _ => {
            r.error(
                "metadata.name",
                "missing metadata.name: a PodSecurityPolicy needs a name",
            );
            None
        }
    }
}

/// Splits the seccomp and AppArmor annotations; list items are kept as written.
fn read_profiles(annotations: &BTreeMap<String, String>) -> Profiles {
    let list = |k: &str| {
        annotations
            .get(k)
            .map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>())
    };
    Profiles {
        seccomp_allowed: list(annotations::SECCOMP_ALLOWED),
        seccomp_default: annotations.get(annotations::SECCOMP_DEFAULT).cloned(),
        apparmor_allowed: list(annotations::APPARMOR_ALLOWED),
        apparmor_default: annotations.get(annotations::APPARMOR_DEFAULT).cloned(),
    }
}

fn read_spec(m: &Map<String, Value>, r: &mut Reader<'_>) -> PspSpec {
    const S: &str = "spec";
    r.unknown_fields(m, S, SPEC_FIELDS);
    let d = PspSpec::default();
    PspSpec {
        privileged: r.bool(m, S, "privileged").unwrap_or(d.privileged),
        default_add_capabilities: r.strings(m, S, "defaultAddCapabilities"),
        required_drop_capabilities: r.strings(m, S, "requiredDropCapabilities"),
        allowed_capabilities: r.strings(m, S, "allowedCapabilities"),
        volumes: r.strings(m, S, "volumes"),
        host_network: r.bool(m, S, "hostNetwork").unwrap_or(false),
        host_ports: read_ranges(m, "hostPorts", r),
        host_pid: r.bool(m, S, "hostPID").unwrap_or(false),
        host_ipc: r.bool(m, S, "hostIPC").unwrap_or(false),
        se_linux: read_selinux(m, r).unwrap_or(d.se_linux),
        run_as_user: read_run_as_user(m, r).unwrap_or(d.run_as_user),
        run_as_group: read_group(m, "runAsGroup", r),
        supplemental_groups: read_group(m, "supplementalGroups", r)
            .unwrap_or(d.supplemental_groups),
        fs_group: read_group(m, "fsGroup", r).unwrap_or(d.fs_group),
        read_only_root_filesystem: r.bool(m, S, "readOnlyRootFilesystem").unwrap_or(false),
        default_allow_privilege_escalation: r.bool(m, S, "defaultAllowPrivilegeEscalation"),
        allow_privilege_escalation: r.bool(m, S, "allowPrivilegeEscalation").unwrap_or(true),
        allowed_host_paths: read_host_paths(m, r),
        allowed_flex_volumes: read_named(m, "allowedFlexVolumes", "driver", r),
        allowed_csi_drivers: read_named(m, "allowedCSIDrivers", "name", r),
        allowed_unsafe_sysctls: r.strings(m, S, "allowedUnsafeSysctls"),
        forbidden_sysctls: r.strings(m, S, "forbiddenSysctls"),
        allowed_proc_mount_types: r.strings(m, S, "allowedProcMountTypes"),
        runtime_class: read_runtime_class(m, r),
        explicit: m
            .iter()
            .filter(|(k, v)| !v.is_null() && SPEC_FIELDS.contains(&k.as_str()))
            .map(|(k, _)| k.clone())
            .collect(),
    }
}

/// `hostPorts` or strategy `ranges`: a list of `{min, max}`.
fn read_ranges_at(
    m: &Map<String, Value>,
    field: &str,
    key: &str,
    r: &mut Reader<'_>,
) -> Vec<PortRange> {
    let mut out = Vec::new();
    for (path, item) in r.list(m, field, key) {
        let Some(obj) = r.mapping(item, &path) else {
            continue;
        };
        r.unknown_fields(obj, &path, &["min", "max"]);
        let (min, max) = (r.int(obj, &path, "min"), r.int(obj, &path, "max"));
        if let (Some(min), Some(max)) = (min, max) {
            out.push(PortRange { min, max });
        }
        for bound in ["min", "max"].into_iter().filter(|b| obj.get(*b).is_none()) {
            r.error(
                &path,
                format!("a range needs both min and max; {bound} is missing"),
            );
        }
    }
    out
}

fn read_ranges(m: &Map<String, Value>, key: &str, r: &mut Reader<'_>) -> Vec<PortRange> {
    read_ranges_at(m, "spec", key, r)
}

/// A required strategy's mapping and `rule` string; a missing strategy is a warning (the API
/// server refused such a PSP; reading it as RunAsAny keeps its other fields usable).
fn strategy<'v>(
    m: &'v Map<String, Value>,
    key: &str,
    required: bool,
    r: &mut Reader<'_>,
) -> Option<(&'v Map<String, Value>, String, String)> {
    let field = member_path("spec", key);
    let Some(v) = m.get(key).filter(|v| !v.is_null()) else {
        if required {
            r.warn(
                "spec",
                format!("missing required strategy spec.{key}: the API server would have refused this PSP; read as rule RunAsAny"),
            );
        }
        return None;
    };
    let obj = r.mapping(v, &field)?;
    match r.string(obj, &field, "rule") {
        Some(rule) => Some((obj, field, rule)),
        None => {
            if obj.get("rule").is_none() {
                r.error(&field, format!("spec.{key} needs a rule"));
            }
            None
        }
    }
}

fn bad_rule(r: &mut Reader<'_>, field: &str, rule: &str, allowed: &[&str]) {
    let hint = super::read::closest(rule, allowed)
        .map(|k| format!(" (did you mean {k:?}?)"))
        .unwrap_or_default();
    r.error(
        &format!("{field}.rule"),
        format!("rule {rule:?} is not one of {}{hint}", allowed.join(", ")),
    );
}

fn read_run_as_user(m: &Map<String, Value>, r: &mut Reader<'_>) -> Option<RunAsUserStrategy> {
    let (obj, field, rule) = strategy(m, "runAsUser", true, r)?;
    r.unknown_fields(obj, &field, &["rule", "ranges"]);
    let rule = match rule.as_str() {
        "MustRunAs" => RunAsUserRule::MustRunAs,
        "MustRunAsNonRoot" => RunAsUserRule::MustRunAsNonRoot,
        "RunAsAny" => RunAsUserRule::RunAsAny,
        other => {
            bad_rule(
                r,
                &field,
                other,
                &["MustRunAs", "MustRunAsNonRoot", "RunAsAny"],
            );
            return None;
        }
    };
    Some(RunAsUserStrategy {
        rule,
        ranges: read_ranges_at(obj, &field, "ranges", r),
    })
}

fn read_group(m: &Map<String, Value>, key: &str, r: &mut Reader<'_>) -> Option<GroupStrategy> {
    let (obj, field, rule) = strategy(m, key, key != "runAsGroup", r)?;
    r.unknown_fields(obj, &field, &["rule", "ranges"]);
    let rule = match rule.as_str() {
        "MustRunAs" => GroupRule::MustRunAs,
        "MayRunAs" => GroupRule::MayRunAs,
        "RunAsAny" => GroupRule::RunAsAny,
        other => {
            bad_rule(r, &field, other, &["MustRunAs", "MayRunAs", "RunAsAny"]);
            return None;
        }
    };
    Some(GroupStrategy {
        rule,
        ranges: read_ranges_at(obj, &field, "ranges", r),
    })
}

fn read_selinux(m: &Map<String, Value>, r: &mut Reader<'_>) -> Option<SeLinuxStrategy> {
    let (obj, field, rule) = strategy(m, "seLinux", true, r)?;
    r.unknown_fields(obj, &field, &["rule", "seLinuxOptions"]);
    let rule = match rule.as_str() {
        "MustRunAs" => SeLinuxRule::MustRunAs,
        "RunAsAny" => SeLinuxRule::RunAsAny,
        other => {
            bad_rule(r, &field, other, &["MustRunAs", "RunAsAny"]);
            return None;
        }
    };
    let opts_field = member_path(&field, "seLinuxOptions");
    let options = obj
        .get("seLinuxOptions")
        .and_then(|v| r.mapping(v, &opts_field))
        .map(|o| {
            r.unknown_fields(o, &opts_field, &["user", "role", "type", "level"]);
            SeLinuxOptions {
                user: r.string(o, &opts_field, "user"),
                role: r.string(o, &opts_field, "role"),
                type_: r.string(o, &opts_field, "type"),
                level: r.string(o, &opts_field, "level"),
            }
        });
    Some(SeLinuxStrategy { rule, options })
}

fn read_host_paths(m: &Map<String, Value>, r: &mut Reader<'_>) -> Vec<AllowedHostPath> {
    let mut out = Vec::new();
    for (path, item) in r.list(m, "spec", "allowedHostPaths") {
        let Some(obj) = r.mapping(item, &path) else {
            continue;
        };
        r.unknown_fields(obj, &path, &["pathPrefix", "readOnly"]);
        let prefix = r.string(obj, &path, "pathPrefix").unwrap_or_default();
        let read_only = r.bool(obj, &path, "readOnly").unwrap_or(false);
        out.push(AllowedHostPath {
            path_prefix: prefix,
            read_only,
        });
    }
    out
}

/// `allowedFlexVolumes[].driver` or `allowedCSIDrivers[].name`.
fn read_named(m: &Map<String, Value>, key: &str, member: &str, r: &mut Reader<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in r.list(m, "spec", key) {
        let Some(obj) = r.mapping(item, &path) else {
            continue;
        };
        r.unknown_fields(obj, &path, &[member]);
        match r.string(obj, &path, member) {
            Some(s) if !s.is_empty() => out.push(s),
            _ => r.error(&path, format!("{key} entries need a non-empty {member}")),
        }
    }
    out
}

fn read_runtime_class(m: &Map<String, Value>, r: &mut Reader<'_>) -> Option<RuntimeClassStrategy> {
    let field = "spec.runtimeClass";
    let obj = r.mapping(m.get("runtimeClass")?, field)?;
    r.unknown_fields(
        obj,
        field,
        &["allowedRuntimeClassNames", "defaultRuntimeClassName"],
    );
    Some(RuntimeClassStrategy {
        allowed_runtime_class_names: r.strings(obj, field, "allowedRuntimeClassNames"),
        default_runtime_class_name: r.string(obj, field, "defaultRuntimeClassName"),
    })
}
