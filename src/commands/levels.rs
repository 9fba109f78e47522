//! `podsec-migrate levels`: the Pod Security Standards level of every PSP, with reasons.

use serde_json::json;

use super::load_or_report;
use crate::cli::{Format, LevelsArgs};
use crate::exit;
use crate::levels::judge;
use crate::pss::Version;
use crate::report::levels::Report;

/// Runs `levels`.
pub fn run(args: &LevelsArgs) -> u8 {
    let version: Version = match args.k8s_version.parse() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("podsec-migrate levels: --k8s-version: {e}");
            return exit::USAGE;
        }
    };
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
    let policies = loaded
        .psps()
        .map(|(obj, psp)| {
            let mut l = judge(psp, version);
            l.source = Some(obj.source.to_string());
            l
        })
        .collect();
    let report = Report::new(version, policies);
    let out = match args.format {
        Format::Json => report.to_json() + "\n",
        Format::Text => report.to_text(),
        Format::Markdown => report.to_markdown(),
    };
    print!("{out}");
    exit::OK
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
