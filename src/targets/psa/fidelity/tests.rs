use super::*;
use crate::intent::intent_of;
use crate::levels::judge;
use crate::psp::testing::psp;
use crate::psp::{
    AllowedHostPath, GroupRule, GroupStrategy, IdRange, Psp, RunAsUserRule, RunAsUserStrategy,
};
use crate::targets::psa::{Defaults, NamespacePlan};

fn namespace(name: &str, enforce: Level, psps: &[&str]) -> NamespacePlan {
    NamespacePlan {
        name: name.into(),
        enforce,
        audit: enforce,
        warn: enforce,
        version: "v1.30".into(),
        psps: psps.iter().map(|s| s.to_string()).collect(),
        decided_by: Vec::new(),
        safe_level: None,
        target_level: None,
        observed: Vec::new(),
        failing_enforce: Vec::new(),
        notes: Vec::new(),
        current: Default::default(),
    }
}

fn plan(namespaces: Vec<NamespacePlan>, default_psps: &[&str]) -> ClusterPlan {
    ClusterPlan {
        k8s_version: "v1.30".into(),
        config_api_version: "pod-security.admission.config.k8s.io/v1".into(),
        defaults: Defaults {
            enforce: Level::Privileged,
            audit: Level::Baseline,
            warn: Level::Baseline,
            version: "v1.30".into(),
            psps: default_psps.iter().map(|s| s.to_string()).collect(),
            why: String::new(),
        },
        namespaces,
        exempt_usernames: Vec::new(),
        exempt_namespaces: Vec::new(),
        exempt_runtime_classes: Vec::new(),
        notes: Vec::new(),
    }
}

/// The PSA report of `p` when it is usable only in a namespace enforcing `level`.
fn at(p: &Psp, level: Level) -> TargetReport {
    let v = Version::Minor(30);
    let plan = plan(vec![namespace("ns", level, &["test"])], &[]);
    reports(
        &[intent_of(p)],
        &[judge(&intent_of(p), v)],
        &plan,
        &ExemptUsers::new(),
        v,
    )
    .remove(0)
}

fn verdict(r: &TargetReport, field: &str, effect: Fidelity) -> bool {
    r.rows
        .iter()
        .any(|row| row.field == field && row.verdict == effect)
}

fn only(r: &TargetReport, field: &str) -> FidelityRow {
    let rows: Vec<&FidelityRow> = r
        .rows
        .iter()
        .filter(|row| row.field == field && row.verdict != Fidelity::MutationDropped)
        .collect();
    assert_eq!(rows.len(), 1, "{field}: {rows:?}");
    rows[0].clone()
}

#[test]
fn every_constraint_is_a_row_and_every_mutation_is_dropped() {
    let mut p = psp();
    p.spec.run_as_user = RunAsUserStrategy {
        rule: RunAsUserRule::MustRunAs,
        ranges: vec![IdRange {
            min: 1000,
            max: 2000,
        }],
    };
    p.spec.read_only_root_filesystem = true;
    p.spec.allow_privilege_escalation = false;
    let intent = intent_of(&p);
    for level in Level::ALL {
        let r = at(&p, level);
        assert_eq!(r.rows.len(), intent.constraints.len());
        for (row, c) in r.rows.iter().zip(&intent.constraints) {
            assert_eq!(row.field, c.field);
            assert_eq!(row.psp_rule, c.describe());
            assert_eq!(
                row.verdict == Fidelity::MutationDropped,
                c.effect == Effect::Mutate,
                "{row:?}"
            );
        }
    }
}

#[test]
fn restrictions_no_level_has_are_lost_everywhere() {
    let mut p = psp();
    p.spec.fs_group = GroupStrategy {
        rule: GroupRule::MustRunAs,
        ranges: vec![IdRange { min: 1, max: 10 }],
    };
    p.spec.read_only_root_filesystem = true;
    for level in Level::ALL {
        let r = at(&p, level);
        for field in ["spec.fsGroup", "spec.readOnlyRootFilesystem"] {
            let row = only(&r, field);
            assert_eq!(row.verdict, Fidelity::Lost, "{level} {row:?}");
            assert_eq!(row.target_rule, None);
        }
        assert!(verdict(&r, "spec.fsGroup", Fidelity::MutationDropped));
    }
}

#[test]
fn host_path_prefixes_are_lost_at_privileged_and_moot_where_host_path_is_denied() {
    let mut p = psp();
    p.spec.volumes = vec!["hostPath".into(), "secret".into()];
    p.spec.allowed_host_paths = vec![AllowedHostPath {
        path_prefix: "/var/log".into(),
        read_only: true,
    }];
    assert_eq!(
        only(&at(&p, Level::Privileged), "spec.allowedHostPaths").verdict,
        Fidelity::Lost
    );
    let baseline = only(&at(&p, Level::Baseline), "spec.allowedHostPaths");
    assert_eq!(baseline.verdict, Fidelity::Stricter, "{baseline:?}");
    assert!(baseline.reason.contains("hostPath"), "{}", baseline.reason);
}

