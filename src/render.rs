//! The template engine every target renders with: templates are files under `templates/`,
//! embedded in the binary, and every value reaches them through an escaping filter for the
//! language it lands in.
//!
//! Filters: `yaml_str` (a double-quoted YAML scalar), `sh_quote` (a single-quoted shell word),
//! `comment` (text safe inside a one-line `#` comment), `indent(n)` (a block nested by n spaces),
//! `yaml_json` (any value as one line of YAML-safe JSON).

use std::collections::HashMap;
use std::sync::OnceLock;

use tera::{Context, Tera, Value};

/// Every template: (name, text).
const TEMPLATES: &[(&str, &str)] = &[
    (
        "psa/namespaces.yaml",
        include_str!("../templates/psa/namespaces.yaml.tera"),
    ),
    (
        "psa/label-namespaces.sh",
        include_str!("../templates/psa/label-namespaces.sh.tera"),
    ),
    (
        "psa/pod-security-configuration.yaml",
        include_str!("../templates/psa/pod-security-configuration.yaml.tera"),
    ),
    (
        "psa/admission-configuration.yaml",
        include_str!("../templates/psa/admission-configuration.yaml.tera"),
    ),
    (
        "psa/pod-security-webhook-configmap.yaml",
        include_str!("../templates/psa/pod-security-webhook-configmap.yaml.tera"),
    ),
    (
        "kyverno/validating-policy.yaml",
        include_str!("../templates/kyverno/validating-policy.yaml.tera"),
    ),
    (
        "kyverno/mutating-policy.yaml",
        include_str!("../templates/kyverno/mutating-policy.yaml.tera"),
    ),
    (
        "kyverno/cluster-policy.yaml",
        include_str!("../templates/kyverno/cluster-policy.yaml.tera"),
    ),
    (
        "kyverno/kyverno-test.yaml",
        include_str!("../templates/kyverno/kyverno-test.yaml.tera"),
    ),
    (
        "vap/resource-rules.yaml",
        include_str!("../templates/vap/resource-rules.yaml.tera"),
    ),
    (
        "vap/validating-admission-policy.yaml",
        include_str!("../templates/vap/validating-admission-policy.yaml.tera"),
    ),
    (
        "vap/validating-admission-policy-binding.yaml",
        include_str!("../templates/vap/validating-admission-policy-binding.yaml.tera"),
    ),
    (
        "vap/mutating-admission-policy.yaml",
        include_str!("../templates/vap/mutating-admission-policy.yaml.tera"),
    ),
    (
        "vap/mutating-admission-policy-binding.yaml",
        include_str!("../templates/vap/mutating-admission-policy-binding.yaml.tera"),
    ),
    (
        "gatekeeper/constraint-template.yaml",
        include_str!("../templates/gatekeeper/constraint-template.yaml.tera"),
    ),
    (
        "gatekeeper/constraint.yaml",
        include_str!("../templates/gatekeeper/constraint.yaml.tera"),
    ),
    (
        "gatekeeper/expansion-templates.yaml",
        include_str!("../templates/gatekeeper/expansion-templates.yaml.tera"),
    ),
    (
        "gatekeeper/mutators.yaml",
        include_str!("../templates/gatekeeper/mutators.yaml.tera"),
    ),
    (
        "gatekeeper/suite.yaml",
        include_str!("../templates/gatekeeper/suite.yaml.tera"),
    ),
    (
        "kubewarden/cluster-admission-policy-group.yaml",
        include_str!("../templates/kubewarden/cluster-admission-policy-group.yaml.tera"),
    ),
    (
        "kubewarden/cluster-admission-policy.yaml",
        include_str!("../templates/kubewarden/cluster-admission-policy.yaml.tera"),
    ),
    (
        "accept/accepted-findings.yaml",
        include_str!("../templates/accept/accepted-findings.yaml.tera"),
    ),
];

/// One emitted file: its path inside the output directory and its content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Document {
    pub path: String,
    pub content: String,
}

/// The engine, built once.
fn engine() -> &'static Tera {
    static ENGINE: OnceLock<Tera> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut t = Tera::default();
        t.autoescape_on(vec![]);
        t.add_raw_templates(TEMPLATES.iter().copied())
            .expect("the embedded templates parse");
        t.register_filter("yaml_str", yaml_str);
        t.register_filter("sh_quote", sh_quote);
        t.register_filter("comment", comment);
        t.register_filter("indent", indent);
        t.register_filter("yaml_json", yaml_json);
        t
    })
}

