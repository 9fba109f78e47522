//! The CEL code block of the ConstraintTemplate (Gatekeeper's `K8sNativeValidation` engine),
//! written for podsec-migrate and, like the Rego beside it, the same for every cluster: it reads
//! the PSPs and their grants from the Constraint's parameters (`variables.params`). Releases
//! that run CEL prefer it to the Rego (Gatekeeper picks one engine per template by priority:
//! CEL by default from 3.17, behind a flag in 3.16); older ones run the Rego. Both decide alike: the
//! differential tests run each on every generated pod.
//!
//! The CEL is in `templates/gatekeeper/cel/`: `variables.cel` holds the pod-level variables,
//! and one file per check family holds an expression over one policy `p` and `after` (whether
//! unset fields read as `p`'s defaults would fill them), mirroring the Rego libraries. A pod is
//! admitted when some usable policy admits it both as submitted and after its defaults.

use crate::cel::eval::Validation;
use crate::cel::Variable;

/// The engine name Gatekeeper gives its CEL driver.
pub const ENGINE: &str = "K8sNativeValidation";

const VARIABLES: &str = include_str!("../../../templates/gatekeeper/cel/variables.cel");
const ACCESS: &str = include_str!("../../../templates/gatekeeper/cel/access.cel");

/// The check families, in the Rego's order: (file name, expression over `p` and `after`).
pub const CHECKS: &[(&str, &str)] = &[
    (
        "users_groups.cel",
        include_str!("../../../templates/gatekeeper/cel/users_groups.cel"),
    ),
    (
        "seccomp.cel",
        include_str!("../../../templates/gatekeeper/cel/seccomp.cel"),
    ),
    (
        "host_namespaces.cel",
        include_str!("../../../templates/gatekeeper/cel/host_namespaces.cel"),
    ),
    (
        "sysctls.cel",
        include_str!("../../../templates/gatekeeper/cel/sysctls.cel"),
    ),
    (
        "volumes.cel",
        include_str!("../../../templates/gatekeeper/cel/volumes.cel"),
    ),
    (
        "runtime_class.cel",
        include_str!("../../../templates/gatekeeper/cel/runtime_class.cel"),
    ),
    (
        "selinux.cel",
        include_str!("../../../templates/gatekeeper/cel/selinux.cel"),
    ),
    (
        "apparmor.cel",
        include_str!("../../../templates/gatekeeper/cel/apparmor.cel"),
    ),
    (
        "privileged.cel",
        include_str!("../../../templates/gatekeeper/cel/privileged.cel"),
    ),
    (
        "proc_mount.cel",
        include_str!("../../../templates/gatekeeper/cel/proc_mount.cel"),
    ),
    (
        "capabilities.cel",
        include_str!("../../../templates/gatekeeper/cel/capabilities.cel"),
    ),
    (
        "read_only_root_filesystem.cel",
        include_str!("../../../templates/gatekeeper/cel/read_only_root_filesystem.cel"),
    ),
    (
        "privilege_escalation.cel",
        include_str!("../../../templates/gatekeeper/cel/privilege_escalation.cel"),
    ),
];

