//! A small reader over `serde_json::Value` that reports every type error and unknown field with
//! the field's path, instead of stopping at the first one as serde would.

use serde_json::{Map, Value};

use crate::diag::Diagnostic;
use crate::diag::{item_path, json_type, member_path, Locator};

/// Reads fields of one object, collecting diagnostics.
pub struct Reader<'a> {
    pub loc: &'a Locator,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    /// An error about `field`.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(self.loc.at(field), field, message));
    }

    /// A warning about `field`.
    pub fn warn(&mut self, field: &str, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(self.loc.at(field), field, message));
    }

    fn wrong_type(&mut self, field: &str, expected: &str, got: &Value) {
        self.error(
            field,
            format!("expected {expected}, found {}", json_type(got)),
        );
    }

    /// `value` as a mapping; null is `None` silently, any other type is an error.
    pub fn mapping<'v>(&mut self, value: &'v Value, field: &str) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(m) => Some(m),
            Value::Null => None,
            other => {
                self.wrong_type(field, "a mapping", other);
                None
            }
        }
    }

    /// Reports every member of `map` not in `known`, suggesting the closest known name.
    pub fn unknown_fields(&mut self, map: &Map<String, Value>, field: &str, known: &[&str]) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            let hint = closest(key, known)
                .map(|k| format!(" (did you mean {k:?}?)"))
                .unwrap_or_default();
            self.error(
                &member_path(field, key),
                format!("unknown field {key:?}{hint}"),
            );
        }
    }

    /// Member `key` as a boolean.
    pub fn bool(&mut self, map: &Map<String, Value>, field: &str, key: &str) -> Option<bool> {
        match map.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::Null => None,
            other => {
                self.wrong_type(&member_path(field, key), "true or false", other);
                None
            }
        }
    }

    /// Member `key` as a string.
    pub fn string(&mut self, map: &Map<String, Value>, field: &str, key: &str) -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => {
                self.wrong_type(&member_path(field, key), "a string", other);
                None
            }
        }
    }

    /// Member `key` as a whole number.
    pub fn int(&mut self, map: &Map<String, Value>, field: &str, key: &str) -> Option<i64> {
        match map.get(key)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            Value::Null => None,
            other => {
                self.wrong_type(&member_path(field, key), "a whole number", other);
                None
            }
        }
    }

    /// Member `key` as a list, each item with its path.
    pub fn list<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        field: &str,
        key: &str,
    ) -> Vec<(String, &'v Value)> {
        let path = member_path(field, key);
        match map.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (item_path(&path, i), v))
                .collect(),
            Some(other) => {
                self.wrong_type(&path, "a list", other);
                Vec::new()
            }
        }
    }

    /// Member `key` as a list of strings.
    pub fn strings(&mut self, map: &Map<String, Value>, field: &str, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (path, v) in self.list(map, field, key) {
            match v {
                Value::String(s) => out.push(s.clone()),
                other => self.wrong_type(&path, "a string", other),
            }
        }
        out
    }
}

/// The known name nearest to `key` (case-insensitive edit distance at most 3), if any.
pub fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = key.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance over bytes.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_field() {
        let known = ["allowedCapabilities", "allowedHostPaths", "volumes"];
        assert_eq!(
            closest("allowedCapabilites", &known),
            Some("allowedCapabilities")
        );
        assert_eq!(closest("volume", &known), Some("volumes"));
        assert_eq!(closest("somethingElse", &known), None);
    }
}
