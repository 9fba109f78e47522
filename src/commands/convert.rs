//! `podsec-migrate convert`: everything, into one output directory (or `--check` against it).
//! The pipeline is [`crate::convert`]; this adds the reports, writing or checking, and the exit
//! code.

use std::path::Path;
use std::process::ExitCode;

use super::{load_psps, CliResult};
use crate::cli::{ConvertArgs, FailOn, Format, PsaVersion};
use crate::convert::{convert, Conversion, Options};
use crate::exit::{self, CliError};
use crate::fidelity::accept::{self, Accepted};
use crate::fidelity::{self, Fidelity, FidelityRow};
use crate::output::{check_dir, refuse_to_destroy, write_dir};
use crate::pss::Version;
use crate::report;
use crate::targets::psa::PlanOptions;

/// Runs `convert`.
pub fn run(args: &ConvertArgs) -> CliResult {
    check_targets(args)?;
    note_version(args.k8s_version);
    let loaded = load_psps(&args.input, &args.gates.feature_gates)?;
    let mut accepted = read_accepted(args.accept.as_deref())?;
    let conversion = with_reports(convert(&loaded, &options(args)));
    if conversion.no_rbac {
        eprintln!("podsec-migrate convert: note: {}", crate::convert::NO_RBAC);
    }
    for w in crate::convert::oversized(&conversion.documents) {
        eprintln!("podsec-migrate convert: warning: {w}");
    }
    if args.check {
        check(args, &conversion)?;
    } else {
        let cwd = std::env::current_dir().unwrap_or_default();
        refuse_to_destroy(&args.out, &args.input.inputs, &cwd)
            .and_then(|()| write_dir(&args.out, &conversion.documents, args.force))
            .map_err(|e| {
                CliError::new(
                    format!("podsec-migrate: {e}; nothing was written"),
                    exit::OUTPUT,
                )
            })?;
        print_summary(args.format, &conversion);
        let next = report::next_steps(&conversion, &args.out);
        match args.format {
            Format::Text => print!("{next}"),
            // Keep stdout one JSON or Markdown document.
            Format::Json | Format::Markdown => eprint!("{next}"),
        }
    }
    if let Some(file) = &args.accept {
        report_stale(file, &accepted, &conversion);
    }
    if let Some(file) = &args.write_accept {
        // What was just written is accepted for this run too.
        accepted.extend(write_accepted(file, args, &conversion)?);
    }
    fail_on(args.fail_on, &conversion, &accepted, args.accept.as_deref())?;
    Ok(ExitCode::from(exit::OK))
}

/// Usage errors the flags cannot express: a target named in `--targets` whose API the
/// `--k8s-version` lacks, and `--vap-actions` the API refuses. A target left to the default set
/// is left out with a note instead.
fn check_targets(args: &ConvertArgs) -> Result<(), CliError> {
    let usage = |why: String| CliError::new(format!("podsec-migrate convert: {why}"), exit::USAGE);
    for name in &args.targets {
        if let Some(why) =
            crate::targets::by_name(name).and_then(|t| t.unsupported(args.k8s_version))
        {
            return Err(usage(format!("--targets {name}: {why}")));
        }
    }
    crate::targets::vap::check_actions(&args.vap_actions).map_err(usage)?;
    Ok(())
}

/// The entries of `--accept FILE` (none without it); every problem in it at once, as an input
/// error.
fn read_accepted(file: Option<&Path>) -> Result<Vec<Accepted>, CliError> {
    let Some(file) = file else {
        return Ok(Vec::new());
    };
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| {
        CliError::new(
            format!("podsec-migrate: cannot read --accept {name}: {e}; nothing was written"),
            exit::INPUT,
        )
    })?;
    accept::read(&name, &text).map_err(|errors| {
        for e in &errors {
            eprintln!("{e}");
        }
        CliError::new(
            format!(
                "podsec-migrate: {} error(s) in --accept {name}; nothing was written",
                errors.len()
            ),
            exit::INPUT,
        )
    })
}

