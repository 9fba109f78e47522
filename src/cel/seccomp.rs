//! Seccomp, as `simulate/check/seccomp.rs` decides it: from the profile fields or the
//! annotations (container over pod, field over annotation, the field read as the annotation
//! value the 1.19-1.24 API server derived from it). After the policy's defaults, an unset pod
//! profile takes the default.

use super::expr::{Checks, Field};
use super::lit;
use super::Mode;
use crate::simulate::rules::Rules;
use crate::simulate::{SECCOMP_CONTAINER, SECCOMP_POD};

const S: &str = "variables.spec";

/// The annotation value a seccompProfile object `p` stands for; an unrecognised type, or
/// `Localhost` without a profile, stands for none (upstream `SeccompAnnotationForField`).
fn derived(p: &str) -> String {
    format!(
        "({p}.type == \"RuntimeDefault\" ? \"runtime/default\" : \
         ({p}.type == \"Unconfined\" ? \"unconfined\" : \
         (({p}.type == \"Localhost\" && has({p}.localhostProfile)) ? \"localhost/\" + {p}.localhostProfile : \"\")))"
    )
}

/// The profile field of a security context, as an annotation value.
fn field(base: &str) -> Field {
    let f = Field::at(base, &["securityContext", "seccompProfile"]);
    Field::when(f.set(), derived(&f.value()))
}

/// An annotation of the pod, set when present (even empty).
pub(super) fn annotation(key_expr: &str) -> Field {
    Field::when(
        format!("{key_expr} in variables.annotations"),
        format!("variables.annotations[{key_expr}]"),
    )
}

/// Profiles `list` allows: `docker/default` and `runtime/default` stand for each other.
fn allowed_list(list: &[String]) -> String {
    let mut all = list.to_vec();
    for (a, b) in [
        ("runtime/default", "docker/default"),
        ("docker/default", "runtime/default"),
    ] {
        if list.iter().any(|p| p == a) {
            all.push(b.to_string());
        }
    }
    lit::strings(&all)
}

/// `profile` (a CEL string) is allowed: with no list only "no profile", with `*` anything.
fn seccomp_ok(r: &Rules, profile: &str) -> String {
    match &r.seccomp {
        None => format!("{profile} == \"\""),
        Some(list) if list.iter().any(|p| p == "*") => "true".into(),
        Some(list) => format!("{profile} in {}", allowed_list(list)),
    }
}

pub(super) fn check(r: &Rules, mode: Mode, out: &mut Checks) {
    let default = match (&r.defaults.seccomp, mode) {
        (Some(d), Mode::AfterDefaults) => Some(lit::string(d)),
        _ => None,
    };
    let pod_key = lit::string(SECCOMP_POD);
    let pod_ann = annotation(&pod_key);
    let pod_ann_value = pod_ann.value_or("\"\"");
    let pod_field = field(S);
    // The pod: a non-empty annotation, else the field, else (after defaults) the default.
    let fallback = match &default {
        Some(d) => pod_field.value_or(d),
        None => pod_field.value_or("\"\""),
    };
    let pod_profile = format!("({pod_ann_value} != \"\" ? {pod_ann_value} : {fallback})");
    out.pod(
        seccomp_ok(r, &pod_profile),
        lit::string("the pod's seccomp profile is not allowed"),
    );
    // A container: its field, its annotation, the pod's field, the pod's annotation (which the
    // default filled when empty).
    let ctr_key = format!("({} + c.name)", lit::string(SECCOMP_CONTAINER));
    let pod_last = match &default {
        Some(d) => Field::always(format!("({pod_ann_value} != \"\" ? {pod_ann_value} : {d})")),
        None => pod_ann,
    };
    let profile = field("c")
        .or(annotation(&ctr_key))
        .or(field(S))
        .or(pod_last)
        .value_or("\"\"");
    out.container(
        seccomp_ok(r, &profile),
        "the seccomp profile is not allowed",
    );
}
