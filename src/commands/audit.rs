//! `podsec-migrate audit`: judges every Pod and pod template in the input against one Pod
//! Security Standards level and version, and with `--plan` answers per namespace what the
//! migration breaks (see [`crate::audit`]). The input is streamed: each object is judged as it
//! is read, `--level` results are printed as they come, and what the plan needs is kept small.
//!
//! Exit code 0 when everything passes, 1 when anything fails (the level, an enforce level, an
//! engine target), 3 for errors in the input (after everything else is reported) or no pod.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::CliResult;
use crate::audit::judge::{self, Simulator, TargetEngine};
use crate::audit::namespaces::Tally;
use crate::audit::plan::{self, Plan};
use crate::audit::progress::{self, Progress};
use crate::audit::{judge_level, warn_no_template};
use crate::cli::{AuditArgs, Format};
use crate::diag::Diagnostic;
use crate::exit::{self, CliError};
use crate::load::{check_streamed, stream_inputs, LoadOptions, Loaded, Object, ObjectKind, Sink};
use crate::pss::Version;
use crate::report::audit::{self as report, SHOWN};
use crate::targets::psa::{EnforceFrom, PlanOptions};

/// How many workloads wait for PSPs and RBAC that come later in the input before they are
/// judged for the plan (a few MiB of objects: YAML objects carry the position of every field).
const DEFERRED: usize = 500;

/// Where the plan comes from.
enum PlanChoice {
    None,
    Auto,
    Dir(Plan),
}

/// Runs `audit`.
pub fn run(args: &AuditArgs) -> CliResult {
    let choice = match &args.plan {
        None => PlanChoice::None,
        Some(p) if p.as_os_str() == "auto" => PlanChoice::Auto,
        Some(dir) => PlanChoice::Dir(plan::read_dir(dir).map_err(input_error)?),
    };
    if args.format == Format::Markdown && matches!(choice, PlanChoice::None) {
        return Err(CliError::new(
            "podsec-migrate audit: --format markdown needs --plan; use text or json with --level alone",
            exit::USAGE,
        ));
    }
    let engines = match &args.plan {
        Some(dir) if matches!(choice, PlanChoice::Dir(_)) => {
            judge::engines(dir).map_err(input_error)?
        }
        _ => Vec::new(),
    };
    let opts = LoadOptions {
        max_input_bytes: args.input.max_input_mib.saturating_mul(1024 * 1024),
        rename_duplicates: args.input.rename_duplicates,
    };
    let json = args.format == Format::Json;
    let mut run = Run {
        args,
        new_controls: judge::new_controls(args.k8s_version),
        plan: choice,
        engines,
        context: Loaded::default(),
        simulator: None,
        stale: false,
        context_late: 0,
        deferred: Some(Vec::new()),
        tally: Tally::default(),
        level_out: LevelOut::new(json),
        workloads: 0,
        errors: 0,
        failed: None,
        skipped: BTreeMap::new(),
        ignored: Vec::new(),
        progress: Progress::new(progress::wanted(std::io::stderr().is_terminal(), json)),
    };
    stream_inputs(&args.input.inputs, &opts, &mut run);
    run.finish()
}

fn input_error(e: String) -> CliError {
    CliError::new(format!("podsec-migrate audit: {e}"), exit::INPUT)
}

/// The state of one run while the input streams through it.
struct Run<'a> {
    args: &'a AuditArgs,
    new_controls: Vec<&'static str>,
    plan: PlanChoice,
    engines: Vec<TargetEngine>,
    /// PSPs, RBAC, Namespaces and ServiceAccounts read so far.
    context: Loaded,
    simulator: Option<Simulator>,
    /// The context changed since the simulator was built.
    stale: bool,
    /// PSP or RBAC objects read after workloads were judged.
    context_late: usize,
    /// Workloads waiting for the rest of the context (`None` once they have been judged).
    deferred: Option<Vec<(usize, Object)>>,
    tally: Tally,
    level_out: LevelOut,
    workloads: usize,
    errors: usize,
    /// An engine target that could not judge a workload (ends the run).
    failed: Option<String>,
    skipped: BTreeMap<String, usize>,
    ignored: Vec<PathBuf>,
    progress: Progress,
}

