//! The shape of one control: an ID, a level, and behaviours keyed by the minor version they start at.

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::Level;

/// Judges a pod: `None` when it passes, else the violation message (`reason (detail)`).
pub type CheckFn = fn(&PodSpec, &ObjectMeta) -> Option<String>;

/// One behaviour of a control, in force from minor version `since` until the next one.
#[derive(Debug, Clone, Copy)]
pub struct Versioned {
    /// First minor version (`1.since`) this behaviour applies to.
    pub since: u32,
    /// The behaviour itself.
    pub eval: CheckFn,
    /// Baseline check IDs this (restricted) behaviour replaces while it is in force.
    pub overrides: &'static [&'static str],
}

/// One Pod Security Standards control.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// The upstream check ID, e.g. `runAsNonRoot`.
    pub id: &'static str,
    /// The lowest level that enforces it (baseline or restricted).
    pub level: Level,
    /// The PSP fields whose values this control judges, spelled as the intent spells them
    /// (`spec.hostPID`, `metadata.annotations[...]`); empty for controls no PSP field had.
    pub psp_fields: &'static [&'static str],
    /// Behaviours in strictly increasing `since` order.
    pub versions: &'static [Versioned],
}

impl Check {
    /// The behaviour in force at minor version `minor`, if the control exists yet.
    pub fn at_minor(&self, minor: u32) -> Option<&'static Versioned> {
        self.versions.iter().rev().find(|v| v.since <= minor)
    }
}
