//! Pod Security Standards controls for pod fields no PSP ever checked. A PSP admitted any value
//! there, so the level may reject pods that ran before; they are risks to audit, not level
//! blockers (every PSP would be "looser").

use serde::Serialize;

use crate::pss::{Level, Version};

/// A control with no PSP counterpart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewControl {
    /// The PSA check id.
    pub control: &'static str,
    /// The least level that has it.
    pub level: Level,
    /// The first version with the control (`v1.N`).
    pub since: String,
    pub reason: &'static str,
}

/// (check id, level, first minor version, reason)
const CONTROLS: &[(&str, Level, u32, &str)] = &[
    (
        "windowsHostProcess",
        Level::Baseline,
        0,
        "Windows HostProcess containers (hostProcess: true) are rejected; PSP had no field for them",
    ),
    (
        "hostProbesAndHostLifecycle",
        Level::Baseline,
        34,
        "probes and lifecycle handlers may not set a host (httpGet.host, tcpSocket.host); PSP never checked them",
    ),
];

/// The controls that apply at `version`.
pub fn controls(version: Version) -> Vec<NewControl> {
    CONTROLS
        .iter()
        .filter(|(_, _, since, _)| version.at_least(*since))
        .map(|(control, level, since, reason)| NewControl {
            control,
            level: *level,
            since: format!("v1.{since}"),
            reason,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_probes_from_1_34() {
        let has = |v| {
            controls(v)
                .iter()
                .any(|c| c.control == "hostProbesAndHostLifecycle")
        };
        assert!(!has(Version::Minor(33)));
        assert!(has(Version::Minor(34)));
        assert!(controls(Version::Minor(20))
            .iter()
            .any(|c| c.control == "windowsHostProcess"));
    }
}
