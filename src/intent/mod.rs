//! The intent of a PodSecurityPolicy: an engine-neutral list of constraints, each remembering the
//! PSP field it came from, whether it validates or mutates, and whether the value was written in
//! the manifest or is an API default. Every target, the levels and the simulator read this, never
//! the PSP itself.
//!
//! A field that both checks and defaults (for example `runAsUser: MustRunAs`) yields two
//! constraints, one per effect, so a target can keep the check and lose the default (PSA never
//! mutates) and say so precisely.

mod apparmor;
mod capabilities;
mod control;
mod host_namespaces;
mod privilege_escalation;
mod privileged;
mod proc_mount;
mod read_only_root_filesystem;
mod restricts;
mod runtime_class;
mod seccomp;
mod selinux;
mod sysctls;
mod users_groups;
mod volumes;

use serde::Serialize;

pub use control::{Control, HostNamespace, VolumeTypes};

use crate::psp::Psp;

/// What a PSP means, as a list of constraints in a fixed order (the order of the families
/// below, then of the PSP's fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intent {
    /// The PSP's name.
    pub psp: String,
    pub constraints: Vec<Constraint>,
}

/// One thing the PSP enforces or defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraint {
    /// The PSP field, as the API spells it (`spec.hostPorts`,
    /// `metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]`).
    pub field: String,
    pub effect: Effect,
    pub origin: Origin,
    /// The control and its full value.
    pub control: Control,
}

/// Whether a constraint rejects pods or changes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Effect {
    Validate,
    Mutate,
}

/// Whether the value was spelled out in the manifest or comes from the API's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Origin {
    Explicit,
    Default,
}

impl Constraint {
    /// One normalised line, e.g. `host ports: 80-80, 443-443` (used by the semantic diff).
    pub fn describe(&self) -> String {
        self.control.describe()
    }
}

impl Intent {
    /// The constraints with the given effect.
    pub fn with_effect(&self, effect: Effect) -> impl Iterator<Item = &Constraint> {
        self.constraints.iter().filter(move |c| c.effect == effect)
    }

    /// The first constraint whose control `pick` accepts.
    pub fn find<'a, T>(&'a self, pick: impl Fn(&'a Control) -> Option<T>) -> Option<T> {
        self.constraints.iter().find_map(|c| pick(&c.control))
    }

    /// What `pick` takes from a validating control every intent has ([`intent_of`] gives one
    /// for every PSP field, API defaults included), so readers keep no defaults of their own.
    pub fn value<'a, T>(&'a self, pick: impl Fn(&'a Control) -> Option<T>) -> T {
        self.find(pick).expect(COMPLETE)
    }
}

/// Said when an intent lacks a validating control: a bug in [`intent_of`].
pub const COMPLETE: &str = "an intent has a validating constraint for every PSP field";

/// The intent of one PSP.
pub fn intent_of(psp: &Psp) -> Intent {
    let mut b = Builder {
        psp,
        out: Vec::new(),
    };
    privileged::build(&mut b);
    host_namespaces::build(&mut b);
    volumes::build(&mut b);
    capabilities::build(&mut b);
    users_groups::build(&mut b);
    selinux::build(&mut b);
    read_only_root_filesystem::build(&mut b);
    privilege_escalation::build(&mut b);
    proc_mount::build(&mut b);
    runtime_class::build(&mut b);
    sysctls::build(&mut b);
    seccomp::build(&mut b);
    apparmor::build(&mut b);
    Intent {
        psp: psp.name.clone(),
        constraints: b.out,
    }
}

/// Collects constraints; knows which spec fields were explicit.
pub(crate) struct Builder<'p> {
    pub psp: &'p Psp,
    pub out: Vec<Constraint>,
}

impl Builder<'_> {
    /// Origin of spec field `name` (API spelling, without `spec.`).
    fn origin(&self, name: &str) -> Origin {
        if self.psp.spec.is_explicit(name) {
            Origin::Explicit
        } else {
            Origin::Default
        }
    }

    /// Adds a constraint on spec field `name`.
    fn spec(&mut self, name: &str, effect: Effect, control: Control) {
        let origin = self.origin(name);
        self.push(format!("spec.{name}"), effect, origin, control);
    }

    /// Adds a constraint on a sub-field of spec field `name` (`runtimeClass`, `.defaultRuntimeClassName`).
    fn spec_sub(&mut self, name: &str, sub: &str, effect: Effect, control: Control) {
        let origin = self.origin(name);
        self.push(format!("spec.{name}.{sub}"), effect, origin, control);
    }

    /// Adds a constraint on a PSP annotation; present means explicit.
    fn annotation(&mut self, key: &str, effect: Effect, control: Control) {
        let origin = if self.psp.annotations.contains_key(key) {
            Origin::Explicit
        } else {
            Origin::Default
        };
        self.push(
            format!("metadata.annotations[{key}]"),
            effect,
            origin,
            control,
        );
    }

    fn push(&mut self, field: String, effect: Effect, origin: Origin, control: Control) {
        self.out.push(Constraint {
            field,
            effect,
            origin,
            control,
        });
    }
}

#[cfg(test)]
mod tests;
