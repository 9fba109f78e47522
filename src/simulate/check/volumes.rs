//! Volumes: the type must be allowed (a `projected` volume holding only the injected
//! service-account token counts as `secret`, from 1.20); host paths must sit under an allowed
//! prefix (on path segments), and under a read-only prefix every mount of the volume must be
//! read-only; flex and inline CSI drivers must be listed when a list is given.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{PodSpec, ProjectedVolumeSource, Volume};

use super::Failures;
use crate::psp::AllowedHostPath;
use crate::simulate::pod::{containers, volume_type};
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, spec: &PodSpec, out: &mut Failures) {
    for v in spec.volumes.iter().flatten() {
        let path = format!("spec.volumes[name={}]", v.name);
        let Some(kind) = volume_type(v) else {
            out.fail(
                path,
                "spec.volumes",
                "volume type unknown to PodSecurityPolicy",
            );
            continue;
        };
        if !r.volumes.any && !allows_volume_type(&r.volumes.types, kind, v) {
            out.fail(
                path,
                "spec.volumes",
                format!("{kind} volumes are not allowed"),
            );
            continue;
        }
        match kind {
            "hostPath" => host_path(r, spec, v, &path, out),
            "flexVolume" => {
                let driver = &v.flex_volume.as_ref().expect("flexVolume").driver;
                driver_listed(
                    &r.flex_drivers,
                    driver,
                    format!("{path}.flexVolume.driver"),
                    "spec.allowedFlexVolumes",
                    out,
                )
            }
            "csi" => {
                let driver = &v.csi.as_ref().expect("csi").driver;
                driver_listed(
                    &r.csi_drivers,
                    driver,
                    format!("{path}.csi.driver"),
                    "spec.allowedCSIDrivers",
                    out,
                )
            }
            _ => {}
        }
    }
}

/// Upstream `allowsVolumeType` (pkg/security/podsecuritypolicy/provider.go, 1.20-1.24): the type
/// is listed, or it is a `projected` volume, `secret` is listed and the volume holds only what
/// the ServiceAccount admission plugin injects ([`is_only_service_account_token_sources`]).
fn allows_volume_type(types: &BTreeSet<String>, kind: &str, v: &Volume) -> bool {
    types.contains(kind)
        || (kind == "projected"
            && types.contains("secret")
            && v.projected
                .as_ref()
                .is_some_and(is_only_service_account_token_sources))
}

/// Upstream `IsOnlyServiceAccountTokenSources` (pkg/security/podsecuritypolicy/util/util.go,
/// 1.20-1.24): every source is a serviceAccountToken at path `token` with no audience, the
/// ConfigMap `kube-root-ca.crt`, or a downwardAPI whose items are all `metadata.namespace`
/// (field API version `v1`) at path `namespace`. A source of none of these kinds fails; no
/// sources at all passes. The API server defaults an unset field API version to `v1`
/// (`SetDefaults_ObjectFieldSelector`, pkg/apis/core/v1/defaults.go) before admission.
pub fn is_only_service_account_token_sources(p: &ProjectedVolumeSource) -> bool {
    p.sources.iter().flatten().all(|s| {
        if s.service_account_token.is_none() && s.config_map.is_none() && s.downward_api.is_none() {
            return false;
        }
        let token_ok = s.service_account_token.as_ref().is_none_or(|t| {
            t.path == "token" && t.audience.as_deref().unwrap_or_default().is_empty()
        });
        let ca_ok = s
            .config_map
            .as_ref()
            .is_none_or(|c| c.name == "kube-root-ca.crt");
        let ns_ok = s.downward_api.as_ref().is_none_or(|d| {
            d.items.iter().flatten().all(|item| {
                item.path == "namespace"
                    && item.field_ref.as_ref().is_some_and(|f| {
                        matches!(f.api_version.as_deref(), None | Some("") | Some("v1"))
                            && f.field_path == "metadata.namespace"
                    })
            })
        });
        token_ok && ca_ok && ns_ok
    })
}

