//! `runAsUser` and `runAsGroup` per container (effective values), `fsGroup` and
//! `supplementalGroups` on the pod.

use k8s_openapi::api::core::v1::PodSecurityContext;

use super::Failures;
use crate::psp::{GroupRule, IdRange, RunAsUserRule};
use crate::simulate::pod::Effective;
use crate::simulate::rules::{Ranged, Rules};

pub(super) fn pod_groups(r: &Rules, sc: Option<&PodSecurityContext>, out: &mut Failures) {
    let fs: Vec<i64> = sc.and_then(|s| s.fs_group).into_iter().collect();
    groups(
        &r.fs_group,
        "spec.securityContext.fsGroup",
        "spec.fsGroup",
        &fs,
        out,
    );
    let sup = sc
        .and_then(|s| s.supplemental_groups.clone())
        .unwrap_or_default();
    groups(
        &r.supplemental_groups,
        "spec.securityContext.supplementalGroups",
        "spec.supplementalGroups",
        &sup,
        out,
    );
}

pub(super) fn container(r: &Rules, sc_path: &str, eff: &Effective, out: &mut Failures) {
    run_as_user(r, sc_path, eff, out);
    let g: Vec<i64> = eff.run_as_group.into_iter().collect();
    groups(
        &r.run_as_group,
        &format!("{sc_path}.runAsGroup"),
        "spec.runAsGroup",
        &g,
        out,
    );
}

fn run_as_user(r: &Rules, sc_path: &str, eff: &Effective, out: &mut Failures) {
    const F: &str = "spec.runAsUser";
    match r.run_as_user.rule {
        RunAsUserRule::RunAsAny => {}
        RunAsUserRule::MustRunAs => match eff.run_as_user {
            None => out.fail(format!("{sc_path}.runAsUser"), F, "runAsUser is required"),
            Some(uid) if !in_ranges(uid, &r.run_as_user.ranges) => out.fail(
                format!("{sc_path}.runAsUser"),
                F,
                format!("runAsUser {uid} is not in {}", show(&r.run_as_user.ranges)),
            ),
            Some(_) => {}
        },
        RunAsUserRule::MustRunAsNonRoot => match (eff.run_as_non_root, eff.run_as_user) {
            (None, None) => out.fail(
                format!("{sc_path}.runAsNonRoot"),
                F,
                "runAsNonRoot must be true (or runAsUser non-zero)",
            ),
            (Some(false), _) => out.fail(
                format!("{sc_path}.runAsNonRoot"),
                F,
                "runAsNonRoot must be true",
            ),
            (_, Some(0)) => out.fail(
                format!("{sc_path}.runAsUser"),
                F,
                "running as UID 0 is forbidden",
            ),
            _ => {}
        },
    }
}

/// A group rule over the groups present: MustRunAs needs at least one, and every one present
/// must be in a range (MustRunAs and MayRunAs).
fn groups(g: &Ranged<GroupRule>, path: &str, psp_field: &str, present: &[i64], out: &mut Failures) {
    if g.rule == GroupRule::RunAsAny {
        return;
    }
    if g.rule == GroupRule::MustRunAs && present.is_empty() && !g.ranges.is_empty() {
        out.fail(
            path,
            psp_field,
            format!("must be set, in {}", show(&g.ranges)),
        );
    }
    for id in present.iter().filter(|id| !in_ranges(**id, &g.ranges)) {
        out.fail(
            path,
            psp_field,
            format!("group {id} is not in {}", show(&g.ranges)),
        );
    }
}

pub(crate) fn in_ranges(v: i64, ranges: &[IdRange]) -> bool {
    ranges.iter().any(|r| r.contains(v))
}

pub(crate) fn show(ranges: &[IdRange]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| format!("{}-{}", r.min, r.max))
        .collect();
    format!("[{}]", parts.join(", "))
}

#[cfg(test)]
mod tests {
    //! The users groups checks, through the whole simulator (defaults, mutation, validation).

    use crate::simulate::testing::*;

