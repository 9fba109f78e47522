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

#[cfg(test)]
mod tests {
    //! The seccomp checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    const SECCOMP_ALLOWED: &str = "seccomp.security.alpha.kubernetes.io/allowedProfileNames";

    #[test]
    fn seccomp_without_annotation_allows_no_profile() {
        let p = psp("");
        assert!(run(&p, &pod(APP)).admission.is_unchanged());
        let field = pod(&format!(
            "  securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}\n{APP}"
        ));
        assert_eq!(
            failed(&p, &field),
            [
                "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
                "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]"
            ]
        );
    }

    #[test]
    fn seccomp_field_becomes_annotation_and_docker_default_stands_for_runtime_default() {
        let p = psp_annotated(&format!("{SECCOMP_ALLOWED}: docker/default"));
        let field = pod(&format!(
            "  securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}\n{APP}"
        ));
        assert_eq!(
            mutations(&p, &field),
            [(
                format!("metadata.annotations[{SECCOMP_POD}]"),
                json!("runtime/default")
            )]
        );
        assert_eq!(
            failed(&p, &pod(APP)),
            [
                "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
                "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]"
            ]
        );
        let container_field = pod("  containers: [{name: app, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}}]\n");
        let with_unset = psp_annotated(&format!("{SECCOMP_ALLOWED}: 'runtime/default,'"));
        assert_eq!(
            failed(&with_unset, &container_field),
            ["metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]"]
        );
        assert!(
            admitted(&with_unset, &pod(APP)),
            "an empty item allows no profile"
        );
        let any = psp_annotated(&format!("{SECCOMP_ALLOWED}: '*'"));
        assert!(admitted(&any, &container_field));
    }

    #[test]
    fn seccomp_default_annotation() {
        let p = psp_annotated(&format!(
            "{SECCOMP_ALLOWED}: runtime/default, seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default"
        ));
        assert_eq!(
            mutations(&p, &pod(APP)),
            [(
                format!("metadata.annotations[{SECCOMP_POD}]"),
                json!("runtime/default")
            )]
        );
        let unconfined = pod_annotated(APP, &format!("'{SECCOMP_CONTAINER}app': unconfined"));
        assert_eq!(
            failed(&p, &unconfined),
            [format!("metadata.annotations[{SECCOMP_CONTAINER}app]")]
        );
    }
}
