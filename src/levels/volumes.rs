//! `volumes`, `allowedHostPaths`, `allowedFlexVolumes` and `allowedCSIDrivers`.
//!
//! Baseline (1.0+) rejects `hostPath` volumes and nothing else; restricted (1.0+) allows only
//! [`RESTRICTED_VOLUMES`] (`image` too from 1.33, a type PSP never had).

use super::{list, Cause, Row, Verdict};
use crate::psp::{Psp, VOLUME_TYPES};
use crate::pss::Version;

/// Volume types restricted allows (PSP spelling).
pub const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// PSP volume type names that are real volume sources (not `*`, not `none`).
fn sources() -> impl Iterator<Item = &'static str> {
    VOLUME_TYPES
        .iter()
        .copied()
        .filter(|t| *t != "*" && *t != "none")
}

/// True when the PSP allows volume type `t` (directly or through `*`).
fn allows(psp: &Psp, t: &str) -> bool {
    psp.spec.volumes.iter().any(|v| v == t || v == "*")
}

/// The four volume rows.
pub fn rows(psp: &Psp, _version: Version) -> Vec<Row> {
    vec![
        volumes(psp),
        host_paths(psp),
        flex_volumes(psp),
        csi_drivers(psp),
    ]
}

/// `volumes`.
fn volumes(psp: &Psp) -> Row {
    const F: &str = "volumes";
    let v = &psp.spec.volumes;
    if v.iter().any(|t| t == "*") {
        return Row::both(
            F,
            Verdict::PspLooser,
            "`*` allows every volume type, hostPath included, which both levels reject".into(),
        )
        .by(Cause::Grant);
    }
    if v.iter().any(|t| t == "hostPath") {
        return Row::both(
            F,
            Verdict::PspLooser,
            "allows hostPath volumes, which both levels reject".into(),
        )
        .by(Cause::Grant);
    }
    let baseline = if sources()
        .filter(|t| *t != "hostPath")
        .all(|t| allows(psp, t))
    {
        Verdict::Same
    } else {
        Verdict::PspStricter
    };
    let outside: Vec<&str> = sources()
        .filter(|t| allows(psp, t) && !RESTRICTED_VOLUMES.contains(t))
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
    let restricted = if RESTRICTED_VOLUMES.iter().all(|t| allows(psp, t)) {
        Verdict::Same
    } else {
        Verdict::PspStricter
    };
    let allowed: Vec<&str> = sources().filter(|t| allows(psp, t)).collect();
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
            token_note(psp)
        ),
    )
}

/// When `secret` is allowed and `projected` is not, the plugin (1.20+, `allowsVolumeType`)
/// still admitted a projected volume holding only the injected service-account token, which
/// every pod of a 1.21+ cluster carries.
fn token_note(psp: &Psp) -> &'static str {
    if allows(psp, "secret") && !allows(psp, "projected") {
        "; a projected volume holding only the injected service-account token passes as secret"
    } else {
        ""
    }
}

/// `allowedHostPaths`: narrows a hostPath grant that both levels refuse outright.
fn host_paths(psp: &Psp) -> Row {
    const F: &str = "allowedHostPaths";
    let paths = &psp.spec.allowed_host_paths;
    let reason = match (allows(psp, "hostPath"), paths.is_empty()) {
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
fn flex_volumes(psp: &Psp) -> Row {
    const F: &str = "allowedFlexVolumes";
    let drivers = &psp.spec.allowed_flex_volumes;
    if !allows(psp, "flexVolume") || drivers.is_empty() {
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
fn csi_drivers(psp: &Psp) -> Row {
    const F: &str = "allowedCSIDrivers";
    let drivers = &psp.spec.allowed_csi_drivers;
    if !allows(psp, "csi") || drivers.is_empty() {
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
    use crate::levels::testing::{psp, strings};
    use crate::psp::AllowedHostPath;

    fn with(volumes: &[&str]) -> Psp {
        let mut p = psp();
        p.spec.volumes = strings(volumes);
        p
    }

    #[test]
    fn host_path_and_wildcard_are_beyond_both() {
        for v in [&["*"][..], &["hostPath", "secret"][..]] {
            let r = volumes(&with(v));
            assert_eq!(
                (r.baseline, r.restricted),
                (Verdict::PspLooser, Verdict::PspLooser)
            );
            assert_eq!(r.cause, Some(Cause::Grant));
        }
    }

    #[test]
    fn nfs_is_baseline_but_not_restricted() {
        let r = volumes(&with(&["nfs", "secret"]));
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::PspStricter, Verdict::PspLooser)
        );
        assert!(r.reason.contains("nfs"));
    }

    #[test]
    fn restricted_list_is_same_as_restricted() {
        let r = volumes(&with(RESTRICTED_VOLUMES));
        assert_eq!(r.restricted, Verdict::Same);
        let r = volumes(&with(&["secret"]));
        assert_eq!(r.restricted, Verdict::PspStricter);
    }

    /// Upstream provider.go `allowsVolumeType` (1.20+) admits the injected token volume where
    /// `secret` is allowed; the row says so, and the verdicts stay those of the list.
    #[test]
    fn secret_without_projected_mentions_the_token_volume() {
        let r = volumes(&with(&["secret", "configMap"]));
        assert!(r.reason.contains("service-account token"), "{}", r.reason);
        assert_eq!(r.restricted, Verdict::PspStricter);
        let r = volumes(&with(&["secret", "projected"]));
        assert!(!r.reason.contains("service-account token"), "{}", r.reason);
    }

    #[test]
    fn host_path_prefixes_are_reported() {
        let mut p = with(&["hostPath"]);
        p.spec.allowed_host_paths = vec![AllowedHostPath {
            path_prefix: "/var/log".into(),
            read_only: true,
        }];
        let r = host_paths(&p);
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
        let r = host_paths(&p);
        assert!(r.reason.contains("`/var//log`"), "{}", r.reason);
        assert!(r.reason.contains("`/var/log/../..`"), "{}", r.reason);
        assert_eq!(unnormalised("/data"), unnormalised("/data/"));
        assert!(unnormalised("/data").contains("`//data`"));
    }

    #[test]
    fn csi_driver_list_is_a_lost_restriction() {
        let mut p = with(&["csi"]);
        p.spec.allowed_csi_drivers = strings(&["secrets-store.csi.k8s.io"]);
        assert_eq!(csi_drivers(&p).baseline, Verdict::PspStricter);
        p.spec.volumes.clear();
        assert_eq!(csi_drivers(&p).baseline, Verdict::NoOpinion);
    }
}
