//! Pod Security Admission: the namespace plan, cluster defaults and exemptions, and the
//! documents a cluster admin applies.

mod cluster;
mod current;
pub mod fidelity;
mod observe;
mod plan;
mod render;

pub use cluster::{cluster_plan, ClusterPlan, Defaults, Exemption};
pub use current::{current_labels, current_levels, label_changes, respect_current, LABEL_PREFIX};
pub use observe::{mutated_by_psp, observe};
pub use plan::{
    plan_namespace, stricter, version_label, EnforceFrom, NamespacePlan, Observed, PlanOptions,
    PspLevels,
};
pub use render::{render, Document};

use super::{Input, Rendered, Target};

/// Pod Security Admission as a [`Target`].
pub struct Psa;

impl Target for Psa {
    fn name(&self) -> &'static str {
        fidelity::TARGET
    }

    fn about(&self) -> &'static str {
        "Pod Security Admission: namespace labels, a labelling script, PodSecurityConfiguration"
    }

    fn render(&self, input: &Input<'_>) -> Rendered {
        let exempt = fidelity::exempt_users(input.scopes, input.plan, input.levels);
        Rendered {
            documents: render(input.plan),
            fidelity: fidelity::reports(
                input.intents,
                input.levels,
                input.plan,
                &exempt,
                input.options.k8s_version,
            ),
        }
    }
}
