//! Behaviour of the simulator, one control at a time. PSPs and pods are written as YAML.

use k8s_openapi::api::core::v1::Pod;
use serde_json::json;

use super::*;
use crate::load::{load_text, Loaded, ObjectKind};
use crate::psp::{GroupRule, RunAsUserRule};

/// A PSP named `name`: RunAsAny strategies, volumes `*`, plus `spec` (lines indented two spaces)
/// and `annotations` (a flow mapping body).
fn named_psp(name: &str, spec: &str, annotations: &str) -> Psp {
    let strategies: String = ["seLinux", "runAsUser", "supplementalGroups", "fsGroup"]
        .iter()
        .filter(|k| !spec.contains(&format!("  {k}:")))
        .map(|k| format!("  {k}: {{rule: RunAsAny}}\n"))
        .collect();
    let text = format!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: '{name}'\n  annotations: {{{annotations}}}\nspec:\n{strategies}{spec}"
    );
    let mut loaded = Loaded::default();
    load_text("psp.yaml", &text, &mut loaded);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let p = loaded.psps().next().expect("a PSP").1.clone();
    p
}

fn psp(spec: &str) -> Psp {
    let with_volumes = if spec.contains("  volumes:") {
        spec.to_string()
    } else {
        format!("  volumes: ['*']\n{spec}")
    };
    named_psp("p", &with_volumes, "")
}

fn psp_annotated(annotations: &str) -> Psp {
    named_psp("p", "  volumes: ['*']\n", annotations)
}

/// A pod from its spec (lines indented two spaces) and annotations (a flow mapping body).
fn pod_annotated(spec: &str, annotations: &str) -> Pod {
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{{annotations}}}\nspec:\n{spec}"
    );
    let mut loaded = Loaded::default();
    load_text("pod.yaml", &text, &mut loaded);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    match &loaded.objects[0].kind {
        ObjectKind::Pod(p) => (**p).clone(),
        other => panic!("not a pod: {}", other.kind()),
    }
}

fn pod(spec: &str) -> Pod {
    pod_annotated(spec, "")
}

const APP: &str = "  containers: [{name: app, image: x}]\n";

fn run(psp: &Psp, pod: &Pod) -> Evaluation {
    evaluate(psp, pod.spec.as_ref().unwrap(), &pod.metadata)
}

/// The pod fields that failed, or `admitted`.
fn failed(psp: &Psp, pod: &Pod) -> Vec<String> {
    match run(psp, pod).admission {
        Admission::Denied { failures } => failures.into_iter().map(|f| f.field).collect(),
        Admission::Admitted { .. } => vec!["admitted".into()],
    }
}

fn admitted(psp: &Psp, pod: &Pod) -> bool {
    run(psp, pod).admission.is_admitted()
}

/// The mutations as `(path, value)`; panics when denied.
fn mutations(psp: &Psp, pod: &Pod) -> Vec<(String, serde_json::Value)> {
    match run(psp, pod).admission {
        Admission::Admitted { mutations } => {
            mutations.into_iter().map(|m| (m.path, m.value)).collect()
        }
        Admission::Denied { failures } => panic!("denied: {failures:?}"),
    }
}

fn ports(list: &str, port: i32) -> Pod {
    pod(&format!("  {list}: [{{name: c, image: x, ports: [{{containerPort: 1, hostPort: {port}}}]}}]\n  containers: [{{name: app, image: x}}]\n"))
}

#[test]
fn host_port_must_fall_in_any_range_bounds_inclusive() {
    let p = psp("  hostPorts: [{min: 80, max: 80}, {min: 8000, max: 8080}]\n");
    for ok in [80, 8000, 8080] {
        assert!(admitted(&p, &ports("initContainers", ok)), "{ok}");
    }
    for bad in [79, 81, 7999, 8081] {
        assert_eq!(
            failed(&p, &ports("initContainers", bad)),
            ["spec.initContainers[name=c].ports[0].hostPort"],
            "{bad}"
        );
    }
    let none = psp("");
    assert_eq!(
        failed(&none, &ports("ephemeralContainers", 80)),
        ["spec.ephemeralContainers[name=c].ports[0].hostPort"]
    );
}

