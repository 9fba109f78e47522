//! The PSA documents: Namespace label manifests, a labelling script, and the
//! PodSecurityConfiguration for the built-in plugin and for the webhook.

use serde::Serialize;
use tera::Context;

use super::current::label_changes;
use super::{ClusterPlan, NamespacePlan};
use crate::render::render as render_template;
pub use crate::render::Document;

/// Renders every PSA document of `plan`, in a fixed order.
pub fn render(plan: &ClusterPlan) -> Vec<Document> {
    let mut ctx = Context::new();
    ctx.insert("plan", plan);
    ctx.insert("namespaces", &plan.namespaces);
    let changes: Vec<LabelChanges> = plan
        .namespaces
        .iter()
        .map(|ns| LabelChanges {
            ns,
            labels: label_changes(ns)
                .into_iter()
                .map(|(mode, value)| Label { mode, value })
                .collect(),
        })
        .collect();
    ctx.insert("changes", &changes);
    let configuration = render_template("psa/pod-security-configuration.yaml", &ctx);
    ctx.insert("configuration", &configuration);
    let doc = |path: &str, template: &str| Document {
        path: path.into(),
        content: render_template(template, &ctx),
    };
    vec![
        doc("psa/namespaces.yaml", "psa/namespaces.yaml"),
        doc("psa/label-namespaces.sh", "psa/label-namespaces.sh"),
        doc(
            "psa/admission-configuration.yaml",
            "psa/admission-configuration.yaml",
        ),
        doc(
            "psa/pod-security-webhook-configmap.yaml",
            "psa/pod-security-webhook-configmap.yaml",
        ),
    ]
}

/// One namespace with the labels the script must set: those that differ from its current ones.
#[derive(Serialize)]
struct LabelChanges<'a> {
    ns: &'a NamespacePlan,
    labels: Vec<Label>,
}

/// One label: what follows `pod-security.kubernetes.io/`, and its value.
#[derive(Serialize)]
struct Label {
    mode: String,
    value: String,
}
