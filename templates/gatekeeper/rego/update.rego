package lib.podsecmigrate.update

# Which requests are judged. A pod's security fields cannot change after creation (the API
# server refuses such updates), so an UPDATE of a Pod is judged only when what can change and is
# judged changed: its ephemeral containers or its seccomp and AppArmor annotations. Everything
# else (a CREATE, a pod controller's update judged through its pod template) is judged whole.

import data.lib.podsecmigrate.pod

judged {
	object.get(input.review, "operation", "CREATE") != "UPDATE"
}

judged {
	not pod_update
}

judged {
	pod_update
	changed
}

old = object.get(input.review, "oldObject", {})

pod_update {
	input.review.operation == "UPDATE"
	old.kind == "Pod"
}

changed {
	object.get(pod.spec, "ephemeralContainers", []) != object.get(object.get(old, "spec", {}), "ephemeralContainers", [])
}

changed {
	profiles(pod.annotations) != profiles(object.get(object.get(old, "metadata", {}), "annotations", {}))
}

profile_prefixes = ["seccomp.security.alpha.kubernetes.io/", "container.seccomp.security.alpha.kubernetes.io/", "container.apparmor.security.beta.kubernetes.io/"]

# The annotations the checks read.
profiles(annotations) = {k: v | v := annotations[k]; startswith(k, profile_prefixes[_])}
