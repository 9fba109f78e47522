//! The PSA fidelity rows against the two references: the PSP simulator (what the PSP admitted)
//! and the Pod Security Standards evaluator (what PSA admits), over generated PSPs and pods.

mod common;

use common::podgen::{pod, psp};
use podsec_migrate::fidelity::{Fidelity, TargetReport};
use podsec_migrate::intent::intent_of;
use podsec_migrate::levels::judge;
use podsec_migrate::psp::Psp;
use podsec_migrate::pss::{self, Level, Version};
use podsec_migrate::simulate::{evaluate, Admission};
use podsec_migrate::targets::psa::fidelity as psa;
use proptest::prelude::*;

const V: Version = Version::Latest;

/// Versions where a level changed something a PSP field maps to.
const VERSIONS: [Version; 5] = [
    Version::Minor(18),
    Version::Minor(21),
    Version::Minor(25),
    Version::Minor(30),
    Version::Latest,
];

fn report(p: &Psp, level: Level, v: Version) -> TargetReport {
    psa::report_at(&intent_of(p), &judge(&intent_of(p), v), level, v)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, max_global_rejects: 50_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// A pod the PSP denied and PSA admits: every PSP field that denied it is looser or lost.
    #[test]
    fn what_psa_admits_against_the_psp_is_looser_or_lost(p in psp(), pod in pod(), l in 0..3usize, v in 0..VERSIONS.len()) {
        let (level, v) = (Level::ALL[l], VERSIONS[v]);
        let ev = evaluate(&p, pod.spec.as_ref().unwrap(), &pod.metadata);
        let Admission::Denied { failures } = &ev.admission else { return Ok(()) };
        // `ev.pod` is the pod after API defaulting, before any mutation: what PSA judges.
        let spec = ev.pod.spec.as_ref().unwrap();
        prop_assume!(pss::evaluate(spec, &ev.pod.metadata, level, v).allowed());
        let r = report(&p, level, v);
        for f in failures {
            let rows: Vec<_> = r.rows.iter().filter(|row| row.field == f.psp_field && row.effect == "validate").collect();
            prop_assert!(!rows.is_empty(), "no row for {}", f.psp_field);
            prop_assert!(
                rows.iter().any(|row| row.verdict >= Fidelity::Looser),
                "{level} {v}: denied by {} ({}), admitted by PSA, but rows say {:?}",
                f.psp_field, f.message, rows
            );
        }
    }

    /// A pod the PSP admitted unchanged and PSA rejects: some row says PSA rejects pods the PSP
    /// admitted (stricter, or looser for values only the PSP pins).
    #[test]
    fn what_psa_rejects_against_the_psp_is_stricter(p in psp(), pod in pod(), l in 0..3usize, v in 0..VERSIONS.len()) {
        let (level, v) = (Level::ALL[l], VERSIONS[v]);
        // Submitting a pod as the PSP mutated it gets it admitted unchanged.
        let first = evaluate(&p, pod.spec.as_ref().unwrap(), &pod.metadata);
        prop_assume!(first.admission.is_admitted());
        let ev = evaluate(&p, first.pod.spec.as_ref().unwrap(), &first.pod.metadata);
        prop_assume!(ev.admission.is_unchanged());
        let spec = ev.pod.spec.as_ref().unwrap();
        let judged = pss::evaluate(spec, &ev.pod.metadata, level, v);
        // Controls no PSP field ever had are extra rules of the target, not rows.
        let new_in_pss = judge(&intent_of(&p), v).new_in_pss;
        prop_assume!(judged.violations.iter().any(|v| !new_in_pss.iter().any(|n| n.control == v.check)));
        let r = report(&p, level, v);
        prop_assert!(
            r.rows.iter().any(|row| row.verdict == Fidelity::Stricter
                || (row.verdict == Fidelity::Looser && row.reason.contains("rejects some pods"))),
            "{level} {v}: PSA rejects {:?}; rows: {:?}",
            judged.violations, r.rows.iter().map(|row| (&row.field, row.verdict)).collect::<Vec<_>>()
        );
    }
}

/// Both properties above reach their assertions often, so they are not vacuous.
#[test]
fn generators_reach_both_disagreements() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut psa_admits_denied, mut psa_rejects_admitted) = (0, 0);
    for i in 0..600 {
        let p = psp().new_tree(&mut runner).unwrap().current();
        let q = pod().new_tree(&mut runner).unwrap().current();
        let level = Level::ALL[i % 3];
        let ev = evaluate(&p, q.spec.as_ref().unwrap(), &q.metadata);
        let spec = ev.pod.spec.as_ref().unwrap();
        let allowed = pss::evaluate(spec, &ev.pod.metadata, level, V).allowed();
        match (&ev.admission, allowed) {
            (Admission::Denied { .. }, true) => psa_admits_denied += 1,
            (Admission::Admitted { .. }, false) => psa_rejects_admitted += 1,
            _ => {}
        }
    }
    assert!(
        psa_admits_denied >= 30 && psa_rejects_admitted >= 30,
        "{psa_admits_denied} / {psa_rejects_admitted}"
    );
}
