//! The CEL backend: the intents of the PSPs and the RBAC that grants them, as CEL that admits a
//! pod exactly when the PodSecurityPolicy admission plugin would have: when at least one PSP
//! the pod may use admits it (OR, never AND).
//!
//! Shared by every CEL-speaking target (Kyverno's ValidatingPolicy, ValidatingAdmissionPolicy,
//! Gatekeeper's CEL block). The output is a list of named variables and one validation over
//! them; a target places them in its own document and says how to reach the pod (`object.spec`
//! for a Pod; a pod template for controllers).
//!
//! One file per control family, mirroring `simulate/check/`: each reads the same
//! [`Rules`](crate::simulate::rules::Rules) the simulator reads, so the two cannot drift apart
//! silently, and the differential tests (`tests/cel_vs_simulator.rs`) prove they agree.
//!
//! A PSP admits a pod when the pod passes its checks both as submitted and after the PSP's
//! defaults. With the emitted mutation installed, the pod arrives with the defaults of the PSP
//! the plugin would have chosen, and both hold for that PSP; without it, a pod that relied on a
//! default is refused instead of slipping in without it.

pub mod access;
mod apparmor;
mod capabilities;
pub mod eval;
pub mod expr;
mod host_namespaces;
pub mod lit;
mod mutate;
mod privilege_escalation;
mod privileged;
mod proc_mount;
mod read_only_root_filesystem;
mod runtime_class;
mod seccomp;
pub mod selinux;
mod sysctls;
mod users_groups;
mod volumes;

use std::collections::BTreeSet;

use serde::Serialize;

pub use access::Access;
use expr::Checks;
pub use mutate::LISTS as CONTAINER_LISTS;

use crate::intent::{Effect, Intent};
use crate::simulate::rules::Rules;

/// Whether checks read the pod as submitted or as the policy's defaults would leave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    AsSubmitted,
    AfterDefaults,
}

/// One named CEL expression; later ones may use earlier ones as `variables.<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variable {
    pub name: String,
    pub expression: String,
}

/// Where the pod is, relative to the admitted `object`: as CEL to read it, and as the JSON
/// pointer (a CEL string expression) a patch writes to. Reading the metadata is guarded at every
/// step: a pod template may have none.
#[derive(Debug, Clone)]
pub struct PodRoot {
    /// The pod spec, e.g. `object.spec`.
    pub spec: String,
    /// Whether the pod has metadata (a CEL boolean).
    pub metadata_present: String,
    /// Whether the pod has annotations (a CEL boolean).
    pub annotations_present: String,
    /// The pod's annotations, where present.
    pub annotations: String,
    /// The spec's JSON pointer, e.g. `"/spec"`.
    pub spec_pointer: String,
    /// The metadata's JSON pointer, e.g. `"/metadata"`.
    pub metadata_pointer: String,
    /// The namespace the pod runs in (a CEL string): the object's own where it has one (the
    /// API server sets it before admission), else the request's.
    pub namespace: String,
}

/// The object's namespace, else the request's, where `guard` says the namespace is there to
/// read.
fn namespace(guard: &str) -> String {
    format!("({guard} && object.metadata.namespace != \"\") ? object.metadata.namespace : request.namespace")
}

/// The guard of [`namespace`]. A Pod always has metadata, but Kyverno's autogen (ValidatingPolicy
/// and ClusterPolicy alike, in some releases) copies a Pod rule for pod controllers by rewriting
/// the text `object.metadata` to the pod template's metadata, which a CronJob's template may
/// lack: every step is guarded.
const POD_NAMESPACE: &str = "has(object.metadata) && has(object.metadata.namespace)";

