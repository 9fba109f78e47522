//! The intent read back into one typed record the simulator can consult. A control missing from
//! the intent reads as the API default of its PSP field (as if the field were absent).

use crate::intent::{Control, HostNamespace, Intent, VolumeTypes};
use crate::psp::{
    AllowedHostPath, GroupRule, IdRange, PortRange, RunAsUserRule, SeLinuxOptions, SeLinuxRule,
};

/// A rule and its ranges (runAsUser uses [`RunAsUserRule`], the groups [`GroupRule`]).
#[derive(Debug, Clone)]
pub(crate) struct Ranged<R> {
    pub rule: R,
    pub ranges: Vec<IdRange>,
}

#[derive(Debug, Clone)]
pub(crate) struct Rules {
    pub privileged: bool,
    pub host_pid: bool,
    pub host_ipc: bool,
    pub host_network: bool,
    pub host_ports: Vec<PortRange>,
    pub volumes: VolumeTypes,
    pub host_paths: Vec<AllowedHostPath>,
    pub flex_drivers: Vec<String>,
    pub csi_drivers: Vec<String>,
    pub allowed_caps: Vec<String>,
    pub required_drop: Vec<String>,
    pub run_as_user: Ranged<RunAsUserRule>,
    pub run_as_group: Ranged<GroupRule>,
    pub supplemental_groups: Ranged<GroupRule>,
    pub fs_group: Ranged<GroupRule>,
    pub selinux_rule: SeLinuxRule,
    pub selinux: Option<SeLinuxOptions>,
    pub read_only_root: bool,
    pub allow_escalation: bool,
    pub unsafe_sysctls: Vec<String>,
    pub forbidden_sysctls: Vec<String>,
    pub proc_mounts: Vec<String>,
    pub runtime_classes: Option<Vec<String>>,
    pub seccomp: Option<Vec<String>>,
    pub apparmor: Option<Vec<String>>,
    pub defaults: Defaults,
}

/// The mutating constraints.
#[derive(Debug, Clone, Default)]
pub(crate) struct Defaults {
    pub run_as_user: Option<i64>,
    pub run_as_non_root: bool,
    pub run_as_group: Option<i64>,
    pub supplemental_group: Option<i64>,
    pub fs_group: Option<i64>,
    pub selinux: Option<SeLinuxOptions>,
    pub add_caps: Vec<String>,
    pub drop_caps: Vec<String>,
    pub read_only_root: bool,
    pub allow_escalation: Option<bool>,
    pub runtime_class: Option<String>,
    pub seccomp: Option<String>,
    pub apparmor: Option<String>,
}

fn ranged<R>(rule: R, ranges: &[IdRange]) -> Ranged<R> {
    Ranged {
        rule,
        ranges: ranges.to_vec(),
    }
}

fn any<R>(rule: R) -> Ranged<R> {
    Ranged {
        rule,
        ranges: Vec::new(),
    }
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            privileged: false,
            host_pid: false,
            host_ipc: false,
            host_network: false,
            host_ports: Vec::new(),
            volumes: VolumeTypes {
                any: false,
                types: Default::default(),
            },
            host_paths: Vec::new(),
            flex_drivers: Vec::new(),
            csi_drivers: Vec::new(),
            allowed_caps: Vec::new(),
            required_drop: Vec::new(),
            run_as_user: any(RunAsUserRule::RunAsAny),
            run_as_group: any(GroupRule::RunAsAny),
            supplemental_groups: any(GroupRule::RunAsAny),
            fs_group: any(GroupRule::RunAsAny),
            selinux_rule: SeLinuxRule::RunAsAny,
            selinux: None,
            read_only_root: false,
            allow_escalation: true,
            unsafe_sysctls: Vec::new(),
            forbidden_sysctls: Vec::new(),
            proc_mounts: vec!["Default".into()],
            runtime_classes: None,
            seccomp: None,
            apparmor: None,
            defaults: Defaults::default(),
        }
    }
}

impl Rules {
    /// Reads every constraint of `intent`.
    pub fn of(intent: &Intent) -> Self {
        let mut r = Rules::default();
        for c in &intent.constraints {
            r.read(&c.control);
        }
        r
    }

