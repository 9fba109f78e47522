//! Pod Security Admission as a fidelity target.
//!
//! PSA's statement of what it keeps is the Pod Security Standards level it enforces where a PSP
//! is usable: the `levels` rows of the PSP at that level, and the rule each level states for a
//! field ([`Standards::rule`]). Everything else follows the same mapping for every constraint:
//!
//! - a mutating constraint: `mutation_dropped` (PSA never mutates);
//! - the level rejects pods the PSP admitted (`psp_looser`): `stricter`, unless the PSP also pins
//!   values no level can (UID ranges, one SELinux context, a profile list): then `looser`;
//! - the level admits the same (`same`), or the PSP restricts nothing: `exact`;
//! - the PSP restricts more (`psp_stricter`, or `no_opinion` on a restricting constraint):
//!   `stricter` when the level rejects the whole volume type the sub-list narrows, `looser` when
//!   some level checks the field, `lost` when no level does.

use std::collections::{BTreeMap, BTreeSet};

use super::ClusterPlan;
use crate::fidelity::{self, Fidelity, FidelityRow, TargetReport};
use crate::intent::{Constraint, Control, Effect, Intent};
use crate::levels::{self, PolicyLevels, Row, Verdict};
use crate::pss::{Level, Version};
use crate::scope::{Scopes, Subject};

/// The target's name in reports.
pub const TARGET: &str = "psa";

/// Users PSA exempts, by the PSPs RBAC grants them: their pods skip every PSA check.
pub type ExemptUsers = BTreeMap<String, BTreeSet<String>>;

