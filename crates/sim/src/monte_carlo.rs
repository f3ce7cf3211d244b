//! Monte Carlo: independent seeded paths run in parallel (rayon) and stream into per-day
//! quantile sketches; only each run's closing figures are kept (a few numbers per run), so
//! memory stays flat in the number of runs. Runs are grouped into fixed chunks and results are
//! merged with commutative operations and sorted by run index, so the output does not depend
//! on thread scheduling.

use crate::agents::wei_to_tokens;
use crate::engine::{run_path, StepRecord};
use crate::event_ledger::EventLedger;
use crate::ledger::{FlowLedger, Ledger, SimError, Totals};
/// The limits on this module's keys, kept with every other limit of the crate.
pub use crate::scenario::limits::MAX_BANDED_DAYS;
use crate::scenario::{Fidelity, Validated};
use crate::sketch::Sketch;
use rayon::prelude::*;
use serde::Serialize;

/// Metrics banded per day, in this order.
pub const BANDED: [&str; 9] = [
    "calls",
    "daily_burn_zk",
    "cumulative_burn_zk",
    "supply_zk",
    "zk_usd",
    "auction_claims",
    "pool_usd",
    "staking_rewards_zk",
    "staking_yield",
];
const M: usize = BANDED.len();

/// `daily_burn_zk` on a banded day is the burn since the previous day.
fn banded(prev_burned: alloy_primitives::U256, s: &StepRecord) -> [f64; M] {
    let burned = wei_to_tokens(s.totals.burned);
    [
        s.calls as f64,
        wei_to_tokens(s.totals.burned.saturating_sub(prev_burned)),
        burned,
        wei_to_tokens(s.totals.supply),
        s.zk_usd,
        s.totals.auction_claims as f64,
        s.pool_usd,
        wei_to_tokens(s.totals.staking_rewards),
        s.staking_yield,
    ]
}

/// One run's closing figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RunTotals {
    /// Run index.
    pub run: u32,
    /// Calls over the horizon.
    pub calls: u64,
    /// Bundles over the horizon.
    pub bundles: u64,
    /// ZK supply at genesis.
    pub supply_start: alloy_primitives::U256,
    /// Closing totals.
    pub totals: Totals,
    /// The Stage 1 chain's report, if the scenario has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<crate::priority_mode::PriorityReport>,
    /// Closing calls, fees and burn of the Prividium chains and of all chains.
    pub prividium: crate::prividium::Shares,
    /// What the Splitter burned and distributed, by route.
    #[serde(default)]
    pub splits: crate::engine::Splits,
}

/// p5 / p50 / p95 of each banded metric on one day.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DayBands {
    /// Day.
    pub day: u32,
    /// 5th percentile, per metric in [`BANDED`] order.
    pub p5: [f64; M],
    /// Median.
    pub p50: [f64; M],
    /// 95th percentile.
    pub p95: [f64; M],
    /// Per metric, the bound of the relative error of its p5, p50 and p95: 0 where they are
    /// exact (one run, runs that all agree, or a percentile that is the smallest or largest
    /// value), else the sketch's [`crate::sketch::MAX_REL_ERROR`].
    pub rel_error: [f64; M],
}

/// Everything a Monte Carlo run produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Each run's closing figures, by run index.
    pub runs: Vec<RunTotals>,
    /// Bands across runs on evenly spaced days (every day for horizons up to
    /// [`MAX_BANDED_DAYS`]).
    pub bands: Vec<DayBands>,
}

/// Options that are not part of the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Number of paths.
    pub runs: u32,
    /// Fidelity.
    pub fidelity: Fidelity,
}

/// Runs per chunk: enough chunks to keep every thread busy, few enough that allocating and
/// merging each chunk's sketches stays small. Chunking never changes results: merges add
/// counts and run totals are sorted by run index.
fn chunk_size(runs: u32) -> u32 {
    let threads = rayon::current_num_threads().max(1) as u32;
    (runs / (threads * 8)).clamp(16, 256)
}

/// The stride between banded days for a horizon.
pub fn band_stride(days: u32) -> u32 {
    days.div_ceil(MAX_BANDED_DAYS).max(1)
}

