//! JSON dumps of any size, read as they arrive: one or more top-level documents (what
//! `kubectl get -o json` prints, concatenated or one per line), and the items of a document's
//! top-level `items` array (a `List`) handed over one by one.
//!
//! A byte scanner finds where each document and each item begins and ends (it tracks strings,
//! escapes and nesting, and the line and column of every byte); each piece is then parsed with
//! `serde_json::from_slice`, serde_json's fastest path, so only one item is held at a time.
//! A piece that does not parse is reported at its position and the scanner goes on with the
//! next one; a `{` at the start of a line inside an unfinished document is taken as the start
//! of the next document (kubectl indents everything else), so a truncated document in the middle
//! of a stream loses only itself.

use std::io::BufRead;

use serde_json::Value;

use crate::diag::Pos;

/// What the scanner hands over.
#[derive(Debug)]
pub enum JsonNode {
    /// A whole document (number `document`, 1-based). For a `List` whose items were handed over
    /// already, `items` says how many there were and the value's `items` is empty.
    Document {
        document: usize,
        pos: Pos,
        value: Value,
        items: Option<usize>,
    },
    /// Item `index` (0-based) of the top-level `items` array of document `document`.
    Item {
        document: usize,
        index: usize,
        pos: Pos,
        value: Value,
    },
    /// A document or item that could not be read, with where and why.
    Error { pos: Pos, message: String },
}

/// Reads `input` to its end, handing every document, item and error to `on`, and the number
/// of bytes read so far to `progress` after each buffer. A document or item larger than
/// `max_piece` bytes is refused (reported, and skipped).
pub fn stream_json(
    mut input: impl BufRead,
    max_piece: u64,
    on: &mut dyn FnMut(JsonNode),
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<()> {
    let mut s = Scanner::new(on, usize::try_from(max_piece).unwrap_or(usize::MAX));
    let mut read = 0u64;
    // A byte-order mark is not JSON; kubectl never writes one, editors sometimes do.
    let mut first = true;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let mut chunk = buf;
        if first {
            chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
            first = false;
        }
        s.bytes(chunk);
        let n = buf.len();
        input.consume(n);
        read += n as u64;
        progress(read);
    }
    s.end();
    Ok(())
}

/// True for JSON's insignificant whitespace.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The scanner's state: where it is, lexically and in the document.
struct Scanner<'a> {
    on: &'a mut dyn FnMut(JsonNode),
    limit: usize,
    /// Position of the next byte.
    line: usize,
    column: usize,
    depth: usize,
    in_string: bool,
    escape: bool,
    /// A document is open; `scalar` when it does not start with `{` or `[` (read to the end
    /// of its line).
    in_doc: bool,
    scalar: bool,
    document: usize,
    doc_pos: Pos,
    /// The document without its items.
    shell: Vec<u8>,
    /// At depth 1: a key is expected next, one is being read, the last one read was `items`.
    expect_key: bool,
    reading_key: bool,
    key: Vec<u8>,
    items_key: bool,
    /// Inside the top-level `items` array: the index of the next item.
    items: Option<usize>,
    /// Items handed over for the open document.
    streamed: Option<usize>,
    in_item: bool,
    item: Vec<u8>,
    item_pos: Pos,
    /// The open piece outgrew the limit: its bytes are no longer kept.
    overflow: bool,
    /// The open containers (`{` or `[`), innermost last, and the last significant byte.
    open: Vec<u8>,
    last: u8,
}

impl<'a> Scanner<'a> {
    fn new(on: &'a mut dyn FnMut(JsonNode), limit: usize) -> Self {
        Scanner {
            on,
            limit,
            line: 1,
            column: 1,
            depth: 0,
            in_string: false,
            escape: false,
            in_doc: false,
            scalar: false,
            document: 0,
            doc_pos: Pos::default(),
            shell: Vec::new(),
            expect_key: false,
            reading_key: false,
            key: Vec::new(),
            items_key: false,
            items: None,
            streamed: None,
            in_item: false,
            item: Vec::new(),
            item_pos: Pos::default(),
            overflow: false,
            open: Vec::new(),
            last: b' ',
        }
    }

    /// Whether a value may start here: after `[` or `,` in an array, after `:` in an object.
    /// A `{` anywhere else cannot continue the document.
    fn value_expected(&self) -> bool {
        match self.open.last() {
            Some(b'[') => matches!(self.last, b'[' | b','),
            Some(_) => self.last == b':',
            None => true,
        }
    }