#[test]
fn host_network_defaults_host_ports_to_container_ports() {
    let p = pod("  hostNetwork: true\n  containers: [{name: app, image: x, ports: [{containerPort: 8080}]}]\n");
    assert_eq!(
        failed(&psp("  hostNetwork: true\n"), &p),
        ["spec.containers[name=app].ports[0].hostPort"]
    );
    assert!(admitted(
        &psp("  hostNetwork: true\n  hostPorts: [{min: 8080, max: 8080}]\n"),
        &p
    ));
    let e = run(
        &psp("  hostNetwork: true\n  hostPorts: [{min: 8080, max: 8080}]\n"),
        &p,
    );
    assert_eq!(
        e.pod.spec.unwrap().containers[0].ports.as_ref().unwrap()[0].host_port,
        Some(8080)
    );
}

#[test]
fn host_namespaces_denied_unless_allowed() {
    for ns in ["hostPID", "hostIPC", "hostNetwork"] {
        let p = pod(&format!("  {ns}: true\n{APP}"));
        assert_eq!(failed(&psp(""), &p), [format!("spec.{ns}")]);
        assert!(admitted(&psp(&format!("  {ns}: true\n")), &p), "{ns}");
    }
}

fn host_path_pod(path: &str, read_only: bool) -> Pod {
    pod(&format!(
        "  volumes: [{{name: h, hostPath: {{path: '{path}'}}}}]\n  initContainers: [{{name: i, image: x, volumeMounts: [{{name: h, mountPath: /i, readOnly: true}}]}}]\n  containers: [{{name: app, image: x, volumeMounts: [{{name: h, mountPath: /m, readOnly: {read_only}}}]}}]\n"
    ))
}

#[test]
fn host_path_prefix_matches_whole_segments() {
    let p = psp("  allowedHostPaths: [{pathPrefix: /foo}, {pathPrefix: /var/log/}]\n");
    for ok in ["/foo", "/foo/", "/foo/bar", "/var/log", "/var/log/pods"] {
        assert!(admitted(&p, &host_path_pod(ok, false)), "{ok}");
    }
    for bad in ["/foobar", "/fo", "/var/logs", "/"] {
        assert_eq!(
            failed(&p, &host_path_pod(bad, false)),
            ["spec.volumes[name=h].hostPath.path"],
            "{bad}"
        );
    }
    assert!(
        admitted(&psp(""), &host_path_pod("/anything", false)),
        "empty list allows any path"
    );
}

#[test]
fn read_only_host_path_needs_every_mount_read_only() {
    let p = psp("  allowedHostPaths: [{pathPrefix: /foo, readOnly: true}]\n");
    assert!(admitted(&p, &host_path_pod("/foo/bar", true)));
    assert_eq!(
        failed(&p, &host_path_pod("/foo/bar", false)),
        ["spec.containers[name=app].volumeMounts[mountPath=/m].readOnly"]
    );
    // A writable prefix that also matches lifts the requirement.
    let both =
        psp("  allowedHostPaths: [{pathPrefix: /foo, readOnly: true}, {pathPrefix: /foo/bar}]\n");
    assert!(admitted(&both, &host_path_pod("/foo/bar/baz", false)));
    assert!(!admitted(&both, &host_path_pod("/foo/other", false)));
}

#[test]
fn volume_types_and_sourceless_volume_is_empty_dir() {
    let sourceless = pod(&format!("  volumes: [{{name: v}}]\n{APP}"));
    assert!(admitted(
        &psp("  volumes: [emptyDir, secret]\n"),
        &sourceless
    ));
    assert_eq!(
        failed(&psp("  volumes: [configMap, secret]\n"), &sourceless),
        ["spec.volumes[name=v]"]
    );
    let two = pod(&format!("  volumes: [{{name: s, secret: {{secretName: s}}}}, {{name: c, configMap: {{name: c}}}}]\n{APP}"));
    assert!(admitted(&psp("  volumes: [secret, configMap]\n"), &two));
    assert_eq!(
        failed(&psp("  volumes: [secret]\n"), &two),
        ["spec.volumes[name=c]"]
    );
    assert_eq!(failed(&psp("  volumes: []\n"), &two).len(), 2);
}

