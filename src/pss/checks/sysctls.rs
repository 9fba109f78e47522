//! `sysctls` (baseline): a pod may set only sysctls known to be namespaced and isolated from
//! other pods (`spec.securityContext.sysctls[*].name`).
//!
//! History of the allowed list:
//! - 1.0: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
//!   `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`.
//! - 1.27: plus `net.ipv4.ip_local_reserved_ports`.
//! - 1.29: plus `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
//!   `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`.
//! - 1.32: plus `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`.
//! - 1.37: plus `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::fail;
use crate::pss::visit::pod_sc;
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "sysctls",
    level: Level::Baseline,
    psp_fields: &["spec.allowedUnsafeSysctls"],
    versions: &[
        Versioned {
            since: 0,
            eval: v1_0,
            overrides: &[],
        },
        Versioned {
            since: 27,
            eval: v1_27,
            overrides: &[],
        },
        Versioned {
            since: 29,
            eval: v1_29,
            overrides: &[],
        },
        Versioned {
            since: 32,
            eval: v1_32,
            overrides: &[],
        },
        Versioned {
            since: 37,
            eval: v1_37,
            overrides: &[],
        },
    ],
};

/// Each safe sysctl with the minor version from which it is allowed. The entries from 0 are
/// also the kubelet's safe set of the PSP era, which PSP always allowed.
pub const SAFE: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

fn safe_at(name: &str, minor: u32) -> bool {
    SAFE.iter().any(|(n, since)| *n == name && *since <= minor)
}

fn judge(spec: &PodSpec, minor: u32) -> Option<String> {
    let sysctls = pod_sc(spec)?.sysctls.as_deref().unwrap_or_default();
    let bad: Vec<&str> = sysctls
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| !safe_at(n, minor))
        .collect();
    if bad.is_empty() {
        return None;
    }
    fail("forbidden sysctls", bad.join(", "))
}

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    judge(spec, 0)
}

fn v1_27(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    judge(spec, 27)
}

fn v1_29(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    judge(spec, 29)
}

fn v1_32(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    judge(spec, 32)
}

fn v1_37(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    judge(spec, 37)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    fn with(name: &str) -> (PodSpec, ObjectMeta) {
        pod(json!({"spec": {"securityContext": {"sysctls": [{"name": name, "value": "1"}]}}}))
    }

    #[test]
    fn allowed_list_grows_at_each_boundary() {
        for (name, since) in SAFE {
            if *since > 0 {
                assert!(
                    !passes(&CHECK, since - 1, &with(name)),
                    "{name} before 1.{since}"
                );
            }
            assert!(passes(&CHECK, *since, &with(name)), "{name} at 1.{since}");
            assert!(passes(&CHECK, 37, &with(name)), "{name} at latest");
        }
    }

    #[test]
    fn lists_every_forbidden_sysctl() {
        let p = pod(json!({"spec": {"securityContext": {"sysctls": [
            {"name": "kernel.msgmax", "value": "1"},
            {"name": "net.ipv4.tcp_syncookies", "value": "1"},
            {"name": "vm.swappiness", "value": "1"}]}}}));
        assert_eq!(
            run(&CHECK, 37, &p).as_deref(),
            Some("forbidden sysctls (kernel.msgmax, vm.swappiness)")
        );
    }
}
