//! `seLinuxOptions` (baseline): a pod or container may not set a custom SELinux user or role,
//! and may set the SELinux type only to one of the container types.
//!
//! History:
//! - 1.0: allowed types are empty/unset, `container_t`, `container_init_t`, `container_kvm_t`.
//! - 1.31: `container_engine_t` is allowed too.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{PodSpec, SELinuxOptions};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::pss::message::{containers, fail, plural, quoted};
use crate::pss::visit::{containers as visit, pod_sc};
use crate::pss::{Check, Level, Versioned};

pub(super) const CHECK: Check = Check {
    id: "seLinuxOptions",
    level: Level::Baseline,
    psp_fields: &["spec.seLinux"],
    versions: &[
        Versioned {
            since: 0,
            eval: v1_0,
            overrides: &[],
        },
        Versioned {
            since: 31,
            eval: v1_31,
            overrides: &[],
        },
    ],
};

/// The SELinux types a pod or container may set at `version` (the empty type included).
pub fn allowed_types(version: crate::pss::Version) -> &'static [&'static str] {
    if version.at_least(31) {
        TYPES_1_31
    } else {
        TYPES_1_0
    }
}

const TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn v1_0(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    judge(spec, TYPES_1_0)
}

fn v1_31(spec: &PodSpec, _: &ObjectMeta) -> Option<String> {
    judge(spec, TYPES_1_31)
}

/// What one `seLinuxOptions` gets wrong, accumulated across the pod.
#[derive(Default)]
struct Findings<'a> {
    types: BTreeSet<&'a str>,
    user: bool,
    role: bool,
}

impl<'a> Findings<'a> {
    /// Records the problems of `o`; true when it has any.
    fn record(&mut self, o: &'a SELinuxOptions, allowed: &[&str]) -> bool {
        let t = o.type_.as_deref().unwrap_or("");
        let bad_type = !allowed.contains(&t);
        if bad_type {
            self.types.insert(t);
        }
        let user = o.user.as_deref().is_some_and(|u| !u.is_empty());
        let role = o.role.as_deref().is_some_and(|r| !r.is_empty());
        self.user |= user;
        self.role |= role;
        bad_type || user || role
    }
}

fn judge(spec: &PodSpec, allowed: &[&str]) -> Option<String> {
    let mut found = Findings::default();
    let mut setters = Vec::new();
    if let Some(o) = pod_sc(spec).and_then(|sc| sc.se_linux_options.as_ref()) {
        if found.record(o, allowed) {
            setters.push("pod".to_string());
        }
    }
    let mut bad = Vec::new();
    for c in visit(spec) {
        if let Some(o) = c
            .security_context()
            .and_then(|sc| sc.se_linux_options.as_ref())
        {
            if found.record(o, allowed) {
                bad.push(c.name());
            }
        }
    }
    if !bad.is_empty() {
        setters.push(containers(&bad).to_string());
    }
    if setters.is_empty() {
        return None;
    }
    let mut what = Vec::new();
    if !found.types.is_empty() {
        what.push(format!(
            "{} {}",
            plural(found.types.len(), "type", "types"),
            quoted(&found.types)
        ));
    }
    if found.user {
        what.push("user may not be set".to_string());
    }
    if found.role {
        what.push("role may not be set".to_string());
    }
    fail(
        "seLinuxOptions",
        format_args!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.join(" and "),
            what.join("; ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod, run};
    use serde_json::json;

    fn typed(t: &str) -> (PodSpec, ObjectMeta) {
        pod(json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"seLinuxOptions": {"type": t, "level": "s0"}}}]}}))
    }

    #[test]
    fn container_engine_t_allowed_from_1_31() {
        assert!(passes(&CHECK, 0, &typed("container_kvm_t")));
        assert!(!passes(&CHECK, 30, &typed("container_engine_t")));
        assert!(passes(&CHECK, 31, &typed("container_engine_t")));
        assert!(!passes(&CHECK, 37, &typed("spc_t")));
    }

    #[test]
    fn user_and_role_are_forbidden() {
        let p = pod(
            json!({"spec": {"securityContext": {"seLinuxOptions": {"user": "u", "role": "r"}}}}),
        );
        assert_eq!(
            run(&CHECK, 37, &p).as_deref(),
            Some("seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: user may not be set; role may not be set)")
        );
    }
}