impl PodRoot {
    /// The pod at `base` (`object`, `object.spec.template`), with JSON pointer `pointer`.
    fn at(base: &str, pointer: &str) -> PodRoot {
        PodRoot {
            spec: format!("{base}.spec"),
            metadata_present: format!("has({base}.metadata)"),
            annotations_present: format!(
                "has({base}.metadata) && has({base}.metadata.annotations)"
            ),
            annotations: format!("{base}.metadata.annotations"),
            spec_pointer: lit::string(&format!("{pointer}/spec")),
            metadata_pointer: lit::string(&format!("{pointer}/metadata")),
            namespace: namespace(POD_NAMESPACE),
        }
    }

    /// A Pod itself.
    pub fn pod() -> PodRoot {
        PodRoot::at("object", "")
    }

    /// A Pod, or the pod template of a pod controller, found by the object's kind: a CronJob's
    /// template is under `spec.jobTemplate.spec.template`, every other controller's under
    /// `spec.template`.
    pub fn pod_or_template() -> PodRoot {
        let (pod, cron, other) = (
            PodRoot::pod(),
            PodRoot::at(
                "object.spec.jobTemplate.spec.template",
                "/spec/jobTemplate/spec/template",
            ),
            PodRoot::at("object.spec.template", "/spec/template"),
        );
        let pick = |f: fn(&PodRoot) -> &String| {
            format!(
                "(object.kind == \"Pod\" ? {} : (object.kind == \"CronJob\" ? {} : {}))",
                paren(f(&pod)),
                paren(f(&cron)),
                paren(f(&other))
            )
        };
        PodRoot {
            spec: pick(|r| &r.spec),
            metadata_present: pick(|r| &r.metadata_present),
            annotations_present: pick(|r| &r.annotations_present),
            annotations: pick(|r| &r.annotations),
            spec_pointer: pick(|r| &r.spec_pointer),
            metadata_pointer: pick(|r| &r.metadata_pointer),
            namespace: namespace(POD_NAMESPACE),
        }
    }
}

/// `(x)` unless `x` is a plain path or literal.
fn paren(x: &str) -> String {
    if x.contains(' ') {
        format!("({x})")
    } else {
        x.to_string()
    }
}

/// The validating program: variables, the expression that must hold, and a message
/// expression saying which PSPs were tried and what each refused.
#[derive(Debug, Clone, Serialize)]
pub struct Program {
    pub variables: Vec<Variable>,
    pub expression: String,
    pub message_expression: String,
    /// The PSPs, in name order, with the variable prefix used for each.
    pub psps: Vec<PspVariables>,
}

/// How one PSP appears among the variables.
#[derive(Debug, Clone, Serialize)]
pub struct PspVariables {
    pub psp: String,
    /// The prefix of its variables: `<id>_usable`, `<id>_violations`, `<id>_admits`.
    pub id: String,
    /// Whether `<id>_violations_after_defaults` exists (the PSP has defaults).
    pub after_defaults: bool,
}

/// The validating program for `intents` under `access`.
pub fn validating(intents: &[Intent], access: Access<'_>, root: &PodRoot) -> Program {
    let (named, all) = named_intents(intents);
    let mut variables = pod_variables(root);
    let mut psps = Vec::new();
    for (intent, id) in named {
        let vars = psp_variables(intent, &id, access, &all);
        let after_defaults = vars.iter().any(|v| v.name.ends_with("_after_defaults"));
        variables.extend(vars);
        psps.push(PspVariables {
            psp: intent.psp.clone(),
            id,
            after_defaults,
        });
    }
    let expression = if psps.is_empty() {
        "false".to_string()
    } else {
        psps.iter()
            .map(|p| format!("variables.{}_admits", p.id))
            .collect::<Vec<_>>()
            .join(" || ")
    };
    Program {
        message_expression: message(&psps),
        variables,
        expression,
        psps,
    }
}

/// The mutating program: the pod's variables, then per PSP whether it may be used, what it
/// refuses as submitted and after its defaults, and its patches; `patches` is the list of the
/// PSP the plugin would have chosen (none when some PSP admits the pod unchanged, or none
/// admits it).
#[derive(Debug, Clone, Serialize)]
pub struct Mutating {
    pub variables: Vec<Variable>,
    /// The name of the variable holding the chosen patches.
    pub patches: String,
}

