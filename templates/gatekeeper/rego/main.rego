package podsecmigratepsps

# A pod is admitted when at least one PodSecurityPolicy it may use admits it: the policies are
# OR-ed, never AND-ed. Each policy, its grants and its defaults are one entry of
# input.parameters.psps (in name order); the libraries hold one check family each.

import data.lib.podsecmigrate.access
import data.lib.podsecmigrate.apparmor
import data.lib.podsecmigrate.capabilities
import data.lib.podsecmigrate.host_namespaces
import data.lib.podsecmigrate.pod
import data.lib.podsecmigrate.privilege_escalation
import data.lib.podsecmigrate.privileged
import data.lib.podsecmigrate.proc_mount
import data.lib.podsecmigrate.read_only_root_filesystem
import data.lib.podsecmigrate.runtime_class
import data.lib.podsecmigrate.seccomp
import data.lib.podsecmigrate.selinux
import data.lib.podsecmigrate.sysctls
import data.lib.podsecmigrate.update
import data.lib.podsecmigrate.users_groups
import data.lib.podsecmigrate.volumes

violation[{"msg": msg}] {
	update.judged
	not admitted
	msg := message
}

admitted {
	p := input.parameters.psps[_]
	admits(p)
}

# A policy admits the pod when the pod may use it and passes its checks both as submitted and
# as the policy's defaults would leave it (the mutators apply those defaults first).
admits(p) {
	count(object.get(p, "unusable", [])) == 0
	access.usable(p)
	count(refusals(p, false)) == 0
	count(refusals(p, true)) == 0
}

# What policy p refuses; `after` reads unset fields as p's defaults would fill them.
refusals(p, after) = out {
	pod_level := users_groups.pod_refusals(p, after) | seccomp.refusals(p, after) | host_namespaces.namespace_refusals(p) | sysctls.refusals(p) | volumes.refusals(p) | runtime_class.refusals(p, after)
	ctr_level := users_groups.container_refusals(p, after) | selinux.refusals(p, after) | apparmor.refusals(p, after) | privileged.refusals(p) | proc_mount.refusals(p) | capabilities.refusals(p, after) | host_namespaces.port_refusals(p) | read_only_root_filesystem.refusals(p, after) | privilege_escalation.refusals(p, after)
	out := pod_level | ctr_level
}

# What p refused, for the message: why it cannot be used, else after its defaults, else as
# submitted.
shown(p) = sort(p.unusable) {
	count(object.get(p, "unusable", [])) > 0
}

shown(p) = sort(refusals(p, true)) {
	count(object.get(p, "unusable", [])) == 0
	count(refusals(p, true)) > 0
}

shown(p) = sort(refusals(p, false)) {
	count(object.get(p, "unusable", [])) == 0
	count(refusals(p, true)) == 0
}

message = m {
	parts := [sprintf("[%v: %v]", [p.name, concat("; ", shown(p))]) | p := input.parameters.psps[_]; access.usable(p)]
	count(parts) > 0
	m := sprintf("denied by every PodSecurityPolicy it may use: %v", [concat(" ", parts)])
}

message = m {
	count([p | p := input.parameters.psps[_]; access.usable(p)]) == 0
	m := sprintf("no PodSecurityPolicy is usable by service account %v/%v", [pod.namespace, pod.service_account])
}