    fn here(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    /// A buffer of bytes: runs that change nothing but the kept bytes and the column (the inside
    /// of a string, blanks between tokens) are taken whole; every other byte goes through
    /// [`Scanner::byte`].
    fn bytes(&mut self, mut chunk: &[u8]) {
        while let Some(&b) = chunk.first() {
            let run = self.plain_run(chunk);
            if run == 0 {
                self.byte(b);
                chunk = &chunk[1..];
                continue;
            }
            let (taken, rest) = chunk.split_at(run);
            if self.in_string {
                self.keep_run(taken);
                if self.reading_key {
                    self.key.extend_from_slice(taken);
                }
            } else if self.in_doc
                && (self.scalar || self.in_item || self.items.is_none() || self.depth != 2)
            {
                self.keep_run(taken);
            }
            self.column += run;
            chunk = rest;
        }
    }

    /// How many bytes at the start of `chunk` [`Scanner::bytes`] may take whole: inside a
    /// string (no escape pending), up to a quote, backslash or newline; outside one, spaces,
    /// tabs and carriage returns.
    fn plain_run(&self, chunk: &[u8]) -> usize {
        if self.in_string {
            if self.escape {
                return 0;
            }
            memchr::memchr3(b'"', b'\\', b'\n', chunk).unwrap_or(chunk.len())
        } else {
            chunk
                .iter()
                .position(|&c| !matches!(c, b' ' | b'\t' | b'\r'))
                .unwrap_or(chunk.len())
        }
    }

    fn byte(&mut self, b: u8) {
        self.scan(b);
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
    }

    /// One byte, at the current position.
    fn scan(&mut self, b: u8) {
        if self.in_string {
            self.keep(b);
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' || b == b'\n' {
                // A raw newline is not allowed in a JSON string: the string is broken, and
                // serde_json will say so; the scanner carries on as if it had ended.
                self.in_string = false;
                self.reading_key = false;
            } else if self.reading_key {
                self.key.push(b);
            }
            return;
        }
        if !self.in_doc {
            if is_ws(b) {
                return;
            }
            self.start_doc(b);
        } else if self.scalar {
            if b == b'\n' {
                self.finish_doc();
            } else {
                self.keep(b);
            }
            return;
        } else if b == b'{' && self.column == 1 && self.depth > 0 && !self.value_expected() {
            self.truncated(format!(
                "the next document starts at line {} before this one ends",
                self.line
            ));
            self.start_doc(b);
        }
        if !is_ws(b) {
            self.last = b;
        }
        if self.items.is_some() && self.depth == 2 {
            match b {
                b',' => return self.flush_item(),
                b']' => {
                    self.flush_item();
                    self.items = None;
                    self.depth = 1;
                    self.open.pop();
                    self.shell.push(b']');
                    return;
                }
                _ if is_ws(b) && !self.in_item => return,
                _ if !self.in_item => {
                    self.in_item = true;
                    self.item_pos = self.here();
                }
                _ => {}
            }
        }
        match b {
            b'"' => {
                self.in_string = true;
                if self.depth == 1 && self.expect_key {
                    self.reading_key = true;
                    self.key.clear();
                }
            }
            b'[' if self.depth == 1 && self.items_key => {
                self.items_key = false;
                self.shell.push(b'[');
                self.open.push(b'[');
                self.depth = 2;
                self.items = Some(0);
                self.streamed = Some(0);
                return;
            }
            b'{' | b'[' => {
                self.open.push(b);
                self.depth += 1;
                if self.depth == 1 {
                    self.expect_key = b == b'{';
                }
            }
            b'}' | b']' => {
                self.open.pop();
                self.depth = self.depth.saturating_sub(1);
            }
            b',' if self.depth == 1 => {
                self.expect_key = true;
                self.items_key = false;
            }
            b':' if self.depth == 1 => {
                self.expect_key = false;
                self.items_key = self.key == b"items";
            }
            _ => {}
        }
        self.keep(b);
        if self.depth == 0 && matches!(b, b'}' | b']') {
            self.finish_doc();
        }
    }

    /// Keeps a byte of the open item, or of the document's shell.
    fn keep(&mut self, b: u8) {
        let buf = if self.in_item {
            &mut self.item
        } else {
            &mut self.shell
        };
        if buf.len() >= self.limit {
            self.overflow = true;
        } else {
            buf.push(b);
        }
    }

    /// Keeps a run of bytes as [`Scanner::keep`] keeps each.
    fn keep_run(&mut self, run: &[u8]) {
        let buf = if self.in_item {
            &mut self.item
        } else {
            &mut self.shell
        };
        let room = self.limit.saturating_sub(buf.len());
        if run.len() > room {
            buf.extend_from_slice(&run[..room]);
            self.overflow = true;
        } else {
            buf.extend_from_slice(run);
        }
    }

    fn start_doc(&mut self, b: u8) {
        self.in_doc = true;
        self.scalar = !matches!(b, b'{' | b'[');
        self.document += 1;
        self.doc_pos = self.here();
        self.shell.clear();
        self.depth = 0;
        self.open.clear();
        self.last = b' ';
        self.in_string = false;
        self.escape = false;
        self.expect_key = false;
        self.reading_key = false;
        self.items_key = false;
        self.items = None;
        self.streamed = None;
        self.overflow = false;
    }

