//! The checks the API server made on a PodSecurityPolicy before storing it, plus the ones the
//! admission plugin made when it built the policy's strategies. Each finding names the field.
//!
//! Errors are for values whose meaning is unclear (an unknown volume type, min > max); warnings
//! are for values the server refused but whose intent is plain (a host port of 65536), which the
//! model then reads in the obvious way.

use std::collections::BTreeSet;

use super::model::*;
use super::read::{closest, Reader};

/// Volume types (`FSType`) a PSP may list.
pub const VOLUME_TYPES: &[&str] = &[
    "*",
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephFS",
    "cinder",
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "hostPath",
    "iscsi",
    "nfs",
    "persistentVolumeClaim",
    "photonPersistentDisk",
    "portworxVolume",
    "projected",
    "quobyte",
    "rbd",
    "scaleIO",
    "secret",
    "storageos",
    "vsphereVolume",
];

/// Linux capability names as Kubernetes spells them (without `CAP_`).
pub const CAPABILITIES: &[&str] = &[
    "AUDIT_CONTROL",
    "AUDIT_READ",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "BPF",
    "CHECKPOINT_RESTORE",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "PERFMON",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYSLOG",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "WAKE_ALARM",
];

/// Runs every check on `psp`.
pub fn validate(psp: &Psp, r: &mut Reader<'_>) {
    let s = &psp.spec;
    check_capabilities(s, r);
    check_volumes(s, r);
    check_host_ports(s, r);
    check_id_ranges(
        "spec.runAsUser",
        matches!(s.run_as_user.rule, RunAsUserRule::MustRunAs),
        &s.run_as_user.ranges,
        r,
    );
    for (field, g) in [
        ("spec.runAsGroup", s.run_as_group.as_ref()),
        ("spec.supplementalGroups", Some(&s.supplemental_groups)),
        ("spec.fsGroup", Some(&s.fs_group)),
    ] {
        if let Some(g) = g {
            check_id_ranges(field, g.rule != GroupRule::RunAsAny, &g.ranges, r);
        }
    }
    check_selinux(s, r);
    check_privilege_escalation(s, r);
    check_host_paths(s, r);
    check_sysctls(s, r);
    check_proc_mount(s, r);
    check_runtime_class(s, r);
    check_profiles(&psp.profiles, r);
}

fn check_capabilities(s: &PspSpec, r: &mut Reader<'_>) {
    for (key, list) in [
        ("allowedCapabilities", &s.allowed_capabilities),
        ("defaultAddCapabilities", &s.default_add_capabilities),
        ("requiredDropCapabilities", &s.required_drop_capabilities),
    ] {
        for (i, cap) in list.iter().enumerate() {
            let field = format!("spec.{key}[{i}]");
            let wildcard_ok = key == "allowedCapabilities" && cap == "*";
            let all_ok = key == "requiredDropCapabilities" && cap.eq_ignore_ascii_case("ALL");
            if wildcard_ok || all_ok || CAPABILITIES.contains(&cap.as_str()) {
                continue;
            }
            let bare = cap.strip_prefix("CAP_").unwrap_or(cap).to_ascii_uppercase();
            let hint = if CAPABILITIES.contains(&bare.as_str()) {
                format!(" (Kubernetes spells it {bare:?}; container runtimes differ on other spellings)")
            } else {
                closest(cap, CAPABILITIES)
                    .map(|c| format!(" (did you mean {c:?}?)"))
                    .unwrap_or_default()
            };
            r.warn(&field, format!("unknown capability {cap:?}{hint}"));
        }
    }
    let dropped: BTreeSet<&str> = s
        .required_drop_capabilities
        .iter()
        .map(String::as_str)
        .collect();
    for (key, list) in [
        ("allowedCapabilities", &s.allowed_capabilities),
        ("defaultAddCapabilities", &s.default_add_capabilities),
    ] {
        for (i, cap) in list.iter().enumerate() {
            if dropped.contains(cap.as_str()) {
                r.error(
                    &format!("spec.{key}[{i}]"),
                    format!("capability {cap:?} is also in requiredDropCapabilities; the API server refuses both"),
                );
            }
        }
    }
}

fn check_volumes(s: &PspSpec, r: &mut Reader<'_>) {
    for (i, v) in s.volumes.iter().enumerate() {
        if !VOLUME_TYPES.contains(&v.as_str()) {
            let hint = closest(v, VOLUME_TYPES)
                .map(|c| format!(" (did you mean {c:?}?)"))
                .unwrap_or_default();
            r.error(
                &format!("spec.volumes[{i}]"),
                format!("unknown volume type {v:?}{hint}"),
            );
        }
    }
    let allows_flex = s.volumes.iter().any(|v| v == "*" || v == "flexVolume");
    if !s.allowed_flex_volumes.is_empty() && !allows_flex {
        r.warn(
            "spec.allowedFlexVolumes",
            "allowedFlexVolumes has no effect: volumes allows neither flexVolume nor *",
        );
    }
    let allows_host_path = s.volumes.iter().any(|v| v == "*" || v == "hostPath");
    if !s.allowed_host_paths.is_empty() && !allows_host_path {
        r.warn(
            "spec.allowedHostPaths",
            "allowedHostPaths has no effect: volumes allows neither hostPath nor *",
        );
    }
}

