//! The gator suite (`gator verify DIR/gatekeeper`): the input's pods and pod templates and the
//! probe pods of [`crate::targets::cases`], each expecting the simulator's verdict. gator runs no
//! mutators, so an admitted pod is given as the plugin stored it; a denied one as submitted.

use serde::Serialize;
use tera::Context;

use crate::load::Loaded;
use crate::render::{render, yaml_safe_json, Document};
use crate::scope::Scopes;
use crate::targets::cases::cases;

/// The suite's file.
pub const SUITE_PATH: &str = "gatekeeper/suite.yaml";

#[derive(Serialize)]
struct SuiteCase {
    name: String,
    /// The object's file, relative to the suite.
    file: String,
    /// `no` when the simulator admitted the pod, `yes` when it denied it.
    violations: &'static str,
}

/// The suite and one object file per case; none when there is nothing to test.
pub fn documents(loaded: &Loaded, scopes: Option<&Scopes>) -> Vec<Document> {
    let cases = cases(loaded, scopes);
    if cases.is_empty() {
        return Vec::new();
    }
    let mut docs = Vec::new();
    let mut listed = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let file = format!("suite/{:03}.yaml", i + 1);
        let object = c.stored.as_ref().unwrap_or(&c.submitted);
        docs.push(Document {
            path: format!("gatekeeper/{file}"),
            content: format!(
                "# {}\n{}\n",
                comment_line(&c.name),
                yaml_safe_json(&serde_json::to_string_pretty(object).unwrap_or_default())
            ),
        });
        listed.push(SuiteCase {
            name: c.name.clone(),
            file,
            violations: if c.stored.is_some() { "no" } else { "yes" },
        });
    }
    let mut ctx = Context::new();
    ctx.insert("tool_version", env!("CARGO_PKG_VERSION"));
    ctx.insert("what", "the input's pods and pod templates and probe pods");
    ctx.insert("test", "psps-as-the-admission-plugin-decided");
    ctx.insert("cases", &listed);
    docs.insert(
        0,
        Document {
            path: SUITE_PATH.into(),
            content: render("gatekeeper/suite.yaml", &ctx),
        },
    );
    docs
}

/// A case name on one comment line.
fn comment_line(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}
