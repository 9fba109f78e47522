//! The Pod Security Standards controls, one per file.
//!
//! Every file holds one control: a doc comment with the rule and its version history, its
//! versioned behaviours, and unit tests at the version boundaries.

mod allow_privilege_escalation;
mod apparmor;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
mod host_namespaces;
pub mod host_path_volumes;
mod host_ports;
mod host_probes_lifecycle;
mod privileged;
mod proc_mount;
mod proc_mount_restricted;
pub mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod seccomp_baseline;
mod seccomp_restricted;
pub mod selinux;
pub mod sysctls;
mod windows_host_process;

use super::Check;

/// Every control upstream defines, baseline and restricted.
pub const ALL: &[Check] = &[
    host_namespaces::CHECK,
    privileged::CHECK,
    capabilities_baseline::CHECK,
    host_path_volumes::CHECK,
    host_ports::CHECK,
    apparmor::CHECK,
    selinux::CHECK,
    proc_mount::CHECK,
    seccomp_baseline::CHECK,
    sysctls::CHECK,
    windows_host_process::CHECK,
    host_probes_lifecycle::CHECK,
    restricted_volumes::CHECK,
    allow_privilege_escalation::CHECK,
    run_as_non_root::CHECK,
    run_as_user::CHECK,
    seccomp_restricted::CHECK,
    capabilities_restricted::CHECK,
    proc_mount_restricted::CHECK,
];
