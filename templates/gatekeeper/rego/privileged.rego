package lib.podsecmigrate.privileged

# Privileged containers, unless the policy allows them.

import data.lib.podsecmigrate.pod

refusals(p) = {m |
	not p.privileged == true
	c := pod.containers[_]
	pod.sc(c).privileged == true
	m := pod.container_message(c, "privileged containers are not allowed")
}
