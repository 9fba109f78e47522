//! Inputs read as a stream: every object is handed to a [`Sink`] as soon as it is read, so a
//! cluster dump of any size is judged in constant memory (the loader in `mod.rs` reads whole
//! files, which the commands that need every object at once use).
//!
//! JSON goes through [`super::json_stream`] (serde_json on one document or `List` item at a
//! time). YAML is cut at its document markers (`---` at the start of a line) and each document
//! is read by [`super::yaml::stream_documents`], which hands over the items of a `List` one by
//! one: a document that does not parse is reported at its position and the next one is read.
//! Positions are kept: YAML objects know where each field is; JSON objects know where they
//! start (a field's problem is reported at its object).

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use super::json_stream::{stream_json, JsonNode};
use super::yaml::{stream_documents, StreamNode, YamlDoc};
use super::{files, load_document, LoadOptions, Loaded, Object, Source};
use crate::diag::{Diagnostic, Location, Locator, Pos, Spans};

/// Where a stream's objects go.
pub trait Sink {
    /// An object read (any kind the loader understands).
    fn object(&mut self, object: Object);
    /// A problem found while reading.
    fn diagnostic(&mut self, diagnostic: Diagnostic);
    /// An object of a kind this tool does not use (`apiVersion/kind`).
    fn skipped(&mut self, kind: String);
    /// A file in a directory passed over for its name.
    fn ignored_file(&mut self, path: PathBuf);
    /// How far the current input is read: bytes so far, and its size when known.
    fn progress(&mut self, _read: u64, _total: Option<u64>) {}
}

/// Reads every input (file, directory or `-` for stdin) in order, handing each object to `sink`
/// as it is read.
pub fn stream_inputs(inputs: &[PathBuf], opts: &LoadOptions, sink: &mut dyn Sink) {
    for input in inputs {
        if input.as_os_str() == "-" {
            stream_one("<stdin>", std::io::stdin().lock(), None, opts, sink);
        } else if input.is_dir() {
            let mut found = Loaded::default();
            let paths = files::walk_dir(input, &mut found);
            if paths.is_empty() {
                sink.diagnostic(error_at(
                    &input.display().to_string(),
                    Pos { line: 1, column: 1 },
                    "the directory holds no .yaml, .yml or .json file",
                ));
            }
            drain(found, sink);
            for p in paths {
                stream_file(&p, opts, sink);
            }
        } else {
            stream_file(input, opts, sink);
        }
    }
}

fn stream_file(path: &Path, opts: &LoadOptions, sink: &mut dyn Sink) {
    let name = path.display().to_string();
    match std::fs::File::open(path) {
        Ok(f) => {
            let total = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
            stream_one(&name, f, total, opts, sink);
        }
        Err(e) => sink.diagnostic(error_at(
            &name,
            Pos { line: 1, column: 1 },
            &format!("cannot read: {e}"),
        )),
    }
}

/// One input: JSON when its first document opens a JSON object, YAML otherwise.
fn stream_one(
    name: &str,
    source: impl Read,
    total: Option<u64>,
    opts: &LoadOptions,
    sink: &mut dyn Sink,
) {
    let mut input = BufReader::with_capacity(1 << 20, source);
    let json = match input.fill_buf() {
        Ok(buf) => looks_like_json(buf),
        Err(e) => {
            let at = Pos { line: 1, column: 1 };
            return sink.diagnostic(error_at(name, at, &format!("cannot read: {e}")));
        }
    };
    let mut d = Dispatch {
        file: name.to_string(),
        sink,
        documents: 0,
        total,
    };
    let result = if json {
        stream_json_input(&mut d, input, opts.max_input_bytes)
    } else {
        stream_yaml_input(&mut d, input)
    };
    if let Err(e) = result {
        let at = Pos { line: 1, column: 1 };
        d.sink
            .diagnostic(error_at(name, at, &format!("cannot read: {e}")));
    } else if d.documents == 0 {
        // kubectl apply skips such files too; say so rather than stop the run.
        d.sink.diagnostic(Diagnostic::warning(
            location(name, Pos { line: 1, column: 1 }),
            "",
            "no YAML or JSON document in this file (it is empty, only comments or only `---`); skipped",
        ));
    }
}

