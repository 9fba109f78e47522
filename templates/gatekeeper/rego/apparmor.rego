package lib.podsecmigrate.apparmor

# AppArmor: with an allowed list, every container needs a listed profile: its annotation, else
# the appArmorProfile field (Kubernetes 1.30+; the container's, else the pod's, read as the
# annotation value it stands for, which is how the mutator applies a default); with `after` an
# unset one takes the policy's default.

import data.lib.podsecmigrate.pod

prefix = "container.apparmor.security.beta.kubernetes.io/"

refusals(p, after) = set() {
	not pod.has(p, "appArmor")
}

refusals(p, after) = {m |
	pod.has(p, "appArmor")
	c := pod.containers[_]
	not listed(p, profile(p, after, c))
	m := pod.container_message(c, "an allowed AppArmor profile annotation is required")
}

annotation(c) = object.get(pod.annotations, concat("", [prefix, object.get(c, "name", "")]), "")

# The profile a container runs with, as an annotation value; "" for none.
set_profile(c) = annotation(c) {
	annotation(c) != ""
}

set_profile(c) = derived(pod.sc(c).appArmorProfile) {
	annotation(c) == ""
	pod.has(pod.sc(c), "appArmorProfile")
}

set_profile(c) = derived(pod.psc.appArmorProfile) {
	annotation(c) == ""
	not pod.has(pod.sc(c), "appArmorProfile")
	pod.has(pod.psc, "appArmorProfile")
}

set_profile(c) = "" {
	annotation(c) == ""
	not pod.has(pod.sc(c), "appArmorProfile")
	not pod.has(pod.psc, "appArmorProfile")
}

derived(f) = "runtime/default" {
	f.type == "RuntimeDefault"
}

derived(f) = "unconfined" {
	f.type == "Unconfined"
}

derived(f) = concat("", ["localhost/", f.localhostProfile]) {
	f.type == "Localhost"
	pod.has(f, "localhostProfile")
}

derived(f) = "" {
	not known(f)
}

known(f) {
	f.type == "RuntimeDefault"
}

known(f) {
	f.type == "Unconfined"
}

known(f) {
	f.type == "Localhost"
	pod.has(f, "localhostProfile")
}

profile(p, after, c) = set_profile(c) {
	set_profile(c) != ""
}

profile(p, after, c) = v {
	set_profile(c) == ""
	v := pod.default_for(p, after, "appArmor")
}

profile(p, after, c) = "" {
	set_profile(c) == ""
	not pod.uses_default(p, after, "appArmor")
}

listed(p, profile) {
	profile != ""
	p.appArmor.allowedProfiles[_] == profile
}
