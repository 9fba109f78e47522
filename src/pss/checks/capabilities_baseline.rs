//! `capabilities_baseline` (baseline, since 1.0): containers may add only capabilities from the
//! default container runtime set: AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
//! NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT.
//!
//! History: unchanged since 1.0. Under restricted it is replaced by `capabilities_restricted`
//! from 1.22.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail, quoted};
use crate::pss::visit::containers as visit;
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "capabilities_baseline",
    level: Level::Baseline,
    psp_fields: &["spec.allowedCapabilities", "spec.defaultAddCapabilities"],
    versions: &[Versioned {
        since: 0,
        eval: v1_0,
        overrides: &[],
    }],
};

/// Capabilities a baseline container may add.
pub const ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let mut bad = Vec::new();
    let mut caps = BTreeSet::new();
    for c in visit(spec) {
        let added = c
            .security_context()
            .and_then(|sc| sc.capabilities.as_ref())
            .and_then(|caps| caps.add.as_deref())
            .unwrap_or_default();
        let mut this_bad = false;
        for cap in added.iter().filter(|a| !ALLOWED.contains(&a.as_str())) {
            caps.insert(cap.as_str());
            this_bad = true;
        }
        if this_bad {
            bad.push(c.name());
        }
    }
    if bad.is_empty() {
        return None;
    }
    fail(
        "non-default capabilities",
        format_args!(
            "{} must not include {} in securityContext.capabilities.add",
            containers(&bad),
            quoted(&caps)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    fn adding(caps: &[&str]) -> (PodSpec, ObjectMeta) {
        pod(json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"capabilities": {"add": caps}}}]}}))
    }

    #[test]
    fn allows_default_set_only() {
        assert!(passes(
            &CHECK,
            0,
            &adding(&["CHOWN", "NET_BIND_SERVICE", "SYS_CHROOT"])
        ));
        assert_eq!(
            run(&CHECK, 37, &adding(&["NET_RAW", "CHOWN", "NET_ADMIN"])).as_deref(),
            Some(
                r#"non-default capabilities (container "a" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)"#
            )
        );
    }
}
