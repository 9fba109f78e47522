//! Diagnostics: errors and warnings that point at a place in the user's input.

use std::fmt;

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
