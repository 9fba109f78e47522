//! `podsec-migrate convert`: everything, into one output directory (or `--check` against it).

use std::collections::{BTreeMap, BTreeSet};

use super::load_gated_or_report;
use crate::admission::{simulate, SimResult};
use crate::cli::{ConvertArgs, FailOn, Format, PsaVersion, Target};
use crate::exit;
use crate::fidelity::psa::ExemptUsers;
use crate::fidelity::{self, Fidelity, TargetReport};
use crate::intent::{intent_of, Intent};
use crate::levels::{judge, PolicyLevels};
use crate::load::Loaded;
use crate::output::{check_dir, write_dir};
use crate::psa::{cluster_plan, observe, ClusterPlan, PlanOptions, PspLevels};
use crate::psp::FeatureGates;
use crate::pss::Version;
use crate::render::Document;
use crate::report;
use crate::scope::{Scopes, Subject};

/// Everything one conversion produced, before it is written.
pub struct Conversion {
    pub version: Version,
    /// The API server feature gates the PSPs were read under.
    pub feature_gates: FeatureGates,
    pub targets: Vec<Target>,
    pub policies: Vec<PolicyLevels>,
    pub plan: ClusterPlan,
    /// The intent of every PSP, sorted by name.
    pub intents: Vec<Intent>,
    /// What each target keeps of each PSP, by PSP name, then target.
    pub fidelity: Vec<TargetReport>,
    pub documents: Vec<Document>,
    /// Workloads the input's own PSPs denied under its RBAC (simulated as `simulate` does).
    pub psp_denied: Vec<SimResult>,
}

/// Runs `convert`.
pub fn run(args: &ConvertArgs) -> u8 {
    let version = match target_version(&args.k8s_version) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("podsec-migrate convert: --k8s-version: {e}");
            return exit::USAGE;
        }
    };
    let loaded = match load_gated_or_report(&args.input, &args.gates.feature_gates) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if loaded.psps().next().is_none() {
        eprintln!("podsec-migrate: no PodSecurityPolicy found in the input; nothing was written");
        return exit::INPUT;
    }
    let conversion = convert(&loaded, args, version);
    if args.check {
        let code = check(args, &conversion);
        return if code == exit::OK {
            fail_on(args.fail_on, &conversion)
        } else {
            code
        };
    }
    if let Err(e) = write_dir(&args.out, &conversion.documents, args.force) {
        eprintln!("podsec-migrate: {e}; nothing was written");
        return exit::OUTPUT;
    }
    print_summary(args.format, &conversion);
    fail_on(args.fail_on, &conversion)
}

/// The severity a `--fail-on` value stands for.
fn threshold(f: FailOn) -> Fidelity {
    match f {
        FailOn::Looser => Fidelity::Looser,
        FailOn::Lost => Fidelity::Lost,
        FailOn::MutationDropped => Fidelity::MutationDropped,
    }
}

