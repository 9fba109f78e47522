//! The intent read back into one typed record the simulator can consult. The API defaults of
//! PSP fields are not repeated here: the intent carries a validating control for every field.

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

impl Rules {
    /// Reads every constraint of `intent`: each validating control (every intent has one per
    /// PSP field, API defaults included), and the mutating ones it has.
    pub fn of(intent: &Intent) -> Self {
        let i = intent;
        let host = |n: HostNamespace| {
            i.value(|c| match c {
                Control::HostNamespace { namespace, allowed } if *namespace == n => Some(*allowed),
                _ => None,
            })
        };
        let (selinux_rule, selinux) = i.value(|c| match c {
            Control::SeLinux { rule, options } => Some((*rule, options.clone())),
            _ => None,
        });
        let mut r = Rules {
            privileged: i.value(|c| match c {
                Control::Privileged { allowed } => Some(*allowed),
                _ => None,
            }),
            host_pid: host(HostNamespace::Pid),
            host_ipc: host(HostNamespace::Ipc),
            host_network: host(HostNamespace::Network),
            host_ports: i.value(|c| match c {
                Control::HostPorts(p) => Some(p.clone()),
                _ => None,
            }),
            volumes: i.value(|c| match c {
                Control::Volumes(v) => Some(v.clone()),
                _ => None,
            }),
            host_paths: i.value(|c| match c {
                Control::HostPaths(p) => Some(p.clone()),
                _ => None,
            }),
            flex_drivers: i.value(|c| match c {
                Control::FlexVolumes(d) => Some(d.clone()),
                _ => None,
            }),
            csi_drivers: i.value(|c| match c {
                Control::CsiDrivers(d) => Some(d.clone()),
                _ => None,
            }),
            allowed_caps: i.value(|c| match c {
                Control::AllowedCapabilities(caps) => Some(caps.clone()),
                _ => None,
            }),
            required_drop: i.value(|c| match c {
                Control::RequiredDropCapabilities(caps) => Some(caps.clone()),
                _ => None,
            }),
            run_as_user: i.value(|c| match c {
                Control::RunAsUser { rule, ranges } => Some(ranged(*rule, ranges)),
                _ => None,
            }),
            run_as_group: i.value(|c| match c {
                Control::RunAsGroup { rule, ranges } => Some(ranged(*rule, ranges)),
                _ => None,
            }),
            supplemental_groups: i.value(|c| match c {
                Control::SupplementalGroups { rule, ranges } => Some(ranged(*rule, ranges)),
                _ => None,
            }),
            fs_group: i.value(|c| match c {
                Control::FsGroup { rule, ranges } => Some(ranged(*rule, ranges)),
                _ => None,
            }),
            selinux_rule,
            selinux,
            read_only_root: i.value(|c| match c {
                Control::ReadOnlyRootFilesystem { required } => Some(*required),
                _ => None,
            }),
            allow_escalation: i.value(|c| match c {
                Control::AllowPrivilegeEscalation { allowed } => Some(*allowed),
                _ => None,
            }),
            unsafe_sysctls: i.value(|c| match c {
                Control::AllowedUnsafeSysctls(s) => Some(s.clone()),
                _ => None,
            }),
            forbidden_sysctls: i.value(|c| match c {
                Control::ForbiddenSysctls(s) => Some(s.clone()),
                _ => None,
            }),
            proc_mounts: i.value(|c| match c {
                Control::ProcMount { allowed } => Some(allowed.clone()),
                _ => None,
            }),
            runtime_classes: i.value(|c| match c {
                Control::RuntimeClass { allowed } => Some(allowed.clone()),
                _ => None,
            }),
            seccomp: i.value(|c| match c {
                Control::Seccomp { allowed } => Some(allowed.clone()),
                _ => None,
            }),
            apparmor: i.value(|c| match c {
                Control::AppArmor { allowed } => Some(allowed.clone()),
                _ => None,
            }),
            defaults: Defaults::default(),
        };
        for c in i.with_effect(crate::intent::Effect::Mutate) {
            r.read_default(&c.control);
        }
        r
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