/// Whether `day` is one of the banded days of a `days`-long horizon.
pub fn is_banded(day: u32, days: u32, stride: u32) -> bool {
    day % stride == stride - 1 || day + 1 == days
}

/// The banded days of a `days`-long horizon, in order.
pub fn banded_days(days: u32) -> Vec<u32> {
    let stride = band_stride(days);
    (0..days).filter(|d| is_banded(*d, days, stride)).collect()
}

/// How far a Monte Carlo has got: runs finished, and path-days (one run's one day) simulated,
/// each of its total. Reported while it runs — per day as well as per run, so a single long
/// run (an event-mode year) shows it moving — to a terminal bar or a server's event stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Progress {
    /// Runs finished.
    pub runs_done: u64,
    /// Runs in the job.
    pub runs_total: u64,
    /// Path-days simulated (every day of every run counts one).
    pub days_done: u64,
    /// Path-days in the job: runs × days.
    pub days_total: u64,
}

impl Progress {
    /// The share done, by path-days (0 to 1).
    pub fn fraction(&self) -> f64 {
        if self.days_total == 0 {
            return 1.0;
        }
        self.days_done as f64 / self.days_total as f64
    }
}

/// Path-days a flow-mode worker counts before it reports (a flow day is about a microsecond;
/// an event day is long enough to report each). Reporting is one atomic add and a call.
const FLOW_REPORT_DAYS: u64 = 64;

/// The shared counters behind [`Progress`], updated by the workers.
struct Tracker<'a> {
    runs_done: std::sync::atomic::AtomicU64,
    days_done: std::sync::atomic::AtomicU64,
    runs_total: u64,
    days_total: u64,
    every: u64,
    report: &'a (dyn Fn(Progress) + Sync),
}

impl Tracker<'_> {
    fn add(&self, days: u64, runs: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let days_done = self.days_done.fetch_add(days, Relaxed) + days;
        let runs_done = self.runs_done.fetch_add(runs, Relaxed) + runs;
        (self.report)(Progress {
            runs_done,
            runs_total: self.runs_total,
            days_done,
            days_total: self.days_total,
        });
    }
}

struct ChunkResult {
    sketches: Vec<[Sketch; M]>,
    totals: Vec<RunTotals>,
    steps: Vec<(u32, Vec<StepRecord>)>,
}

fn run_one(
    v: &Validated,
    fidelity: Fidelity,
    run: u32,
    mut on_step: impl FnMut(&StepRecord),
) -> Result<RunTotals, SimError> {
    let (mut calls, mut bundles) = (0u64, 0u64);
    let mut prividium = crate::prividium::Shares::default();
    let mut splits = crate::engine::Splits::default();
    let last = v.scenario.days.saturating_sub(1);
    let mut record = |s: &StepRecord| {
        calls += s.calls;
        bundles += s.bundles;
        // Cumulative figures: only the last day's are the run's (copied once, not daily).
        if s.day == last {
            prividium = s.prividium;
            splits = s.splits;
        }
        on_step(s);
    };
    let (totals, priority) = match fidelity {
        Fidelity::Flow => {
            let mut ledger = FlowLedger::new(v);
            let t = run_path(v, &mut ledger, run, &mut record)?;
            (t, ledger.priority_report())
        }
        Fidelity::Event => {
            let mut ledger = EventLedger::new(v)?;
            let t = run_path(v, &mut ledger, run, &mut record)?;
            (t, ledger.priority_report())
        }
    };
    Ok(RunTotals {
        priority,
        run,
        calls,
        bundles,
        supply_start: v.genesis_supply,
        totals,
        prividium,
        splits,
    })
}

/// Runs whose banded values a chunk holds before sketching them (a column per banded day and
/// metric: at most 400 × 9 × 64 values, 1.8 MB).
const COLUMN_RUNS: usize = 64;