    fn emit(&mut self, node: JsonNode) {
        (self.on)(node);
    }

    /// The open document is complete: parse what was kept of it.
    fn finish_doc(&mut self) {
        self.in_doc = false;
        self.scalar = false;
        let pos = self.doc_pos;
        if std::mem::take(&mut self.overflow) {
            let message = self.too_large();
            return self.emit(JsonNode::Error { pos, message });
        }
        let node = match serde_json::from_slice::<Value>(&self.shell) {
            Ok(value) => JsonNode::Document {
                document: self.document,
                pos,
                value,
                items: self.streamed,
            },
            Err(e) => error_at(pos, &e),
        };
        self.shell.clear();
        self.emit(node);
    }

    /// The open item is complete: parse it.
    fn flush_item(&mut self) {
        if !self.in_item {
            return;
        }
        self.in_item = false;
        let pos = self.item_pos;
        let index = self.items.unwrap_or_default();
        self.items = Some(index + 1);
        if let Some(n) = &mut self.streamed {
            *n += 1;
        }
        let node = if std::mem::take(&mut self.overflow) {
            JsonNode::Error {
                pos,
                message: self.too_large(),
            }
        } else {
            match serde_json::from_slice::<Value>(&self.item) {
                Ok(value) => JsonNode::Item {
                    document: self.document,
                    index,
                    pos,
                    value,
                },
                Err(e) => error_at(pos, &e),
            }
        };
        self.item.clear();
        self.emit(node);
    }

    fn too_large(&self) -> String {
        format!(
            "this document is larger than the {} MiB limit; raise it with --max-input-mib",
            self.limit / (1024 * 1024)
        )
    }

    /// The open document (and item) ends early: reported where it started; nothing of it is
    /// judged.
    fn truncated(&mut self, why: String) {
        let (pos, what) = if self.in_item {
            (self.item_pos, "List item")
        } else {
            (self.doc_pos, "document")
        };
        self.in_item = false;
        self.item.clear();
        self.shell.clear();
        self.in_doc = false;
        self.emit(JsonNode::Error {
            pos,
            message: format!("invalid JSON: this {what} is truncated: {why}"),
        });
    }

    /// End of input.
    fn end(&mut self) {
        if !self.in_doc {
            return;
        }
        if self.scalar {
            return self.finish_doc();
        }
        let at = format!("the input ends at line {}", self.line);
        self.truncated(at);
    }
}

