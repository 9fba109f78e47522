//! Properties of the PSP simulator over generated pods and policies (see `common/podgen.rs`).

mod common;

use common::podgen::{loosen, pod, psp, LOOSENINGS};
use podsec_migrate::simulate::{admit, choose, evaluate, Admission, Choice};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, failure_persistence: None, ..ProptestConfig::default() })]

    /// A pod admitted after mutation, submitted again as mutated, is admitted unchanged.
    #[test]
    fn mutation_is_idempotent(psp in psp(), pod in pod()) {
        let first = evaluate(&psp, pod.spec.as_ref().unwrap(), &pod.metadata);
        if let Admission::Admitted { mutations } = &first.admission {
            let again = admit(&psp, first.pod.spec.as_ref().unwrap(), &first.pod.metadata);
            prop_assert!(again.is_unchanged(), "after {:?}: {:?}", mutations, again);
        }
    }

    /// Relaxing any one restriction never turns an admitted pod away.
    #[test]
    fn looser_policy_admits_at_least_as_much(psp in psp(), pod in pod(), way in 0..LOOSENINGS) {
        let (spec, meta) = (pod.spec.as_ref().unwrap(), &pod.metadata);
        if admit(&psp, spec, meta).is_admitted() {
            let looser = loosen(&psp, way);
            let got = admit(&looser, spec, meta);
            prop_assert!(got.is_admitted(), "loosening {} refused: {:?}", way, got);
        }
    }

    /// With one policy, the choice is that policy's verdict.
    #[test]
    fn choice_of_one_is_its_verdict(psp in psp(), pod in pod()) {
        let (spec, meta) = (pod.spec.as_ref().unwrap(), &pod.metadata);
        let single = admit(&psp, spec, meta);
        match (choose(&[&psp], spec, meta), single) {
            (Choice::Admitted { mutations, .. }, Admission::Admitted { mutations: m }) => prop_assert_eq!(mutations, m),
            (Choice::Denied { failures }, Admission::Denied { failures: f }) => prop_assert_eq!(&failures[0].1, &f),
            (c, s) => prop_assert!(false, "choice {:?} but verdict {:?}", c, s),
        }
    }
}

/// The generators reach both verdicts and mutation often, so the properties above are not
/// vacuous. (Unchanged admissions are reached by re-submitting mutated pods.)
#[test]
fn generators_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut admitted, mut mutated, mut denied) = (0, 0, 0);
    for _ in 0..400 {
        let p = psp().new_tree(&mut runner).unwrap().current();
        let q = pod().new_tree(&mut runner).unwrap().current();
        match admit(&p, q.spec.as_ref().unwrap(), &q.metadata) {
            Admission::Admitted { mutations } if mutations.is_empty() => admitted += 1,
            Admission::Admitted { .. } => mutated += 1,
            Admission::Denied { .. } => denied += 1,
        }
    }
    println!("admitted {admitted}, admitted after mutation {mutated}, denied {denied}");
    assert!(
        mutated >= 40 && denied >= 40,
        "admitted {admitted}, mutated {mutated}, denied {denied}"
    );
}
