//! `volumes`, `allowedHostPaths`, `allowedFlexVolumes` and `allowedCSIDrivers`.
//!
//! Baseline (1.0+) rejects `hostPath` volumes and nothing else; restricted (1.0+) allows only
//! the types [`restricted_volumes`] lists (the PSS check's list, less `image`, which PSP never
//! had).

use super::{list, Cause, Row, Verdict};
use crate::intent::{Control, Intent, VolumeTypes};
use crate::psp::{AllowedHostPath, VOLUME_TYPES};
use crate::pss::checks::host_path_volumes::REJECTED as REJECTED_BY_BASELINE;
use crate::pss::Version;

/// The PSP volume types restricted allows: the PSS check's list, in PSP's names.
pub fn restricted_volumes() -> Vec<&'static str> {
    crate::pss::checks::restricted_volumes::ALLOWED
        .iter()
        .copied()
        .filter(|t| VOLUME_TYPES.contains(t))
        .collect()
}

/// PSP volume type names that are real volume sources (not `*`, not `none`).
fn sources() -> impl Iterator<Item = &'static str> {
    VOLUME_TYPES
        .iter()
        .copied()
        .filter(|t| *t != "*" && *t != "none")
}

/// The allowed volume types.
fn types(intent: &Intent) -> &VolumeTypes {
    intent.value(|c| match c {
        Control::Volumes(v) => Some(v),
        _ => None,
    })
}

/// True when the PSP allows volume type `t` (directly or through `*`).
fn allows(intent: &Intent, t: &str) -> bool {
    let v = types(intent);
    v.any || v.types.contains(t)
}

/// A driver list of the intent (`allowedFlexVolumes` or `allowedCSIDrivers`).
fn drivers(intent: &Intent, flex: bool) -> &[String] {
    intent.value(|c| match c {
        Control::FlexVolumes(d) if flex => Some(d.as_slice()),
        Control::CsiDrivers(d) if !flex => Some(d.as_slice()),
        _ => None,
    })
}

/// The four volume rows.
pub fn rows(intent: &Intent, _version: Version) -> Vec<Row> {
    vec![
        volumes(intent),
        host_paths(intent),
        flex_volumes(intent),
        csi_drivers(intent),
    ]
}

/// `volumes`.
fn volumes(intent: &Intent) -> Row {
    const F: &str = "volumes";
    let v = types(intent);
    if v.any {
        return Row::both(
            F,
            Verdict::PspLooser,
            "`*` allows every volume type, hostPath included, which both levels reject".into(),
        )
        .by(Cause::Grant);
    }
    if v.types.contains(REJECTED_BY_BASELINE) {
        return Row::both(
            F,
            Verdict::PspLooser,
            "allows hostPath volumes, which both levels reject".into(),
        )
        .by(Cause::Grant);
    }
    let baseline = if sources()
        .filter(|t| *t != REJECTED_BY_BASELINE)
        .all(|t| allows(intent, t))
    {
        Verdict::Same
    } else {
        Verdict::PspStricter
    };
    let outside: Vec<&str> = sources()
        .filter(|t| allows(intent, t) && !restricted_volumes().contains(t))
        .collect();
    if !outside.is_empty() {
        return Row::new(
            F,
            baseline,
            Verdict::PspLooser,
            format!(
                "allows {}, which baseline allows but restricted does not",
                list(&outside)
            ),
        )
        .by(Cause::Grant);
    }
    let restricted = if restricted_volumes().iter().all(|t| allows(intent, t)) {
        Verdict::Same
    } else {
        Verdict::PspStricter
    };
    let allowed: Vec<&str> = sources().filter(|t| allows(intent, t)).collect();
    if allowed.is_empty() {
        return Row::both(
            F,
            Verdict::PspStricter,
            "allows no volumes at all, while both levels allow configMap, secret, emptyDir and more"
                .into(),
        );
    }
    Row::new(
        F,
        baseline,
        restricted,
        format!(
            "allows only {}, all within restricted's volume types{}",
            list(&allowed),
            token_note(intent)
        ),
    )
}

/// When `secret` is allowed and `projected` is not, the plugin (1.20+, `allowsVolumeType`)
/// still admitted a projected volume holding only the injected service-account token, which
/// every pod of a 1.21+ cluster carries.
fn token_note(intent: &Intent) -> &'static str {
    if allows(intent, "secret") && !allows(intent, "projected") {
        "; a projected volume holding only the injected service-account token passes as secret"
    } else {
        ""
    }
}

/// `allowedHostPaths`: narrows a hostPath grant that both levels refuse outright.
fn host_paths(intent: &Intent) -> Row {
    const F: &str = "allowedHostPaths";
    let paths: &[AllowedHostPath] = intent.value(|c| match c {
        Control::HostPaths(p) => Some(p.as_slice()),
        _ => None,
    });
    let reason = match (allows(intent, "hostPath"), paths.is_empty()) {
        (false, _) => "hostPath volumes are not allowed, so host path prefixes do not apply".into(),
        (true, true) => "no prefix list: any host path may be mounted (see volumes)".into(),
        (true, false) => format!(
            "limits hostPath to {}; both levels forbid hostPath outright, and Privileged keeps no prefix list; {}",
            list(paths.iter().map(|p| if p.read_only {
                format!("{} (read-only)", p.path_prefix)
            } else {
                p.path_prefix.clone()
            })),
            unnormalised(&paths[0].path_prefix)
        ),
    };
    Row::both(F, Verdict::NoOpinion, reason)
}

