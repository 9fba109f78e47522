//! The subcommands. Each takes its parsed arguments and returns an exit code; `main` does
//! nothing else.

pub mod audit;
pub mod convert;
pub mod levels;
pub mod simulate;

use crate::cli::InputArgs;
use crate::exit;
use crate::load::{load_inputs, LoadOptions, Loaded};
use crate::psp::FeatureGates;

/// Loads the inputs and prints every diagnostic to stderr. On any error returns the exit code
/// to stop with, after saying how many errors there were.
pub fn load_or_report(input: &InputArgs) -> Result<Loaded, u8> {
    report_loaded(load(input))
}

/// [`load_or_report`], with every PSP stored as an API server with `gates` would have.
pub fn load_gated_or_report(input: &InputArgs, gates: &FeatureGates) -> Result<Loaded, u8> {
    let mut loaded = load(input);
    loaded.apply_feature_gates(gates);
    report_loaded(loaded)
}

fn load(input: &InputArgs) -> Loaded {
    let opts = LoadOptions {
        max_input_bytes: input.max_input_mib.saturating_mul(1024 * 1024),
        rename_duplicates: input.rename_duplicates,
    };
    load_inputs(&input.inputs, &opts)
}

/// Prints every diagnostic; the exit code to stop with when any is an error.
fn report_loaded(loaded: Loaded) -> Result<Loaded, u8> {
    for d in &loaded.diagnostics {
        eprintln!("{d}");
    }
    if let Some(summary) = loaded.skipped_summary() {
        eprintln!("{summary}");
    }
    if loaded.has_errors() {
        let n = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        eprintln!("podsec-migrate: {n} error(s) in the input; nothing was written");
        return Err(exit::INPUT);
    }
    Ok(loaded)
}