#[test]
fn flex_and_csi_drivers_must_be_listed_when_listed() {
    let p = psp("  allowedFlexVolumes: [{driver: a/one}, {driver: b/two}]\n  allowedCSIDrivers: [{name: c1}, {name: c2}]\n");
    let vol = |v: &str| pod(&format!("  volumes: [{{name: v, {v}}}]\n{APP}"));
    assert!(admitted(&p, &vol("flexVolume: {driver: b/two}")));
    assert_eq!(
        failed(&p, &vol("flexVolume: {driver: c/three}")),
        ["spec.volumes[name=v].flexVolume.driver"]
    );
    assert!(admitted(&p, &vol("csi: {driver: c2}")));
    assert_eq!(
        failed(&p, &vol("csi: {driver: c3}")),
        ["spec.volumes[name=v].csi.driver"]
    );
    assert!(
        admitted(&psp(""), &vol("csi: {driver: anything}")),
        "empty list allows any driver"
    );
}

fn caps(list: &str, add: &str, drop: &str) -> Pod {
    pod(&format!(
        "  {list}: [{{name: c, image: x, securityContext: {{capabilities: {{add: [{add}], drop: [{drop}]}}}}}}]\n  containers: [{{name: app, image: x, securityContext: {{capabilities: {{drop: [ALL]}}}}}}]\n"
    ))
}

#[test]
fn capabilities_added_must_be_allowed_or_default() {
    let p = psp("  allowedCapabilities: [NET_ADMIN, CHOWN]\n  defaultAddCapabilities: [KILL]\n");
    assert!(admitted(
        &p,
        &caps("initContainers", "CHOWN, NET_ADMIN, KILL", "")
    ));
    assert_eq!(
        failed(&p, &caps("ephemeralContainers", "SYS_ADMIN", "")),
        ["spec.ephemeralContainers[name=c].securityContext.capabilities.add"]
    );
    assert!(admitted(
        &psp("  allowedCapabilities: ['*']\n"),
        &caps("initContainers", "SYS_ADMIN", "")
    ));
}

#[test]
fn required_drops_are_added_then_checked_and_wildcard_waives_them() {
    let p = psp("  requiredDropCapabilities: [NET_RAW, ALL]\n");
    let m = mutations(&p, &caps("initContainers", "", "KILL"));
    assert_eq!(
        m[0],
        (
            "spec.initContainers[name=c].securityContext.capabilities".into(),
            json!({"add": [], "drop": ["ALL", "KILL", "NET_RAW"]})
        )
    );
    // The regular container already drops ALL, so only NET_RAW is added there.
    assert_eq!(m[1].1, json!({"add": [], "drop": ["ALL", "NET_RAW"]}));
    assert_eq!(m.len(), 2);
    let e = run(&p, &caps("initContainers", "", "KILL"));
    let again = evaluate(&p, e.pod.spec.as_ref().unwrap(), &e.pod.metadata);
    assert!(again.admission.is_unchanged());
}

#[test]
fn default_add_capabilities_skip_dropped_ones() {
    let p = psp("  defaultAddCapabilities: [CHOWN, KILL]\n");
    let m = mutations(&p, &caps("initContainers", "", "KILL"));
    assert_eq!(m[0].1, json!({"add": ["CHOWN"], "drop": ["KILL"]}));
    assert_eq!(m[1].1, json!({"add": ["CHOWN", "KILL"], "drop": ["ALL"]}));
}

