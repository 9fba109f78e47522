//! The two independent readings of a PSP must agree: when `levels` says a PSP is compatible with
//! a level at a version, every pod the simulator admits (after PSP's mutations) passes the PSS
//! evaluator at that level and version, on every control that has a PSP counterpart (the "new
//! in PSS" controls are reported apart by `levels` and left out here).

mod common;

use std::collections::BTreeSet;

use common::podgen::{build_psp, pod, psp};
use k8s_openapi::api::core::v1::Pod;
use podsec_migrate::intent::intent_of;
use podsec_migrate::levels::judge;
use podsec_migrate::psp::{Psp, SeLinuxOptions, SeLinuxRule, SeLinuxStrategy};
use podsec_migrate::pss::checks::capabilities_baseline::ALLOWED as BASELINE_ADD;
use podsec_migrate::pss::{evaluate as pss_evaluate, Level, Version};
use podsec_migrate::simulate::{evaluate, Admission};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

/// Versions where PSS changed in ways PSP fields meet (seccomp 1.19, capabilities 1.22, Windows
/// 1.25, sysctls 1.27/1.29/1.32, SELinux 1.31, latest).
fn version() -> impl Strategy<Value = Version> {
    prop::sample::select(vec![
        Version::Minor(18),
        Version::Minor(22),
        Version::Minor(25),
        Version::Minor(29),
        Version::Minor(31),
        Version::Latest,
    ])
}

/// `p` with every grant baseline forbids taken away (the rest of it left as generated), so the
/// property meets PSPs that `levels` finds baseline-compatible.
fn tighten(p: Psp) -> Psp {
    let mut s = p.spec;
    (s.privileged, s.host_network, s.host_pid, s.host_ipc) = (false, false, false, false);
    s.host_ports.clear();
    s.volumes.retain(|v| v != "*" && v != "hostPath");
    s.allowed_capabilities
        .retain(|c| BASELINE_ADD.contains(&c.as_str()));
    s.default_add_capabilities
        .retain(|c| BASELINE_ADD.contains(&c.as_str()));
    s.allowed_unsafe_sysctls.clear();
    s.allowed_proc_mount_types.retain(|t| t == "Default");
    if s.se_linux.rule == SeLinuxRule::RunAsAny {
        let options = SeLinuxOptions {
            level: Some("s0:c1,c2".into()),
            ..Default::default()
        };
        s.se_linux = SeLinuxStrategy {
            rule: SeLinuxRule::MustRunAs,
            options: Some(options),
        };
    }
    let mut profiles = p.profiles;
    let keep = |l: &mut Vec<String>| l.retain(|x| x != "*" && x != "unconfined");
    if let Some(l) = profiles.seccomp_allowed.as_mut() {
        keep(l);
    }
    let apparmor = profiles
        .apparmor_allowed
        .get_or_insert_with(|| vec!["runtime/default".into()]);
    keep(apparmor);
    build_psp(s, profiles)
}

/// Generated PSPs, half of them tightened to baseline.
fn psps() -> impl Strategy<Value = Psp> {
    prop_oneof![psp(), psp().prop_map(tighten)]
}

/// The seccomp profile an annotation value names, as the field spells it.
fn field_type_of(annotation: &str) -> Option<(&'static str, Option<&str>)> {
    match annotation {
        "runtime/default" | "docker/default" => Some(("RuntimeDefault", None)),
        "unconfined" => Some(("Unconfined", None)),
        a => a.strip_prefix("localhost/").map(|p| ("Localhost", Some(p))),
    }
}

/// False when a seccomp annotation and the matching field are both set and disagree: the API
/// server refuses such a pod (from 1.19) before any admission plugin sees it, and before 1.19
/// the field did not exist, so no cluster ever judged it.
fn seccomp_fields_agree(pod: &Pod) -> bool {
    let notes = pod.metadata.annotations.clone().unwrap_or_default();
    let spec = pod.spec.as_ref().unwrap();
    let agree = |annotation: Option<&String>,
                 field: Option<&k8s_openapi::api::core::v1::SeccompProfile>| match (
        annotation, field,
    ) {
        (Some(a), Some(f)) => {
            field_type_of(a) == Some((f.type_.as_str(), f.localhost_profile.as_deref()))
        }
        _ => true,
    };
    let pod_ok = agree(
        notes.get("seccomp.security.alpha.kubernetes.io/pod"),
        spec.security_context
            .as_ref()
            .and_then(|s| s.seccomp_profile.as_ref()),
    );
    let containers = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten());
    pod_ok
        && containers.into_iter().all(|c| {
            let key = format!("container.seccomp.security.alpha.kubernetes.io/{}", c.name);
            agree(
                notes.get(&key),
                c.security_context
                    .as_ref()
                    .and_then(|s| s.seccomp_profile.as_ref()),
            )
        })
}

