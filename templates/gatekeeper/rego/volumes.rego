package lib.podsecmigrate.volumes

# Volumes: a source PodSecurityPolicy did not know is refused; the type must be allowed (a
# volume with no source is an emptyDir, as the API server defaults it); a host path must sit
# under an allowed prefix, and under read-only prefixes only every mount of it must be
# read-only; flex and inline CSI drivers must be listed when a list is given.

import data.lib.podsecmigrate.pod

# Every volume source PodSecurityPolicy knew (the pod field), with its `volumes` name.
known = {
	"hostPath": "hostPath", "emptyDir": "emptyDir", "gcePersistentDisk": "gcePersistentDisk",
	"awsElasticBlockStore": "awsElasticBlockStore", "gitRepo": "gitRepo", "secret": "secret",
	"nfs": "nfs", "iscsi": "iscsi", "glusterfs": "glusterfs",
	"persistentVolumeClaim": "persistentVolumeClaim", "rbd": "rbd", "flexVolume": "flexVolume",
	"cinder": "cinder", "cephfs": "cephFS", "flocker": "flocker", "downwardAPI": "downwardAPI",
	"fc": "fc", "azureFile": "azureFile", "configMap": "configMap", "vsphereVolume": "vsphereVolume",
	"quobyte": "quobyte", "azureDisk": "azureDisk", "photonPersistentDisk": "photonPersistentDisk",
	"projected": "projected", "portworxVolume": "portworxVolume", "scaleIO": "scaleIO",
	"storageos": "storageos", "csi": "csi", "ephemeral": "ephemeral",
}

# Sources added to the API after PodSecurityPolicy was removed.
unknown_to_psp = {"image"}

refusals(p) = unknown | types | paths | read_only | flex | csi {
	unknown := {m | v := pod.volumes[_]; not known_source(v); unknown_source(v); m := message(v, "the volume type is unknown to PodSecurityPolicy")}
	types := {m | not any_type(p); v := pod.volumes[_]; not type_ok(p, v); m := message(v, "the volume type is not allowed")}
	paths := {m | count(p.allowedHostPaths) > 0; v := pod.volumes[_]; pod.has(v, "hostPath"); not under(p.allowedHostPaths, host_path(v)); m := message(v, "the host path is not under an allowed prefix")}
	read_only := {m | v := pod.volumes[_]; pod.has(v, "hostPath"); read_only_only(p, host_path(v)); not mounted_read_only(v); m := message(v, "the host path must be mounted read-only")}
	flex := {m | count(p.allowedFlexVolumes) > 0; v := pod.volumes[_]; pod.has(v, "flexVolume"); not listed(p.allowedFlexVolumes, v.flexVolume.driver); m := message(v, "the flexVolume driver is not allowed")}
	csi := {m | count(p.allowedCSIDrivers) > 0; v := pod.volumes[_]; pod.has(v, "csi"); not listed(p.allowedCSIDrivers, v.csi.driver); m := message(v, "the csi driver is not allowed")}
}

message(v, text) = sprintf("volume %v: %v", [object.get(v, "name", ""), text])

known_source(v) {
	some f
	known[f]
	pod.has(v, f)
}

unknown_source(v) {
	some f
	unknown_to_psp[f]
	pod.has(v, f)
}

any_type(p) {
	p.volumes[_] == "*"
}

type_ok(p, v) {
	some f
	t := known[f]
	pod.has(v, f)
	p.volumes[_] == t
}

# Where secret is allowed, the 1.20-1.24 plugin admits a projected volume holding only what the
# ServiceAccount admission plugin injects.
type_ok(p, v) {
	p.volumes[_] == "secret"
	not allows(p, "projected")
	pod.has(v, "projected")
	token_sources_only(v.projected)
}

type_ok(p, v) {
	allows(p, "emptyDir")
	not known_source(v)
	not unknown_source(v)
}

allows(p, t) {
	p.volumes[_] == t
}

# The token at path `token` with no audience, the ConfigMap kube-root-ca.crt, the namespace
# from the downward API at path `namespace`; no sources at all counts too.
token_sources_only(projected) {
	count([s | s := object.get(projected, "sources", [])[_]; not injected(s)]) == 0
}

injected(s) {
	injected_kind(s)
	token_ok(s)
	ca_ok(s)
	namespace_ok(s)
}

injected_kind(s) {
	pod.has(s, ["serviceAccountToken", "configMap", "downwardAPI"][_])
}

token_ok(s) {
	not pod.has(s, "serviceAccountToken")
}

token_ok(s) {
	s.serviceAccountToken.path == "token"
	object.get(s.serviceAccountToken, "audience", "") == ""
}

ca_ok(s) {
	not pod.has(s, "configMap")
}

ca_ok(s) {
	s.configMap.name == "kube-root-ca.crt"
}

namespace_ok(s) {
	not pod.has(s, "downwardAPI")
}

namespace_ok(s) {
	count([i | i := object.get(s.downwardAPI, "items", [])[_]; not namespace_item(i)]) == 0
}

namespace_item(i) {
	i.path == "namespace"
	i.fieldRef.fieldPath == "metadata.namespace"
	api_v1(object.get(i.fieldRef, "apiVersion", ""))
}

api_v1(v) {
	v == ""
}

api_v1(v) {
	v == "v1"
}

host_path(v) = object.get(v.hostPath, "path", "")

listed(list, x) {
	list[_] == x
}

under(prefixes, path) {
	has_path_prefix(path, prefixes[_].pathPrefix)
}

# Under some allowed prefix, and under read-only ones only.
read_only_only(p, path) {
	count(p.allowedHostPaths) > 0
	under(p.allowedHostPaths, path)
	not under([a | a := p.allowedHostPaths[_]; not a.readOnly == true], path)
}

mounted_read_only(v) {
	count([m | c := pod.containers[_]; m := object.get(c, "volumeMounts", [])[_]; m.name == v.name; not m.readOnly == true]) == 0
}

# The plugin's hasPathPrefix: the prefix loses one trailing `/`; the path must equal it or
# continue it at a `/`. Paths are compared as written.
has_path_prefix(path, prefix) {
	trim_suffix(prefix, "/") == ""
	path == ""
}

has_path_prefix(path, prefix) {
	trim_suffix(prefix, "/") == ""
	startswith(path, "/")
}

has_path_prefix(path, prefix) {
	p := trim_suffix(prefix, "/")
	p != ""
	path == p
}

has_path_prefix(path, prefix) {
	p := trim_suffix(prefix, "/")
	p != ""
	startswith(path, concat("", [p, "/"]))
}
