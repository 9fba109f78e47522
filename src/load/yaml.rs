//! The one place that reads YAML (and JSON, which is YAML): text in, `serde_json::Value` trees
//! out, each node remembering the line and column it came from.
//!
//! Everything else in the crate works on `serde_json::Value` plus [`Spans`](crate::diag::Spans),
//! so the YAML library can be swapped here alone. Hostile input is bounded: nesting depth and
//! alias expansion have limits, and no step recurses on the input's depth.

use std::collections::HashMap;

use libyaml_safer::{EventData, Mark, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

use crate::diag::{item_path, member_path, Pos, Spans};

/// Deepest nesting of mappings and sequences accepted.
pub const MAX_DEPTH: usize = 256;
/// Most nodes one document may expand to through aliases, on top of the nodes it spells out.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// The position a parser mark stands for: libyaml counts lines and columns (in characters)
/// from 0.
fn pos_of(m: &Mark) -> Pos {
    Pos {
        line: m.line as usize + 1,
        column: m.column as usize + 1,
    }
}

/// One YAML document: its value, the positions of its nodes, and where it starts.
#[derive(Debug, Clone)]
pub struct YamlDoc {
    pub value: Value,
    pub spans: Spans,
    /// Where the document's content starts.
    pub start: Pos,
    /// Scalars that Kubernetes reads differently from YAML 1.2, in document order.
    pub notes: Vec<YamlNote>,
}

/// A scalar whose Kubernetes reading (go-yaml v2, a YAML 1.1 reader, then JSON) is not its
/// YAML 1.2 reading: the tree holds the Kubernetes one, and this says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlNote {
    pub pos: Pos,
    /// The field path of the node (of the mapping member, for a key).
    pub field: String,
    pub message: String,
}

/// A YAML syntax or structure error at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Reads every document of a YAML (or JSON) stream. Empty documents are left out.
///
/// The syntax is libyaml's (through `libyaml-safer`, a safe Rust port of it): go-yaml, which
/// kubectl and the API server read manifests with, is a Go port of the same C code, so a
/// manifest that kubectl reads is read here, including forms a strict YAML 1.2 reader refuses
/// (a flow collection closed at its key's column, a tab after `key:`).
pub fn parse_documents(text: &str) -> Result<Vec<YamlDoc>, YamlError> {
    let mut input = text.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    let mut docs = Vec::new();
    let mut builder: Option<Builder> = None;
    loop {
        let event = parser.parse().map_err(syntax_error)?;
        let pos = pos_of(&event.start_mark);
        match event.data {
            EventData::StreamEnd => break,
            EventData::StreamStart { .. } => {}
            EventData::DocumentStart { .. } => builder = Some(Builder::default()),
            EventData::DocumentEnd { .. } => {
                if let Some(doc) = builder.take().and_then(Builder::finish) {
                    docs.push(doc);
                }
            }
            other => builder
                .get_or_insert_with(Builder::default)
                .event(other, pos)?,
        }
    }
    Ok(docs)
}

/// What [`stream_documents`] hands over: a whole document, or one item of a document's
/// top-level `items` sequence (a `List`), as soon as that item has been read.
#[derive(Debug)]
pub enum StreamNode {
    /// A document (a `List` arrives here last, with its `items` emptied).
    Document(YamlDoc),
    /// Item `index` (0-based) of the `items` sequence of the document being read; its spans are
    /// rooted at the item.
    Item { index: usize, doc: YamlDoc },
}

