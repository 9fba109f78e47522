package lib.podsecmigrate.runtime_class

# With a runtimeClass strategy, a set runtimeClassName must be listed (or `*` listed); with
# `after`, the policy's default fills an unset one.

import data.lib.podsecmigrate.pod

refusals(p, after) = {"runtimeClassName is not allowed" |
	pod.has(p, "runtimeClass")
	not any_name(p)
	not name_ok(p, after)
}

any_name(p) {
	p.runtimeClass.allowedRuntimeClassNames[_] == "*"
}

name_ok(p, after) {
	pod.has(pod.spec, "runtimeClassName")
	p.runtimeClass.allowedRuntimeClassNames[_] == pod.spec.runtimeClassName
}

name_ok(p, after) {
	not pod.has(pod.spec, "runtimeClassName")
	not pod.uses_default(p, after, "runtimeClassName")
}

name_ok(p, after) {
	not pod.has(pod.spec, "runtimeClassName")
	d := pod.default_for(p, after, "runtimeClassName")
	p.runtimeClass.allowedRuntimeClassNames[_] == d
}
