//! Pod Security Admission: the namespace plan, cluster defaults and exemptions, and the
//! documents a cluster admin applies.

mod cluster;
pub mod fidelity;
mod observe;
mod plan;
mod render;

pub use cluster::{cluster_plan, ClusterPlan, Defaults, Exemption};
pub use observe::observe;
pub use plan::{
    plan_namespace, stricter, version_label, NamespacePlan, Observed, PlanOptions, PspLevels,
};
pub use render::{render, Document};
