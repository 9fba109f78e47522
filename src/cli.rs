//! Command-line arguments (clap derive). Each subcommand's options live here so `--help` is the
//! single description of the public interface.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::psp::FeatureGates;
use crate::pss::{Level, Version};
use crate::targets;

/// Migrate Kubernetes PodSecurityPolicies to Pod Security Admission and policy engines, with an
/// honest report of what does not survive the trip.
#[derive(Debug, Parser)]
#[command(name = "podsec-migrate", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert PSPs (with the RBAC that grants them, namespaces and workloads) into Pod Security
    /// Admission labels and configuration, a Kyverno ValidatingPolicy and a built-in
    /// ValidatingAdmissionPolicy (with MutatingAdmissionPolicy for the defaults), with a report of what
    /// each target keeps of each PSP: exactly, stricter, looser, lost, or a dropped default.
    /// (Gatekeeper and Kubewarden are not built yet.)
    Convert(ConvertArgs),
    /// Map every PSP onto the closest Pod Security Standards level, field by field, saying why.
    Levels(LevelsArgs),
    /// Check pods and pod templates against a Pod Security Standards level, or a whole cluster
    /// dump against a namespace plan: what breaks, where, and why.
    ///
    /// The input is judged as it is read, one object at a time, so a dump of any size (`kubectl
    /// get ... -A -o json|yaml`: a List or many documents, files or stdin) is read in constant
    /// memory; --max-input-mib bounds each document or List item instead of each file. A
    /// document that cannot be read is reported at its position and the rest is still judged.
    /// The PSPs and RBAC that decide which PSP changed a workload are those read before it:
    /// give them first.
    ///
    /// With --plan, per namespace: the workloads whose pods the enforce level rejects, those
    /// audit and warn flag, those that PSP admitted only by changing them (Pod Security
    /// Admission does not mutate), those that hit controls no PSP had, those the engine targets
    /// of DIR deny (Kyverno, through the engine `verify` uses), and the strictest level every
    /// workload there meets.
    ///
    /// Exit code 0 when everything passes, 1 when anything fails --level, is rejected by an
    /// enforce level or denied by a target, 3 when the input holds errors (everything else is
    /// still judged and reported) or no pod.
    Audit(AuditArgs),
    /// Replay the PSP admission plugin: would each pod or pod template have been admitted, by
    /// which PSP, and what would that PSP have changed in it?
    ///
    /// Candidate PSPs follow the RBAC in the input: those the pod's service account
    /// (`spec.serviceAccountName`, else `default`) may `use` in the pod's namespace, plus those of
    /// the requesting user given with --user/--group. When the input holds no RBAC at all (no
    /// Role, ClusterRole, RoleBinding or ClusterRoleBinding), every PSP is tried and a note says
    /// so on stderr; --all-psps does the same on purpose. PSPs are tried in name order: the first
    /// that admits the pod unchanged wins, else the first that admits it with changes.
    ///
    /// Pods that carry the `kubernetes.io/psp` annotation are cross-checked: does the simulator
    /// choose that PSP, and does the pod differ from its controller's template (found through
    /// ownerReferences) where that PSP mutates the template? Such a pod relied on PSP mutation,
    /// which Pod Security Admission does not do.
    ///
    /// Exit code 0 when every pod is admitted, 1 when any is denied, 3 when the input holds errors,
    /// no PodSecurityPolicy or no pod.
    Simulate(SimulateArgs),
    /// Run the policies of a `convert` output directory in engines embedded in this binary
    /// against the pods and pod templates of INPUT, and compare each verdict with the PSP
    /// simulator's: agreed, or which side admits and why.
    ///
    /// Targets run: Kyverno (its MutatingPolicy, then its ValidatingPolicy; where the plugin
    /// changed a pod, the changed pods are compared too), and vap (its MutatingAdmissionPolicy,
    /// then its ValidatingAdmissionPolicy, within the bindings' scope: matchConstraints,
    /// matchConditions, namespaceSelector, validationActions). Pod templates are judged as
    /// Kyverno's autogen judges them, through the template; for vap, a controller is judged as
    /// the API server receives it, the template inside. A disagreement the target's fidelity
    /// report declares (a pod that relied on a PSP default, with no mutating policy in DIR; a
    /// dry-run binding) is shown but does not fail. The Kubewarden output is named and not run:
    /// its policy modules are WebAssembly, which this command does not execute.
    ///
    /// Exit code 0 when every verdict agrees or the difference is declared, 1 when any
    /// disagreement is undeclared, 3 when the input or DIR cannot be read.
    Verify(VerifyArgs),
}

/// Inputs shared by every command.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files, directories (searched recursively for *.yaml, *.yml, *.json) or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Largest input file accepted, in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub max_input_mib: u64,
    /// Keep PSPs whose name is already taken by an earlier input, renamed NAME-2, NAME-3, ...
    /// (by default a repeated name is an error: a cluster holds one PSP per name).
    #[arg(long)]
    pub rename_duplicates: bool,
}

