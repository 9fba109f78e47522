//! podsec-migrate: PodSecurityPolicies in, Pod Security Admission and policy-as-code out, with an
//! honest account of what does not survive the trip.

pub mod audit;
pub mod cel;
pub mod cli;
pub mod commands;
pub mod convert;
pub mod diag;
pub mod exit;
pub mod fidelity;
pub mod intent;
pub mod levels;
pub mod load;
pub mod output;
pub mod psp;
pub mod pss;
pub mod render;
pub mod replay;
pub mod report;
pub mod scope;
pub mod simulate;
pub mod targets;
pub mod verify;
