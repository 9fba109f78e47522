//! The Kubewarden policy modules this target uses, pinned in one table: where each is published,
//! at which version, whether it may mutate, and the settings its documentation names. Every
//! setting the target writes is one of these (a unit test walks the emitted settings), so a
//! misspelt setting, which a module would ignore, cannot slip through.
//!
//! Versions and settings as published in kubewarden/policies (commit 6a01a24) and the per-module
//! repositories (kubewarden/<module>-policy, `src/settings.rs`).

/// One policy module.
#[derive(Debug, PartialEq, Eq)]
pub struct Module {
    /// The module's name in ghcr.io/kubewarden/policies.
    pub name: &'static str,
    pub version: &'static str,
    /// Whether the module can change the pod (its `mutating` flag may be true).
    pub mutates: bool,
    /// The documented settings, as key paths: `a` a top-level key, `a.b` a key inside `a`,
    /// `a[].b` a key of the objects in list `a`.
    pub settings: &'static [&'static str],
}

impl Module {
    /// The `module:` reference, pinned to the version.
    pub fn reference(&self) -> String {
        format!(
            "registry://ghcr.io/kubewarden/policies/{}:v{}",
            self.name, self.version
        )
    }

    /// The module's name as part of a CEL identifier (`-` becomes `_`).
    pub fn identifier(&self) -> String {
        self.name.replace('-', "_")
    }
}

pub const ALLOW_PRIVILEGE_ESCALATION: Module = Module {
    name: "allow-privilege-escalation-psp",
    version: "1.0.13",
    mutates: true,
    settings: &["default_allow_privilege_escalation"],
};

pub const ALLOWED_FSGROUPS: Module = Module {
    name: "allowed-fsgroups-psp",
    version: "1.0.12",
    mutates: true,
    settings: &["rule", "ranges[].min", "ranges[].max"],
};

pub const ALLOWED_PROC_MOUNT_TYPES: Module = Module {
    name: "allowed-proc-mount-types-psp",
    version: "1.0.15",
    mutates: false,
    settings: &["allow_unmasked_proc_mount_type"],
};

pub const APPARMOR: Module = Module {
    name: "apparmor-psp",
    version: "1.0.14",
    mutates: false,
    settings: &["allowed_profiles"],
};

pub const CAPABILITIES: Module = Module {
    name: "capabilities-psp",
    version: "1.0.13",
    mutates: true,
    settings: &[
        "allowed_capabilities",
        "required_drop_capabilities",
        "default_add_capabilities",
    ],
};

pub const FLEXVOLUME_DRIVERS: Module = Module {
    name: "flexvolume-drivers-psp",
    version: "1.0.17",
    mutates: false,
    settings: &["allowedFlexVolumes[].driver"],
};

pub const HOST_NAMESPACES: Module = Module {
    name: "host-namespaces-psp",
    version: "1.1.11",
    mutates: false,
    settings: &[
        "allow_host_ipc",
        "allow_host_network",
        "allow_host_pid",
        "allow_host_ports[].min",
        "allow_host_ports[].max",
    ],
};

pub const HOSTPATHS: Module = Module {
    name: "hostpaths-psp",
    version: "1.1.10",
    mutates: false,
    settings: &[
        "allowedHostPaths[].pathPrefix",
        "allowedHostPaths[].readOnly",
    ],
};

pub const POD_PRIVILEGED: Module = Module {
    name: "pod-privileged",
    version: "1.0.13",
    mutates: false,
    settings: &["skip_init_containers", "skip_ephemeral_containers"],
};

pub const READONLY_ROOT_FILESYSTEM: Module = Module {
    name: "readonly-root-filesystem-psp",
    version: "1.0.13",
    mutates: false,
    settings: &[],
};

pub const SECCOMP: Module = Module {
    name: "seccomp-psp",
    version: "1.0.15",
    mutates: false,
    settings: &["allowed_profiles", "profile_types", "localhost_profiles"],
};

pub const SELINUX: Module = Module {
    name: "selinux-psp",
    version: "1.1.2",
    mutates: true,
    settings: &["rule", "user", "role", "type", "level"],
};

pub const SYSCTL: Module = Module {
    name: "sysctl-psp",
    version: "1.0.14",
    mutates: false,
    settings: &["forbiddenSysctls", "allowedUnsafeSysctls"],
};

pub const USER_GROUP: Module = Module {
    name: "user-group-psp",
    version: "1.1.6",
    mutates: true,
    settings: &[
        "run_as_user.rule",
        "run_as_user.ranges[].min",
        "run_as_user.ranges[].max",
        "run_as_user.overwrite",
        "run_as_group.rule",
        "run_as_group.ranges[].min",
        "run_as_group.ranges[].max",
        "run_as_group.overwrite",
        "supplemental_groups.rule",
        "supplemental_groups.ranges[].min",
        "supplemental_groups.ranges[].max",
        "supplemental_groups.overwrite",
        "validate_container_image_configuration",
        "validate_only",
    ],
};

pub const VOLUMES: Module = Module {
    name: "volumes-psp",
    version: "1.1.10",
    mutates: false,
    settings: &["allowedTypes", "ignoreInitContainersVolumes"],
};

/// Every module, in the order a PSP's members are listed.
pub const ALL: &[&Module] = &[
    &POD_PRIVILEGED,
    &HOST_NAMESPACES,
    &VOLUMES,
    &HOSTPATHS,
    &FLEXVOLUME_DRIVERS,
    &CAPABILITIES,
    &USER_GROUP,
    &ALLOWED_FSGROUPS,
    &SELINUX,
    &READONLY_ROOT_FILESYSTEM,
    &ALLOW_PRIVILEGE_ESCALATION,
    &ALLOWED_PROC_MOUNT_TYPES,
    &SYSCTL,
    &SECCOMP,
    &APPARMOR,
];

/// The key paths of `settings`, in the notation of [`Module::settings`]: scalars and lists of
/// scalars end a path; objects and lists of objects go on.
pub fn key_paths(settings: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(settings, "", &mut out);
    out
}

/// Adds the key paths under `v`, found at path `at`, to `out`.
fn walk(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                walk(child, &path, out);
            }
        }
        serde_json::Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            for i in items {
                walk(i, &format!("{at}[]"), out);
            }
        }
        _ => out.push(at.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_unique_and_references_pinned() {
        let mut names: Vec<&str> = ALL.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert_eq!(
            HOST_NAMESPACES.reference(),
            "registry://ghcr.io/kubewarden/policies/host-namespaces-psp:v1.1.11"
        );
        assert_eq!(POD_PRIVILEGED.identifier(), "pod_privileged");
    }

    #[test]
    fn key_paths_name_nested_keys() {
        let s = json!({"a": true, "b": [{"min": 1, "max": 2}], "c": {"rule": "x", "ranges": []}, "d": ["x"]});
        assert_eq!(
            key_paths(&s),
            ["a", "b[].min", "b[].max", "c.rule", "c.ranges", "d"]
        );
    }
}