/// Adds the first `filled` values of every column to its sketch. A chunk's sketches are only
/// ever merged, and a merge reads counts in bucket order, so how their buckets are laid out
/// does not show in any result.
fn sketch_columns(sketches: &mut [[Sketch; M]], columns: &[f64], filled: usize) {
    if filled == 0 {
        return;
    }
    for (slot, day) in sketches.iter_mut().enumerate() {
        for (m, sk) in day.iter_mut().enumerate() {
            let start = (slot * M + m) * COLUMN_RUNS;
            let built = Sketch::from_values(columns.get(start..start + filled).unwrap_or(&[]));
            if sk.count() == 0 {
                *sk = built;
            } else {
                sk.merge(&built);
            }
        }
    }
}

fn run_chunk(
    v: &Validated,
    fidelity: Fidelity,
    range: std::ops::Range<u32>,
    keep_steps: bool,
    tracker: &Tracker<'_>,
) -> Result<ChunkResult, SimError> {
    let days = v.scenario.days as usize;
    let stride = band_stride(v.scenario.days);
    let slots = banded_days(v.scenario.days).len();
    let mut sketches: Vec<[Sketch; M]> = (0..slots).map(|_| Default::default()).collect();
    // The banded values of up to `COLUMN_RUNS` runs, one contiguous column per (banded day,
    // metric): each column becomes a sketch at once (`Sketch::from_values`, buckets allocated
    // once to the range it spans) merged into the chunk's, instead of a value at a time.
    let mut columns = vec![0.0; slots * M * COLUMN_RUNS];
    let mut filled = 0;
    let mut totals = Vec::new();
    let mut steps = Vec::new();
    for run in range {
        let mut prev = alloy_primitives::U256::ZERO;
        let mut kept = Vec::with_capacity(if keep_steps { days } else { 0 });
        let mut unreported = 0u64;
        let t = run_one(v, fidelity, run, |s| {
            unreported += 1;
            if unreported >= tracker.every {
                tracker.add(unreported, 0);
                unreported = 0;
            }
            if is_banded(s.day, days as u32, stride) {
                let values = banded(prev, s);
                let slot = (s.day / stride) as usize;
                for (m, x) in values.into_iter().enumerate() {
                    if let Some(cell) = columns.get_mut((slot * M + m) * COLUMN_RUNS + filled) {
                        *cell = x;
                    }
                }
            }
            prev = s.totals.burned;
            if keep_steps {
                kept.push(*s);
            }
        })?;
        tracker.add(unreported, 1);
        totals.push(t);
        if keep_steps {
            steps.push((run, kept));
        }
        filled += 1;
        if filled == COLUMN_RUNS {
            sketch_columns(&mut sketches, &columns, filled);
            filled = 0;
        }
    }
    sketch_columns(&mut sketches, &columns, filled);
    Ok(ChunkResult {
        sketches,
        totals,
        steps,
    })
}

/// Runs `opts.runs` paths. `on_run` receives each run's day records in run order when
/// `keep_steps` is set (for per-step CSV); `progress` is told how far the job has got, from
/// the worker threads, per day (every [`FLOW_REPORT_DAYS`] days in flow mode) and per run.
pub fn simulate(
    v: &Validated,
    opts: Options,
    keep_steps: bool,
    on_run: impl FnMut(u32, &[StepRecord]),
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Outcome, SimError> {
    let part = simulate_runs(v, opts, 0..opts.runs, keep_steps, on_run, progress)?;
    Ok(part.finish(v.scenario.days))
}

/// What a range of runs produced, before bands are read: the per-day sketches (mergeable) and
/// each run's exact totals. Shards of a Monte Carlo (`flywheel run --shard`, the Python
/// package) each produce one; merging them in any order and finishing gives the same
/// [`Outcome`] as one machine running every index, because every run draws from its own
/// stream (seed, run index), sketches merge by adding counts, and totals are sorted by index.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Partial {
    /// Each run's closing figures, by run index.
    pub runs: Vec<RunTotals>,
    /// Per banded day, one sketch per metric of [`BANDED`].
    pub sketches: Vec<[Sketch; M]>,
}

impl Partial {
    /// No runs yet, for a horizon of `days`.
    pub fn empty(days: u32) -> Self {
        Self {
            runs: Vec::new(),
            sketches: (0..banded_days(days).len())
                .map(|_| Default::default())
                .collect(),
        }
    }

