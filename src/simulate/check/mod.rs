//! The validation step: the (mutated) pod against every validating constraint, pod-level checks
//! first, then each container in visiting order. Every failure is kept, as the plugin did.

mod apparmor;
mod capabilities;
mod host_namespaces;
mod privilege_escalation;
mod privileged;
mod proc_mount;
mod read_only_root_filesystem;
mod runtime_class;
mod seccomp;
mod selinux;
pub(crate) mod sysctls;
mod users_groups;
pub(crate) mod volumes;

use k8s_openapi::api::core::v1::Pod;

use super::pod::{containers, effective};
use super::rules::Rules;
use super::Failure;

/// Collects failures.
pub(crate) struct Failures(pub Vec<Failure>);

impl Failures {
    /// A failure at pod path `field`, caused by PSP field `psp_field`.
    pub fn fail(&mut self, field: impl Into<String>, psp_field: &str, message: impl Into<String>) {
        self.0.push(Failure {
            field: field.into(),
            message: message.into(),
            psp_field: psp_field.into(),
        });
    }
}

/// Every failure of `pod` against `r`.
pub(crate) fn validate(r: &Rules, pod: &Pod) -> Vec<Failure> {
    let mut out = Failures(Vec::new());
    let spec = pod.spec.as_ref().expect("a pod spec");
    let psc = spec.security_context.as_ref();
    users_groups::pod_groups(r, psc, &mut out);
    seccomp::pod(r, pod, &mut out);
    selinux::check(
        r,
        "spec.securityContext",
        psc.and_then(|s| s.se_linux_options.as_ref()),
        &mut out,
    );
    host_namespaces::namespaces(r, spec, &mut out);
    sysctls::check(r, psc, &mut out);
    volumes::check(r, spec, &mut out);
    runtime_class::check(r, spec, &mut out);
    for c in containers(spec) {
        let eff = effective(psc, c.sc);
        let sc_path = format!("{}.securityContext", c.path);
        users_groups::container(r, &sc_path, &eff, &mut out);
        selinux::check(r, &sc_path, eff.se_linux.as_ref(), &mut out);
        apparmor::check(r, pod, &c, &mut out);
        seccomp::container(r, pod, &c, &mut out);
        privileged::check(r, &sc_path, c.sc, &mut out);
        proc_mount::check(r, &sc_path, c.sc, &mut out);
        capabilities::check(
            r,
            &sc_path,
            c.sc.and_then(|s| s.capabilities.as_ref()),
            &mut out,
        );
        host_namespaces::ports(r, &c, &mut out);
        read_only_root_filesystem::check(r, &sc_path, c.sc, &mut out);
        privilege_escalation::check(r, &sc_path, c.sc, &mut out);
    }
    out.0
}
