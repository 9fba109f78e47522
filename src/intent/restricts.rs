//! Whether a validating constraint rejects anything at all: a constraint that admits every value
//! of its field has nothing for a target to keep.

use crate::intent::{Constraint, Control, Effect, Intent};
use crate::psp::PortRange;

impl Constraint {
    /// True when this (validating) constraint of `intent` rejects some pod. Sub-lists of a
    /// volume type (host path prefixes, flexVolume drivers, CSI drivers) restrict only when that
    /// type is allowed at all.
    pub fn restricts(&self, intent: &Intent) -> bool {
        restricts(self, intent)
    }
}

fn restricts(c: &Constraint, intent: &Intent) -> bool {
    if c.effect == Effect::Mutate {
        return false;
    }
    let wildcard = |v: &[String], w: &str| v.iter().any(|x| x == w);
    match &c.control {
        Control::Privileged { allowed } | Control::HostNamespace { allowed, .. } => !allowed,
        Control::HostPorts(r) => !covers_every_port(r),
        Control::Volumes(v) => !v.any,
        Control::HostPaths(p) => !p.is_empty() && volume_allowed(intent, "hostPath"),
        Control::FlexVolumes(d) => !d.is_empty() && volume_allowed(intent, "flexVolume"),
        Control::CsiDrivers(d) => !d.is_empty() && volume_allowed(intent, "csi"),
        Control::AllowedCapabilities(caps) => !wildcard(caps, "*"),
        Control::RequiredDropCapabilities(caps) => !caps.is_empty(),
        Control::RunAsUser { rule, .. } => *rule != crate::psp::RunAsUserRule::RunAsAny,
        Control::RunAsGroup { rule, .. }
        | Control::SupplementalGroups { rule, .. }
        | Control::FsGroup { rule, .. } => *rule != crate::psp::GroupRule::RunAsAny,
        Control::SeLinux { rule, .. } => *rule != crate::psp::SeLinuxRule::RunAsAny,
        Control::ReadOnlyRootFilesystem { required } => *required,
        Control::AllowPrivilegeEscalation { allowed } => !allowed,
        Control::AllowedUnsafeSysctls(s) => !wildcard(s, "*"),
        Control::ForbiddenSysctls(s) => !s.is_empty(),
        // Only a list with both types admits every pod: `[Unmasked]` alone refuses Default.
        Control::ProcMount { allowed } => {
            !(wildcard(allowed, "Default") && wildcard(allowed, "Unmasked"))
        }
        Control::RuntimeClass { allowed } => allowed.as_ref().is_some_and(|a| !wildcard(a, "*")),
        Control::Seccomp { allowed } => allowed.as_ref().is_none_or(|a| !wildcard(a, "*")),
        // PSP matched AppArmor names exactly: any list restricts, absence allows everything.
        Control::AppArmor { allowed } => allowed.is_some(),
        _ => false,
    }
}

/// True when the intent's volume types include `t` (or `*`).
fn volume_allowed(intent: &Intent, t: &str) -> bool {
    intent
        .find(|c| match c {
            Control::Volumes(v) => Some(v.any || v.types.contains(t)),
            _ => None,
        })
        .unwrap_or(false)
}

/// True when the union of `ranges` holds every host port 1-65535 (0 means "no host port").
fn covers_every_port(ranges: &[PortRange]) -> bool {
    let mut sorted: Vec<PortRange> = ranges.to_vec();
    sorted.sort();
    let mut next = 1;
    for r in sorted {
        if r.min > next {
            return false;
        }
        next = next.max(r.max + 1);
    }
    next > 65535
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;
    use crate::psp::AllowedHostPath;

    fn restricting(p: &crate::psp::Psp) -> Vec<String> {
        let i = intent_of(p);
        i.constraints
            .iter()
            .filter(|c| c.restricts(&i))
            .map(|c| c.field.clone())
            .collect()
    }

    #[test]
    fn port_ranges_are_joined() {
        let r = |min, max| PortRange { min, max };
        assert!(covers_every_port(&[r(0, 100), r(101, 65535)]));
        assert!(!covers_every_port(&[r(1, 100), r(102, 65535)]));
        assert!(!covers_every_port(&[]));
    }

    #[test]
    fn host_path_prefixes_restrict_only_when_host_path_is_allowed() {
        let mut p = psp();
        p.spec.allowed_host_paths = vec![AllowedHostPath {
            path_prefix: "/var/log".into(),
            read_only: true,
        }];
        assert!(!restricting(&p).contains(&"spec.allowedHostPaths".to_string()));
        p.spec.volumes = vec!["hostPath".into()];
        assert!(restricting(&p).contains(&"spec.allowedHostPaths".to_string()));
    }

    /// Upstream provider.go: the pod's procMount must be in `allowedProcMountTypes` (empty read
    /// as `[Default]`), so `[Unmasked]` alone refuses every Default pod.
    #[test]
    fn an_unmasked_only_proc_mount_list_restricts() {
        let mut p = psp();
        let field = "spec.allowedProcMountTypes".to_string();
        p.spec.allowed_proc_mount_types = vec!["Unmasked".into()];
        assert!(restricting(&p).contains(&field));
        p.spec.allowed_proc_mount_types = vec!["Default".into(), "Unmasked".into()];
        assert!(!restricting(&p).contains(&field));
    }

    #[test]
    fn a_wide_open_psp_restricts_little() {
        let mut p = psp();
        p.spec.privileged = true;
        p.spec.host_pid = true;
        p.spec.host_ipc = true;
        p.spec.host_network = true;
        p.spec.host_ports = vec![PortRange { min: 0, max: 65535 }];
        p.spec.volumes = vec!["*".into()];
        p.spec.allowed_capabilities = vec!["*".into()];
        p.spec.allowed_unsafe_sysctls = vec!["*".into()];
        p.spec.allowed_proc_mount_types = vec!["Default".into(), "Unmasked".into()];
        p.profiles.seccomp_allowed = Some(vec!["*".into()]);
        assert_eq!(restricting(&p), Vec::<String>::new());
        // The defaults alone deny host access, privileged, and any seccomp profile.
        assert!(restricting(&psp()).contains(&"spec.hostPID".to_string()));
    }
}
