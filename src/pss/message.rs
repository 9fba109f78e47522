//! Small helpers that word violations the way the API server does.
//!
//! The list helpers return lazy `Display` values, so a message is built in one allocation.

use std::fmt::{self, Display};

/// `one` when `n == 1`, else `many`.
pub(crate) fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Items double-quoted and comma-separated when displayed: `"a", "b"`.
pub(crate) struct Quoted<I>(I);

impl<I> Display for Quoted<I>
where
    I: IntoIterator + Copy,
    I::Item: Display,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.into_iter().enumerate() {
            let sep = if i > 0 { ", " } else { "" };
            write!(f, "{sep}\"{item}\"")?;
        }
        Ok(())
    }
}

/// Displays `items` as `"a", "b"`.
pub(crate) fn quoted<I>(items: I) -> Quoted<I>
where
    I: IntoIterator + Copy,
    I::Item: Display,
{
    Quoted(items)
}

/// Displays as `container "a"` or `containers "a", "b"`.
pub(crate) struct Containers<'a>(&'a [&'a str]);

impl Display for Containers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = plural(self.0.len(), "container", "containers");
        write!(f, "{noun} {}", quoted(self.0))
    }
}

/// Displays container names with the right noun: `containers "a", "b"`.
pub(crate) fn containers<'a>(names: &'a [&'a str]) -> Containers<'a> {
    Containers(names)
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
        assert_eq!(quoted(["a", "b"]).to_string(), r#""a", "b""#);
        assert_eq!(quoted(&Vec::<&str>::new()).to_string(), "");
        assert_eq!(containers(&["x"]).to_string(), r#"container "x""#);
        assert_eq!(
            containers(&["x", "y"]).to_string(),
            r#"containers "x", "y""#
        );
        assert_eq!(fail("r", "d").as_deref(), Some("r (d)"));
    }
}