/// The PSPs RBAC grants to users the plan exempts, with those users.
pub fn exempt_users(scopes: &Scopes, plan: &ClusterPlan, policies: &[PolicyLevels]) -> ExemptUsers {
    let all: BTreeSet<String> = policies.iter().map(|p| p.name.clone()).collect();
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

/// PSA's report for every PSP: one [`TargetReport`] per intent, in the order given.
pub fn reports(
    intents: &[Intent],
    policies: &[PolicyLevels],
    plan: &ClusterPlan,
    exempt: &ExemptUsers,
    version: Version,
) -> Vec<TargetReport> {
    let pss = Standards::new(version);
    intents
        .iter()
        .filter_map(|intent| {
            let policy = policies.iter().find(|p| p.name == intent.psp)?;
            let users = exempt.get(&intent.psp);
            let at = enforce_level(&intent.psp, policy.compatible_level, plan, users);
            Some(report_with(intent, policy, at, &pss))
        })
        .collect()
}

/// One PSP's report, compared with `level` as if PSA enforced it wherever the PSP is usable.
pub fn report_at(
    intent: &Intent,
    policy: &PolicyLevels,
    level: Level,
    version: Version,
) -> TargetReport {
    let at = ComparedLevel {
        level,
        why: format!("{level}: as asked"),
    };
    report_with(intent, policy, at, &Standards::new(version))
}

/// One PSP's report at `at`.
fn report_with(
    intent: &Intent,
    policy: &PolicyLevels,
    at: ComparedLevel,
    pss: &Standards,
) -> TargetReport {
    let rows = intent
        .constraints
        .iter()
        .map(|c| row(c, intent, policy, &at, pss))
        .collect();
    let extra_rules = policy
        .new_in_pss
        .iter()
        .filter(|n| n.level <= at.level)
        .map(|n| format!("{}: {}", n.control, n.reason))
        .collect();
    TargetReport {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        compared_with: at.why,
        rows,
        extra_rules,
    }
}

/// The level a PSP is compared with, and why.
struct ComparedLevel {
    level: Level,
    why: String,
}

/// The least restrictive enforce level of the places the PSP is usable (its namespaces, the
/// cluster default when every service account may use it, and privileged for the pods of exempt
/// users granted it); its compatible level when none.
fn enforce_level(
    psp: &str,
    compatible: Level,
    plan: &ClusterPlan,
    exempt_users: Option<&BTreeSet<String>>,
) -> ComparedLevel {
    let mut places: Vec<(String, Level)> = plan
        .namespaces
        .iter()
        .filter(|n| n.psps.iter().any(|p| p == psp))
        .map(|n| (format!("namespace {}", n.name), n.enforce))
        .collect();
    if plan.defaults.psps.iter().any(|p| p == psp) {
        places.push(("the cluster default".into(), plan.defaults.enforce));
    }
    for u in exempt_users.into_iter().flatten() {
        places.push((format!("pods of exempt user {u}"), Level::Privileged));
    }
    let Some(level) = places.iter().map(|(_, l)| *l).min() else {
        return ComparedLevel {
            level: compatible,
            why: format!("{compatible}: usable in no namespace, so its compatible level"),
        };
    };
    let distinct: BTreeSet<Level> = places.iter().map(|(_, l)| *l).collect();
    let list = places_list(&places);
    if distinct.len() == 1 {
        return ComparedLevel {
            level,
            why: format!("{level}: the enforce level where it is usable: {list}"),
        };
    }
    ComparedLevel {
        level,
        why: format!("{level}: the least restrictive enforce level where it is usable: {list}"),
    }
}

/// At most this many places are named in a comparison; the rest are counted.
const PLACES_NAMED: usize = 5;

/// `namespace a (privileged), the cluster default (baseline)`: every place, or, when there
/// are more than [`PLACES_NAMED`], that many (the least restrictive first) and a count of the
/// rest per level, so a cluster of hundreds of namespaces still gets a one-line comparison.
fn places_list(places: &[(String, Level)]) -> String {
    let mut sorted: Vec<&(String, Level)> = places.iter().collect();
    if sorted.len() > PLACES_NAMED {
        sorted.sort_by_key(|(_, l)| *l);
    }
    let mut named: Vec<String> = sorted
        .iter()
        .take(PLACES_NAMED)
        .map(|(p, l)| format!("{p} ({l})"))
        .collect();
    let mut rest: BTreeMap<Level, usize> = BTreeMap::new();
    for (_, l) in sorted.iter().skip(PLACES_NAMED) {
        *rest.entry(*l).or_default() += 1;
    }
    for (l, n) in rest {
        named.push(format!("{n} more ({l})"));
    }
    named.join(", ")
}

/// One constraint's row.
fn row(
    c: &Constraint,
    intent: &Intent,
    policy: &PolicyLevels,
    at: &ComparedLevel,
    pss: &Standards,
) -> FidelityRow {
    let psp_rule = c.describe();
    let (verdict, reason, target_rule) = judge_constraint(c, intent, policy, at.level, pss);
    let target_rule = match verdict {
        Fidelity::Exact => Some(psp_rule.clone()),
        _ => target_rule,
    };
    FidelityRow {
        psp: intent.psp.clone(),
        target: TARGET.into(),
        field: c.field.clone(),
        effect: fidelity::effect_name(c.effect),
        origin: fidelity::origin_name(c.origin),
        verdict,
        reason,
        psp_rule,
        target_rule,
    }
}

/// The verdict, reason and target rule of one constraint at `level`.
fn judge_constraint(
    c: &Constraint,
    intent: &Intent,
    policy: &PolicyLevels,
    level: Level,
    pss: &Standards,
) -> (Fidelity, String, Option<String>) {
    let rule = pss.rule(&c.field, level);
    if c.effect == Effect::Mutate {
        let reason = format!(
            "PSA never mutates pods, so \"{}\" is not applied and pods are judged as submitted",
            c.describe()
        );
        return (Fidelity::MutationDropped, reason, None);
    }
    let rows = rows_of(policy, &c.field);
    let verdict = combined(&rows, level);
    let why = rows
        .iter()
        .find(|r| r.at(level) == verdict)
        .or(rows.first())
        .map(|r| r.reason.clone())
        .unwrap_or_else(|| "no level row".into());
    let restricting = c.restricts(intent);
    match verdict {
        Verdict::PspLooser if restricting && pss.narrower(c, intent, level) => (
            Fidelity::Looser,
            format!("PSA {level} rejects some pods the PSP admitted ({why}) and admits others it rejected, which no level keeps"),
            rule,
        ),
        Verdict::PspLooser => (
            Fidelity::Stricter,
            format!("PSA {level} rejects pods the PSP admitted: {why}"),
            rule,
        ),
        Verdict::Same => (Fidelity::Exact, format!("kept by PSA {level}: {why}"), rule),
        _ if !restricting => (
            Fidelity::Exact,
            format!("the PSP restricts nothing here, so PSA {level} has nothing to keep"),
            rule,
        ),
        _ => weaker(c, intent, level, pss, &rows, &why),
    }
}

/// A restriction the level does not keep: stricter, looser or lost.
fn weaker(
    c: &Constraint,
    intent: &Intent,
    level: Level,
    pss: &Standards,
    rows: &[&Row],
    why: &str,
) -> (Fidelity, String, Option<String>) {
    let rule = pss.rule(&c.field, level);
    if let Some(t) = volume_type_of(&c.control).filter(|t| pss.rejects_volume(level, t)) {
        return (
            Fidelity::Stricter,
            format!("PSA {level} rejects every {t} volume, so this narrower list no longer admits anything"),
            rule,
        );
    }
    if !pss.checked(&c.field) {
        // The field as `levels` names it.
        let field = rows.first().map_or(c.field.as_str(), |r| r.field);
        // The level row's own "; no level ..." ending would repeat what this reason opens with.
        let why = why.rfind("; no level").map_or(why, |i| &why[..i]);
        return (
            Fidelity::Lost,
            format!(
                "no Pod Security Standards level restricts {field}, so PSA cannot keep this: {why}"
            ),
            None,
        );
    }
    let keeper = Level::ALL
        .into_iter()
        .filter(|l| *l > level)
        .map(|l| (l, combined(rows, l)))
        .find(|(l, v)| match v {
            Verdict::Same => true,
            // A level stricter on the field may still admit values the PSP rejected.
            Verdict::PspLooser => !pss.narrower(c, intent, *l),
            _ => false,
        });
    let hint = match keeper {
        Some((l, Verdict::Same)) => format!("; {l} would keep it exactly"),
        Some((l, _)) => format!("; {l} would enforce it, more strictly"),
        None => "; no level keeps it exactly".into(),
    };
    let what = if level == Level::Privileged {
        "PSA privileged checks nothing".to_string()
    } else {
        format!("PSA {level} admits pods the PSP rejected: {why}")
    };
    (Fidelity::Looser, format!("{what}{hint}"), rule)
}

/// The level rows that speak for a constraint's field (rows and constraints share the key
/// [`Row::psp_field`]). Capabilities added by default may also be added by the pod, so their row
/// counts for `allowedCapabilities` too.
fn rows_of<'a>(policy: &'a PolicyLevels, field: &str) -> Vec<&'a Row> {
    let also: &[&str] = match field {
        "spec.allowedCapabilities" => &["spec.defaultAddCapabilities"],
        _ => &[],
    };
    policy
        .fields
        .iter()
        .filter(|r| {
            let key = r.psp_field();
            key == field || also.contains(&key.as_str())
        })
        .collect()
}