/// The mutating program for `intents` under `access`.
pub fn mutating(intents: &[Intent], access: Access<'_>, root: &PodRoot) -> Mutating {
    let (named, all) = named_intents(intents);
    let mut variables = mutation_pod_variables(root);
    let mut ids = Vec::new();
    for (intent, id) in named {
        variables.extend(psp_mutation_variables(intent, &id, access, &all));
        ids.push(id);
    }
    let unchanged: Vec<String> = ids
        .iter()
        .map(|id| format!("variables.{id}_admits_unchanged"))
        .collect();
    let mut choice = String::new();
    if !unchanged.is_empty() {
        choice.push_str(&format!("({}) ? [] :\n", unchanged.join(" || ")));
    }
    for id in &ids {
        choice.push_str(&format!(
            "variables.{id}_admits_after_defaults ? variables.{id}_patches :\n"
        ));
    }
    choice.push_str("[]");
    variables.push(var("patches", choice));
    Mutating {
        variables,
        patches: "patches".into(),
    }
}

/// The patches of one PSP alone, with no choice among PSPs: what `intent` makes of a pod the
/// plugin is known to have let it mutate. A fraction of the size of [`mutating`], for expecting
/// changes without compiling every PSP's checks.
pub fn mutating_one(intent: &Intent, root: &PodRoot) -> Mutating {
    let id = unique_id(&intent.psp, &mut BTreeSet::new());
    let r = Rules::of(intent);
    let mut variables = mutation_pod_variables(root);
    if r.unusable().is_empty() {
        variables.extend(patch_variables(&r, &id));
    } else {
        variables.push(var(&format!("{id}_patches"), "[]"));
    }
    variables.push(var("patches", format!("variables.{id}_patches")));
    Mutating {
        variables,
        patches: "patches".into(),
    }
}

/// The pod's variables and the pointers and names the patches are built from.
fn mutation_pod_variables(root: &PodRoot) -> Vec<Variable> {
    let mut variables = pod_variables(root);
    variables.push(var("specPointer", root.spec_pointer.clone()));
    variables.push(var("metadataPointer", root.metadata_pointer.clone()));
    variables.push(var("hasMetadata", root.metadata_present.clone()));
    variables.push(var("hasAnnotations", root.annotations_present.clone()));
    for list in mutate::LISTS {
        variables.push(var(
            &format!("{list}Names"),
            format!("(has(variables.spec.{list}) ? variables.spec.{list} : []).map(c, c.name)"),
        ));
    }
    variables
}

/// One PSP's annotation patches and its whole patch list (`<id>_patches`).
fn patch_variables(r: &Rules, id: &str) -> [Variable; 2] {
    let annotations = mutate::annotation_patches(r);
    let add_empty = |path: &str| format!("{{\"op\": \"add\", \"path\": {path}, \"value\": {{}}}}");
    let ensure = format!(
        "(size(variables.{id}_annotation_patches) > 0 ? \
         (variables.hasMetadata ? [] : [{}]) + (variables.hasAnnotations ? [] : [{}]) : [])",
        add_empty("variables.metadataPointer"),
        add_empty("variables.metadataPointer + \"/annotations\"")
    );
    [
        var(&format!("{id}_annotation_patches"), annotations),
        var(
            &format!("{id}_patches"),
            format!(
                "{ensure} +\nvariables.{id}_annotation_patches +\n{} +\n{}",
                mutate::pod_patches(r),
                mutate::container_patches(r)
            ),
        ),
    ]
}

