//! Behaviour of the simulator across controls: an unusable policy, and the choice among several
//! policies. Each control's behaviour is tested in its check file.

use super::testing::*;
use super::VALIDATED_BY;

#[test]
fn unusable_policy_admits_nothing() {
    let mut p = psp("");
    p.spec.run_as_user.rule = RunAsUserRule::MustRunAs;
    p.spec.fs_group.rule = GroupRule::MayRunAs;
    match run(&p, &pod(APP)).admission {
        Admission::Denied { failures } => {
            let fields: Vec<&str> = failures.iter().map(|f| f.psp_field.as_str()).collect();
            assert_eq!(fields, ["spec.runAsUser.ranges", "spec.fsGroup.ranges"]);
        }
        other => panic!("{other:?}"),
    }
}

fn choose_names(psps: &[&Psp], pod: &Pod) -> Choice {
    choose(psps, pod.spec.as_ref().unwrap(), &pod.metadata)
}

#[test]
fn choice_prefers_a_policy_that_changes_nothing() {
    let mutating = named_psp(
        "a-mutating",
        "  volumes: ['*']\n  readOnlyRootFilesystem: true\n",
        "",
    );
    let plain = named_psp("b-plain", "  volumes: ['*']\n", "");
    match choose_names(&[&plain, &mutating], &pod(APP)) {
        Choice::Admitted {
            psp,
            mutations,
            pod,
        } => {
            assert_eq!(psp, "b-plain");
            assert!(mutations.is_empty());
            assert_eq!(pod.metadata.annotations.unwrap()[VALIDATED_BY], "b-plain");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn choice_takes_the_first_mutating_policy_by_name() {
    let b = named_psp(
        "b",
        "  volumes: ['*']\n  readOnlyRootFilesystem: true\n",
        "",
    );
    let a = named_psp(
        "a",
        "  volumes: ['*']\n  allowPrivilegeEscalation: false\n",
        "",
    );
    match choose_names(&[&b, &a], &pod(APP)) {
        Choice::Admitted { psp, mutations, .. } => {
            assert_eq!(psp, "a");
            assert_eq!(
                mutations[0].path,
                "spec.containers[name=app].securityContext.allowPrivilegeEscalation"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn choice_denied_lists_every_policy_in_name_order() {
    let z = named_psp("z", "  volumes: ['*']\n", "");
    let y = named_psp("y", "  volumes: ['*']\n", "");
    let privileged = pod("  hostPID: true\n  containers: [{name: app, image: x, securityContext: {privileged: true}}]\n");
    match choose_names(&[&z, &y], &privileged) {
        Choice::Denied { failures } => {
            let names: Vec<&str> = failures.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, ["y", "z"]);
            assert!(failures.iter().all(|(_, f)| f.len() == 2));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(choose_names(&[], &pod(APP)), Choice::Denied { failures } if failures.is_empty())
    );
}

#[test]
fn container_mutations_follow_the_plugin_order() {
    let p = named_psp(
        "p",
        "  volumes: ['*']\n  runAsUser: {rule: MustRunAs, ranges: [{min: 7, max: 7}]}\n  readOnlyRootFilesystem: true\n",
        "apparmor.security.beta.kubernetes.io/defaultProfileName: runtime/default",
    );
    let paths: Vec<String> = mutations(&p, &pod(APP))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        paths,
        [
            "spec.containers[name=app].securityContext.runAsUser".to_string(),
            format!("metadata.annotations[{APPARMOR_CONTAINER}app]"),
            "spec.containers[name=app].securityContext.readOnlyRootFilesystem".to_string(),
        ]
    );
}
