//! The API server's defaulting that changes Pod Security verdicts, applied lazily.
//!
//! Admission judges the pod after defaulting. Rather than rewriting the pod (which would cost a
//! clone for every pod), the controls ask these functions for the defaulted value of the few
//! fields where defaulting matters.

use k8s_openapi::api::core::v1::{ContainerPort, PodSpec, Volume};

use super::visit::ContainerRef;

/// The host port a container port ends up with: with `hostNetwork: true`, an unset (or zero)
/// `hostPort` of a container or init container is defaulted to the `containerPort`. Upstream
/// `defaultHostNetworkPorts` (pkg/apis/core/v1/defaults.go) is applied to `Containers` and
/// `InitContainers` only, never to ephemeral containers.
pub(crate) fn host_port(spec: &PodSpec, c: ContainerRef<'_>, port: &ContainerPort) -> i32 {
    match port.host_port {
        Some(p) if p != 0 => p,
        _ if spec.host_network == Some(true) && matches!(c, ContainerRef::Regular(_)) => {
            port.container_port
        }
        _ => 0,
    }
}

/// True when a volume names no source at all; the API server turns it into an `emptyDir`.
pub(crate) fn becomes_empty_dir(v: &Volume) -> bool {
    v.aws_elastic_block_store.is_none()
        && v.azure_disk.is_none()
        && v.azure_file.is_none()
        && v.cephfs.is_none()
        && v.cinder.is_none()
        && v.config_map.is_none()
        && v.csi.is_none()
        && v.downward_api.is_none()
        && v.empty_dir.is_none()
        && v.ephemeral.is_none()
        && v.fc.is_none()
        && v.flex_volume.is_none()
        && v.flocker.is_none()
        && v.gce_persistent_disk.is_none()
        && v.git_repo.is_none()
        && v.glusterfs.is_none()
        && v.host_path.is_none()
        && v.image.is_none()
        && v.iscsi.is_none()
        && v.nfs.is_none()
        && v.persistent_volume_claim.is_none()
        && v.photon_persistent_disk.is_none()
        && v.portworx_volume.is_none()
        && v.projected.is_none()
        && v.quobyte.is_none()
        && v.rbd.is_none()
        && v.scale_io.is_none()
        && v.secret.is_none()
        && v.storageos.is_none()
        && v.vsphere_volume.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn port(p: serde_json::Value) -> ContainerPort {
        serde_json::from_value(p).unwrap()
    }

    #[test]
    fn host_network_defaults_host_port_to_container_port() {
        let mut spec = PodSpec::default();
        let c = k8s_openapi::api::core::v1::Container::default();
        let regular = ContainerRef::Regular(&c);
        let p = port(json!({"containerPort": 8080}));
        assert_eq!(host_port(&spec, regular, &p), 0);
        spec.host_network = Some(true);
        assert_eq!(host_port(&spec, regular, &p), 8080);
        let explicit = port(json!({"containerPort": 8080, "hostPort": 9090}));
        assert_eq!(host_port(&spec, regular, &explicit), 9090);
    }

    /// Upstream pkg/apis/core/v1/defaults.go: `defaultHostNetworkPorts(&obj.Containers)` and
    /// `(&obj.InitContainers)`, nothing for `EphemeralContainers`.
    #[test]
    fn ephemeral_container_ports_are_never_defaulted_as_upstream_default_host_network_ports() {
        let spec = PodSpec {
            host_network: Some(true),
            ..Default::default()
        };
        let e = k8s_openapi::api::core::v1::EphemeralContainer::default();
        let p = port(json!({"containerPort": 8080}));
        assert_eq!(host_port(&spec, ContainerRef::Ephemeral(&e), &p), 0);
    }

    #[test]
    fn sourceless_volume_becomes_empty_dir() {
        let bare: Volume = serde_json::from_value(json!({"name": "v"})).unwrap();
        assert!(becomes_empty_dir(&bare));
        let secret: Volume =
            serde_json::from_value(json!({"name": "v", "secret": {"secretName": "s"}})).unwrap();
        assert!(!becomes_empty_dir(&secret));
    }
}
