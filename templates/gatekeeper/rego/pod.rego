package lib.podsecmigrate.pod

# The pod under review, as every check reads it. Gatekeeper hands pod controllers over as the
# pods their ExpansionTemplate generates, so only Pods arrive here.

obj = object.get(input.review, "object", {})

spec = object.get(obj, "spec", {})

metadata = object.get(obj, "metadata", {})

annotations = object.get(metadata, "annotations", {})

# The pod's security context.
psc = object.get(spec, "securityContext", {})

# The object's own namespace where it has one (the API server sets it before admission), else
# the request's.
namespace = n {
	n := metadata.namespace
	n != ""
}

namespace = n {
	not has_text(metadata, "namespace")
	n := object.get(input.review, "namespace", "")
}

# The service account the pod runs as, as the admission plugin resolved it.
service_account = sa {
	sa := spec.serviceAccountName
	sa != ""
}

service_account = sa {
	not has_text(spec, "serviceAccountName")
	sa := spec.serviceAccount
	sa != ""
}

service_account = "default" {
	not has_text(spec, "serviceAccountName")
	not has_text(spec, "serviceAccount")
}

# Init and regular containers.
pod_containers[c] {
	c := object.get(spec, "initContainers", [])[_]
}

pod_containers[c] {
	c := spec.containers[_]
}

ephemeral_containers[c] {
	c := object.get(spec, "ephemeralContainers", [])[_]
}

# Every container of the three lists.
containers[c] {
	c := pod_containers[_]
}

containers[c] {
	c := ephemeral_containers[_]
}

volumes = object.get(spec, "volumes", [])

host_network {
	spec.hostNetwork == true
}

# The key k is present in o (whatever its value, false and 0 included).
has(o, k) {
	_ = o[k]
}

has_text(o, k) {
	o[k] != ""
}

# A container's security context.
sc(c) = object.get(c, "securityContext", {})

# A container's value of a security-context field, else the pod's.
effective(c, k) = v {
	has(sc(c), k)
	v := sc(c)[k]
}

effective(c, k) = v {
	not has(sc(c), k)
	has(psc, k)
	v := psc[k]
}

has_effective(c, k) {
	has(sc(c), k)
}

has_effective(c, k) {
	has(psc, k)
}

# x lies in one of the inclusive ranges.
in_ranges(x, ranges) {
	r := ranges[_]
	x >= r.min
	x <= r.max
}

# A message about container c.
container_message(c, text) = sprintf("container %v: %v", [object.get(c, "name", ""), text])

# p's default `key`, when `after` asks for defaults and p has one.
default_for(p, after, key) = v {
	after
	v := object.get(p, "defaults", {})[key]
}

uses_default(p, after, key) {
	after
	has(object.get(p, "defaults", {}), key)
}
