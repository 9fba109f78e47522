//! Pod Security Standards versions: `latest` or `v1.N`.

use std::fmt;
use std::str::FromStr;

/// The newest Kubernetes minor version whose Pod Security Standards this tool knows.
pub const NEWEST_MINOR: u32 = 37;

/// A policy version as in the `pod-security.kubernetes.io/<mode>-version` label.
///
/// Ordered so that `latest` is newer than every `v1.N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// `v1.N`.
    Minor(u32),
    /// `latest`: the newest definitions.
    Latest,
}

impl Version {
    /// The newest known version, spelled as `v1.N`.
    pub const NEWEST: Version = Version::Minor(NEWEST_MINOR);

    /// The minor version whose definitions apply: `latest` and versions newer than the newest
    /// known one evaluate at the newest.
    pub fn effective_minor(self) -> u32 {
        match self {
            Version::Minor(m) => m.min(NEWEST_MINOR),
            Version::Latest => NEWEST_MINOR,
        }
    }

    /// The `v1.N` whose definitions apply (`latest` spelled as the newest known version).
    pub fn pinned(self) -> String {
        format!("v1.{}", self.effective_minor())
    }

    /// True when the definitions of minor version `m` apply (this version is `v1.m` or newer).
    pub fn at_least(self, m: u32) -> bool {
        self.effective_minor() >= m
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Minor(m) => write!(f, "v1.{m}"),
            Version::Latest => f.write_str("latest"),
        }
    }
}

impl FromStr for Version {
    type Err = String;
    /// Accepts `latest`, `v1.N` and `1.N` (also `v1.N.P`, whose patch is ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let rest = s.strip_prefix('v').unwrap_or(s);
        let mut parts = rest.split('.');
        let major = parts.next();
        let minor = parts.next().and_then(|m| m.parse::<u32>().ok());
        let patch_ok =
            parts.next().is_none_or(|p| p.parse::<u32>().is_ok()) && parts.next().is_none();
        match (major, minor) {
            (Some("1"), Some(m)) if patch_ok => Ok(Version::Minor(m)),
            _ => Err(format!("invalid Kubernetes version {s:?}: expected `latest` or `v1.N` (for example v1.{NEWEST_MINOR})")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_versions() {
        assert_eq!("v1.25".parse::<Version>().unwrap(), Version::Minor(25));
        assert_eq!("1.29.3".parse::<Version>().unwrap(), Version::Minor(29));
        assert_eq!("latest".parse::<Version>().unwrap(), Version::Latest);
        assert!("v2.1".parse::<Version>().is_err());
        assert!("v1.x".parse::<Version>().is_err());
        assert!(Version::Minor(40) < Version::Latest);
        assert_eq!(Version::Minor(40).effective_minor(), NEWEST_MINOR);
        assert!(Version::Latest.at_least(31));
        assert!(!Version::Minor(30).at_least(31));
    }
}