/// Reads a YAML stream from `input` and hands each document to `on`; the items of a top-level
/// `items` sequence are handed over one by one as they are read, so a `List` of any length is
/// never held whole. `first_line` is the line of the whole input that `input` starts at:
/// every position is counted from there. An error stops this stream (libyaml cannot resume).
pub fn stream_documents(
    input: impl std::io::BufRead,
    first_line: usize,
    on: &mut dyn FnMut(StreamNode),
) -> Result<(), YamlError> {
    let shift = |mut p: Pos| {
        p.line += first_line - 1;
        p
    };
    let mut parser = Parser::new();
    parser.set_input(input);
    let mut doc: Option<Builder> = None;
    let mut item: Option<Builder> = None;
    let mut items: Option<usize> = None;
    loop {
        let event = parser.parse().map_err(|e| {
            let mut e = syntax_error(e);
            e.pos = shift(e.pos);
            e
        })?;
        let pos = shift(pos_of(&event.start_mark));
        match (event.data, items) {
            (EventData::StreamEnd, _) => break,
            (EventData::StreamStart { .. }, _) => {}
            (EventData::DocumentStart { .. }, _) => doc = Some(Builder::default()),
            (EventData::DocumentEnd { .. }, _) => {
                if let Some(d) = doc.take().and_then(Builder::finish) {
                    on(StreamNode::Document(d));
                }
            }
            (EventData::SequenceEnd, Some(_)) if item.is_none() => {
                items = None;
                let b = doc.get_or_insert_with(Builder::default);
                b.attach(Value::Array(Vec::new()), 1, pos)?;
            }
            (data, Some(index)) => {
                let b = item.get_or_insert_with(Builder::default);
                b.event(data, pos)?;
                if b.stack.is_empty() && b.root.is_some() {
                    if let Some(d) = item.take().and_then(Builder::finish) {
                        on(StreamNode::Item { index, doc: d });
                    }
                    items = Some(index + 1);
                }
            }
            (data, None) => {
                let b = doc.get_or_insert_with(Builder::default);
                if matches!(data, EventData::SequenceStart { .. }) && b.at_top_level_items() {
                    b.spans.entry("items".into()).or_insert(pos);
                    items = Some(0);
                    continue;
                }
                b.event(data, pos)?;
            }
        }
    }
    Ok(())
}

/// A libyaml error as ours: where the problem is, what it is, and where the construct it broke
/// started.
fn syntax_error(e: libyaml_safer::Error) -> YamlError {
    let pos = e
        .problem_mark()
        .map(|m| pos_of(&m))
        .unwrap_or(Pos { line: 1, column: 1 });
    let mut message = format!("invalid YAML: {}", e.problem());
    if let (Some(context), Some(at)) = (e.context(), e.context_mark()) {
        let at = pos_of(&at);
        message.push_str(&format!(
            " ({context} that starts at line {}, column {})",
            at.line, at.column
        ));
    }
    YamlError { pos, message }
}

/// A container under construction.
enum Frame {
    Map {
        map: Map<String, Value>,
        path: String,
        key: Option<String>,
        anchor: Option<String>,
        nodes: usize,
        /// Whether the first key has been read.
        keyed: bool,
    },
    Seq {
        items: Vec<Value>,
        path: String,
        anchor: Option<String>,
        nodes: usize,
    },
}

/// Builds one document's tree from parser events with an explicit stack.
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    spans: HashMap<String, Pos>,
    start: Option<Pos>,
    /// Anchored nodes by anchor name, with how many nodes each holds (a later anchor of the
    /// same name replaces an earlier one, as in libyaml and go-yaml).
    anchors: HashMap<String, (Value, usize)>,
    alias_nodes: usize,
    notes: Vec<YamlNote>,
}

impl Builder {
    /// True when the next node is the value of the `items` key of the document's root mapping.
    fn at_top_level_items(&self) -> bool {
        matches!(self.stack.as_slice(), [Frame::Map { key: Some(k), .. }] if k == "items")
    }

    fn finish(self) -> Option<YamlDoc> {
        let value = self.root?;
        if value.is_null() {
            return None;
        }
        let start = self
            .spans
            .get("")
            .copied()
            .or(self.start)
            .unwrap_or_default();
        Some(YamlDoc {
            value,
            spans: Spans::new(self.spans, start),
            start,
            notes: self.notes,
        })
    }

    /// The path the next node gets, or an error when a mapping key is not a plain scalar.
    fn next_path(&self, pos: Pos, is_scalar: bool) -> Result<Option<String>, YamlError> {
        match self.stack.last() {
            None => Ok(Some(String::new())),
            Some(Frame::Seq { items, path, .. }) => Ok(Some(item_path(path, items.len()))),
            Some(Frame::Map {
                key: Some(k), path, ..
            }) => Ok(Some(member_path(path, k))),
            Some(Frame::Map { key: None, .. }) if is_scalar => Ok(None),
            Some(Frame::Map { key: None, .. }) => Err(YamlError {
                pos,
                message: "a mapping key must be a plain value, not a mapping or sequence".into(),
            }),
        }
    }

