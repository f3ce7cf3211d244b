//! Throughput figures for `flywheel bench`: flow-mode path-steps per second over many
//! parallel runs, and event-mode bundles per second through the full protocol path — each
//! beside its floor measured in the same run, because absolute figures vary from machine to
//! machine while the ratios do not: flow mode beside a loop that draws the same random numbers
//! and does nothing else, event mode beside the keccak work its bundles need (the hash-only
//! bound). Wall-clock timing lives here, in a command users run, never in tests.

use crate::ledger::SimError;
use crate::monte_carlo::{simulate, Options, Progress};
use crate::presets::preset;
use crate::scenario::Fidelity;
use flywheel_protocol::genesis::Retention;
use flywheel_protocol::workload::{
    hash_inputs, keccak_inputs_per_bundle, permutations, proof_path_lengths, Pipeline,
};
use rayon::prelude::*;
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
    /// Flow mode's floor: seconds for the same runs and days drawing only the random numbers
    /// (the traffic and price processes on the same streams, same threads).
    pub flow_floor_seconds: f64,
    /// Flow mode's cost as a multiple of its floor (goal ≤ 3).
    pub flow_vs_floor: f64,
    /// Keccak permutations of one bundle's hash-only bound (from the last bundle's real
    /// encoding and proof).
    pub event_keccak_inputs_per_bundle: usize,
    /// Seconds to hash those inputs for every bundle, on one core: the hash-only bound.
    pub event_hash_bound_seconds: f64,
    /// Event mode's cost as a multiple of the hash-only bound, per core (goal ≤ 1.5).
    pub event_vs_hash_bound: f64,
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
    let start = Instant::now();
    std::hint::black_box(draw_only(&v, flow_runs));
    let flow_floor_seconds = start.elapsed().as_secs_f64();

    let err = |e: flywheel_protocol::error::ProtocolError| SimError::Protocol {
        what: "bench pipeline".into(),
        reason: e.to_string(),
    };
    // The simulator's event mode keeps compact state; so does its benchmark.
    let mut p = Pipeline::with_retention(Retention::Compact).map_err(err)?;
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
    let inputs = match &p.last {
        Some((bundle, proof)) => {
            let (batch_path, shared_path) = proof_path_lengths(proof).unwrap_or((0, 0));
            keccak_inputs_per_bundle(bundle.encoded.len(), batch_path, shared_path)
        }
        None => Vec::new(),
    };
    let mut scratch = Vec::new();
    let start = Instant::now();
    let mut acc = 0u8;
    for _ in 0..done {
        acc ^= hash_inputs(std::hint::black_box(&inputs), &mut scratch);
    }
    std::hint::black_box(acc);
    let event_hash_bound_seconds = start.elapsed().as_secs_f64();
    Ok(BenchReport {
        flow_runs,
        flow_days,
        flow_seconds,
        flow_path_steps_per_sec: steps / flow_seconds,
        event_bundles: done,
        event_seconds,
        event_bundles_per_sec: done as f64 / event_seconds,
        flow_floor_seconds,
        flow_vs_floor: flow_seconds / flow_floor_seconds,
        event_keccak_inputs_per_bundle: inputs.iter().map(|&l| permutations(l)).sum(),
        event_hash_bound_seconds,
        event_vs_hash_bound: event_seconds / event_hash_bound_seconds,
        threads: rayon::current_num_threads(),
    })
}

/// Flow mode's floor: every run's random numbers — the traffic and price processes of the
/// scenario on the run's own streams, exactly the draws `engine::run_path` makes — and nothing
/// else, over the same runs on the same threads. Returns a digest so nothing is optimised away.
pub fn draw_only(v: &crate::scenario::Validated, runs: u32) -> f64 {
    let s = &v.scenario;
    (0..runs)
        .into_par_iter()
        .map(|run| {
            let (mut trng, mut prng) = crate::engine::streams(s.seed, run);
            let mut traffic = crate::process::TrafficPath::new(&s.traffic);
            let mut zk = crate::process::PricePath::new(&s.prices.zk);
            let mut eth = crate::process::PricePath::new(&s.prices.eth);
            let mut acc = 0.0;
            for _ in 0..s.days {
                acc += zk.next(&mut prng) + eth.next(&mut prng);
                acc += traffic.next(&mut trng) as f64;
            }
            std::hint::black_box(acc)
        })
        .sum()
}
