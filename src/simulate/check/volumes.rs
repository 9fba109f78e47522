//! Volumes: the type must be allowed; host paths must sit under an allowed prefix (on path
//! segments), and under a read-only prefix every mount of the volume must be read-only; flex and
//! inline CSI drivers must be listed when a list is given.

use k8s_openapi::api::core::v1::{PodSpec, Volume};

use super::Failures;
use crate::psp::AllowedHostPath;
use crate::simulate::pod::{containers, volume_type};
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, spec: &PodSpec, out: &mut Failures) {
    for v in spec.volumes.iter().flatten() {
        let path = format!("spec.volumes[name={}]", v.name);
        let Some(kind) = volume_type(v) else {
            out.fail(
                path,
                "spec.volumes",
                "volume type unknown to PodSecurityPolicy",
            );
            continue;
        };
        if !r.volumes.any && !r.volumes.types.contains(kind) {
            out.fail(
                path,
                "spec.volumes",
                format!("{kind} volumes are not allowed"),
            );
            continue;
        }
        match kind {
            "hostPath" => host_path(r, spec, v, &path, out),
            "flexVolume" => {
                let driver = &v.flex_volume.as_ref().expect("flexVolume").driver;
                driver_listed(
                    &r.flex_drivers,
                    driver,
                    format!("{path}.flexVolume.driver"),
                    "spec.allowedFlexVolumes",
                    out,
                )
            }
            "csi" => {
                let driver = &v.csi.as_ref().expect("csi").driver;
                driver_listed(
                    &r.csi_drivers,
                    driver,
                    format!("{path}.csi.driver"),
                    "spec.allowedCSIDrivers",
                    out,
                )
            }
            _ => {}
        }
    }
}

fn driver_listed(list: &[String], driver: &str, path: String, psp_field: &str, out: &mut Failures) {
    if !list.is_empty() && !list.iter().any(|d| d == driver) {
        out.fail(path, psp_field, format!("driver {driver} is not allowed"));
    }
}

fn host_path(r: &Rules, spec: &PodSpec, v: &Volume, path: &str, out: &mut Failures) {
    const F: &str = "spec.allowedHostPaths";
    let host = &v.host_path.as_ref().expect("hostPath").path;
    match allows_host_path(&r.host_paths, host) {
        None => out.fail(
            format!("{path}.hostPath.path"),
            F,
            format!("host path {host} is not allowed"),
        ),
        Some(true) => {
            for c in containers(spec) {
                for m in c
                    .mounts
                    .iter()
                    .filter(|m| m.name == v.name && m.read_only != Some(true))
                {
                    out.fail(
                        format!(
                            "{}.volumeMounts[mountPath={}].readOnly",
                            c.path, m.mount_path
                        ),
                        F,
                        format!("host path {host} must be mounted read-only"),
                    );
                }
            }
        }
        Some(false) => {}
    }
}

/// `None` when no prefix allows `host`; `Some(read_only)` otherwise, read-only only when every
/// matching prefix is read-only. An empty list allows any path.
pub fn allows_host_path(allowed: &[AllowedHostPath], host: &str) -> Option<bool> {
    if allowed.is_empty() {
        return Some(false);
    }
    let matching: Vec<&AllowedHostPath> = allowed
        .iter()
        .filter(|a| has_path_prefix(host, &a.path_prefix))
        .collect();
    if matching.is_empty() {
        None
    } else {
        Some(matching.iter().all(|a| a.read_only))
    }
}

/// `s` equals `prefix` or continues it at a `/`, both cleaned lexically first as the plugin
/// did (so `/var/log/../../etc` is `/etc`, not under `/var/log`).
pub fn has_path_prefix(s: &str, prefix: &str) -> bool {
    let (s, prefix) = (clean(s), clean(prefix));
    if prefix == "/" {
        return s.starts_with('/');
    }
    match s.strip_prefix(prefix.as_str()) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// A path with repeated `/`, `.` and `..` resolved lexically (Go's `path.Clean`): `..` at the
/// root stays at the root; a trailing `/` goes.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_before_matching() {
        assert!(!has_path_prefix("/var/log/../../etc", "/var/log"));
        assert!(has_path_prefix("/var//log/./pods/", "/var/log"));
        assert!(has_path_prefix("/var/log", "/var/log/"));
        assert!(!has_path_prefix("/var/logs", "/var/log"));
        assert!(has_path_prefix("/anything", "/"));
        assert_eq!(clean("/../a/b/../c"), "/a/c");
        assert_eq!(clean("a/../../b"), "../b");
    }
}

