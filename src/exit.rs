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
/// Reserved for a subcommand that is not built yet (none at present).
pub const NOT_IMPLEMENTED: u8 = 9;

/// Why a command stopped: what to say on stderr (nothing when it was said already, as with the
/// input's own diagnostics) and the exit code. `main` prints it, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub error: Option<String>,
    pub exit_code: u8,
}

impl CliError {
    /// A failure that says `error` and exits with `exit_code`.
    pub fn new(error: impl Into<String>, exit_code: u8) -> CliError {
        CliError {
            error: Some(error.into()),
            exit_code,
        }
    }
}

/// What a command returns: the exit code of a run that went through (`OK`, or `FINDINGS` when it
/// found failing pods), or why it stopped.
pub type CliResult = Result<std::process::ExitCode, CliError>;
