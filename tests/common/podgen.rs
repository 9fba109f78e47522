//! Proptest generators for pods and PodSecurityPolicies that sit near the edges of every PSP
//! field: capabilities in and out of the lists, ports at range bounds, host paths sharing a
//! prefix without a `/` boundary, sysctls matching and missing patterns, all three container
//! lists, and values set at pod level, container level, both or neither.
//!
//! The PSP values and the pod values are drawn from the same small vocabularies, so generated
//! pods hit every branch of the checks instead of failing everything at once.

#![allow(dead_code)]

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    CSIVolumeSource, Capabilities, Container, ContainerPort, EmptyDirVolumeSource,
    EphemeralContainer, FlexVolumeSource, HostPathVolumeSource, Pod, PodSecurityContext, PodSpec,
    ProjectedVolumeSource, SELinuxOptions, SeccompProfile, SecretVolumeSource, SecurityContext,
    Sysctl, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podsec_migrate::psp::{
    annotations as keys, AllowedHostPath, GroupRule, GroupStrategy, PortRange, Profiles, Psp,
    PspSpec, RunAsUserRule, RunAsUserStrategy, RuntimeClassStrategy, SeLinuxOptions as PspSeLinux,
    SeLinuxRule, SeLinuxStrategy,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

pub const CAPS: &[&str] = &["CHOWN", "KILL", "NET_ADMIN", "NET_RAW", "SYS_ADMIN", "ALL"];
/// Ports around the bounds of [`PORT_RANGES`].
pub const PORTS: &[i32] = &[0, 79, 80, 81, 442, 443, 444, 8999, 9000, 9001, 65535];
pub const PORT_RANGES: &[(i64, i64)] = &[(80, 80), (443, 9000), (1, 79)];
/// Host paths: prefixes with and without a segment boundary.
pub const HOST_PATHS: &[&str] = &[
    "/foo",
    "/foo/",
    "/foo/bar",
    "/foobar",
    "/fo",
    "/var/log",
    "/var/logs",
    "/",
    // Spellings the plugin compared as written (upstream `hasPathPrefix` never cleans paths).
    "/var//log",
    "/var/./log",
    "//var/log",
    "/var/log/../../etc",
    "/foo//bar",
];
pub const PATH_PREFIXES: &[&str] = &["/foo", "/var/log/", "/foo/bar", "/", "/var//log"];
pub const SYSCTLS: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmni",
    "kernel.shm_rmid_forced",
    "kernel.sem",
    "net.core.somaxconn",
    "net.ipv4.tcp_syncookies",
];
pub const SYSCTL_PATTERNS: &[&str] = &[
    "kernel.msg*",
    "kernel.shm*",
    "net.core.somaxconn",
    "kernel.sem",
    "*",
];
/// `allowedProcMountTypes` lists: empty (read as `[Default]`, and what an API server with the
/// ProcMountType gate off stores), Default only, both, Unmasked only.
pub const PROC_MOUNT_LISTS: &[&[&str]] =
    &[&[], &["Default"], &["Default", "Unmasked"], &["Unmasked"]];
pub const IDS: &[i64] = &[0, 1, 99, 100, 150, 200, 201, 1000];
pub const ID_RANGES: &[(i64, i64)] = &[(100, 200), (1000, 1000), (1, 99)];
pub const SECCOMP: &[&str] = &[
    "runtime/default",
    "docker/default",
    "unconfined",
    "localhost/p.json",
    "",
];
pub const APPARMOR: &[&str] = &["runtime/default", "unconfined", "localhost/x", ""];
pub const DRIVERS: &[&str] = &["a/one", "b/two", "c3"];
pub const RUNTIME_CLASSES: &[&str] = &["gvisor", "kata", "runc"];
pub const LEVELS: &[&str] = &["s0:c1,c2", "s0:c2,c1", "s0:c3", "s1:c1,c2"];