#[test]
fn privileged_keeps_nothing_and_a_stricter_level_is_named() {
    let p = psp();
    let row = only(&at(&p, Level::Privileged), "spec.privileged");
    assert_eq!(row.verdict, Fidelity::Looser);
    assert!(
        row.reason.ends_with("baseline would keep it exactly"),
        "{}",
        row.reason
    );
    let row = only(&at(&p, Level::Baseline), "spec.privileged");
    assert_eq!(row.verdict, Fidelity::Exact);
    assert_eq!(row.target_rule.as_deref(), Some(row.psp_rule.as_str()));
}

#[test]
fn a_stricter_level_than_the_psp_is_stricter_and_pinned_values_are_looser() {
    let mut p = psp();
    let r = at(&p, Level::Restricted);
    // RunAsAny restricts nothing; restricted requires non-root.
    let row = only(&r, "spec.runAsUser");
    assert_eq!(row.verdict, Fidelity::Stricter);
    assert!(row.target_rule.unwrap().contains("runAsNonRoot: true"));
    p.spec.run_as_user = RunAsUserStrategy {
        rule: RunAsUserRule::MustRunAs,
        ranges: vec![IdRange {
            min: 1000,
            max: 2000,
        }],
    };
    // Restricted rejects pods without runAsNonRoot, but admits UIDs outside 1000-2000.
    assert_eq!(
        only(&at(&p, Level::Restricted), "spec.runAsUser").verdict,
        Fidelity::Looser
    );
}

#[test]
fn restricting_nothing_is_exact() {
    let mut p = psp();
    p.spec.volumes = vec!["*".into()];
    let r = at(&p, Level::Privileged);
    let row = only(&r, "spec.volumes");
    assert_eq!(row.verdict, Fidelity::Exact);
    assert!(row.reason.contains("restricts nothing"), "{}", row.reason);
    assert_eq!(only(&r, "spec.runAsGroup").verdict, Fidelity::Exact);
}

#[test]
fn the_least_restrictive_place_is_chosen_and_said() {
    let p = psp();
    let v = Version::Minor(30);
    let plan = plan(
        vec![
            namespace("a", Level::Restricted, &["test"]),
            namespace("b", Level::Baseline, &["test", "other"]),
            namespace("c", Level::Privileged, &["other"]),
        ],
        &[],
    );
    let r = reports(
        &[intent_of(&p)],
        &[judge(&intent_of(&p), v)],
        &plan,
        &ExemptUsers::new(),
        v,
    )
    .remove(0);
    assert!(r
        .compared_with
        .starts_with("baseline: the least restrictive"));
    assert!(r.compared_with.contains("namespace a (restricted)"));
    // Said once, in the comparison, not again in every row's reason.
    assert!(!r
        .rows
        .iter()
        .any(|row| row.reason.contains("least restrictive")));
    // Usable nowhere: its compatible level (privileged for a defaults-only PSP).
    let nowhere = plan_with_default(&[]);
    let r = reports(
        &[intent_of(&p)],
        &[judge(&intent_of(&p), v)],
        &nowhere,
        &ExemptUsers::new(),
        v,
    )
    .remove(0);
    assert!(r
        .compared_with
        .starts_with("privileged: usable in no namespace"));
    // Granted to everyone: the cluster default counts.
    let everywhere = plan_with_default(&["test"]);
    let r = reports(
        &[intent_of(&p)],
        &[judge(&intent_of(&p), v)],
        &everywhere,
        &ExemptUsers::new(),
        v,
    )
    .remove(0);
    assert!(r.compared_with.contains("the cluster default (privileged)"));
    // Granted to an exempt user: that user's pods skip PSA, as privileged would.
    let restricted = self::plan(vec![namespace("a", Level::Restricted, &["test"])], &[]);
    let exempt: ExemptUsers = [("test".to_string(), ["alice".to_string()].into())].into();
    let r = reports(
        &[intent_of(&p)],
        &[judge(&intent_of(&p), v)],
        &restricted,
        &exempt,
        v,
    )
    .remove(0);
    assert!(
        r.compared_with
            .starts_with("privileged: the least restrictive"),
        "{}",
        r.compared_with
    );
    assert!(r
        .compared_with
        .contains("pods of exempt user alice (privileged)"));
}

fn plan_with_default(psps: &[&str]) -> ClusterPlan {
    plan(Vec::new(), psps)
}

#[test]
fn fields_some_level_checks_depend_on_the_version() {
    let pss = Standards::new(Version::Minor(22));
    assert!(pss.checked("spec.privileged"));
    assert!(pss.checked("spec.requiredDropCapabilities"));
    assert!(!pss.checked("spec.fsGroup"));
    assert!(!pss.checked("spec.allowedHostPaths"));
    assert!(!Standards::new(Version::Minor(21)).checked("spec.requiredDropCapabilities"));
    assert!(pss.rejects_volume(Level::Baseline, "hostPath"));
    assert!(!pss.rejects_volume(Level::Baseline, "flexVolume"));
    assert!(pss.rejects_volume(Level::Restricted, "flexVolume"));
}