#[test]
fn run_as_user_must_run_as_any_range_container_over_pod() {
    let p = psp(
        "  runAsUser: {rule: MustRunAs, ranges: [{min: 100, max: 200}, {min: 1000, max: 1000}]}\n",
    );
    let pod_level = pod(&format!("  securityContext: {{runAsUser: 1000}}\n{APP}"));
    assert!(run(&p, &pod_level).admission.is_unchanged());
    let overridden = pod("  securityContext: {runAsUser: 150}\n  containers: [{name: app, image: x, securityContext: {runAsUser: 201}}]\n");
    assert_eq!(
        failed(&p, &overridden),
        ["spec.containers[name=app].securityContext.runAsUser"]
    );
    let unset = pod("  initContainers: [{name: i, image: x}]\n  containers: [{name: app, image: x}]\n  ephemeralContainers: [{name: e, image: x}]\n");
    let m = mutations(&p, &unset);
    let paths: Vec<&str> = m.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "spec.initContainers[name=i].securityContext.runAsUser",
            "spec.containers[name=app].securityContext.runAsUser",
            "spec.ephemeralContainers[name=e].securityContext.runAsUser"
        ]
    );
    assert!(m.iter().all(|(_, v)| *v == json!(100)));
}

#[test]
fn run_as_non_root() {
    let p = psp("  runAsUser: {rule: MustRunAsNonRoot}\n");
    assert_eq!(
        mutations(&p, &pod(APP)),
        [(
            "spec.containers[name=app].securityContext.runAsNonRoot".to_string(),
            json!(true)
        )]
    );
    assert!(run(
        &p,
        &pod(&format!("  securityContext: {{runAsNonRoot: true}}\n{APP}"))
    )
    .admission
    .is_unchanged());
    assert!(run(
        &p,
        &pod(&format!("  securityContext: {{runAsUser: 5}}\n{APP}"))
    )
    .admission
    .is_unchanged());
    assert_eq!(
        failed(
            &p,
            &pod(&format!("  securityContext: {{runAsUser: 0}}\n{APP}"))
        ),
        ["spec.containers[name=app].securityContext.runAsUser"]
    );
    let c = pod("  securityContext: {runAsNonRoot: true}\n  containers: [{name: app, image: x, securityContext: {runAsNonRoot: false}}]\n");
    assert_eq!(
        failed(&p, &c),
        ["spec.containers[name=app].securityContext.runAsNonRoot"]
    );
}

#[test]
fn group_rules() {
    let must = psp("  fsGroup: {rule: MustRunAs, ranges: [{min: 10, max: 20}, {min: 30, max: 40}]}\n  supplementalGroups: {rule: MustRunAs, ranges: [{min: 5, max: 6}]}\n  runAsGroup: {rule: MustRunAs, ranges: [{min: 7, max: 8}]}\n");
    let m = mutations(&must, &pod(APP));
    assert_eq!(
        m,
        [
            (
                "spec.securityContext.supplementalGroups".to_string(),
                json!([5])
            ),
            ("spec.securityContext.fsGroup".to_string(), json!(10)),
            (
                "spec.containers[name=app].securityContext.runAsGroup".to_string(),
                json!(7)
            ),
        ]
    );
    let set = pod(&format!(
        "  securityContext: {{fsGroup: 35, supplementalGroups: [5, 6], runAsGroup: 8}}\n{APP}"
    ));
    assert!(run(&must, &set).admission.is_unchanged());
    // An explicit empty list is not defaulted, and MustRunAs then refuses it.
    let empty = pod(&format!(
        "  securityContext: {{supplementalGroups: []}}\n{APP}"
    ));
    assert_eq!(
        failed(&must, &empty),
        ["spec.securityContext.supplementalGroups"]
    );
    let may = psp("  fsGroup: {rule: MayRunAs, ranges: [{min: 10, max: 20}]}\n");
    assert!(run(&may, &pod(APP)).admission.is_unchanged());
    assert_eq!(
        failed(
            &may,
            &pod(&format!("  securityContext: {{fsGroup: 21}}\n{APP}"))
        ),
        ["spec.securityContext.fsGroup"]
    );
}

