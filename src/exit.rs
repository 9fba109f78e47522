//! Exit codes: a public interface that users' scripts depend on. README.md documents them.

/// Everything went well; for `audit`, every pod passed.
pub const OK: u8 = 0;
/// The command ran and found pods that fail (`audit`) or are denied (`simulate`).
pub const FINDINGS: u8 = 1;
/// The command line was wrong (clap's own code).
pub const USAGE: u8 = 2;
/// The input could not be read or holds errors; nothing was written.
pub const INPUT: u8 = 3;
/// The output could not be written; nothing was left half-written.
pub const OUTPUT: u8 = 4;
/// `convert --check`: the committed output differs from what would be generated.
pub const DRIFT: u8 = 5;
/// `convert --fail-on`: a fidelity row reached the given severity.
pub const FIDELITY: u8 = 6;
/// The subcommand is not built yet.
pub const NOT_IMPLEMENTED: u8 = 9;

/// Says that `command` is not built yet and returns [`NOT_IMPLEMENTED`].
pub fn not_implemented(command: &str) -> u8 {
    eprintln!("podsec-migrate {command}: not implemented yet");
    NOT_IMPLEMENTED
}
