//! Pods that record the PSP that admitted them (`kubernetes.io/psp`): does the simulator choose
//! the same one, and did the pod rely on that PSP's mutations (its spec differs from its
//! controller's template where the PSP mutates the template)?

use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};

use super::path::lookup;
use super::{as_pod, owner, Context, Drift, Selection, SimResult};
use crate::load::{Object, PodView};
use crate::psp::Psp;
use crate::simulate::{admit, Admission, VALIDATED_BY};

/// Fills the annotation fields of `r` for a pod that records its PSP.
pub(super) fn cross_check(ctx: &Context<'_>, obj: &Object, view: PodView<'_>, r: &mut SimResult) {
    let recorded = view
        .meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(VALIDATED_BY));
    let Some(recorded) = recorded else {
        return;
    };
    r.annotation_psp = Some(recorded.clone());
    let agrees = r.psp.as_ref() == Some(recorded);
    r.annotation_agrees = Some(agrees);
    if !agrees {
        r.annotation_note = Some(disagreement(ctx, recorded, view, r));
    }
    let Some(pod) = as_pod(obj) else {
        return;
    };
    let Some(ctrl) = owner::controller_of(&pod.metadata, &r.namespace, ctx.loaded) else {
        return;
    };
    let Some(template) = ctrl.pod_view() else {
        return;
    };
    let name = template.owner.name.as_deref().unwrap_or("<unnamed>");
    r.controller = Some(format!("{} {name}", ctrl.kind.kind()));
    if let Some(psp) = ctx.psps.get(recorded) {
        r.depends_on_mutation = drift(psp, pod, template);
    }
}

/// Why the simulator did not choose the recorded PSP.
fn disagreement(ctx: &Context<'_>, recorded: &str, view: PodView<'_>, r: &SimResult) -> String {
    let Some(psp) = ctx.psps.get(recorded) else {
        return format!("the recorded PSP {recorded} is not in the input");
    };
    if ctx.candidates.selection() == Selection::Rbac && !r.candidates.iter().any(|c| c == recorded)
    {
        return format!(
            "the recorded PSP {recorded} is not usable by ServiceAccount {} here",
            r.service_account
        );
    }
    match (admit(psp, view.spec, view.meta), &r.psp) {
        (Admission::Denied { failures }, _) => {
            let first = failures.first().map(|f| format!(": {}: {}", f.field, f.message));
            format!("the recorded PSP {recorded} denies the pod{}", first.unwrap_or_default())
        }
        (Admission::Admitted { .. }, Some(chosen)) => format!(
            "the recorded PSP {recorded} admits the pod too, but {chosen} comes first (a PSP that changes nothing wins, then name order)"
        ),
        (Admission::Admitted { .. }, None) => {
            format!("the recorded PSP {recorded} admits the pod but is not a candidate")
        }
    }
}

/// The fields `psp` mutates in the template where the pod differs from the template; `None`
/// when `psp` denies the template (its mutations are then unknown).
fn drift(psp: &Psp, pod: &Pod, template: PodView<'_>) -> Option<Vec<Drift>> {
    let Admission::Admitted { mutations } = admit(psp, template.spec, template.meta) else {
        return None;
    };
    let pod_json = serde_json::to_value(pod).ok()?;
    let template_json = json!({"metadata": template.meta, "spec": template.spec});
    let at = |v: &Value, path: &str| lookup(v, path).cloned().unwrap_or(Value::Null);
    let found = mutations
        .iter()
        .map(|m| Drift {
            path: m.path.clone(),
            pod: at(&pod_json, &m.path),
            template: at(&template_json, &m.path),
        })
        .filter(|d| d.pod != d.template)
        .collect();
    Some(found)
}