/// `--write-accept FILE`: every row at least as bad as `--fail-on` (default looser), written
/// whole or not at all; never inside DIR, which the next run replaces.
fn write_accepted(
    file: &Path,
    args: &ConvertArgs,
    c: &Conversion,
) -> Result<Vec<Accepted>, CliError> {
    let fail = |why: String| {
        CliError::new(
            format!(
                "podsec-migrate: cannot write --write-accept {}: {why}",
                file.display()
            ),
            exit::OUTPUT,
        )
    };
    let inside_out = match (
        file.parent().map(Path::canonicalize),
        args.out.canonicalize(),
    ) {
        (Some(Ok(parent)), Ok(out)) => parent.starts_with(out),
        _ => false,
    };
    if inside_out {
        return Err(fail(format!(
            "it is inside {}, which every run replaces",
            args.out.display()
        )));
    }
    let threshold = args.fail_on.map(threshold).unwrap_or(Fidelity::Looser);
    let entries = accept::entries_for(c.fidelity.iter().flat_map(|r| &r.rows), threshold);
    crate::output::write_file(file, &accept::render(&entries)).map_err(|e| fail(e.0))?;
    eprintln!(
        "podsec-migrate: wrote {} accepted finding(s) at least {} to {}; edit each reason to say why it is acceptable",
        entries.len(),
        threshold.as_str(),
        file.display()
    );
    Ok(entries)
}

/// A warning per accepted entry that matches nothing worse than exact any more.
fn report_stale(file: &Path, accepted: &[Accepted], c: &Conversion) {
    let rows: Vec<&FidelityRow> = c.fidelity.iter().flat_map(|r| &r.rows).collect();
    for a in accept::stale(&rows, accepted) {
        eprintln!(
            "{}: warning: accepted finding {} is stale: no row of it is worse than exact any more; remove it from {}",
            a.at,
            a.key(),
            file.display()
        );
    }
}

/// The pipeline's options from the flags.
fn options(args: &ConvertArgs) -> Options {
    Options {
        targets: args.targets.clone(),
        kyverno_actions: args.kyverno_actions,
        kyverno_api: args.kyverno_api,
        vap_actions: args.vap_actions.clone(),
        kubewarden_form: args.kubewarden_form,
        feature_gates: args.gates.feature_gates,
        plan: PlanOptions {
            k8s_version: args.k8s_version,
            pin_version: args.psa_version == PsaVersion::Pinned,
            audit_step: args.audit_step,
            allow_loosen: args.allow_loosen,
            enforce: args.enforce,
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

/// `--fail-on`: an [`exit::FIDELITY`] error when a row no accepted finding covers reaches the
/// threshold, naming the rows.
fn fail_on(
    f: Option<FailOn>,
    c: &Conversion,
    accepted: &[Accepted],
    accept_file: Option<&Path>,
) -> Result<(), CliError> {
    let Some(t) = f.map(threshold) else {
        return Ok(());
    };
    if !fidelity::reaches(&c.fidelity, t) {
        return Ok(());
    }
    let rows = c.fidelity.iter().flat_map(|r| &r.rows);
    let hits: Vec<String> = accept::new_findings(rows, t, accepted)
        .into_iter()
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
    if hits.is_empty() {
        return Ok(());
    }
    let not_accepted = accept_file
        .map(|f| format!(" not accepted in {}", f.display()))
        .unwrap_or_default();
    Err(CliError::new(
        format!(
            "podsec-migrate: --fail-on {}: {} fidelity row(s) at least that bad{not_accepted}: {}",
            t.as_str(),
            hits.len(),
            hits.join(", ")
        ),
        exit::FIDELITY,
    ))
}

/// `--check`: compare and print the drift; an [`exit::DRIFT`] error when anything differs.
fn check(args: &ConvertArgs, conversion: &Conversion) -> Result<(), CliError> {
    if !args.out.is_dir() {
        let what = if args.out.exists() {
            "is not a directory"
        } else {
            "is missing"
        };
        return Err(CliError::new(
            format!(
                "{} {what}: there is nothing to check against (podsec-migrate would write {} file(s) there); run the same command without --check to write it",
                args.out.display(),
                conversion.documents.len() + 1
            ),
            exit::DRIFT,
        ));
    }
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
