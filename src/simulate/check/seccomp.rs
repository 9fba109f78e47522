//! Seccomp profiles, as the 1.19-1.24 plugin read them: from the profile fields or the
//! annotations (container over pod, field over annotation).

use k8s_openapi::api::core::v1::Pod;

use super::Failures;
use crate::simulate::mutate::{SECCOMP_CONTAINER, SECCOMP_POD};
use crate::simulate::pod::{seccomp_annotation, Ctr};
use crate::simulate::rules::Rules;

const SECCOMP_F: &str =
    "metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]";

/// The pod annotation `key`.
pub(super) fn annotation<'p>(pod: &'p Pod, key: &str) -> Option<&'p String> {
    pod.metadata.annotations.as_ref().and_then(|m| m.get(key))
}

fn pod_field(pod: &Pod) -> Option<String> {
    pod.spec
        .as_ref()
        .and_then(|s| s.security_context.as_ref())
        .and_then(|sc| sc.seccomp_profile.as_ref())
        .map(seccomp_annotation)
}

pub(super) fn pod(r: &Rules, pod: &Pod, out: &mut Failures) {
    let mut profile = annotation(pod, SECCOMP_POD).cloned().unwrap_or_default();
    if profile.is_empty() {
        profile = pod_field(pod).unwrap_or_default();
    }
    seccomp_allowed(
        r,
        &profile,
        format!("metadata.annotations[{SECCOMP_POD}]"),
        out,
    );
}

pub(super) fn container(r: &Rules, pod: &Pod, c: &Ctr<'_>, out: &mut Failures) {
    let key = format!("{SECCOMP_CONTAINER}{}", c.name);
    let profile =
        c.sc.and_then(|s| s.seccomp_profile.as_ref())
            .map(seccomp_annotation)
            .or_else(|| annotation(pod, &key).cloned())
            .or_else(|| pod_field(pod))
            .or_else(|| annotation(pod, SECCOMP_POD).cloned())
            .unwrap_or_default();
    seccomp_allowed(r, &profile, format!("metadata.annotations[{key}]"), out);
}

/// Absent list: only "no profile". `*`: anything. Otherwise the profile must be listed (an empty
/// item lists "no profile"); `docker/default` and `runtime/default` stand for each other (from
/// 1.19, when the API server began converting one to the other).
fn seccomp_allowed(r: &Rules, profile: &str, path: String, out: &mut Failures) {
    let Some(list) = &r.seccomp else {
        if !profile.is_empty() {
            out.fail(path, SECCOMP_F, "no seccomp profile may be set");
        }
        return;
    };
    if list.iter().any(|p| p == "*") {
        return;
    }
    let runtime_default = |p: &str| p == "runtime/default" || p == "docker/default";
    let ok = list
        .iter()
        .any(|p| p == profile || (runtime_default(p) && runtime_default(profile)));
    if !ok {
        let shown = if profile.is_empty() {
            "(unset)"
        } else {
            profile
        };
        out.fail(
            path,
            SECCOMP_F,
            format!("seccomp profile {shown} is not in {:?}", list.join(",")),
        );
    }
}
