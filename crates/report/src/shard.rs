//! The shard file format: `flywheel run --shard I/N --out DIR` writes a shard's `steps.csv`
//! rows and a `shard.json`; a merge reads a set of shard folders, checks that they are every
//! shard of one scenario once, and writes the files of a single-machine run, byte for byte.
//!
//! Why it can be exact: every run draws from its own stream (seed, run index), so a run is the
//! same wherever it runs; the bands are sketches whose merge adds counts (order-free); and the
//! summary's figures are exact per-run totals, kept whole. Shard I of N holds the contiguous
//! indices `I·R/N .. (I+1)·R/N` of the R runs, so the shards' `steps.csv` bodies, concatenated
//! in shard order, are the full run's `steps.csv`.

use crate::digest::Digest;
use crate::error::ReportError;
use crate::out_dir::OutDir;
use crate::run_files::{write_files, Collector, OUT_FILES};
use crate::steps;
use alloy_primitives::{keccak256, B256};
use flywheel_protocol::units::format_amount;
use flywheel_sim::engine::StepRecord;
use flywheel_sim::monte_carlo::{Outcome, Partial, RunTotals};
use flywheel_sim::scenario::{Scenario, Validated};
use flywheel_sim::sketch::Sketch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The shard file's name in a shard's folder.
pub const SHARD_FILE: &str = "shard.json";
/// What a shard file says it is.
const FORMAT: &str = "flywheel-shard/1";
/// Largest `shard.json` a merge reads: sketches of at most 400 banded days, a few numbers per
/// run, and run 0's days.
pub const MAX_SHARD_FILE_BYTES: u64 = 256 << 20;

/// Shard `index` of `count` (0-based: `0/3`, `1/3`, `2/3`, as an indexed job's index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: u32,
    /// How many shards the runs are split into.
    pub count: u32,
}

impl Shard {
    /// The run indices of this shard among `runs`.
    pub fn range(&self, runs: u32) -> std::ops::Range<u32> {
        let at = |k: u32| (u64::from(k) * u64::from(runs) / u64::from(self.count)) as u32;
        at(self.index)..at(self.index + 1)
    }
}

/// What a shard folder's `shard.json` holds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardFile {
    format: String,
    shard: u32,
    shards: u32,
    /// The scenario as run (overrides applied), CSV sources by path.
    scenario: Scenario,
    /// Where CSV sources load from, for the merge's validation.
    base: Option<PathBuf>,
    /// keccak256 of the validated scenario (CSV data included): shards of different
    /// scenarios, or of CSV files changed in between, do not merge.
    digest: B256,
    /// What a shorter horizon left out (printed by the merge as by the run).
    note: Option<String>,
    /// The runs' sketches and exact totals.
    part: Partial,
    /// The writer's own per-day sketches (see [`Collector`]).
    extra: Vec<Option<[Sketch; 3]>>,
    /// Run 0's exact daily values as f64 bits (only in the shard that ran run 0).
    first: Vec<[u64; 7]>,
}

fn digest(v: &Validated) -> B256 {
    keccak256(format!("{v:?}").as_bytes())
}

/// A shard's files being written while its runs stream by (all or nothing, as a run's).
pub struct ShardWriter<'a> {
    dir: OutDir,
    collector: Collector,
    v: &'a Validated,
    shard: Shard,
}

impl<'a> ShardWriter<'a> {
    /// Prepares shard `shard`'s files of a run of `v` in `target`.
    pub fn begin(target: &Path, v: &'a Validated, shard: Shard) -> Result<Self, ReportError> {
        let mut dir = OutDir::begin(target, &[SHARD_FILE, "steps.csv"])?;
        let collector = Collector::new(&mut dir, v)?;
        Ok(Self {
            dir,
            collector,
            v,
            shard,
        })
    }

    /// Takes one run's days (the shard's runs, in order).
    pub fn on_run(&mut self, run: u32, steps: &[StepRecord]) {
        self.collector.on_run(run, steps);
    }

