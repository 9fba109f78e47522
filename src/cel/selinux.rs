//! `seLinux: MustRunAs`, as `simulate/check/selinux.rs` decides it: the options in force on the
//! pod and on every container (container over pod) must equal the policy's, with the level's
//! categories compared as a set. After the policy's defaults, unset options take the policy's.

use super::expr::{and, msg, Checks, Field};
use super::lit;
use super::Mode;
use crate::psp::{SeLinuxOptions, SeLinuxRule};
use crate::simulate::rules::Rules;

const S: &str = "variables.spec";
/// Levels with more categories than this are compared as written (a permutation is then
/// refused: stricter, never looser).
const MAX_PERMUTED: usize = 5;

pub(super) fn check(r: &Rules, mode: Mode, out: &mut Checks) {
    if r.selinux_rule == SeLinuxRule::RunAsAny {
        return;
    }
    let Some(want) = &r.selinux else { return };
    let unset_ok = mode == Mode::AfterDefaults && r.defaults.selinux.is_some();
    let pod = Field::at(S, &["securityContext", "seLinuxOptions"]);
    let ctr = Field::at("c", &["securityContext", "seLinuxOptions"]).or(pod.clone());
    for (field, pod_level) in [(pod, true), (ctr, false)] {
        let matches = equal(want, &field.value());
        let ok = if unset_ok {
            format!("!({}) || {matches}", field.set())
        } else {
            and(&field.set(), &matches)
        };
        if pod_level {
            out.pod(ok, msg("seLinuxOptions are not the policy's"));
        } else {
            out.container(ok, "seLinuxOptions are not the policy's");
        }
    }
}

/// The options object `o` equals `want`: user, role and type as strings (unset reads empty),
/// the level with its categories in any order.
fn equal(want: &SeLinuxOptions, o: &str) -> String {
    let part = |name: &str| format!("(has({o}.{name}) ? {o}.{name} : \"\")");
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut parts = vec![format!(
        "{} in {}",
        part("level"),
        lit::strings(&level_spellings(&s(&want.level)))
    )];
    for (name, w) in [
        ("role", &want.role),
        ("type", &want.type_),
        ("user", &want.user),
    ] {
        parts.push(format!("{} == {}", part(name), lit::string(&s(w))));
    }
    format!("({})", parts.join(" && "))
}

/// Whether the CEL takes `level` as the plugin did: in any order of its categories. A level
/// with more categories than [`MAX_PERMUTED`] is compared as written (stricter), which the
/// targets' fidelity rows say.
pub fn level_compared_as_the_plugin_did(level: &str) -> bool {
    level
        .split_once(':')
        .is_none_or(|(_, cats)| cats.split(',').count() <= MAX_PERMUTED)
}

/// Every spelling of a level the plugin took as equal: `s0:c1,c2` and `s0:c2,c1`.
pub(crate) fn level_spellings(level: &str) -> Vec<String> {
    let Some((sensitivity, categories)) = level.split_once(':') else {
        return vec![level.to_string()];
    };
    let cats: Vec<&str> = categories.split(',').collect();
    if !level_compared_as_the_plugin_did(level) {
        return vec![level.to_string()];
    }
    let mut out = Vec::new();
    permutations(
        &cats,
        &mut Vec::new(),
        &mut vec![false; cats.len()],
        &mut out,
    );
    out.into_iter()
        .map(|p| format!("{sensitivity}:{}", p.join(",")))
        .collect()
}

fn permutations<'a>(
    items: &[&'a str],
    cur: &mut Vec<&'a str>,
    used: &mut Vec<bool>,
    out: &mut Vec<Vec<&'a str>>,
) {
    if cur.len() == items.len() {
        out.push(cur.clone());
        return;
    }
    for i in 0..items.len() {
        if !used[i] {
            used[i] = true;
            cur.push(items[i]);
            permutations(items, cur, used, out);
            cur.pop();
            used[i] = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_spellings_cover_category_orders_only() {
        let mut got = level_spellings("s0:c1,c2");
        got.sort();
        assert_eq!(got, ["s0:c1,c2", "s0:c2,c1"]);
        assert_eq!(level_spellings("s0"), ["s0"]);
        assert_eq!(level_spellings(""), [""]);
        let six = "s0:c1,c2,c3,c4,c5,c6";
        assert!(!level_compared_as_the_plugin_did(six));
        assert_eq!(level_spellings(six), [six]);
        assert!(level_compared_as_the_plugin_did("s0:c1,c2,c3,c4,c5"));
    }
}