    /// Adds another part's runs and counts. Parts of different horizons do not merge.
    pub fn merge(&mut self, other: &Partial) -> Result<(), SimError> {
        if other.sketches.len() != self.sketches.len() {
            return Err(SimError::Shard(format!(
                "a part with {} banded days cannot merge into one with {}",
                other.sketches.len(),
                self.sketches.len()
            )));
        }
        other.check()?;
        let mut runs = self.runs.clone();
        runs.extend_from_slice(&other.runs);
        runs.sort_by_key(|r| r.run);
        if let Some(w) = runs.windows(2).find(|w| w[0].run == w[1].run) {
            return Err(SimError::Shard(format!(
                "run {} is in two parts (overlapping shards)",
                w[0].run
            )));
        }
        for (m, day) in self.sketches.iter_mut().zip(&other.sketches) {
            for (a, b) in m.iter_mut().zip(day) {
                a.merge(b);
            }
        }
        self.runs = runs;
        Ok(())
    }

    /// Checks that a part read from a file is whole: every day's sketch of every metric holds
    /// exactly one value per run (a run adds one to each), and no run index repeats.
    pub fn check(&self) -> Result<(), SimError> {
        let n = self.runs.len() as u64;
        if let Some((day, _)) = self
            .sketches
            .iter()
            .enumerate()
            .find(|(_, m)| m.iter().any(|sk| sk.count() != n))
        {
            return Err(SimError::Shard(format!(
                "banded day {day} does not hold one value per run ({n} runs)"
            )));
        }
        let mut idx: Vec<u32> = self.runs.iter().map(|r| r.run).collect();
        idx.sort_unstable();
        if let Some(w) = idx.windows(2).find(|w| w[0] == w[1]) {
            return Err(SimError::Shard(format!("run {} appears twice", w[0])));
        }
        Ok(())
    }

    /// Reads the bands and orders the runs.
    pub fn finish(mut self, days: u32) -> Outcome {
        self.runs.sort_by_key(|r| r.run);
        let bands = self
            .sketches
            .iter()
            .zip(banded_days(days))
            .map(|(m, day)| {
                let q: [[(f64, f64); 3]; M] =
                    std::array::from_fn(|i| [0.05, 0.5, 0.95].map(|q| m[i].quantile_bounded(q)));
                DayBands {
                    day,
                    p5: std::array::from_fn(|i| q[i][0].0),
                    p50: std::array::from_fn(|i| q[i][1].0),
                    p95: std::array::from_fn(|i| q[i][2].0),
                    rel_error: std::array::from_fn(|i| {
                        q[i].iter().map(|x| x.1).fold(0.0, f64::max)
                    }),
                }
            })
            .collect();
        Outcome {
            runs: self.runs,
            bands,
        }
    }
}