    /// Writes `shard.json` with the shard's `part`, `base` (where CSV sources load from) and
    /// horizon `note`, and puts both files in place.
    pub fn finish(
        self,
        part: Partial,
        base: Option<PathBuf>,
        note: Option<String>,
    ) -> Result<(), ReportError> {
        let ShardWriter {
            mut dir,
            mut collector,
            v,
            shard,
        } = self;
        if let Some(e) = collector.error.take() {
            return Err(dir.error("steps.csv", e));
        }
        let file = ShardFile {
            format: FORMAT.into(),
            shard: shard.index,
            shards: shard.count,
            scenario: v.scenario.clone(),
            base,
            digest: digest(v),
            note,
            part,
            extra: std::mem::take(&mut collector.extra),
            first: collector
                .first
                .iter()
                .map(|r| r.map(f64::to_bits))
                .collect(),
        };
        let text = serde_json::to_string(&file)?;
        collector.steps.finish(&dir)?;
        dir.write(SHARD_FILE, text.as_bytes())?;
        dir.commit()
    }
}

fn read_shard(dir: &Path) -> Result<ShardFile, ReportError> {
    let bad = |m: String| ReportError::shard(dir, m);
    let path = dir.join(SHARD_FILE);
    let text = flywheel_sim::scenario::read_limited(&path, MAX_SHARD_FILE_BYTES)
        .map_err(|e| bad(e.to_string()))?;
    let f: ShardFile =
        serde_json::from_str(&text).map_err(|e| bad(format!("{SHARD_FILE}: {e}")))?;
    if f.format != FORMAT {
        return Err(bad(format!(
            "{SHARD_FILE} is {:?}, not {FORMAT:?}",
            f.format
        )));
    }
    f.part
        .check()
        .map_err(|e| bad(format!("{SHARD_FILE}: {e}")))?;
    for r in &f.part.runs {
        check_totals(r).map_err(|e| bad(format!("{SHARD_FILE}: run {}: {e}", r.run)))?;
    }
    Ok(f)
}

/// Checks what is true of every honest run's closing figures, so an edited or corrupt shard
/// cannot put impossible numbers into a merged report: supplies within the token's 21B cap,
/// burns within mints (`minted` counts the genesis supply), and the supply they leave.
fn check_totals(r: &flywheel_sim::monte_carlo::RunTotals) -> Result<(), String> {
    use flywheel_protocol::token::MAX_SUPPLY;
    let t = &r.totals;
    let zk = |x| format!("{} ZK", crate::number::zk_exact(x));
    for (field, value) in [
        ("supply_start", r.supply_start),
        ("totals.supply", t.supply),
    ] {
        if value > MAX_SUPPLY {
            return Err(format!(
                "{field} {} is above the {} maximum supply",
                zk(value),
                zk(MAX_SUPPLY)
            ));
        }
    }
    if t.burned > t.minted {
        return Err(format!(
            "totals.burned {} exceeds totals.minted {} (the genesis supply included)",
            zk(t.burned),
            zk(t.minted)
        ));
    }
    if t.minted - t.burned != t.supply {
        return Err(format!(
            "totals.supply {} is not totals.minted − totals.burned ({})",
            zk(t.supply),
            zk(t.minted - t.burned)
        ));
    }
    Ok(())
}

/// A checked set of shards, merged: the single-machine run's scenario and outcome.
pub struct Merged {
    /// The scenario, revalidated (CSV sources reloaded) and found to be the one the shards ran.
    pub v: Validated,
    /// Every run's outcome, as one machine's run would have it.
    pub outcome: Outcome,
    /// What a shorter horizon left out, as the run printed it.
    pub note: Option<String>,
    /// The shard folders, in shard order.
    dirs: Vec<PathBuf>,
    extra: Vec<Option<[Sketch; 3]>>,
    first: Vec<[f64; 7]>,
}

