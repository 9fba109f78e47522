package lib.podsecmigrate.selinux

# seLinux MustRunAs: the options in force on the pod and on every container (container over
# pod) must equal the policy's; a level's categories compare as a set, as the plugin compared
# them. With `after`, unset options take the policy's (its default).

import data.lib.podsecmigrate.pod

refusals(p, after) = set() {
	not must_run_as(p)
}

refusals(p, after) = pod_level | ctr {
	must_run_as(p)
	want := p.seLinux.seLinuxOptions
	pod_level := {"seLinuxOptions are not the policy's" | not options_ok(p, after, pod.psc, want)}
	ctr := {m | c := pod.containers[_]; not container_ok(p, after, c, want); m := pod.container_message(c, "seLinuxOptions are not the policy's")}
}

must_run_as(p) {
	p.seLinux.rule == "MustRunAs"
	pod.has(p.seLinux, "seLinuxOptions")
}

options_ok(p, after, sc, want) {
	pod.has(sc, "seLinuxOptions")
	same_options(want, sc.seLinuxOptions)
}

options_ok(p, after, sc, want) {
	not pod.has(sc, "seLinuxOptions")
	pod.uses_default(p, after, "seLinuxOptions")
}

container_ok(p, after, c, want) {
	pod.has_effective(c, "seLinuxOptions")
	same_options(want, pod.effective(c, "seLinuxOptions"))
}

container_ok(p, after, c, want) {
	not pod.has_effective(c, "seLinuxOptions")
	pod.uses_default(p, after, "seLinuxOptions")
}

part(o, k) = object.get(o, k, "")

same_options(want, have) {
	part(want, "user") == part(have, "user")
	part(want, "role") == part(have, "role")
	part(want, "type") == part(have, "type")
	same_level(part(want, "level"), part(have, "level"))
}

same_level(w, h) {
	w == h
}

# `sensitivity:categories` with equal sensitivity and the same categories in any order.
same_level(w, h) {
	w != h
	ws := split(w, ":")
	hs := split(h, ":")
	count(ws) > 1
	count(hs) > 1
	ws[0] == hs[0]
	sort(split(rest(ws), ",")) == sort(split(rest(hs), ","))
}

# What followed the first `:`, from the level split at every `:`.
rest(parts) = concat(":", array.slice(parts, 1, count(parts)))
