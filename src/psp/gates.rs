//! Feature gates of the API server that change what a stored PSP says. Only `ProcMountType`
//! matters: alpha and off by default on 1.12-1.24, and with it off the API server drops
//! `allowedProcMountTypes` from every PSP it stores (`DropDisabledFields`,
//! pkg/api/podsecuritypolicy/util.go), so the plugin allows only `Default`. It also forces a
//! pod's `procMount` to `Default` (`dropDisabledProcMountField`, pkg/api/pod/util.go), but
//! only in `PrepareForCreate`, after the PSP plugin's mutating pass has judged the pod as
//! submitted: a pod asking for `Unmasked` is refused by every PSP.

use std::fmt;

use serde::Serialize;

use super::Psp;

/// The gate settings assumed; the default is that of a 1.23/1.24 API server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct FeatureGates {
    #[serde(rename = "ProcMountType")]
    pub proc_mount_type: bool,
}

/// The gates `--feature-gates` knows.
pub const KNOWN_GATES: &[&str] = &["ProcMountType"];

impl FeatureGates {
    /// Reads `Name=true|false[,Name=true|false...]` as kube-apiserver's `--feature-gates` does;
    /// an unknown gate or value is an error naming it.
    pub fn parse(s: &str) -> Result<FeatureGates, String> {
        let mut g = FeatureGates::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let Some((name, value)) = item.split_once('=') else {
                return Err(format!("{item:?}: expected Name=true or Name=false"));
            };
            let on = match value.trim() {
                "true" => true,
                "false" => false,
                v => return Err(format!("{name}: {v:?} is not true or false")),
            };
            match name.trim() {
                "ProcMountType" => g.proc_mount_type = on,
                other => {
                    return Err(format!(
                        "unknown feature gate {other:?} (known: {})",
                        KNOWN_GATES.join(", ")
                    ))
                }
            }
        }
        Ok(g)
    }

    /// What the API server would have stored of `psp`: the field it drops with a gate off is
    /// cleared (and no longer counts as written). Returns the field dropped, if any.
    pub fn apply(&self, psp: &mut Psp) -> Option<&'static str> {
        let s = &mut psp.spec;
        let written =
            s.is_explicit("allowedProcMountTypes") || !s.allowed_proc_mount_types.is_empty();
        if self.proc_mount_type || !written {
            return None;
        }
        s.allowed_proc_mount_types.clear();
        s.explicit.remove("allowedProcMountTypes");
        Some("allowedProcMountTypes")
    }
}

impl fmt::Display for FeatureGates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let default = if *self == FeatureGates::default() {
            " (the 1.23/1.24 default)"
        } else {
            ""
        };
        write!(f, "ProcMountType={}{default}", self.proc_mount_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::psp::testing::psp;

    #[test]
    fn parses_like_kube_apiserver_and_refuses_unknown_gates() {
        assert_eq!(FeatureGates::parse("").unwrap(), FeatureGates::default());
        assert!(
            FeatureGates::parse("ProcMountType=true")
                .unwrap()
                .proc_mount_type
        );
        assert!(
            !FeatureGates::parse("ProcMountType=false")
                .unwrap()
                .proc_mount_type
        );
        assert!(FeatureGates::parse("ProcMountType=yes")
            .unwrap_err()
            .contains("not true or false"));
        assert!(FeatureGates::parse("Sysctls=true")
            .unwrap_err()
            .contains("unknown feature gate"));
        assert!(FeatureGates::parse("ProcMountType").is_err());
    }

    /// Upstream pkg/api/podsecuritypolicy/util.go `DropDisabledFields`: with ProcMountType off
    /// and no old object, `pspSpec.AllowedProcMountTypes = nil`.
    #[test]
    fn gate_off_drops_allowed_proc_mount_types_as_upstream_drop_disabled_fields() {
        let mut p = psp();
        p.spec.allowed_proc_mount_types = vec!["Default".into(), "Unmasked".into()];
        p.spec.explicit.insert("allowedProcMountTypes".into());
        let mut on = p.clone();
        assert_eq!(
            FeatureGates {
                proc_mount_type: true
            }
            .apply(&mut on),
            None
        );
        assert_eq!(on, p);
        assert_eq!(
            FeatureGates::default().apply(&mut p),
            Some("allowedProcMountTypes")
        );
        assert!(p.spec.allowed_proc_mount_types.is_empty());
        assert!(!p.spec.is_explicit("allowedProcMountTypes"));
        assert_eq!(FeatureGates::default().apply(&mut p), None);
    }
}
