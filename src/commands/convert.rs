//! `podsec-migrate convert`: everything, into one output directory (or `--check` against it).
//! The pipeline is [`crate::convert`]; this adds the reports, writing or checking, and the exit
//! code.

use std::process::ExitCode;

use super::{load_psps, CliResult};
use crate::cli::{ConvertArgs, FailOn, Format, PsaVersion};
use crate::convert::{convert, Conversion, Options};
use crate::exit::{self, CliError};
use crate::fidelity::{self, Fidelity};
use crate::output::{check_dir, write_dir};
use crate::pss::Version;
use crate::report;
use crate::targets::psa::PlanOptions;

/// Runs `convert`.
pub fn run(args: &ConvertArgs) -> CliResult {
    note_version(args.k8s_version);
    let loaded = load_psps(&args.input, &args.gates.feature_gates)?;
    let conversion = with_reports(convert(&loaded, &options(args)));
    if args.check {
        check(args, &conversion)?;
    } else {
        write_dir(&args.out, &conversion.documents, args.force).map_err(|e| {
            CliError::new(
                format!("podsec-migrate: {e}; nothing was written"),
                exit::OUTPUT,
            )
        })?;
        print_summary(args.format, &conversion);
    }
    fail_on(args.fail_on, &conversion)?;
    Ok(ExitCode::from(exit::OK))
}

/// The pipeline's options from the flags.
fn options(args: &ConvertArgs) -> Options {
    Options {
        targets: args.targets.clone(),
        kyverno_actions: args.kyverno_actions,
        kyverno_api: args.kyverno_api,
        feature_gates: args.gates.feature_gates,
        plan: PlanOptions {
            k8s_version: args.k8s_version,
            pin_version: args.psa_version == PsaVersion::Pinned,
            audit_step: args.audit_step,
        },
    }
}

/// The conversion with `REPORT.md` and `report.json` among its documents.
fn with_reports(mut c: Conversion) -> Conversion {
    let reports = report::render(&c);
    c.documents.extend(reports);
    c.documents.sort_by(|a, b| a.path.cmp(&b.path));
    c
}

/// `latest` (the default) is judged at the newest known version, said on stderr since a cluster
/// is usually older; a version newer than the newest known is judged at the newest, also said.
fn note_version(version: Version) {
    let newest = crate::pss::NEWEST_MINOR;
    match version {
        Version::Minor(m) if m > newest => {
            eprintln!("podsec-migrate: note: v1.{m} is newer than the newest known Pod Security Standards; judged at v1.{newest}")
        }
        Version::Latest => eprintln!(
            "podsec-migrate: note: judged at v1.{newest}, the newest known Pod Security Standards; pass --k8s-version v1.N to match your cluster"
        ),
        Version::Minor(_) => {}
    }
}

/// The severity a `--fail-on` value stands for.
fn threshold(f: FailOn) -> Fidelity {
    match f {
        FailOn::Looser => Fidelity::Looser,
        FailOn::Lost => Fidelity::Lost,
        FailOn::MutationDropped => Fidelity::MutationDropped,
    }
}

/// `--fail-on`: an [`exit::FIDELITY`] error when a row reaches the threshold, naming the rows.
fn fail_on(f: Option<FailOn>, c: &Conversion) -> Result<(), CliError> {
    let Some(t) = f.map(threshold) else {
        return Ok(());
    };
    if !fidelity::reaches(&c.fidelity, t) {
        return Ok(());
    }
    let hits: Vec<String> = c
        .fidelity
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|row| row.verdict >= t)
        .map(|row| {
            format!(
                "{}/{} {} ({})",
                row.psp,
                row.target,
                row.field,
                row.verdict.as_str()
            )
        })
        .collect();
    Err(CliError::new(
        format!(
            "podsec-migrate: --fail-on {}: {} fidelity row(s) at least that bad: {}",
            t.as_str(),
            hits.len(),
            hits.join(", ")
        ),
        exit::FIDELITY,
    ))
}

/// `--check`: compare and print the drift; an [`exit::DRIFT`] error when anything differs.
fn check(args: &ConvertArgs, conversion: &Conversion) -> Result<(), CliError> {
    let diffs = check_dir(&args.out, &conversion.documents)
        .map_err(|e| CliError::new(format!("podsec-migrate: {e}"), exit::OUTPUT))?;
    if diffs.is_empty() {
        eprintln!("{} is up to date", args.out.display());
        return Ok(());
    }
    for d in &diffs {
        print!("{d}");
    }
    Err(CliError::new(
        format!(
            "{}: {} file(s) differ from what podsec-migrate would write",
            args.out.display(),
            diffs.len()
        ),
        exit::DRIFT,
    ))
}

fn print_summary(format: Format, conversion: &Conversion) {
    match format {
        Format::Json => print!("{}", report::json(conversion)),
        Format::Markdown => print!("{}", report::markdown(conversion)),
        Format::Text => print!("{}", report::terminal_with(conversion, report::colour())),
    }
}
