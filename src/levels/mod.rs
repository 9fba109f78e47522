//! PSP -> Pod Security Standards levels, field by field and version by version.
//!
//! Each field family lives in its own module and turns one [`Psp`] into [`Row`]s: a verdict
//! against baseline and restricted with a one-sentence reason. The verdicts speak about pods *as
//! submitted*: PSA never mutates, so a pod that passed a PSP only after the PSP defaulted a field
//! counts as a pod the PSP admitted and the level may reject.
//!
//! Two levels come out of the rows: **compatible** (the strictest level that rejects nothing the
//! PSP admitted) and **intended** (the strictest level that no explicit grant of the PSP exceeds).
//! The rows between the two are "allowed by omission".

mod apparmor;
mod capabilities;
mod host_namespaces;
mod new_in_pss;
mod privilege_escalation;
mod privileged;
mod proc_mount;
mod read_only_root_filesystem;
mod runtime_class;
mod seccomp;
mod selinux;
mod sysctls;
mod users_groups;
mod volumes;

use serde::Serialize;

use crate::intent::Intent;
use crate::pss::{Level, Version};

pub use capabilities::{BASELINE_ADD, RESTRICTED_ADD};
pub use new_in_pss::{controls as new_in_pss_controls, NewControl};
pub use selinux::allowed_types as selinux_types;
pub use sysctls::safe_sysctls;
pub use volumes::restricted_volumes;

/// How a PSP field compares with one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The PSP admits what the level admits, for this control.
    Same,
    /// The PSP restricts something the level does not: the restriction is lost under PSA.
    PspStricter,
    /// The PSP admits pods the level rejects.
    PspLooser,
    /// The level has no control here and the PSP does not restrict it either.
    NoOpinion,
}

/// Why a PSP is looser than a level on one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The PSP spells out a grant beyond the level (`privileged: true`, a capability, `*`, ...).
    Grant,
    /// The PSP merely does not restrict, or restricts only by mutating: a permissive default,
    /// `RunAsAny`, a missing annotation, a PSP default PSA will not apply.
    Omission,
}

/// One PSP field judged against baseline and restricted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The PSP field (API spelling) or annotation.
    pub field: &'static str,
    pub baseline: Verdict,
    pub restricted: Verdict,
    /// Set exactly when a verdict is [`Verdict::PspLooser`].
    #[serde(rename = "looser_by", skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    pub reason: String,
}

impl Row {
    /// A row with the given verdicts and no cause.
    pub fn new(field: &'static str, baseline: Verdict, restricted: Verdict, reason: String) -> Row {
        Row {
            field,
            baseline,
            restricted,
            cause: None,
            reason,
        }
    }

    /// A row with the same verdict at both levels.
    pub fn both(field: &'static str, verdict: Verdict, reason: String) -> Row {
        Row::new(field, verdict, verdict, reason)
    }

    /// Records why the PSP is looser.
    pub fn by(mut self, cause: Cause) -> Row {
        self.cause = Some(cause);
        self
    }

    /// The verdict against `level` (Privileged admits everything: never looser).
    pub fn at(&self, level: Level) -> Verdict {
        match level {
            Level::Privileged => Verdict::NoOpinion,
            Level::Baseline => self.baseline,
            Level::Restricted => self.restricted,
        }
    }

    /// True when the PSP admits pods `level` rejects, for the given cause (any when `None`).
    pub fn looser_at(&self, level: Level, cause: Option<Cause>) -> bool {
        self.at(level) == Verdict::PspLooser && cause.is_none_or(|c| self.cause == Some(c))
    }

    /// The PSP field the row judges, spelled as the intent's [`Constraint::field`]
    /// (`spec.hostPID`, `spec.runtimeClass.allowedRuntimeClassNames`,
    /// `metadata.annotations[...]`): the key that joins level rows with constraints and with the
    /// PSS controls' `psp_fields`. (`field` keeps the short name the reports print.)
    ///
    /// [`Constraint::field`]: crate::intent::Constraint::field
    pub fn psp_field(&self) -> String {
        match self.field {
            f if f.contains('/') => format!("metadata.annotations[{f}]"),
            "runtimeClass" => "spec.runtimeClass.allowedRuntimeClassNames".into(),
            f => format!("spec.{f}"),
        }
    }
}

/// A field family: every row it has to say about one PSP at one version.
pub type Family = fn(&Intent, Version) -> Vec<Row>;

/// The field families, in report order (the fields no level checks come last).
pub const FAMILIES: &[Family] = &[
    privileged::rows,
    host_namespaces::rows,
    capabilities::rows,
    volumes::rows,
    selinux::rows,
    users_groups::run_as_user,
    privilege_escalation::rows,
    sysctls::rows,
    proc_mount::rows,
    seccomp::rows,
    apparmor::rows,
    users_groups::groups,
    read_only_root_filesystem::rows,
    runtime_class::rows,
];

/// A row that keeps a PSP below its intended level, and the level it blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Omission {
    pub field: &'static str,
    pub level: Level,
    pub reason: String,
}

