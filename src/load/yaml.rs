//! The one place that reads YAML (and JSON, which is YAML): text in, `serde_json::Value` trees
//! out, each node remembering the line and column it came from.
//!
//! Everything else in the crate works on `serde_json::Value` plus [`Spans`](crate::diag::Spans), so the YAML library
//! can be swapped here alone. Hostile input is bounded: nesting depth and alias expansion have
//! limits, and no step recurses on the input's depth.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diag::{item_path, member_path, Pos, Spans};

/// Deepest nesting of mappings and sequences accepted.
pub const MAX_DEPTH: usize = 256;
/// Most nodes one document may expand to through aliases, on top of the nodes it spells out.
pub const MAX_ALIAS_NODES: usize = 1_000_000;

/// The position a parser mark stands for.
fn pos_of(m: &Marker) -> Pos {
    Pos {
        line: m.line(),
        column: m.col() + 1,
    }
}

/// One YAML document: its value, the positions of its nodes, and where it starts.
#[derive(Debug, Clone)]
pub struct YamlDoc {
    pub value: Value,
    pub spans: Spans,
    /// Where the document's content starts.
    pub start: Pos,
}

/// A YAML syntax or structure error at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Reads every document of a YAML (or JSON) stream. Empty documents are left out.
pub fn parse_documents(text: &str) -> Result<Vec<YamlDoc>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut builder: Option<Builder> = None;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            pos: pos_of(e.marker()),
            message: match e.info() {
                "recursion limit exceeded" => {
                    format!("nesting deeper than the YAML reader allows ({MAX_DEPTH} levels here)")
                }
                info => format!("invalid YAML: {info}"),
            },
        })?;
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart => builder = Some(Builder::default()),
            Event::DocumentEnd => {
                if let Some(b) = builder.take() {
                    if let Some(doc) = b.finish() {
                        docs.push(doc);
                    }
                }
            }
            other => {
                let b = builder.get_or_insert_with(Builder::default);
                b.event(other, &mark)?;
            }
        }
    }
    Ok(docs)
}

/// A container under construction.
enum Frame {
    Map {
        map: Map<String, Value>,
        path: String,
        key: Option<String>,
        anchor: usize,
        nodes: usize,
        /// Whether the first key has been read.
        keyed: bool,
    },
    Seq {
        items: Vec<Value>,
        path: String,
        anchor: usize,
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
    /// Anchored nodes by anchor id, with how many nodes each holds.
    anchors: HashMap<usize, (Value, usize)>,
    alias_nodes: usize,
}

impl Builder {
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

    fn event(&mut self, event: Event, mark: &Marker) -> Result<(), YamlError> {
        let pos = pos_of(mark);
        self.start.get_or_insert(pos);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let Some(path) = self.next_path(pos, true)? else {
                    return self.set_key(text, pos);
                };
                self.spans.entry(path).or_insert(pos);
                let value = resolve_scalar(text, style, tag.as_ref());
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.attach(value, 1, pos)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let path = self.next_path(pos, false)?.unwrap_or_default();
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        pos,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                self.spans.entry(path.clone()).or_insert(pos);
                let frame = if matches!(event, Event::SequenceStart(..)) {
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
            Event::SequenceEnd | Event::MappingEnd => {
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
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), nodes));
                }
                self.attach(value, nodes, pos)
            }
            Event::Alias(id) => {
                let Some((value, nodes)) = self.anchors.get(&id).cloned() else {
                    return Err(YamlError {
                        pos,
                        message: "alias to an unknown anchor".into(),
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

/// Gives a scalar its type: quoted scalars are strings; plain ones follow the YAML 1.2 core
/// schema (null, true/false, integers, floats), as Kubernetes reads them.
fn resolve_scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(t) = tag {
        if t.suffix == "str" {
            return Value::String(text);
        }
    }
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_int(&text) {
        return Value::Number(n);
    }
    if looks_like_float(&text) {
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text)
}

fn parse_int(text: &str) -> Option<Number> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude: u64 = if let Some(hex) = digits.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        u64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    if neg {
        i64::try_from(magnitude).ok().map(|m| Number::from(-m))
    } else {
        Some(Number::from(magnitude))
    }
}

fn looks_like_float(text: &str) -> bool {
    let t = text.trim_start_matches(['-', '+']);
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && t.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && t.bytes().any(|b| b.is_ascii_digit())
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
        assert_eq!(v["g"], Value::String("yes".into()));
        assert_eq!(v["h"], Value::from(-3));
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
        let docs = parse_documents("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n").unwrap();
        assert_eq!(docs[0].value["m"], serde_json::json!({"y": 3, "x": 1}));
    }

    #[test]
    fn json_is_read_too() {
        let docs = parse_documents("{\"kind\": \"List\",\n \"items\": [{\"a\": 1}]}").unwrap();
        assert_eq!(docs[0].value["items"][0]["a"], Value::from(1));
        assert_eq!(docs[0].spans.pos("items[0].a").line, 2);
    }
}