/// `--fail-on`: [`exit::FIDELITY`] when a row reaches the threshold, naming the rows.
fn fail_on(f: Option<FailOn>, c: &Conversion) -> u8 {
    let Some(t) = f.map(threshold) else {
        return exit::OK;
    };
    if !fidelity::reaches(&c.fidelity, t) {
        return exit::OK;
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
    eprintln!(
        "podsec-migrate: --fail-on {}: {} fidelity row(s) at least that bad: {}",
        t.as_str(),
        hits.len(),
        hits.join(", ")
    );
    exit::FIDELITY
}

/// The version to convert for: Pod Security Admission exists from 1.22; `latest` (the default)
/// is the newest known, said on stderr since a cluster is usually older; a version newer than
/// the newest known is judged at the newest, also said.
fn target_version(arg: &str) -> Result<Version, String> {
    let version = arg.parse::<Version>()?;
    let newest = crate::pss::NEWEST_MINOR;
    match version {
        Version::Minor(m) if m < 22 => {
            return Err(format!("Pod Security Admission arrived in Kubernetes 1.22; v1.{m} does not have it"))
        }
        Version::Minor(m) if m > newest => {
            eprintln!("podsec-migrate: note: v1.{m} is newer than the newest known Pod Security Standards; judged at v1.{newest}")
        }
        Version::Latest => eprintln!(
            "podsec-migrate: note: judged at v1.{newest}, the newest known Pod Security Standards; pass --k8s-version v1.N to match your cluster"
        ),
        Version::Minor(_) => {}
    }
    Ok(version)
}

/// Builds every output in memory.
pub fn convert(loaded: &Loaded, args: &ConvertArgs, version: Version) -> Conversion {
    let mut targets = if args.targets.is_empty() {
        vec![Target::Psa]
    } else {
        args.targets.clone()
    };
    targets.sort();
    targets.dedup();
    let mut policies: Vec<PolicyLevels> = loaded.psps().map(|(_, p)| judge(p, version)).collect();
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    let mut intents: Vec<Intent> = loaded.psps().map(|(_, p)| intent_of(p)).collect();
    intents.sort_by(|a, b| a.psp.cmp(&b.psp));
    let levels: BTreeMap<String, PspLevels> = policies
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                PspLevels {
                    compatible: p.compatible_level,
                    intended: p.intended_level,
                },
            )
        })
        .collect();
    let opts = PlanOptions {
        k8s_version: version,
        pin_version: args.psa_version == PsaVersion::Pinned,
        audit_step: args.audit_step,
    };
    let scopes = Scopes::from_loaded(loaded);
    let plan = cluster_plan(loaded, &scopes, &levels, &observe(loaded, version), &opts);
    let exempt = exempt_users(&scopes, &plan, &levels);
    let mut documents = Vec::new();
    let mut fidelity = Vec::new();
    for t in &targets {
        let (docs, kept) = render_target(*t, &intents, &policies, &plan, &exempt, version);
        documents.extend(docs);
        fidelity.extend(kept);
    }
    fidelity.sort_by(|a, b| (&a.psp, &a.target).cmp(&(&b.psp, &b.target)));
    let psp_denied = simulate(loaded, &Default::default())
        .results
        .into_iter()
        .filter(|r| !r.admitted)
        .collect();
    let mut conversion = Conversion {
        version,
        feature_gates: args.gates.feature_gates,
        targets,
        policies,
        plan,
        intents,
        fidelity,
        documents,
        psp_denied,
    };
    let reports = report::render(&conversion);
    conversion.documents.extend(reports);
    conversion.documents.sort_by(|a, b| a.path.cmp(&b.path));
    conversion
}

/// One target: its documents, and per PSP what it kept (the reports are built from these rows,
/// never written per target).
fn render_target(
    target: Target,
    intents: &[Intent],
    policies: &[PolicyLevels],
    plan: &ClusterPlan,
    exempt: &ExemptUsers,
    version: Version,
) -> (Vec<Document>, Vec<TargetReport>) {
    match target {
        Target::Psa => (
            crate::psa::render(plan),
            fidelity::psa::reports(intents, policies, plan, exempt, version),
        ),
    }
}

/// The PSPs RBAC grants to users the plan exempts, with those users.
fn exempt_users(
    scopes: &Scopes,
    plan: &ClusterPlan,
    levels: &BTreeMap<String, PspLevels>,
) -> ExemptUsers {
    let all: BTreeSet<String> = levels.keys().cloned().collect();
    let mut out = ExemptUsers::new();
    for g in &scopes.grants {
        let Subject::User(u) = &g.subject else {
            continue;
        };
        if plan.exempt_usernames.iter().any(|e| &e.value == u) {
            for psp in g.psps.resolve(&all) {
                out.entry(psp).or_default().insert(u.clone());
            }
        }
    }
    out
}

/// `--check`: compare and print the drift.
fn check(args: &ConvertArgs, conversion: &Conversion) -> u8 {
    match check_dir(&args.out, &conversion.documents) {
        Ok(diffs) if diffs.is_empty() => {
            eprintln!("{} is up to date", args.out.display());
            exit::OK
        }
        Ok(diffs) => {
            for d in &diffs {
                print!("{d}");
            }
            eprintln!(
                "{}: {} file(s) differ from what podsec-migrate would write",
                args.out.display(),
                diffs.len()
            );
            exit::DRIFT
        }
        Err(e) => {
            eprintln!("podsec-migrate: {e}");
            exit::OUTPUT
        }
    }
}

fn print_summary(format: Format, conversion: &Conversion) {
    match format {
        Format::Json => print!("{}", report::json(conversion)),
        Format::Markdown => print!("{}", report::markdown(conversion)),
        Format::Text => print!("{}", report::terminal_with(conversion, report::colour())),
    }
}
