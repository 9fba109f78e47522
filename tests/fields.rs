//! One fixture per PSP field family, `fixtures/fields/<family>/` (a PSP and pods that exercise
//! that family), named as the family's files in `intent/`, `simulate/check/` and `levels/`. Each
//! family's `levels` and `simulate` output is one insta snapshot: `fields__levels__<family>` and
//! `fields__simulate__<family>`.

mod common;

use common::run;

/// The field families. Every fixture has a pod its PSP admits and one it denies, so `simulate`
/// exits 1 on each.
const FAMILIES: &[&str] = &[
    "privileged",
    "host_namespaces",
    "volumes",
    "capabilities",
    "users_groups",
    "selinux",
    "read_only_root_filesystem",
    "privilege_escalation",
    "proc_mount",
    "runtime_class",
    "sysctls",
    "seccomp",
    "apparmor",
];

/// Runs the binary from the crate root and expects `code`.
fn output(args: &[&str], code: i32) -> String {
    let r = run(args);
    assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
    r.stdout
}

#[test]
fn every_family_has_a_folder_and_no_folder_is_left_out() {
    let mut found: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/fields"))
            .expect("fixtures/fields exists")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    found.sort();
    let mut listed: Vec<String> = FAMILIES.iter().map(|f| f.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
}

#[test]
fn levels_per_family() {
    for family in FAMILIES {
        let dir = format!("fixtures/fields/{family}");
        insta::assert_snapshot!(format!("levels__{family}"), output(&["levels", &dir], 0));
    }
}

#[test]
fn simulate_per_family() {
    for family in FAMILIES {
        let dir = format!("fixtures/fields/{family}");
        let out = output(&["simulate", "--all-psps", &dir], 1);
        assert!(
            out.contains("ADMITTED") && out.contains("DENIED"),
            "{family}: {out}"
        );
        insta::assert_snapshot!(format!("simulate__{family}"), out);
    }
}