#[test]
fn level_rows_are_keyed_by_the_constraint_field() {
    let p = psp();
    let levels = judge(&intent_of(&p), Version::Latest);
    let key = |name: &str| {
        levels
            .fields
            .iter()
            .find(|r| r.field == name)
            .map(|r| r.psp_field())
            .unwrap()
    };
    assert_eq!(key("hostPID"), "spec.hostPID");
    assert_eq!(
        key("runtimeClass"),
        "spec.runtimeClass.allowedRuntimeClassNames"
    );
    assert_eq!(
        key(crate::psp::annotations::SECCOMP_ALLOWED),
        "metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]"
    );
    // Every validating constraint of a PSP finds its level row.
    for c in intent_of(&p).with_effect(Effect::Validate) {
        assert!(!rows_of(&levels, &c.field).is_empty(), "{}", c.field);
    }
}

#[test]
fn no_seccomp_annotation_at_restricted_is_looser_not_only_stricter() {
    // The PSP admits only pods without a profile; restricted rejects those and admits
    // RuntimeDefault pods the PSP rejected.
    let row = only(
        &at(&psp(), Level::Restricted),
        "metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]",
    );
    assert_eq!(row.verdict, Fidelity::Looser, "{row:?}");
    assert!(
        row.reason.contains("admits others it rejected"),
        "{}",
        row.reason
    );
}

#[test]
fn a_grant_beyond_the_level_and_a_narrower_list_is_looser() {
    // hostPath only: baseline rejects hostPath (stricter) and admits emptyDir (looser).
    let mut p = psp();
    p.spec.volumes = vec!["hostPath".into()];
    let row = only(&at(&p, Level::Baseline), "spec.volumes");
    assert_eq!(row.verdict, Fidelity::Looser, "{row:?}");
    // Every type baseline allows, plus hostPath: only stricter.
    p.spec.volumes = vec!["*".into()];
    let row = only(&at(&p, Level::Baseline), "spec.volumes");
    assert_eq!(row.verdict, Fidelity::Stricter, "{row:?}");
    // SYS_ADMIN only: baseline rejects it and admits CHOWN, which the PSP did not allow.
    let mut p = psp();
    p.spec.allowed_capabilities = vec!["SYS_ADMIN".into()];
    let row = only(&at(&p, Level::Baseline), "spec.allowedCapabilities");
    assert_eq!(row.verdict, Fidelity::Looser, "{row:?}");
}

#[test]
fn hundreds_of_namespaces_are_summarised_in_the_comparison() {
    let v = Version::Minor(30);
    let mut namespaces: Vec<NamespacePlan> = (0..300)
        .map(|i| namespace(&format!("team-{i:03}"), Level::Baseline, &["test"]))
        .collect();
    namespaces.push(namespace("kube-system", Level::Privileged, &["test"]));
    let p = psp();
    let r = reports(
        &[intent_of(&p)],
        &[judge(&intent_of(&p), v)],
        &plan(namespaces, &[]),
        &ExemptUsers::new(),
        v,
    )
    .remove(0);
    assert!(
        r.compared_with
            .starts_with("privileged: the least restrictive enforce level where it is usable: namespace kube-system (privileged), namespace team-000 (baseline)"),
        "{}",
        r.compared_with
    );
    assert!(
        r.compared_with.ends_with(", 296 more (baseline)"),
        "{}",
        r.compared_with
    );
    assert!(r.compared_with.len() < 600, "{}", r.compared_with.len());
}

#[test]
fn reasons_do_not_repeat_what_the_comparison_or_the_verdict_says() {
    let v = Version::Minor(30);
    let mut p = psp();
    p.spec.fs_group = GroupStrategy {
        rule: GroupRule::MustRunAs,
        ranges: vec![IdRange { min: 1, max: 65535 }],
    };
    let r = reports(
        &[intent_of(&p)],
        &[judge(&intent_of(&p), v)],
        &plan(
            vec![
                namespace("a", Level::Privileged, &["test"]),
                namespace("b", Level::Baseline, &["test"]),
            ],
            &[],
        ),
        &ExemptUsers::new(),
        v,
    )
    .remove(0);
    assert!(
        r.compared_with.contains("least restrictive"),
        "{}",
        r.compared_with
    );
    for row in &r.rows {
        assert!(
            !row.reason.contains("least restrictive enforce level"),
            "the comparison is said once, above the rows: {}",
            row.reason
        );
    }
    let lost = only(&r, "spec.fsGroup");
    assert_eq!(lost.verdict, Fidelity::Lost, "{lost:?}");
    assert_eq!(
        lost.reason.matches("no level").count()
            + lost
                .reason
                .matches("no Pod Security Standards level")
                .count(),
        1,
        "{}",
        lost.reason
    );
}
