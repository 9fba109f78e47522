//! `podsec-migrate verify DIR INPUT...`: the policies in DIR, run in the embedded engines
//! against the pods and pod templates of INPUT, compared with the simulator (see
//! [`crate::verify`]).
//!
//! Exit code 0 when every verdict agrees or the difference is declared, 1 when any is not, 3
//! for bad input or a DIR without a policy this command can run or name (a DIR with only the
//! Kubewarden output is named as not run, and exits 0).

use super::{findings, load_psps, CliResult};
use crate::cli::{Format, VerifyArgs};
use crate::exit::{self, CliError};
use crate::replay::Options;
use crate::report::verify as report;
use crate::scope::Identity;
use crate::verify::verify;

/// Runs `verify`.
pub fn run(args: &VerifyArgs) -> CliResult {
    let loaded = load_psps(&args.input, &args.gates.feature_gates)?;
    let opts = Options {
        all_psps: false,
        user: args
            .user
            .as_deref()
            .map(|u| Identity::user(u, &args.groups)),
    };
    let report = verify(&args.dir, &loaded, &opts)
        .map_err(|e| CliError::new(format!("podsec-migrate verify: {e}"), exit::INPUT))?;
    if report.results.is_empty() {
        return Err(CliError::new(
            "podsec-migrate: no Pod or pod template found in the input",
            exit::INPUT,
        ));
    }
    let out = match args.format {
        Format::Json => report::json(&report),
        _ => report::text(&report),
    };
    print!("{out}");
    Ok(findings(!report.undeclared()))
}
