//! The Rego of the ConstraintTemplate, written for podsec-migrate and the same for every
//! cluster: the template's own module and one library per check family, embedded in the
//! binary from `templates/gatekeeper/rego/`.

/// The template's package (Gatekeeper's convention: the template's name).
pub const PACKAGE: &str = "podsecmigratepsps";

/// The template's own module.
pub const MAIN: &str = include_str!("../../../templates/gatekeeper/rego/main.rego");

/// The libraries, in a fixed order: (file name, source).
pub const LIBS: &[(&str, &str)] = &[
    (
        "pod.rego",
        include_str!("../../../templates/gatekeeper/rego/pod.rego"),
    ),
    (
        "access.rego",
        include_str!("../../../templates/gatekeeper/rego/access.rego"),
    ),
    (
        "update.rego",
        include_str!("../../../templates/gatekeeper/rego/update.rego"),
    ),
    (
        "users_groups.rego",
        include_str!("../../../templates/gatekeeper/rego/users_groups.rego"),
    ),
    (
        "seccomp.rego",
        include_str!("../../../templates/gatekeeper/rego/seccomp.rego"),
    ),
    (
        "selinux.rego",
        include_str!("../../../templates/gatekeeper/rego/selinux.rego"),
    ),
    (
        "apparmor.rego",
        include_str!("../../../templates/gatekeeper/rego/apparmor.rego"),
    ),
    (
        "host_namespaces.rego",
        include_str!("../../../templates/gatekeeper/rego/host_namespaces.rego"),
    ),
    (
        "sysctls.rego",
        include_str!("../../../templates/gatekeeper/rego/sysctls.rego"),
    ),
    (
        "volumes.rego",
        include_str!("../../../templates/gatekeeper/rego/volumes.rego"),
    ),
    (
        "runtime_class.rego",
        include_str!("../../../templates/gatekeeper/rego/runtime_class.rego"),
    ),
    (
        "privileged.rego",
        include_str!("../../../templates/gatekeeper/rego/privileged.rego"),
    ),
    (
        "proc_mount.rego",
        include_str!("../../../templates/gatekeeper/rego/proc_mount.rego"),
    ),
    (
        "capabilities.rego",
        include_str!("../../../templates/gatekeeper/rego/capabilities.rego"),
    ),
    (
        "read_only_root_filesystem.rego",
        include_str!("../../../templates/gatekeeper/rego/read_only_root_filesystem.rego"),
    ),
    (
        "privilege_escalation.rego",
        include_str!("../../../templates/gatekeeper/rego/privilege_escalation.rego"),
    ),
];

/// The openAPIV3Schema of the parameters.
pub const PARAMETERS_SCHEMA: &str =
    include_str!("../../../templates/gatekeeper/parameters-schema.yaml");