/// The verdict of several rows at `level`: looser if any is, then stricter, then same.
fn combined(rows: &[&Row], level: Level) -> Verdict {
    let verdicts: Vec<Verdict> = rows.iter().map(|r| r.at(level)).collect();
    [Verdict::PspLooser, Verdict::PspStricter, Verdict::Same]
        .into_iter()
        .find(|v| verdicts.contains(v))
        .unwrap_or(Verdict::NoOpinion)
}

/// The volume type a sub-list narrows.
fn volume_type_of(control: &Control) -> Option<&'static str> {
    match control {
        Control::HostPaths(_) => Some("hostPath"),
        Control::FlexVolumes(_) => Some("flexVolume"),
        Control::CsiDrivers(_) => Some("csi"),
        _ => None,
    }
}

/// The seccomp and AppArmor constraints' fields.
const SECCOMP_FIELD: &str =
    "metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]";
const APPARMOR_FIELD: &str =
    "metadata.annotations[apparmor.security.beta.kubernetes.io/allowedProfileNames]";

/// What the Pod Security Standards say at one version, read from the PSS controls: the PSP
/// fields some level checks, the volume types each level rejects, and each level's rule for a
/// field in the intent's wording.
pub struct Standards {
    version: Version,
}

impl Standards {
    /// The standards at `version`.
    pub fn new(version: Version) -> Standards {
        Standards { version }
    }

