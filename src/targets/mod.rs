//! The targets a conversion renders. Each is one folder behind one [`Target`] trait and is listed
//! in [`ALL`], the way `pss/checks/mod.rs` lists the controls: the command dispatches over the
//! list and knows no target by name.
//!
//! A target turns the intents (with the levels, the RBAC scopes and the namespace plan derived
//! from them) into documents, and says per PSP constraint what it kept. The fidelity report is
//! never written by hand per target: it is built from the rows every target hands back.

mod cases;
pub mod cel_rows;
pub mod gatekeeper;
pub mod kubewarden;
pub mod kyverno;
pub mod psa;
pub mod vap;

use crate::fidelity::TargetReport;
use crate::intent::Intent;
use crate::levels::PolicyLevels;
use crate::load::Loaded;
use crate::pss::Version;
use crate::render::Document;
use crate::scope::Scopes;
use psa::ClusterPlan;

/// One output of `convert`.
pub trait Target: Sync {
    /// The name on the command line (`--targets`), in report rows and as the output folder.
    fn name(&self) -> &'static str;
    /// One line for `--help`.
    fn about(&self) -> &'static str;
    /// The target's documents and, per PSP, what it keeps of each constraint.
    fn render(&self, input: &Input<'_>) -> Rendered;
    /// Why the target cannot be rendered for a cluster at `version` (an API it needs is newer),
    /// if it cannot.
    fn unsupported(&self, _version: Version) -> Option<String> {
        None
    }
}

/// Every target, in the order `--targets` lists them.
pub const ALL: &[&dyn Target] = &[
    &psa::Psa,
    &kyverno::Kyverno,
    &gatekeeper::Gatekeeper,
    &vap::Vap,
    &kubewarden::Kubewarden,
];

/// The target called `name`.
pub fn by_name(name: &str) -> Option<&'static dyn Target> {
    ALL.iter().copied().find(|t| t.name() == name)
}

/// What every target is given.
pub struct Input<'a> {
    /// The intent of every PSP, sorted by PSP name.
    pub intents: &'a [Intent],
    /// The Pod Security Standards levels of every PSP, sorted by PSP name.
    pub levels: &'a [PolicyLevels],
    /// Who may use which PSP where.
    pub scopes: &'a Scopes,
    /// The level each namespace gets, from the levels of the PSPs usable there.
    pub plan: &'a ClusterPlan,
    /// The whole input, for targets that carry its pods and workloads (test suites).
    pub loaded: &'a Loaded,
    pub options: &'a Options,
}

/// Settings every target reads; a target's own flags join here as fields of their own.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Kubernetes version the output is for.
    pub k8s_version: Version,
    /// What the Kyverno policy does with a pod it rejects.
    pub kyverno_actions: kyverno::Actions,
    /// Which Kyverno API the policies are written for.
    pub kyverno_api: kyverno::Api,
    /// The ValidatingAdmissionPolicyBinding's `validationActions`.
    pub vap_actions: Vec<vap::Action>,
    /// Which Kubewarden objects are written.
    pub kubewarden_form: kubewarden::Form,
}

/// What a target produced.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Files, with paths relative to the output directory (under the target's folder).
    pub documents: Vec<Document>,
    /// One report per PSP.
    pub fidelity: Vec<TargetReport>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        let mut names: Vec<&str> = ALL.iter().map(|t| t.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert_eq!(by_name("psa").map(|t| t.name()), Some("psa"));
        assert!(by_name("nope").is_none());
    }
}
