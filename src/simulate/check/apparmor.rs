//! AppArmor profiles, as the 1.19-1.24 plugin read them: from the container annotations only.

use k8s_openapi::api::core::v1::Pod;

use super::seccomp::annotation;
use super::Failures;
use crate::simulate::mutate::APPARMOR_CONTAINER;
use crate::simulate::pod::Ctr;
use crate::simulate::rules::Rules;

const APPARMOR_F: &str =
    "metadata.annotations[apparmor.security.beta.kubernetes.io/allowedProfileNames]";

/// With an allowed list, every container needs a listed, non-empty profile.
pub(super) fn check(r: &Rules, pod: &Pod, c: &Ctr<'_>, out: &mut Failures) {
    let Some(list) = &r.apparmor else { return };
    let key = format!("{APPARMOR_CONTAINER}{}", c.name);
    let path = format!("metadata.annotations[{key}]");
    let profile = annotation(pod, &key).cloned().unwrap_or_default();
    if profile.is_empty() {
        out.fail(path, APPARMOR_F, "an AppArmor profile is required");
    } else if !list.contains(&profile) {
        out.fail(
            path,
            APPARMOR_F,
            format!("AppArmor profile {profile} is not in {:?}", list.join(",")),
        );
    }
}

#[cfg(test)]
mod tests {
    //! The apparmor checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    #[test]
    fn apparmor() {
        let allowed = "apparmor.security.beta.kubernetes.io/allowedProfileNames";
        let p = psp_annotated(&format!("{allowed}: 'runtime/default,localhost/x'"));
        let two =
            "  initContainers: [{name: i, image: x}]\n  containers: [{name: app, image: x}]\n";
        assert_eq!(
            failed(&p, &pod(two)),
            [
                format!("metadata.annotations[{APPARMOR_CONTAINER}i]"),
                format!("metadata.annotations[{APPARMOR_CONTAINER}app]")
            ]
        );
        let set = pod_annotated(
            two,
            &format!(
                "'{APPARMOR_CONTAINER}i': localhost/x, '{APPARMOR_CONTAINER}app': runtime/default"
            ),
        );
        assert!(run(&p, &set).admission.is_unchanged());
        let d = psp_annotated(&format!("{allowed}: runtime/default, apparmor.security.beta.kubernetes.io/defaultProfileName: runtime/default"));
        let m = mutations(&d, &pod(two));
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[1],
            (
                format!("metadata.annotations[{APPARMOR_CONTAINER}app]"),
                json!("runtime/default")
            )
        );
        let unconfined = pod_annotated(APP, &format!("'{APPARMOR_CONTAINER}app': unconfined"));
        assert!(!admitted(&d, &unconfined));
        assert!(
            admitted(&psp(""), &unconfined),
            "no allowed list: any profile"
        );
    }
}