    fn event(&mut self, event: EventData, pos: Pos) -> Result<(), YamlError> {
        self.start.get_or_insert(pos);
        match event {
            EventData::Scalar {
                value: text,
                style,
                anchor,
                tag,
                ..
            } => {
                let resolved = resolve_scalar(&text, style, tag.as_deref())
                    .map_err(|message| YamlError { pos, message })?;
                let Some(path) = self.next_path(pos, true)? else {
                    let key = self.key_text(text, resolved, pos)?;
                    return self.set_key(key, pos);
                };
                self.spans.entry(path.clone()).or_insert(pos);
                if let Some(message) = resolved.note {
                    self.notes.push(YamlNote {
                        pos,
                        field: path,
                        message,
                    });
                }
                if let Some(a) = anchor {
                    self.anchors.insert(a, (resolved.value.clone(), 1));
                }
                self.attach(resolved.value, 1, pos)
            }
            EventData::SequenceStart { ref anchor, .. }
            | EventData::MappingStart { ref anchor, .. } => {
                let anchor = anchor.clone();
                let path = self.next_path(pos, false)?.unwrap_or_default();
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        pos,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                self.spans.entry(path.clone()).or_insert(pos);
                let frame = if matches!(event, EventData::SequenceStart { .. }) {
                    Frame::Seq {
                        items: Vec::new(),
                        path,
                        anchor,
                        nodes: 1,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        path,
                        key: None,
                        anchor,
                        nodes: 1,
                        keyed: false,
                    }
                };
                self.stack.push(frame);
                Ok(())
            }
            EventData::SequenceEnd | EventData::MappingEnd => {
                let (value, anchor, nodes) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        anchor,
                        nodes,
                        ..
                    }) => (Value::Array(items), anchor, nodes),
                    Some(Frame::Map {
                        map, anchor, nodes, ..
                    }) => (Value::Object(map), anchor, nodes),
                    None => return Ok(()),
                };
                if let Some(a) = anchor {
                    self.anchors.insert(a, (value.clone(), nodes));
                }
                self.attach(value, nodes, pos)
            }
            EventData::Alias { anchor } => {
                let Some((value, nodes)) = self.anchors.get(&anchor).cloned() else {
                    return Err(YamlError {
                        pos,
                        message: format!("alias *{anchor} to an unknown anchor"),
                    });
                };
                self.alias_nodes += nodes;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(YamlError {
                        pos,
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)"
                        ),
                    });
                }
                if let Some(path) = self.next_path(pos, true)? {
                    self.spans.entry(path).or_insert(pos);
                    self.attach(value, nodes, pos)
                } else {
                    match value {
                        Value::String(s) => self.set_key(s, pos),
                        _ => Err(YamlError {
                            pos,
                            message: "a mapping key must be a string".into(),
                        }),
                    }
                }
            }
            _ => Ok(()),
        }
    }

    /// A mapping key as kubectl's YAML-to-JSON step spells it: a key go-yaml reads as a boolean
    /// or a number becomes that value's text (`yes:` is the key `"true"`), with a note; a null
    /// key is refused, as kubectl refuses it ("unsupported map key").
    fn key_text(
        &mut self,
        text: String,
        resolved: Resolved,
        pos: Pos,
    ) -> Result<String, YamlError> {
        let key = match resolved.value {
            Value::String(s) => return Ok(s),
            Value::Null => {
                return Err(YamlError {
                    pos,
                    message: format!(
                        "mapping key {text:?} is null as Kubernetes reads it; kubectl refuses null keys (quote the key)"
                    ),
                })
            }
            other => other.to_string(),
        };
        if key != text {
            let field = match self.stack.last() {
                Some(Frame::Map { path, .. }) => member_path(path, &key),
                _ => String::new(),
            };
            self.notes.push(YamlNote {
                pos,
                field,
                message: format!(
                    "the key {text:?} is read as {key:?}, as kubectl and the API server read it (YAML 1.1); a YAML 1.2 reader keeps {text:?} (quote the key to keep it)"
                ),
            });
        }
        Ok(key)
    }

    fn set_key(&mut self, key: String, pos: Pos) -> Result<(), YamlError> {
        if let Some(Frame::Map {
            key: slot,
            path,
            keyed,
            ..
        }) = self.stack.last_mut()
        {
            // A block mapping's start marker lies past its first key; the first key's own
            // position is where a reader looks for the mapping.
            if !*keyed {
                *keyed = true;
                self.spans.insert(path.clone(), pos);
            }
            let member = member_path(path, &key);
            if key != "<<" {
                // Keys spelled out twice are an error; keys that came in through `<<` are not
                // recorded here, so a mapping may override them.
                if let Some(at) = self.spans.get(&member) {
                    return Err(YamlError {
                        pos,
                        message: format!(
                            "duplicate key {key:?} (first at line {}, column {})",
                            at.line, at.column
                        ),
                    });
                }
                self.spans.insert(member, pos);
            }
            *slot = Some(key);
        }
        Ok(())
    }

    /// Puts a finished node into its parent, or makes it the document root.
    fn attach(&mut self, value: Value, nodes: usize, pos: Pos) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq {
                items, nodes: n, ..
            }) => {
                items.push(value);
                *n += nodes;
            }
            Some(Frame::Map {
                map, key, nodes: n, ..
            }) => {
                let k = key.take().unwrap_or_default();
                *n += nodes;
                if k == "<<" {
                    merge_into(map, value, pos)?;
                } else {
                    map.insert(k, value);
                }
            }
        }
        Ok(())
    }
}

