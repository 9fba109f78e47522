package lib.podsecmigrate.users_groups

# User and group IDs: runAsUser and runAsGroup per container on the effective value (container
# over pod), fsGroup and supplementalGroups on the pod. With `after`, an unset value takes the
# policy's default, and MustRunAsNonRoot's default sets runAsNonRoot.

import data.lib.podsecmigrate.pod

pod_refusals(p, after) = fs | sup {
	fs := {"fsGroup is not allowed" | not group_ok(p.fsGroup, fs_group(p, after))}
	sup := {"supplementalGroups are not allowed" | not supplemental_ok(p, after)}
}

# The pod's fsGroup, as a one-element list (empty when unset).
fs_group(p, after) = [pod.psc.fsGroup] {
	pod.has(pod.psc, "fsGroup")
}

fs_group(p, after) = [v] {
	not pod.has(pod.psc, "fsGroup")
	v := pod.default_for(p, after, "fsGroup")
}

fs_group(p, after) = [] {
	not pod.has(pod.psc, "fsGroup")
	not pod.uses_default(p, after, "fsGroup")
}

# MustRunAs: set and in a range; MayRunAs: in a range when set; RunAsAny: anything. `value` is a
# list of at most one value.
group_ok(g, value) {
	g.rule == "RunAsAny"
}

group_ok(g, value) {
	g.rule == "MustRunAs"
	pod.in_ranges(value[_], g.ranges)
}

group_ok(g, value) {
	g.rule == "MayRunAs"
	count(value) == 0
}

group_ok(g, value) {
	g.rule == "MayRunAs"
	pod.in_ranges(value[_], g.ranges)
}

supplemental(p, after) = pod.psc.supplementalGroups {
	pod.has(pod.psc, "supplementalGroups")
}

supplemental(p, after) = [v] {
	not pod.has(pod.psc, "supplementalGroups")
	v := pod.default_for(p, after, "supplementalGroup")
}

supplemental(p, after) = [] {
	not pod.has(pod.psc, "supplementalGroups")
	not pod.uses_default(p, after, "supplementalGroup")
}

supplemental_ok(p, after) {
	p.supplementalGroups.rule == "RunAsAny"
}

supplemental_ok(p, after) {
	p.supplementalGroups.rule == "MustRunAs"
	count(supplemental(p, after)) > 0
	all_in(supplemental(p, after), p.supplementalGroups.ranges)
}

supplemental_ok(p, after) {
	p.supplementalGroups.rule == "MayRunAs"
	all_in(supplemental(p, after), p.supplementalGroups.ranges)
}

all_in(ids, ranges) {
	count([g | g := ids[_]; not pod.in_ranges(g, ranges)]) == 0
}

container_refusals(p, after) = user | group {
	user := {m | c := pod.containers[_]; not run_as_user_ok(p, after, c); m := pod.container_message(c, user_message(p))}
	group := {m | c := pod.containers[_]; not group_ok(p.runAsGroup, effective_or_default(p, after, c, "runAsGroup", "runAsGroup")); m := pod.container_message(c, "runAsGroup is not allowed")}
}

user_message(p) = "runAsUser is not in an allowed range" {
	p.runAsUser.rule == "MustRunAs"
}

user_message(p) = "must run as non-root (runAsNonRoot true or a non-zero runAsUser)" {
	p.runAsUser.rule != "MustRunAs"
}

# The effective value of field k of container c, else the default `d`, as a list of at most one.
effective_or_default(p, after, c, k, d) = [pod.effective(c, k)] {
	pod.has_effective(c, k)
}

effective_or_default(p, after, c, k, d) = [v] {
	not pod.has_effective(c, k)
	v := pod.default_for(p, after, d)
}

effective_or_default(p, after, c, k, d) = [] {
	not pod.has_effective(c, k)
	not pod.uses_default(p, after, d)
}

run_as_user_ok(p, after, c) {
	p.runAsUser.rule == "RunAsAny"
}

run_as_user_ok(p, after, c) {
	p.runAsUser.rule == "MustRunAs"
	pod.in_ranges(effective_or_default(p, after, c, "runAsUser", "runAsUser")[_], p.runAsUser.ranges)
}

run_as_user_ok(p, after, c) {
	p.runAsUser.rule == "MustRunAsNonRoot"
	non_root_settled(p, after, c)
	not non_root_refused(c)
	not runs_as_root(c)
}

# Helpers, so no negation holds a call that may be undefined (OPA evaluates such a call outside
# the negation).
non_root_refused(c) {
	pod.effective(c, "runAsNonRoot") == false
}

runs_as_root(c) {
	pod.effective(c, "runAsUser") == 0
}

# Something says who the container runs as (or the default will).
non_root_settled(p, after, c) {
	pod.default_for(p, after, "runAsNonRoot") == true
}

non_root_settled(p, after, c) {
	pod.has_effective(c, "runAsNonRoot")
}

non_root_settled(p, after, c) {
	pod.has_effective(c, "runAsUser")
}
