//! `podsec-migrate audit`: judges every Pod and pod template in the input against one Pod
//! Security Standards level and version (see [`crate::audit`]).
//!
//! Exit code 0 when everything passes, 1 when anything fails.

use super::{findings, load_or_report, CliResult};
use crate::audit::audit;
use crate::cli::{AuditArgs, Format};
use crate::exit::{self, CliError};
use crate::report::audit as report;

/// Runs `audit`.
pub fn run(args: &AuditArgs) -> CliResult {
    if args.format == Format::Markdown {
        return Err(CliError::new(
            "podsec-migrate audit: --format markdown is not supported here: use text or json",
            exit::USAGE,
        ));
    }
    let loaded = load_or_report(&args.input)?;
    let results = audit(&loaded, args.level, args.k8s_version);
    if results.is_empty() {
        return Err(CliError::new(
            "podsec-migrate: no Pod or pod template found in the input",
            exit::INPUT,
        ));
    }
    let out = match args.format {
        Format::Json => report::json(&results),
        _ => report::text(&results, args.level, args.k8s_version),
    };
    print!("{out}");
    Ok(findings(results.iter().all(|r| r.allowed)))
}
