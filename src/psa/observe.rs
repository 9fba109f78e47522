//! Evidence: the strictest Pod Security Standards level each observed pod and pod template
//! already meets.

use super::Observed;
use crate::load::Loaded;
use crate::pss::{evaluate, Level, Version};

/// Every pod and pod template of the input, with the strictest level it meets at `version`.
pub fn observe(loaded: &Loaded, version: Version) -> Vec<Observed> {
    loaded
        .objects
        .iter()
        .filter_map(|obj| {
            let pod = obj.pod_view()?;
            let meets = [Level::Restricted, Level::Baseline]
                .into_iter()
                .find(|l| evaluate(pod.spec, pod.meta, *l, version).allowed())
                .unwrap_or(Level::Privileged);
            Some(Observed {
                namespace: obj.namespace().unwrap_or_default(),
                kind: obj.kind.kind().to_string(),
                name: pod.owner.name.clone().unwrap_or_default(),
                meets,
            })
        })
        .collect()
}
