//! What the Kubewarden target keeps of each PSP. A validating constraint carried whole into a
//! module's settings is `exact`, as far as the module's documented settings say (the modules
//! are WebAssembly and are not run here); a field no module checks (inline CSI drivers, the
//! runtime class) is `lost`. Where this form applies no default, the default is
//! `mutation_dropped`, and the field it fills is `stricter` where the module judges the pod as
//! submitted and refuses the unset value (see [`refused_unset`]).
//!
//! Scoping: a group selects namespaces, so a PSP granted to some service accounts or users of
//! a namespace is OR-ed for every pod there: its rows are `looser` and name the input's pods
//! it admits that the plugin refused. In the `policies` form a PSP not chosen in a scope where
//! it is usable is `lost` there (plain policies AND).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;

use super::modules::{self, Module};
use super::scope::{shortened, whole_namespace, Scope};
use super::{Form, TARGET};
use crate::fidelity::{effect_name, origin_name, Fidelity, FidelityRow, TargetReport};
use crate::intent::{Constraint, Control, Effect, Intent};
use crate::targets::cel_rows::refused_when_unset;
use crate::targets::Input;

/// What a PSP's rows share: why its scope is wider than its grants, and where it is not
/// enforced (`policies` form).
#[derive(Debug, Default)]
struct Standing {
    widened: Option<String>,
    not_enforced: Option<String>,
}

/// One report per intent, in the order given.
pub fn reports(
    input: &Input<'_>,
    scopes: &[Scope],
    form: Form,
    chosen: &BTreeMap<String, String>,
) -> Vec<TargetReport> {
    let widened = widened(input, scopes);
    let compared_with = compared_with(scopes, form);
    input
        .intents
        .iter()
        .map(|intent| {
            let standing = Standing {
                widened: widened.get(&intent.psp).cloned(),
                // A PSP the plugin could not use admitted nothing: leaving it out loses nothing.
                not_enforced: match form {
                    Form::Policies if super::settings::usable(intent) => {
                        not_enforced(&intent.psp, scopes, chosen)
                    }
                    _ => None,
                },
            };
            let dropped = refused_unset(intent, form, &standing);
            TargetReport {
                psp: intent.psp.clone(),
                target: TARGET.into(),
                compared_with: compared_with.clone(),
                rows: intent
                    .constraints
                    .iter()
                    .map(|c| row(intent, c, form, &standing, &dropped))
                    .collect(),
                extra_rules: Vec::new(),
            }
        })
        .collect()
}

/// The validating fields whose default this form does not apply and whose module refuses a pod
/// that leaves them unset. A module that would have set the value allows such a pod: a group
/// keeps only whether each member allowed the pod and discards its changes (policy-server's
/// `PolicyGroupMemberEvaluationResult` holds `allowed` and the message only), so for
/// allowed-fsgroups-psp, selinux-psp, allow-privilege-escalation-psp and capabilities-psp the
/// check stays as the plugin made it and only the default is lost. user-group-psp is told
/// `validate_only` in a group, and readonly-root-filesystem-psp never mutates: they judge the
/// pod as submitted. seccomp-psp and apparmor-psp judge the profiles a pod sets (their
/// documented examples); a pod without one is not given the default, which its
/// `mutation_dropped` row says.
fn refused_unset(intent: &Intent, form: Form, standing: &Standing) -> Vec<&'static str> {
    const JUDGED_AS_SUBMITTED: &[&str] = &[
        "spec.runAsUser",
        "spec.runAsGroup",
        "spec.supplementalGroups",
        "spec.readOnlyRootFilesystem",
    ];
    intent
        .with_effect(Effect::Mutate)
        .filter(|c| applied_by(intent, &c.control, form, standing).is_err())
        .filter_map(|c| refused_when_unset(&c.control, intent))
        .filter(|f| JUDGED_AS_SUBMITTED.contains(f))
        .collect()
}