/// `src` without its comment lines and blank lines, and without trailing blanks.
fn strip(src: &str) -> String {
    src.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` with every line but the first indented by `n` spaces.
fn nest(text: &str, n: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(n)))
}

/// The variables: the pod-level ones of `variables.cel` (a line `name = expression` starts one,
/// indented lines continue it), then the policies the pod may use.
pub fn variables() -> Vec<Variable> {
    let mut out: Vec<Variable> = Vec::new();
    for line in strip(VARIABLES).lines() {
        let starts = !line.starts_with(' ');
        match (starts, line.split_once(" = ")) {
            (true, Some((name, expression))) => out.push(Variable {
                name: name.to_string(),
                expression: expression.to_string(),
            }),
            _ => {
                let last = out.last_mut().unwrap_or_else(|| {
                    panic!("variables.cel: a continuation before any variable: {line}")
                });
                last.expression.push('\n');
                last.expression.push_str(line);
            }
        }
    }
    out.push(Variable {
        name: "usablePsps".into(),
        expression: format!("variables.psps.filter(p,\n  {})", nest(&strip(ACCESS), 2)),
    });
    out
}

/// The one validation: the request is not judged, or some usable policy that can be used at all
/// admits the pod both as submitted and after its defaults. The message names the policies the
/// pod may use (the Rego's message says what each refused).
pub fn validation() -> Validation {
    let checks: Vec<String> = CHECKS
        .iter()
        .map(|(_, src)| format!("({})", nest(&strip(src), 1)))
        .collect();
    let expression = format!(
        "!variables.judged || variables.usablePsps.exists(p, size(p.unusable) == 0\n  && [false, true].all(after,\n    {}))",
        nest(&checks.join("\n&& "), 4)
    );
    let message_expression = "size(variables.usablePsps) > 0\n  ? \"denied by every PodSecurityPolicy it may use: \" + variables.usablePsps.map(p, p.name).join(\", \")\n  : \"no PodSecurityPolicy is usable by service account \" + variables.namespace + \"/\" + variables.serviceAccount".to_string();
    Validation {
        expression,
        message_expression,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::eval::{Engine, Request};
    use serde_json::json;

    fn engine(params: &serde_json::Value) -> Engine {
        Engine::from_parts(&[], &variables(), &[validation()])
            .unwrap_or_else(|e| panic!("{e}"))
            .with_params(params)
    }

    fn request() -> Request {
        Request {
            namespace: "apps".into(),
            username: "alice".into(),
            groups: vec!["system:authenticated".into()],
            operation: "CREATE".into(),
        }
    }

    fn open_psp(name: &str) -> serde_json::Value {
        json!({"name": name, "everyone": true, "grants": [], "unusable": [],
            "privileged": false, "hostPID": false, "hostIPC": false, "hostNetwork": false,
            "hostPorts": [], "volumes": ["*"], "allowedHostPaths": [], "allowedFlexVolumes": [],
            "allowedCSIDrivers": [], "allowedCapabilities": [], "requiredDropCapabilities": [],
            "runAsUser": {"rule": "RunAsAny", "ranges": []},
            "runAsGroup": {"rule": "RunAsAny", "ranges": []},
            "supplementalGroups": {"rule": "RunAsAny", "ranges": []},
            "fsGroup": {"rule": "RunAsAny", "ranges": []},
            "seLinux": {"rule": "RunAsAny"}, "readOnlyRootFilesystem": false,
            "allowPrivilegeEscalation": true, "allowedUnsafeSysctls": [], "forbiddenSysctls": [],
            "allowedProcMountTypes": ["Default"]})
    }

    fn pod(sc: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "apps"},
            "spec": {"containers": [{"name": "app", "image": "x", "securityContext": sc}]}})
    }

    #[test]
    fn every_expression_compiles_and_the_block_decides() {
        let params = json!({"psps": [open_psp("open")]});
        let e = engine(&params);
        let ok = e.evaluate(&pod(json!({})), &request()).unwrap();
        assert!(ok.admitted, "{ok:?}");
        let out = e
            .evaluate(&pod(json!({"privileged": true})), &request())
            .unwrap();
        assert!(!out.admitted);
        assert_eq!(
            out.message.as_deref(),
            Some("denied by every PodSecurityPolicy it may use: open")
        );
    }

    #[test]
    fn policies_are_or_ed() {
        let mut privileged = open_psp("wide");
        privileged["privileged"] = json!(true);
        let params = json!({"psps": [open_psp("narrow"), privileged]});
        let out = engine(&params)
            .evaluate(&pod(json!({"privileged": true})), &request())
            .unwrap();
        assert!(out.admitted, "{out:?}");
    }

    #[test]
    fn a_policy_granted_to_nobody_here_is_not_usable() {
        let mut p = open_psp("other");
        p["everyone"] = json!(false);
        p["grants"] = json!([{"namespace": "elsewhere", "group": "system:authenticated"}]);
        let out = engine(&json!({"psps": [p.clone()]}))
            .evaluate(&pod(json!({})), &request())
            .unwrap();
        assert_eq!(
            out.message.as_deref(),
            Some("no PodSecurityPolicy is usable by service account apps/default")
        );
        p["grants"] = json!([{"namespace": "apps", "group": "system:authenticated"}]);
        let out = engine(&json!({"psps": [p]}))
            .evaluate(&pod(json!({})), &request())
            .unwrap();
        assert!(out.admitted, "{out:?}");
    }

    #[test]
    fn comments_and_blank_lines_are_not_emitted() {
        for v in variables() {
            assert!(!v.expression.contains("//"), "{}", v.name);
            assert!(!v.expression.contains("\n\n"), "{}", v.name);
        }
        assert!(!validation().expression.contains("//"));
    }
}