/// A JSON object starts the input: `{` then a quoted key or `}` (a YAML flow mapping with a
/// plain key, `{apiVersion: v1}`, is YAML).
fn looks_like_json(buf: &[u8]) -> bool {
    let buf = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
    let mut rest = buf.iter().copied().filter(|b| !b.is_ascii_whitespace());
    rest.next() == Some(b'{') && matches!(rest.next(), Some(b'"' | b'}') | None)
}

/// Hands what was read to the sink, with the file's name on every position.
struct Dispatch<'s> {
    file: String,
    sink: &'s mut dyn Sink,
    /// Documents seen in this input.
    documents: usize,
    total: Option<u64>,
}

impl Dispatch<'_> {
    /// A whole document (a Kubernetes object, or what is left of a `List`).
    fn document(&mut self, value: Value, source: Source, spans: Spans) {
        let locator = Locator {
            file: self.file.clone(),
            spans,
        };
        let mut scratch = Loaded::default();
        load_document(value, source, locator, &mut scratch);
        drain(scratch, self.sink);
    }

    /// One item of a `List`; a `List` inside it is refused, as the whole-file loader does.
    fn item(&mut self, value: Value, source: Source, spans: Spans) {
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("List") && value.get("items").is_some_and(Value::is_array) {
            let at = Pos {
                line: source.line,
                column: source.column,
            };
            let field = format!("items[{}]", source.item.unwrap_or_default());
            self.sink.diagnostic(Diagnostic::error(
                location(&self.file, at),
                field,
                "a List inside a List is not supported",
            ));
            return;
        }
        self.document(value, source, spans);
    }

    fn source(&self, document: usize, item: Option<usize>, pos: Pos) -> Source {
        Source {
            file: self.file.clone(),
            document,
            item,
            line: pos.line,
            column: pos.column,
        }
    }

    /// The notes (YAML 1.1 readings) of a YAML document as warnings.
    fn notes(&mut self, doc: &YamlDoc) {
        for note in &doc.notes {
            self.sink.diagnostic(Diagnostic::warning(
                location(&self.file, note.pos),
                note.field.clone(),
                note.message.clone(),
            ));
        }
    }

    fn error(&mut self, pos: Pos, message: &str) {
        let d = error_at(&self.file, pos, message);
        self.sink.diagnostic(d);
    }
}

fn stream_json_input(d: &mut Dispatch<'_>, input: impl BufRead, max: u64) -> std::io::Result<()> {
    let total = d.total;
    // The sink is borrowed by both callbacks: progress goes through a counter read back
    // between nodes.
    let read = Cell::new(0u64);
    let mut shown = 0u64;
    stream_json(
        input,
        max,
        &mut |node| {
            if read.get() != shown {
                shown = read.get();
                d.sink.progress(shown, total);
            }
            match node {
                JsonNode::Document {
                    document,
                    pos,
                    value,
                    items,
                } => {
                    d.documents = d.documents.max(document);
                    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
                    if items.is_some() && !kind.ends_with("List") {
                        d.sink.diagnostic(Diagnostic::warning(
                            location(&d.file, pos),
                            "items",
                            format!("a {kind:?} with a top-level items array: its items were read as objects, as a List's are"),
                        ));
                    }
                    let source = d.source(document, None, pos);
                    d.document(value, source, Spans::new(Default::default(), pos));
                }
                JsonNode::Item {
                    document,
                    index,
                    pos,
                    value,
                } => {
                    d.documents = d.documents.max(document);
                    let source = d.source(document, Some(index), pos);
                    d.item(value, source, Spans::new(Default::default(), pos));
                }
                JsonNode::Error { pos, message } => {
                    d.documents = d.documents.max(1);
                    d.error(pos, &message);
                }
            }
        },
        &mut |n| read.set(n),
    )?;
    d.sink.progress(read.get(), total);
    Ok(())
}

