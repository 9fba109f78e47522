//! The PSP defaults as JSON patches, in CEL, as `simulate/mutate.rs` applies them: what the pod
//! left unset is filled from the defaults of the PSP the plugin would have chosen (the first by
//! name that admits the pod unchanged, else the first that admits it after its own defaults),
//! add-if-absent, on the pod and on all three container lists.
//!
//! Patches are CEL maps `{"op": "add", "path": ..., "value": ...}` computed in variables; the
//! mutation only wraps each in a `JSONPatch`. A parent the pod lacks (`securityContext`,
//! `metadata.annotations`) is added empty first, so every leaf is added to an object that
//! exists.

use super::expr::Field;
use super::lit;
use super::seccomp::{derived_profile, pod_annotation};
use crate::psp::SeLinuxOptions;
use crate::simulate::rules::{Defaults, Rules};
use crate::simulate::{APPARMOR_CONTAINER, SECCOMP_POD};

const S: &str = "variables.spec";
/// The container lists, in the plugin's visiting order.
pub const LISTS: [&str; 3] = ["initContainers", "containers", "ephemeralContainers"];

/// One JSON patch that adds `value` at `path` (both CEL expressions).
fn add(path: &str, value: &str) -> String {
    format!("{{\"op\": \"add\", \"path\": {path}, \"value\": {value}}}")
}

/// A JSON pointer token for a fixed key (`~` and `/` escaped).
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `(cond ? [patch] : [])`.
fn when(cond: &str, patch: String) -> String {
    format!("({cond} ? [{patch}] : [])")
}

/// Concatenated CEL lists; `[]` for none.
fn concat(parts: Vec<String>) -> String {
    if parts.is_empty() {
        "[]".into()
    } else {
        parts.join(" +\n")
    }
}

/// The CEL value of SELinux options (unset parts left out, as the API serialises them).
fn selinux_value(o: &SeLinuxOptions) -> String {
    let parts: Vec<String> = [
        ("level", &o.level),
        ("role", &o.role),
        ("type", &o.type_),
        ("user", &o.user),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("\"{k}\": {}", lit::string(v))))
    .collect();
    format!("{{{}}}", parts.join(", "))
}

/// Patches to the pod's own fields: its security context and runtime class.
pub(super) fn pod_patches(r: &Rules) -> String {
    let d = &r.defaults;
    let sc_path = "variables.specPointer + \"/securityContext\"";
    let unset = |f: &str| format!("!({})", Field::at(S, &["securityContext", f]).set());
    let mut leaves = Vec::new();
    if let Some(gid) = d.supplemental_group {
        leaves.push((
            unset("supplementalGroups"),
            "supplementalGroups",
            format!("[{gid}]"),
        ));
    }
    if let Some(gid) = d.fs_group {
        leaves.push((unset("fsGroup"), "fsGroup", gid.to_string()));
    }
    if let Some(o) = &d.selinux {
        leaves.push((unset("seLinuxOptions"), "seLinuxOptions", selinux_value(o)));
    }
    let mut parts = Vec::new();
    if !leaves.is_empty() {
        parts.push(when(
            &format!("!has({S}.securityContext)"),
            add(sc_path, "{}"),
        ));
    }
    for (cond, field, value) in leaves {
        parts.push(when(
            &cond,
            add(&format!("{sc_path} + \"/{field}\""), &value),
        ));
    }
    if let Some(name) = &d.runtime_class {
        parts.push(when(
            &format!("!has({S}.runtimeClassName)"),
            add(
                "variables.specPointer + \"/runtimeClassName\"",
                &lit::string(name),
            ),
        ));
    }
    concat(parts)
}

/// Patches to annotations: the pod's seccomp profile (the API server's copy of the profile
/// field, else the PSP's default, when the annotation is empty) and each container's AppArmor
/// profile.
pub(super) fn annotation_patches(r: &Rules) -> String {
    let d = &r.defaults;
    let ann =
        |key_token: String| format!("variables.metadataPointer + \"/annotations/{key_token}\"");
    let pod_ann = pod_annotation();
    let field = Field::at(S, &["securityContext", "seccompProfile"]);
    let derived = derived_profile(&field.value());
    let mut parts = Vec::new();
    let from_field = format!("({}) && {derived} != \"\"", field.set());
    let cond = match &d.seccomp {
        Some(_) => format!(
            "{pod_ann} == \"\" && (!({}) || {derived} != \"\")",
            field.set()
        ),
        None => format!("{pod_ann} == \"\" && {from_field}"),
    };
    let value = match &d.seccomp {
        Some(profile) => format!("(({}) ? {derived} : {})", field.set(), lit::string(profile)),
        None => derived.clone(),
    };
    parts.push(when(&cond, add(&ann(token(SECCOMP_POD)), &value)));
    if let Some(profile) = &d.apparmor {
        let key = format!("{} + c.name", lit::string(APPARMOR_CONTAINER));
        let prefix = format!(
            "variables.metadataPointer + \"/annotations/{}\"",
            token(APPARMOR_CONTAINER)
        );
        parts.push(format!(
            "variables.containers.filter(c, !(({key}) in variables.annotations) || variables.annotations[{key}] == \"\").map(c, {})",
            add(&format!("{prefix} + c.name"), &lit::string(profile))
        ));
    }
    concat(parts)
}