#[test]
fn selinux_must_run_as() {
    let p = psp("  seLinux: {rule: MustRunAs, seLinuxOptions: {level: 's0:c1,c2', type: t}}\n");
    assert_eq!(
        mutations(&p, &pod(APP)),
        [(
            "spec.securityContext.seLinuxOptions".to_string(),
            json!({"level": "s0:c1,c2", "type": "t"})
        )]
    );
    let reordered = pod(&format!(
        "  securityContext: {{seLinuxOptions: {{level: 's0:c2,c1', type: t}}}}\n{APP}"
    ));
    assert!(run(&p, &reordered).admission.is_unchanged());
    let c = pod("  containers: [{name: app, image: x, securityContext: {seLinuxOptions: {level: 's0:c1,c2', type: other}}}]\n");
    assert_eq!(
        failed(&p, &c),
        ["spec.containers[name=app].securityContext.seLinuxOptions.type"]
    );
}

#[test]
fn read_only_root_filesystem() {
    let p = psp("  readOnlyRootFilesystem: true\n");
    assert_eq!(
        mutations(&p, &pod(APP)),
        [(
            "spec.containers[name=app].securityContext.readOnlyRootFilesystem".to_string(),
            json!(true)
        )]
    );
    let f = pod("  initContainers: [{name: i, image: x, securityContext: {readOnlyRootFilesystem: false}}]\n  containers: [{name: app, image: x}]\n");
    assert_eq!(
        failed(&p, &f),
        ["spec.initContainers[name=i].securityContext.readOnlyRootFilesystem"]
    );
}

#[test]
fn privilege_escalation() {
    let deny = psp("  allowPrivilegeEscalation: false\n");
    assert_eq!(
        mutations(&deny, &pod(APP)),
        [(
            "spec.containers[name=app].securityContext.allowPrivilegeEscalation".to_string(),
            json!(false)
        )]
    );
    let yes = pod("  containers: [{name: app, image: x, securityContext: {allowPrivilegeEscalation: true}}]\n");
    assert_eq!(
        failed(&deny, &yes),
        ["spec.containers[name=app].securityContext.allowPrivilegeEscalation"]
    );
    let default_false = psp("  defaultAllowPrivilegeEscalation: false\n");
    assert_eq!(mutations(&default_false, &pod(APP))[0].1, json!(false));
    assert!(
        run(&default_false, &yes).admission.is_unchanged(),
        "allowed, only defaulted"
    );
}

#[test]
fn privileged_in_any_container_list() {
    let p = pod("  initContainers: [{name: i, image: x, securityContext: {privileged: true}}]\n  containers: [{name: app, image: x}]\n");
    assert_eq!(
        failed(&psp(""), &p),
        ["spec.initContainers[name=i].securityContext.privileged"]
    );
    assert!(admitted(&psp("  privileged: true\n"), &p));
}

#[test]
fn proc_mount() {
    let unmasked =
        pod("  containers: [{name: app, image: x, securityContext: {procMount: Unmasked}}]\n");
    assert_eq!(
        failed(&psp(""), &unmasked),
        ["spec.containers[name=app].securityContext.procMount"]
    );
    assert!(admitted(
        &psp("  allowedProcMountTypes: [Default, Unmasked]\n"),
        &unmasked
    ));
    assert!(
        !admitted(&psp("  allowedProcMountTypes: [Unmasked]\n"), &pod(APP)),
        "unset reads Default"
    );
}

fn sysctl(name: &str) -> Pod {
    pod(&format!(
        "  securityContext: {{sysctls: [{{name: {name}, value: '1'}}]}}\n{APP}"
    ))
}

#[test]
fn sysctls() {
    let p = psp("  allowedUnsafeSysctls: ['kernel.msg*', net.core.somaxconn]\n  forbiddenSysctls: ['kernel.shm*', kernel.msgmni]\n");
    for ok in [
        "kernel.msgmax",
        "net.core.somaxconn",
        "net.ipv4.tcp_syncookies",
    ] {
        assert!(admitted(&p, &sysctl(ok)), "{ok}");
    }
    for bad in [
        "kernel.msgmni",
        "kernel.shm_rmid_forced",
        "net.core.somaxconn2",
        "kernel.sem",
    ] {
        assert_eq!(
            failed(&p, &sysctl(bad)),
            [format!("spec.securityContext.sysctls[name={bad}]")],
            "{bad}"
        );
    }
    assert!(
        admitted(&psp(""), &sysctl("kernel.shm_rmid_forced")),
        "safe by default"
    );
}

