//! The controls a PSP constraint can carry, each with its full value, and their one-line wording.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::psp::{
    AllowedHostPath, GroupRule, IdRange, PortRange, RunAsUserRule, SeLinuxOptions, SeLinuxRule,
};

/// A host namespace a pod can share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HostNamespace {
    Pid,
    Ipc,
    Network,
}

/// Allowed volume types: `any` when the list holds `*`; `types` are the other entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeTypes {
    pub any: bool,
    pub types: BTreeSet<String>,
}

/// One control and its value. Validating controls come first, then the mutating defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "control", content = "value")]
pub enum Control {
    // --- validating ---
    /// `privileged`: may containers run privileged.
    Privileged { allowed: bool },
    /// `hostPID`, `hostIPC`, `hostNetwork`.
    HostNamespace {
        namespace: HostNamespace,
        allowed: bool,
    },
    /// `hostPorts`: a host port must fall in ANY range; none means no host ports.
    HostPorts(Vec<PortRange>),
    /// `volumes`.
    Volumes(VolumeTypes),
    /// `allowedHostPaths`: prefixes on path segments; empty means any path.
    HostPaths(Vec<AllowedHostPath>),
    /// `allowedFlexVolumes` drivers; empty means any driver.
    FlexVolumes(Vec<String>),
    /// `allowedCSIDrivers` names for inline CSI volumes; empty means any driver.
    CsiDrivers(Vec<String>),
    /// `allowedCapabilities` as written (`*` = any); `defaultAddCapabilities` may be added too.
    AllowedCapabilities(Vec<String>),
    /// `requiredDropCapabilities`: each must be in every container's drop list (waived when
    /// `allowedCapabilities` holds `*`).
    RequiredDropCapabilities(Vec<String>),
    /// `runAsUser`, judged per container (container value overrides the pod's).
    RunAsUser {
        rule: RunAsUserRule,
        ranges: Vec<IdRange>,
    },
    /// `runAsGroup` (absent: RunAsAny), judged per container.
    RunAsGroup {
        rule: GroupRule,
        ranges: Vec<IdRange>,
    },
    /// `supplementalGroups`, judged on the pod.
    SupplementalGroups {
        rule: GroupRule,
        ranges: Vec<IdRange>,
    },
    /// `fsGroup`, judged on the pod.
    FsGroup {
        rule: GroupRule,
        ranges: Vec<IdRange>,
    },
    /// `seLinux`, judged on the pod and per container.
    SeLinux {
        rule: SeLinuxRule,
        options: Option<SeLinuxOptions>,
    },
    /// `readOnlyRootFilesystem`.
    ReadOnlyRootFilesystem { required: bool },
    /// `allowPrivilegeEscalation`.
    AllowPrivilegeEscalation { allowed: bool },
    /// `allowedUnsafeSysctls` patterns (a trailing `*` is a prefix match).
    AllowedUnsafeSysctls(Vec<String>),
    /// `forbiddenSysctls` patterns; they also forbid safe sysctls.
    ForbiddenSysctls(Vec<String>),
    /// `allowedProcMountTypes`, with the empty list read as `[Default]`.
    ProcMount { allowed: Vec<String> },
    /// `runtimeClass.allowedRuntimeClassNames`; `None` = no runtimeClass strategy (any).
    RuntimeClass { allowed: Option<Vec<String>> },
    /// Seccomp allowed profiles; `None` = annotation absent (no profile may be set).
    Seccomp { allowed: Option<Vec<String>> },
    /// AppArmor allowed profiles; `None` = annotation absent (any profile).
    AppArmor { allowed: Option<Vec<String>> },

    // --- mutating ---
    /// `runAsUser: MustRunAs` sets a container's unset runAsUser to this.
    DefaultRunAsUser { uid: i64 },
    /// `runAsUser: MustRunAsNonRoot` sets runAsNonRoot=true where runAsUser and runAsNonRoot are unset.
    DefaultRunAsNonRoot,
    /// `runAsGroup: MustRunAs` sets a container's unset runAsGroup to this.
    DefaultRunAsGroup { gid: i64 },
    /// `supplementalGroups: MustRunAs` sets the pod's unset supplementalGroups to `[gid]`.
    DefaultSupplementalGroups { gid: i64 },
    /// `fsGroup: MustRunAs` sets the pod's unset fsGroup to this.
    DefaultFsGroup { gid: i64 },
    /// `seLinux: MustRunAs` sets the pod's unset seLinuxOptions to these.
    DefaultSeLinux { options: SeLinuxOptions },
    /// `defaultAddCapabilities`: added to every container's add list unless it drops them.
    DefaultAddCapabilities(Vec<String>),
    /// `requiredDropCapabilities`: added to every container's drop list.
    DefaultDropCapabilities(Vec<String>),
    /// `readOnlyRootFilesystem: true` sets unset readOnlyRootFilesystem to true.
    DefaultReadOnlyRootFilesystem,
    /// Unset allowPrivilegeEscalation becomes this (from `defaultAllowPrivilegeEscalation`, or
    /// false from `allowPrivilegeEscalation: false`).
    DefaultAllowPrivilegeEscalation { allowed: bool },
    /// `runtimeClass.defaultRuntimeClassName` for pods without one.
    DefaultRuntimeClass { name: String },
    /// The seccomp pod annotation set when the pod has no profile.
    DefaultSeccomp { profile: String },
    /// The AppArmor annotation set for each container without a profile.
    DefaultAppArmor { profile: String },
}