/// Patches to every container's security context, list by list.
pub(super) fn container_patches(r: &Rules) -> String {
    let d = &r.defaults;
    let leaves = container_leaves(d);
    if leaves.is_empty() {
        return "[]".into();
    }
    let any_fires = if leaves.iter().any(|l| l.fires_without_block == "true") {
        "true".to_string()
    } else {
        let parts: Vec<String> = leaves
            .iter()
            .filter(|l| l.fires_without_block != "false")
            .map(|l| format!("({})", l.fires_without_block))
            .collect();
        if parts.is_empty() {
            "false".into()
        } else {
            parts.join(" || ")
        }
    };
    let mut parts = Vec::new();
    for list in LISTS {
        let items = format!("(has({S}.{list}) ? {S}.{list} : [])");
        let sc = format!(
            "variables.specPointer + \"/{list}/\" + string(variables.{list}Names.indexOf(c.name)) + \"/securityContext\""
        );
        parts.push(format!(
            "{items}.filter(c, !has(c.securityContext) && {any_fires}).map(c, {})",
            add(&sc, "{}")
        ));
        for l in &leaves {
            parts.push(format!(
                "{items}.filter(c, {}).map(c, {})",
                l.fires,
                add(&format!("{sc} + \"/{}\"", l.field), &l.value)
            ));
        }
    }
    concat(parts)
}

/// One container default: when it fires (over container `c`), the field and its value.
struct Leaf {
    fires: String,
    /// When it fires for a container without a `securityContext`.
    fires_without_block: String,
    field: &'static str,
    value: String,
}

/// The container defaults in the plugin's order: user and group IDs, runAsNonRoot,
/// capabilities, read-only root filesystem, privilege escalation. (SELinux options are always
/// in force from the pod by then: the pod's default comes first.)
fn container_leaves(d: &Defaults) -> Vec<Leaf> {
    let own = |f: &str| Field::at("c", &["securityContext", f]);
    let pod = |f: &str| Field::at(S, &["securityContext", f]);
    let effective = |f: &str| own(f).or(pod(f));
    let mut out = Vec::new();
    if let Some(uid) = d.run_as_user {
        out.push(Leaf {
            fires: format!("!({})", effective("runAsUser").set()),
            fires_without_block: format!("!({})", pod("runAsUser").set()),
            field: "runAsUser",
            value: uid.to_string(),
        });
    }
    if let Some(gid) = d.run_as_group {
        out.push(Leaf {
            fires: format!("!({})", effective("runAsGroup").set()),
            fires_without_block: format!("!({})", pod("runAsGroup").set()),
            field: "runAsGroup",
            value: gid.to_string(),
        });
    }
    if d.run_as_non_root {
        out.push(Leaf {
            fires: format!(
                "!({}) && !({})",
                effective("runAsNonRoot").set(),
                effective("runAsUser").set()
            ),
            fires_without_block: format!(
                "!({}) && !({})",
                pod("runAsNonRoot").set(),
                pod("runAsUser").set()
            ),
            field: "runAsNonRoot",
            value: "true".into(),
        });
    }
    out.extend(capabilities(d));
    if d.read_only_root {
        out.push(Leaf {
            fires: format!("!({})", own("readOnlyRootFilesystem").set()),
            fires_without_block: "true".into(),
            field: "readOnlyRootFilesystem",
            value: "true".into(),
        });
    }
    if let Some(v) = d.allow_escalation {
        out.push(Leaf {
            fires: format!("!({})", own("allowPrivilegeEscalation").set()),
            fires_without_block: "true".into(),
            field: "allowPrivilegeEscalation",
            value: v.to_string(),
        });
    }
    out
}

/// Capabilities: default adds the container does not drop join its adds, required drops join
/// its drops. Without a capabilities block, one is added with the defaults (each list only when
/// not empty); with one, each list that gains something is replaced by itself plus what is new.
fn capabilities(d: &Defaults) -> Vec<Leaf> {
    if d.add_caps.is_empty() && d.drop_caps.is_empty() {
        return Vec::new();
    }
    let block = Field::at("c", &["securityContext", "capabilities"]).set();
    let list =
        |name: &str| Field::at("c", &["securityContext", "capabilities", name]).value_or("[]");
    let (have_add, have_drop) = (list("add"), list("drop"));
    let new_add = format!(
        "{}.filter(x, !(x in {have_drop}) && !(x in {have_add}))",
        lit::strings(&d.add_caps)
    );
    let new_drop = format!(
        "{}.filter(x, !(x in {have_drop}))",
        lit::strings(&d.drop_caps)
    );
    let mut whole = Vec::new();
    if !d.add_caps.is_empty() {
        whole.push(format!("\"add\": {}", lit::strings(&d.add_caps)));
    }
    if !d.drop_caps.is_empty() {
        whole.push(format!("\"drop\": {}", lit::strings(&d.drop_caps)));
    }
    let mut out = vec![Leaf {
        fires: format!("!({block})"),
        fires_without_block: "true".into(),
        field: "capabilities",
        value: format!("{{{}}}", whole.join(", ")),
    }];
    if !d.add_caps.is_empty() {
        out.push(Leaf {
            fires: format!("({block}) && size({new_add}) > 0"),
            fires_without_block: "false".into(),
            field: "capabilities/add",
            value: format!("{have_add} + {new_add}"),
        });
    }
    if !d.drop_caps.is_empty() {
        out.push(Leaf {
            fires: format!("({block}) && size({new_drop}) > 0"),
            fires_without_block: "false".into(),
            field: "capabilities/drop",
            value: format!("{have_drop} + {new_drop}"),
        });
    }
    out
}