/// What becomes of a pod that relied on a default in a group, where no member may change it.
fn in_a_group(c: &Control) -> &'static str {
    match c {
        Control::DefaultRunAsUser { .. }
        | Control::DefaultRunAsNonRoot
        | Control::DefaultRunAsGroup { .. }
        | Control::DefaultSupplementalGroups { .. } => "user-group-psp runs with validate_only, so a pod that leaves the value unset is refused instead",
        Control::DefaultFsGroup { .. } => "allowed-fsgroups-psp allows a pod without fsGroup, which then runs without one",
        Control::DefaultSeLinux { .. } => "selinux-psp allows a pod without SELinux options, which then runs with the container runtime's labels",
        Control::DefaultAddCapabilities(_) => "the capabilities are not added: containers run with the runtime's default set",
        Control::DefaultDropCapabilities(_) => "the required drops are not added: a container that does not drop them itself keeps the ones in the runtime's default set",
        Control::DefaultAllowPrivilegeEscalation { allowed: false } => "a container that leaves allowPrivilegeEscalation unset is allowed, and the runtime lets it escalate (its default is true)",
        Control::DefaultReadOnlyRootFilesystem => "readonly-root-filesystem-psp refuses a container that leaves it unset instead",
        Control::DefaultSeccomp { .. } | Control::DefaultAppArmor { .. } => "a pod that sets no profile is not given the default profile",
        _ => "a pod that relied on it is judged without it",
    }
}

/// What every PSP is compared with in `form`, with the scopes the `policies` form leaves open.
fn compared_with(scopes: &[Scope], form: Form) -> String {
    let head = match form {
        Form::Group => "the PSPs usable in the pod's namespace (the RBAC of the input, by namespace), OR-ed in one ClusterAdmissionPolicyGroup per set of namespaces, each the AND of Kubewarden's PSP modules; no PSP defaults applied (a group cannot mutate)".to_string(),
        Form::Policies => "one PSP per set of namespaces (the least restrictive usable there) as plain ClusterAdmissionPolicy objects, which Kubewarden ANDs; its defaults applied by the modules that can mutate".to_string(),
    };
    let mut out = format!(
        "{head}; Pods matched on CREATE and UPDATE (ephemeral containers added through pods/ephemeralcontainers are not matched)"
    );
    if form == Form::Policies {
        for s in scopes.iter().filter(|s| s.psps.is_empty()) {
            out.push_str(&format!(
                "; in {}, where no PSP is usable, no policy is written: pods the plugin refused there are admitted",
                s.namespaces.describe()
            ));
        }
    }
    out
}

/// The module that checks a validating control, when one does.
fn checked_by(c: &Control) -> Option<&'static Module> {
    Some(match c {
        Control::Privileged { .. } => &modules::POD_PRIVILEGED,
        Control::HostNamespace { .. } | Control::HostPorts(_) => &modules::HOST_NAMESPACES,
        Control::Volumes(_) => &modules::VOLUMES,
        Control::HostPaths(_) => &modules::HOSTPATHS,
        Control::FlexVolumes(_) => &modules::FLEXVOLUME_DRIVERS,
        Control::AllowedCapabilities(_) | Control::RequiredDropCapabilities(_) => {
            &modules::CAPABILITIES
        }
        Control::RunAsUser { .. }
        | Control::RunAsGroup { .. }
        | Control::SupplementalGroups { .. } => &modules::USER_GROUP,
        Control::FsGroup { .. } => &modules::ALLOWED_FSGROUPS,
        Control::SeLinux { .. } => &modules::SELINUX,
        Control::ReadOnlyRootFilesystem { .. } => &modules::READONLY_ROOT_FILESYSTEM,
        Control::AllowPrivilegeEscalation { .. } => &modules::ALLOW_PRIVILEGE_ESCALATION,
        Control::AllowedUnsafeSysctls(_) | Control::ForbiddenSysctls(_) => &modules::SYSCTL,
        Control::ProcMount { .. } => &modules::ALLOWED_PROC_MOUNT_TYPES,
        Control::Seccomp { .. } => &modules::SECCOMP,
        Control::AppArmor { .. } => &modules::APPARMOR,
        _ => return None,
    })
}

