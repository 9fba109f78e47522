//! Diagnostics: errors and warnings that point at a place in the user's input, and the field
//! paths and positions they are located by. Below both `load/` (which records positions) and
//! `psp/` (which reports on fields), so neither imports the other for them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

/// How bad a diagnostic is: errors stop the run, warnings are reported and the run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A place in an input: file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Turns field paths of one object into locations in its file.
#[derive(Debug, Clone)]
pub struct Locator {
    pub file: String,
    pub spans: Spans,
}

impl Locator {
    /// The location of `field` (`spec.hostPorts[0].max`), or of its nearest ancestor present.
    pub fn at(&self, field: &str) -> Location {
        let p = self.spans.pos(field);
        Location {
            file: self.file.clone(),
            line: p.line,
            column: p.column,
        }
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Where each node of one document is, keyed by field path (`spec.hostPorts[0].max`).
///
/// A view can be re-rooted at a sub-tree (an item of a `List`), so that paths stay relative to
/// the object a diagnostic is about.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    map: Arc<HashMap<String, Pos>>,
    prefix: String,
    root: Pos,
}

impl Spans {
    /// Positions of one document, keyed by field path, rooted at `root`.
    pub fn new(map: HashMap<String, Pos>, root: Pos) -> Spans {
        Spans {
            map: Arc::new(map),
            prefix: String::new(),
            root,
        }
    }

    /// The position of `field` (relative to this view's root), or of its nearest ancestor.
    pub fn pos(&self, field: &str) -> Pos {
        let mut key = join(&self.prefix, field);
        loop {
            if let Some(p) = self.map.get(&key) {
                return *p;
            }
            if key.len() <= self.prefix.len() {
                return self.root;
            }
            match parent(&key) {
                Some(k) => key = k.to_string(),
                None => return self.root,
            }
        }
    }

    /// A view rooted at `field`.
    pub fn child(&self, field: &str) -> Spans {
        let prefix = join(&self.prefix, field);
        let root = self.map.get(&prefix).copied().unwrap_or(self.root);
        Spans {
            map: self.map.clone(),
            prefix,
            root,
        }
    }
}

fn join(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (_, true) => prefix.to_string(),
        (true, false) => field.to_string(),
        (false, false) if field.starts_with('[') => format!("{prefix}{field}"),
        _ => format!("{prefix}.{field}"),
    }
}

/// The path of the parent node: `a.b[1]` -> `a.b`, `a.b` -> `a`, `a` -> none.
fn parent(path: &str) -> Option<&str> {
    if path.ends_with(']') {
        // The bracket that opens the last segment; keys in brackets never contain `[`.
        return path.rfind('[').map(|i| &path[..i]);
    }
    path.rfind('.').map(|i| &path[..i])
}

/// The field path of member `key` under `path`; keys that are not plain identifiers go in
/// brackets, the way Kubernetes writes `metadata.annotations[seccomp.../allowedProfileNames]`.
pub fn member_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        join(path, key)
    } else {
        format!("{path}[{key}]")
    }
}

/// The field path of item `i` under `path`.
pub fn item_path(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// "a string", "a list", ... for messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// One message about the input, with where it is and (when known) which field it is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Diagnostic {
    pub location: Location,
    pub severity: Severity,
    /// The field the message is about, in `spec.hostPorts[0].max` form; empty for the document.
    pub field: String,
    pub message: String,
}

impl Diagnostic {
    /// An error at `location` about `field`.
    pub fn error(location: Location, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location,
            severity: Severity::Error,
            field: field.into(),
            message: message.into(),
        }
    }

    /// A warning at `location` about `field`.
    pub fn warning(
        location: Location,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            location,
            severity: Severity::Warning,
            field: field.into(),
            message: message.into(),
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.field.is_empty() {
            write!(f, "{}: {}: {}", self.location, sev, self.message)
        } else {
            write!(
                f,
                "{}: {}: {}: {}",
                self.location, sev, self.field, self.message
            )
        }
    }
}
