//! `allowPrivilegeEscalation: false` requires every container to set it to false.

use k8s_openapi::api::core::v1::SecurityContext;

use super::Failures;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, sc_path: &str, sc: Option<&SecurityContext>, out: &mut Failures) {
    if !r.allow_escalation && sc.and_then(|s| s.allow_privilege_escalation) != Some(false) {
        out.fail(
            format!("{sc_path}.allowPrivilegeEscalation"),
            "spec.allowPrivilegeEscalation",
            "allowPrivilegeEscalation must be false",
        );
    }
}

#[cfg(test)]
mod tests {
    //! The privilege escalation checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    #[test]
    fn privilege_escalation() {
        let deny = psp("  allowPrivilegeEscalation: false\n");
        assert_eq!(
            mutations(&deny, &pod(APP)),
            [(
                "spec.containers[name=app].securityContext.allowPrivilegeEscalation".to_string(),
                json!(false)
            )]
        );
        let yes = pod("  containers: [{name: app, image: x, securityContext: {allowPrivilegeEscalation: true}}]\n");
        assert_eq!(
            failed(&deny, &yes),
            ["spec.containers[name=app].securityContext.allowPrivilegeEscalation"]
        );
        let default_false = psp("  defaultAllowPrivilegeEscalation: false\n");
        assert_eq!(mutations(&default_false, &pod(APP))[0].1, json!(false));
        assert!(
            run(&default_false, &yes).admission.is_unchanged(),
            "allowed, only defaulted"
        );
    }
}
