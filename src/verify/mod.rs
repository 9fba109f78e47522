//! Running emitted policies in embedded engines and comparing them with the simulator: the
//! `verify` command and the differential tests' harness.

pub mod cel;