/// Renders template `name` with `context`. A failure is a bug in a template, not in the input.
pub fn render(name: &str, context: &Context) -> String {
    match engine().render(name, context) {
        Ok(s) => s,
        Err(e) => {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            panic!("template {name} failed to render: {msg}")
        }
    }
}

/// The value as text: strings as they are, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A double-quoted YAML scalar: the value as a JSON string (see [`yaml_safe_json`]).
pub fn yaml_str(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let json = serde_json::to_string(&text(v)).expect("strings serialize");
    Ok(Value::String(yaml_safe_json(&json)))
}

/// JSON text made safe to read as YAML. JSON is YAML, and a JSON string escapes quotes,
/// backslashes and the C0 controls; what it leaves as is but YAML 1.1 readers (go-yaml, so
/// kubectl) take as line breaks (U+0085, U+2028, U+2029) or refuse (DEL and the other C1
/// controls) is escaped as `\uXXXX`, which reads back as the same character. Such characters
/// only occur inside strings, where the escape is valid in both languages.
pub fn yaml_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t')
            || matches!(c, '\u{2028}' | '\u{2029}')
        {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Any value as one line of YAML: JSON made safe to read as YAML (see [`yaml_safe_json`]).
pub fn yaml_json(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let json = serde_json::to_string(v).expect("values serialize");
    Ok(Value::String(yaml_safe_json(&json)))
}

/// A single-quoted POSIX shell word.
pub fn sh_quote(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(format!(
        "'{}'",
        text(v).replace('\'', r"'\''")
    )))
}

/// Text for a one-line `#` comment: line breaks (U+2028, U+2029 and NEL included) and other
/// control characters become spaces.
pub fn comment(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let breaks = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    Ok(Value::String(
        text(v)
            .chars()
            .map(|c| if breaks(c) { ' ' } else { c })
            .collect(),
    ))
}

/// Every line indented by `n` spaces (empty lines stay empty); a trailing newline is dropped.
pub fn indent(v: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let n = args.get("n").and_then(Value::as_u64).unwrap_or(2) as usize;
    let pad = " ".repeat(n);
    let body = text(v);
    let lines: Vec<String> = body
        .trim_end_matches('\n')
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect();
    Ok(Value::String(lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(f: fn(&Value, &HashMap<String, Value>) -> tera::Result<Value>, s: &str) -> String {
        f(&Value::String(s.into()), &HashMap::new())
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn yaml_strings_cannot_break_out() {
        let hostile = "a\"b\nkind: Secret\n${{ x }}\\";
        let quoted = apply(yaml_str, hostile);
        let parsed = crate::load::yaml::parse_documents(&format!("k: {quoted}\n")).unwrap();
        assert_eq!(parsed[0].value["k"], Value::String(hostile.into()));
        assert_eq!(parsed[0].value.as_object().unwrap().len(), 1);
    }

    #[test]
    fn unicode_line_separators_are_escaped() {
        let quoted = apply(yaml_str, "a\u{2028}- b\u{2029}c");
        assert_eq!(quoted, r#""a\u2028- b\u2029c""#);
        let quoted = apply(yaml_str, "a\u{85}b\u{7f}c\u{9b}");
        assert_eq!(quoted, r#""a\u0085b\u007fc\u009b""#);
        let parsed = crate::load::yaml::parse_documents(&format!("k: {quoted}\n")).unwrap();
        assert_eq!(parsed[0].value["k"], "a\u{85}b\u{7f}c\u{9b}");
        assert!(!apply(comment, "a\u{2028}b\u{85}c").contains(['\u{2028}', '\u{85}']));
    }

    #[test]
    fn shell_words_keep_quotes_inside() {
        assert_eq!(apply(sh_quote, "it's; rm -rf /"), r"'it'\''s; rm -rf /'");
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(apply(comment, "a\nb\r\tc"), "a b  c");
    }

    #[test]
    fn indent_nests_every_line() {
        let mut args = HashMap::new();
        args.insert("n".to_string(), Value::from(4));
        let out = indent(&Value::String("a: 1\n\nb: 2\n".into()), &args).unwrap();
        assert_eq!(out, Value::String("    a: 1\n\n    b: 2".into()));
    }
}
