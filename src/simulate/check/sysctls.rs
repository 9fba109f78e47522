//! Pod sysctls: a forbidden pattern rejects (even a safe sysctl); otherwise a sysctl must be in
//! the safe set (as of Kubernetes 1.22-1.24, the last PSP releases) or match an allowed pattern.

use k8s_openapi::api::core::v1::PodSecurityContext;

use super::Out;
use crate::simulate::rules::Rules;

/// The sysctls Kubernetes 1.22-1.24 treated as safe.
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];

/// `name` matches `pattern`: exactly, or by prefix when the pattern ends in `*`.
pub fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

pub(super) fn check(r: &Rules, sc: Option<&PodSecurityContext>, out: &mut Out) {
    let sysctls = sc.and_then(|s| s.sysctls.as_deref()).unwrap_or_default();
    for s in sysctls {
        let path = format!("spec.securityContext.sysctls[name={}]", s.name);
        if r.forbidden_sysctls.iter().any(|p| matches(p, &s.name)) {
            out.fail(
                path,
                "spec.forbiddenSysctls",
                format!("sysctl {} is forbidden", s.name),
            );
        } else if !SAFE_SYSCTLS.contains(&s.name.as_str())
            && !r.unsafe_sysctls.iter().any(|p| matches(p, &s.name))
        {
            out.fail(
                path,
                "spec.allowedUnsafeSysctls",
                format!("unsafe sysctl {} is not allowed", s.name),
            );
        }
    }
}
