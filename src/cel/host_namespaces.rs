//! Host namespaces and host ports (with the API server's `hostNetwork` defaulting of
//! `hostPort`), as `simulate/check/host_namespaces.rs` decides them.

use super::expr::{in_ranges, msg, not, Checks, Field};
use super::lit;
use crate::simulate::rules::Rules;

const S: &str = "variables.spec";

pub(super) fn namespaces(r: &Rules, out: &mut Checks) {
    for (name, allowed) in [
        ("hostNetwork", r.host_network),
        ("hostPID", r.host_pid),
        ("hostIPC", r.host_ipc),
    ] {
        if !allowed {
            let used = Field::at(S, &[name]).is(|v| v.to_string());
            out.pod(not(&used), msg(&format!("{name} is not allowed")));
        }
    }
}

/// Every host port above zero must fall in a range. With `hostNetwork`, the API server sets an
/// unset or zero `hostPort` of an init or regular container to its `containerPort` (ephemeral
/// containers are not defaulted); the expression applies that itself, so a pod template judged
/// before defaulting reads the same.
pub(super) fn ports(r: &Rules, out: &mut Checks) {
    let ranges = lit::ranges(r.host_ports.iter().map(|p| (p.min, p.max)));
    let port_ok = |defaulted: bool| {
        let explicit = "(has(p.hostPort) && p.hostPort != 0)";
        let port = if defaulted {
            format!("({explicit} ? p.hostPort : (variables.hostNetwork ? p.containerPort : 0))")
        } else {
            format!("({explicit} ? p.hostPort : 0)")
        };
        let allowed = if r.host_ports.is_empty() {
            "false".to_string()
        } else {
            in_ranges(&port, &ranges)
        };
        format!("!has(c.ports) || c.ports.all(p, {port} <= 0 || {allowed})")
    };
    let message = || {
        format!(
            "\"container \" + c.name + {}",
            msg(": a host port is not in any allowed range")
        )
    };
    out.each("variables.podContainers", "c", port_ok(true), message());
    out.each(
        "variables.ephemeralContainers",
        "c",
        port_ok(false),
        message(),
    );
}
