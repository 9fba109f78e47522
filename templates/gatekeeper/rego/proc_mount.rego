package lib.podsecmigrate.proc_mount

# The proc mount type (unset is Default) must be allowed.

import data.lib.podsecmigrate.pod

refusals(p) = {m |
	c := pod.containers[_]
	not listed(p, object.get(pod.sc(c), "procMount", "Default"))
	m := pod.container_message(c, "the proc mount type is not allowed")
}

listed(p, type) {
	p.allowedProcMountTypes[_] == type
}