/// Set one time in ten: most generated pod values stay unset, so a pod fails on few fields and
/// about half the pods are admitted.
fn maybe<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    option::weighted(0.1, s)
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn some_of(xs: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    subsequence(xs, 0..=xs.len().min(3)).prop_map(|v| strings(&v))
}

fn ranges(xs: &'static [(i64, i64)]) -> impl Strategy<Value = Vec<PortRange>> {
    subsequence(xs, 0..=xs.len()).prop_shuffle().prop_map(|v| {
        v.into_iter()
            .map(|(min, max)| PortRange { min, max })
            .collect()
    })
}

fn selinux() -> impl Strategy<Value = SELinuxOptions> {
    (select(LEVELS), option::of(select(&["t", "u"][..]))).prop_map(|(level, t)| SELinuxOptions {
        level: Some(level.into()),
        type_: t.map(Into::into),
        ..Default::default()
    })
}

/// A container security context where each field may be unset.
fn security_context() -> impl Strategy<Value = Option<SecurityContext>> {
    let ids = (maybe(select(IDS)), maybe(select(IDS)), maybe(any::<bool>()));
    let switches = (
        maybe(any::<bool>()),
        maybe(any::<bool>()),
        maybe(any::<bool>()),
        option::weighted(0.2, select(&["Default", "Unmasked"][..])),
    );
    let caps = maybe((some_of(CAPS), some_of(CAPS)));
    let more = (
        maybe(selinux()),
        option::weighted(0.05, select(&["RuntimeDefault", "Unconfined"][..])),
    );
    option::weighted(0.6, (ids, switches, caps, more)).prop_map(|o| {
        o.map(
            |((uid, gid, non_root), (privileged, ape, ro, pm), caps, (se, sc))| SecurityContext {
                run_as_user: uid,
                run_as_group: gid,
                run_as_non_root: non_root,
                privileged,
                allow_privilege_escalation: ape,
                read_only_root_filesystem: ro,
                proc_mount: pm.map(Into::into),
                capabilities: caps.map(|(add, drop)| Capabilities {
                    add: Some(add),
                    drop: Some(drop),
                }),
                se_linux_options: se,
                seccomp_profile: sc.map(|t| SeccompProfile {
                    type_: t.into(),
                    localhost_profile: None,
                }),
                ..Default::default()
            },
        )
    })
}

/// A container's parts: security context, host ports, mounts of volumes `v0..v2` (read-only or not).
type Parts = (Option<SecurityContext>, Vec<i32>, Vec<(usize, bool)>);

fn parts() -> impl Strategy<Value = Parts> {
    (
        security_context(),
        maybe(select(PORTS)).prop_map(|p| p.into_iter().collect::<Vec<_>>()),
        vec((0usize..3, any::<bool>()), 0..2),
    )
}

fn container(name: String, (sc, ports, mounts): Parts) -> Container {
    Container {
        name,
        image: Some("x".into()),
        security_context: sc,
        ports: Some(
            ports
                .into_iter()
                .map(|p| ContainerPort {
                    container_port: 8080,
                    host_port: Some(p),
                    ..Default::default()
                })
                .collect(),
        ),
        volume_mounts: Some(
            mounts
                .into_iter()
                .enumerate()
                .map(|(i, (v, ro))| VolumeMount {
                    name: format!("v{v}"),
                    mount_path: format!("/m{i}"),
                    read_only: Some(ro),
                    ..Default::default()
                })
                .collect(),
        ),
        ..Default::default()
    }
}

fn ephemeral(c: Container) -> EphemeralContainer {
    EphemeralContainer {
        name: c.name,
        image: c.image,
        security_context: c.security_context,
        volume_mounts: c.volume_mounts,
        ..Default::default()
    }
}