/// The module that applies a default in `form`, or why none does.
fn applied_by(
    intent: &Intent,
    c: &Control,
    form: Form,
    standing: &Standing,
) -> Result<&'static Module, String> {
    if form == Form::Group {
        return Err(format!("not applied: a ClusterAdmissionPolicyGroup judges and never changes a pod (`--kubewarden-form policies` applies the defaults the modules know, one PSP per scope); {}", in_a_group(c)));
    }
    if let Some(why) = &standing.not_enforced {
        return Err(format!("not applied: {why}"));
    }
    match c {
        Control::DefaultRunAsUser { .. }
        | Control::DefaultRunAsNonRoot
        | Control::DefaultRunAsGroup { .. }
        | Control::DefaultSupplementalGroups { .. } => Ok(&modules::USER_GROUP),
        Control::DefaultFsGroup { .. } => Ok(&modules::ALLOWED_FSGROUPS),
        Control::DefaultSeLinux { .. } => Ok(&modules::SELINUX),
        Control::DefaultAddCapabilities(_) | Control::DefaultDropCapabilities(_) => {
            Ok(&modules::CAPABILITIES)
        }
        Control::DefaultAllowPrivilegeEscalation { allowed: false }
            if intent.value(|c| match c {
                Control::AllowPrivilegeEscalation { allowed } => Some(!allowed),
                _ => None,
            }) =>
        {
            Ok(&modules::ALLOW_PRIVILEGE_ESCALATION)
        }
        Control::DefaultAllowPrivilegeEscalation { .. } => Err("not applied: allow-privilege-escalation-psp refuses allowPrivilegeEscalation: true, which this PSP allows, so it cannot serve to default the field only".into()),
        Control::DefaultReadOnlyRootFilesystem => Err("not applied: readonly-root-filesystem-psp only validates".into()),
        Control::DefaultRuntimeClass { .. } => Err("not applied: no Kubewarden PSP module sets the runtime class".into()),
        Control::DefaultSeccomp { .. } => Err("not applied: seccomp-psp only validates; a pod that sets no profile is not given the default profile".into()),
        Control::DefaultAppArmor { .. } => Err("not applied: apparmor-psp only validates; a container without a profile is not given the default profile".into()),
        _ => Err("not applied".into()),
    }
}

/// The row of one constraint.
fn row(
    intent: &Intent,
    c: &Constraint,
    form: Form,
    standing: &Standing,
    dropped: &[&str],
) -> FidelityRow {
    let rule = c.describe();
    let (verdict, reason, target_rule) = match c.effect {
        Effect::Mutate => match applied_by(intent, &c.control, form, standing) {
            Ok(m) => (
                Fidelity::Exact,
                format!(
                    "applied by {} (mutating: true) where the pod leaves it unset, in the namespaces where this PSP is the one enforced",
                    m.name
                ),
                Some(format!("{rule} ({})", m.name)),
            ),
            Err(why) => (Fidelity::MutationDropped, why, None),
        },
        Effect::Validate => validating(c, standing, dropped),
    };
    FidelityRow {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        field: c.field.clone(),
        effect: effect_name(c.effect),
        origin: origin_name(c.origin),
        verdict,
        reason,
        psp_rule: rule,
        target_rule,
    }
}

/// Verdict, reason and target rule of a validating constraint.
fn validating(
    c: &Constraint,
    standing: &Standing,
    dropped: &[&str],
) -> (Fidelity, String, Option<String>) {
    let rule = c.describe();
    if let Some(why) = &standing.not_enforced {
        return (Fidelity::Lost, why.clone(), None);
    }
    let (verdict, reason, target) = match (&c.control, checked_by(&c.control)) {
        (Control::CsiDrivers(d), _) if !d.is_empty() => {
            return (Fidelity::Lost, "no Kubewarden PSP module checks the drivers of inline CSI volumes: any driver is admitted".into(), None);
        }
        (Control::RuntimeClass { allowed: Some(a) }, _) if !a.iter().any(|n| n == "*") => {
            return (Fidelity::Lost, "no Kubewarden PSP module checks the runtime class: any runtime class is admitted".into(), None);
        }
        (Control::HostPaths(p), _) if readonly_precedence_differs(p) => (
            Fidelity::Stricter,
            "hostpaths-psp takes readOnly from the most specific matching prefix, where the plugin let a host path be writable when any matching prefix allowed it: a writable mount under a read-only prefix nested in a writable one is refused".to_string(),
            Some(format!("{rule} (hostpaths-psp)")),
        ),
        (_, None) => (Fidelity::Exact, "nothing to check: the PSP allows any value".to_string(), None),
        (_, Some(m)) if dropped.contains(&c.field.as_str()) => (
            Fidelity::Stricter,
            format!("checked by {}, but no default is applied in this form: the pod is judged as submitted, so a pod that relied on the PSP's default for this field is refused until it sets the value", m.name),
            Some(format!("{rule} (set explicitly; {})", m.name)),
        ),
        (_, Some(m)) => (
            Fidelity::Exact,
            format!("carried whole into the settings of {} (as documented; the module is not run here)", m.name),
            Some(format!("{rule} ({})", m.name)),
        ),
    };
    match (&standing.widened, verdict) {
        (Some(why), Fidelity::Exact) => (Fidelity::Looser, why.clone(), target),
        (_, v) => (v, reason, target),
    }
}

