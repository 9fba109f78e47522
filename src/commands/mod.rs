//! The subcommands. Each takes its parsed arguments and returns a [`CliResult`]; `main` prints
//! the error, if any, and does nothing else.

pub mod audit;
pub mod convert;
pub mod levels;
pub mod simulate;

use crate::cli::InputArgs;
use crate::exit::{self, CliError};
use crate::load::{load_inputs, LoadOptions, Loaded};

/// Loads the inputs and prints every diagnostic to stderr; an error when the input holds
/// errors, saying how many.
pub fn load_or_report(input: &InputArgs) -> Result<Loaded, CliError> {
    let opts = LoadOptions {
        max_input_bytes: input.max_input_mib.saturating_mul(1024 * 1024),
        rename_duplicates: input.rename_duplicates,
    };
    let loaded = load_inputs(&input.inputs, &opts);
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

/// [`load_or_report`], and an error when the input holds no PodSecurityPolicy: the opening of
/// every command that reads PSPs.
pub fn load_psps(input: &InputArgs) -> Result<Loaded, CliError> {
    let loaded = load_or_report(input)?;
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
