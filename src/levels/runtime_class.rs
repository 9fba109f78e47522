//! `runtimeClass`: no level restricts runtime classes, so a list is lost under PSA, and so is the
//! default (PSA never mutates).

use super::{list, Row, Verdict};
use crate::intent::{Control, Intent};
use crate::psp::RuntimeClassStrategy;
use crate::pss::Version;

/// The `runtimeClass` row.
pub fn rows(intent: &Intent, _version: Version) -> Vec<Row> {
    let allowed = intent.value(|c| match c {
        Control::RuntimeClass { allowed } => Some(allowed),
        _ => None,
    });
    let default = intent.find(|c| match c {
        Control::DefaultRuntimeClass { name } => Some(name.clone()),
        _ => None,
    });
    let strategy = allowed.as_ref().map(|names| RuntimeClassStrategy {
        allowed_runtime_class_names: names.clone(),
        default_runtime_class_name: default,
    });
    vec![runtime_class(strategy.as_ref())]
}

fn runtime_class(rc: Option<&RuntimeClassStrategy>) -> Row {
    const F: &str = "runtimeClass";
    let Some(rc) = rc else {
        return Row::both(
            F,
            Verdict::NoOpinion,
            "not set: any runtime class, as at every level".into(),
        );
    };
    let names = &rc.allowed_runtime_class_names;
    let limited = !names.iter().any(|n| n == "*");
    let default = rc
        .default_runtime_class_name
        .as_ref()
        .map(|d| format!("; the default {d:?} is lost (PSA never mutates)"))
        .unwrap_or_default();
    if limited {
        Row::both(
            F,
            Verdict::PspStricter,
            format!(
                "limits runtime classes to {}{default}; no level restricts them",
                list(names)
            ),
        )
    } else {
        Row::both(
            F,
            Verdict::NoOpinion,
            format!("any runtime class is allowed{default}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::intent_of;
    use crate::psp::testing::psp;

    #[test]
    fn defaults_only_psp_has_no_opinion() {
        let r = &rows(&intent_of(&psp()), Version::Latest)[0];
        assert_eq!(
            (r.baseline, r.restricted),
            (Verdict::NoOpinion, Verdict::NoOpinion)
        );
    }

    #[test]
    fn runtime_class_list_is_lost() {
        let rc = RuntimeClassStrategy {
            allowed_runtime_class_names: vec!["gvisor".into()],
            default_runtime_class_name: Some("gvisor".into()),
        };
        let r = runtime_class(Some(&rc));
        assert_eq!(r.baseline, Verdict::PspStricter);
        assert!(r.reason.contains("default \"gvisor\""));
    }
}
