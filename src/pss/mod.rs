//! Pod Security Standards: what each level admits at each Kubernetes version.
//!
//! Each control lives in its own file under [`checks`], knows from which minor version each of
//! its behaviours applies, and is assembled into per-(level, version) lists by [`registry`].
//! [`evaluate`] runs one such list against a pod.

mod check;
pub mod checks;
mod defaults;
mod level;
mod message;
pub mod registry;
#[cfg(test)]
mod testutil;
mod version;
mod visit;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub use check::{Check, CheckFn, Versioned};
pub use level::Level;
pub use version::{Version, NEWEST_MINOR};

/// One control a pod does not satisfy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The upstream check ID, e.g. `allowPrivilegeEscalation`.
    pub check: &'static str,
    /// The reason and detail, worded as the API server words them, e.g.
    /// `allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)`.
    pub message: String,
}

/// The outcome of judging one pod at one level and version.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    /// Every failed control, in registry order (baseline checks by ID, then restricted by ID).
    pub violations: Vec<Violation>,
}

impl Evaluation {
    /// True when the pod satisfies every control of the level.
    pub fn allowed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Judges a pod (as the API server would after its defaulting) against `level` at `version`.
///
/// `privileged` admits everything. Passing pods cost no allocation beyond the empty result.
pub fn evaluate(
    spec: &PodSpec,
    metadata: &ObjectMeta,
    level: Level,
    version: Version,
) -> Evaluation {
    let violations = registry::checks_for(level, version)
        .iter()
        .filter_map(|entry| {
            (entry.eval)(spec, metadata).map(|message| Violation {
                check: entry.id,
                message,
            })
        })
        .collect();
    Evaluation { violations }
}