/// A serde_json error inside a piece that starts at `start`, at its place in the whole input.
fn error_at(start: Pos, e: &serde_json::Error) -> JsonNode {
    let pos = if e.line() <= 1 {
        Pos {
            line: start.line,
            column: start.column + e.column().saturating_sub(1),
        }
    } else {
        Pos {
            line: start.line + e.line() - 1,
            column: e.column().max(1),
        }
    };
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    JsonNode::Error {
        pos,
        message: format!("invalid JSON: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<JsonNode> {
        let mut out = Vec::new();
        stream_json(text.as_bytes(), 1 << 20, &mut |n| out.push(n), &mut |_| {}).unwrap();
        out
    }

    fn describe(nodes: &[JsonNode]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| match n {
                JsonNode::Document {
                    pos, value, items, ..
                } => format!(
                    "doc {}:{} {} {items:?}",
                    pos.line, pos.column, value["kind"]
                ),
                JsonNode::Item {
                    index, pos, value, ..
                } => format!("item {index} {}:{} {}", pos.line, pos.column, value["kind"]),
                JsonNode::Error { pos, message } => {
                    format!("error {}:{} {message}", pos.line, pos.column)
                }
            })
            .collect()
    }

    /// A `List` is handed over item by item, with each item's own position, before the list.
    #[test]
    fn list_items_arrive_one_by_one() {
        let text = "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    {\"kind\": \"Pod\"},\n    {\"kind\": \"Deployment\", \"x\": [1, {\"items\": []}]}\n  ],\n  \"kind\": \"List\"\n}\n";
        assert_eq!(
            describe(&scan(text)),
            [
                "item 0 4:5 \"Pod\"",
                "item 1 5:5 \"Deployment\"",
                "doc 1:1 \"List\" Some(2)"
            ]
        );
    }

    /// Documents one after another, strings holding brackets and escaped quotes.
    #[test]
    fn concatenated_documents_with_tricky_strings() {
        let text = "{\"kind\": \"A\", \"s\": \"}{\\\"]\"}\n{\"kind\": \"B\"}{\"kind\": \"C\"}";
        assert_eq!(
            describe(&scan(text)),
            [
                "doc 1:1 \"A\" None",
                "doc 2:1 \"B\" None",
                "doc 2:14 \"C\" None"
            ]
        );
    }

    /// A malformed item is reported where the problem is; the next items are still read.
    #[test]
    fn a_bad_item_does_not_stop_the_list() {
        let text = "{\"items\": [\n  {\"kind\": \"Pod\"},\n  {\"kind\": \"Pod\" \"oops\": 1},\n  {\"kind\": \"Job\"}\n], \"kind\": \"List\"}";
        assert_eq!(
            describe(&scan(text)),
            [
                "item 0 2:3 \"Pod\"",
                "error 3:18 invalid JSON: expected `,` or `}`",
                "item 2 4:3 \"Job\"",
                "doc 1:1 \"List\" Some(3)"
            ]
        );
    }

    /// A document cut short is reported at its start when the next one begins a line, and
    /// the input's end inside a document is reported too.
    #[test]
    fn truncated_documents_are_reported_and_skipped() {
        let text = "{\"kind\": \"A\",\n  \"spec\": {\n{\"kind\": \"B\"}\n{\"kind\": \"C\", ";
        let got = describe(&scan(text));
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got[0].starts_with("error 1:1 invalid JSON: this document is truncated"),
            "{got:?}"
        );
        assert_eq!(got[1], "doc 3:1 \"B\" None");
        assert!(got[2].contains("the input ends at line 4"), "{got:?}");
    }

    /// Items that start a line are items, not new documents: a `{` at the start of a line
    /// begins a new document only where no value may start.
    #[test]
    fn unindented_items_are_items() {
        let text = "{\"kind\": \"List\", \"items\": [\n{\"kind\": \"A\", \"x\": {\"y\":\n{\"z\": 1}}},\n{\"kind\": \"B\"}\n]}\n";
        assert_eq!(
            describe(&scan(text)),
            [
                "item 0 2:1 \"A\"",
                "item 1 4:1 \"B\"",
                "doc 1:1 \"List\" Some(2)"
            ]
        );
    }

    /// Pieces over the limit are refused, not held.
    #[test]
    fn oversized_items_are_refused() {
        let mut out = Vec::new();
        let text = format!(
            "{{\"items\": [{{\"kind\": \"Pod\", \"pad\": \"{}\"}}, {{\"kind\": \"Job\"}}]}}",
            "x".repeat(100)
        );
        stream_json(text.as_bytes(), 64, &mut |n| out.push(n), &mut |_| {}).unwrap();
        let got = describe(&out);
        assert!(
            got[0].starts_with("error 1:12 this document is larger"),
            "{got:?}"
        );
        assert_eq!(got[1], "item 1 1:140 \"Job\"");
    }

    /// Every node, whole, fed one byte at a time (no run taken whole) or in the given chunks.
    fn nodes(text: &[u8], limit: usize, chunks: Option<&[usize]>) -> Vec<String> {
        let mut out = Vec::new();
        let mut on = |n: JsonNode| out.push(format!("{n:?}"));
        let mut s = Scanner::new(&mut on, limit);
        match chunks {
            None => text.iter().for_each(|&b| s.byte(b)),
            Some(sizes) => {
                let mut rest = text;
                for &n in sizes.iter().cycle() {
                    if rest.is_empty() {
                        break;
                    }
                    let (head, tail) = rest.split_at(n.clamp(1, rest.len()));
                    s.bytes(head);
                    rest = tail;
                }
            }
        }
        s.end();
        drop(s);
        out
    }

    /// Pieces of kubectl-like JSON, well- and ill-formed, that inputs are built from.
    const PIECES: &[&str] = &[
        "{\"kind\": \"List\", \"items\": [\n",
        "  {\"kind\": \"Pod\", \"a\": \"x y\\\" \\\\ ]}\"}",
        ",\n",
        "\t\r  ",
        "\n",
        "]}\n",
        "{\"kind\": \"Pod\"}",
        "\"broken\nstring\"",
        "{\"items\"  :  [ ",
        "\"k\\u0022\": 1",
        "  true  ",
        "}",
    ];

    proptest::proptest! {
        /// Taking runs whole changes nothing: any input, cut into any chunks, gives the nodes
        /// (values, positions, errors) the byte-at-a-time scan gives, with and without a
        /// limit that pieces outgrow.
        #[test]
        fn runs_scan_as_bytes_do(
            picks in proptest::collection::vec(0..PIECES.len(), 0..24),
            chunks in proptest::collection::vec(1usize..40, 1..6),
            limit in proptest::prop_oneof![proptest::strategy::Just(1usize << 20), 8usize..64],
        ) {
            let text: String = picks.iter().map(|&i| PIECES[i]).collect();
            proptest::prop_assert_eq!(
                nodes(text.as_bytes(), limit, Some(&chunks)),
                nodes(text.as_bytes(), limit, None)
            );
        }
    }
}
