//! Writes a realistic cluster dump to stdout for `audit` and the benchmarks:
//!
//! ```sh
//! cargo run --release --example gen-dump -- --pods 100000 > dump.json
//! cargo run --release --example gen-dump -- --pods 10000 --format yaml > dump.yaml
//! ```
//!
//! Options: `--pods N` (default 1000), `--seed S` (default 1), `--format json|yaml` (default
//! json), `--docs` (one document per object instead of one List). The same options give the
//! same bytes.

mod dump;

use std::io::{BufWriter, Write};

fn main() {
    let mut pods = 1000usize;
    let mut seed = 1u64;
    let mut yaml = false;
    let mut docs = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| fail(&format!("{name} needs a value")))
        };
        match a.as_str() {
            "--pods" => {
                pods = value("--pods")
                    .parse()
                    .unwrap_or_else(|_| fail("--pods takes a number"))
            }
            "--seed" => {
                seed = value("--seed")
                    .parse()
                    .unwrap_or_else(|_| fail("--seed takes a number"))
            }
            "--format" => match value("--format").as_str() {
                "json" => yaml = false,
                "yaml" => yaml = true,
                other => fail(&format!("unknown format {other:?}: json or yaml")),
            },
            "--docs" => docs = true,
            other => fail(&format!("unknown option {other:?}")),
        }
    }
    let format = match (yaml, docs) {
        (false, false) => dump::Format::JsonList,
        (false, true) => dump::Format::JsonDocs,
        (true, false) => dump::Format::YamlList,
        (true, true) => dump::Format::YamlDocs,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = dump::write(&mut out, format, pods, seed).and_then(|_| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            fail(&e.to_string());
        }
    }
}

fn fail(message: &str) -> ! {
    eprintln!("gen-dump: {message}");
    std::process::exit(2);
}
