//! Pod sysctls, as `simulate/check/sysctls.rs` decides them: a forbidden pattern rejects (even
//! a safe sysctl); otherwise a sysctl must be one the PSP releases treated as safe or match an
//! allowed pattern (`*` alone: any; a trailing `*`: a prefix).

use super::expr::{msg, Checks};
use super::lit;
use crate::pss::checks::sysctls::SAFE;
use crate::simulate::rules::Rules;

/// `name` (a CEL string) matches one of `patterns`; `false` for none.
fn matches_any(patterns: &[String], name: &str) -> String {
    if patterns.is_empty() {
        return "false".into();
    }
    let mut exact = Vec::new();
    let mut parts = Vec::new();
    for p in patterns {
        match p.strip_suffix('*') {
            Some("") => return "true".into(),
            Some(prefix) => parts.push(format!("{name}.startsWith({})", lit::string(prefix))),
            None => exact.push(p.clone()),
        }
    }
    if !exact.is_empty() {
        parts.insert(0, format!("{name} in {}", lit::strings(&exact)));
    }
    format!("({})", parts.join(" || "))
}

pub(super) fn check(r: &Rules, out: &mut Checks) {
    let safe: Vec<String> = SAFE
        .iter()
        .filter(|(_, since)| *since == 0)
        .map(|(n, _)| n.to_string())
        .collect();
    let forbidden = matches_any(&r.forbidden_sysctls, "s.name");
    let allowed = matches_any(&r.unsafe_sysctls, "s.name");
    let ok = format!(
        "!(has(variables.spec.securityContext) && has(variables.spec.securityContext.sysctls)) || \
         variables.spec.securityContext.sysctls.all(s, !{forbidden} && (s.name in {} || {allowed}))",
        lit::strings(&safe)
    );
    out.pod(ok, msg("a sysctl is forbidden or not allowed"));
}