fn stream_yaml_input(d: &mut Dispatch<'_>, input: impl BufRead) -> std::io::Result<()> {
    let read = Rc::new(Cell::new(0));
    let mut lines = LineSource {
        inner: input,
        pending: None,
        lines: 0,
        read: read.clone(),
        failed: None,
    };
    let total = d.total;
    while !lines.at_end()? {
        let first_line = lines.lines + 1;
        let base = d.documents;
        let mut last = base;
        let mut chunk = Chunk::new(&mut lines);
        let result = stream_documents(&mut chunk, first_line, &mut |node| {
            d.sink.progress(read.get(), total);
            match node {
                StreamNode::Document(doc) => {
                    last += 1;
                    d.documents = last;
                    d.notes(&doc);
                    let source = d.source(last, None, doc.start);
                    d.document(doc.value, source, doc.spans);
                }
                StreamNode::Item { index, doc } => {
                    d.documents = last + 1;
                    d.notes(&doc);
                    let source = d.source(last + 1, Some(index), doc.start);
                    d.item(doc.value, source, doc.spans);
                }
            }
        });
        if let Err(e) = result {
            d.documents = d.documents.max(base + 1);
            d.error(e.pos, &e.message);
            // The rest of this document is lost; the next one is read.
            std::io::copy(&mut chunk, &mut std::io::sink())?;
        }
        drop(chunk);
        if let Some(e) = lines.failed.take() {
            return Err(e);
        }
        d.sink.progress(read.get(), total);
    }
    Ok(())
}

/// Lines of a YAML input, with one line of look-ahead (the marker that starts the next
/// document).
struct LineSource<R> {
    inner: R,
    pending: Option<Vec<u8>>,
    /// Lines handed out so far.
    lines: usize,
    /// Bytes read so far.
    read: Rc<Cell<u64>>,
    /// A read error, kept for the caller (the YAML parser sees only an early end).
    failed: Option<std::io::Error>,
}

impl<R: BufRead> LineSource<R> {
    fn next_line(&mut self) -> Option<Vec<u8>> {
        if let Some(l) = self.pending.take() {
            return Some(l);
        }
        let mut line = Vec::new();
        match self.inner.read_until(b'\n', &mut line) {
            Ok(0) => None,
            Ok(n) => {
                self.read.set(self.read.get() + n as u64);
                Some(line)
            }
            Err(e) => {
                self.failed = Some(e);
                None
            }
        }
    }

    fn at_end(&mut self) -> std::io::Result<bool> {
        if self.pending.is_some() {
            return Ok(false);
        }
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        match self.next_line() {
            Some(l) => {
                self.pending = Some(l);
                Ok(false)
            }
            None => self.failed.take().map_or(Ok(true), Err),
        }
    }
}

/// The lines of one YAML document (and any comments and directives before it): it ends
/// before a `---` that follows content, or after a `...`.
struct Chunk<'a, R> {
    src: &'a mut LineSource<R>,
    line: Vec<u8>,
    at: usize,
    content: bool,
    done: bool,
}

impl<'a, R: BufRead> Chunk<'a, R> {
    fn new(src: &'a mut LineSource<R>) -> Self {
        Chunk {
            src,
            line: Vec::new(),
            at: 0,
            content: false,
            done: false,
        }
    }
}

/// `---` or `...` at the start of a line, alone or followed by a space.
fn marker(line: &[u8], m: &[u8; 3]) -> bool {
    line.starts_with(m) && line.get(3).is_none_or(|b| b.is_ascii_whitespace())
}

impl<R: BufRead> Read for Chunk<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Chunk<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.at >= self.line.len() && !self.done {
            let Some(line) = self.src.next_line() else {
                self.done = true;
                break;
            };
            if marker(&line, b"---") && self.content {
                self.src.pending = Some(line);
                self.done = true;
                break;
            }
            let trimmed = line.trim_ascii_start();
            if marker(&line, b"...") {
                self.done = self.content;
            } else if !(trimmed.is_empty()
                || trimmed.starts_with(b"#")
                || (line.starts_with(b"%") && !self.content))
            {
                self.content = true;
            }
            self.src.lines += 1;
            self.line = line;
            self.at = 0;
        }
        Ok(&self.line[self.at.min(self.line.len())..])
    }

    fn consume(&mut self, n: usize) {
        self.at += n;
    }
}

/// Everything a scratch load found, handed to the sink.
fn drain(loaded: Loaded, sink: &mut dyn Sink) {
    for d in loaded.diagnostics {
        sink.diagnostic(d);
    }
    for (kind, n) in loaded.skipped {
        for _ in 0..n {
            sink.skipped(kind.clone());
        }
    }
    for p in loaded.ignored_files {
        sink.ignored_file(p);
    }
    for o in loaded.objects {
        sink.object(o);
    }
}

fn location(file: &str, pos: Pos) -> Location {
    Location {
        file: file.to_string(),
        line: pos.line,
        column: pos.column,
    }
}

fn error_at(file: &str, pos: Pos, message: &str) -> Diagnostic {
    Diagnostic::error(location(file, pos), "", message)
}
