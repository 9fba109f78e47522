//! `podsec-migrate levels`: the Pod Security Standards level of every PSP, with reasons.

use serde_json::json;

use super::load_or_report;
use crate::cli::LevelsArgs;
use crate::exit;

/// Runs `levels`.
pub fn run(args: &LevelsArgs) -> u8 {
    let loaded = match load_or_report(&args.input) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if loaded.psps().next().is_none() {
        eprintln!("podsec-migrate: no PodSecurityPolicy found in the input");
        return exit::INPUT;
    }
    if args.dump_model {
        print_model(&loaded);
        return exit::OK;
    }
    exit::not_implemented("levels")
}

/// Prints every PSP's parsed model and the input's warnings as JSON.
fn print_model(loaded: &crate::load::Loaded) {
    let policies: Vec<_> = loaded
        .psps()
        .map(|(obj, psp)| json!({"source": obj.source, "policy": psp}))
        .collect();
    let out =
        json!({"policies": policies, "diagnostics": loaded.diagnostics, "files": loaded.files});
    println!(
        "{}",
        serde_json::to_string_pretty(&out).expect("the model serializes")
    );
}