fn driver_listed(list: &[String], driver: &str, path: String, psp_field: &str, out: &mut Failures) {
    if !list.is_empty() && !list.iter().any(|d| d == driver) {
        out.fail(path, psp_field, format!("driver {driver} is not allowed"));
    }
}

fn host_path(r: &Rules, spec: &PodSpec, v: &Volume, path: &str, out: &mut Failures) {
    const F: &str = "spec.allowedHostPaths";
    let host = &v.host_path.as_ref().expect("hostPath").path;
    match allows_host_path(&r.host_paths, host) {
        None => out.fail(
            format!("{path}.hostPath.path"),
            F,
            format!("host path {host} is not allowed"),
        ),
        Some(true) => {
            for c in containers(spec) {
                for m in c
                    .mounts
                    .iter()
                    .filter(|m| m.name == v.name && m.read_only != Some(true))
                {
                    out.fail(
                        format!(
                            "{}.volumeMounts[mountPath={}].readOnly",
                            c.path, m.mount_path
                        ),
                        F,
                        format!("host path {host} must be mounted read-only"),
                    );
                }
            }
        }
        Some(false) => {}
    }
}

/// `None` when no prefix allows `host`; `Some(read_only)` otherwise, read-only only when every
/// matching prefix is read-only. An empty list allows any path.
pub fn allows_host_path(allowed: &[AllowedHostPath], host: &str) -> Option<bool> {
    if allowed.is_empty() {
        return Some(false);
    }
    let matching: Vec<&AllowedHostPath> = allowed
        .iter()
        .filter(|a| has_path_prefix(host, &a.path_prefix))
        .collect();
    if matching.is_empty() {
        None
    } else {
        Some(matching.iter().all(|a| a.read_only))
    }
}

