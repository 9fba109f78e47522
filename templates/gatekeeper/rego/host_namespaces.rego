package lib.podsecmigrate.host_namespaces

# Host namespaces, and host ports with the API server's hostNetwork defaulting of hostPort
# applied here too (a pod template judged before defaulting reads the same).

import data.lib.podsecmigrate.pod

namespace_refusals(p) = {m |
	name := ["hostNetwork", "hostPID", "hostIPC"][_]
	not p[name] == true
	pod.spec[name] == true
	m := sprintf("%v is not allowed", [name])
}

port_refusals(p) = init_regular | ephemeral {
	init_regular := {m | c := pod.pod_containers[_]; not ports_ok(p, c, true); m := pod.container_message(c, "a host port is not in any allowed range")}
	ephemeral := {m | c := pod.ephemeral_containers[_]; not ports_ok(p, c, false); m := pod.container_message(c, "a host port is not in any allowed range")}
}

ports_ok(p, c, defaulted) {
	count([port | port := object.get(c, "ports", [])[_]; not port_ok(p, port, defaulted)]) == 0
}

port_ok(p, port, defaulted) {
	host_port(port, defaulted) <= 0
}

port_ok(p, port, defaulted) {
	pod.in_ranges(host_port(port, defaulted), p.hostPorts)
}

host_port(port, defaulted) = port.hostPort {
	object.get(port, "hostPort", 0) != 0
}

host_port(port, defaulted) = object.get(port, "containerPort", 0) {
	object.get(port, "hostPort", 0) == 0
	defaulted
	pod.host_network
}

host_port(port, defaulted) = 0 {
	object.get(port, "hostPort", 0) == 0
	not network_defaulted(defaulted)
}

network_defaulted(defaulted) {
	defaulted
	pod.host_network
}