#[test]
fn runtime_class() {
    let p = psp("  runtimeClass: {allowedRuntimeClassNames: [gvisor, kata], defaultRuntimeClassName: gvisor}\n");
    assert_eq!(
        mutations(&p, &pod(APP)),
        [("spec.runtimeClassName".to_string(), json!("gvisor"))]
    );
    assert!(run(&p, &pod(&format!("  runtimeClassName: kata\n{APP}")))
        .admission
        .is_unchanged());
    assert_eq!(
        failed(&p, &pod(&format!("  runtimeClassName: runc\n{APP}"))),
        ["spec.runtimeClassName"]
    );
    let no_default = psp("  runtimeClass: {allowedRuntimeClassNames: [gvisor]}\n");
    assert!(
        run(&no_default, &pod(APP)).admission.is_unchanged(),
        "unset is always allowed"
    );
}

const SECCOMP_ALLOWED: &str = "seccomp.security.alpha.kubernetes.io/allowedProfileNames";

#[test]
fn seccomp_without_annotation_allows_no_profile() {
    let p = psp("");
    assert!(run(&p, &pod(APP)).admission.is_unchanged());
    let field = pod(&format!(
        "  securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}\n{APP}"
    ));
    assert_eq!(
        failed(&p, &field),
        [
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
            "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]"
        ]
    );
}

#[test]
fn seccomp_field_becomes_annotation_and_docker_default_stands_for_runtime_default() {
    let p = psp_annotated(&format!("{SECCOMP_ALLOWED}: docker/default"));
    let field = pod(&format!(
        "  securityContext: {{seccompProfile: {{type: RuntimeDefault}}}}\n{APP}"
    ));
    assert_eq!(
        mutations(&p, &field),
        [(
            format!("metadata.annotations[{SECCOMP_POD}]"),
            json!("runtime/default")
        )]
    );
    assert_eq!(
        failed(&p, &pod(APP)),
        [
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
            "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]"
        ]
    );
    let container_field = pod("  containers: [{name: app, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}}]\n");
    let with_unset = psp_annotated(&format!("{SECCOMP_ALLOWED}: 'runtime/default,'"));
    assert_eq!(
        failed(&with_unset, &container_field),
        ["metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]"]
    );
    assert!(
        admitted(&with_unset, &pod(APP)),
        "an empty item allows no profile"
    );
    let any = psp_annotated(&format!("{SECCOMP_ALLOWED}: '*'"));
    assert!(admitted(&any, &container_field));
}

#[test]
fn seccomp_default_annotation() {
    let p = psp_annotated(&format!(
        "{SECCOMP_ALLOWED}: runtime/default, seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default"
    ));
    assert_eq!(
        mutations(&p, &pod(APP)),
        [(
            format!("metadata.annotations[{SECCOMP_POD}]"),
            json!("runtime/default")
        )]
    );
    let unconfined = pod_annotated(APP, &format!("'{SECCOMP_CONTAINER}app': unconfined"));
    assert_eq!(
        failed(&p, &unconfined),
        [format!("metadata.annotations[{SECCOMP_CONTAINER}app]")]
    );
}

#[test]
fn apparmor() {
    let allowed = "apparmor.security.beta.kubernetes.io/allowedProfileNames";
    let p = psp_annotated(&format!("{allowed}: 'runtime/default,localhost/x'"));
    let two = "  initContainers: [{name: i, image: x}]\n  containers: [{name: app, image: x}]\n";
    assert_eq!(
        failed(&p, &pod(two)),
        [
            format!("metadata.annotations[{APPARMOR_CONTAINER}i]"),
            format!("metadata.annotations[{APPARMOR_CONTAINER}app]")
        ]
    );
    let set = pod_annotated(
        two,
        &format!(
            "'{APPARMOR_CONTAINER}i': localhost/x, '{APPARMOR_CONTAINER}app': runtime/default"
        ),
    );
    assert!(run(&p, &set).admission.is_unchanged());
    let d = psp_annotated(&format!("{allowed}: runtime/default, apparmor.security.beta.kubernetes.io/defaultProfileName: runtime/default"));
    let m = mutations(&d, &pod(two));
    assert_eq!(m.len(), 2);
    assert_eq!(
        m[1],
        (
            format!("metadata.annotations[{APPARMOR_CONTAINER}app]"),
            json!("runtime/default")
        )
    );
    let unconfined = pod_annotated(APP, &format!("'{APPARMOR_CONTAINER}app': unconfined"));
    assert!(!admitted(&d, &unconfined));
    assert!(
        admitted(&psp(""), &unconfined),
        "no allowed list: any profile"
    );
}

