//! Views over a pod: the three container lists as one sequence (in the order the admission
//! plugin visited them: init, regular, ephemeral), paths in pod terms, the effective security
//! context (container value over pod value), and a volume's type.

use k8s_openapi::api::core::v1::{
    ContainerPort, PodSecurityContext, PodSpec, SELinuxOptions, SeccompProfile, SecurityContext,
    Volume, VolumeMount,
};

/// One container of any list, read-only.
pub(crate) struct Ctr<'a> {
    /// `spec.containers[name=app]`.
    pub path: String,
    pub name: &'a str,
    pub sc: Option<&'a SecurityContext>,
    pub ports: &'a [ContainerPort],
    pub mounts: &'a [VolumeMount],
}

/// `spec.<list>[name=<name>]`.
pub(crate) fn ctr_path(list: &str, name: &str) -> String {
    format!("spec.{list}[name={name}]")
}

/// Every container, init containers first, then containers, then ephemeral containers.
pub(crate) fn containers(spec: &PodSpec) -> Vec<Ctr<'_>> {
    let mut out = Vec::new();
    for (list, cs) in [
        (
            "initContainers",
            spec.init_containers.as_deref().unwrap_or_default(),
        ),
        ("containers", spec.containers.as_slice()),
    ] {
        for c in cs {
            out.push(Ctr {
                path: ctr_path(list, &c.name),
                name: &c.name,
                sc: c.security_context.as_ref(),
                ports: c.ports.as_deref().unwrap_or_default(),
                mounts: c.volume_mounts.as_deref().unwrap_or_default(),
            });
        }
    }
    for c in spec.ephemeral_containers.as_deref().unwrap_or_default() {
        out.push(Ctr {
            path: ctr_path("ephemeralContainers", &c.name),
            name: &c.name,
            sc: c.security_context.as_ref(),
            ports: c.ports.as_deref().unwrap_or_default(),
            mounts: c.volume_mounts.as_deref().unwrap_or_default(),
        });
    }
    out
}

/// Calls `f(path, name, pod_sc, container_sc)` for every container, in visiting order, with the
/// container's security context mutable.
pub(crate) fn for_each_sc_mut(
    spec: &mut PodSpec,
    mut f: impl FnMut(&str, &str, Option<&PodSecurityContext>, &mut Option<SecurityContext>),
) {
    let pod_sc = spec.security_context.as_ref();
    for c in spec.init_containers.iter_mut().flatten() {
        f(
            &ctr_path("initContainers", &c.name),
            &c.name,
            pod_sc,
            &mut c.security_context,
        );
    }
    for c in spec.containers.iter_mut() {
        f(
            &ctr_path("containers", &c.name),
            &c.name,
            pod_sc,
            &mut c.security_context,
        );
    }
    for c in spec.ephemeral_containers.iter_mut().flatten() {
        f(
            &ctr_path("ephemeralContainers", &c.name),
            &c.name,
            pod_sc,
            &mut c.security_context,
        );
    }
}

/// The security settings a container runs with: its own where set, else the pod's.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Effective {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub se_linux: Option<SELinuxOptions>,
}

pub(crate) fn effective(
    pod: Option<&PodSecurityContext>,
    c: Option<&SecurityContext>,
) -> Effective {
    let pick = |cv: Option<i64>, pv: Option<i64>| cv.or(pv);
    Effective {
        run_as_user: pick(
            c.and_then(|c| c.run_as_user),
            pod.and_then(|p| p.run_as_user),
        ),
        run_as_group: pick(
            c.and_then(|c| c.run_as_group),
            pod.and_then(|p| p.run_as_group),
        ),
        run_as_non_root: c
            .and_then(|c| c.run_as_non_root)
            .or(pod.and_then(|p| p.run_as_non_root)),
        se_linux: c
            .and_then(|c| c.se_linux_options.clone())
            .or(pod.and_then(|p| p.se_linux_options.clone())),
    }
}

/// The annotation value the 1.19-1.24 API server derived from a seccomp profile field, as
/// upstream `SeccompAnnotationForField` (pkg/api/pod/util.go): an unrecognised type (`""`,
/// `runtimedefault`) and `Localhost` without a profile map to `""`, no annotation at all.
pub(crate) fn seccomp_annotation(p: &SeccompProfile) -> String {
    match (p.type_.as_str(), p.localhost_profile.as_deref()) {
        ("RuntimeDefault", _) => "runtime/default".into(),
        ("Unconfined", _) => "unconfined".into(),
        ("Localhost", Some(profile)) => format!("localhost/{profile}"),
        _ => String::new(),
    }
}