fn check_host_ports(s: &PspSpec, r: &mut Reader<'_>) {
    for (i, p) in s.host_ports.iter().enumerate() {
        let field = format!("spec.hostPorts[{i}]");
        if p.min > p.max {
            r.error(
                &field,
                format!("min {} is greater than max {}", p.min, p.max),
            );
        }
        for (bound, v) in [("min", p.min), ("max", p.max)] {
            if !(0..=65535).contains(&v) {
                r.warn(
                    &format!("{field}.{bound}"),
                    format!("{v} is outside the port range 0-65535 (the API server refused it); read as {}", v.clamp(0, 65535)),
                );
            }
        }
    }
}

fn check_id_ranges(field: &str, needs_ranges: bool, ranges: &[IdRange], r: &mut Reader<'_>) {
    if needs_ranges && ranges.is_empty() {
        r.error(
            &format!("{field}.ranges"),
            "this rule needs at least one range; PSP refused to use the policy without one",
        );
    }
    for (i, g) in ranges.iter().enumerate() {
        let f = format!("{field}.ranges[{i}]");
        if g.min < 0 || g.max < 0 {
            r.error(
                &f,
                format!("IDs cannot be negative (min {}, max {})", g.min, g.max),
            );
        } else if g.min > g.max {
            r.error(&f, format!("min {} is greater than max {}", g.min, g.max));
        }
    }
}

fn check_selinux(s: &PspSpec, r: &mut Reader<'_>) {
    if s.se_linux.rule == SeLinuxRule::MustRunAs && s.se_linux.options.is_none() {
        r.error(
            "spec.seLinux",
            "rule MustRunAs needs seLinuxOptions; PSP refused to use the policy without them",
        );
    }
}

fn check_privilege_escalation(s: &PspSpec, r: &mut Reader<'_>) {
    if s.default_allow_privilege_escalation == Some(true) && !s.allow_privilege_escalation {
        r.error(
            "spec.defaultAllowPrivilegeEscalation",
            "cannot default allowPrivilegeEscalation to true while allowPrivilegeEscalation is false",
        );
    }
}

fn check_host_paths(s: &PspSpec, r: &mut Reader<'_>) {
    for (i, h) in s.allowed_host_paths.iter().enumerate() {
        let field = format!("spec.allowedHostPaths[{i}].pathPrefix");
        if h.path_prefix.is_empty() {
            r.error(&field, "pathPrefix must not be empty");
        } else if h.path_prefix.split('/').any(|seg| seg == "..") {
            r.error(
                &field,
                format!("pathPrefix {:?} must not contain '..'", h.path_prefix),
            );
        }
    }
}

/// A sysctl name or pattern: dotted or slashed name segments, optionally ending in `*`, or `*`.
fn valid_sysctl_pattern(p: &str) -> bool {
    let name = p.strip_suffix('*').unwrap_or(p);
    if p == "*" {
        return true;
    }
    !name.is_empty()
        && !name.contains('*')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
}

fn check_sysctls(s: &PspSpec, r: &mut Reader<'_>) {
    for (key, list) in [
        ("allowedUnsafeSysctls", &s.allowed_unsafe_sysctls),
        ("forbiddenSysctls", &s.forbidden_sysctls),
    ] {
        for (i, p) in list.iter().enumerate() {
            if !valid_sysctl_pattern(p) {
                r.error(
                    &format!("spec.{key}[{i}]"),
                    format!("{p:?} is not a sysctl name or a pattern ending in '*'"),
                );
            }
        }
    }
    for (i, p) in s.allowed_unsafe_sysctls.iter().enumerate() {
        let blocked = s
            .forbidden_sysctls
            .iter()
            .any(|f| f == p || (f.ends_with('*') && p.starts_with(f.trim_end_matches('*'))));
        if blocked {
            r.error(
                &format!("spec.allowedUnsafeSysctls[{i}]"),
                format!(
                    "{p:?} is also matched by forbiddenSysctls; the API server refuses the overlap"
                ),
            );
        }
    }
}

fn check_proc_mount(s: &PspSpec, r: &mut Reader<'_>) {
    for (i, t) in s.allowed_proc_mount_types.iter().enumerate() {
        if t != "Default" && t != "Unmasked" {
            r.error(
                &format!("spec.allowedProcMountTypes[{i}]"),
                format!("{t:?} is not a proc mount type (Default, Unmasked)"),
            );
        }
    }
}

