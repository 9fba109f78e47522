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

#[cfg(test)]
mod tests {
    //! The host namespaces checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    fn ports(list: &str, port: i32) -> Pod {
        pod(&format!("  {list}: [{{name: c, image: x, ports: [{{containerPort: 1, hostPort: {port}}}]}}]\n  containers: [{{name: app, image: x}}]\n"))
    }

    #[test]
    fn host_port_must_fall_in_any_range_bounds_inclusive() {
        let p = psp("  hostPorts: [{min: 80, max: 80}, {min: 8000, max: 8080}]\n");
        for ok in [80, 8000, 8080] {
            assert!(admitted(&p, &ports("initContainers", ok)), "{ok}");
        }
        for bad in [79, 81, 7999, 8081] {
            assert_eq!(
                failed(&p, &ports("initContainers", bad)),
                ["spec.initContainers[name=c].ports[0].hostPort"],
                "{bad}"
            );
        }
        let none = psp("");
        assert_eq!(
            failed(&none, &ports("ephemeralContainers", 80)),
            ["spec.ephemeralContainers[name=c].ports[0].hostPort"]
        );
    }

    #[test]
    fn host_network_defaults_host_ports_to_container_ports() {
        let p = pod("  hostNetwork: true\n  containers: [{name: app, image: x, ports: [{containerPort: 8080}]}]\n");
        assert_eq!(
            failed(&psp("  hostNetwork: true\n"), &p),
            ["spec.containers[name=app].ports[0].hostPort"]
        );
        assert!(admitted(
            &psp("  hostNetwork: true\n  hostPorts: [{min: 8080, max: 8080}]\n"),
            &p
        ));
        let e = run(
            &psp("  hostNetwork: true\n  hostPorts: [{min: 8080, max: 8080}]\n"),
            &p,
        );
        assert_eq!(
            e.pod.spec.unwrap().containers[0].ports.as_ref().unwrap()[0].host_port,
            Some(8080)
        );
    }

    #[test]
    fn host_namespaces_denied_unless_allowed() {
        for ns in ["hostPID", "hostIPC", "hostNetwork"] {
            let p = pod(&format!("  {ns}: true\n{APP}"));
            assert_eq!(failed(&psp(""), &p), [format!("spec.{ns}")]);
            assert!(admitted(&psp(&format!("  {ns}: true\n")), &p), "{ns}");
        }
    }
}
