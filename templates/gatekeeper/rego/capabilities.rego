package lib.podsecmigrate.capabilities

# Capabilities: without a capabilities block a policy with default or required capabilities
# refuses; `*` allowed waives the rest; added capabilities must be allowed or defaults;
# required drops must be dropped. With `after`, the defaults have made the block and the drops.

import data.lib.podsecmigrate.pod

caps(c) = pod.sc(c).capabilities

needs_block(p) {
	count(object.get(object.get(p, "defaults", {}), "addCapabilities", [])) > 0
}

needs_block(p) {
	count(p.requiredDropCapabilities) > 0
}

wildcard(p) {
	p.allowedCapabilities[_] == "*"
}

refusals(p, after) = block | added | dropped {
	block := {m | not after; needs_block(p); c := pod.containers[_]; not pod.has(pod.sc(c), "capabilities"); m := pod.container_message(c, "capabilities the policy requires are not set")}
	added := {m | not wildcard(p); c := pod.containers[_]; not adds_ok(p, c); m := pod.container_message(c, "a capability is added that is not allowed")}
	dropped := {m | not after; not wildcard(p); count(p.requiredDropCapabilities) > 0; c := pod.containers[_]; not drops_ok(p, c); m := pod.container_message(c, "a required capability is not dropped")}
}

may_add(p) = {x | x := p.allowedCapabilities[_]} | {x | x := object.get(object.get(p, "defaults", {}), "addCapabilities", [])[_]}

adds_ok(p, c) {
	not pod.has(pod.sc(c), "capabilities")
}

adds_ok(p, c) {
	not pod.has(caps(c), "add")
}

adds_ok(p, c) {
	count({x | x := caps(c).add[_]; not may_add(p)[x]}) == 0
}

drops_ok(p, c) {
	not pod.has(pod.sc(c), "capabilities")
}

drops_ok(p, c) {
	pod.has(caps(c), "drop")
	count({x | x := p.requiredDropCapabilities[_]; not dropped(c, x)}) == 0
}

dropped(c, x) {
	caps(c).drop[_] == x
}
