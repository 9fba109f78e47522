//! `hostPathVolumes` (baseline, since 1.0): a pod must not mount `hostPath` volumes.
//!
//! History: unchanged since 1.0. Under restricted it is replaced by `restrictedVolumes`, which
//! forbids hostPath along with every other non-allowlisted volume type.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{fail, plural, quoted};
use crate::pss::{Check, Level, Versioned};

/// The volume type this control rejects (in the API's spelling, as PSP `volumes` names it).
pub const REJECTED: &str = "hostPath";

pub(super) const CHECK: Check = Check {
    id: "hostPathVolumes",
    level: Level::Baseline,
    psp_fields: &["spec.volumes"],
    versions: &[Versioned {
        since: 0,
        eval: v1_0,
        overrides: &[],
    }],
};

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let bad: Vec<&str> = spec
        .volumes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|v| v.host_path.is_some())
        .map(|v| v.name.as_str())
        .collect();
    if bad.is_empty() {
        return None;
    }
    fail(
        "hostPath volumes",
        format_args!(
            "{} {}",
            plural(bad.len(), "volume", "volumes"),
            quoted(&bad)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn forbids_host_path_only() {
        let ok = pod(json!({"spec": {"volumes": [{"name": "e", "emptyDir": {}}]}}));
        assert!(passes(&CHECK, 0, &ok));
        let bad = pod(json!({"spec": {"volumes": [
            {"name": "h", "hostPath": {"path": "/"}}, {"name": "e", "emptyDir": {}}]}}));
        assert_eq!(
            run(&CHECK, 37, &bad).as_deref(),
            Some(r#"hostPath volumes (volume "h")"#)
        );
    }
}