/// Everything `levels` says about one PSP at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyLevels {
    pub name: String,
    /// Where the PSP was read (`file:line:column`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub compatible_level: Level,
    pub intended_level: Level,
    pub fields: Vec<Row>,
    pub allowed_by_omission: Vec<Omission>,
    pub new_in_pss: Vec<NewControl>,
}

/// Judges one PSP, by its intent, at one version.
pub fn judge(intent: &Intent, version: Version) -> PolicyLevels {
    let fields: Vec<Row> = FAMILIES
        .iter()
        .flat_map(|family| family(intent, version))
        .collect();
    let compatible = strictest_level(&fields, None);
    let intended = strictest_level(&fields, Some(Cause::Grant));
    let allowed_by_omission = omissions(&fields, compatible, intended);
    PolicyLevels {
        name: intent.psp.clone(),
        source: None,
        compatible_level: compatible,
        intended_level: intended,
        fields,
        allowed_by_omission,
        new_in_pss: new_in_pss::controls(version),
    }
}

/// The strictest level no row is looser than (counting only rows of `cause` when given).
pub fn strictest_level(rows: &[Row], cause: Option<Cause>) -> Level {
    let blocked = |level| rows.iter().any(|r| r.looser_at(level, cause));
    if blocked(Level::Baseline) {
        Level::Privileged
    } else if blocked(Level::Restricted) {
        Level::Baseline
    } else {
        Level::Restricted
    }
}

/// The rows that hold the compatible level below the intended one: looser by omission at a level
/// above `compatible` and up to `intended`.
fn omissions(rows: &[Row], compatible: Level, intended: Level) -> Vec<Omission> {
    let mut out = Vec::new();
    for level in [Level::Baseline, Level::Restricted] {
        if level <= compatible || level > intended {
            continue;
        }
        for r in rows
            .iter()
            .filter(|r| r.looser_at(level, Some(Cause::Omission)))
        {
            if out.iter().any(|o: &Omission| o.field == r.field) {
                continue;
            }
            out.push(Omission {
                field: r.field,
                level,
                reason: r.reason.clone(),
            });
        }
    }
    out
}

/// Joins names as `A, B and C` (sorted, deduplicated).
pub(crate) fn list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut v: Vec<String> = items.into_iter().map(|s| s.as_ref().to_string()).collect();
    v.sort();
    v.dedup();
    match v.len() {
        0 => "none".to_string(),
        1 => v.remove(0),
        n => format!("{} and {}", v[..n - 1].join(", "), v[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;

    #[test]
    fn levels_follow_the_loosest_row() {
        let rows = vec![
            Row::new("a", Verdict::Same, Verdict::PspLooser, "x".into()).by(Cause::Omission),
            Row::both("b", Verdict::PspStricter, "y".into()),
        ];
        assert_eq!(strictest_level(&rows, None), Level::Baseline);
        assert_eq!(
            strictest_level(&rows, Some(Cause::Grant)),
            Level::Restricted
        );
        let omitted = omissions(&rows, Level::Baseline, Level::Restricted);
        assert_eq!(omitted.len(), 1);
        assert_eq!(omitted[0].field, "a");
        assert_eq!(omitted[0].level, Level::Restricted);
    }

    #[test]
    fn every_looser_row_has_a_cause_and_others_none() {
        let mut p = psp();
        p.spec.privileged = true;
        p.spec.allowed_capabilities = vec!["*".into()];
        p.spec.volumes = vec!["*".into()];
        for v in [Version::Minor(18), Version::Minor(25), Version::Latest] {
            for r in FAMILIES.iter().flat_map(|c| c(&intent_of(&p), v)) {
                let looser = r.baseline == Verdict::PspLooser || r.restricted == Verdict::PspLooser;
                assert_eq!(looser, r.cause.is_some(), "{r:?}");
            }
        }
    }

    #[test]
    fn defaults_only_psp_is_privileged_compatible_and_restricted_intended() {
        // No annotation for AppArmor means any profile (unconfined too): an omission.
        let l = judge(&intent_of(&psp()), Version::Latest);
        assert_eq!(l.compatible_level, Level::Privileged);
        assert_eq!(l.intended_level, Level::Restricted);
        assert!(l
            .allowed_by_omission
            .iter()
            .any(|o| o.field.starts_with("apparmor")));
    }

    #[test]
    fn pss_controls_name_fields_the_intent_has() {
        // Defaults are constraints only when set.
        let mut p = psp();
        p.spec.default_add_capabilities = vec!["CHOWN".into()];
        let i = intent_of(&p);
        for check in crate::pss::checks::ALL {
            for f in check.psp_fields {
                assert!(
                    i.constraints.iter().any(|c| c.field == *f),
                    "{}: {f}",
                    check.id
                );
            }
        }
    }

    #[test]
    fn list_joins_sorted_names() {
        assert_eq!(list(["b", "a", "c", "a"]), "a, b and c");
        assert_eq!(list(Vec::<String>::new()), "none");
    }
}
