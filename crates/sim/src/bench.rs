//! Throughput figures for `flywheel bench`: flow-mode path-steps per second over many
//! parallel runs, and event-mode bundles per second through the full protocol path. Wall-clock
//! timing lives here, in a command users run, never in tests.

use crate::ledger::SimError;
use crate::monte_carlo::{simulate, Options, Progress};
use crate::presets::preset;
use crate::scenario::Fidelity;
use flywheel_protocol::workload::Pipeline;
use serde::Serialize;
use std::time::Instant;

/// Measured figures.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Flow mode: runs × days simulated.
    pub flow_runs: u32,
    /// Flow mode: days per run.
    pub flow_days: u32,
    /// Flow mode: seconds.
    pub flow_seconds: f64,
    /// Flow mode: path-steps per second.
    pub flow_path_steps_per_sec: f64,
    /// Event mode: bundles sent, settled, proven and executed.
    pub event_bundles: usize,
    /// Event mode: seconds.
    pub event_seconds: f64,
    /// Event mode: bundles per second (one core).
    pub event_bundles_per_sec: f64,
    /// Worker threads used by flow mode.
    pub threads: usize,
}

/// How far `flywheel bench` has got: the flow phase's Monte Carlo progress, then the event
/// phase's bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchProgress {
    /// The flow-mode Monte Carlo.
    Flow(Progress),
    /// The event-mode pipeline: bundles done of the total.
    Event {
        /// Bundles sent, settled, proven and executed so far.
        done: u64,
        /// Bundles to run.
        total: u64,
    },
}

/// Runs both measurements: `flow_runs` paths of `flow_days` days of `v31-baseline` in flow
/// mode, and `event_bundles` single-call bundles through the protocol pipeline; `progress` is
/// told how far each has got (per 64 path-days, per 1,000 bundles: cheap next to the work).
pub fn run(
    flow_runs: u32,
    flow_days: u32,
    event_bundles: usize,
    progress: &(dyn Fn(BenchProgress) + Sync),
) -> Result<BenchReport, SimError> {
    let mut s = preset("v31-baseline")?;
    s.set_horizon(flow_days);
    let v = s.validate()?;
    let start = Instant::now();
    let out = simulate(
        &v,
        Options {
            runs: flow_runs,
            fidelity: Fidelity::Flow,
        },
        false,
        |_, _| {},
        &|p| progress(BenchProgress::Flow(p)),
    )?;
    let flow_seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(&out);
    let steps = f64::from(flow_runs) * f64::from(flow_days);

    let err = |e: flywheel_protocol::error::ProtocolError| SimError::Protocol {
        what: "bench pipeline".into(),
        reason: e.to_string(),
    };
    let mut p = Pipeline::new().map_err(err)?;
    let start = Instant::now();
    let mut done = 0;
    while done < event_bundles {
        done += p.run_batch((event_bundles - done).min(1000)).map_err(err)?;
        progress(BenchProgress::Event {
            done: done as u64,
            total: event_bundles as u64,
        });
    }
    let event_seconds = start.elapsed().as_secs_f64();
    Ok(BenchReport {
        flow_runs,
        flow_days,
        flow_seconds,
        flow_path_steps_per_sec: steps / flow_seconds,
        event_bundles: done,
        event_seconds,
        event_bundles_per_sec: done as f64 / event_seconds,
        threads: rayon::current_num_threads(),
    })
}
