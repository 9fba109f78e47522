//! `procMount_restricted` (restricted, since 1.35): containers must keep the default `/proc`
//! masking, `securityContext.procMount` unset or `Default`, even in a user namespace.
//!
//! History: added in 1.35, when baseline `procMount` began to allow `hostUsers: false` pods any
//! value; it overrides `procMount` so restricted keeps the strict rule.

use crate::pss::{Check, Level, Versioned};

use super::proc_mount;

pub(super) const CHECK: Check = Check {
    id: "procMount_restricted",
    level: Level::Restricted,
    psp_fields: &["spec.allowedProcMountTypes"],
    versions: &[Versioned {
        since: 35,
        eval: proc_mount::v1_0,
        overrides: &["procMount"],
    }],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pss::testutil::{passes, pod};
    use serde_json::json;

    #[test]
    fn user_namespace_does_not_relax_restricted() {
        let p = pod(json!({"spec": {"hostUsers": false, "containers": [
            {"name": "a", "securityContext": {"procMount": "Unmasked"}}]}}));
        assert!(CHECK.at_minor(34).is_none());
        assert!(!passes(&CHECK, 35, &p));
        assert!(!passes(&CHECK, 37, &p));
    }
}