impl Run<'_> {
    /// Keeps a context object; PSPs are stored as the API server with the given gates would.
    fn keep(&mut self, obj: Object) {
        let decides = matches!(
            obj.kind,
            ObjectKind::PodSecurityPolicy(_)
                | ObjectKind::Role(_)
                | ObjectKind::ClusterRole(_)
                | ObjectKind::RoleBinding(_)
                | ObjectKind::ClusterRoleBinding(_)
        );
        let is_psp = matches!(obj.kind, ObjectKind::PodSecurityPolicy(_));
        self.context.objects.push(obj);
        if is_psp {
            self.context
                .apply_feature_gates(&self.args.gates.feature_gates);
            for d in std::mem::take(&mut self.context.diagnostics) {
                self.diagnostic(d);
            }
        }
        if decides {
            self.stale = true;
            if self.deferred.is_none() && self.workloads > 0 {
                self.context_late += 1;
            }
        }
    }

    /// Judges one workload: against --level at once (printed), and for the plan once the
    /// PSPs and RBAC are likely all read: the first [`DEFERRED`] workloads wait for the rest
    /// of the input, or until that many have been read, so a directory whose PSPs sort after
    /// its workloads is replayed with them.
    fn workload(&mut self, obj: Object) {
        self.workloads += 1;
        if let Some(level) = self.args.level {
            if let Some(r) = judge_level(&obj, level, self.args.k8s_version) {
                self.level_out.result(&r);
            }
        }
        if matches!(self.plan, PlanChoice::None) {
            return;
        }
        let seq = self.workloads;
        if let Some(waiting) = &mut self.deferred {
            waiting.push((seq, obj));
            if waiting.len() >= DEFERRED {
                self.judge_deferred();
            }
            return;
        }
        self.judge_for_plan(seq, &obj);
    }

    /// Judges the workloads that waited, with the context read so far; later ones are judged
    /// as they come.
    fn judge_deferred(&mut self) {
        for (seq, obj) in self.deferred.take().unwrap_or_default() {
            self.judge_for_plan(seq, &obj);
        }
    }

    fn judge_for_plan(&mut self, seq: usize, obj: &Object) {
        let version = match &self.plan {
            PlanChoice::None => return,
            PlanChoice::Auto => self.args.k8s_version,
            PlanChoice::Dir(p) => {
                let ns = obj.namespace().unwrap_or_else(|| "default".into());
                p.modes(&ns).parsed_version
            }
        };
        if std::mem::take(&mut self.stale) {
            self.simulator = Simulator::new(&self.context);
        }
        let judged = judge::judge(
            obj,
            version,
            &self.new_controls,
            self.simulator.as_ref(),
            &self.engines,
        );
        match judged {
            Ok(Some(j)) => self.tally.add(seq, j),
            Ok(None) => {}
            Err(e) => {
                self.failed.get_or_insert(e);
            }
        }
    }

    /// After the input: the checks that need all of it, the plan's answers, the exit code.
    fn finish(mut self) -> CliResult {
        self.judge_deferred();
        self.progress.clear();
        let rename = self.args.input.rename_duplicates;
        // Only a plan uses the PSPs (to replay which one changed a workload).
        let psps_used = !matches!(self.plan, PlanChoice::None);
        check_streamed(&mut self.context, rename, psps_used);
        for d in std::mem::take(&mut self.context.diagnostics) {
            self.diagnostic(d);
        }
        if let Some(summary) = self.skipped_summary() {
            eprintln!("{summary}");
        }
        if self.context_late > 0 {
            eprintln!(
                "podsec-migrate: warning: {} PSP or RBAC object(s) came after the first {DEFERRED} workloads of the input; workloads read before them were replayed without them (give PSPs and RBAC first, for example as an INPUT before the dump)",
                self.context_late
            );
        }
        if let Some(e) = self.failed {
            return Err(CliError::new(
                format!("podsec-migrate audit: {e}"),
                exit::INPUT,
            ));
        }
        if self.workloads == 0 {
            return Err(CliError::new(
                "podsec-migrate: no Pod or pod template found in the input",
                exit::INPUT,
            ));
        }
        let plan = match std::mem::replace(&mut self.plan, PlanChoice::None) {
            PlanChoice::None => None,
            PlanChoice::Dir(p) => Some(p),
            PlanChoice::Auto => Some(self.auto_plan()),
        };
        let level_ok = self.level_out.all_passed();
        let level_line = self.args.level.map(|l| (l, self.args.k8s_version));
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let mut plan_ok = true;
        let written = match (&plan, self.args.format) {
            (None, Format::Json) => self.level_out.close_json(&mut out, None),
            (None, _) => out.write_all(self.level_out.close_text(level_line).as_bytes()),
            (Some(p), format) => {
                let tally = std::mem::take(&mut self.tally);
                let targets: Vec<&str> = self.engines.iter().map(|e| e.target).collect();
                if format == Format::Json {
                    // One namespace at a time, straight to stdout.
                    let reports = std::cell::RefCell::new(Some(tally.reports(p)));
                    let totals = std::cell::Cell::new(None);
                    let written = self.level_out.close_json(
                        &mut out,
                        Some(&|o: &mut dyn Write| {
                            let reports = reports.borrow_mut().take().into_iter().flatten();
                            let s = report::write_plan_json(o, p, &targets, reports)?;
                            totals.set(Some(s.rejected + s.denied_by_targets == 0));
                            Ok(())
                        }),
                    );
                    plan_ok = totals.get().unwrap_or(true);
                    written
                } else {
                    let namespaces: Vec<_> = tally.reports(p).map(|n| n.shortened(SHOWN)).collect();
                    plan_ok = namespaces.iter().all(|n| n.passes());
                    let text = match format {
                        Format::Markdown => report::plan_markdown(p, &targets, &namespaces),
                        _ => {
                            self.level_out.close_text(level_line)
                                + &report::plan_text(p, &targets, &namespaces)
                        }
                    };
                    out.write_all(text.as_bytes())
                }
            }
        };
        let _ = written.and_then(|_| out.flush());
        if self.errors > 0 {
            return Err(CliError::new(
                format!(
                    "podsec-migrate: {} error(s) in the input; everything else was judged",
                    self.errors
                ),
                exit::INPUT,
            ));
        }
        Ok(super::findings(level_ok && plan_ok))
    }

    /// The plan `convert` would make: the context, the namespaces workloads were seen in, and
    /// the evidence of the workloads.
    fn auto_plan(&mut self) -> Plan {
        let observed = self.tally.observed(&self.context);
        let known = crate::scope::namespaces_in(&self.context);
        let missing: Vec<String> = self
            .tally
            .namespaces()
            .filter(|n| !known.contains(*n))
            .cloned()
            .collect();
        for name in missing {
            self.context.objects.push(namespace_object(name));
        }
        let opts = PlanOptions {
            k8s_version: self.args.k8s_version,
            pin_version: true,
            audit_step: self.args.audit_step,
            allow_loosen: false,
            enforce: EnforceFrom::Compatible,
        };
        plan::auto(&self.context, &observed, &opts)
    }

    fn skipped_summary(&self) -> Option<String> {
        let summary = Loaded {
            skipped: self.skipped.clone(),
            ignored_files: self.ignored.clone(),
            ..Loaded::default()
        };
        summary.skipped_summary()
    }
}