/// A YAML merge key (`<<: *base`): members of the merged mapping(s) that the mapping lacks.
fn merge_into(map: &mut Map<String, Value>, value: Value, pos: Pos) -> Result<(), YamlError> {
    let sources = match value {
        Value::Object(m) => vec![m],
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => Ok(m),
                _ => Err(YamlError {
                    pos,
                    message: "a merge key (<<) takes mappings only".into(),
                }),
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(YamlError {
                pos,
                message: "a merge key (<<) takes a mapping or a list of mappings".into(),
            })
        }
    };
    for source in sources {
        for (k, v) in source {
            map.entry(k).or_insert(v);
        }
    }
    Ok(())
}

/// A scalar's value as Kubernetes reads it, and a note when YAML 1.2 reads it otherwise.
#[derive(Debug)]
struct Resolved {
    value: Value,
    note: Option<String>,
}

/// The prefix of the standard tags (`!!int` is `tag:yaml.org,2002:int`).
const STANDARD_TAG: &str = "tag:yaml.org,2002:";

/// Gives a scalar its type as kubectl and the API server do: go-yaml v2 resolves it (YAML 1.1:
/// `yes`/`on` are booleans, `0644` is octal, `1_000` is 1000; see go-yaml's resolve.go), then
/// sigs.k8s.io/yaml writes it as JSON, where a float with no fraction (`1000.0`) is the number
/// 1000 that an integer field accepts. Quoted scalars and `!!str` are strings; `!!int`,
/// `!!float`, `!!bool` and `!!null` force their type even on a quoted scalar (`!!int "0"` is 0).
/// Any other tag leaves the text a string, as go-yaml does.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Resolved, String> {
    let forced = match tag.map(|t| t.strip_prefix(STANDARD_TAG).unwrap_or(t)) {
        None if style == ScalarStyle::Plain => None,
        Some(t @ ("int" | "float" | "bool" | "null")) => Some(t),
        _ => {
            return Ok(Resolved {
                value: Value::String(text.to_string()),
                note: None,
            })
        }
    };
    let value = kubernetes_reading(text)?;
    if let Some(t) = forced {
        let fits = match (t, &value) {
            ("int", Value::Number(n)) => n.is_i64() || n.is_u64(),
            ("float", Value::Number(_)) | ("bool", Value::Bool(_)) | ("null", Value::Null) => true,
            _ => false,
        };
        if !fits {
            return Err(format!(
                "!!{t} {text:?}: the text is not a {t} value (kubectl refuses it too)"
            ));
        }
        return Ok(Resolved { value, note: None });
    }
    let core = yaml12_reading(text);
    let note = (core != value).then(|| {
        let hint = if core.is_string() {
            "; quote it if the text is meant"
        } else {
            ""
        };
        format!(
            "{text:?} is read as {}, as kubectl and the API server read it (YAML 1.1, then JSON); a YAML 1.2 reader sees {}{hint}",
            describe(&value),
            describe(&core)
        )
    });
    Ok(Resolved { value, note })
}

/// "the boolean true", "the integer 420", ... for notes.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("the floating-point number {n}"),
        Value::Number(n) => format!("the integer {n}"),
        Value::String(s) => format!("the string {s:?}"),
        other => other.to_string(),
    }
}

