package lib.podsecmigrate.privilege_escalation

# allowPrivilegeEscalation false: every container sets it false; with `after`, an unset value
# takes a default of false.

import data.lib.podsecmigrate.pod

refusals(p, after) = {m |
	not p.allowPrivilegeEscalation == true
	c := pod.containers[_]
	not no_escalation(p, after, c)
	m := pod.container_message(c, "allowPrivilegeEscalation must be false")
}

no_escalation(p, after, c) {
	pod.sc(c).allowPrivilegeEscalation == false
}

no_escalation(p, after, c) {
	not pod.has(pod.sc(c), "allowPrivilegeEscalation")
	pod.default_for(p, after, "allowPrivilegeEscalation") == false
}
