//! The PodSecurityPolicy model (policy/v1beta1, frozen since Kubernetes 1.25), with the API's
//! defaults applied. Field names follow the API; [`PspSpec::explicit`] remembers which spec fields
//! the manifest spelled out, since "set on purpose" and "allowed by omission" differ in meaning.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// One PodSecurityPolicy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Psp {
    pub name: String,
    pub api_version: String,
    pub annotations: BTreeMap<String, String>,
    /// The seccomp and AppArmor annotations, parsed.
    pub profiles: Profiles,
    pub spec: PspSpec,
}

/// Annotation names PSP read for seccomp and AppArmor.
pub mod annotations {
    pub const SECCOMP_ALLOWED: &str = "seccomp.security.alpha.kubernetes.io/allowedProfileNames";
    pub const SECCOMP_DEFAULT: &str = "seccomp.security.alpha.kubernetes.io/defaultProfileName";
    pub const APPARMOR_ALLOWED: &str = "apparmor.security.beta.kubernetes.io/allowedProfileNames";
    pub const APPARMOR_DEFAULT: &str = "apparmor.security.beta.kubernetes.io/defaultProfileName";
}

/// The profile annotations. `None` means the annotation is absent; an allowed list keeps every
/// comma-separated item as written, including an empty item (which allows "no profile").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profiles {
    pub seccomp_allowed: Option<Vec<String>>,
    pub seccomp_default: Option<String>,
    pub apparmor_allowed: Option<Vec<String>>,
    pub apparmor_default: Option<String>,
}

/// The spec, with API defaults applied (absent booleans are false, except
/// `allowPrivilegeEscalation`, which defaults to true; absent required strategies are RunAsAny).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PspSpec {
    pub privileged: bool,
    pub default_add_capabilities: Vec<String>,
    pub required_drop_capabilities: Vec<String>,
    pub allowed_capabilities: Vec<String>,
    pub volumes: Vec<String>,
    pub host_network: bool,
    pub host_ports: Vec<PortRange>,
    #[serde(rename = "hostPID")]
    pub host_pid: bool,
    #[serde(rename = "hostIPC")]
    pub host_ipc: bool,
    pub se_linux: SeLinuxStrategy,
    pub run_as_user: RunAsUserStrategy,
    /// Optional in the API: absent means no restriction and no default.
    pub run_as_group: Option<GroupStrategy>,
    pub supplemental_groups: GroupStrategy,
    pub fs_group: GroupStrategy,
    pub read_only_root_filesystem: bool,
    pub default_allow_privilege_escalation: Option<bool>,
    pub allow_privilege_escalation: bool,
    pub allowed_host_paths: Vec<AllowedHostPath>,
    /// Drivers of `allowedFlexVolumes`.
    pub allowed_flex_volumes: Vec<String>,
    /// Names of `allowedCSIDrivers`.
    #[serde(rename = "allowedCSIDrivers")]
    pub allowed_csi_drivers: Vec<String>,
    pub allowed_unsafe_sysctls: Vec<String>,
    pub forbidden_sysctls: Vec<String>,
    pub allowed_proc_mount_types: Vec<String>,
    pub runtime_class: Option<RuntimeClassStrategy>,
    /// The spec fields present in the manifest (API names), whatever their value.
    pub explicit: BTreeSet<String>,
}

impl Default for PspSpec {
    fn default() -> Self {
        Self {
            privileged: false,
            default_add_capabilities: Vec::new(),
            required_drop_capabilities: Vec::new(),
            allowed_capabilities: Vec::new(),
            volumes: Vec::new(),
            host_network: false,
            host_ports: Vec::new(),
            host_pid: false,
            host_ipc: false,
            se_linux: SeLinuxStrategy {
                rule: SeLinuxRule::RunAsAny,
                options: None,
            },
            run_as_user: RunAsUserStrategy {
                rule: RunAsUserRule::RunAsAny,
                ranges: Vec::new(),
            },
            run_as_group: None,
            supplemental_groups: GroupStrategy {
                rule: GroupRule::RunAsAny,
                ranges: Vec::new(),
            },
            fs_group: GroupStrategy {
                rule: GroupRule::RunAsAny,
                ranges: Vec::new(),
            },
            read_only_root_filesystem: false,
            default_allow_privilege_escalation: None,
            allow_privilege_escalation: true,
            allowed_host_paths: Vec::new(),
            allowed_flex_volumes: Vec::new(),
            allowed_csi_drivers: Vec::new(),
            allowed_unsafe_sysctls: Vec::new(),
            forbidden_sysctls: Vec::new(),
            allowed_proc_mount_types: Vec::new(),
            runtime_class: None,
            explicit: BTreeSet::new(),
        }
    }
}

impl PspSpec {
    /// True when the manifest spelled out spec field `name` (API spelling).
    pub fn is_explicit(&self, name: &str) -> bool {
        self.explicit.contains(name)
    }
}

/// An inclusive range of ports or IDs. IDs are i64 in the API; ports are kept as i64 too so
/// out-of-range values survive to be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PortRange {
    pub min: i64,
    pub max: i64,
}

/// An inclusive range of user or group IDs.
pub type IdRange = PortRange;

impl PortRange {
    /// True when `v` lies in the range.
    pub fn contains(&self, v: i64) -> bool {
        self.min <= v && v <= self.max
    }
}

/// `runAsUser.rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RunAsUserRule {
    MustRunAs,
    MustRunAsNonRoot,
    RunAsAny,
}

/// `runAsGroup`, `supplementalGroups` and `fsGroup` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GroupRule {
    MustRunAs,
    MayRunAs,
    RunAsAny,
}

/// `seLinux.rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SeLinuxRule {
    MustRunAs,
    RunAsAny,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunAsUserStrategy {
    pub rule: RunAsUserRule,
    pub ranges: Vec<IdRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupStrategy {
    pub rule: GroupRule,
    pub ranges: Vec<IdRange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeLinuxStrategy {
    pub rule: SeLinuxRule,
    #[serde(rename = "seLinuxOptions")]
    pub options: Option<SeLinuxOptions>,
}

/// `seLinuxOptions`: each part is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SeLinuxOptions {
    pub user: Option<String>,
    pub role: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub level: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedHostPath {
    pub path_prefix: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeClassStrategy {
    pub allowed_runtime_class_names: Vec<String>,
    pub default_runtime_class_name: Option<String>,
}