/// One PSP's variables in the mutating program.
fn psp_mutation_variables(
    intent: &Intent,
    id: &str,
    access: Access<'_>,
    all: &BTreeSet<String>,
) -> Vec<Variable> {
    let r = Rules::of(intent);
    if !r.unusable().is_empty() {
        return vec![
            var(&format!("{id}_patches"), "[]"),
            var(&format!("{id}_admits_unchanged"), "false"),
            var(&format!("{id}_admits_after_defaults"), "false"),
        ];
    }
    let [annotation_patches, patches] = patch_variables(&r, id);
    vec![
        var(&format!("{id}_usable"), access::usable(access, &intent.psp, all)),
        var(
            &format!("{id}_violations"),
            checks(&r, Mode::AsSubmitted).violations(),
        ),
        var(
            &format!("{id}_violations_after_defaults"),
            checks(&r, Mode::AfterDefaults).violations(),
        ),
        annotation_patches,
        patches,
        var(
            &format!("{id}_admits_unchanged"),
            format!("variables.{id}_usable && size(variables.{id}_violations) == 0 && size(variables.{id}_patches) == 0"),
        ),
        var(
            &format!("{id}_admits_after_defaults"),
            format!("variables.{id}_usable && size(variables.{id}_violations_after_defaults) == 0"),
        ),
    ]
}

/// The intents in PSP name order (the plugin's order), each with its variable prefix, and the
/// set of every PSP name.
fn named_intents(intents: &[Intent]) -> (Vec<(&Intent, String)>, BTreeSet<String>) {
    let mut sorted: Vec<&Intent> = intents.iter().collect();
    sorted.sort_by(|a, b| a.psp.cmp(&b.psp));
    let all = sorted.iter().map(|i| i.psp.clone()).collect();
    let mut taken = BTreeSet::new();
    let named = sorted
        .into_iter()
        .map(|i| (i, unique_id(&i.psp, &mut taken)))
        .collect();
    (named, all)
}

/// `psp_<name>`, made unique with a numeric suffix; no two `_` stand together (see
/// [`lit::identifier`]).
fn unique_id(psp: &str, taken: &mut BTreeSet<String>) -> String {
    let core = lit::identifier(psp);
    let core = core.trim_matches('_');
    let base = if core.is_empty() {
        "psp".to_string()
    } else {
        format!("psp_{core}")
    };
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}_{n}");
        n += 1;
    }
    id
}

fn var(name: &str, expression: impl Into<String>) -> Variable {
    Variable {
        name: name.into(),
        expression: expression.into(),
    }
}

/// The pod as the checks read it: spec, annotations, namespace, service account (as the
/// plugin resolved it), the container lists, volumes and `hostNetwork`.
fn pod_variables(root: &PodRoot) -> Vec<Variable> {
    let s = "variables.spec";
    let list = |f: &str| format!("(has({s}.{f}) ? {s}.{f} : [])");
    vec![
        var("spec", root.spec.clone()),
        var(
            "annotations",
            format!("({}) ? {} : {{}}", root.annotations_present, root.annotations),
        ),
        var("namespace", root.namespace.clone()),
        var(
            "serviceAccount",
            format!(
                "(has({s}.serviceAccountName) && {s}.serviceAccountName != \"\") ? {s}.serviceAccountName : \
                 ((has({s}.serviceAccount) && {s}.serviceAccount != \"\") ? {s}.serviceAccount : \"default\")"
            ),
        ),
        var(
            "podContainers",
            format!("{} + {}", list("initContainers"), list("containers")),
        ),
        var("ephemeralContainers", list("ephemeralContainers")),
        var(
            "containers",
            "variables.podContainers + variables.ephemeralContainers",
        ),
        var("volumes", list("volumes")),
        var(
            "hostNetwork",
            format!("has({s}.hostNetwork) && {s}.hostNetwork"),
        ),
    ]
}

