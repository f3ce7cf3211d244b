//! `flywheel`: the command-line face of flywheel-protocol. This file only parses arguments,
//! dispatches to one module per subcommand, and turns any error into a single `error: …` line
//! and an exit code.

mod address_cmd;
mod bench_cmd;
mod demo;
mod devnet_cmd;
mod interop_cmd;
mod signals;

use clap::{Parser, Subcommand};
// The input readers and the simulation commands' writers live in the library (shared with the
// fuzz targets and the Python package); `crate::error`, `crate::parse`… resolve through these
// imports.
use error::CliError;
use flywheel_cli::{bundle_file, error, input, limits, parse, term};
use flywheel_cli::{
    fmt, priority_report, propose_cmd, run_cmd, scenario_cmd, shard_cmd, sweep_cmd,
};
use std::io::{BufWriter, Write};

/// mimalloc, not the system allocator: event mode allocates bundles and proofs on the
/// pre-pass threads and frees them on the applying thread, which glibc's arenas serve slowly
/// (a fifth of a year's CPU went to malloc and free; see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

/// ZKsync V31 interop and the ZK token economy, modelled exactly.
///
/// Errors print one line on stderr starting with "error: " and exit with status 2 when the
/// input is at fault, 1 otherwise.
// `-h` and `--help` print the same, full help (clap's default shows a shorter one for `-h`).
#[derive(Debug, Parser)]
#[command(name = "flywheel", version, about, long_about, disable_help_flag = true,
          after_help = limits::summary())]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print help (the same for -h and --help).
    #[arg(short = 'h', long = "help", action = clap::ArgAction::HelpLong, global = true)]
    help: Option<bool>,
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
    /// Simulate a scenario (Monte Carlo): summary table, --json, or files with --out.
    #[command(after_help = limits::summary())]
    Run(run_cmd::RunArgs),
    /// Merge `run --shard` folders into the outputs of the single-machine run.
    Merge(shard_cmd::MergeArgs),
    /// List the built-in scenarios.
    Presets(run_cmd::PresetsArgs),
    /// The scenario schema: `show` a preset, `explain` a key, write a `new` commented template.
    #[command(subcommand)]
    Scenario(scenario_cmd::ScenarioCommand),
    /// Run a full grid over 1 to 3 parameters and report median annual burn per cell.
    #[command(after_help = limits::summary())]
    Sweep(sweep_cmd::SweepArgs),
    /// Tornado: move each parameter down and up by a spread and rank them by burn swing.
    #[command(after_help = limits::summary())]
    Sensitivity(sweep_cmd::SensitivityArgs),
    /// Draft a governance proposal from changes to a base scenario: governance path,
    /// calldata, timeline and projected impact (Markdown, --json, or files with --out).
    #[command(after_help = limits::summary())]
    Propose(propose_cmd::ProposeArgs),
    /// Measure simulator throughput against the project's targets.
    Bench(bench_cmd::BenchArgs),
    /// L1, Gateway and L2 chains in one process, each with an Ethereum JSON-RPC endpoint.
    Devnet(devnet_cmd::DevnetArgs),
    /// The run store: list, show, export, delete and record stored runs.
    #[cfg(feature = "server")]
    Runs(flywheel_cli::runs_cmd::RunsArgs),
    /// The what-if dashboard and the HTTP API over the run store (until Ctrl-C).
    #[cfg(feature = "server")]
    Serve(flywheel_cli::serve_cmd::ServeArgs),
}

/// Clap's multi-line usage error as one line: the message and any tip, without the usage
/// block, so every failure honours the one-`error:`-line contract.
fn clap_one_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let parts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect();
    let joined = parts.join("; ");
    joined
        .strip_prefix("error: ")
        .unwrap_or(&joined)
        .to_string()
}

/// Prints help or the version on stdout; a failed write (`--help > /dev/full`) is an error
/// like any other output failure (exit 1), not a silent success.
fn print_help(e: &clap::Error) -> ExitCode {
    let text = e.render().to_string();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let err = CliError::Output(e);
            let _ = writeln!(std::io::stderr(), "error: {}", error::one_line(&err));
            ExitCode::from(err.exit_code())
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return print_help(&e),
                _ => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "error: {}",
                        term::safe(&clap_one_line(&e))
                    );
                    return ExitCode::from(2);
                }
            }
        }
    };
    // The long-running servers stop gracefully on their own; every other command may be
    // writing an `--out` folder, whose staging a signal must not leave behind.
    let serves = matches!(cli.command, Command::Devnet(_));
    #[cfg(feature = "server")]
    let serves = serves || matches!(cli.command, Command::Serve(_));
    if !serves {
        signals::remove_staging_on_signal();
    }
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
        Command::Run(args) => run_cmd::run(args, out),
        Command::Merge(args) => shard_cmd::merge_cmd(args, out),
        Command::Presets(args) => run_cmd::presets_cmd(args, out),
        Command::Scenario(cmd) => scenario_cmd::run(cmd, out),
        Command::Sweep(args) => sweep_cmd::sweep_cmd(args, out),
        Command::Sensitivity(args) => sweep_cmd::sensitivity_cmd(args, out),
        Command::Propose(args) => propose_cmd::run(args, out),
        Command::Bench(args) => bench_cmd::run(args, out),
        Command::Devnet(args) => devnet_cmd::run(args, out),
        #[cfg(feature = "server")]
        Command::Runs(args) => flywheel_cli::runs_cmd::run(args, out),
        #[cfg(feature = "server")]
        Command::Serve(args) => flywheel_cli::serve_cmd::run(args, out),
    }
}
