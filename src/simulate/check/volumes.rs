//! Volumes: the type must be allowed; host paths must sit under an allowed prefix (on path
//! segments), and under a read-only prefix every mount of the volume must be read-only; flex and
//! inline CSI drivers must be listed when a list is given.

use k8s_openapi::api::core::v1::{PodSpec, Volume};

use super::Out;
use crate::psp::AllowedHostPath;
use crate::simulate::pod::{containers, volume_type};
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, spec: &PodSpec, out: &mut Out) {
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

fn driver_listed(list: &[String], driver: &str, path: String, psp_field: &str, out: &mut Out) {
    if !list.is_empty() && !list.iter().any(|d| d == driver) {
        out.fail(path, psp_field, format!("driver {driver} is not allowed"));
    }
}

fn host_path(r: &Rules, spec: &PodSpec, v: &Volume, path: &str, out: &mut Out) {
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

/// `s` equals `prefix` or continues it at a `/` (one trailing `/` ignored on both).
pub fn has_path_prefix(s: &str, prefix: &str) -> bool {
    let s = s.strip_suffix('/').unwrap_or(s);
    let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
    match s.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}
