package lib.podsecmigrate.access

# Who may use a policy: the pod's service account in the pod's namespace, or the requesting user
# and groups (input.review.userInfo), through the RBAC grants the policy's parameters list, as
# the admission plugin asked the authorizer. A grant from a RoleBinding counts in its namespace
# only.

import data.lib.podsecmigrate.pod

usable(p) {
	p.everyone == true
}

usable(p) {
	g := p.grants[_]
	in_namespace(g)
	id := identities[_]
	matches(g, id)
}

in_namespace(g) {
	not pod.has(g, "namespace")
}

in_namespace(g) {
	g.namespace == pod.namespace
}

user_info = object.get(input.review, "userInfo", {})

# The requester, and the pod's service account with the groups every service account has.
identities[id] {
	id := {"user": object.get(user_info, "username", ""), "groups": object.get(user_info, "groups", [])}
}

identities[id] {
	ns := pod.namespace
	id := {
		"user": concat("", ["system:serviceaccount:", ns, ":", pod.service_account]),
		"groups": ["system:serviceaccounts", concat("", ["system:serviceaccounts:", ns]), "system:authenticated"],
	}
}

matches(g, id) {
	g.user == id.user
}

matches(g, id) {
	g.group == id.groups[_]
}

matches(g, id) {
	concat("", ["system:serviceaccount:", g.serviceAccount.namespace, ":", g.serviceAccount.name]) == id.user
}
