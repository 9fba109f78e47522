//! `podsec-migrate simulate`: the PSP admission plugin replayed over every Pod and pod template
//! in the input (see [`crate::replay`]).
//!
//! Exit code 0 when every pod is admitted, 1 when any is denied, 3 for bad input, no PSP or no
//! pod.

use super::{findings, load_psps, CliResult};
use crate::cli::{Format, SimulateArgs};
use crate::exit::{self, CliError};
use crate::replay::{simulate, Options, Selection};
use crate::report::simulate as report;
use crate::scope::Identity;

/// Runs `simulate`.
pub fn run(args: &SimulateArgs) -> CliResult {
    let loaded = load_psps(&args.input, &args.gates.feature_gates)?;
    let opts = Options {
        all_psps: args.all_psps,
        user: args
            .user
            .as_deref()
            .map(|u| Identity::user(u, &args.groups)),
    };
    let mut report = simulate(&loaded, &opts);
    report.feature_gates = args.gates.feature_gates;
    if report.results.is_empty() {
        return Err(CliError::new(
            "podsec-migrate: no Pod or pod template found in the input",
            exit::INPUT,
        ));
    }
    if report.selection == Selection::NoRbac {
        note_no_rbac(args.user.is_some());
    }
    let out = match args.format {
        Format::Json => report::json(&report),
        _ => report::text(&report),
    };
    print!("{out}");
    Ok(findings(report.results.iter().all(|r| r.admitted)))
}

fn note_no_rbac(user_given: bool) {
    let user = if user_given {
        "; --user and --group have no effect"
    } else {
        ""
    };
    eprintln!(
        "podsec-migrate simulate: note: the input holds no RBAC (Role, ClusterRole, RoleBinding, ClusterRoleBinding), so every PSP is tried for every pod{user}; add the RBAC that grants the PSPs to scope them, or pass --all-psps to say this is meant"
    );
}