impl Control {
    /// One normalised line: sets sorted and de-duplicated, so equal meanings read the same.
    pub fn describe(&self) -> String {
        match self {
            Control::Privileged { allowed } => {
                format!("privileged containers: {}", allow(*allowed))
            }
            Control::HostNamespace { namespace, allowed } => {
                format!("host {}: {}", ns_name(*namespace), allow(*allowed))
            }
            Control::HostPorts(r) => format!("host ports: {}", ranges(r, "none")),
            Control::Volumes(v) if v.any => "volume types: any".into(),
            Control::Volumes(v) => format!(
                "volume types: {}{}",
                list(&v.types, "none"),
                token_volumes(&v.types)
            ),
            Control::HostPaths(p) => format!("host paths: {}", host_paths(p)),
            Control::FlexVolumes(d) => format!("flexVolume drivers: {}", list(d, "any")),
            Control::CsiDrivers(d) => format!("inline CSI drivers: {}", list(d, "any")),
            Control::AllowedCapabilities(c) => {
                format!(
                    "capabilities that may be added: {}",
                    any_list(c, "*", "none beyond the defaults")
                )
            }
            Control::RequiredDropCapabilities(c) => {
                format!("capabilities that must be dropped: {}", list(c, "none"))
            }
            Control::RunAsUser { rule, ranges: r } => format!("runAsUser: {}", user_rule(*rule, r)),
            Control::RunAsGroup { rule, ranges: r } => {
                format!("runAsGroup: {}", group_rule(*rule, r))
            }
            Control::SupplementalGroups { rule, ranges: r } => {
                format!("supplementalGroups: {}", group_rule(*rule, r))
            }
            Control::FsGroup { rule, ranges: r } => format!("fsGroup: {}", group_rule(*rule, r)),
            Control::SeLinux {
                rule: SeLinuxRule::RunAsAny,
                ..
            } => "seLinux: any".into(),
            Control::SeLinux { options, .. } => match options {
                Some(o) => format!("seLinux: must be {}", selinux(o)),
                None => "seLinux: MustRunAs without seLinuxOptions (policy unusable)".into(),
            },
            Control::ReadOnlyRootFilesystem { required } => format!(
                "read-only root filesystem: {}",
                if *required {
                    "required"
                } else {
                    "not required"
                }
            ),
            Control::AllowPrivilegeEscalation { allowed } => {
                format!("privilege escalation: {}", allow(*allowed))
            }
            Control::AllowedUnsafeSysctls(s) => {
                format!("unsafe sysctls allowed: {}", list(s, "none"))
            }
            Control::ForbiddenSysctls(s) => format!("forbidden sysctls: {}", list(s, "none")),
            Control::ProcMount { allowed } => {
                format!("proc mount types: {}", list(allowed, "none"))
            }
            Control::RuntimeClass { allowed: None } => "runtime classes: any".into(),
            Control::RuntimeClass { allowed: Some(a) } => {
                format!(
                    "runtime classes: unset or {}",
                    any_list(a, "*", "nothing else")
                )
            }
            Control::Seccomp { allowed: None } => "seccomp profiles: none may be set".into(),
            Control::Seccomp { allowed: Some(a) } => {
                format!("seccomp profiles: {}", profiles(a, "*"))
            }
            Control::AppArmor { allowed: None } => "AppArmor profiles: any".into(),
            Control::AppArmor { allowed: Some(a) } => {
                format!("AppArmor profiles: {}", profiles(a, ""))
            }
            Control::DefaultRunAsUser { uid } => format!("runAsUser defaults to {uid}"),
            Control::DefaultRunAsNonRoot => {
                "runAsNonRoot defaults to true when runAsUser is unset".into()
            }
            Control::DefaultRunAsGroup { gid } => format!("runAsGroup defaults to {gid}"),
            Control::DefaultSupplementalGroups { gid } => {
                format!("supplementalGroups default to [{gid}]")
            }
            Control::DefaultFsGroup { gid } => format!("fsGroup defaults to {gid}"),
            Control::DefaultSeLinux { options } => {
                format!("seLinuxOptions default to {}", selinux(options))
            }
            Control::DefaultAddCapabilities(c) => {
                format!(
                    "capabilities added by default (unless dropped): {}",
                    list(c, "none")
                )
            }
            Control::DefaultDropCapabilities(c) => {
                format!("capabilities dropped by default: {}", list(c, "none"))
            }
            Control::DefaultReadOnlyRootFilesystem => {
                "readOnlyRootFilesystem defaults to true".into()
            }
            Control::DefaultAllowPrivilegeEscalation { allowed } => {
                format!("allowPrivilegeEscalation defaults to {allowed}")
            }
            Control::DefaultRuntimeClass { name } => format!("runtimeClassName defaults to {name}"),
            Control::DefaultSeccomp { profile } => format!("seccomp profile defaults to {profile}"),
            Control::DefaultAppArmor { profile } => {
                format!("AppArmor profile defaults to {profile}")
            }
        }
    }
}

