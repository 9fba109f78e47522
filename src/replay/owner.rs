//! Pairing a Pod with the controller whose template it was made from, through
//! `metadata.ownerReferences`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::load::{Loaded, Object, ObjectKind};

/// The controller of a pod in `namespace`, when it is in the input: the owner named by the
/// pod's controller reference (else its first owner reference); a ReplicaSet absent from the
/// input is matched to the Deployment `<name>` when named `<name>-<hash>`, a Job likewise to
/// the CronJob `<name>` when named `<name>-<number>`.
pub fn controller_of<'a>(
    pod: &ObjectMeta,
    namespace: &str,
    loaded: &'a Loaded,
) -> Option<&'a Object> {
    let owner = owner_ref(pod)?;
    find(loaded, namespace, &owner.kind, &owner.name).or_else(|| {
        let (parent, suffix) = owner.name.rsplit_once('-')?;
        let parent_kind = match owner.kind.as_str() {
            "ReplicaSet" if is_hash(suffix) => "Deployment",
            "Job" if is_number(suffix) => "CronJob",
            _ => return None,
        };
        find(loaded, namespace, parent_kind, parent)
    })
}

fn owner_ref(pod: &ObjectMeta) -> Option<&OwnerReference> {
    let refs = pod.owner_references.as_deref()?;
    refs.iter()
        .find(|r| r.controller == Some(true))
        .or_else(|| refs.first())
}

/// The workload of `kind` named `name` in `namespace`.
fn find<'a>(loaded: &'a Loaded, namespace: &str, kind: &str, name: &str) -> Option<&'a Object> {
    loaded.objects.iter().find(|o| match &o.kind {
        ObjectKind::Workload(w) => {
            w.kind() == kind
                && w.metadata().name.as_deref() == Some(name)
                && o.namespace().as_deref() == Some(namespace)
        }
        _ => false,
    })
}

/// A pod-template-hash: letters and digits.
fn is_hash(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;

    const INPUT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-app, namespace: shop}
spec:
  selector: {matchLabels: {a: b}}
  template: {spec: {containers: [{name: c, image: x}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: api-7d4f, namespace: shop}
spec:
  selector: {matchLabels: {a: b}}
  template: {spec: {containers: [{name: c, image: x}]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: '@daily'
  jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: x}]}}}}
";

    fn loaded() -> Loaded {
        let mut l = Loaded::default();
        load_text("in.yaml", INPUT, &mut l);
        assert!(!l.has_errors(), "{:?}", l.diagnostics);
        l
    }

    fn owned_by(kind: &str, name: &str) -> ObjectMeta {
        ObjectMeta {
            owner_references: Some(vec![OwnerReference {
                kind: kind.into(),
                name: name.into(),
                controller: Some(true),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    fn found(kind: &str, name: &str, ns: &str) -> Option<String> {
        let l = loaded();
        controller_of(&owned_by(kind, name), ns, &l).map(|o| {
            let ObjectKind::Workload(w) = &o.kind else {
                unreachable!()
            };
            format!(
                "{} {}",
                w.kind(),
                w.metadata().name.as_deref().unwrap_or("")
            )
        })
    }

    #[test]
    fn a_replicaset_in_the_input_is_the_controller() {
        assert_eq!(
            found("ReplicaSet", "api-7d4f", "shop").as_deref(),
            Some("ReplicaSet api-7d4f")
        );
    }

    #[test]
    fn an_absent_replicaset_leads_to_its_deployment_by_name_prefix() {
        assert_eq!(
            found("ReplicaSet", "web-app-5c9b8", "shop").as_deref(),
            Some("Deployment web-app")
        );
        assert_eq!(found("ReplicaSet", "web-5c9b8", "shop"), None);
        assert_eq!(found("ReplicaSet", "web-app-5c9b8", "other"), None);
        assert_eq!(found("StatefulSet", "web-app-5c9b8", "shop"), None);
    }

    #[test]
    fn an_absent_job_leads_to_its_cronjob() {
        assert_eq!(
            found("Job", "nightly-28100160", "shop").as_deref(),
            Some("CronJob nightly")
        );
        assert_eq!(found("Job", "nightly-abc", "shop"), None);
    }

    #[test]
    fn the_controller_reference_wins_over_other_owners() {
        let l = loaded();
        let mut meta = owned_by("ReplicaSet", "api-7d4f");
        let refs = meta.owner_references.as_mut().unwrap();
        refs.insert(
            0,
            OwnerReference {
                kind: "Deployment".into(),
                name: "web-app".into(),
                ..Default::default()
            },
        );
        let found = controller_of(&meta, "shop", &l).expect("a controller");
        assert_eq!(found.kind.kind(), "ReplicaSet");
    }

    #[test]
    fn a_pod_without_owner_has_no_controller() {
        let l = loaded();
        assert!(controller_of(&ObjectMeta::default(), "shop", &l).is_none());
    }
}
