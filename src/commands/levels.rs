//! `podsec-migrate levels`: the Pod Security Standards level of every PSP, with reasons.

use std::process::ExitCode;

use super::{load_psps, CliResult};
use crate::cli::{Format, LevelsArgs};
use crate::exit;
use crate::intent::intent_of;
use crate::levels::judge;
use crate::report::levels::{model_json, Report};

/// Runs `levels`.
pub fn run(args: &LevelsArgs) -> CliResult {
    let loaded = load_psps(&args.input, &args.gates.feature_gates)?;
    if args.dump_model {
        print!("{}", model_json(&loaded));
        return Ok(ExitCode::from(exit::OK));
    }
    let policies = loaded
        .psps()
        .map(|(obj, psp)| {
            let mut l = judge(&intent_of(psp), args.k8s_version);
            l.source = Some(obj.source.to_string());
            l
        })
        .collect();
    let mut report = Report::new(args.k8s_version, policies);
    report.feature_gates = args.gates.feature_gates;
    let out = match args.format {
        Format::Json => report.to_json() + "\n",
        Format::Text => report.to_text(),
        Format::Markdown => report.to_markdown(),
    };
    print!("{out}");
    Ok(ExitCode::from(exit::OK))
}
