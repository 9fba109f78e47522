//! Small helpers that word violations the way the API server does.

use std::fmt::Display;

/// `one` when `n == 1`, else `many`.
pub(crate) fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Items double-quoted and comma-separated: `"a", "b"`.
pub(crate) fn quoted<I, T>(items: I) -> String
where
    I: IntoIterator<Item = T>,
    T: Display,
{
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(&item.to_string());
        out.push('"');
    }
    out
}

/// `container "a"` or `containers "a", "b"`.
pub(crate) fn containers(names: &[&str]) -> String {
    format!(
        "{} {}",
        plural(names.len(), "container", "containers"),
        quoted(names)
    )
}

/// A failed check's message: `reason (detail)`.
pub(crate) fn fail(reason: &str, detail: impl Display) -> Option<String> {
    Some(format!("{reason} ({detail})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_lists_like_the_api_server() {
        assert_eq!(quoted(["a", "b"]), r#""a", "b""#);
        assert_eq!(quoted(Vec::<&str>::new()), "");
        assert_eq!(containers(&["x"]), r#"container "x""#);
        assert_eq!(containers(&["x", "y"]), r#"containers "x", "y""#);
        assert_eq!(fail("r", "d").as_deref(), Some("r (d)"));
    }
}
