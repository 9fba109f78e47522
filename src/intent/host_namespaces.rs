//! Host namespaces and ports: `hostPID`, `hostIPC`, `hostNetwork`, `hostPorts`.

use super::{Builder, Control, Effect, HostNamespace};

pub(super) fn build(b: &mut Builder<'_>) {
    let s = &b.psp.spec;
    let (pid, ipc, net, ports) = (s.host_pid, s.host_ipc, s.host_network, s.host_ports.clone());
    for (name, namespace, allowed) in [
        ("hostPID", HostNamespace::Pid, pid),
        ("hostIPC", HostNamespace::Ipc, ipc),
        ("hostNetwork", HostNamespace::Network, net),
    ] {
        b.spec(
            name,
            Effect::Validate,
            Control::HostNamespace { namespace, allowed },
        );
    }
    b.spec("hostPorts", Effect::Validate, Control::HostPorts(ports));
}