/// Whether a read-only prefix lies inside a writable one: the plugin allowed a writable mount
/// there (any matching writable prefix sufficed, `allowsHostVolumePath` in
/// pkg/security/podsecuritypolicy/util), hostpaths-psp does not (the most specific prefix wins).
pub fn readonly_precedence_differs(p: &[crate::psp::AllowedHostPath]) -> bool {
    p.iter().any(|ro| {
        ro.read_only
            && p.iter().any(|rw| {
                !rw.read_only && crate::simulate::has_path_prefix(&ro.path_prefix, &rw.path_prefix)
            })
    })
}

/// Where a PSP usable in a scope is not the one its plain policies enforce.
fn not_enforced(psp: &str, scopes: &[Scope], chosen: &BTreeMap<String, String>) -> Option<String> {
    let missed: Vec<String> = scopes
        .iter()
        .filter(|s| s.psps.contains(psp) && chosen.get(&s.name).is_some_and(|c| c != psp))
        .map(|s| {
            format!(
                "{} (judged by {} alone)",
                s.namespaces.describe(),
                chosen[&s.name]
            )
        })
        .collect();
    (!missed.is_empty()).then(|| {
        format!(
            "not enforced in {}: plain ClusterAdmissionPolicy objects are AND-ed, so PSPs cannot be OR-ed and one PSP judges each set of namespaces (`--kubewarden-form group` ORs them)",
            shortened(&missed)
        )
    })
}

/// Per PSP granted to only some service accounts or users of a namespace its group selects,
/// why its rows are looser, naming the input's pods it admits there that the plugin refused.
fn widened(input: &Input<'_>, scopes: &[Scope]) -> BTreeMap<String, String> {
    let all: BTreeSet<String> = input.intents.iter().map(|i| i.psp.clone()).collect();
    let mut narrow: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for g in input.scopes.grants.iter().filter(|g| !whole_namespace(g)) {
        for p in g.psps.resolve(&all) {
            narrow.entry(p).or_default().insert(g.subject.to_string());
        }
    }
    if narrow.is_empty() {
        return BTreeMap::new();
    }
    let affected = affected_pods(input, scopes, &narrow);
    narrow
        .into_iter()
        .map(|(psp, subjects)| {
            let pods = affected.get(&psp).cloned().unwrap_or_default();
            let named = if pods.is_empty() {
                "no pod of the input is affected".to_string()
            } else {
                format!("pods of the input it admits that the plugin refused: {}", shortened(&pods))
            };
            let subjects: Vec<String> = subjects.into_iter().collect();
            let why = format!(
                "the PSP is granted to {} only, and Kubewarden selects whole namespaces: every pod in the namespaces where it is usable may pass it ({named})",
                shortened(&subjects)
            );
            (psp, why)
        })
        .collect()
}

