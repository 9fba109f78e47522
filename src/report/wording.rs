//! Small helpers that keep the reports' sentences grammatical: counts with the right noun form,
//! and sentences that start with a capital letter.

/// `1 workload`, `2 workloads`: `n` with the singular or the plural noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `s` with its first letter upper-cased, for text that starts a sentence or a list item.
pub fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(
            count(1, "PodSecurityPolicy", "PodSecurityPolicies"),
            "1 PodSecurityPolicy"
        );
        assert_eq!(count(0, "workload", "workloads"), "0 workloads");
        assert_eq!(count(3, "workload", "workloads"), "3 workloads");
    }

    #[test]
    fn sentences_start_upper_case() {
        assert_eq!(sentence("every service account"), "Every service account");
        assert_eq!(sentence(""), "");
        assert_eq!(sentence("Already"), "Already");
    }
}
