package lib.podsecmigrate.sysctls

# Pod sysctls: a forbidden pattern refuses (even a safe sysctl); otherwise a sysctl must be one
# the PodSecurityPolicy releases treated as safe or match an allowed pattern (`*` alone: any; a
# trailing `*`: a prefix).

import data.lib.podsecmigrate.pod

# The sysctls safe in every PodSecurityPolicy release.
safe = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"}

refusals(p) = {"a sysctl is forbidden or not allowed" |
	s := object.get(pod.psc, "sysctls", [])[_]
	not sysctl_ok(p, s.name)
}

sysctl_ok(p, name) {
	not matches_any(object.get(p, "forbiddenSysctls", []), name)
	safe[name]
}

sysctl_ok(p, name) {
	not matches_any(object.get(p, "forbiddenSysctls", []), name)
	matches_any(object.get(p, "allowedUnsafeSysctls", []), name)
}

matches_any(patterns, name) {
	patterns[_] == "*"
}

matches_any(patterns, name) {
	patterns[_] == name
}

matches_any(patterns, name) {
	pattern := patterns[_]
	endswith(pattern, "*")
	startswith(name, trim_suffix(pattern, "*"))
}
