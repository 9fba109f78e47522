//! `hostPorts` (baseline, since 1.0): no container port may bind a host port, i.e. every
//! `ports[].hostPort` must be unset or 0.
//!
//! The pod is judged after API-server defaulting: with `hostNetwork: true`, a port without a
//! `hostPort` gets `hostPort = containerPort`, so it counts as a host port here too.
//!
//! History: unchanged since 1.0.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::defaults::host_port;
use crate::pss::message::{containers, fail, plural};
use crate::pss::visit::containers as visit;
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "hostPorts",
    level: Level::Baseline,
    psp_fields: &["spec.hostPorts"],
    versions: &[Versioned {
        since: 0,
        eval: v1_0,
        overrides: &[],
    }],
};

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let mut bad = Vec::new();
    let mut ports = BTreeSet::new();
    for c in visit(spec) {
        let mut uses = false;
        for p in c.ports() {
            let hp = host_port(spec, c, p);
            if hp != 0 {
                ports.insert(hp);
                uses = true;
            }
        }
        if uses {
            bad.push(c.name());
        }
    }
    if bad.is_empty() {
        return None;
    }
    let list: Vec<String> = ports.iter().map(i32::to_string).collect();
    fail(
        "hostPort",
        format_args!(
            "{} {} {} {}",
            containers(&bad),
            plural(bad.len(), "uses", "use"),
            plural(ports.len(), "hostPort", "hostPorts"),
            list.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn forbids_explicit_host_ports() {
        let ok = pod(json!({"spec": {"containers": [
            {"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 0}]}]}}));
        assert!(passes(&CHECK, 0, &ok));
        let bad = pod(json!({"spec": {"containers": [
            {"name": "a", "ports": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81, "hostPort": 81}]},
            {"name": "b", "ports": [{"containerPort": 82}]}]}}));
        assert_eq!(
            run(&CHECK, 37, &bad).as_deref(),
            Some(r#"hostPort (container "a" uses hostPorts 81, 8080)"#)
        );
    }

    #[test]
    fn host_network_turns_container_ports_into_host_ports() {
        let p = pod(json!({"spec": {"hostNetwork": true, "containers": [
            {"name": "a", "ports": [{"containerPort": 80}]}]}}));
        assert_eq!(
            run(&CHECK, 0, &p).as_deref(),
            Some(r#"hostPort (container "a" uses hostPort 80)"#)
        );
    }

    /// Ephemeral containers get no hostPort default (upstream pkg/apis/core/v1/defaults.go
    /// defaults `Containers` and `InitContainers` only): no violation without an explicit one.
    #[test]
    fn host_network_leaves_ephemeral_container_ports_alone() {
        let p = pod(
            json!({"spec": {"hostNetwork": true, "containers": [{"name": "a"}],
            "ephemeralContainers": [{"name": "debug", "ports": [{"containerPort": 80}]}]}}),
        );
        assert!(passes(&CHECK, 0, &p));
    }
}