/// The API server's feature gates, for the commands that read PSPs as a cluster stored them.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Feature gates of the cluster's API server, as kube-apiserver takes them
    /// (`ProcMountType=true|false`). The default is that of 1.23/1.24: ProcMountType off, so the
    /// API server dropped `allowedProcMountTypes` from every PSP and only the Default /proc
    /// mount passed. The report says which setting it assumed.
    #[arg(long, value_name = "GATES", value_parser = FeatureGates::parse, default_value = "ProcMountType=false")]
    pub feature_gates: FeatureGates,
}

/// Output formats of the reporting commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// `--format` of the commands that print text or JSON only: markdown is not offered.
fn text_or_json() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(["text", "json"])
        .map(|s| Format::from_str(&s, true).expect("text and json are formats"))
}

/// The outputs `convert` can produce: the names in [`targets::ALL`].
fn target_names() -> PossibleValuesParser {
    targets::ALL
        .iter()
        .map(|t| PossibleValue::new(t.name()).help(t.about()))
        .into()
}

/// `--k8s-version` of `convert`: a [`Version`] that has Pod Security Admission (1.22 and later).
fn psa_version(arg: &str) -> Result<Version, String> {
    let version = arg.parse::<Version>()?;
    match version {
        Version::Minor(m) if m < 22 => Err(format!(
            "Pod Security Admission arrived in Kubernetes 1.22; v1.{m} does not have it"
        )),
        _ => Ok(version),
    }
}

/// The fidelity severities `--fail-on` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A target admits pods the PSP rejected, or cannot express the restriction.
    Looser,
    /// A target cannot express a restriction at all.
    Lost,
    /// A PSP default is not applied, or anything worse.
    #[value(name = "mutation_dropped")]
    MutationDropped,
}

