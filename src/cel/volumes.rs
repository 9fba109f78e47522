//! Volumes, as `simulate/check/volumes.rs` decides them: a source PSP did not know is refused;
//! the type must be allowed (a volume with no source is an `emptyDir`, as the API server
//! defaults it); a host path must sit under an allowed prefix, and under read-only prefixes only
//! every mount of it must be read-only; flex and inline CSI drivers must be listed when a list
//! is given.

use super::expr::{Checks, Field};
use super::lit;
use crate::psp::AllowedHostPath;
use crate::simulate::rules::Rules;

/// Every volume source PodSecurityPolicy knew, with its `volumes` name.
const KNOWN: &[(&str, &str)] = &[
    ("hostPath", "hostPath"),
    ("emptyDir", "emptyDir"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("gitRepo", "gitRepo"),
    ("secret", "secret"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("persistentVolumeClaim", "persistentVolumeClaim"),
    ("rbd", "rbd"),
    ("flexVolume", "flexVolume"),
    ("cinder", "cinder"),
    ("cephfs", "cephFS"),
    ("flocker", "flocker"),
    ("downwardAPI", "downwardAPI"),
    ("fc", "fc"),
    ("azureFile", "azureFile"),
    ("configMap", "configMap"),
    ("vsphereVolume", "vsphereVolume"),
    ("quobyte", "quobyte"),
    ("azureDisk", "azureDisk"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("projected", "projected"),
    ("portworxVolume", "portworxVolume"),
    ("scaleIO", "scaleIO"),
    ("storageos", "storageos"),
    ("csi", "csi"),
    ("ephemeral", "ephemeral"),
];
/// Sources added to the API after PodSecurityPolicy was removed.
const UNKNOWN_TO_PSP: &[&str] = &["image"];

fn any_of<'a>(sources: impl IntoIterator<Item = &'a str>) -> String {
    let parts: Vec<String> = sources.into_iter().map(|s| format!("has(v.{s})")).collect();
    if parts.is_empty() {
        "false".into()
    } else {
        format!("({})", parts.join(" || "))
    }
}

fn volume_message(text: &str) -> String {
    format!(
        "\"volume \" + v.name + {}",
        lit::string(&format!(": {text}"))
    )
}

pub(super) fn check(r: &Rules, out: &mut Checks) {
    let list = "variables.volumes";
    let unknown = any_of(UNKNOWN_TO_PSP.iter().copied());
    let known = any_of(KNOWN.iter().map(|(f, _)| *f));
    out.each(
        list,
        "v",
        format!("{known} || !{unknown}"),
        volume_message("the volume type is unknown to PodSecurityPolicy"),
    );
    if !r.volumes.any {
        let allowed = KNOWN
            .iter()
            .filter(|(_, t)| r.volumes.types.contains(*t))
            .map(|(f, _)| *f);
        let mut ok = any_of(allowed);
        if r.volumes.types.contains("secret") && !r.volumes.types.contains("projected") {
            ok = format!(
                "{ok} || (has(v.projected) && {})",
                token_sources_only("v.projected")
            );
        }
        if r.volumes.types.contains("emptyDir") {
            ok = format!("{ok} || !({known} || {unknown})");
        }
        out.each(
            list,
            "v",
            ok,
            volume_message("the volume type is not allowed"),
        );
    }
    host_paths(r, out);
    for (source, driver, listed) in [
        ("flexVolume", "driver", &r.flex_drivers),
        ("csi", "driver", &r.csi_drivers),
    ] {
        if !listed.is_empty() {
            out.each(
                list,
                "v",
                format!(
                    "!has(v.{source}) || v.{source}.{driver} in {}",
                    lit::strings(listed)
                ),
                volume_message(&format!("the {source} driver is not allowed")),
            );
        }
    }
}

/// The projected volume `p` holds only what the ServiceAccount admission plugin injects: a
/// token at path `token` with no audience, the ConfigMap `kube-root-ca.crt`, the namespace
/// from the downward API at path `namespace`; no sources at all counts too. Where `secret` is
/// allowed, the 1.20-1.24 plugin admits such a volume (upstream `allowsVolumeType` and
/// `IsOnlyServiceAccountTokenSources`).
fn token_sources_only(p: &str) -> String {
    let token = "(!has(s.serviceAccountToken) || (s.serviceAccountToken.path == \"token\" && \
         (!has(s.serviceAccountToken.audience) || s.serviceAccountToken.audience == \"\")))";
    let ca = "(!has(s.configMap) || (has(s.configMap.name) && s.configMap.name == \"kube-root-ca.crt\"))";
    let namespace = "(!has(s.downwardAPI) || !has(s.downwardAPI.items) || s.downwardAPI.items.all(i, \
         i.path == \"namespace\" && has(i.fieldRef) && i.fieldRef.fieldPath == \"metadata.namespace\" && \
         (!has(i.fieldRef.apiVersion) || i.fieldRef.apiVersion == \"\" || i.fieldRef.apiVersion == \"v1\")))";
    format!(
        "(!has({p}.sources) || {p}.sources.all(s, \
         (has(s.serviceAccountToken) || has(s.configMap) || has(s.downwardAPI)) && {token} && {ca} && {namespace}))"
    )
}

/// Host paths under the allowed prefixes; under read-only prefixes only, read-only mounts.
fn host_paths(r: &Rules, out: &mut Checks) {
    if r.host_paths.is_empty() {
        return;
    }
    let path = Field::at("v", &["hostPath", "path"]).value_or("\"\"");
    let under = |ps: &[&AllowedHostPath]| -> String {
        let parts: Vec<String> = ps
            .iter()
            .map(|p| has_path_prefix(&path, &p.path_prefix))
            .collect();
        if parts.is_empty() {
            "false".into()
        } else {
            format!("({})", parts.join(" || "))
        }
    };
    let all: Vec<&AllowedHostPath> = r.host_paths.iter().collect();
    let writable: Vec<&AllowedHostPath> = r.host_paths.iter().filter(|p| !p.read_only).collect();
    out.each(
        "variables.volumes",
        "v",
        format!("!has(v.hostPath) || {}", under(&all)),
        volume_message("the host path is not under an allowed prefix"),
    );
    if writable.len() == all.len() {
        return;
    }
    let read_only_mounts = "variables.containers.all(c, !has(c.volumeMounts) || \
         c.volumeMounts.all(m, m.name != v.name || (has(m.readOnly) && m.readOnly)))";
    out.each(
        "variables.volumes",
        "v",
        format!(
            "!has(v.hostPath) || !{} || {} || {read_only_mounts}",
            under(&all),
            under(&writable)
        ),
        volume_message("the host path must be mounted read-only"),
    );
}

/// The plugin's `hasPathPrefix`: the prefix loses one trailing `/`; the path must equal it or
/// continue it at a `/`. Paths are compared as written (no cleaning).
fn has_path_prefix(path: &str, prefix: &str) -> String {
    let p = prefix.strip_suffix('/').unwrap_or(prefix);
    if p.is_empty() {
        return format!("({path} == \"\" || {path}.startsWith(\"/\"))");
    }
    format!(
        "({path} == {} || {path}.startsWith({}))",
        lit::string(p),
        lit::string(&format!("{p}/"))
    )
}
