//! The targets a conversion renders: each turns the intents and RBAC scopes into documents and
//! says, per constraint, what it kept.

pub mod psa;