#[test]
fn unusable_policy_admits_nothing() {
    let mut p = psp("");
    p.spec.run_as_user.rule = RunAsUserRule::MustRunAs;
    p.spec.fs_group.rule = GroupRule::MayRunAs;
    match run(&p, &pod(APP)).admission {
        Admission::Denied { failures } => {
            let fields: Vec<&str> = failures.iter().map(|f| f.psp_field.as_str()).collect();
            assert_eq!(fields, ["spec.runAsUser.ranges", "spec.fsGroup.ranges"]);
        }
        other => panic!("{other:?}"),
    }
}

fn choose_names(psps: &[&Psp], pod: &Pod) -> Choice {
    choose(psps, pod.spec.as_ref().unwrap(), &pod.metadata)
}

#[test]
fn choice_prefers_a_policy_that_changes_nothing() {
    let mutating = named_psp(
        "a-mutating",
        "  volumes: ['*']\n  readOnlyRootFilesystem: true\n",
        "",
    );
    let plain = named_psp("b-plain", "  volumes: ['*']\n", "");
    match choose_names(&[&plain, &mutating], &pod(APP)) {
        Choice::Admitted {
            psp,
            mutations,
            pod,
        } => {
            assert_eq!(psp, "b-plain");
            assert!(mutations.is_empty());
            assert_eq!(pod.metadata.annotations.unwrap()[VALIDATED_BY], "b-plain");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn choice_takes_the_first_mutating_policy_by_name() {
    let b = named_psp(
        "b",
        "  volumes: ['*']\n  readOnlyRootFilesystem: true\n",
        "",
    );
    let a = named_psp(
        "a",
        "  volumes: ['*']\n  allowPrivilegeEscalation: false\n",
        "",
    );
    match choose_names(&[&b, &a], &pod(APP)) {
        Choice::Admitted { psp, mutations, .. } => {
            assert_eq!(psp, "a");
            assert_eq!(
                mutations[0].path,
                "spec.containers[name=app].securityContext.allowPrivilegeEscalation"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn choice_denied_lists_every_policy_in_name_order() {
    let z = named_psp("z", "  volumes: ['*']\n", "");
    let y = named_psp("y", "  volumes: ['*']\n", "");
    let privileged = pod("  hostPID: true\n  containers: [{name: app, image: x, securityContext: {privileged: true}}]\n");
    match choose_names(&[&z, &y], &privileged) {
        Choice::Denied { failures } => {
            let names: Vec<&str> = failures.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, ["y", "z"]);
            assert!(failures.iter().all(|(_, f)| f.len() == 2));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(choose_names(&[], &pod(APP)), Choice::Denied { failures } if failures.is_empty())
    );
}

#[test]
fn container_mutations_follow_the_plugin_order() {
    let p = named_psp(
        "p",
        "  volumes: ['*']\n  runAsUser: {rule: MustRunAs, ranges: [{min: 7, max: 7}]}\n  readOnlyRootFilesystem: true\n",
        "apparmor.security.beta.kubernetes.io/defaultProfileName: runtime/default",
    );
    let paths: Vec<String> = mutations(&p, &pod(APP))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        paths,
        [
            "spec.containers[name=app].securityContext.runAsUser".to_string(),
            format!("metadata.annotations[{APPARMOR_CONTAINER}app]"),
            "spec.containers[name=app].securityContext.readOnlyRootFilesystem".to_string(),
        ]
    );
}