/// Runs the paths with indices in `range` (each from its own seed stream, so any range gives
/// the same paths as in a full run). `on_run` receives each run's day records in run order when
/// `keep_steps` is set; `progress` is told how far the range has got (see [`simulate`]).
pub fn simulate_runs(
    v: &Validated,
    opts: Options,
    range: std::ops::Range<u32>,
    keep_steps: bool,
    mut on_run: impl FnMut(u32, &[StepRecord]),
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Partial, SimError> {
    let runs_total = range.len() as u64;
    let tracker = Tracker {
        runs_done: Default::default(),
        days_done: Default::default(),
        runs_total,
        days_total: runs_total * u64::from(v.scenario.days),
        every: match opts.fidelity {
            Fidelity::Flow => FLOW_REPORT_DAYS,
            Fidelity::Event => 1,
        },
        report: progress,
    };
    let size = chunk_size(range.len() as u32);
    let chunks = (range.len() as u32).div_ceil(size);
    let mut part = Partial::empty(v.scenario.days);
    part.runs.reserve(range.len());
    // Waves bound memory: at most `wave` chunks are alive at once.
    let wave = (rayon::current_num_threads() as u32 * 2).max(1);
    for first in (0..chunks).step_by(wave as usize) {
        let last = (first + wave).min(chunks);
        let results: Vec<Result<ChunkResult, SimError>> = (first..last)
            .into_par_iter()
            .map(|c| {
                let start = range.start + c * size;
                run_chunk(
                    v,
                    opts.fidelity,
                    start..(start + size).min(range.end),
                    keep_steps,
                    &tracker,
                )
            })
            .collect();
        for r in results {
            let r = r?;
            for (m, day) in part.sketches.iter_mut().zip(&r.sketches) {
                for (a, b) in m.iter_mut().zip(day) {
                    a.merge(b);
                }
            }
            part.runs.extend(r.totals);
            for (run, steps) in &r.steps {
                on_run(*run, steps);
            }
        }
    }
    part.runs.sort_by_key(|r| r.run);
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(runs: u32, days: u32) -> Validated {
        let mut s = crate::presets::preset("v31-baseline").expect("preset");
        s.runs = runs;
        s.set_horizon(days);
        s.validate().expect("valid")
    }

    #[test]
    fn shards_merge_to_the_single_machine_outcome() {
        let v = scenario(37, 40);
        let opts = Options {
            runs: 37,
            fidelity: Fidelity::Flow,
        };
        let whole = simulate(&v, opts, false, |_, _| {}, &|_| {}).expect("whole");
        // Uneven shards, merged out of order.
        let mut merged = Partial::empty(40);
        for range in [20..37, 0..7, 7..20] {
            let part = simulate_runs(&v, opts, range, false, |_, _| {}, &|_| {}).expect("part");
            merged.merge(&part).expect("merge");
        }
        assert_eq!(merged.clone().finish(40), whole);
        // Through a file's round trip too.
        let text = serde_json::to_string(&merged).expect("json");
        let back: Partial = serde_json::from_str(&text).expect("read");
        assert_eq!(back.finish(40), whole);
    }

    #[test]
    fn progress_counts_every_day_and_run_and_ends_complete() {
        let v = scenario(5, 300);
        let seen = std::sync::Mutex::new(Vec::new());
        for fidelity in [Fidelity::Flow, Fidelity::Event] {
            seen.lock().expect("lock").clear();
            let runs = if fidelity == Fidelity::Flow { 5 } else { 1 };
            let opts = Options { runs, fidelity };
            let mut short = v.scenario.clone();
            short.set_horizon(if fidelity == Fidelity::Flow { 300 } else { 3 });
            let v = short.validate().expect("valid");
            simulate(&v, opts, false, |_, _| {}, &|p| {
                seen.lock().expect("lock").push(p)
            })
            .expect("runs");
            let seen = seen.lock().expect("lock");
            let days = u64::from(v.scenario.days);
            let last = seen.iter().max_by_key(|p| p.days_done).expect("reported");
            assert_eq!(
                *last,
                Progress {
                    runs_done: u64::from(runs),
                    runs_total: u64::from(runs),
                    days_done: u64::from(runs) * days,
                    days_total: u64::from(runs) * days,
                }
            );
            assert_eq!(last.fraction(), 1.0);
            // Within runs, not only at their ends: a single event run reports each day.
            assert!(seen.iter().any(|p| p.days_done % days != 0), "{fidelity:?}");
            assert!(seen.iter().all(|p| p.days_done <= p.days_total));
        }
    }

    #[test]
    fn overlapping_or_foreign_parts_do_not_merge() {
        let v = scenario(8, 10);
        let opts = Options {
            runs: 8,
            fidelity: Fidelity::Flow,
        };
        let a = simulate_runs(&v, opts, 0..5, false, |_, _| {}, &|_| {}).expect("a");
        let b = simulate_runs(&v, opts, 4..8, false, |_, _| {}, &|_| {}).expect("b");
        let mut m = a.clone();
        let before = m.clone();
        assert!(matches!(m.merge(&b), Err(SimError::Shard(e)) if e.contains("run 4")));
        assert_eq!(m, before, "a refused merge changes nothing");
        let mut other = Partial::empty(20);
        assert!(matches!(other.merge(&a), Err(SimError::Shard(_))));
        // A part whose sketches do not hold one value per run is refused.
        let mut bad = a.clone();
        bad.runs.pop();
        assert!(
            matches!(m.merge(&bad), Err(SimError::Shard(e)) if e.contains("one value per run"))
        );
    }
}
