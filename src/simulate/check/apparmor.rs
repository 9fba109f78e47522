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
