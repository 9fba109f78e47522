//! A uniform, allocation-free view over a pod's init, regular and ephemeral containers.

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EphemeralContainer, Lifecycle, PodSecurityContext, PodSpec, Probe,
    SecurityContext,
};

/// A container of any of the three kinds, read lazily: a control that only needs the security
/// context touches only that part of the (large) container object.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ContainerRef<'a> {
    Regular(&'a Container),
    Ephemeral(&'a EphemeralContainer),
}

/// Reads the same-named field of either container kind.
macro_rules! field {
    ($self:expr, $c:ident => $e:expr) => {
        match $self {
            ContainerRef::Regular($c) => $e,
            ContainerRef::Ephemeral($c) => $e,
        }
    };
}

impl<'a> ContainerRef<'a> {
    pub fn name(self) -> &'a str {
        field!(self, c => &c.name)
    }

    pub fn security_context(self) -> Option<&'a SecurityContext> {
        field!(self, c => c.security_context.as_ref())
    }

    pub fn ports(self) -> &'a [ContainerPort] {
        field!(self, c => c.ports.as_deref().unwrap_or_default())
    }

    /// Liveness, readiness and startup probes.
    pub fn probes(self) -> [Option<&'a Probe>; 3] {
        field!(self, c => [
            c.liveness_probe.as_ref(),
            c.readiness_probe.as_ref(),
            c.startup_probe.as_ref(),
        ])
    }

    pub fn lifecycle(self) -> Option<&'a Lifecycle> {
        field!(self, c => c.lifecycle.as_ref())
    }
}

/// Init containers, then containers, then ephemeral containers (the order upstream reports in).
pub(crate) fn containers(spec: &PodSpec) -> impl Iterator<Item = ContainerRef<'_>> {
    let init = spec.init_containers.as_deref().unwrap_or_default();
    let ephemeral = spec.ephemeral_containers.as_deref().unwrap_or_default();
    init.iter()
        .chain(&spec.containers)
        .map(ContainerRef::Regular)
        .chain(ephemeral.iter().map(ContainerRef::Ephemeral))
}

/// Names of the containers for which `bad` holds, in visiting order.
pub(crate) fn bad_containers<'a>(
    spec: &'a PodSpec,
    mut bad: impl FnMut(&ContainerRef<'a>) -> bool,
) -> Vec<&'a str> {
    containers(spec)
        .filter(|c| bad(c))
        .map(ContainerRef::name)
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

/// Reads, once and up front, the parts of every container that the controls look at.
///
/// Pod objects are large (a k8s-openapi `Container` is over 2 KiB) and the controls each walk
/// the containers in turn, so on a cold pod every control would wait for its own cache misses
/// one after another. Touching the fields here first issues those loads together, so their
/// misses overlap; the controls then find them in cache. It changes no result.
pub(crate) fn warm(spec: &PodSpec) {
    let mut acc = 0usize;
    for c in containers(spec) {
        acc += c.ports().len();
        acc += c.probes().iter().flatten().count();
        acc += usize::from(c.lifecycle().is_some());
        if let Some(sc) = c.security_context() {
            acc += usize::from(sc.app_armor_profile.is_some())
                + usize::from(sc.capabilities.is_some())
                + usize::from(sc.se_linux_options.is_some())
                + usize::from(sc.seccomp_profile.is_some())
                + usize::from(sc.windows_options.is_some())
                + usize::from(sc.proc_mount.is_some())
                + usize::from(sc.run_as_user.is_some());
        }
    }
    std::hint::black_box(acc);
}