    #[test]
    fn run_as_user_must_run_as_any_range_container_over_pod() {
        let p = psp(
            "  runAsUser: {rule: MustRunAs, ranges: [{min: 100, max: 200}, {min: 1000, max: 1000}]}\n",
        );
        let pod_level = pod(&format!("  securityContext: {{runAsUser: 1000}}\n{APP}"));
        assert!(run(&p, &pod_level).admission.is_unchanged());
        let overridden = pod("  securityContext: {runAsUser: 150}\n  containers: [{name: app, image: x, securityContext: {runAsUser: 201}}]\n");
        assert_eq!(
            failed(&p, &overridden),
            ["spec.containers[name=app].securityContext.runAsUser"]
        );
        let unset = pod("  initContainers: [{name: i, image: x}]\n  containers: [{name: app, image: x}]\n  ephemeralContainers: [{name: e, image: x}]\n");
        let m = mutations(&p, &unset);
        let paths: Vec<&str> = m.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.initContainers[name=i].securityContext.runAsUser",
                "spec.containers[name=app].securityContext.runAsUser",
                "spec.ephemeralContainers[name=e].securityContext.runAsUser"
            ]
        );
        assert!(m.iter().all(|(_, v)| *v == json!(100)));
    }

    #[test]
    fn run_as_non_root() {
        let p = psp("  runAsUser: {rule: MustRunAsNonRoot}\n");
        assert_eq!(
            mutations(&p, &pod(APP)),
            [(
                "spec.containers[name=app].securityContext.runAsNonRoot".to_string(),
                json!(true)
            )]
        );
        assert!(run(
            &p,
            &pod(&format!("  securityContext: {{runAsNonRoot: true}}\n{APP}"))
        )
        .admission
        .is_unchanged());
        assert!(run(
            &p,
            &pod(&format!("  securityContext: {{runAsUser: 5}}\n{APP}"))
        )
        .admission
        .is_unchanged());
        assert_eq!(
            failed(
                &p,
                &pod(&format!("  securityContext: {{runAsUser: 0}}\n{APP}"))
            ),
            ["spec.containers[name=app].securityContext.runAsUser"]
        );
        let c = pod("  securityContext: {runAsNonRoot: true}\n  containers: [{name: app, image: x, securityContext: {runAsNonRoot: false}}]\n");
        assert_eq!(
            failed(&p, &c),
            ["spec.containers[name=app].securityContext.runAsNonRoot"]
        );
    }

    #[test]
    fn group_rules() {
        let must = psp("  fsGroup: {rule: MustRunAs, ranges: [{min: 10, max: 20}, {min: 30, max: 40}]}\n  supplementalGroups: {rule: MustRunAs, ranges: [{min: 5, max: 6}]}\n  runAsGroup: {rule: MustRunAs, ranges: [{min: 7, max: 8}]}\n");
        let m = mutations(&must, &pod(APP));
        assert_eq!(
            m,
            [
                (
                    "spec.securityContext.supplementalGroups".to_string(),
                    json!([5])
                ),
                ("spec.securityContext.fsGroup".to_string(), json!(10)),
                (
                    "spec.containers[name=app].securityContext.runAsGroup".to_string(),
                    json!(7)
                ),
            ]
        );
        let set = pod(&format!(
            "  securityContext: {{fsGroup: 35, supplementalGroups: [5, 6], runAsGroup: 8}}\n{APP}"
        ));
        assert!(run(&must, &set).admission.is_unchanged());
        // An explicit empty list is not defaulted, and MustRunAs then refuses it.
        let empty = pod(&format!(
            "  securityContext: {{supplementalGroups: []}}\n{APP}"
        ));
        assert_eq!(
            failed(&must, &empty),
            ["spec.securityContext.supplementalGroups"]
        );
        let may = psp("  fsGroup: {rule: MayRunAs, ranges: [{min: 10, max: 20}]}\n");
        assert!(run(&may, &pod(APP)).admission.is_unchanged());
        assert_eq!(
            failed(
                &may,
                &pod(&format!("  securityContext: {{fsGroup: 21}}\n{APP}"))
            ),
            ["spec.securityContext.fsGroup"]
        );
    }
}