/// Per narrowly granted PSP, the input's pods (`namespace/kind/name`) the plugin refused that
/// it admits, in namespaces whose scope ORs it.
fn affected_pods(
    input: &Input<'_>,
    scopes: &[Scope],
    narrow: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let sim = crate::replay::simulate(input.loaded, &crate::replay::Options::default());
    let views = input.loaded.objects.iter().filter_map(|o| o.pod_view());
    for (view, r) in views.zip(&sim.results) {
        if r.admitted {
            continue;
        }
        let Some(scope) = scopes.iter().find(|s| s.namespaces.contains(&r.namespace)) else {
            continue;
        };
        for intent in input
            .intents
            .iter()
            .filter(|i| narrow.contains_key(&i.psp) && scope.psps.contains(&i.psp))
        {
            let pod = Pod {
                metadata: view.meta.clone(),
                spec: Some(view.spec.clone()),
                status: None,
            };
            if crate::simulate::evaluate_intent(intent, &pod)
                .admission
                .is_admitted()
            {
                out.entry(intent.psp.clone()).or_default().push(format!(
                    "{}/{}/{}",
                    r.namespace,
                    r.kind,
                    r.name.as_deref().unwrap_or("")
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::AllowedHostPath;
    use crate::simulate::testing::psp;

    fn path(prefix: &str, read_only: bool) -> AllowedHostPath {
        AllowedHostPath {
            path_prefix: prefix.into(),
            read_only,
        }
    }

    /// A read-only prefix inside a writable one is where the module's most-specific-wins reading
    /// refuses what the plugin allowed; the other way round both allow the write.
    #[test]
    fn read_only_precedence_differs_only_under_a_writable_prefix() {
        assert!(readonly_precedence_differs(&[
            path("/var", false),
            path("/var/log", true)
        ]));
        assert!(!readonly_precedence_differs(&[
            path("/var", true),
            path("/var/log", false)
        ]));
        assert!(!readonly_precedence_differs(&[
            path("/var", false),
            path("/varlog", true)
        ]));
    }

    /// The group form applies no default and judges the defaulted field as submitted; the
    /// policies form applies it with the mutating module, except where the module cannot.
    #[test]
    fn defaults_follow_the_form() {
        let intent = intent_of(&psp(
            "  fsGroup: {rule: MustRunAs, ranges: [{min: 7, max: 9}]}\n  runAsUser: {rule: MustRunAs, ranges: [{min: 5, max: 6}]}\n  readOnlyRootFilesystem: true\n",
        ));
        let rows = |form| {
            let standing = Standing::default();
            let dropped = refused_unset(&intent, form, &standing);
            intent
                .constraints
                .iter()
                .map(|c| row(&intent, c, form, &standing, &dropped))
                .collect::<Vec<_>>()
        };
        let find = |rows: &[FidelityRow], field: &str, effect: &str| {
            rows.iter()
                .find(|r| r.field == field && r.effect == effect)
                .unwrap()
                .verdict
        };
        let group = rows(Form::Group);
        let dropped = Fidelity::MutationDropped;
        assert_eq!(find(&group, "spec.fsGroup", "mutate"), dropped);
        // allowed-fsgroups-psp allows the unset value it would have filled in.
        assert_eq!(find(&group, "spec.fsGroup", "validate"), Fidelity::Exact);
        assert_eq!(find(&group, "spec.runAsUser", "mutate"), dropped);
        assert_eq!(
            find(&group, "spec.runAsUser", "validate"),
            Fidelity::Stricter
        );
        let policies = rows(Form::Policies);
        assert_eq!(find(&policies, "spec.fsGroup", "mutate"), Fidelity::Exact);
        assert_eq!(
            find(&policies, "spec.runAsUser", "validate"),
            Fidelity::Exact
        );
        let rofs = "spec.readOnlyRootFilesystem";
        assert_eq!(find(&policies, rofs, "mutate"), dropped);
        assert_eq!(find(&policies, rofs, "validate"), Fidelity::Stricter);
        assert_eq!(
            find(&policies, "spec.hostPorts", "validate"),
            Fidelity::Exact
        );
    }

    #[test]
    fn fields_without_a_module_are_lost() {
        let intent = intent_of(&psp(
            "  allowedCSIDrivers: [{name: a.csi}]\n  runtimeClass: {allowedRuntimeClassNames: [gvisor]}\n",
        ));
        let standing = Standing::default();
        for field in [
            "spec.allowedCSIDrivers",
            "spec.runtimeClass.allowedRuntimeClassNames",
        ] {
            let c = intent
                .constraints
                .iter()
                .find(|c| c.field == field && c.effect == Effect::Validate)
                .unwrap_or_else(|| panic!("{field}: {:?}", intent.constraints));
            assert_eq!(validating(c, &standing, &[]).0, Fidelity::Lost, "{field}");
        }
    }
}