#[cfg(test)]
mod tests {
    //! The volumes checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    fn host_path_pod(path: &str, read_only: bool) -> Pod {
        pod(&format!(
            "  volumes: [{{name: h, hostPath: {{path: '{path}'}}}}]\n  initContainers: [{{name: i, image: x, volumeMounts: [{{name: h, mountPath: /i, readOnly: true}}]}}]\n  containers: [{{name: app, image: x, volumeMounts: [{{name: h, mountPath: /m, readOnly: {read_only}}}]}}]\n"
        ))
    }

    #[test]
    fn host_path_prefix_matches_whole_segments() {
        let p = psp("  allowedHostPaths: [{pathPrefix: /foo}, {pathPrefix: /var/log/}]\n");
        for ok in ["/foo", "/foo/", "/foo/bar", "/var/log", "/var/log/pods"] {
            assert!(admitted(&p, &host_path_pod(ok, false)), "{ok}");
        }
        for bad in ["/foobar", "/fo", "/var/logs", "/"] {
            assert_eq!(
                failed(&p, &host_path_pod(bad, false)),
                ["spec.volumes[name=h].hostPath.path"],
                "{bad}"
            );
        }
        assert!(
            admitted(&psp(""), &host_path_pod("/anything", false)),
            "empty list allows any path"
        );
    }

    #[test]
    fn read_only_host_path_needs_every_mount_read_only() {
        let p = psp("  allowedHostPaths: [{pathPrefix: /foo, readOnly: true}]\n");
        assert!(admitted(&p, &host_path_pod("/foo/bar", true)));
        assert_eq!(
            failed(&p, &host_path_pod("/foo/bar", false)),
            ["spec.containers[name=app].volumeMounts[mountPath=/m].readOnly"]
        );
        // A writable prefix that also matches lifts the requirement.
        let both = psp(
            "  allowedHostPaths: [{pathPrefix: /foo, readOnly: true}, {pathPrefix: /foo/bar}]\n",
        );
        assert!(admitted(&both, &host_path_pod("/foo/bar/baz", false)));
        assert!(!admitted(&both, &host_path_pod("/foo/other", false)));
    }

    #[test]
    fn volume_types_and_sourceless_volume_is_empty_dir() {
        let sourceless = pod(&format!("  volumes: [{{name: v}}]\n{APP}"));
        assert!(admitted(
            &psp("  volumes: [emptyDir, secret]\n"),
            &sourceless
        ));
        assert_eq!(
            failed(&psp("  volumes: [configMap, secret]\n"), &sourceless),
            ["spec.volumes[name=v]"]
        );
        let two = pod(&format!("  volumes: [{{name: s, secret: {{secretName: s}}}}, {{name: c, configMap: {{name: c}}}}]\n{APP}"));
        assert!(admitted(&psp("  volumes: [secret, configMap]\n"), &two));
        assert_eq!(
            failed(&psp("  volumes: [secret]\n"), &two),
            ["spec.volumes[name=c]"]
        );
        assert_eq!(failed(&psp("  volumes: []\n"), &two).len(), 2);
    }

    #[test]
    fn flex_and_csi_drivers_must_be_listed_when_listed() {
        let p = psp("  allowedFlexVolumes: [{driver: a/one}, {driver: b/two}]\n  allowedCSIDrivers: [{name: c1}, {name: c2}]\n");
        let vol = |v: &str| pod(&format!("  volumes: [{{name: v, {v}}}]\n{APP}"));
        assert!(admitted(&p, &vol("flexVolume: {driver: b/two}")));
        assert_eq!(
            failed(&p, &vol("flexVolume: {driver: c/three}")),
            ["spec.volumes[name=v].flexVolume.driver"]
        );
        assert!(admitted(&p, &vol("csi: {driver: c2}")));
        assert_eq!(
            failed(&p, &vol("csi: {driver: c3}")),
            ["spec.volumes[name=v].csi.driver"]
        );
        assert!(
            admitted(&psp(""), &vol("csi: {driver: anything}")),
            "empty list allows any driver"
        );
    }
}
