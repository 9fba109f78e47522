//! `restrictedVolumes` (restricted, since 1.0): a pod may use only volume types that cannot
//! reach the node or the network on their own: `configMap`, `csi`, `downwardAPI`, `emptyDir`,
//! `ephemeral`, `image`, `persistentVolumeClaim`, `projected` and `secret`.
//!
//! A volume that names no source is judged as the `emptyDir` the API server defaults it to.
//!
//! History: one behaviour from 1.0 (upstream amended it in place to allow `image` in
//! Kubernetes 1.33, so `image` is allowed at every policy version). Overrides `hostPathVolumes`.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{PodSpec, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::defaults::becomes_empty_dir;
use crate::pss::message::{fail, plural, quoted};
use crate::pss::{Check, Level, Versioned};

/// The volume types this control allows, in the API's spelling (as PSP `volumes` names them;
/// `image` is newer than PSP). [`allowed`] checks exactly these sources.
pub const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

pub(super) const CHECK: Check = Check {
    id: "restrictedVolumes",
    level: Level::Restricted,
    psp_fields: &["spec.volumes"],
    versions: &[Versioned {
        since: 0,
        eval: v1_0,
        overrides: &["hostPathVolumes"],
    }],
};

fn allowed(v: &Volume) -> bool {
    v.config_map.is_some()
        || v.csi.is_some()
        || v.downward_api.is_some()
        || v.empty_dir.is_some()
        || v.ephemeral.is_some()
        || v.image.is_some()
        || v.persistent_volume_claim.is_some()
        || v.projected.is_some()
        || v.secret.is_some()
}

/// The field name of the (forbidden) source a volume uses.
fn source_name(v: &Volume) -> &'static str {
    let sources: [(bool, &'static str); 21] = [
        (v.host_path.is_some(), "hostPath"),
        (v.gce_persistent_disk.is_some(), "gcePersistentDisk"),
        (v.aws_elastic_block_store.is_some(), "awsElasticBlockStore"),
        (v.git_repo.is_some(), "gitRepo"),
        (v.nfs.is_some(), "nfs"),
        (v.iscsi.is_some(), "iscsi"),
        (v.glusterfs.is_some(), "glusterfs"),
        (v.rbd.is_some(), "rbd"),
        (v.flex_volume.is_some(), "flexVolume"),
        (v.cinder.is_some(), "cinder"),
        (v.cephfs.is_some(), "cephfs"),
        (v.flocker.is_some(), "flocker"),
        (v.fc.is_some(), "fc"),
        (v.azure_file.is_some(), "azureFile"),
        (v.vsphere_volume.is_some(), "vsphereVolume"),
        (v.quobyte.is_some(), "quobyte"),
        (v.azure_disk.is_some(), "azureDisk"),
        (v.photon_persistent_disk.is_some(), "photonPersistentDisk"),
        (v.portworx_volume.is_some(), "portworxVolume"),
        (v.scale_io.is_some(), "scaleIO"),
        (v.storageos.is_some(), "storageos"),
    ];
    sources
        .iter()
        .find(|(set, _)| *set)
        .map_or("unknown", |(_, name)| name)
}

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let mut bad = Vec::new();
    let mut kinds = BTreeSet::new();
    for v in spec.volumes.as_deref().unwrap_or_default() {
        if allowed(v) || becomes_empty_dir(v) {
            continue;
        }
        bad.push(v.name.as_str());
        kinds.insert(source_name(v));
    }
    if bad.is_empty() {
        return None;
    }
    fail(
        "restricted volume types",
        format_args!(
            "{} {} {} {} {}",
            plural(bad.len(), "volume", "volumes"),
            quoted(&bad),
            plural(bad.len(), "uses", "use"),
            plural(
                kinds.len(),
                "restricted volume type",
                "restricted volume types"
            ),
            quoted(&kinds)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn allows_listed_types_and_sourceless_volumes() {
        let p = pod(json!({"spec": {"volumes": [
            {"name": "bare"},
            {"name": "e", "emptyDir": {}},
            {"name": "i", "image": {"reference": "x"}},
            {"name": "p", "persistentVolumeClaim": {"claimName": "c"}},
            {"name": "s", "secret": {"secretName": "s"}}]}}));
        assert!(passes(&CHECK, 0, &p));
        assert!(passes(&CHECK, 37, &p));
    }

    #[test]
    fn names_every_forbidden_volume_and_type() {
        let p = pod(json!({"spec": {"volumes": [
            {"name": "h", "hostPath": {"path": "/"}},
            {"name": "n", "nfs": {"server": "s", "path": "/"}},
            {"name": "ok", "configMap": {"name": "c"}}]}}));
        assert_eq!(
            run(&CHECK, 0, &p).as_deref(),
            Some(
                r#"restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs")"#
            )
        );
    }

    #[test]
    fn allowed_names_the_sources_the_check_accepts() {
        for name in ALLOWED {
            let body = match *name {
                "csi" => serde_json::json!({"driver": "d"}),
                "persistentVolumeClaim" => serde_json::json!({"claimName": "c"}),
                _ => serde_json::json!({}),
            };
            let v: Volume = serde_json::from_value(serde_json::json!({"name": "v", *name: body}))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(allowed(&v), "{name}");
        }
    }
}