fn check_runtime_class(s: &PspSpec, r: &mut Reader<'_>) {
    let Some(rc) = &s.runtime_class else { return };
    if let Some(d) = &rc.default_runtime_class_name {
        let allowed = rc
            .allowed_runtime_class_names
            .iter()
            .any(|a| a == "*" || a == d);
        if !allowed {
            r.error(
                "spec.runtimeClass.defaultRuntimeClassName",
                format!("default runtime class {d:?} is not in allowedRuntimeClassNames"),
            );
        }
    }
}

fn check_profiles(p: &Profiles, r: &mut Reader<'_>) {
    use super::model::annotations::*;
    // From 1.19 the seccomp strategy allows `docker/default` and `runtime/default` for each
    // other (upstream seccomp/strategy.go: `runtimeDefaultAllowed`), so either default is
    // applied and admitted when either name is listed. AppArmor names match exactly.
    let runtime_default = |n: &str| n == "runtime/default" || n == "docker/default";
    for (allowed, default, key) in [
        (&p.seccomp_allowed, &p.seccomp_default, SECCOMP_DEFAULT),
        (&p.apparmor_allowed, &p.apparmor_default, APPARMOR_DEFAULT),
    ] {
        if let (Some(list), Some(d)) = (allowed, default) {
            let same = |a: &str| {
                a == d || (key == SECCOMP_DEFAULT && runtime_default(a) && runtime_default(d))
            };
            if !list.iter().any(|a| a == "*" || same(a)) {
                r.warn(
                    &format!("metadata.annotations[{key}]"),
                    format!("default profile {d:?} is not in the allowed list, so every pod it is applied to is rejected"),
                );
            }
        }
    }
    if let Some(list) = &p.apparmor_allowed {
        for (i, item) in list.iter().enumerate() {
            let known = item.is_empty()
                || item == "*"
                || item == "runtime/default"
                || item == "unconfined"
                || item.starts_with("localhost/");
            if !known {
                r.warn(
                    &format!("metadata.annotations[{APPARMOR_ALLOWED}]"),
                    format!("item {i} {item:?} is not an AppArmor profile name (runtime/default, unconfined, localhost/<name>)"),
                );
            }
        }
    }
    if let Some(list) = &p.seccomp_allowed {
        for (i, item) in list.iter().enumerate() {
            let known = item.is_empty()
                || item == "*"
                || item == "runtime/default"
                || item == "docker/default"
                || item == "unconfined"
                || item.starts_with("localhost/");
            if !known {
                r.warn(
                    &format!("metadata.annotations[{SECCOMP_ALLOWED}]"),
                    format!("item {i} {item:?} is not a seccomp profile name (runtime/default, docker/default, unconfined, localhost/<name>)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::load::{load_text, Loaded};

    /// The warnings about a PSP with these annotations (a flow mapping body).
    fn warnings(annotations: &str) -> Vec<String> {
        let text = format!(
            "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: p\n  annotations: {{{annotations}}}\nspec:\n  seLinux: {{rule: RunAsAny}}\n  runAsUser: {{rule: RunAsAny}}\n  supplementalGroups: {{rule: RunAsAny}}\n  fsGroup: {{rule: RunAsAny}}\n"
        );
        let mut loaded = Loaded::default();
        load_text("psp.yaml", &text, &mut loaded);
        loaded
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    /// Upstream seccomp strategy (1.19+): "automatically allow `runtime/default` if a user
    /// specifies `docker/default` and vice versa", so such a default is not rejected.
    #[test]
    fn docker_default_default_is_fine_when_runtime_default_is_allowed() {
        let key = "seccomp.security.alpha.kubernetes.io";
        for (allowed, default) in [
            ("runtime/default", "docker/default"),
            ("docker/default", "runtime/default"),
        ] {
            let w = warnings(&format!(
                "{key}/allowedProfileNames: '{allowed}', {key}/defaultProfileName: '{default}'"
            ));
            assert!(w.is_empty(), "{allowed} / {default}: {w:?}");
        }
        let w = warnings(&format!(
            "{key}/allowedProfileNames: 'localhost/x', {key}/defaultProfileName: 'docker/default'"
        ));
        assert!(
            w.iter().any(|m| m.contains("not in the allowed list")),
            "{w:?}"
        );
        let apparmor = "apparmor.security.beta.kubernetes.io";
        let w = warnings(&format!(
            "{apparmor}/allowedProfileNames: 'localhost/x', {apparmor}/defaultProfileName: 'runtime/default'"
        ));
        assert!(
            w.iter().any(|m| m.contains("not in the allowed list")),
            "{w:?}"
        );
    }
}
