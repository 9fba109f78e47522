//! The parse-only baselines `audit` is measured against (benches/whole-process.sh):
//!
//! - `parse-only serde FILE`: serde_json reads the whole file (from a buffered reader, into
//!   `IgnoredAny`: every byte checked, nothing kept), JSON only;
//! - `parse-only value FILE`: serde_json reads each document into a `serde_json::Value` (the
//!   tree every JSON reader that looks at fields builds), JSON only;
//! - `parse-only load FILE`: podsec-migrate's streaming loader reads every object into its
//!   typed form and drops it (what `audit` does before judging).
//!
//! Prints the number of objects (load) and exits.

use std::io::BufReader;
use std::path::PathBuf;

use podsec_migrate::diag::Diagnostic;
use podsec_migrate::load::{stream_inputs, LoadOptions, Object, Sink};

/// Counts what the loader hands over.
#[derive(Default)]
struct Count {
    objects: usize,
    errors: usize,
}

impl Sink for Count {
    fn object(&mut self, _: Object) {
        self.objects += 1;
    }
    fn diagnostic(&mut self, d: Diagnostic) {
        self.errors += usize::from(d.is_error());
    }
    fn skipped(&mut self, _: String) {}
    fn ignored_file(&mut self, _: PathBuf) {}
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, file] = args.as_slice() else {
        eprintln!("usage: parse-only serde|value|load FILE");
        std::process::exit(2);
    };
    match mode.as_str() {
        "serde" => println!("{} documents", documents::<serde::de::IgnoredAny>(file)),
        "value" => println!("{} documents", documents::<serde_json::Value>(file)),
        "load" => {
            let opts = LoadOptions {
                max_input_bytes: u64::MAX,
                ..LoadOptions::default()
            };
            let mut count = Count::default();
            stream_inputs(&[PathBuf::from(file)], &opts, &mut count);
            println!("{} objects, {} errors", count.objects, count.errors);
        }
        other => {
            eprintln!("unknown mode {other:?}: serde, value or load");
            std::process::exit(2);
        }
    }
}

/// Reads every top-level JSON document of `file` into a `T`, dropping each; how many there were.
fn documents<T: serde::de::DeserializeOwned>(file: &str) -> usize {
    let f = std::fs::File::open(file).expect("open");
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, f));
    let mut docs = 0usize;
    loop {
        match T::deserialize(&mut de) {
            Ok(_) => docs += 1,
            Err(e) if e.is_eof() => break,
            Err(e) => panic!("{e}"),
        }
    }
    docs
}