    fn read(&mut self, c: &Control) {
        match c {
            Control::Privileged { allowed } => self.privileged = *allowed,
            Control::HostNamespace { namespace, allowed } => match namespace {
                HostNamespace::Pid => self.host_pid = *allowed,
                HostNamespace::Ipc => self.host_ipc = *allowed,
                HostNamespace::Network => self.host_network = *allowed,
            },
            Control::HostPorts(p) => self.host_ports = p.clone(),
            Control::Volumes(v) => self.volumes = v.clone(),
            Control::HostPaths(p) => self.host_paths = p.clone(),
            Control::FlexVolumes(d) => self.flex_drivers = d.clone(),
            Control::CsiDrivers(d) => self.csi_drivers = d.clone(),
            Control::AllowedCapabilities(c) => self.allowed_caps = c.clone(),
            Control::RequiredDropCapabilities(c) => self.required_drop = c.clone(),
            Control::RunAsUser { rule, ranges } => self.run_as_user = ranged(*rule, ranges),
            Control::RunAsGroup { rule, ranges } => self.run_as_group = ranged(*rule, ranges),
            Control::SupplementalGroups { rule, ranges } => {
                self.supplemental_groups = ranged(*rule, ranges)
            }
            Control::FsGroup { rule, ranges } => self.fs_group = ranged(*rule, ranges),
            Control::SeLinux { rule, options } => {
                self.selinux_rule = *rule;
                self.selinux = options.clone();
            }
            Control::ReadOnlyRootFilesystem { required } => self.read_only_root = *required,
            Control::AllowPrivilegeEscalation { allowed } => self.allow_escalation = *allowed,
            Control::AllowedUnsafeSysctls(s) => self.unsafe_sysctls = s.clone(),
            Control::ForbiddenSysctls(s) => self.forbidden_sysctls = s.clone(),
            Control::ProcMount { allowed } => self.proc_mounts = allowed.clone(),
            Control::RuntimeClass { allowed } => self.runtime_classes = allowed.clone(),
            Control::Seccomp { allowed } => self.seccomp = allowed.clone(),
            Control::AppArmor { allowed } => self.apparmor = allowed.clone(),
            other => self.read_default(other),
        }
    }

    fn read_default(&mut self, c: &Control) {
        let d = &mut self.defaults;
        match c {
            Control::DefaultRunAsUser { uid } => d.run_as_user = Some(*uid),
            Control::DefaultRunAsNonRoot => d.run_as_non_root = true,
            Control::DefaultRunAsGroup { gid } => d.run_as_group = Some(*gid),
            Control::DefaultSupplementalGroups { gid } => d.supplemental_group = Some(*gid),
            Control::DefaultFsGroup { gid } => d.fs_group = Some(*gid),
            Control::DefaultSeLinux { options } => d.selinux = Some(options.clone()),
            Control::DefaultAddCapabilities(c) => d.add_caps = c.clone(),
            Control::DefaultDropCapabilities(c) => d.drop_caps = c.clone(),
            Control::DefaultReadOnlyRootFilesystem => d.read_only_root = true,
            Control::DefaultAllowPrivilegeEscalation { allowed } => {
                d.allow_escalation = Some(*allowed)
            }
            Control::DefaultRuntimeClass { name } => d.runtime_class = Some(name.clone()),
            Control::DefaultSeccomp { profile } => d.seccomp = Some(profile.clone()),
            Control::DefaultAppArmor { profile } => d.apparmor = Some(profile.clone()),
            _ => {}
        }
    }

    /// Why the admission plugin could not build a provider from this policy, if it could not
    /// (the policy then admits nothing).
    pub fn unusable(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.run_as_user.rule == RunAsUserRule::MustRunAs && self.run_as_user.ranges.is_empty() {
            out.push((
                "spec.runAsUser.ranges".into(),
                "MustRunAs needs at least one range".into(),
            ));
        }
        for (name, g) in [
            ("runAsGroup", &self.run_as_group),
            ("supplementalGroups", &self.supplemental_groups),
            ("fsGroup", &self.fs_group),
        ] {
            if g.rule != GroupRule::RunAsAny && g.ranges.is_empty() {
                out.push((
                    format!("spec.{name}.ranges"),
                    format!("{:?} needs at least one range", g.rule),
                ));
            }
        }
        if self.selinux_rule == SeLinuxRule::MustRunAs && self.selinux.is_none() {
            out.push((
                "spec.seLinux.seLinuxOptions".into(),
                "MustRunAs needs seLinuxOptions".into(),
            ));
        }
        out
    }
}
