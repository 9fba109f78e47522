//! The API server's defaulting that runs before admission and changes PSP verdicts: a volume
//! with no source becomes `emptyDir`, and with `hostNetwork: true` every container and init
//! container port without a host port gets `hostPort = containerPort`.

use k8s_openapi::api::core::v1::{Container, EmptyDirVolumeSource, Pod};

use crate::pss::defaults::becomes_empty_dir;

/// Applies the defaults to `pod` in place.
pub fn apply_api_defaults(pod: &mut Pod) {
    let Some(spec) = pod.spec.as_mut() else {
        return;
    };
    for v in spec.volumes.iter_mut().flatten() {
        if becomes_empty_dir(v) {
            v.empty_dir = Some(EmptyDirVolumeSource::default());
        }
    }
    if spec.host_network == Some(true) {
        host_network_ports(&mut spec.containers);
        if let Some(init) = spec.init_containers.as_mut() {
            host_network_ports(init);
        }
    }
}

fn host_network_ports(cs: &mut [Container]) {
    for p in cs.iter_mut().flat_map(|c| c.ports.iter_mut().flatten()) {
        if p.host_port.unwrap_or(0) == 0 {
            p.host_port = Some(p.container_port);
        }
    }
}
