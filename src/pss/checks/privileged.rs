//! `privileged` (baseline, since 1.0): no container may run privileged, i.e.
//! `securityContext.privileged` must be unset or false on every container.
//!
//! History: unchanged since 1.0.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail};
use crate::pss::visit::bad_containers;
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "privileged",
    level: Level::Baseline,
    psp_fields: &["spec.privileged"],
    versions: &[Versioned {
        since: 0,
        eval: v1_0,
        overrides: &[],
    }],
};

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let bad = bad_containers(spec, |c| {
        c.security_context().and_then(|sc| sc.privileged) == Some(true)
    });
    if bad.is_empty() {
        return None;
    }
    fail(
        "privileged",
        format_args!(
            "{} must not set securityContext.privileged=true",
            containers(&bad)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn forbids_privileged_in_every_container_kind() {
        let ok = pod(json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"privileged": false}}]}}));
        assert!(passes(&CHECK, 0, &ok));
        let bad = pod(json!({"spec": {
            "containers": [{"name": "a", "securityContext": {"privileged": true}}],
            "initContainers": [{"name": "i", "securityContext": {"privileged": true}}],
            "ephemeralContainers": [{"name": "e", "securityContext": {"privileged": true}}]}}));
        assert_eq!(
            run(&CHECK, 37, &bad).as_deref(),
            Some(
                r#"privileged (containers "i", "a", "e" must not set securityContext.privileged=true)"#
            )
        );
    }
}
