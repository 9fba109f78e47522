package lib.podsecmigrate.read_only_root_filesystem

# readOnlyRootFilesystem required: every container sets it true; with `after`, an unset value is
# the default's true.

import data.lib.podsecmigrate.pod

refusals(p, after) = {m |
	p.readOnlyRootFilesystem == true
	c := pod.containers[_]
	not read_only(p, after, c)
	m := pod.container_message(c, "readOnlyRootFilesystem must be true")
}

read_only(p, after, c) {
	pod.sc(c).readOnlyRootFilesystem == true
}

read_only(p, after, c) {
	not pod.has(pod.sc(c), "readOnlyRootFilesystem")
	pod.default_for(p, after, "readOnlyRootFilesystem") == true
}
