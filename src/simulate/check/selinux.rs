//! `seLinux: MustRunAs`: the options in force must equal the policy's; levels compare with their
//! categories as a set (`s0:c1,c2` = `s0:c2,c1`). Checked on the pod and on every container.

use k8s_openapi::api::core::v1::SELinuxOptions;

use super::Failures;
use crate::psp::SeLinuxRule;
use crate::simulate::rules::Rules;

pub(super) fn check(r: &Rules, sc_path: &str, have: Option<&SELinuxOptions>, out: &mut Failures) {
    const F: &str = "spec.seLinux";
    if r.selinux_rule == SeLinuxRule::RunAsAny {
        return;
    }
    let Some(want) = &r.selinux else { return };
    let path = format!("{sc_path}.seLinuxOptions");
    let Some(have) = have else {
        out.fail(path, F, "seLinuxOptions are required");
        return;
    };
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    if !equal_levels(&s(&want.level), &s(&have.level)) {
        out.fail(
            format!("{path}.level"),
            F,
            format!("must be {:?}", s(&want.level)),
        );
    }
    for (name, w, h) in [
        ("role", &want.role, &have.role),
        ("type", &want.type_, &have.type_),
        ("user", &want.user, &have.user),
    ] {
        if s(w) != s(h) {
            out.fail(format!("{path}.{name}"), F, format!("must be {:?}", s(w)));
        }
    }
}

/// Equal strings, or `sensitivity:categories` with equal sensitivity and the same categories.
pub(crate) fn equal_levels(want: &str, have: &str) -> bool {
    if want == have {
        return true;
    }
    let (Some((ws, wc)), Some((hs, hc))) = (want.split_once(':'), have.split_once(':')) else {
        return false;
    };
    ws == hs && sorted_categories(wc) == sorted_categories(hc)
}

fn sorted_categories(c: &str) -> Vec<&str> {
    let mut v: Vec<&str> = c.split(',').collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    //! The selinux checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    #[test]
    fn selinux_must_run_as() {
        let p = psp("  seLinux: {rule: MustRunAs, seLinuxOptions: {level: 's0:c1,c2', type: t}}\n");
        assert_eq!(
            mutations(&p, &pod(APP)),
            [(
                "spec.securityContext.seLinuxOptions".to_string(),
                json!({"level": "s0:c1,c2", "type": "t"})
            )]
        );
        let reordered = pod(&format!(
            "  securityContext: {{seLinuxOptions: {{level: 's0:c2,c1', type: t}}}}\n{APP}"
        ));
        assert!(run(&p, &reordered).admission.is_unchanged());
        let c = pod("  containers: [{name: app, image: x, securityContext: {seLinuxOptions: {level: 's0:c1,c2', type: other}}}]\n");
        assert_eq!(
            failed(&p, &c),
            ["spec.containers[name=app].securityContext.seLinuxOptions.type"]
        );
    }
}
