//! Volumes: `volumes`, `allowedHostPaths`, `allowedFlexVolumes`, `allowedCSIDrivers`.

use super::{Builder, Control, Effect, VolumeTypes};

pub(super) fn build(b: &mut Builder<'_>) {
    let s = b.psp.spec.clone();
    let types = VolumeTypes {
        any: s.volumes.iter().any(|v| v == "*"),
        types: s.volumes.iter().filter(|v| *v != "*").cloned().collect(),
    };
    b.spec("volumes", Effect::Validate, Control::Volumes(types));
    b.spec(
        "allowedHostPaths",
        Effect::Validate,
        Control::HostPaths(s.allowed_host_paths),
    );
    b.spec(
        "allowedFlexVolumes",
        Effect::Validate,
        Control::FlexVolumes(s.allowed_flex_volumes),
    );
    b.spec(
        "allowedCSIDrivers",
        Effect::Validate,
        Control::CsiDrivers(s.allowed_csi_drivers),
    );
}