/// A plain scalar as go-yaml v2 resolves it and JSON then carries it.
fn kubernetes_reading(text: &str) -> Result<Value, String> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Ok(Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Ok(Value::Bool(false))
        }
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => {
            return Err(format!(
                "{text:?} is not a number JSON can hold; kubectl refuses it (quote it if the text is meant)"
            ))
        }
        _ => {}
    }
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Ok(Value::String(text.to_string()));
    }
    let plain = text.replace('_', "");
    if let Some(n) = go_parse_int(&plain) {
        return Ok(Value::Number(n));
    }
    if is_go_yaml_float(&plain) {
        // Go's ParseFloat refuses what overflows, and go-yaml then keeps the text.
        if let Some(f) = plain.parse::<f64>().ok().filter(|f| f.is_finite()) {
            return Ok(json_number(f));
        }
    }
    Ok(Value::String(text.to_string()))
}

/// An integer the way Go's `strconv.ParseInt(s, 0, 64)` (then `ParseUint`) reads it: optional
/// sign, then `0x` hex, `0o` or a leading `0` octal, `0b` binary, or decimal.
fn go_parse_int(text: &str) -> Option<Number> {
    let (neg, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = rest.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        match i64::try_from(magnitude) {
            Ok(m) => Some(Number::from(-m)),
            Err(_) if magnitude == 1 << 63 => Some(Number::from(i64::MIN)),
            Err(_) => None,
        }
    } else {
        Some(Number::from(magnitude))
    }
}

