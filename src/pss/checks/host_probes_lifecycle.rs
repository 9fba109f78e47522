//! `hostProbesAndHostLifecycle` (baseline, since 1.34): probes and lifecycle hooks may not
//! target another host: the `host` of every `httpGet` and `tcpSocket` in `livenessProbe`,
//! `readinessProbe`, `startupProbe`, `lifecycle.postStart` and `lifecycle.preStop` must be
//! unset or empty.
//!
//! History: added in 1.34; earlier versions do not judge these fields.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{HTTPGetAction, PodSpec, TCPSocketAction};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail, plural, quoted};
use crate::pss::visit::containers as visit;
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "hostProbesAndHostLifecycle",
    level: Level::Baseline,
    psp_fields: &[],
    versions: &[Versioned {
        since: 34,
        eval: v1_34,
        overrides: &[],
    }],
};

/// The non-empty hosts among one handler's `httpGet` and `tcpSocket`.
fn hosts<'a>(
    http: Option<&'a HTTPGetAction>,
    tcp: Option<&'a TCPSocketAction>,
) -> impl Iterator<Item = &'a str> {
    let h = http.and_then(|h| h.host.as_deref());
    let t = tcp.and_then(|t| t.host.as_deref());
    h.into_iter().chain(t).filter(|s| !s.is_empty())
}

fn v1_34(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    let mut bad = Vec::new();
    let mut found = BTreeSet::new();
    for c in visit(spec) {
        let mut any = false;
        for p in c.probes().iter().flatten() {
            for h in hosts(p.http_get.as_ref(), p.tcp_socket.as_ref()) {
                found.insert(h);
                any = true;
            }
        }
        let handlers = c
            .lifecycle()
            .into_iter()
            .flat_map(|l| [l.post_start.as_ref(), l.pre_stop.as_ref()])
            .flatten();
        for l in handlers {
            for h in hosts(l.http_get.as_ref(), l.tcp_socket.as_ref()) {
                found.insert(h);
                any = true;
            }
        }
        if any {
            bad.push(c.name());
        }
    }
    if bad.is_empty() {
        return None;
    }
    fail(
        "probe or lifecycle host",
        format_args!(
            "{} {} {} {}",
            containers(&bad),
            plural(bad.len(), "uses", "use"),
            plural(
                found.len(),
                "probe or lifecycle host",
                "probe or lifecycle hosts"
            ),
            quoted(&found)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    fn probing(host: &str) -> (PodSpec, ObjectMeta) {
        pod(json!({"spec": {"containers": [{"name": "a",
            "livenessProbe": {"httpGet": {"port": 80, "host": host}},
            "lifecycle": {"preStop": {"tcpSocket": {"port": 80, "host": host}}}}]}}))
    }

    #[test]
    fn judged_from_1_34_only() {
        assert!(CHECK.at_minor(33).is_none());
        assert_eq!(
            run(&CHECK, 34, &probing("10.0.0.1")).as_deref(),
            Some(
                r#"probe or lifecycle host (container "a" uses probe or lifecycle host "10.0.0.1")"#
            )
        );
    }

    #[test]
    fn empty_host_is_allowed() {
        assert!(passes(&CHECK, 37, &probing("")));
    }
}
