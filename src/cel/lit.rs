//! CEL literals and identifiers. Every value that comes from the input (PSP names, host paths,
//! profile names, user names) reaches an expression only through [`string`], so no input can
//! change the structure of the expression it lands in.

use std::collections::BTreeSet;

/// A double-quoted CEL string literal: backslash and quote escaped; control characters and the
/// Unicode line and paragraph separators as `\uXXXX` (every YAML reader keeps the literal on
/// its line); and a `.` right after `object` or `Object` as `\u002e`, so Kyverno's autogen,
/// which rewrites the text `object.spec` and `object.metadata` wherever it occurs, cannot change
/// a value from the input.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            '.' if out.ends_with("object") || out.ends_with("Object") => out.push_str("\\u002e"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A CEL list of string literals, sorted and de-duplicated so equal sets read the same.
pub fn strings<'a, I: IntoIterator<Item = &'a String>>(items: I) -> String {
    let set: BTreeSet<&str> = items.into_iter().map(String::as_str).collect();
    let parts: Vec<String> = set.into_iter().map(string).collect();
    format!("[{}]", parts.join(", "))
}

/// A CEL list of `[min, max]` pairs.
pub fn ranges(pairs: impl IntoIterator<Item = (i64, i64)>) -> String {
    let parts: Vec<String> = pairs
        .into_iter()
        .map(|(a, b)| format!("[{a}, {b}]"))
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A variable name for `name` (`[A-Za-z_][A-Za-z0-9_]*`, as Kubernetes requires): other
/// characters become `_`, and a leading digit gets a `_` before it. No two `_` stand together:
/// Kubernetes' CEL reads `__true__`, `__dot__`, `__underscores__` and the like inside a name as
/// escapes, so `variables.a__true__b` would look up `a_true_b` and find nothing.
pub fn identifier(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_everything_that_could_close_or_break_them() {
        assert_eq!(string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(string("x\ny\u{2028}"), r#""x\ny\u2028""#);
        assert_eq!(string("${{ x }}'"), r#""${{ x }}'""#);
        assert_eq!(string("a\u{85}b"), r#""a\u0085b""#);
        assert_eq!(string("/object.spec"), r#""/object\u002espec""#);
    }

    #[test]
    fn identifiers_are_valid_cel_names() {
        assert_eq!(identifier("kube-system.psp"), "kube_system_psp");
        assert_eq!(identifier("00-privileged"), "_00_privileged");
        assert_eq!(identifier(""), "_");
        assert_eq!(identifier(r#"cel" || true || "x"#), "cel_true_x");
        assert_eq!(identifier("a__dot__b"), "a_dot_b");
    }

    #[test]
    fn lists_are_sorted_and_deduplicated() {
        let v = vec!["b".to_string(), "a".to_string(), "b".to_string()];
        assert_eq!(strings(&v), r#"["a", "b"]"#);
        assert_eq!(ranges([(1, 2), (5, 5)]), "[[1, 2], [5, 5]]");
    }
}
