//! Pod Security Standards: what each level admits at each Kubernetes version.

mod level;
mod version;

pub use level::Level;
pub use version::{Version, NEWEST_MINOR};