/// Reads and checks the shard folders `dirs` (every shard of one scenario once, in any order)
/// and merges them.
pub fn merge(dirs: &[PathBuf]) -> Result<Merged, ReportError> {
    let mut shards = Vec::with_capacity(dirs.len());
    for d in dirs {
        shards.push((read_shard(d)?, d.as_path()));
    }
    shards.sort_by_key(|(f, _)| f.shard);
    let Some((first, first_dir)) = shards.first() else {
        return Err(ReportError::field("merge", "no shard folders given"));
    };
    let n = first.shards;
    for (k, (f, d)) in shards.iter().enumerate() {
        if f.shards != n {
            return Err(ReportError::shard(
                d,
                format!("is a shard of {}, the first of {n}", f.shards),
            ));
        }
        if f.scenario != first.scenario || f.digest != first.digest {
            return Err(ReportError::shard(
                d,
                format!("ran another scenario than {}", first_dir.display()),
            ));
        }
        if f.shard < k as u32 {
            return Err(ReportError::shard(
                d,
                format!("shard {}/{n} is given twice", f.shard),
            ));
        }
        if f.shard > k as u32 {
            return Err(ReportError::field(
                "merge",
                format!("shard {k}/{n} is missing"),
            ));
        }
    }
    if shards.len() as u32 != n {
        return Err(ReportError::field(
            "merge",
            format!("shard {}/{n} is missing", shards.len()),
        ));
    }
    // The scenario, revalidated here (CSV sources reloaded), must be the one the shards ran.
    let mut scenario = first.scenario.clone();
    if let Some(base) = &first.base {
        scenario
            .load_files(base)
            .map_err(|e| ReportError::shard(first_dir, e))?;
    }
    let v = scenario
        .validate()
        .map_err(|e| ReportError::shard(first_dir, e))?;
    if digest(&v) != first.digest {
        return Err(ReportError::shard(
            first_dir,
            "the scenario's CSV sources changed since the shards ran",
        ));
    }
    let runs = v.scenario.runs;
    let days = v.scenario.days;
    let mut part = Partial::empty(days);
    let mut extra = first.extra.clone();
    let mut first_days = Vec::new();
    for (k, (f, d)) in shards.iter().enumerate() {
        let range = Shard {
            index: k as u32,
            count: n,
        }
        .range(runs);
        let idx: Vec<u32> = f.part.runs.iter().map(|r| r.run).collect();
        if idx != range.clone().collect::<Vec<u32>>() {
            return Err(ReportError::shard(
                d,
                format!("does not hold runs {}..{}", range.start, range.end),
            ));
        }
        part.merge(&f.part).map_err(|e| ReportError::shard(d, e))?;
        if k > 0 {
            let mismatch = || ReportError::shard(d, "its day sketches do not match the horizon");
            if f.extra.len() != extra.len() {
                return Err(mismatch());
            }
            for (a, b) in extra.iter_mut().zip(&f.extra) {
                match (a, b) {
                    (Some(a), Some(b)) => {
                        for (x, y) in a.iter_mut().zip(b) {
                            x.merge(y);
                        }
                    }
                    (None, None) => {}
                    _ => return Err(mismatch()),
                }
            }
        }
        if range.contains(&0) {
            first_days = f.first.iter().map(|r| r.map(f64::from_bits)).collect();
        }
    }
    let note = first.note.clone();
    Ok(Merged {
        outcome: part.finish(days),
        v,
        note,
        dirs: shards.iter().map(|(_, d)| d.to_path_buf()).collect(),
        extra,
        first: first_days,
    })
}

