//! `windowsHostProcess` (baseline, since 1.0): Windows HostProcess containers (which run with
//! host access) are forbidden: `securityContext.windowsOptions.hostProcess` must be unset or
//! false on the pod and every container.
//!
//! History: unchanged since 1.0.

use k8s_openapi::api::core::v1::{PodSpec, WindowsSecurityContextOptions};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail};
use crate::pss::visit::{bad_containers, pod_sc};
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "windowsHostProcess",
    level: Level::Baseline,
    psp_fields: &[],
    versions: &[Versioned {
        since: 0,
        eval: v1_0,
        overrides: &[],
    }],
};

fn host_process(o: Option<&WindowsSecurityContextOptions>) -> bool {
    o.and_then(|o| o.host_process) == Some(true)
}

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let pod_bad = host_process(pod_sc(spec).and_then(|sc| sc.windows_options.as_ref()));
    let bad = bad_containers(spec, |c| {
        host_process(
            c.security_context()
                .and_then(|sc| sc.windows_options.as_ref()),
        )
    });
    let mut setters = Vec::new();
    if pod_bad {
        setters.push("pod".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers(&bad).to_string());
    }
    if setters.is_empty() {
        return None;
    }
    fail(
        "hostProcess",
        format_args!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    #[test]
    fn forbids_host_process_on_pod_and_containers() {
        let ok =
            pod(json!({"spec": {"securityContext": {"windowsOptions": {"hostProcess": false}}}}));
        assert!(passes(&CHECK, 0, &ok));
        let bad = pod(json!({"spec": {
            "securityContext": {"windowsOptions": {"hostProcess": true}},
            "containers": [{"name": "a", "securityContext": {"windowsOptions": {"hostProcess": true}}}]}}));
        assert_eq!(
            run(&CHECK, 37, &bad).as_deref(),
            Some(
                r#"hostProcess (pod and container "a" must not set securityContext.windowsOptions.hostProcess=true)"#
            )
        );
    }
}
