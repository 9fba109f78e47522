use super::*;
use crate::load::{load_text, Loaded};
use crate::psp::{PortRange, RunAsUserRule};

/// Parses one PSP from YAML (spec fields indented by four spaces under `spec:`).
fn psp(spec: &str, annotations: &str) -> Psp {
    let text = format!(
        "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: p\n  annotations: {{{annotations}}}\nspec:\n  seLinux: {{rule: RunAsAny}}\n  runAsUser: {{rule: RunAsAny}}\n  supplementalGroups: {{rule: RunAsAny}}\n  fsGroup: {{rule: RunAsAny}}\n{spec}"
    );
    let mut loaded = Loaded::default();
    load_text("t.yaml", &text, &mut loaded);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let p = loaded.psps().next().expect("a PSP").1.clone();
    p
}

fn find<'a>(i: &'a Intent, field: &str, effect: Effect) -> &'a Constraint {
    i.constraints
        .iter()
        .find(|c| c.field == field && c.effect == effect)
        .unwrap_or_else(|| panic!("no {effect:?} constraint on {field}"))
}

#[test]
fn absent_booleans_deny_and_are_defaults() {
    let i = intent_of(&psp("", ""));
    let net = find(&i, "spec.hostNetwork", Effect::Validate);
    assert_eq!(net.origin, Origin::Default);
    assert_eq!(
        net.control,
        Control::HostNamespace {
            namespace: HostNamespace::Network,
            allowed: false
        }
    );
    assert_eq!(net.describe(), "host network: denied");
    let ape = find(&i, "spec.allowPrivilegeEscalation", Effect::Validate);
    assert_eq!(
        ape.control,
        Control::AllowPrivilegeEscalation { allowed: true }
    );
    assert_eq!(
        find(&i, "spec.privileged", Effect::Validate).describe(),
        "privileged containers: denied"
    );
    // No mutation without a mutating field.
    assert_eq!(i.with_effect(Effect::Mutate).count(), 0);
}

#[test]
fn every_host_port_range_is_kept_and_described_sorted() {
    let i = intent_of(&psp(
        "  hostPorts: [{min: 443, max: 443}, {min: 80, max: 80}]\n",
        "",
    ));
    let c = find(&i, "spec.hostPorts", Effect::Validate);
    assert_eq!(c.origin, Origin::Explicit);
    assert_eq!(
        c.control,
        Control::HostPorts(vec![
            PortRange { min: 443, max: 443 },
            PortRange { min: 80, max: 80 }
        ])
    );
    assert_eq!(c.describe(), "host ports: 80-80, 443-443");
}

#[test]
fn must_run_as_yields_a_check_and_a_default_from_the_first_range() {
    let i = intent_of(&psp(
        "  runAsGroup: {rule: MustRunAs, ranges: [{min: 5, max: 9}, {min: 1, max: 2}]}\n",
        "",
    ));
    let v = find(&i, "spec.runAsGroup", Effect::Validate);
    assert_eq!(v.describe(), "runAsGroup: must be set and in 1-2, 5-9");
    let m = find(&i, "spec.runAsGroup", Effect::Mutate);
    assert_eq!(m.control, Control::DefaultRunAsGroup { gid: 5 });
}

#[test]
fn run_as_user_non_root_defaults_run_as_non_root() {
    let mut p = psp("", "");
    p.spec.run_as_user.rule = RunAsUserRule::MustRunAsNonRoot;
    let i = intent_of(&p);
    assert_eq!(
        find(&i, "spec.runAsUser", Effect::Mutate).control,
        Control::DefaultRunAsNonRoot
    );
}

#[test]
fn deny_escalation_without_explicit_default_defaults_to_false() {
    let i = intent_of(&psp("  allowPrivilegeEscalation: false\n", ""));
    let m = find(&i, "spec.allowPrivilegeEscalation", Effect::Mutate);
    assert_eq!(
        m.control,
        Control::DefaultAllowPrivilegeEscalation { allowed: false }
    );
    let i = intent_of(&psp("  defaultAllowPrivilegeEscalation: false\n", ""));
    let m = find(&i, "spec.defaultAllowPrivilegeEscalation", Effect::Mutate);
    assert_eq!(
        m.control,
        Control::DefaultAllowPrivilegeEscalation { allowed: false }
    );
    assert_eq!(i.with_effect(Effect::Mutate).count(), 1);
}