/// Upstream `hasPathPrefix` (pkg/security/podsecuritypolicy/util/util.go, 1.10-1.24): one
/// trailing `/` is trimmed from each, then `s` must equal `prefix` or continue it with a `/`.
/// Nothing is normalised: with prefix `/var/log`, `/var//log`, `/var/./log` and `//var/log`
/// are denied, and `/var/log/../../etc` passes (the API server's own validation,
/// `validatePathNoBacksteps`, refuses `..` in a hostPath path afterwards).
pub fn has_path_prefix(s: &str, prefix: &str) -> bool {
    let s = s.strip_suffix('/').unwrap_or(s);
    let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
    match s.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    /// Upstream util.go `hasPathPrefix`: `strings.TrimSuffix(s, "/")` on both, `HasPrefix`, then
    /// an exact match or a `/` right after the prefix; no `path.Clean`.
    #[test]
    fn paths_match_as_upstream_has_path_prefix_without_normalising() {
        assert!(has_path_prefix("/var/log", "/var/log"));
        assert!(has_path_prefix("/var/log/", "/var/log"));
        assert!(has_path_prefix("/var/log", "/var/log/"));
        assert!(has_path_prefix("/var/log/pods", "/var/log"));
        assert!(!has_path_prefix("/var/logs", "/var/log"));
        assert!(has_path_prefix("/anything", "/"));
        assert!(has_path_prefix("/", "/"));
        // Not cleaned: these were denied by the plugin...
        assert!(!has_path_prefix("/var//log", "/var/log"));
        assert!(!has_path_prefix("/var/./log", "/var/log"));
        assert!(!has_path_prefix("//var/log", "/var/log"));
        assert!(!has_path_prefix("/var/log", "/var//log"));
        // ...and this one admitted.
        assert!(has_path_prefix("/var/log/../../etc", "/var/log"));
        assert!(has_path_prefix("/var/log/./pods", "/var/log"));
        // Only one trailing slash goes.
        assert!(has_path_prefix("/var/log//", "/var/log"));
        assert!(!has_path_prefix("/var/log", "/var/log//"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::testing::*;
    use serde_json::json;

    /// The volume the ServiceAccount admission plugin adds to every pod of a 1.21+ cluster.
    fn kube_api_access() -> serde_json::Value {
        json!({"name": "kube-api-access-5x7kq", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace",
                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
        ]}})
    }

    fn volume(v: serde_json::Value) -> Volume {
        serde_json::from_value(v).unwrap()
    }

    fn types(t: &[&str]) -> BTreeSet<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    /// Upstream provider.go `allowsVolumeType` (1.20+): "if secret volume is allowed, projected
    /// volume with only service account token, ConfigMap and DownwardAPI sources is allowed".
    #[test]
    fn injected_token_volume_passes_where_secret_is_allowed_as_upstream_allows_volume_type() {
        let v = volume(kube_api_access());
        assert!(allows_volume_type(&types(&["secret"]), "projected", &v));
        assert!(!allows_volume_type(&types(&["configMap"]), "projected", &v));
        let empty = volume(json!({"name": "t", "projected": {}}));
        assert!(allows_volume_type(&types(&["secret"]), "projected", &empty));
    }

    /// Upstream util.go `IsOnlyServiceAccountTokenSources`: path `token` and no audience; only
    /// the ConfigMap `kube-root-ca.crt`; downwardAPI items only `metadata.namespace` (apiVersion
    /// `v1`) at `namespace`; any other source kind fails.
    #[test]
    fn other_projections_are_not_token_sources_as_upstream_is_only_service_account_token_sources() {
        let only = |source: serde_json::Value| {
            let v = volume(json!({"name": "t", "projected": {"sources": [source]}}));
            is_only_service_account_token_sources(v.projected.as_ref().unwrap())
        };
        assert!(only(json!({"serviceAccountToken": {"path": "token"}})));
        assert!(only(
            json!({"serviceAccountToken": {"path": "token", "audience": ""}})
        ));
        assert!(!only(
            json!({"serviceAccountToken": {"path": "token", "audience": "vault"}})
        ));
        assert!(!only(json!({"serviceAccountToken": {"path": "other"}})));
        assert!(!only(json!({"configMap": {"name": "app-config"}})));
        assert!(!only(json!({"secret": {"name": "s"}})));
        let ns = |path: &str, field: &str, api: Option<&str>| {
            let mut fr = json!({"fieldPath": field});
            if let Some(a) = api {
                fr["apiVersion"] = json!(a);
            }
            json!({"downwardAPI": {"items": [{"path": path, "fieldRef": fr}]}})
        };
        assert!(only(ns("namespace", "metadata.namespace", Some("v1"))));
        // The API server defaults an unset field API version to v1 before admission.
        assert!(only(ns("namespace", "metadata.namespace", None)));
        assert!(!only(ns("namespace", "metadata.namespace", Some("v2"))));
        assert!(!only(ns("labels", "metadata.labels", Some("v1"))));
        assert!(!only(ns("ns", "metadata.namespace", Some("v1"))));
        let resource = json!({"downwardAPI": {"items": [{"path": "namespace",
            "resourceFieldRef": {"resource": "limits.cpu"}}]}});
        assert!(!only(resource));
        assert!(!only(json!({})));
    }

    /// A live-cluster pod (its kube-api-access volume) under a PSP that lists `secret` but not
    /// `projected`: admitted, as the 1.20-1.24 plugin did; a projected secret is still denied.
    #[test]
    fn live_cluster_pod_passes_check_under_secret_only_psp() {
        // The rules of a PSP that sets no field.
        let mut r = Rules::of(&crate::intent::intent_of(&crate::psp::testing::psp()));
        r.volumes.types = types(&["secret", "configMap"]);
        let spec: PodSpec = serde_json::from_value(json!({
            "containers": [{"name": "app"}], "volumes": [kube_api_access()]}))
        .unwrap();
        let mut out = Failures(Vec::new());
        check(&r, &spec, &mut out);
        assert!(out.0.is_empty(), "{:?}", out.0);
        let spec: PodSpec = serde_json::from_value(json!({
            "containers": [{"name": "app"}], "volumes": [{"name": "p", "projected": {"sources": [
                {"secret": {"name": "db"}}]}}]}))
        .unwrap();
        check(&r, &spec, &mut out);
        assert_eq!(out.0.len(), 1);
        assert_eq!(out.0[0].message, "projected volumes are not allowed");
    }

    fn host_path_pod(path: &str, read_only: bool) -> Pod {
        pod(&format!(
            "  volumes: [{{name: h, hostPath: {{path: '{path}'}}}}]\n  initContainers: [{{name: i, image: x, volumeMounts: [{{name: h, mountPath: /i, readOnly: true}}]}}]\n  containers: [{{name: app, image: x, volumeMounts: [{{name: h, mountPath: /m, readOnly: {read_only}}}]}}]\n"
        ))
    }

    #[test]
    fn host_path_prefix_matches_whole_segments() {
        let p = psp("  allowedHostPaths: [{pathPrefix: /foo}, {pathPrefix: /var/log/}]\n");
        for ok in ["/foo", "/foo/", "/foo/bar", "/var/log", "/var/log/pods"] {
            assert!(admitted(&p, &host_path_pod(ok, false)), "{ok}");
        }
        for bad in ["/foobar", "/fo", "/var/logs", "/"] {
            assert_eq!(
                failed(&p, &host_path_pod(bad, false)),
                ["spec.volumes[name=h].hostPath.path"],
                "{bad}"
            );
        }
        assert!(
            admitted(&psp(""), &host_path_pod("/anything", false)),
            "empty list allows any path"
        );
    }

    #[test]
    fn read_only_host_path_needs_every_mount_read_only() {
        let p = psp("  allowedHostPaths: [{pathPrefix: /foo, readOnly: true}]\n");
        assert!(admitted(&p, &host_path_pod("/foo/bar", true)));
        assert_eq!(
            failed(&p, &host_path_pod("/foo/bar", false)),
            ["spec.containers[name=app].volumeMounts[mountPath=/m].readOnly"]
        );
        // A writable prefix that also matches lifts the requirement.
        let both = psp(
            "  allowedHostPaths: [{pathPrefix: /foo, readOnly: true}, {pathPrefix: /foo/bar}]\n",
        );
        assert!(admitted(&both, &host_path_pod("/foo/bar/baz", false)));
        assert!(!admitted(&both, &host_path_pod("/foo/other", false)));
    }

    #[test]
    fn volume_types_and_sourceless_volume_is_empty_dir() {
        let sourceless = pod(&format!("  volumes: [{{name: v}}]\n{APP}"));
        assert!(admitted(
            &psp("  volumes: [emptyDir, secret]\n"),
            &sourceless
        ));
        assert_eq!(
            failed(&psp("  volumes: [configMap, secret]\n"), &sourceless),
            ["spec.volumes[name=v]"]
        );
        let two = pod(&format!("  volumes: [{{name: s, secret: {{secretName: s}}}}, {{name: c, configMap: {{name: c}}}}]\n{APP}"));
        assert!(admitted(&psp("  volumes: [secret, configMap]\n"), &two));
        assert_eq!(
            failed(&psp("  volumes: [secret]\n"), &two),
            ["spec.volumes[name=c]"]
        );
        assert_eq!(failed(&psp("  volumes: []\n"), &two).len(), 2);
    }

    #[test]
    fn flex_and_csi_drivers_must_be_listed_when_listed() {
        let p = psp("  allowedFlexVolumes: [{driver: a/one}, {driver: b/two}]\n  allowedCSIDrivers: [{name: c1}, {name: c2}]\n");
        let vol = |v: &str| pod(&format!("  volumes: [{{name: v, {v}}}]\n{APP}"));
        assert!(admitted(&p, &vol("flexVolume: {driver: b/two}")));
        assert_eq!(
            failed(&p, &vol("flexVolume: {driver: c/three}")),
            ["spec.volumes[name=v].flexVolume.driver"]
        );
        assert!(admitted(&p, &vol("csi: {driver: c2}")));
        assert_eq!(
            failed(&p, &vol("csi: {driver: c3}")),
            ["spec.volumes[name=v].csi.driver"]
        );
        assert!(
            admitted(&psp(""), &vol("csi: {driver: anything}")),
            "empty list allows any driver"
        );
    }
}