/// The PSP volume type (`FSType`) of a volume, `None` for a source PSP did not know.
pub(crate) fn volume_type(v: &Volume) -> Option<&'static str> {
    let kinds: [(bool, &'static str); 29] = [
        (v.host_path.is_some(), "hostPath"),
        (v.empty_dir.is_some(), "emptyDir"),
        (v.gce_persistent_disk.is_some(), "gcePersistentDisk"),
        (v.aws_elastic_block_store.is_some(), "awsElasticBlockStore"),
        (v.git_repo.is_some(), "gitRepo"),
        (v.secret.is_some(), "secret"),
        (v.nfs.is_some(), "nfs"),
        (v.iscsi.is_some(), "iscsi"),
        (v.glusterfs.is_some(), "glusterfs"),
        (v.persistent_volume_claim.is_some(), "persistentVolumeClaim"),
        (v.rbd.is_some(), "rbd"),
        (v.flex_volume.is_some(), "flexVolume"),
        (v.cinder.is_some(), "cinder"),
        (v.cephfs.is_some(), "cephFS"),
        (v.flocker.is_some(), "flocker"),
        (v.downward_api.is_some(), "downwardAPI"),
        (v.fc.is_some(), "fc"),
        (v.azure_file.is_some(), "azureFile"),
        (v.config_map.is_some(), "configMap"),
        (v.vsphere_volume.is_some(), "vsphereVolume"),
        (v.quobyte.is_some(), "quobyte"),
        (v.azure_disk.is_some(), "azureDisk"),
        (v.photon_persistent_disk.is_some(), "photonPersistentDisk"),
        (v.projected.is_some(), "projected"),
        (v.portworx_volume.is_some(), "portworxVolume"),
        (v.scale_io.is_some(), "scaleIO"),
        (v.storageos.is_some(), "storageos"),
        (v.csi.is_some(), "csi"),
        (v.ephemeral.is_some(), "ephemeral"),
    ];
    kinds.iter().find(|(set, _)| *set).map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(type_: &str, localhost: Option<&str>) -> SeccompProfile {
        SeccompProfile {
            type_: type_.into(),
            localhost_profile: localhost.map(Into::into),
        }
    }

    /// Upstream pkg/api/pod/util.go `SeccompAnnotationForField`: "we can only reach this code
    /// path if the LocalhostProfile is nil but the provided field type is
    /// SeccompProfileTypeLocalhost or if an unrecognized type is specified" -> `""`.
    #[test]
    fn unrecognised_seccomp_types_map_to_no_annotation_as_upstream_seccomp_annotation_for_field() {
        assert_eq!(
            seccomp_annotation(&profile("RuntimeDefault", None)),
            "runtime/default"
        );
        assert_eq!(
            seccomp_annotation(&profile("Unconfined", None)),
            "unconfined"
        );
        assert_eq!(
            seccomp_annotation(&profile("Localhost", Some("p.json"))),
            "localhost/p.json"
        );
        assert_eq!(seccomp_annotation(&profile("Localhost", None)), "");
        assert_eq!(seccomp_annotation(&profile("runtimedefault", None)), "");
        assert_eq!(seccomp_annotation(&profile("", None)), "");
    }

    /// Upstream seccomp strategy `Generate` (1.19+) takes the pod field's annotation when the
    /// field is set, so an unrecognised type writes no annotation (and no default either).
    #[test]
    fn unrecognised_pod_seccomp_type_is_not_written_back_as_an_annotation() {
        let mut psp = crate::psp::testing::psp();
        psp.profiles.seccomp_allowed = Some(vec!["*".into()]);
        psp.profiles.seccomp_default = Some("runtime/default".into());
        let spec: PodSpec = serde_json::from_value(serde_json::json!({
            "securityContext": {"seccompProfile": {"type": "runtimedefault"}},
            "containers": [{"name": "app"}]}))
        .unwrap();
        let e = crate::simulate::evaluate(&psp, &spec, &Default::default());
        let crate::simulate::Admission::Admitted { mutations } = e.admission else {
            panic!("denied: {:?}", e.admission);
        };
        assert!(
            mutations.iter().all(|m| m.value != "runtimedefault"),
            "{mutations:?}"
        );
        assert!(
            mutations.iter().all(|m| !m.path.contains("seccomp")),
            "{mutations:?}"
        );
    }
}