/// A Namespace object that only names a namespace workloads were seen in (the plan covers
/// every namespace the input mentions, as in `convert`).
fn namespace_object(name: String) -> Object {
    let mut ns = k8s_openapi::api::core::v1::Namespace::default();
    ns.metadata.name = Some(name);
    let source = crate::load::Source {
        file: String::new(),
        document: 0,
        item: None,
        line: 0,
        column: 0,
    };
    Object {
        source,
        locator: crate::diag::Locator {
            file: String::new(),
            spans: crate::diag::Spans::new(Default::default(), Default::default()),
        },
        kind: ObjectKind::Namespace(Box::new(ns)),
    }
}

impl Sink for Run<'_> {
    fn object(&mut self, object: Object) {
        match object.kind {
            ObjectKind::Pod(_) | ObjectKind::Workload(_) => {
                if object.pod_view().is_none() {
                    self.progress.clear();
                    warn_no_template(&object);
                    return;
                }
                self.workload(object);
            }
            _ => self.keep(object),
        }
    }

    fn diagnostic(&mut self, d: Diagnostic) {
        self.progress.clear();
        if d.is_error() {
            self.errors += 1;
        }
        eprintln!("{d}");
    }

    fn skipped(&mut self, kind: String) {
        *self.skipped.entry(kind).or_default() += 1;
    }

    fn ignored_file(&mut self, path: PathBuf) {
        self.ignored.push(path);
    }

    fn progress(&mut self, read: u64, total: Option<u64>) {
        self.progress.update(read, total, self.workloads);
    }
}

/// Writes the plan's members of the JSON document.
type WriteMembers<'a> = dyn Fn(&mut dyn Write) -> std::io::Result<()> + 'a;

/// The `--level` results, written as they come: text lines, or the members of the JSON
/// `results` array (the document is opened with the first result and closed at the end).
struct LevelOut {
    json: bool,
    passed: usize,
    total: usize,
}

impl LevelOut {
    fn new(json: bool) -> LevelOut {
        LevelOut {
            json,
            passed: 0,
            total: 0,
        }
    }

    fn result(&mut self, r: &crate::audit::AuditResult) {
        let text = if self.json {
            let sep = if self.total == 0 {
                "{\n  \"results\": [\n"
            } else {
                ",\n"
            };
            format!("{sep}{}", report::result_json(r))
        } else {
            report::result_text(r)
        };
        self.total += 1;
        self.passed += usize::from(r.allowed);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
    }

    fn all_passed(&self) -> bool {
        self.passed == self.total
    }

    /// Writes the end of the JSON document, with the plan's members when there is a plan.
    fn close_json(
        &self,
        out: &mut dyn Write,
        plan_members: Option<&WriteMembers>,
    ) -> std::io::Result<()> {
        if self.total == 0 {
            out.write_all(b"{\n  \"results\": []")?;
        } else {
            out.write_all(b"\n  ]")?;
        }
        if let Some(members) = plan_members {
            out.write_all(b",\n")?;
            members(out)?;
        }
        out.write_all(b"\n}\n")
    }

    /// The count line of `--level` (nothing without --level).
    fn close_text(&self, level: Option<(crate::pss::Level, Version)>) -> String {
        match level {
            Some((l, v)) => report::summary_text(self.passed, self.total, l, v),
            None => String::new(),
        }
    }
}
