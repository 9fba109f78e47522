//! Helpers shared by the integration tests: running the binary and finding ../shared.
#![allow(dead_code)]

pub mod podgen;
pub mod schema;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs podsec-migrate with `args` from the crate root, feeding `stdin`.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    run_in_with_stdin(Path::new(env!("CARGO_MANIFEST_DIR")), args, stdin)
}

/// Runs podsec-migrate with `args` from the working directory `cwd` and empty stdin.
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    run_in_with_stdin(cwd, args, b"")
}

/// Runs podsec-migrate with `args` from the working directory `cwd`, feeding `stdin`.
fn run_in_with_stdin(cwd: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_podsec-migrate"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // The binary may exit (a usage error, say) before it reads stdin: a broken pipe is fine.
    let written = child.stdin.take().expect("stdin").write_all(stdin);
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "stdin could not be written: {e}"
        );
    }
    let out = child.wait_with_output().expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs podsec-migrate with `args` and empty stdin.
pub fn run(args: &[&str]) -> Run {
    run_with_stdin(args, b"")
}

/// The shared folder (conformance fixtures, corpus, schemas): `$PODSEC_SHARED`, else `../shared`
/// beside the crate. `None` (after a loud message) when absent; under CI its absence fails.
pub fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("PODSEC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{test}: shared folder {} not found, and CI must run this test",
            dir.display()
        );
    }
    eprintln!(
        "SKIPPED {test}: shared folder {} not found; set PODSEC_SHARED to run it",
        dir.display()
    );
    None
}
