package lib.podsecmigrate.seccomp

# Seccomp, from the profile fields or the annotations (container over pod, field over
# annotation, a field read as the annotation value the 1.19-1.24 API server derived from it).
# With `after`, an unset pod profile takes the policy's default.

import data.lib.podsecmigrate.pod

pod_key = "seccomp.security.alpha.kubernetes.io/pod"

container_prefix = "container.seccomp.security.alpha.kubernetes.io/"

# The annotation value a seccompProfile object stands for; an unrecognised type, or Localhost
# without a profile, stands for none.
derived(prof) = "runtime/default" {
	prof.type == "RuntimeDefault"
}

derived(prof) = "unconfined" {
	prof.type == "Unconfined"
}

derived(prof) = concat("", ["localhost/", prof.localhostProfile]) {
	prof.type == "Localhost"
	pod.has(prof, "localhostProfile")
}

derived(prof) = "" {
	not recognised(prof)
}

recognised(prof) {
	prof.type == "RuntimeDefault"
}

recognised(prof) {
	prof.type == "Unconfined"
}

recognised(prof) {
	prof.type == "Localhost"
	pod.has(prof, "localhostProfile")
}

pod_annotation = object.get(pod.annotations, pod_key, "")

# The pod's field as a profile, else (after defaults) the default, else none.
pod_fallback(p, after) = derived(pod.psc.seccompProfile) {
	pod.has(pod.psc, "seccompProfile")
}

pod_fallback(p, after) = d {
	not pod.has(pod.psc, "seccompProfile")
	d := pod.default_for(p, after, "seccomp")
}

pod_fallback(p, after) = "" {
	not pod.has(pod.psc, "seccompProfile")
	not pod.uses_default(p, after, "seccomp")
}

pod_profile(p, after) = pod_annotation {
	pod_annotation != ""
}

pod_profile(p, after) = pod_fallback(p, after) {
	pod_annotation == ""
}

# A container: its field, its annotation, the pod's field, the pod's annotation (which the
# default filled when empty).
container_profile(p, after, c) = derived(pod.sc(c).seccompProfile) {
	pod.has(pod.sc(c), "seccompProfile")
}

container_profile(p, after, c) = pod.annotations[key] {
	not pod.has(pod.sc(c), "seccompProfile")
	key := concat("", [container_prefix, object.get(c, "name", "")])
	pod.has(pod.annotations, key)
}

container_profile(p, after, c) = derived(pod.psc.seccompProfile) {
	not pod.has(pod.sc(c), "seccompProfile")
	not pod.has(pod.annotations, concat("", [container_prefix, object.get(c, "name", "")]))
	pod.has(pod.psc, "seccompProfile")
}

container_profile(p, after, c) = v {
	not pod.has(pod.sc(c), "seccompProfile")
	not pod.has(pod.annotations, concat("", [container_prefix, object.get(c, "name", "")]))
	not pod.has(pod.psc, "seccompProfile")
	v := pod_last(p, after)
}

pod_last(p, after) = v {
	d := pod.default_for(p, after, "seccomp")
	v := pick(pod_annotation, d)
}

pod_last(p, after) = pod_annotation {
	not pod.uses_default(p, after, "seccomp")
}

pick(a, d) = a {
	a != ""
}

pick(a, d) = d {
	a == ""
}

# Absent list: only "no profile"; `*`: anything; else listed, docker/default and
# runtime/default standing for each other.
allowed(p, profile) {
	not pod.has(p, "seccomp")
	profile == ""
}

allowed(p, profile) {
	p.seccomp.allowedProfiles[_] == "*"
}

allowed(p, profile) {
	p.seccomp.allowedProfiles[_] == profile
}

allowed(p, profile) {
	runtime_default(profile)
	runtime_default(p.seccomp.allowedProfiles[_])
}

runtime_default(x) {
	x == "runtime/default"
}

runtime_default(x) {
	x == "docker/default"
}

refusals(p, after) = pod_level | ctr {
	pod_level := {"the pod's seccomp profile is not allowed" | not allowed(p, pod_profile(p, after))}
	ctr := {m | c := pod.containers[_]; not allowed(p, container_profile(p, after, c)); m := pod.container_message(c, "the seccomp profile is not allowed")}
}
