//! The subcommands. Each takes its parsed arguments and returns a [`CliResult`]; `main` prints
//! the error, if any, and does nothing else.

pub mod audit;
pub mod convert;
pub mod levels;
pub mod simulate;
pub mod verify;

use crate::cli::InputArgs;
use crate::exit::{self, CliError};
use crate::load::{load_inputs, LoadOptions, Loaded};
use crate::psp::FeatureGates;

/// Loads the inputs and prints every diagnostic to stderr; an error when the input holds
/// errors, saying how many.
pub fn load_or_report(input: &InputArgs) -> Result<Loaded, CliError> {
    report_loaded(load(input))
}

fn load(input: &InputArgs) -> Loaded {
    let opts = LoadOptions {
        max_input_bytes: input.max_input_mib.saturating_mul(1024 * 1024),
        rename_duplicates: input.rename_duplicates,
    };
    load_inputs(&input.inputs, &opts)
}

/// Prints every diagnostic; an error when any is one, saying how many.
fn report_loaded(loaded: Loaded) -> Result<Loaded, CliError> {
    for d in &loaded.diagnostics {
        eprintln!("{d}");
    }
    if let Some(summary) = loaded.skipped_summary() {
        eprintln!("{summary}");
    }
    if loaded.has_errors() {
        let n = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        return Err(CliError::new(
            format!("podsec-migrate: {n} error(s) in the input; nothing was written"),
            exit::INPUT,
        ));
    }
    Ok(loaded)
}

/// Loads the inputs with every PSP stored as an API server with `gates` would have, prints the
/// diagnostics, and fails when any is an error or the input holds no PodSecurityPolicy: the
/// opening of every command that reads PSPs.
pub fn load_psps(input: &InputArgs, gates: &FeatureGates) -> Result<Loaded, CliError> {
    let mut loaded = load(input);
    loaded.apply_feature_gates(gates);
    let loaded = report_loaded(loaded)?;
    if loaded.psps().next().is_none() {
        return Err(CliError::new(
            "podsec-migrate: no PodSecurityPolicy found in the input; nothing was written",
            exit::INPUT,
        ));
    }
    Ok(loaded)
}

/// The exit code of a run that went through: [`exit::OK`] when `ok`, else [`exit::FINDINGS`].
pub fn findings(ok: bool) -> std::process::ExitCode {
    std::process::ExitCode::from(if ok { exit::OK } else { exit::FINDINGS })
}

pub use crate::exit::CliResult;
