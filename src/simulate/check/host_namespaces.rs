//! Host namespaces and host ports.

use k8s_openapi::api::core::v1::PodSpec;

use super::Failures;
use crate::simulate::pod::Ctr;
use crate::simulate::rules::Rules;

pub(super) fn namespaces(r: &Rules, spec: &PodSpec, out: &mut Failures) {
    for (used, allowed, name) in [
        (spec.host_network, r.host_network, "hostNetwork"),
        (spec.host_pid, r.host_pid, "hostPID"),
        (spec.host_ipc, r.host_ipc, "hostIPC"),
    ] {
        if used == Some(true) && !allowed {
            out.fail(
                format!("spec.{name}"),
                &format!("spec.{name}"),
                format!("{name} is not allowed"),
            );
        }
    }
}

/// Every non-zero host port must fall in at least one range.
pub(super) fn ports(r: &Rules, c: &Ctr<'_>, out: &mut Failures) {
    for (i, p) in c.ports.iter().enumerate() {
        let Some(port) = p.host_port.filter(|p| *p > 0) else {
            continue;
        };
        if !r.host_ports.iter().any(|range| range.contains(port.into())) {
            out.fail(
                format!("{}.ports[{i}].hostPort", c.path),
                "spec.hostPorts",
                format!("host port {port} is not in any allowed range"),
            );
        }
    }
}
