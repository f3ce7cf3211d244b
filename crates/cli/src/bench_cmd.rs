//! `flywheel bench`: the simulator's throughput on this machine, beside the targets the
//! project set (flow ≥ 7.3M path-steps/s in all; event ≥ 35,000 bundles/s on one core).

use crate::error::CliError;
use crate::fmt;
use clap::Args;
use flywheel_sim::scenario::MAX_DAYS;
use serde_json::json;
use std::io::Write;

/// Flow-mode target, path-steps per second (all worker threads together).
pub const FLOW_TARGET: f64 = 7_300_000.0;
/// Event-mode target, bundles per second on one core.
pub const EVENT_TARGET: f64 = 35_000.0;

/// `flywheel bench` options.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Flow-mode Monte Carlo paths.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    runs: u32,
    /// Days per flow-mode path.
    #[arg(long, value_name = "N", default_value_t = 3_650)]
    days: u32,
    /// Event-mode bundles sent, settled, proven and executed.
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    bundles: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `flywheel bench`.
pub fn run(args: &BenchArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if args.runs == 0 {
        return Err(CliError::field("--runs", "must be at least 1"));
    }
    if args.days == 0 || args.days > MAX_DAYS {
        return Err(CliError::field(
            "--days",
            format!("must be between 1 and {MAX_DAYS}, got {}", args.days),
        ));
    }
    if args.bundles == 0 || args.bundles > 100_000_000 {
        return Err(CliError::field(
            "--bundles",
            format!("must be between 1 and 100000000, got {}", args.bundles),
        ));
    }
    let r = flywheel_sim::bench::run(args.runs, args.days, args.bundles)?;
    let flow_ok = r.flow_path_steps_per_sec >= FLOW_TARGET;
    let event_ok = r.event_bundles_per_sec >= EVENT_TARGET;
    if args.json {
        let mut doc = serde_json::to_value(&r).map_err(|e| CliError::Output(e.into()))?;
        doc["targets"] = json!({
            "flow_path_steps_per_sec": FLOW_TARGET,
            "event_bundles_per_sec_per_core": EVENT_TARGET,
        });
        doc["meets_targets"] = json!({"flow": flow_ok, "event": event_ok});
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
    if cfg!(debug_assertions) {
        writeln!(
            out,
            "(a debug build: measure with `cargo run --release -- bench`)"
        )?;
    }
    Ok(())
}
