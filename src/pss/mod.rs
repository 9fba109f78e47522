//! Pod Security Standards: what each level admits at each Kubernetes version.
//!
//! Each control lives in its own file under [`checks`], knows from which minor version each of
//! its behaviours applies, and is assembled into per-(level, version) lists by [`registry`].
//! [`evaluate`] runs one such list against a pod.

mod check;
pub mod checks;
pub(crate) mod defaults;
mod level;
mod message;
pub mod registry;
#[cfg(test)]
mod testutil;
mod version;
mod visit;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub use check::{Check, CheckFn, Versioned};
pub use level::Level;
pub use version::{Version, NEWEST_MINOR};

/// One control a pod does not satisfy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The upstream check ID, e.g. `allowPrivilegeEscalation`.
    pub check: &'static str,
    /// The reason and detail, worded as the API server words them, e.g.
    /// `allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)`.
    pub message: String,
}

/// The outcome of judging one pod at one level and version.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    /// Every failed control, in registry order (baseline checks by ID, then restricted by ID).
    pub violations: Vec<Violation>,
}

impl Evaluation {
    /// True when the pod satisfies every control of the level.
    pub fn allowed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Judges a pod (as the API server would after its defaulting) against `level` at `version`.
///
/// `privileged` admits everything. Passing pods cost no allocation beyond the empty result.
pub fn evaluate(
    spec: &PodSpec,
    metadata: &ObjectMeta,
    level: Level,
    version: Version,
) -> Evaluation {
    let checks = registry::checks_for(level, version);
    if !checks.is_empty() {
        visit::warm(spec);
    }
    let violations = checks
        .iter()
        .filter_map(|entry| {
            (entry.eval)(spec, metadata).map(|message| Violation {
                check: entry.id,
                message,
            })
        })
        .collect();
    Evaluation { violations }
}

/// [`evaluate`] for the pod template of a workload (Deployment, PodTemplate, ...), as the API
/// server stored it. From 1.28 it no longer defaults `hostPort` from `containerPort` in pod
/// templates with `hostNetwork: true` (upstream pkg/apis/core/v1/defaults.go: in
/// `SetDefaults_PodSpec` only while the `DefaultHostNetworkHostPortsInPodTemplates` gate is on,
/// off from 1.28; `SetDefaults_Pod` still does it for pods), so the `hostPorts` control sees
/// only the ports the template spells out.
pub fn evaluate_template(
    spec: &PodSpec,
    metadata: &ObjectMeta,
    level: Level,
    version: Version,
) -> Evaluation {
    if !(version.at_least(28) && spec.host_network == Some(true)) {
        return evaluate(spec, metadata, level, version);
    }
    // The hostPorts control reads hostNetwork only to apply the default.
    let undefaulted = PodSpec {
        host_network: Some(false),
        ..spec.clone()
    };
    let violations = registry::checks_for(level, version)
        .iter()
        .filter_map(|entry| {
            let judged = if entry.id == "hostPorts" {
                &undefaulted
            } else {
                spec
            };
            (entry.eval)(judged, metadata).map(|message| Violation {
                check: entry.id,
                message,
            })
        })
        .collect();
    Evaluation { violations }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::pod;
    use serde_json::json;

    /// A pod that satisfies restricted at every version.
    fn hardened() -> serde_json::Value {
        json!({"spec": {
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app", "securityContext": {
                "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}],
            "volumes": [{"name": "scratch"}]}})
    }

    fn checks(e: &Evaluation) -> Vec<&'static str> {
        e.violations.iter().map(|v| v.check).collect()
    }

    #[test]
    fn hardened_pod_passes_restricted_everywhere() {
        let (spec, meta) = pod(hardened());
        for minor in 0..=NEWEST_MINOR + 2 {
            let e = evaluate(&spec, &meta, Level::Restricted, Version::Minor(minor));
            assert!(e.allowed(), "v1.{minor}: {:?}", e.violations);
        }
    }

    #[test]
    fn privileged_admits_anything() {
        let (spec, meta) = pod(json!({"spec": {"hostPID": true, "containers": [
            {"name": "a", "securityContext": {"privileged": true}}]}}));
        assert!(evaluate(&spec, &meta, Level::Privileged, Version::Latest).allowed());
        let e = evaluate(&spec, &meta, Level::Baseline, Version::Latest);
        assert_eq!(checks(&e), ["hostNamespaces", "privileged"]);
    }

    #[test]
    fn violations_carry_check_id_and_api_server_message() {
        let mut p = hardened();
        p["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true);
        let (spec, meta) = pod(p);
        let e = evaluate(&spec, &meta, Level::Restricted, Version::Latest);
        assert_eq!(
            e.violations,
            [Violation {
                check: "allowPrivilegeEscalation",
                message: r#"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)"#.into(),
            }]
        );
        assert!(evaluate(&spec, &meta, Level::Restricted, Version::Minor(7)).allowed());
    }

    #[test]
    fn windows_pods_skip_linux_only_restricted_checks_from_1_25() {
        let (spec, meta) = pod(json!({"spec": {"os": {"name": "windows"},
            "securityContext": {"runAsNonRoot": true},
            "containers": [{"name": "app"}]}}));
        let old = evaluate(&spec, &meta, Level::Restricted, Version::Minor(24));
        assert_eq!(
            checks(&old),
            [
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "seccompProfile_restricted"
            ]
        );
        assert!(evaluate(&spec, &meta, Level::Restricted, Version::Minor(25)).allowed());
    }

    /// Upstream pkg/apis/core/v1/defaults.go: from 1.28 (`DefaultHostNetworkHostPortsInPodTemplates`
    /// off) `SetDefaults_PodSpec` no longer sets hostPort in templates; pods still get it.
    #[test]
    fn workload_templates_get_no_host_port_default_from_1_28_as_upstream_defaults() {
        let (spec, meta) = pod(json!({"spec": {"hostNetwork": true, "containers": [
            {"name": "app", "ports": [{"containerPort": 8080}]}]}}));
        let at = |v| checks(&evaluate_template(&spec, &meta, Level::Baseline, v)).join(",");
        assert_eq!(at(Version::Minor(27)), "hostNamespaces,hostPorts");
        assert_eq!(at(Version::Minor(28)), "hostNamespaces");
        assert_eq!(at(Version::Latest), "hostNamespaces");
        let e = evaluate(&spec, &meta, Level::Baseline, Version::Latest);
        assert_eq!(checks(&e), ["hostNamespaces", "hostPorts"]);
        // A port the template spells out still counts.
        let (spec, meta) = pod(json!({"spec": {"hostNetwork": true, "containers": [
            {"name": "app", "ports": [{"containerPort": 8080, "hostPort": 8080}]}]}}));
        let e = evaluate_template(&spec, &meta, Level::Baseline, Version::Latest);
        assert_eq!(checks(&e), ["hostNamespaces", "hostPorts"]);
    }

    #[test]
    fn host_network_ports_are_judged_as_host_ports() {
        let (spec, meta) = pod(json!({"spec": {"hostNetwork": true, "containers": [
            {"name": "app", "ports": [{"containerPort": 8080}]}]}}));
        let e = evaluate(&spec, &meta, Level::Baseline, Version::Latest);
        assert_eq!(checks(&e), ["hostNamespaces", "hostPorts"]);
        assert!(e.violations[1].message.contains("hostPort 8080"));
    }
}
