//! Two-sided differences: a PSP may admit pods a level rejects on a field and, on the same field,
//! reject pods the level admits (`volumes: [hostPath]` at baseline rejects `emptyDir`, which
//! baseline admits). `levels` says `psp_looser` for such a field; PSA then is not only stricter
//! but looser too, and the row says so.

use super::Standards;
use crate::intent::{Constraint, Control, Intent};
use crate::levels;
use crate::psp::sysctl_matches as matches;
use crate::psp::{RunAsUserRule, SeLinuxRule, VOLUME_TYPES};
use crate::pss::{Level, Version};

impl Standards {
    /// True when, for this constraint, the PSP rejects some value `level` admits.
    pub fn narrower(&self, c: &Constraint, intent: &Intent, level: Level) -> bool {
        let has = |v: &[String], x: &str| v.iter().any(|i| i == x);
        match &c.control {
            // Values no level pins: UID ranges, one SELinux context, no profile at all, an exact
            // profile list.
            Control::RunAsUser { rule, .. } => *rule == RunAsUserRule::MustRunAs,
            Control::SeLinux { rule, .. } => *rule == SeLinuxRule::MustRunAs,
            Control::Seccomp { allowed: None } => true,
            Control::Seccomp { allowed: Some(a) } => {
                !(has(a, "*")
                    || has(a, "localhost/*")
                        && (has(a, "runtime/default") || has(a, "docker/default")))
            }
            Control::AppArmor { allowed } => allowed.is_some(),
            Control::Volumes(v) => {
                !v.any
                    && VOLUME_TYPES
                        .iter()
                        .filter(|t| **t != "*" && **t != "none")
                        .any(|t| !self.rejects_volume(level, t) && !v.types.contains(*t))
            }
            Control::AllowedCapabilities(caps) => {
                let defaults = default_add(intent);
                !has(caps, "*")
                    && level_caps(level, self.version)
                        .iter()
                        .any(|cap| !has(caps, cap) && !has(&defaults, cap))
            }
            // Every level admits the Default /proc mount; `[Unmasked]` alone refuses it.
            Control::ProcMount { allowed } => !has(allowed, "Default"),
            Control::AllowedUnsafeSysctls(allowed) => {
                let original = levels::safe_sysctls(Version::Minor(0));
                levels::safe_sysctls(self.version)
                    .iter()
                    .any(|n| !original.contains(n) && !allowed.iter().any(|p| matches(p, n)))
            }
            _ => false,
        }
    }
}

/// The capabilities `level` lets a container add.
fn level_caps(level: Level, version: Version) -> &'static [&'static str] {
    match level {
        Level::Restricted if version.at_least(22) => levels::RESTRICTED_ADD,
        _ => levels::BASELINE_ADD,
    }
}

/// `defaultAddCapabilities`: they may be added too.
fn default_add(intent: &Intent) -> Vec<String> {
    intent
        .find(|c| match c {
            Control::DefaultAddCapabilities(caps) => Some(caps.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::fidelity::Fidelity;
    use crate::intent::intent_of;
    use crate::levels::judge;
    use crate::psp::testing::psp;
    use crate::pss::{Level, Version};
    use crate::targets::psa::fidelity::report_at;

    /// `allowedProcMountTypes: [Unmasked]` admits Unmasked (which every level rejects) and
    /// refuses Default (which every level admits): looser and stricter at once.
    #[test]
    fn unmasked_only_proc_mount_is_two_sided() {
        let mut p = psp();
        p.spec.allowed_proc_mount_types = vec!["Unmasked".into()];
        for level in [Level::Baseline, Level::Restricted] {
            let r = report_at(
                &intent_of(&p),
                &judge(&intent_of(&p), Version::Latest),
                level,
                Version::Latest,
            );
            let row = r
                .rows
                .iter()
                .find(|r| r.field == "spec.allowedProcMountTypes")
                .unwrap();
            assert_eq!(row.verdict, Fidelity::Looser, "{level}: {row:?}");
            assert!(
                row.reason.contains("admits others it rejected"),
                "{}",
                row.reason
            );
        }
    }
}
