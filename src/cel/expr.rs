//! Building blocks of the emitted CEL: fields that may be unset, and the checks a policy is
//! made of. Expressions guard every optional step with `has()`, left of the step, so they never
//! fail on a missing field in any engine.

/// A field that may be unset: `set` is a CEL boolean, `value` its value where `set` holds.
#[derive(Debug, Clone)]
pub struct Field {
    pub set: String,
    pub value: String,
}

impl Field {
    /// `base.a.b`, set when every step is present.
    pub fn at(base: &str, path: &[&str]) -> Field {
        let mut set = Vec::new();
        let mut cur = base.to_string();
        for step in path {
            cur = format!("{cur}.{step}");
            set.push(format!("has({cur})"));
        }
        Field {
            set: set.join(" && "),
            value: cur,
        }
    }

    /// A value that is always set.
    pub fn always(value: impl Into<String>) -> Field {
        Field {
            set: "true".into(),
            value: value.into(),
        }
    }

    /// This field where set, else `other`.
    pub fn or(self, other: Field) -> Field {
        if self.set == "true" {
            return self;
        }
        Field {
            set: format!("({} || {})", self.set, other.set),
            value: format!("({} ? {} : {})", self.set, self.value, other.value),
        }
    }

    /// This field where set, else the CEL expression `fallback` (always set then).
    pub fn or_value(self, fallback: &str) -> Field {
        self.or(Field::always(fallback))
    }

    /// The value where set, else `fallback`, as one expression.
    pub fn value_or(&self, fallback: &str) -> String {
        if self.set == "true" {
            return self.value.clone();
        }
        format!("({} ? {} : {})", self.set, self.value, fallback)
    }

    /// True when set and `pred` (over the value) holds.
    pub fn is(&self, pred: impl FnOnce(&str) -> String) -> String {
        and(&self.set, &pred(&self.value))
    }
}

/// `a && b`, dropping a literal `true`.
pub fn and(a: &str, b: &str) -> String {
    match (a, b) {
        ("true", x) | (x, "true") => x.to_string(),
        _ => format!("({a} && {b})"),
    }
}

/// `!x`, parenthesised.
pub fn not(x: &str) -> String {
    match x {
        "true" => "false".into(),
        "false" => "true".into(),
        _ => format!("!({x})"),
    }
}

/// `x` in any of the `[min, max]` ranges of the CEL list `ranges`.
pub fn in_ranges(x: &str, ranges: &str) -> String {
    format!("{ranges}.exists(r, {x} >= r[0] && {x} <= r[1])")
}

/// One thing a pod must satisfy, and what to say when it does not.
#[derive(Debug, Clone)]
pub enum Check {
    /// A condition on the pod; `message` is a CEL string expression.
    Pod { ok: String, message: String },
    /// A condition on every element `var` of the CEL list `list`; `message` may use `var`.
    Each {
        list: String,
        var: &'static str,
        ok: String,
        message: String,
    },
}

/// The checks of one policy, in the simulator's order.
#[derive(Debug, Default)]
pub struct Checks(pub Vec<Check>);

impl Checks {
    pub fn pod(&mut self, ok: String, message: impl Into<String>) {
        if ok != "true" {
            self.0.push(Check::Pod {
                ok,
                message: message.into(),
            });
        }
    }

    /// A check on every container of every list (the variable `c`).
    pub fn container(&mut self, ok: String, message: &str) {
        let suffix = super::lit::string(&format!(": {message}"));
        self.each(
            "variables.containers",
            "c",
            ok,
            format!("\"container \" + c.name + {suffix}"),
        );
    }

    pub fn each(&mut self, list: &str, var: &'static str, ok: String, message: String) {
        if ok != "true" {
            self.0.push(Check::Each {
                list: list.into(),
                var,
                ok,
                message,
            });
        }
    }

    /// A CEL list of the messages of the failed checks (empty when all pass).
    pub fn violations(&self) -> String {
        if self.0.is_empty() {
            return "[]".into();
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|c| match c {
                Check::Pod { ok, message } => format!("({ok} ? [] : [{message}])"),
                Check::Each {
                    list,
                    var,
                    ok,
                    message,
                } => format!("{list}.filter({var}, !({ok})).map({var}, {message})"),
            })
            .collect();
        parts.join(" +\n")
    }
}

/// A static message as a CEL string literal.
pub fn msg(text: &str) -> String {
    super::lit::string(text)
}