/// How PSA labels name the policy version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PsaVersion {
    /// `v1.N`, the version given with --k8s-version: a cluster upgrade does not change the rules.
    Pinned,
    /// `latest`: the rules follow the cluster's version.
    Latest,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    /// The output directory. It is replaced as a whole; one that podsec-migrate did not make is
    /// only replaced with --force.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// What to produce (comma-separated). Default: every target that is built.
    #[arg(long, value_parser = target_names(), value_delimiter = ',', value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Kubernetes version the output is for: `latest` or `v1.N`.
    #[arg(long, default_value = "latest", value_parser = psa_version, value_name = "VERSION")]
    pub k8s_version: Version,
    /// How PSA labels and the PodSecurityConfiguration name the policy version.
    #[arg(long, value_enum, default_value_t = PsaVersion::Pinned)]
    pub psa_version: PsaVersion,
    /// What the Kyverno policy does with a pod it rejects: `deny` it (the ClusterPolicy's
    /// `Enforce`), or only record it in Kyverno's policy reports (`audit`, a dry run).
    #[arg(long, value_enum, default_value_t = targets::kyverno::Actions::Deny, value_name = "ACTION")]
    pub kyverno_actions: targets::kyverno::Actions,
    /// Which Kyverno API the policy is written for: `policies` (ValidatingPolicy and
    /// MutatingPolicy, policies.kyverno.io/v1), or `clusterpolicy` (one ClusterPolicy,
    /// kyverno.io/v1, for Kyverno releases older than the CEL policy types; it applies no PSP
    /// defaults: see the fidelity report).
    #[arg(long, value_enum, default_value_t = targets::kyverno::Api::Policies, value_name = "API")]
    pub kyverno_api: targets::kyverno::Api,
    /// What the ValidatingAdmissionPolicyBinding does with a pod the policy rejects
    /// (comma-separated `validationActions`): `deny`, or a dry run with `warn` (a warning to the
    /// client) and/or `audit` (an audit annotation). Deny and warn cannot be combined.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "deny",
        value_name = "ACTION"
    )]
    pub vap_actions: Vec<targets::vap::Action>,
    /// Which Kubewarden objects are written: `group` (one ClusterAdmissionPolicyGroup per set
    /// of namespaces, OR-ing the PSPs usable there; no defaults applied), or `policies` (plain
    /// ClusterAdmissionPolicy objects for Kubewarden releases without groups: they are AND-ed,
    /// so one PSP judges each set of namespaces, with its defaults; see the fidelity report).
    #[arg(long, value_enum, default_value_t = targets::kubewarden::Form::Group, value_name = "FORM")]
    pub kubewarden_form: targets::kubewarden::Form,
    /// How many levels stricter than enforce the audit and warn labels go (0 to 2).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=2), value_name = "N")]
    pub audit_step: u8,
    /// Which level of the PSPs usable in a namespace enforce starts from: `compatible` (rejects
    /// nothing the PSPs admitted; raised towards the intended level as far as the workloads in
    /// the input meet it) or `intended` (what the PSPs' explicit grants allow; the fidelity rows
    /// show what becomes stricter). Audit and warn are at least the intended level either way.
    #[arg(long, value_enum, default_value_t = targets::psa::EnforceFrom::Compatible, value_name = "LEVEL")]
    pub enforce: targets::psa::EnforceFrom,
    /// Let the plan propose a level looser than the one a Namespace in the input already
    /// carries in its `pod-security.kubernetes.io/` labels (by default a current label is
    /// never loosened: the plan keeps it and says so).
    #[arg(long)]
    pub allow_loosen: bool,
    /// Write nothing: compare DIR with what would be written, print a unified diff per file that
    /// differs and exit 5 when anything does.
    #[arg(long)]
    pub check: bool,
    /// Replace DIR even when podsec-migrate did not make it.
    #[arg(long)]
    pub force: bool,
    /// Exit 6 when any fidelity row is at least this bad, after DIR is written (or checked; a
    /// drift's exit 5 comes first). Order: exact < stricter < mutation_dropped < looser < lost, so
    /// `looser` trips on looser and lost rows, `lost` on lost rows only. A dropped mutation (PSA
    /// never mutates) is not counted as looser: its effect is judged on the validating row of the
    /// same field; use `mutation_dropped` to refuse those too.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Accepted findings (YAML, kind AcceptedFindings): fidelity rows a reviewer has accepted,
    /// one entry per PSP, target and field with the worst verdict accepted and a reason.
    /// `--fail-on` then trips only on rows no entry accepts; entries that match nothing worse
    /// than exact any more are reported as stale.
    #[arg(long, value_name = "FILE")]
    pub accept: Option<PathBuf>,
    /// Write every fidelity row at least as bad as --fail-on (default: looser) to FILE as
    /// accepted findings, one entry per PSP, target and field, for --accept; edit each reason
    /// to say why the loss is acceptable.
    #[arg(long, value_name = "FILE")]
    pub write_accept: Option<PathBuf>,
    /// The terminal summary's format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct LevelsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    /// Kubernetes version whose Pod Security Standards apply: `latest` or `v1.N`.
    #[arg(long, default_value = "latest", value_parser = parse_version, value_name = "VERSION")]
    pub k8s_version: Version,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print the parsed model of every PSP (JSON) instead of levels.
    #[arg(long)]
    pub dump_model: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    /// The Pod Security Standards level to check every pod and pod template against (needed
    /// unless --plan is given).
    #[arg(long, value_parser = parse_level, value_name = "LEVEL", required_unless_present = "plan")]
    pub level: Option<Level>,
    /// Kubernetes version whose Pod Security Standards apply: `latest` or `v1.N` (with --plan
    /// DIR, each namespace is judged at the version of its enforce label).
    #[arg(long, default_value = "latest", value_parser = parse_version, value_name = "VERSION")]
    pub k8s_version: Version,
    /// The namespace plan to check against: a `convert` output directory (its PSA labels and
    /// defaults, and its engine targets' policies), or `auto` for the plan `convert` would make
    /// from the same input.
    #[arg(long, value_name = "DIR|auto")]
    pub plan: Option<PathBuf>,
    /// With --plan auto: how many levels stricter than enforce audit and warn go (0 to 2), as
    /// in `convert`.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=2), value_name = "N")]
    pub audit_step: u8,
    /// Output format (text or json; markdown with --plan, for a pull request).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    /// The requesting user: the PSPs they may use join the service account's. (In a cluster,
    /// pods made by a controller were requested by the controller's own service account, such as
    /// system:serviceaccount:kube-system:replicaset-controller, not by whoever applied the
    /// Deployment.)
    #[arg(long, value_name = "NAME", conflicts_with = "all_psps")]
    pub user: Option<String>,
    /// A group of the requesting user (repeatable; needs --user).
    #[arg(long = "group", value_name = "NAME", requires = "user")]
    pub groups: Vec<String>,
    /// Try every PSP for every pod, ignoring RBAC.
    #[arg(long)]
    pub all_psps: bool,
    /// Output format (text or json).
    #[arg(long, value_parser = text_or_json(), default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A directory written by `podsec-migrate convert`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    /// The requesting user, as for `simulate`: the PSPs they may use join the service account's.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// A group of the requesting user (repeatable; needs --user).
    #[arg(long = "group", value_name = "NAME", requires = "user")]
    pub groups: Vec<String>,
    /// Output format (text or json).
    #[arg(long, value_parser = text_or_json(), default_value = "text")]
    pub format: Format,
}

/// `--k8s-version`: `latest` or `v1.N`.
fn parse_version(arg: &str) -> Result<Version, String> {
    arg.parse()
}

/// `--level`: privileged, baseline or restricted.
fn parse_level(arg: &str) -> Result<Level, String> {
    arg.parse()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// The `--format` values `--help` offers for `command`.
    fn formats(command: &str) -> Vec<String> {
        let cli = Cli::command();
        let sub = cli.find_subcommand(command).expect(command);
        let arg = sub
            .get_arguments()
            .find(|a| a.get_id() == "format")
            .expect("--format");
        arg.get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect()
    }

    #[test]
    fn help_offers_only_the_formats_a_command_prints() {
        assert_eq!(formats("simulate"), ["text", "json"]);
        assert_eq!(formats("verify"), ["text", "json"]);
        for command in ["convert", "levels", "audit"] {
            assert_eq!(formats(command), ["text", "json", "markdown"], "{command}");
        }
    }
}