/// The PSS violations of the admitted (mutated) pod at each level the PSP is compatible with,
/// leaving out controls PSP never had; `None` when the simulator denies the pod.
fn disagreements(
    psp: &Psp,
    pod: &k8s_openapi::api::core::v1::Pod,
    v: Version,
) -> Option<Vec<String>> {
    let judged = judge(&intent_of(psp), v);
    let new: BTreeSet<&str> = judged.new_in_pss.iter().map(|c| c.control).collect();
    if !seccomp_fields_agree(pod) {
        return None;
    }
    let sim = evaluate(psp, pod.spec.as_ref().unwrap(), &pod.metadata);
    if !matches!(sim.admission, Admission::Admitted { .. }) {
        return None;
    }
    let mutated = &sim.pod;
    let mut out = Vec::new();
    for level in [Level::Baseline, Level::Restricted]
        .into_iter()
        .filter(|l| *l <= judged.compatible_level)
    {
        let e = pss_evaluate(mutated.spec.as_ref().unwrap(), &mutated.metadata, level, v);
        out.extend(
            e.violations
                .iter()
                .filter(|x| !new.contains(x.check))
                .map(|x| format!("{level} {v}: {}", x.message)),
        );
    }
    Some(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_compatible_level_admits_every_pod_the_psp_admits(psp in psps(), pod in pod(), v in version()) {
        if let Some(d) = disagreements(&psp, &pod, v) {
            prop_assert!(d.is_empty(), "levels says {} but the simulator admitted a pod PSS rejects: {:?}", judge(&intent_of(&psp), v).compatible_level, d);
        }
    }
}

/// The property above is only worth something if generated PSPs are often baseline- or
/// restricted-compatible and their pods often admitted: count it.
#[test]
fn the_property_is_exercised_above_privileged() {
    let mut runner = TestRunner::new(Config {
        rng_seed: proptest::test_runner::RngSeed::Fixed(7),
        ..Config::default()
    });
    let strategy = (psps(), pod(), version());
    let (mut above, mut admitted_above) = (0, 0);
    for _ in 0..3000 {
        let (p, pod, v) = strategy.new_tree(&mut runner).unwrap().current();
        if judge(&intent_of(&p), v).compatible_level > Level::Privileged {
            above += 1;
            if disagreements(&p, &pod, v).is_some() {
                admitted_above += 1;
            }
        }
    }
    eprintln!("{above} of 3000 generated PSPs are compatible above privileged; {admitted_above} of those admitted their pod");
    assert!(
        above >= 100 && admitted_above >= 20,
        "too few cases above privileged: {above}, admitted {admitted_above}"
    );
}

/// The case the property once found: an init container whose seccomp annotation says
/// unconfined while its field says RuntimeDefault. PSP (1.19+, field first) admitted it and
/// PSS 1.18 (annotations only) rejects it, but no API server ever accepted such a pod.
#[test]
fn a_pod_whose_seccomp_annotation_and_field_disagree_is_not_a_real_pod() {
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "p", "annotations": {"container.seccomp.security.alpha.kubernetes.io/i0": "unconfined"}},
        "spec": {
            "containers": [{"name": "c0", "image": "x"}],
            "initContainers": [{"name": "i0", "image": "x", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}]
        }
    }))
    .unwrap();
    assert!(!seccomp_fields_agree(&pod));
    let mut agreeing = pod.clone();
    agreeing.metadata.annotations = Some(
        [(
            "container.seccomp.security.alpha.kubernetes.io/i0".to_string(),
            "runtime/default".to_string(),
        )]
        .into(),
    );
    assert!(seccomp_fields_agree(&agreeing));
}