    /// True when some level checks PSP field `field` (a constraint's field) at this version.
    pub fn checked(&self, field: &str) -> bool {
        crate::pss::registry::judges_psp_field(field, self.version)
    }

    /// True when `level` rejects every volume of type `t` (a PSP volume type, not `*`).
    pub fn rejects_volume(&self, level: Level, t: &str) -> bool {
        match level {
            Level::Privileged => false,
            Level::Baseline => t == crate::pss::checks::host_path_volumes::REJECTED,
            Level::Restricted => !crate::pss::checks::restricted_volumes::ALLOWED.contains(&t),
        }
    }

    /// The rule `level` enforces on PSP field `field` (a constraint's field), in the intent's
    /// wording; `None` when the level says nothing about it.
    pub fn rule(&self, field: &str, level: Level) -> Option<String> {
        if level == Level::Privileged {
            return None;
        }
        let restricted = level == Level::Restricted;
        let v = self.version;
        let text = match field {
            "spec.privileged" => "privileged containers: denied".to_string(),
            "spec.hostPID" => "host PID: denied".into(),
            "spec.hostIPC" => "host IPC: denied".into(),
            "spec.hostNetwork" => "host network: denied".into(),
            "spec.hostPorts" => "host ports: none".into(),
            "spec.volumes" if restricted => {
                format!("volume types: {}", levels::restricted_volumes().join(", "))
            }
            "spec.volumes" => "volume types: any but hostPath".into(),
            "spec.allowedHostPaths" => "host paths: none (hostPath volumes denied)".into(),
            "spec.allowedFlexVolumes" if restricted => {
                "flexVolume drivers: none (flexVolume volumes denied)".into()
            }
            "spec.allowedCapabilities" | "spec.defaultAddCapabilities" => {
                let caps = if restricted && v.at_least(22) {
                    levels::RESTRICTED_ADD
                } else {
                    levels::BASELINE_ADD
                };
                format!("capabilities that may be added: {}", caps.join(", "))
            }
            "spec.requiredDropCapabilities" if restricted && v.at_least(22) => {
                "capabilities that must be dropped: ALL".into()
            }
            "spec.runAsUser" if restricted => {
                let root = if v.at_least(23) {
                    "; runAsUser 0 denied"
                } else {
                    ""
                };
                format!("runAsUser: non-root (runAsNonRoot: true required{root})")
            }
            "spec.seLinux" => format!(
                "seLinux: user and role unset; type unset or {}",
                sorted(levels::selinux_types(v))
            ),
            "spec.allowPrivilegeEscalation" if restricted && v.at_least(8) => {
                "privilege escalation: denied (allowPrivilegeEscalation: false required)".into()
            }
            "spec.allowedUnsafeSysctls" | "spec.forbiddenSysctls" => format!(
                "sysctls allowed: only the safe set of v1.{}: {}",
                v.effective_minor(),
                sorted(levels::safe_sysctls(v).into_iter().collect())
            ),
            "spec.allowedProcMountTypes" => "proc mount types: Default".into(),
            SECCOMP_FIELD if restricted && v.at_least(19) => {
                "seccomp profiles: localhost/*, runtime/default".into()
            }
            SECCOMP_FIELD => "seccomp profiles: any but unconfined".into(),
            APPARMOR_FIELD => "AppArmor profiles: (unset), localhost/*, runtime/default".into(),
            _ => return None,
        };
        Some(text)
    }
}

fn sorted(mut v: Vec<&str>) -> String {
    v.sort_unstable();
    v.join(", ")
}

mod narrower;
#[cfg(test)]
mod tests;
