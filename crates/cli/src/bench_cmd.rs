//! `flywheel bench`: the simulator's throughput on this machine, beside the targets the
//! project set (flow ≥ 7.3M path-steps/s in all; event ≥ 35,000 bundles/s on one core), and
//! the ratios that do not depend on the machine, each against a floor measured in the same
//! run: flow mode within 3× of a loop drawing the same random numbers, event mode within
//! 1.5× of the keccak work its bundles need.

use crate::error::CliError;
use crate::fmt;
use crate::limits;
use clap::Args;
use flywheel_sim::bench::BenchProgress;
use serde_json::json;
use std::io::Write;

/// Flow-mode target, path-steps per second (all worker threads together).
pub const FLOW_TARGET: f64 = 7_300_000.0;
/// Event-mode target, bundles per second on one core.
pub const EVENT_TARGET: f64 = 35_000.0;
/// Flow-mode goal: at most this multiple of the draws-only floor.
pub const FLOW_FLOOR_GOAL: f64 = 3.0;
/// Event-mode goal: at most this multiple of the hash-only bound, per core.
pub const EVENT_HASH_GOAL: f64 = 1.5;

/// `flywheel bench` options.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Flow-mode Monte Carlo paths.
    #[arg(long, value_name = "N", default_value = "10000", allow_negative_numbers = true,
          help = limits::bench_runs_help(),
          value_parser = limits::whole::<u32>(1, limits::MAX_RUNS.into()))]
    runs: u32,
    /// Days per flow-mode path.
    #[arg(long, value_name = "N", default_value = "3650", allow_negative_numbers = true,
          help = limits::bench_days_help(),
          value_parser = limits::whole::<u32>(1, limits::MAX_DAYS.into()))]
    days: u32,
    /// Event-mode bundles sent, settled, proven and executed.
    #[arg(long, value_name = "N", default_value = "50000", allow_negative_numbers = true,
          help = limits::bundles_help(),
          value_parser = limits::whole::<usize>(1, limits::MAX_BENCH_BUNDLES as u64))]
    bundles: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
    /// What to measure instead of the simulator.
    #[command(subcommand)]
    target: Option<BenchTarget>,
}

/// Benchmarks other than the simulator's.
#[derive(Debug, clap::Subcommand)]
pub enum BenchTarget {
    /// The devnet's figures: start-up, idle memory, send → executed latency with relaying,
    /// and eth_sendRawTransaction over HTTP against the same work in process (as
    /// `cargo bench -p flywheel-devnet`).
    Devnet(DevnetBenchArgs),
}

/// `flywheel bench devnet` options.
#[derive(Debug, Args)]
pub struct DevnetBenchArgs {
    /// Transactions per throughput run (transfers, then sendBundle calls).
    #[arg(long, value_name = "N", default_value = "2000", allow_negative_numbers = true,
          value_parser = limits::whole::<u64>(1, flywheel_devnet::bench::MAX_TXS))]
    txs: u64,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `flywheel bench devnet`.
fn devnet(args: &DevnetBenchArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let f = flywheel_devnet::bench::run(args.txs)
        .map_err(|e| CliError::Output(std::io::Error::other(e.to_string())))?;
    if args.json {
        let doc = serde_json::to_string_pretty(&f).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out, "{doc}")?;
    } else {
        write!(out, "{}", flywheel_devnet::bench::render(&f))?;
    }
    if cfg!(debug_assertions) {
        writeln!(
            out,
            "(a debug build: measure with `cargo run --release -- bench devnet`)"
        )?;
    }
    Ok(())
}

/// Runs `flywheel bench`. The flags' limits are checked when they are parsed, before
/// anything is allocated for them (a run count of 2^32-1 once asked for 1.4 TB).
pub fn run(args: &BenchArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(BenchTarget::Devnet(d)) = &args.target {
        return devnet(d, out);
    }
    let flow_days = u64::from(args.runs) * u64::from(args.days);
    let progress = flywheel_cli::scenario_args::Progress::new(
        flow_days,
        flow_days.saturating_add(args.bundles as u64 * 1000),
        "benchmark",
    );
    let event_started = std::sync::atomic::AtomicBool::new(false);
    let r = flywheel_sim::bench::run(args.runs, args.days, args.bundles, &|p| match p {
        BenchProgress::Flow(p) => progress.report(p),
        BenchProgress::Event { done, total } => {
            if !event_started.swap(true, std::sync::atomic::Ordering::Relaxed) {
                progress.phase(total, "event-mode bundles ·");
            }
            progress.set(done);
        }
    });
    progress.finish();
    let r = r?;
    let flow_ok = r.flow_path_steps_per_sec >= FLOW_TARGET;
    let event_ok = r.event_bundles_per_sec >= EVENT_TARGET;
    let floor_ok = r.flow_vs_floor <= FLOW_FLOOR_GOAL;
    let hash_ok = r.event_vs_hash_bound <= EVENT_HASH_GOAL;
    if args.json {
        let mut doc = serde_json::to_value(&r).map_err(|e| CliError::Output(e.into()))?;
        doc["targets"] = json!({
            "flow_path_steps_per_sec": FLOW_TARGET,
            "event_bundles_per_sec_per_core": EVENT_TARGET,
            "flow_vs_floor_at_most": FLOW_FLOOR_GOAL,
            "event_vs_hash_bound_at_most": EVENT_HASH_GOAL,
        });
        doc["meets_targets"] = json!({
            "flow": flow_ok,
            "event": event_ok,
            "flow_vs_floor": floor_ok,
            "event_vs_hash_bound": hash_ok,
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| CliError::Output(e.into()))?
        )?;
        return Ok(());
    }
    let mark = |ok: bool| if ok { "✓" } else { "✗" };
    let rate = |x: f64| fmt::count(x.round() as u64);
    writeln!(
        out,
        "flow   {} runs × {} days of v31-baseline on {} threads in {:.2} s",
        fmt::count(u64::from(r.flow_runs)),
        fmt::count(u64::from(r.flow_days)),
        r.threads,
        r.flow_seconds
    )?;
    writeln!(
        out,
        "       {} path-steps/s   target ≥ {}   {}",
        rate(r.flow_path_steps_per_sec),
        rate(FLOW_TARGET),
        mark(flow_ok)
    )?;
    writeln!(
        out,
        "       {:.2}× the floor (the same draws only: {:.2} s)   goal ≤ {}×   {}",
        r.flow_vs_floor,
        r.flow_floor_seconds,
        FLOW_FLOOR_GOAL,
        mark(floor_ok)
    )?;
    writeln!(
        out,
        "event  {} bundles send → settle → prove → execute, one core, in {:.2} s",
        fmt::count(r.event_bundles as u64),
        r.event_seconds
    )?;
    writeln!(
        out,
        "       {} bundles/s/core   target ≥ {}   {}",
        rate(r.event_bundles_per_sec),
        rate(EVENT_TARGET),
        mark(event_ok)
    )?;
    writeln!(
        out,
        "       {:.2}× the hash-only bound ({} keccak permutations a bundle: {:.2} s)   goal ≤ {}×   {}",
        r.event_vs_hash_bound,
        r.event_keccak_inputs_per_bundle,
        r.event_hash_bound_seconds,
        EVENT_HASH_GOAL,
        mark(hash_ok)
    )?;
    if cfg!(debug_assertions) {
        writeln!(
            out,
            "(a debug build: measure with `cargo run --release -- bench`)"
        )?;
    }
    Ok(())
}
