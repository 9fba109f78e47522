//! Turning input arguments into texts: files, directories (recursively) and stdin, each checked
//! for size and for being text before any parsing.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{LoadOptions, Loaded};
use crate::diag::{Diagnostic, Location};

/// One input's name (as shown in messages) and content.
pub struct InputText {
    pub name: String,
    pub content: String,
}

/// File name endings read from directories.
const MANIFEST_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// Reads every input; problems become diagnostics on `loaded`.
pub fn read_inputs(inputs: &[PathBuf], opts: &LoadOptions, loaded: &mut Loaded) -> Vec<InputText> {
    let mut texts = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            texts.extend(read_stdin(opts, loaded));
        } else if input.is_dir() {
            let files = walk_dir(input, loaded);
            if files.is_empty() {
                loaded.diagnostics.push(file_error(
                    &display(input),
                    "the directory holds no .yaml, .yml or .json file",
                ));
            }
            for f in files {
                texts.extend(read_file(&f, opts, loaded));
            }
        } else {
            texts.extend(read_file(input, opts, loaded));
        }
    }
    texts
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn file_error(name: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(
        Location {
            file: name.to_string(),
            line: 1,
            column: 1,
        },
        "",
        message,
    )
}

/// Every manifest file below `dir`, sorted, hidden entries left out; other files are recorded,
/// and a manifest name that is not a regular file is a warning.
pub(super) fn walk_dir(dir: &Path, loaded: &mut Loaded) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut special = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) => {
                loaded.diagnostics.push(file_error(
                    &display(&d),
                    format!("cannot read the directory: {e}"),
                ));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if hidden {
                continue;
            }
            // Symbolic links to directories are not followed: a link back up the tree would
            // read it again (or forever). They are listed with the other passed-over files.
            let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
            if path.is_dir() && !is_link {
                pending.push(path);
            } else if path.is_dir() {
                loaded.ignored_files.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| MANIFEST_EXTENSIONS.contains(&e))
            {
                // Reading a FIFO would wait for a writer forever, a device may never end:
                // only regular files (or links to them) are read from a directory.
                match std::fs::metadata(&path) {
                    Ok(m) if !m.is_file() => special.push(path),
                    _ => found.push(path),
                }
            } else {
                loaded.ignored_files.push(path);
            }
        }
    }
    found.sort();
    loaded.ignored_files.sort();
    special.sort();
    for path in special {
        loaded.diagnostics.push(Diagnostic::warning(
            Location {
                file: display(&path),
                line: 1,
                column: 1,
            },
            "",
            "not a regular file (a FIFO, socket or device); skipped",
        ));
    }
    found
}

fn read_file(path: &Path, opts: &LoadOptions, loaded: &mut Loaded) -> Option<InputText> {
    let name = display(path);
    let fail = |loaded: &mut Loaded, e: std::io::Error| {
        loaded
            .diagnostics
            .push(file_error(&name, format!("cannot read: {e}")));
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            fail(loaded, e);
            return None;
        }
    };
    read_bounded(name.clone(), file, opts, loaded)
}

/// Reads at most the size limit (plus one byte, to tell "too large"): the length a file
/// reports is not trusted, since devices, FIFOs and /proc files report none.
fn read_bounded(
    name: String,
    source: impl Read,
    opts: &LoadOptions,
    loaded: &mut Loaded,
) -> Option<InputText> {
    let limit = opts.max_input_bytes;
    let mut bytes = Vec::new();
    if let Err(e) = source.take(limit + 1).read_to_end(&mut bytes) {
        loaded
            .diagnostics
            .push(file_error(&name, format!("cannot read: {e}")));
        return None;
    }
    if bytes.len() as u64 > limit {
        loaded.diagnostics.push(file_error(&name, too_large(opts)));
        return None;
    }
    check_text(name, bytes, loaded)
}

fn read_stdin(opts: &LoadOptions, loaded: &mut Loaded) -> Option<InputText> {
    read_bounded("<stdin>".to_string(), std::io::stdin().lock(), opts, loaded)
}

fn too_large(opts: &LoadOptions) -> String {
    format!(
        "input is larger than the {} MiB limit; raise it with --max-input-mib if this is really one manifest file",
        opts.max_input_bytes / (1024 * 1024),
    )
}

/// Accepts UTF-8 text without NUL bytes (a leading byte-order mark is dropped).
fn check_text(name: String, bytes: Vec<u8>, loaded: &mut Loaded) -> Option<InputText> {
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
        let loc = Location {
            file: name,
            line,
            column: 1,
        };
        loaded.diagnostics.push(Diagnostic::error(
            loc,
            "",
            format!("not a text file (NUL byte at offset {at}): expected YAML or JSON"),
        ));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.remove(0);
            }
            Some(InputText { name, content: s })
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
            let loc = Location {
                file: name,
                line,
                column: 1,
            };
            loaded.diagnostics.push(Diagnostic::error(
                loc,
                "",
                format!("not UTF-8 text (invalid byte at offset {at}): expected YAML or JSON"),
            ));
            None
        }
    }
}
