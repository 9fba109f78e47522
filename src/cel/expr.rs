//! Building blocks of the emitted CEL: fields that may be unset, and the checks a policy is
//! made of. Expressions guard every optional step with `has()`, left of the step, so they never
//! fail on a missing field in any engine.

/// A value that may be unset, read from the first of several places that is set: each
/// alternative is a CEL condition and the value where it holds. Alternatives chain as flat
/// ternaries, so a fallback over four places stays linear in size.
#[derive(Debug, Clone)]
pub struct Field {
    alts: Vec<(String, String)>,
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
        Field::when(set.join(" && "), cur)
    }

    /// `value` where `set` holds.
    pub fn when(set: impl Into<String>, value: impl Into<String>) -> Field {
        Field {
            alts: vec![(set.into(), value.into())],
        }
    }

    /// A value that is always set.
    pub fn always(value: impl Into<String>) -> Field {
        Field::when("true", value)
    }

    /// This field where set, else `other`.
    pub fn or(mut self, other: Field) -> Field {
        if !self.is_always() {
            self.alts.extend(other.alts);
        }
        self
    }

    /// This field where set, else the CEL expression `fallback` (always set then).
    pub fn or_value(self, fallback: &str) -> Field {
        self.or(Field::always(fallback))
    }

    fn is_always(&self) -> bool {
        self.alts.iter().any(|(s, _)| s == "true")
    }

    /// The CEL condition under which some alternative is set.
    pub fn set(&self) -> String {
        if self.is_always() {
            return "true".into();
        }
        match self.alts.as_slice() {
            [(s, _)] => s.clone(),
            alts => format!(
                "({})",
                alts.iter()
                    .map(|(s, _)| format!("({s})"))
                    .collect::<Vec<_>>()
                    .join(" || ")
            ),
        }
    }

    /// The value, meaningful where [`Field::set`] holds.
    pub fn value(&self) -> String {
        let (init, last) = self.alts.split_at(self.alts.len() - 1);
        chain(init, &last[0].1)
    }

    /// The value where set, else `fallback`, as one expression.
    pub fn value_or(&self, fallback: &str) -> String {
        if self.is_always() {
            return self.value();
        }
        chain(&self.alts, fallback)
    }

    /// True when set and `pred` (over the value) holds.
    pub fn is(&self, pred: impl FnOnce(&str) -> String) -> String {
        and(&self.set(), &pred(&self.value()))
    }
}

/// `s1 ? v1 : s2 ? v2 : ... : last`, stopping at an alternative that is always set.
fn chain(alts: &[(String, String)], last: &str) -> String {
    let mut parts = Vec::new();
    for (s, v) in alts {
        if s == "true" {
            parts.push(v.clone());
            return wrap(parts);
        }
        parts.push(format!("({s}) ? {v} :"));
    }
    parts.push(last.to_string());
    wrap(parts)
}

fn wrap(parts: Vec<String>) -> String {
    if parts.len() == 1 {
        parts.into_iter().next().unwrap_or_default()
    } else {
        format!("({})", parts.join(" "))
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
