//! The command line: parse arguments, run a command, turn its outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;
use podsec_migrate::cli::{Cli, Command};
use podsec_migrate::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Convert(args) => commands::convert::run(&args),
        Command::Levels(args) => commands::levels::run(&args),
        Command::Audit(args) => commands::audit::run(&args),
        Command::Simulate(args) => commands::simulate::run(&args),
    };
    ExitCode::from(code)
}
