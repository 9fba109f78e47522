//! `hostNamespaces` (baseline, since 1.0): a pod must not share the node's network, PID or IPC
//! namespace, so `spec.hostNetwork`, `spec.hostPID` and `spec.hostIPC` must be unset or false.
//!
//! History: unchanged since 1.0.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::fail;
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "hostNamespaces",
    level: Level::Baseline,
    psp_fields: &["spec.hostNetwork", "spec.hostPID", "spec.hostIPC"],
    versions: &[Versioned {
        since: 0,
        eval: v1_0,
        overrides: &[],
    }],
};

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let flags = [
        (spec.host_network, "hostNetwork=true"),
        (spec.host_pid, "hostPID=true"),
        (spec.host_ipc, "hostIPC=true"),
    ];
    if flags.iter().all(|(v, _)| *v != Some(true)) {
        return None;
    }
    let set: Vec<&str> = flags
        .iter()
        .filter(|(v, _)| *v == Some(true))
        .map(|(_, s)| *s)
        .collect();
    fail("host namespaces", set.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn forbids_each_host_namespace() {
        assert!(passes(
            &CHECK,
            0,
            &pod(json!({"spec": {"hostNetwork": false}}))
        ));
        let p = pod(json!({"spec": {"hostPID": true, "hostIPC": true}}));
        assert_eq!(
            run(&CHECK, 0, &p).as_deref(),
            Some("host namespaces (hostPID=true, hostIPC=true)")
        );
        assert!(!passes(
            &CHECK,
            37,
            &pod(json!({"spec": {"hostNetwork": true}}))
        ));
    }
}