/// go-yaml v2's float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_go_yaml_float(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// A float as JSON carries it from Go: one with no fraction that fits an int64 is written
/// without a decimal point, so an integer field reads it.
fn json_number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        return Value::Number(Number::from(f as i64));
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// A plain scalar under the YAML 1.2 core schema: what a strict reader would see. Only used to
/// tell when the Kubernetes reading differs.
fn yaml12_reading(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let (neg, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let int = if let Some(h) = text.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = text.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
        rest.parse::<i64>().ok().map(|m| if neg { -m } else { m })
    } else {
        None
    };
    if let Some(i) = int {
        return Value::from(i);
    }
    if !text.contains('_') && is_go_yaml_float(text) {
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_recorded_per_field() {
        let docs =
            parse_documents("kind: A\nspec:\n  hostPorts:\n  - min: 1\n    max: 65536\n").unwrap();
        assert_eq!(docs.len(), 1);
        let s = &docs[0].spans;
        assert_eq!(s.pos("spec.hostPorts[0].max"), Pos { line: 5, column: 5 });
        assert_eq!(s.pos("spec.hostPorts[0].min"), Pos { line: 4, column: 5 });
        assert_eq!(s.pos("spec.hostPorts[0]").line, 4);
        // An unknown path falls back to its nearest ancestor.
        assert_eq!(s.pos("spec.hostPorts[0].nope").line, 4);
    }

    #[test]
    fn scalars_get_kubernetes_types() {
        let docs = parse_documents("a: true\nb: '1'\nc: 7\nd: ~\ne: 0x10\nf: 1.5\ng: yes\nh: -3\n")
            .unwrap();
        let v = &docs[0].value;
        assert_eq!(v["a"], Value::Bool(true));
        assert_eq!(v["b"], Value::String("1".into()));
        assert_eq!(v["c"], Value::from(7));
        assert_eq!(v["d"], Value::Null);
        assert_eq!(v["e"], Value::from(16));
        assert_eq!(v["f"], Value::from(1.5));
        assert_eq!(v["g"], Value::Bool(true));
        assert_eq!(v["h"], Value::from(-3));
    }

    /// The notes of one single-document text, as (line, field, message).
    fn notes(text: &str) -> Vec<(usize, String, String)> {
        let docs = parse_documents(text).unwrap();
        docs[0]
            .notes
            .iter()
            .map(|n| (n.pos.line, n.field.clone(), n.message.clone()))
            .collect()
    }

    // Tekton v0.37.0's config/controller.yaml: a flow sequence whose `]` sits at its key's
    // column. go-yaml (a port of libyaml's scanner) checks no indentation inside flow
    // collections, so kubectl reads `args` as the two strings; a strict YAML 1.2 scanner
    // refuses the line ("invalid indentation").
    #[test]
    fn flow_sequence_closed_at_its_keys_column() {
        let text = "spec:\n  containers:\n  - name: c\n    args: [\n      \"-a\", \"x\",\n\n      # a comment\n      \"-b\", \"y\",\n    ]\n    image: i\n";
        let docs = parse_documents(text).unwrap();
        let c = &docs[0].value["spec"]["containers"][0];
        assert_eq!(c["args"], serde_json::json!(["-a", "x", "-b", "y"]));
        assert_eq!(c["image"], "i");
        let s = &docs[0].spans;
        assert_eq!(
            s.pos("spec.containers[0].args[2]"),
            Pos { line: 8, column: 7 }
        );
        assert_eq!(
            s.pos("spec.containers[0].image"),
            Pos {
                line: 10,
                column: 5
            }
        );
        assert!(docs[0].notes.is_empty());
    }

    // go-yaml reads flow items indented less than the key that holds them (and a flow mapping
    // closed the same way) just as it reads them indented more: `{a: [x, y], m: {k: 1}}`.
    #[test]
    fn flow_items_left_of_their_key() {
        let docs = parse_documents("s:\n  a: [\n x,\n z]\n  m: {\n  k: 1,\n  }\n").unwrap();
        assert_eq!(
            docs[0].value["s"],
            serde_json::json!({"a": ["x", "z"], "m": {"k": 1}})
        );
    }

    // go-yaml skips tabs after the `:` of a simple key (its scanner allows tabs wherever simple
    // keys are not allowed): `a:<TAB>b` is {"a": "b"}, and `num:<TAB>1` is {"num": 1}.
    #[test]
    fn tab_after_a_colon() {
        let docs = parse_documents("a:\tb\nspec:\n  num:\t1\n").unwrap();
        assert_eq!(
            docs[0].value,
            serde_json::json!({"a": "b", "spec": {"num": 1}})
        );
        assert_eq!(docs[0].spans.pos("spec.num"), Pos { line: 3, column: 3 });
    }

    // A quoted scalar whose continuation line is indented less than its key: go-yaml folds it
    // like any other continuation line, "x y".
    #[test]
    fn quoted_scalar_continued_left_of_its_key() {
        let docs = parse_documents("a:\n  b: \"x\ny\"\n").unwrap();
        assert_eq!(docs[0].value["a"]["b"], "x y");
    }

    // go-yaml v2 (resolve.go) resolves y, Y, yes, Yes, YES, on, On, ON to true and n, N, no,
    // No, NO, off, Off, OFF to false, and sigs.k8s.io/yaml passes them on as JSON booleans, so
    // `hostNetwork: yes` is `"hostNetwork": true` to the API server. YAML 1.2 reads the string
    // "yes": a warning says which reading was taken.
    #[test]
    fn yaml_1_1_booleans() {
        let docs = parse_documents(
            "spec:\n  hostNetwork: yes\n  hostPID: off\n  hostIPC: 'on'\n  privileged: true\n",
        )
        .unwrap();
        let spec = &docs[0].value["spec"];
        assert_eq!(spec["hostNetwork"], Value::Bool(true));
        assert_eq!(spec["hostPID"], Value::Bool(false));
        assert_eq!(spec["hostIPC"], "on", "quoted: a string in every reading");
        let n = notes("spec:\n  hostNetwork: yes\n  hostPID: off\n  privileged: true\n");
        assert_eq!(n.len(), 2, "{n:?}");
        assert_eq!((n[0].0, n[0].1.as_str()), (2, "spec.hostNetwork"));
        assert!(
            n[0].2.contains("\"yes\" is read as the boolean true"),
            "{}",
            n[0].2
        );
        assert!(
            n[0].2.contains("YAML 1.2 reader sees the string \"yes\""),
            "{}",
            n[0].2
        );
        assert_eq!((n[1].0, n[1].1.as_str()), (3, "spec.hostPID"));
    }

    // go-yaml reads `1000.0` as the float 1000, and sigs.k8s.io/yaml writes it to JSON as
    // `1000`, which an integer field (runAsUser, hostPorts[].min) accepts. YAML 1.2 keeps a
    // float, which an integer field would refuse. A fraction stays a fraction.
    #[test]
    fn integral_floats_are_integers() {
        let text =
            "spec:\n  runAsUser:\n    ranges:\n    - min: 1000.0\n      max: 1e3\n  x: 1.5\n";
        let docs = parse_documents(text).unwrap();
        let r = &docs[0].value["spec"]["runAsUser"]["ranges"][0];
        assert_eq!(r["min"].as_i64(), Some(1000));
        assert_eq!(r["max"].as_i64(), Some(1000));
        assert_eq!(docs[0].value["spec"]["x"], Value::from(1.5));
        let n = notes(text);
        assert_eq!(n.len(), 2, "{n:?}");
        assert_eq!(n[0].1, "spec.runAsUser.ranges[0].min");
        assert!(
            n[0].2.contains("\"1000.0\" is read as the integer 1000"),
            "{}",
            n[0].2
        );
    }

    // An explicit !!int tag types a quoted scalar: go-yaml reads `!!int "0"` as the integer 0
    // (as does YAML 1.2, so no warning). A tag the text does not fit is refused, as go-yaml
    // refuses it ("cannot decode !!str `x` as a !!int").
    #[test]
    fn tagged_quoted_integers() {
        let text = "spec:\n  min: !!int \"0\"\n  on: !!bool \"true\"\n  s: !!str 1\n";
        let docs = parse_documents(text).unwrap();
        let spec = &docs[0].value["spec"];
        assert_eq!(spec["min"], Value::from(0));
        assert_eq!(spec["s"], "1");
        assert!(docs[0].notes.iter().all(|n| n.field != "spec.min"));
        let err = parse_documents("a: !!int \"x\"\n").unwrap_err();
        assert!(err.message.contains("!!int"), "{}", err.message);
        assert_eq!(err.pos.line, 1);
    }

    // go-yaml hands plain integers to Go's strconv.ParseInt with base 0 after dropping `_`:
    // `0644` is octal (420, the usual `defaultMode`), `1_000` is 1000, `0b11` is 3. YAML 1.2
    // reads 644 and the strings "1_000" and "0b11".
    #[test]
    fn yaml_1_1_integers() {
        let text = "a: 0644\nb: 1_000\nc: 0b11\nd: 0x1F\ne: 09\n";
        let docs = parse_documents(text).unwrap();
        let v = &docs[0].value;
        assert_eq!(v["a"], Value::from(420));
        assert_eq!(v["b"], Value::from(1000));
        assert_eq!(v["c"], Value::from(3));
        assert_eq!(v["d"], Value::from(31));
        assert_eq!(v["e"], Value::from(9));
        let fields: Vec<String> = notes(text).into_iter().map(|n| n.1).collect();
        assert_eq!(fields, ["a", "b", "c"]);
    }

    // A key go-yaml reads as a boolean reaches JSON as its text (sigs.k8s.io/yaml turns a
    // boolean key into "true" or "false"): `on:` is the key "true", `n:` the key "false".
    #[test]
    fn yaml_1_1_boolean_keys() {
        let docs = parse_documents("labels:\n  on: x\n  n: z\n  off2: z\n").unwrap();
        assert_eq!(
            docs[0].value["labels"],
            serde_json::json!({"true": "x", "false": "z", "off2": "z"})
        );
        let fields: Vec<&str> = docs[0].notes.iter().map(|n| n.field.as_str()).collect();
        assert_eq!(fields, ["labels.true", "labels.false"]);
        assert!(
            parse_documents("~: x\n").is_err(),
            "kubectl refuses a null key"
        );
    }

    // Infinity and NaN have no JSON form: kubectl fails on them, and so does this reader.
    #[test]
    fn infinity_is_refused() {
        let err = parse_documents("a:\n  b: .inf\n").unwrap_err();
        assert_eq!(err.pos, Pos { line: 2, column: 6 });
        assert!(err.message.contains("JSON"), "{}", err.message);
    }

    #[test]
    fn empty_documents_are_left_out() {
        let docs = parse_documents("---\n# only a comment\n---\na: 1\n---\n").unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].start.line, 4);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse_documents("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.pos.line, 3);
        assert!(
            err.message.contains("duplicate key \"a\""),
            "{}",
            err.message
        );
    }

    #[test]
    fn alias_bombs_are_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let err = parse_documents(&text).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_documents(&text).unwrap_err();
        assert!(err.message.contains("nesting deeper"), "{}", err.message);
    }

    #[test]
    fn merge_keys_fill_missing_members() {
        let docs = parse_documents("base: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\n").unwrap();
        assert_eq!(docs[0].value["m"], serde_json::json!({"z": 3, "x": 1}));
    }

    #[test]
    fn json_is_read_too() {
        let docs = parse_documents("{\"kind\": \"List\",\n \"items\": [{\"a\": 1}]}").unwrap();
        assert_eq!(docs[0].value["items"][0]["a"], Value::from(1));
        assert_eq!(docs[0].spans.pos("items[0].a").line, 2);
    }
}
