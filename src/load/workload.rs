//! Pod controllers: every kind that carries a pod template, read into k8s-openapi types.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{PodTemplate, PodTemplateSpec, ReplicationController};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// A pod controller (or a PodTemplate) and its pod template. Always boxed by its holder, so the
/// size difference between variants costs nothing.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Workload {
    Deployment(Deployment),
    StatefulSet(StatefulSet),
    DaemonSet(DaemonSet),
    ReplicaSet(ReplicaSet),
    ReplicationController(ReplicationController),
    Job(Job),
    CronJob(CronJob),
    PodTemplate(PodTemplate),
}

impl Workload {
    /// The kind, as Kubernetes spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Workload::Deployment(_) => "Deployment",
            Workload::StatefulSet(_) => "StatefulSet",
            Workload::DaemonSet(_) => "DaemonSet",
            Workload::ReplicaSet(_) => "ReplicaSet",
            Workload::ReplicationController(_) => "ReplicationController",
            Workload::Job(_) => "Job",
            Workload::CronJob(_) => "CronJob",
            Workload::PodTemplate(_) => "PodTemplate",
        }
    }

    /// The controller's own metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Workload::Deployment(w) => &w.metadata,
            Workload::StatefulSet(w) => &w.metadata,
            Workload::DaemonSet(w) => &w.metadata,
            Workload::ReplicaSet(w) => &w.metadata,
            Workload::ReplicationController(w) => &w.metadata,
            Workload::Job(w) => &w.metadata,
            Workload::CronJob(w) => &w.metadata,
            Workload::PodTemplate(w) => &w.metadata,
        }
    }

    /// The field path of the pod template inside the object.
    pub fn template_path(&self) -> &'static str {
        match self {
            Workload::CronJob(_) => "spec.jobTemplate.spec.template",
            Workload::PodTemplate(_) => "template",
            _ => "spec.template",
        }
    }

    /// The pod template, when the object has one.
    pub fn pod_template(&self) -> Option<&PodTemplateSpec> {
        match self {
            Workload::Deployment(w) => Some(&w.spec.template),
            Workload::StatefulSet(w) => Some(&w.spec.template),
            Workload::DaemonSet(w) => Some(&w.spec.template),
            Workload::ReplicaSet(w) => w.spec.template.as_ref(),
            Workload::ReplicationController(w) => w.spec.as_ref().and_then(|s| s.template.as_ref()),
            Workload::Job(w) => w.spec.as_ref().map(|s| &s.template),
            Workload::CronJob(w) => w.spec.job_template.spec.as_ref().map(|s| &s.template),
            Workload::PodTemplate(w) => w.template.as_ref(),
        }
    }
}
