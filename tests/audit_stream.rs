//! `audit` reads a dump as a stream: memory stays flat, JSON and YAML dumps give the same
//! answers, and a document that cannot be read is reported at its position while the rest is
//! still judged.

#[path = "../examples/gen-dump/dump.rs"]
mod dump;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// What one run did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `args`, writing `stdin` from another thread while the output is read
/// (audit writes results while it reads: writing all input first could fill both pipes).
fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_podsec-migrate"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Drops every `source` member (positions differ between layouts).
fn without_sources(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("source");
            m.values_mut().for_each(without_sources);
        }
        Value::Array(a) => a.iter_mut().for_each(without_sources),
        _ => {}
    }
}

/// The same generated cluster as a JSON List, JSON documents, a YAML List and YAML documents:
/// the same `--level` results and the same per-namespace answers.
#[test]
fn json_and_yaml_dumps_give_the_same_answers() {
    let mut seen: Option<Value> = None;
    for format in [
        dump::Format::JsonList,
        dump::Format::JsonDocs,
        dump::Format::YamlList,
        dump::Format::YamlDocs,
    ] {
        let mut bytes = Vec::new();
        dump::write(&mut bytes, format, 120, 7).unwrap();
        let r = run_with_stdin(
            &[
                "audit",
                "--level",
                "restricted",
                "--plan",
                "auto",
                "--k8s-version",
                "v1.34",
                "--format",
                "json",
                "-",
            ],
            &bytes,
        );
        assert_eq!(r.code, 1, "{format:?}: {}", r.stderr);
        let mut v: Value = serde_json::from_str(&r.stdout).unwrap();
        without_sources(&mut v);
        v.as_object_mut().unwrap().remove("plan");
        let s = &v["summary"];
        for k in [
            "rejected",
            "flagged",
            "relied_on_psp_mutation",
            "new_in_pss",
        ] {
            assert!(
                s[k].as_u64().unwrap() > 0,
                "{format:?}: the dump shows {k}: {s}"
            );
        }
        match &seen {
            None => seen = Some(v),
            Some(first) => assert!(first == &v, "{format:?} differs from the JSON List"),
        }
    }
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: NAME, namespace: shop}\nspec:\n  containers: [{name: app, image: app, securityContext: {privileged: true}}]\n";

/// Names of the FAIL lines of `--level baseline` text output.
fn failed(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL Pod shop/"))
        .map(|l| l.split(' ').next().unwrap())
        .collect()
}

#[test]
fn a_malformed_yaml_document_is_reported_and_the_next_ones_judged() {
    let input = format!(
        "{}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: broken\nspec: {{}}\n---\n{}",
        POD.replace("NAME", "first"),
        POD.replace("NAME", "last")
    );
    let r = run_with_stdin(&["audit", "--level", "baseline", "-"], input.as_bytes());
    assert_eq!(r.code, 3, "an error in the input: {}", r.stderr);
    assert_eq!(failed(&r.stdout), ["first", "last"], "{}", r.stdout);
    assert!(
        r.stderr.contains("<stdin>:10:"),
        "the error names its line: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("everything else was judged"),
        "{}",
        r.stderr
    );
}

/// A JSON List item: one whose fields do not parse, one whose JSON is broken.
#[test]
fn malformed_json_items_are_reported_and_the_next_ones_judged() {
    let pod = |name: &str| {
        format!(
            r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "{name}", "namespace": "shop"}}, "spec": {{"containers": [{{"name": "a", "image": "a", "securityContext": {{"privileged": true}}}}]}}}}"#
        )
    };
    let input = format!(
        "{{\"apiVersion\": \"v1\", \"items\": [\n  {},\n  {{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {{\"containers\": 5}}}},\n  {{\"kind\": \"Pod\" \"oops\"}},\n  {}\n], \"kind\": \"List\"}}\n",
        pod("first"),
        pod("last")
    );
    let r = run_with_stdin(&["audit", "--level", "baseline", "-"], input.as_bytes());
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(failed(&r.stdout), ["first", "last"], "{}", r.stdout);
    assert!(
        r.stderr.contains("<stdin>:3:3: error: spec.containers"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("<stdin>:4:"), "{}", r.stderr);
    assert!(r.stderr.contains("invalid JSON"), "{}", r.stderr);
}

/// A dump cut short: what was read before is judged, the cut is reported where its item
/// starts.
#[test]
fn a_truncated_json_dump_is_judged_up_to_the_cut() {
    let mut bytes = Vec::new();
    dump::write(&mut bytes, dump::Format::JsonList, 30, 3).unwrap();
    let whole = run_with_stdin(&["audit", "--level", "baseline", "-"], &bytes);
    let cut = &bytes[..bytes.len() * 2 / 3];
    let r = run_with_stdin(&["audit", "--level", "baseline", "-"], cut);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("truncated"), "{}", r.stderr);
    let count = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
            .count()
    };
    let (part, all) = (count(&r.stdout), count(&whole.stdout));
    assert!(part > 0 && part < all, "{part} of {all} judged");
}

/// A pod with a large annotation (the `last-applied-configuration` kubectl adds): big dumps
/// cheaply.
fn big_pod(i: usize, pad: &str) -> String {
    format!(
        r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p{i}", "namespace": "ns{}", "annotations": {{"kubectl.kubernetes.io/last-applied-configuration": "{pad}"}}}}, "spec": {{"containers": [{{"name": "a", "image": "a"}}]}}}}"#,
        i % 7
    )
}

/// A dump larger than the address space the binary may use, fed through a pipe: every pod is
/// judged, so nothing held the dump whole. The cap leaves the binary's own baseline (about
/// 25 MiB of address space for a debug build) ample room. stderr, not a terminal, shows no
/// progress line.
#[test]
fn a_dump_larger_than_the_memory_cap_streams_through_a_pipe() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "prlimit (util-linux) is needed under CI"
        );
        eprintln!("SKIPPED a_dump_larger_than_the_memory_cap_streams_through_a_pipe: no prlimit");
        return;
    }
    const CAP: usize = 64 << 20;
    let pad = "x".repeat(16 << 10);
    let pods = (CAP + (16 << 20)) / pad.len();
    let mut child = Command::new("prlimit")
        .arg(format!("--as={CAP}"))
        .arg(env!("CARGO_BIN_EXE_podsec-migrate"))
        .args(["audit", "--level", "restricted", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("prlimit runs");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut written = 0usize;
        let _ = stdin.write_all(b"{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n");
        for i in 0..pods {
            let sep = if i == 0 { "" } else { ",\n" };
            let item = format!("{sep}{}", big_pod(i, &pad));
            written += item.len();
            if stdin.write_all(item.as_bytes()).is_err() {
                break;
            }
        }
        let _ = stdin.write_all(b"\n]}\n");
        written
    });
    let out = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        written > CAP,
        "the dump ({written} bytes) is larger than the cap"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "every pod fails restricted: {stderr}"
    );
    assert!(
        stdout.ends_with(&format!("0 of {pods} passed restricted:latest\n")),
        "{}",
        &stdout[stdout.len().saturating_sub(300)..]
    );
    assert!(
        !stderr.contains('\r') && !stderr.contains("MiB/s"),
        "no progress line: {stderr}"
    );
}