/// What a target that cleans paths before matching would change: upstream `hasPathPrefix`
/// (pkg/security/podsecuritypolicy/util/util.go) compared the strings as written.
fn unnormalised(prefix: &str) -> String {
    let p = prefix.strip_suffix('/').unwrap_or(prefix);
    let doubled = match p.rsplit_once('/') {
        Some((head, tail)) if !head.is_empty() => format!("{head}//{tail}"),
        _ => format!("/{p}"),
    };
    format!(
        "the plugin matched prefixes as written, without normalising paths: a target that cleans paths first would admit `{doubled}`, which the plugin denied, and reject `{p}/../..`, which the plugin admitted"
    )
}

/// `allowedFlexVolumes`: baseline allows any flexVolume driver; restricted allows none.
fn flex_volumes(intent: &Intent) -> Row {
    const F: &str = "allowedFlexVolumes";
    let drivers = drivers(intent, true);
    if !allows(intent, "flexVolume") || drivers.is_empty() {
        return Row::both(
            F,
            Verdict::NoOpinion,
            "no flexVolume driver restriction applies".into(),
        );
    }
    Row::new(
        F,
        Verdict::PspStricter,
        Verdict::NoOpinion,
        format!(
            "limits flexVolume to drivers {}; baseline allows any driver (restricted no flexVolume)",
            list(drivers)
        ),
    )
}

/// `allowedCSIDrivers`: both levels allow inline CSI volumes of any driver.
fn csi_drivers(intent: &Intent) -> Row {
    const F: &str = "allowedCSIDrivers";
    let drivers = drivers(intent, false);
    if !allows(intent, "csi") || drivers.is_empty() {
        return Row::both(
            F,
            Verdict::NoOpinion,
            "no inline CSI driver restriction applies".into(),
        );
    }
    Row::both(
        F,
        Verdict::PspStricter,
        format!(
            "limits inline CSI volumes to drivers {}; both levels allow any driver",
            list(drivers)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::{psp, strings};
    use crate::psp::Psp;

    fn with(volumes: &[&str]) -> Psp {
        let mut p = psp();
        p.spec.volumes = strings(volumes);
        p
    }

    #[test]
    fn host_path_and_wildcard_are_beyond_both() {
        for v in [&["*"][..], &["hostPath", "secret"][..]] {
            let r = volumes(&intent_of(&with(v)));
            assert_eq!(
                (r.baseline, r.restricted),
                (Verdict::PspLooser, Verdict::PspLooser)
            );
            assert_eq!(r.cause, Some(Cause::Grant));
        }
    }

    #[test]
    fn nfs_is_baseline_but_not_restricted() {
        let r = volumes(&intent_of(&with(&["nfs", "secret"])));
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspLooser)
        );
        assert!(r.reason.contains("nfs"));
    }

    #[test]
    fn restricted_list_is_same_as_restricted() {
        let r = volumes(&intent_of(&with(&restricted_volumes())));
        assert_eq!(r.restricted, Verdict::Same);
        let r = volumes(&intent_of(&with(&["secret"])));
        assert_eq!(r.restricted, Verdict::PspStricter);
    }

    /// Upstream provider.go `allowsVolumeType` (1.20+) admits the injected token volume where
    /// `secret` is allowed; the row says so, and the verdicts stay those of the list.
    #[test]
    fn secret_without_projected_mentions_the_token_volume() {
        let r = volumes(&intent_of(&with(&["secret", "configMap"])));
        assert!(r.reason.contains("service-account token"), "{}", r.reason);
        assert_eq!(r.restricted, Verdict::PspStricter);
        let r = volumes(&intent_of(&with(&["secret", "projected"])));
        assert!(!r.reason.contains("service-account token"), "{}", r.reason);
    }

    #[test]
    fn host_path_prefixes_are_reported() {
        let mut p = with(&["hostPath"]);
        p.spec.allowed_host_paths = vec![AllowedHostPath {
            path_prefix: "/var/log".into(),
            read_only: true,
        }];
        let r = host_paths(&intent_of(&p));
        assert!(r.reason.contains("/var/log (read-only)"), "{}", r.reason);
    }

    /// Upstream util.go `hasPathPrefix` never cleans paths: the row says what a target that
    /// does would change, with this PSP's own prefix.
    #[test]
    fn host_path_row_says_what_normalising_would_change() {
        let mut p = with(&["hostPath"]);
        p.spec.allowed_host_paths = vec![AllowedHostPath {
            path_prefix: "/var/log/".into(),
            read_only: false,
        }];
        let r = host_paths(&intent_of(&p));
        assert!(r.reason.contains("`/var//log`"), "{}", r.reason);
        assert!(r.reason.contains("`/var/log/../..`"), "{}", r.reason);
        assert_eq!(unnormalised("/data"), unnormalised("/data/"));
        assert!(unnormalised("/data").contains("`//data`"));
    }

    #[test]
    fn csi_driver_list_is_a_lost_restriction() {
        let mut p = with(&["csi"]);
        p.spec.allowed_csi_drivers = strings(&["secrets-store.csi.k8s.io"]);
        assert_eq!(csi_drivers(&intent_of(&p)).baseline, Verdict::PspStricter);
        p.spec.volumes.clear();
        assert_eq!(csi_drivers(&intent_of(&p)).baseline, Verdict::NoOpinion);
    }
}