/// A projected volume: as the ServiceAccount admission plugin injects it (`kube-api-access-*`),
/// with no sources, or near misses (an audience, another ConfigMap, a secret source) that
/// upstream `IsOnlyServiceAccountTokenSources` refuses.
fn projected(shape: usize) -> ProjectedVolumeSource {
    let token =
        serde_json::json!({"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}});
    let ca = serde_json::json!({"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}});
    let ns = serde_json::json!({"downwardAPI": {"items": [{"path": "namespace",
        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}});
    let sources = match shape {
        0 => serde_json::json!([token, ca, ns]),
        1 => serde_json::json!([]),
        2 => {
            serde_json::json!([{"serviceAccountToken": {"path": "token", "audience": "vault"}}, ca])
        }
        3 => serde_json::json!([token, {"configMap": {"name": "app-config"}}]),
        _ => serde_json::json!([token, {"secret": {"name": "db"}}]),
    };
    serde_json::from_value(serde_json::json!({ "sources": sources })).unwrap()
}

/// Volume `v<i>` of one of several kinds, including one with no source.
fn volume(i: usize) -> impl Strategy<Value = Volume> {
    (0usize..9, select(HOST_PATHS), select(DRIVERS), 0usize..5).prop_map(
        move |(kind, path, driver, shape)| {
            let mut v = Volume {
                name: format!("v{i}"),
                ..Default::default()
            };
            match kind {
                0 => v.empty_dir = Some(EmptyDirVolumeSource::default()),
                1 => v.secret = Some(SecretVolumeSource::default()),
                2 => {
                    v.host_path = Some(HostPathVolumeSource {
                        path: path.into(),
                        type_: None,
                    })
                }
                4 => {
                    v.flex_volume = Some(FlexVolumeSource {
                        driver: driver.into(),
                        ..Default::default()
                    })
                }
                5 => {
                    v.csi = Some(CSIVolumeSource {
                        driver: driver.into(),
                        ..Default::default()
                    })
                }
                7 | 8 => v.projected = Some(projected(shape)),
                _ => {} // no source: the API server makes it an emptyDir
            }
            v
        },
    )
}

fn pod_security_context() -> impl Strategy<Value = Option<PodSecurityContext>> {
    let ids = (
        maybe(select(IDS)),
        maybe(select(IDS)),
        maybe(any::<bool>()),
        maybe(select(IDS)),
        maybe(vec(select(IDS), 0..3)),
    );
    let rest = (
        maybe(selinux()),
        maybe(vec(select(SYSCTLS), 1..3)).prop_map(Option::unwrap_or_default),
        option::weighted(0.05, select(&["RuntimeDefault", "Unconfined"][..])),
    );
    option::weighted(0.6, (ids, rest)).prop_map(|o| {
        o.map(
            |((uid, gid, nr, fs, sup), (se, sysctls, sc))| PodSecurityContext {
                run_as_user: uid,
                run_as_group: gid,
                run_as_non_root: nr,
                fs_group: fs,
                supplemental_groups: sup,
                se_linux_options: se,
                sysctls: Some(
                    sysctls
                        .into_iter()
                        .map(|n| Sysctl {
                            name: n.into(),
                            value: "1".into(),
                        })
                        .collect(),
                ),
                seccomp_profile: sc.map(|t| SeccompProfile {
                    type_: t.into(),
                    localhost_profile: None,
                }),
                ..Default::default()
            },
        )
    })
}

/// Pod annotations: seccomp (pod and per container) and AppArmor (per container).
fn annotations(names: Vec<String>) -> impl Strategy<Value = BTreeMap<String, String>> {
    let n = names.len();
    (
        option::weighted(0.05, select(SECCOMP)),
        vec(option::weighted(0.05, select(SECCOMP)), n),
        vec(option::weighted(0.05, select(APPARMOR)), n),
    )
        .prop_map(move |(pod, seccomp, apparmor)| {
            let mut a = BTreeMap::new();
            if let Some(p) = pod {
                a.insert(
                    "seccomp.security.alpha.kubernetes.io/pod".to_string(),
                    p.to_string(),
                );
            }
            for (i, name) in names.iter().enumerate() {
                if let Some(p) = seccomp[i] {
                    a.insert(
                        format!("container.seccomp.security.alpha.kubernetes.io/{name}"),
                        p.into(),
                    );
                }
                if let Some(p) = apparmor[i] {
                    a.insert(
                        format!("container.apparmor.security.beta.kubernetes.io/{name}"),
                        p.into(),
                    );
                }
            }
            a
        })
}

/// A pod with 0-2 init containers, 1-2 containers and 0-1 ephemeral containers.
pub fn pod() -> impl Strategy<Value = Pod> {
    let lists = (vec(parts(), 0..3), vec(parts(), 1..3), vec(parts(), 0..2));
    let host = (
        proptest::bool::weighted(0.05),
        proptest::bool::weighted(0.05),
        proptest::bool::weighted(0.05),
        maybe(select(RUNTIME_CLASSES)),
    );
    let volumes = (
        volume(0),
        volume(1),
        volume(2),
        prop_oneof![3 => Just(0usize), 1 => 1usize..4],
    );
    (lists, host, volumes, pod_security_context()).prop_flat_map(
        |((init, main, eph), (net, pid, ipc, rc), (v0, v1, v2, nvol), psc)| {
            let name = |p: &str, i: usize| format!("{p}{i}");
            let init: Vec<Container> = init
                .into_iter()
                .enumerate()
                .map(|(i, p)| container(name("i", i), p))
                .collect();
            let main: Vec<Container> = main
                .into_iter()
                .enumerate()
                .map(|(i, p)| container(name("c", i), p))
                .collect();
            let eph: Vec<EphemeralContainer> = eph
                .into_iter()
                .enumerate()
                .map(|(i, p)| ephemeral(container(name("e", i), p)))
                .collect();
            let names: Vec<String> = init
                .iter()
                .map(|c| c.name.clone())
                .chain(main.iter().map(|c| c.name.clone()))
                .chain(eph.iter().map(|c| c.name.clone()))
                .collect();
            let spec = PodSpec {
                init_containers: Some(init),
                containers: main,
                ephemeral_containers: Some(eph),
                host_network: Some(net),
                host_pid: Some(pid),
                host_ipc: Some(ipc),
                runtime_class_name: rc.map(Into::into),
                volumes: Some([v0, v1, v2].into_iter().take(nvol).collect()),
                security_context: psc,
                ..Default::default()
            };
            annotations(names).prop_map(move |a| Pod {
                metadata: ObjectMeta {
                    name: Some("p".into()),
                    annotations: Some(a),
                    ..Default::default()
                },
                spec: Some(spec.clone()),
                status: None,
            })
        },
    )
}

fn group() -> impl Strategy<Value = GroupStrategy> {
    (
        select(
            &[
                GroupRule::MustRunAs,
                GroupRule::MayRunAs,
                GroupRule::RunAsAny,
            ][..],
        ),
        ranges(ID_RANGES),
    )
        .prop_map(|(rule, mut ranges)| {
            if rule != GroupRule::RunAsAny && ranges.is_empty() {
                ranges.push(PortRange { min: 100, max: 200 });
            }
            GroupStrategy { rule, ranges }
        })
}

/// An allowed-profiles annotation, present with probability `p`.
fn profile_list(p: f64, xs: &'static [&'static str]) -> impl Strategy<Value = Option<Vec<String>>> {
    option::weighted(p, subsequence(xs, 1..=2).prop_map(|v| strings(&v)))
}

/// A usable PSP whose every field is drawn from the same vocabularies as [`pod`].
pub fn psp() -> impl Strategy<Value = Psp> {
    let host = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        ranges(PORT_RANGES),
    );
    let caps = (some_of(CAPS), some_of(CAPS), some_of(CAPS));
    let vols = (
        subsequence(
            &[
                "*",
                "emptyDir",
                "secret",
                "hostPath",
                "flexVolume",
                "csi",
                "projected",
            ][..],
            0..=4,
        ),
        subsequence(PATH_PREFIXES, 0..=2),
        vec(any::<bool>(), 2),
        some_of(DRIVERS),
        some_of(DRIVERS),
    );
    let users = (
        select(
            &[
                RunAsUserRule::MustRunAs,
                RunAsUserRule::MustRunAsNonRoot,
                RunAsUserRule::RunAsAny,
            ][..],
        ),
        ranges(ID_RANGES),
        option::of(group()),
        group(),
        group(),
        option::of(select(LEVELS)),
    );
    let switches = (
        any::<bool>(),
        option::of(any::<bool>()),
        any::<bool>(),
        some_of(SYSCTL_PATTERNS),
        some_of(SYSCTL_PATTERNS),
        select(PROC_MOUNT_LISTS),
        option::of((
            some_of(RUNTIME_CLASSES),
            option::of(select(RUNTIME_CLASSES)),
        )),
    );
    let profiles = (
        profile_list(0.5, &["runtime/default", "docker/default", "*", ""]),
        option::weighted(0.85, select(&["runtime/default", "docker/default"][..])),
        profile_list(0.3, &["runtime/default", "localhost/x", ""]),
        option::weighted(0.7, select(&["runtime/default", "localhost/x"][..])),
    );
    (host, caps, vols, users, switches, profiles).prop_map(
        |(host, caps, vols, users, switches, profiles)| {
            let (privileged, net, pid, ipc, host_ports) = host;
            let (allowed, default_add, drop) = caps;
            let (volumes, prefixes, ro, flex, csi) = vols;
            let (user_rule, mut user_ranges, run_as_group, supplemental_groups, fs_group, level) =
                users;
            let (ro_root, default_ape, ape, unsafe_sysctls, forbidden, proc_mounts, rc) = switches;
            if user_rule == RunAsUserRule::MustRunAs && user_ranges.is_empty() {
                user_ranges.push(PortRange { min: 100, max: 200 });
            }
            let spec = PspSpec {
                privileged,
                default_add_capabilities: default_add,
                required_drop_capabilities: drop,
                allowed_capabilities: allowed,
                volumes: strings(&volumes),
                host_network: net,
                host_ports,
                host_pid: pid,
                host_ipc: ipc,
                se_linux: SeLinuxStrategy {
                    rule: if level.is_some() {
                        SeLinuxRule::MustRunAs
                    } else {
                        SeLinuxRule::RunAsAny
                    },
                    options: level.map(|l| PspSeLinux {
                        level: Some(l.into()),
                        ..Default::default()
                    }),
                },
                run_as_user: RunAsUserStrategy {
                    rule: user_rule,
                    ranges: user_ranges,
                },
                run_as_group,
                supplemental_groups,
                fs_group,
                read_only_root_filesystem: ro_root,
                default_allow_privilege_escalation: default_ape.filter(|d| ape || !d),
                allow_privilege_escalation: ape,
                allowed_host_paths: prefixes
                    .iter()
                    .zip(ro)
                    .map(|(p, read_only)| AllowedHostPath {
                        path_prefix: p.to_string(),
                        read_only,
                    })
                    .collect(),
                allowed_flex_volumes: flex,
                allowed_csi_drivers: csi,
                allowed_unsafe_sysctls: unsafe_sysctls,
                forbidden_sysctls: forbidden,
                allowed_proc_mount_types: strings(proc_mounts),
                runtime_class: rc.map(|(allowed, default)| RuntimeClassStrategy {
                    allowed_runtime_class_names: allowed,
                    default_runtime_class_name: default.map(Into::into),
                }),
                explicit: Default::default(),
            };
            let (mut seccomp_allowed, mut seccomp_default, mut apparmor_allowed, apparmor_default) =
                profiles;
            // Without an allowed list a seccomp default refuses every pod: keep that rare.
            if seccomp_allowed.is_none() && !(privileged && ipc) {
                seccomp_default = None;
            }
            // A default is usually also allowed; sometimes not, to reach that edge too.
            for (list, default) in [
                (&mut seccomp_allowed, &seccomp_default),
                (&mut apparmor_allowed, &apparmor_default),
            ] {
                if let (Some(l), Some(d)) = (list.as_mut(), default) {
                    if !l.iter().any(|p| p == d) && !d.starts_with("localhost") {
                        l.push(d.to_string());
                    }
                }
            }
            build_psp(
                spec,
                Profiles {
                    seccomp_allowed,
                    seccomp_default: seccomp_default.map(Into::into),
                    apparmor_allowed,
                    apparmor_default: apparmor_default.map(Into::into),
                },
            )
        },
    )
}

/// A PSP from its spec and profiles, with the annotations that say the same.
pub fn build_psp(spec: PspSpec, profiles: Profiles) -> Psp {
    let mut annotations = BTreeMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            annotations.insert(k.to_string(), v);
        }
    };
    put(
        keys::SECCOMP_ALLOWED,
        profiles.seccomp_allowed.as_ref().map(|l| l.join(",")),
    );
    put(keys::SECCOMP_DEFAULT, profiles.seccomp_default.clone());
    put(
        keys::APPARMOR_ALLOWED,
        profiles.apparmor_allowed.as_ref().map(|l| l.join(",")),
    );
    put(keys::APPARMOR_DEFAULT, profiles.apparmor_default.clone());
    Psp {
        name: "generated".into(),
        api_version: "policy/v1beta1".into(),
        annotations,
        profiles,
        spec,
    }
}

/// How many ways [`loosen`] knows.
pub const LOOSENINGS: usize = 18;

/// `psp` with one restriction relaxed (`way` < [`LOOSENINGS`]), so it admits every pod `psp`
/// admits, and possibly more. Adding to an empty allow-list would narrow it ("empty = any"), so
/// those lists are cleared instead.
pub fn loosen(psp: &Psp, way: usize) -> Psp {
    let mut p = psp.clone();
    let s = &mut p.spec;
    // An empty driver list already allows any driver; a non-empty one gains an entry.
    let widen = |list: &mut Vec<String>, item: &str| {
        if !list.is_empty() {
            list.push(item.into());
        }
    };
    match way {
        0 => s.privileged = true,
        1 => s.host_network = true,
        2 => s.host_pid = true,
        3 => s.host_ipc = true,
        4 => s.host_ports.push(PortRange { min: 0, max: 65535 }),
        5 => s.volumes.push("*".into()),
        6 => s.allowed_host_paths.clear(),
        7 => {
            widen(&mut s.allowed_flex_volumes, "c3");
            widen(&mut s.allowed_csi_drivers, "c3");
        }
        8 => s.allowed_capabilities.push("*".into()),
        9 => s.allowed_capabilities.push("SYS_ADMIN".into()),
        10 => {
            s.run_as_user.rule = RunAsUserRule::RunAsAny;
            s.run_as_group = None;
        }
        11 => {
            s.fs_group.rule = GroupRule::RunAsAny;
            s.supplemental_groups.rule = GroupRule::RunAsAny;
        }
        12 => s.se_linux.rule = SeLinuxRule::RunAsAny,
        13 => {
            s.read_only_root_filesystem = false;
            s.allow_privilege_escalation = true;
        }
        14 => {
            s.allowed_unsafe_sysctls.push("net.*".into());
            s.forbidden_sysctls.retain(|f| f != "kernel.shm*");
        }
        15 => s.allowed_proc_mount_types = strings(&["Default", "Unmasked"]),
        16 => {
            if let Some(rc) = s.runtime_class.as_mut() {
                rc.allowed_runtime_class_names.push("*".into());
            }
        }
        _ => {
            if let Some(l) = p.profiles.seccomp_allowed.as_mut() {
                l.push("*".into());
            }
            p.profiles.apparmor_allowed = None;
        }
    }
    let spec = p.spec.clone();
    build_psp(spec, p.profiles)
}