impl Merged {
    /// Writes the single-machine run's files into `target`: the shards' `steps.csv` rows in
    /// shard order, and the rest from the merged sketches and totals.
    pub fn write(
        &self,
        target: &Path,
        json_text: &str,
        digest: &Digest,
    ) -> Result<(), ReportError> {
        let mut dir = OutDir::begin(target, &OUT_FILES)?;
        let mut c = Collector::new(&mut dir, &self.v)?;
        let n = self.dirs.len() as u32;
        let (runs, days) = (self.v.scenario.runs, self.v.scenario.days);
        for (k, d) in self.dirs.iter().enumerate() {
            let range = Shard {
                index: k as u32,
                count: n,
            }
            .range(runs);
            let rows = u64::from(range.end - range.start) * u64::from(days);
            let totals: Vec<&RunTotals> = self
                .outcome
                .runs
                .iter()
                .filter(|r| range.contains(&r.run))
                .collect();
            append_steps(d, rows, &totals, c.steps.writer())
                .map_err(|e| ReportError::shard(d, e))?;
        }
        c.extra = self.extra.clone();
        c.first = self.first.clone();
        write_files(&mut dir, &self.v, &self.outcome, c, json_text, digest)?;
        dir.commit()
    }
}

/// Copies a shard's `steps.csv` rows to `w`, after checking its header, and checks that it
/// held `rows` rows (one per run and day), each of a run the shard holds, and that every run's
/// last row closes at the supply and burn its `shard.json` totals state: an edited steps file
/// cannot slip rows into a merged report that its totals contradict.
fn append_steps(
    dir: &Path,
    rows: u64,
    totals: &[&RunTotals],
    w: &mut dyn Write,
) -> Result<(), String> {
    let path = dir.join("steps.csv");
    flywheel_sim::scenario::check_regular(&path)?;
    let f = std::fs::File::open(&path).map_err(|e| format!("steps.csv: {e}"))?;
    let mut r = BufReader::new(f);
    let mut header = String::new();
    r.read_line(&mut header)
        .map_err(|e| format!("steps.csv: {e}"))?;
    if header != steps::header() {
        return Err("steps.csv does not start with flywheel's steps header".into());
    }
    let at = |name: &str| steps::COLUMNS.iter().position(|c| c.name == name);
    let (Some(run_at), Some(supply_at), Some(burned_at)) =
        (at("run"), at("supply_zk"), at("burned_zk"))
    else {
        return Err("the steps table lacks run, supply_zk or burned_zk".into());
    };
    // Each run's last row: (supply_zk, burned_zk) as written.
    let mut last: BTreeMap<u32, (String, String)> = BTreeMap::new();
    let mut line = String::new();
    let mut count = 0u64;
    loop {
        line.clear();
        let n = r
            .read_line(&mut line)
            .map_err(|e| format!("steps.csv: {e}"))?;
        if n == 0 {
            break;
        }
        count += 1;
        if count > rows {
            break;
        }
        let cells: Vec<&str> = line.trim_end_matches('\n').split(',').collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let run = cell(run_at)
            .parse::<u32>()
            .ok()
            .filter(|run| totals.iter().any(|t| t.run == *run));
        let Some(run) = run else {
            return Err(format!(
                "steps.csv row {count}: run {:?} is not one of this shard's runs",
                cell(run_at)
            ));
        };
        last.insert(
            run,
            (cell(supply_at).to_string(), cell(burned_at).to_string()),
        );
        w.write_all(line.as_bytes())
            .map_err(|e| format!("steps.csv: {e}"))?;
    }
    if count != rows {
        return Err(format!(
            "steps.csv has {}{count} rows, the shard's runs and days make {rows}",
            if count > rows { "more than " } else { "" }
        ));
    }
    for t in totals {
        let (supply, burned) = last.get(&t.run).cloned().unwrap_or_default();
        for (field, row, total) in [
            ("supply_zk", supply, t.totals.supply),
            ("burned_zk", burned, t.totals.burned),
        ] {
            if row != format_amount(total) {
                return Err(format!(
                    "steps.csv: run {}'s last {field} is {row:?}, but shard.json's totals say {}",
                    t.run,
                    format_amount(total)
                ));
            }
        }
    }
    Ok(())
}
