//! `flywheel`: the command-line face of flywheel-protocol. This file only parses arguments,
//! dispatches to one module per subcommand, and turns any error into a single `error: …` line
//! and an exit code.

mod address_cmd;
mod demo;
mod error;
mod interop_cmd;
mod parse;

use clap::{Parser, Subcommand};
use error::CliError;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

/// ZKsync V31 interop and the ZK token economy, modelled exactly.
///
/// Errors print one line on stderr starting with "error: " and exit with status 2 when the
/// input is at fault, 1 otherwise.
#[derive(Debug, Parser)]
#[command(name = "flywheel", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// ERC-7930 interoperable addresses: encode and decode.
    #[command(subcommand)]
    Address(address_cmd::AddressCommand),
    /// Interop data: bundle identities.
    #[command(subcommand)]
    Interop(interop_cmd::InteropCommand),
    /// Narrated walks through the protocol on the built-in devnet.
    #[command(subcommand)]
    Demo(demo::DemoCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = run(&cli, &mut out).and_then(|()| out.flush().map_err(CliError::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): nothing more to say, and no one to say it to.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            // If stderr itself is gone there is nowhere left to report; the exit code remains.
            let _ = writeln!(std::io::stderr(), "error: {}", error::one_line(&e));
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: &Cli, out: &mut dyn Write) -> Result<(), CliError> {
    match &cli.command {
        Command::Address(cmd) => address_cmd::run(cmd, out),
        Command::Interop(cmd) => interop_cmd::run(cmd, out),
        Command::Demo(cmd) => demo::run(cmd, out),
    }
}
