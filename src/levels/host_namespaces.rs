//! `hostNetwork`, `hostPID`, `hostIPC` and `hostPorts`: both levels deny host namespaces and
//! host ports (PSS "Host Namespaces" and "Host Ports", 1.0+).

use super::{Cause, Row, Verdict};
use crate::intent::{Control, HostNamespace, Intent};
use crate::psp::PortRange;
use crate::pss::Version;

/// One row per host namespace, then `hostPorts`.
pub fn rows(intent: &Intent, _version: Version) -> Vec<Row> {
    let shared = |n: HostNamespace| {
        intent.value(|c| match c {
            Control::HostNamespace { namespace, allowed } if *namespace == n => Some(*allowed),
            _ => None,
        })
    };
    let ports = intent.value(|c| match c {
        Control::HostPorts(r) => Some(r.as_slice()),
        _ => None,
    });
    vec![
        namespace("hostNetwork", shared(HostNamespace::Network), "the node's network namespace (and, through API defaulting, every container port as a host port)"),
        namespace("hostPID", shared(HostNamespace::Pid), "the node's process namespace"),
        namespace("hostIPC", shared(HostNamespace::Ipc), "the node's IPC namespace"),
        host_ports(ports),
    ]
}

fn namespace(field: &'static str, allowed: bool, what: &str) -> Row {
    if allowed {
        Row::both(
            field,
            Verdict::PspLooser,
            format!("{field}: true admits pods sharing {what}, which both levels reject"),
        )
        .by(Cause::Grant)
    } else {
        Row::both(
            field,
            Verdict::Same,
            format!("{field} is denied, as both levels require"),
        )
    }
}

/// Host port 0 means "no host port", so only ranges reaching port 1 or above grant anything.
fn host_ports(ranges: &[PortRange]) -> Row {
    let granted: Vec<String> = ranges
        .iter()
        .filter(|r| r.max >= 1 && r.max >= r.min)
        .map(|r| format!("{}-{}", r.min.max(1), r.max))
        .collect();
    if granted.is_empty() {
        return Row::both(
            "hostPorts",
            Verdict::Same,
            "no host ports are allowed, as both levels require".into(),
        );
    }
    Row::both(
        "hostPorts",
        Verdict::PspLooser,
        format!(
            "allows host ports {}, while both levels allow none",
            granted.join(", ")
        ),
    )
    .by(Cause::Grant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;

    #[test]
    fn host_namespaces_are_grants() {
        let mut p = psp();
        p.spec.host_pid = true;
        let r = rows(&intent_of(&p), Version::Latest);
        assert_eq!(r[0].baseline, Verdict::Same);
        assert_eq!(r[1].field, "hostPID");
        assert_eq!(r[1].restricted, Verdict::PspLooser);
        assert_eq!(r[1].cause, Some(Cause::Grant));
    }

    #[test]
    fn only_ranges_above_port_zero_grant_host_ports() {
        assert_eq!(
            host_ports(&[PortRange { min: 0, max: 0 }]).baseline,
            Verdict::Same
        );
        let r = host_ports(&[PortRange { min: 0, max: 65535 }]);
        assert_eq!(r.baseline, Verdict::PspLooser);
        assert!(r.reason.contains("1-65535"), "{}", r.reason);
    }
}
