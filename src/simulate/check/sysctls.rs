//! Pod sysctls: a forbidden pattern rejects (even a safe sysctl); otherwise a sysctl must be in
//! the safe set (as of Kubernetes 1.22-1.24, the last PSP releases) or match an allowed pattern.

use k8s_openapi::api::core::v1::PodSecurityContext;

use super::Failures;
use crate::psp::sysctl_matches as matches;
use crate::pss::checks::sysctls::SAFE;
use crate::simulate::rules::Rules;

/// True for the sysctls Kubernetes 1.22-1.24 treated as safe (the PSS 1.0 list).
fn psp_era_safe(name: &str) -> bool {
    SAFE.iter().any(|(n, since)| *since == 0 && *n == name)
}

pub(super) fn check(r: &Rules, sc: Option<&PodSecurityContext>, out: &mut Failures) {
    let sysctls = sc.and_then(|s| s.sysctls.as_deref()).unwrap_or_default();
    for s in sysctls {
        let path = format!("spec.securityContext.sysctls[name={}]", s.name);
        if r.forbidden_sysctls.iter().any(|p| matches(p, &s.name)) {
            out.fail(
                path,
                "spec.forbiddenSysctls",
                format!("sysctl {} is forbidden", s.name),
            );
        } else if !psp_era_safe(&s.name) && !r.unsafe_sysctls.iter().any(|p| matches(p, &s.name)) {
            out.fail(
                path,
                "spec.allowedUnsafeSysctls",
                format!("unsafe sysctl {} is not allowed", s.name),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    //! The sysctls checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    fn sysctl(name: &str) -> Pod {
        pod(&format!(
            "  securityContext: {{sysctls: [{{name: {name}, value: '1'}}]}}\n{APP}"
        ))
    }

    #[test]
    fn sysctls() {
        let p = psp("  allowedUnsafeSysctls: ['kernel.msg*', net.core.somaxconn]\n  forbiddenSysctls: ['kernel.shm*', kernel.msgmni]\n");
        for ok in [
            "kernel.msgmax",
            "net.core.somaxconn",
            "net.ipv4.tcp_syncookies",
        ] {
            assert!(admitted(&p, &sysctl(ok)), "{ok}");
        }
        for bad in [
            "kernel.msgmni",
            "kernel.shm_rmid_forced",
            "net.core.somaxconn2",
            "kernel.sem",
        ] {
            assert_eq!(
                failed(&p, &sysctl(bad)),
                [format!("spec.securityContext.sysctls[name={bad}]")],
                "{bad}"
            );
        }
        assert!(
            admitted(&psp(""), &sysctl("kernel.shm_rmid_forced")),
            "safe by default"
        );
    }
}
