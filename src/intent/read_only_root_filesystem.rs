//! `readOnlyRootFilesystem`: requires (and defaults) a read-only root filesystem.

use super::{Builder, Control, Effect};

pub(super) fn build(b: &mut Builder<'_>) {
    let ro = b.psp.spec.read_only_root_filesystem;
    b.spec(
        "readOnlyRootFilesystem",
        Effect::Validate,
        Control::ReadOnlyRootFilesystem { required: ro },
    );
    if ro {
        b.spec(
            "readOnlyRootFilesystem",
            Effect::Mutate,
            Control::DefaultReadOnlyRootFilesystem,
        );
    }
}
