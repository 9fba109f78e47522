//! A uniform, allocation-free view over a pod's init, regular and ephemeral containers.

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EphemeralContainer, Lifecycle, PodSecurityContext, PodSpec, Probe,
    SecurityContext,
};

/// The parts of a container (of any of the three kinds) the controls look at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ContainerRef<'a> {
    pub name: &'a str,
    pub security_context: Option<&'a SecurityContext>,
    pub ports: &'a [ContainerPort],
    /// Liveness, readiness and startup probes.
    pub probes: [Option<&'a Probe>; 3],
    pub lifecycle: Option<&'a Lifecycle>,
}

impl<'a> From<&'a Container> for ContainerRef<'a> {
    fn from(c: &'a Container) -> Self {
        ContainerRef {
            name: &c.name,
            security_context: c.security_context.as_ref(),
            ports: c.ports.as_deref().unwrap_or_default(),
            probes: [
                c.liveness_probe.as_ref(),
                c.readiness_probe.as_ref(),
                c.startup_probe.as_ref(),
            ],
            lifecycle: c.lifecycle.as_ref(),
        }
    }
}

impl<'a> From<&'a EphemeralContainer> for ContainerRef<'a> {
    fn from(c: &'a EphemeralContainer) -> Self {
        ContainerRef {
            name: &c.name,
            security_context: c.security_context.as_ref(),
            ports: c.ports.as_deref().unwrap_or_default(),
            probes: [
                c.liveness_probe.as_ref(),
                c.readiness_probe.as_ref(),
                c.startup_probe.as_ref(),
            ],
            lifecycle: c.lifecycle.as_ref(),
        }
    }
}

/// Init containers, then containers, then ephemeral containers (the order upstream reports in).
pub(crate) fn containers(spec: &PodSpec) -> impl Iterator<Item = ContainerRef<'_>> {
    let init = spec.init_containers.as_deref().unwrap_or_default();
    let ephemeral = spec.ephemeral_containers.as_deref().unwrap_or_default();
    init.iter()
        .map(ContainerRef::from)
        .chain(spec.containers.iter().map(ContainerRef::from))
        .chain(ephemeral.iter().map(ContainerRef::from))
}

/// Names of the containers for which `bad` holds, in visiting order.
pub(crate) fn bad_containers<'a>(
    spec: &'a PodSpec,
    mut bad: impl FnMut(&ContainerRef<'a>) -> bool,
) -> Vec<&'a str> {
    containers(spec)
        .filter(|c| bad(c))
        .map(|c| c.name)
        .collect()
}

/// The pod-level security context, if any.
pub(crate) fn pod_sc(spec: &PodSpec) -> Option<&PodSecurityContext> {
    spec.security_context.as_ref()
}

/// True for pods that declare `spec.os.name: windows`.
pub(crate) fn is_windows(spec: &PodSpec) -> bool {
    spec.os.as_ref().is_some_and(|os| os.name == "windows")
}

/// True for pods in a user namespace (`spec.hostUsers: false`).
pub(crate) fn in_user_namespace(spec: &PodSpec) -> bool {
    spec.host_users == Some(false)
}