/// Said when `secret` is allowed and `projected` is not: the plugin (1.20+) still admitted the
/// projected volume the ServiceAccount admission plugin injects into every pod.
fn token_volumes(types: &BTreeSet<String>) -> &'static str {
    if types.contains("secret") && !types.contains("projected") {
        " (and projected service-account token volumes, as secret)"
    } else {
        ""
    }
}

fn allow(b: bool) -> &'static str {
    if b {
        "allowed"
    } else {
        "denied"
    }
}

fn ns_name(n: HostNamespace) -> &'static str {
    match n {
        HostNamespace::Pid => "PID",
        HostNamespace::Ipc => "IPC",
        HostNamespace::Network => "network",
    }
}

/// Sorted, de-duplicated, comma-separated; `empty` when there is nothing.
fn list<'a, I: IntoIterator<Item = &'a String>>(items: I, empty: &str) -> String {
    let set: BTreeSet<&str> = items.into_iter().map(String::as_str).collect();
    if set.is_empty() {
        empty.to_string()
    } else {
        set.into_iter().collect::<Vec<_>>().join(", ")
    }
}

/// Like [`list`], but `any` when the wildcard is present.
fn any_list(items: &[String], wildcard: &str, empty: &str) -> String {
    if items.iter().any(|i| i == wildcard) {
        "any".into()
    } else {
        list(items, empty)
    }
}

/// Profile names; an empty item reads `(unset)`.
fn profiles(items: &[String], wildcard: &str) -> String {
    if !wildcard.is_empty() && items.iter().any(|i| i == wildcard) {
        return "any".into();
    }
    let set: BTreeSet<&str> = items
        .iter()
        .map(|i| if i.is_empty() { "(unset)" } else { i.as_str() })
        .collect();
    set.into_iter().collect::<Vec<_>>().join(", ")
}

fn ranges(r: &[PortRange], empty: &str) -> String {
    let set: BTreeSet<&PortRange> = r.iter().collect();
    if set.is_empty() {
        return empty.to_string();
    }
    set.iter()
        .map(|r| format!("{}-{}", r.min, r.max))
        .collect::<Vec<_>>()
        .join(", ")
}

fn host_paths(p: &[AllowedHostPath]) -> String {
    if p.is_empty() {
        return "any".into();
    }
    let set: BTreeSet<String> = p
        .iter()
        .map(|h| {
            let ro = if h.read_only { " (read-only)" } else { "" };
            format!("{}{ro}", h.path_prefix)
        })
        .collect();
    set.into_iter().collect::<Vec<_>>().join(", ")
}

fn user_rule(rule: RunAsUserRule, r: &[IdRange]) -> String {
    match rule {
        RunAsUserRule::RunAsAny => "any".into(),
        RunAsUserRule::MustRunAsNonRoot => "non-root (runAsNonRoot or a non-zero runAsUser)".into(),
        RunAsUserRule::MustRunAs => {
            format!("must be in {}", ranges(r, "no range (policy unusable)"))
        }
    }
}

fn group_rule(rule: GroupRule, r: &[IdRange]) -> String {
    match rule {
        GroupRule::RunAsAny => "any".into(),
        GroupRule::MustRunAs => format!(
            "must be set and in {}",
            ranges(r, "no range (policy unusable)")
        ),
        GroupRule::MayRunAs => format!("when set, in {}", ranges(r, "no range (policy unusable)")),
    }
}

fn selinux(o: &SeLinuxOptions) -> String {
    let part = |k: &str, v: &Option<String>| format!("{k}={}", v.as_deref().unwrap_or(""));
    [
        part("user", &o.user),
        part("role", &o.role),
        part("type", &o.type_),
        part("level", &o.level),
    ]
    .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volumes(types: &[&str]) -> Control {
        Control::Volumes(VolumeTypes {
            any: false,
            types: types.iter().map(|s| s.to_string()).collect(),
        })
    }

    /// Upstream provider.go `allowsVolumeType` (1.20+): with `secret` allowed, the injected
    /// token volume is admitted too, so the rule every target reads says so.
    #[test]
    fn secret_without_projected_carries_the_token_volume_rule() {
        assert_eq!(
            volumes(&["secret"]).describe(),
            "volume types: secret (and projected service-account token volumes, as secret)"
        );
        assert_eq!(
            volumes(&["projected", "secret"]).describe(),
            "volume types: projected, secret"
        );
        assert_eq!(volumes(&["emptyDir"]).describe(), "volume types: emptyDir");
    }
}