#[test]
fn profile_annotations_keep_every_item_including_empty() {
    let i = intent_of(&psp(
        "",
        "seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'runtime/default,', seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default",
    ));
    let f = "metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]";
    let c = find(&i, f, Effect::Validate);
    assert_eq!(c.origin, Origin::Explicit);
    assert_eq!(
        c.control,
        Control::Seccomp {
            allowed: Some(vec!["runtime/default".into(), String::new()])
        }
    );
    assert_eq!(c.describe(), "seccomp profiles: (unset), runtime/default");
    let d = "metadata.annotations[seccomp.security.alpha.kubernetes.io/defaultProfileName]";
    assert_eq!(
        find(&i, d, Effect::Mutate).describe(),
        "seccomp profile defaults to runtime/default"
    );
    let aa = "metadata.annotations[apparmor.security.beta.kubernetes.io/allowedProfileNames]";
    let c = find(&i, aa, Effect::Validate);
    assert_eq!(
        (c.origin, c.describe().as_str()),
        (Origin::Default, "AppArmor profiles: any")
    );
}

#[test]
fn lists_are_whole() {
    let i = intent_of(&psp(
        "  volumes: [hostPath, configMap, '*']\n  allowedHostPaths: [{pathPrefix: /foo, readOnly: true}, {pathPrefix: /var/log}]\n  allowedFlexVolumes: [{driver: a/b}, {driver: c/d}]\n  allowedCSIDrivers: [{name: x}, {name: 'y'}]\n  allowedUnsafeSysctls: ['kernel.msg*', net.core.somaxconn]\n  forbiddenSysctls: ['kernel.shm*']\n  allowedCapabilities: [NET_ADMIN, CHOWN]\n  defaultAddCapabilities: [CHOWN]\n  requiredDropCapabilities: [ALL]\n  allowedProcMountTypes: [Default, Unmasked]\n  runtimeClass: {allowedRuntimeClassNames: [gvisor, kata], defaultRuntimeClassName: gvisor}\n",
        "",
    ));
    let d = |f: &str, e| find(&i, f, e).describe();
    assert_eq!(d("spec.volumes", Effect::Validate), "volume types: any");
    assert_eq!(
        d("spec.allowedHostPaths", Effect::Validate),
        "host paths: /foo (read-only), /var/log"
    );
    assert_eq!(
        d("spec.allowedFlexVolumes", Effect::Validate),
        "flexVolume drivers: a/b, c/d"
    );
    assert_eq!(
        d("spec.allowedCSIDrivers", Effect::Validate),
        "inline CSI drivers: x, y"
    );
    assert_eq!(
        d("spec.allowedUnsafeSysctls", Effect::Validate),
        "unsafe sysctls allowed: kernel.msg*, net.core.somaxconn"
    );
    assert_eq!(
        d("spec.forbiddenSysctls", Effect::Validate),
        "forbidden sysctls: kernel.shm*"
    );
    assert_eq!(
        d("spec.allowedCapabilities", Effect::Validate),
        "capabilities that may be added: CHOWN, NET_ADMIN"
    );
    assert_eq!(
        d("spec.defaultAddCapabilities", Effect::Mutate),
        "capabilities added by default (unless dropped): CHOWN"
    );
    assert_eq!(
        d("spec.requiredDropCapabilities", Effect::Mutate),
        "capabilities dropped by default: ALL"
    );
    assert_eq!(
        d("spec.allowedProcMountTypes", Effect::Validate),
        "proc mount types: Default, Unmasked"
    );
    assert_eq!(
        d(
            "spec.runtimeClass.allowedRuntimeClassNames",
            Effect::Validate
        ),
        "runtime classes: unset or gvisor, kata"
    );
    assert_eq!(
        d("spec.runtimeClass.defaultRuntimeClassName", Effect::Mutate),
        "runtimeClassName defaults to gvisor"
    );
}

#[test]
fn every_spec_field_and_annotation_has_a_constraint() {
    let i = intent_of(&psp("", ""));
    for f in crate::psp::SPEC_FIELDS {
        if *f == "defaultAddCapabilities" || *f == "defaultAllowPrivilegeEscalation" {
            continue; // mutation-only fields, absent here
        }
        let prefix = format!("spec.{f}");
        assert!(
            i.constraints
                .iter()
                .any(|c| c.field == prefix || c.field.starts_with(&format!("{prefix}."))),
            "no constraint for {f}"
        );
    }
    for a in ["seccomp", "apparmor"] {
        assert!(i.constraints.iter().any(|c| c.field.contains(a)), "{a}");
    }
}

#[test]
fn serializes_with_control_tag() {
    let i = intent_of(&psp("  hostPorts: [{min: 1, max: 2}]\n", ""));
    let v = serde_json::to_value(&i).unwrap();
    let ports = v["constraints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "spec.hostPorts")
        .unwrap();
    assert_eq!(ports["control"]["control"], "HostPorts");
    assert_eq!(ports["control"]["value"][0]["max"], 2);
    assert_eq!(ports["effect"], "Validate");
}
