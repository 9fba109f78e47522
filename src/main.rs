//! The command line: parse arguments, run a command, print its error once, exit with its code.

use std::process::ExitCode;

use clap::Parser;
use podsec_migrate::cli::{Cli, Command};
use podsec_migrate::commands::{self, CliResult};

fn main() -> ExitCode {
    restore_sigpipe();
    match try_main() {
        Ok(code) => code,
        Err(e) => {
            if let Some(message) = e.error {
                eprintln!("{message}");
            }
            ExitCode::from(e.exit_code)
        }
    }
}

/// Parses the command line and runs the command.
fn try_main() -> CliResult {
    match Cli::parse().command {
        Command::Convert(args) => commands::convert::run(&args),
        Command::Levels(args) => commands::levels::run(&args),
        Command::Audit(args) => commands::audit::run(&args),
        Command::Simulate(args) => commands::simulate::run(&args),
        Command::Verify(args) => commands::verify::run(&args),
    }
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`podsec-migrate levels ... | head`)
/// would panic; with the default action the process ends quietly, as Unix tools do.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