/// `<id>_usable`, `<id>_violations` (as submitted), `<id>_violations_after_defaults` (when
/// the PSP has defaults) and `<id>_admits`.
fn psp_variables(
    intent: &Intent,
    id: &str,
    access: Access<'_>,
    all: &BTreeSet<String>,
) -> Vec<Variable> {
    let r = Rules::of(intent);
    let usable = access::usable(access, &intent.psp, all);
    let unusable = r.unusable();
    if !unusable.is_empty() {
        let reasons: Vec<String> = unusable
            .iter()
            .map(|(f, why)| lit::string(&format!("{f}: the policy cannot be used: {why}")))
            .collect();
        return vec![
            var(&format!("{id}_usable"), usable),
            var(
                &format!("{id}_violations"),
                format!("[{}]", reasons.join(", ")),
            ),
            var(&format!("{id}_admits"), "false"),
        ];
    }
    let mut out = vec![
        var(&format!("{id}_usable"), usable),
        var(
            &format!("{id}_violations"),
            checks(&r, Mode::AsSubmitted).violations(),
        ),
    ];
    let mut admits = format!("variables.{id}_usable && size(variables.{id}_violations) == 0");
    if intent.with_effect(Effect::Mutate).next().is_some() {
        out.push(var(
            &format!("{id}_violations_after_defaults"),
            checks(&r, Mode::AfterDefaults).violations(),
        ));
        admits.push_str(&format!(
            " && size(variables.{id}_violations_after_defaults) == 0"
        ));
    }
    out.push(var(&format!("{id}_admits"), admits));
    out
}

/// Every check of one PSP, in the simulator's order: pod-level first, then per container.
fn checks(r: &Rules, mode: Mode) -> Checks {
    let mut out = Checks::default();
    users_groups::pod_groups(r, mode, &mut out);
    seccomp::check(r, mode, &mut out);
    host_namespaces::namespaces(r, &mut out);
    sysctls::check(r, &mut out);
    volumes::check(r, &mut out);
    runtime_class::check(r, mode, &mut out);
    users_groups::container(r, mode, &mut out);
    selinux::check(r, mode, &mut out);
    apparmor::check(r, mode, &mut out);
    privileged::check(r, &mut out);
    proc_mount::check(r, &mut out);
    capabilities::check(r, mode, &mut out);
    host_namespaces::ports(r, &mut out);
    read_only_root_filesystem::check(r, mode, &mut out);
    privilege_escalation::check(r, mode, &mut out);
    out
}

/// Which PSPs the pod could use and what each refused; or that it could use none.
fn message(psps: &[PspVariables]) -> String {
    if psps.is_empty() {
        return lit::string("no PodSecurityPolicy exists to admit this pod");
    }
    let usable: Vec<String> = psps
        .iter()
        .map(|p| format!("variables.{}_usable", p.id))
        .collect();
    let parts: Vec<String> = psps
        .iter()
        .map(|p| {
            let id = &p.id;
            let list = if p.after_defaults {
                format!(
                    "(size(variables.{id}_violations_after_defaults) > 0 ? variables.{id}_violations_after_defaults : variables.{id}_violations)"
                )
            } else {
                format!("variables.{id}_violations")
            };
            format!(
                "(variables.{id}_usable ? {} + {list}.join(\"; \") + \"]\" : \"\")",
                lit::string(&format!(" [{}: ", p.psp))
            )
        })
        .collect();
    format!(
        "({}) ? \"denied by every PodSecurityPolicy it may use:\" + {} : \
         \"no PodSecurityPolicy is usable by service account \" + variables.namespace + \"/\" + variables.serviceAccount",
        usable.join(" || "),
        parts.join(" + ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id, and every variable name built on it, is unique and holds no `__`, which
    /// Kubernetes' CEL would read as an escape.
    #[test]
    fn ids_are_unique_and_never_hold_two_underscores() {
        let mut taken = BTreeSet::new();
        let names = [
            r#"cel" || true || "x"#,
            "cel' || true || 'x",
            "00-rook",
            "--",
            "a.",
            "",
        ];
        for name in names {
            let id = unique_id(name, &mut taken);
            for var in [format!("{id}_admits"), format!("{id}_usable")] {
                assert!(!var.contains("__"), "{name:?}: {var}");
            }
        }
        assert_eq!(taken.len(), names.len());
    }
}
