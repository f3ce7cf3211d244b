//! Shards for batch systems (Kubernetes indexed jobs, Slurm arrays): `flywheel run --shard I/N
//! --out DIR` runs only shard I's run indices and writes a shard file; `flywheel merge DIR…`
//! merges the shards into the outputs of a single-machine run, byte for byte.
//!
//! Why it can be exact: every run draws from its own stream (seed, run index), so a run is the
//! same wherever it runs; the bands are sketches whose merge adds counts (order-free); and the
//! summary's figures are exact per-run totals, kept whole. Shard I of N holds the contiguous
//! indices `I·R/N .. (I+1)·R/N` of the R runs, so the shards' `steps.csv` bodies, concatenated
//! in shard order, are the full run's `steps.csv`.

use crate::error::CliError;
use crate::files::OutDir;
use crate::run_cmd::{self, Collector};
use crate::scenario_args::{self, Loaded};
use crate::term::safe;
use alloy_primitives::{keccak256, B256};
use clap::Args;
use flywheel_sim::monte_carlo::{simulate_runs, Options, Partial};
use flywheel_sim::scenario::{Scenario, Validated};
use flywheel_sim::sketch::Sketch;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

pub use crate::limits::{MAX_SHARDS, MAX_SHARD_FILE_BYTES};
/// The shard file's name in a shard's folder.
pub const SHARD_FILE: &str = "shard.json";
/// What a shard file says it is.
const FORMAT: &str = "flywheel-shard/1";

/// Shard `index` of `count` (0-based: `0/3`, `1/3`, `2/3`, as an indexed job's index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: u32,
    /// How many shards the runs are split into.
    pub count: u32,
}

/// Parses `I/N`: whole numbers, `1 ≤ N ≤ MAX_SHARDS`, `0 ≤ I < N`.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let form =
        format!("must be I/N with N from 1 to {MAX_SHARDS} and I from 0 to N-1 (for example 0/4)");
    let (i, n) = text.split_once('/').ok_or_else(|| form.clone())?;
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (Some(index), Some(count)) = (num(i), num(n)) else {
        return Err(form);
    };
    if count == 0 || count > MAX_SHARDS || index >= count {
        return Err(format!("{form}; got {index}/{count}"));
    }
    Ok(Shard { index, count })
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
    /// What a shorter `--days` left out (printed by the merge as by the run).
    note: Option<String>,
    /// The runs' sketches and exact totals.
    part: Partial,
    /// The CLI's own per-day sketches (see `run_cmd::Collector`).
    extra: Vec<Option<[Sketch; 3]>>,
    /// Run 0's exact daily values as f64 bits (only in the shard that ran run 0).
    first: Vec<[u64; 7]>,
}

fn digest(v: &Validated) -> B256 {
    keccak256(format!("{v:?}").as_bytes())
}

/// Runs shard `shard` of the loaded scenario into `dir`: its `steps.csv` rows and `shard.json`.
pub fn run_shard(
    loaded: &Loaded,
    v: &Validated,
    shard: Shard,
    dir: &Path,
    base: Option<PathBuf>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let runs = v.scenario.runs;
    if shard.count > runs {
        return Err(CliError::field(
            "--shard",
            format!(
                "{} shards for {runs} runs would leave a shard empty; use at most {runs}",
                shard.count
            ),
        ));
    }
    let mut out_dir = OutDir::begin(dir, &[SHARD_FILE, "steps.csv"])?;
    let mut c = Collector::new(&mut out_dir, v)?;
    let range = shard.range(runs);
    let opts = Options {
        runs,
        fidelity: v.scenario.fidelity,
    };
    let mine = range.len() as u32;
    let progress = crate::scenario_args::Progress::new(
        u64::from(mine) * u64::from(v.scenario.days),
        crate::scenario_args::work(mine, v.scenario.days, v.scenario.fidelity),
        "path-days",
    );
    let part = simulate_runs(
        v,
        opts,
        range.clone(),
        true,
        |run, steps| c.on_run(run, steps),
        &|p| progress.report(p),
    );
    progress.finish();
    let part = part?;
    if let Some(e) = c.error.take() {
        return Err(out_dir.error("steps.csv", e));
    }
    let file = ShardFile {
        format: FORMAT.into(),
        shard: shard.index,
        shards: shard.count,
        scenario: v.scenario.clone(),
        base,
        digest: digest(v),
        note: loaded.horizon_note(),
        part,
        extra: std::mem::take(&mut c.extra),
        first: c.first.iter().map(|r| r.map(f64::to_bits)).collect(),
    };
    let text = serde_json::to_string(&file).map_err(|e| CliError::Output(e.into()))?;
    c.steps.finish(&out_dir)?;
    out_dir.write(SHARD_FILE, text.as_bytes())?;
    out_dir.commit()?;
    writeln!(
        out,
        "shard {}/{}: runs {}..{} of {runs}; wrote {SHARD_FILE} and steps.csv to {} (merge with `flywheel merge`)",
        shard.index,
        shard.count,
        range.start,
        range.end,
        safe(&dir.display().to_string())
    )?;
    Ok(())
}

/// `flywheel merge` options.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard folders (`flywheel run --shard I/N --out DIR`), every shard once, in any order.
    #[arg(value_name = "DIR", required = true, num_args = 1..=MAX_SHARDS as usize)]
    dirs: Vec<PathBuf>,
    /// Write the single-machine run's files (steps.csv, bands.csv, summary.json, SVG charts,
    /// report.html) into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print only the summary JSON on stdout.
    #[arg(long)]
    json: bool,
}

fn bad(dir: &Path, message: impl std::fmt::Display) -> CliError {
    CliError::field("merge", format!("{}: {message}", dir.display()))
}

fn read_shard(dir: &Path) -> Result<ShardFile, CliError> {
    let path = dir.join(SHARD_FILE);
    let text = flywheel_sim::scenario::read_limited(&path, MAX_SHARD_FILE_BYTES)
        .map_err(|e| bad(dir, e))?;
    let f: ShardFile =
        serde_json::from_str(&text).map_err(|e| bad(dir, format!("{SHARD_FILE}: {e}")))?;
    if f.format != FORMAT {
        return Err(bad(
            dir,
            format!("{SHARD_FILE} is {:?}, not {FORMAT:?}", f.format),
        ));
    }
    f.part
        .check()
        .map_err(|e| bad(dir, format!("{SHARD_FILE}: {e}")))?;
    Ok(f)
}

/// Merges shard folders into the outputs of the single-machine run.
pub fn merge_cmd(args: &MergeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut shards = Vec::with_capacity(args.dirs.len());
    for d in &args.dirs {
        shards.push((read_shard(d)?, d.as_path()));
    }
    shards.sort_by_key(|(f, _)| f.shard);
    let (first, first_dir) = &shards[0];
    let n = first.shards;
    for (k, (f, d)) in shards.iter().enumerate() {
        if f.shards != n {
            return Err(bad(
                d,
                format!("is a shard of {}, the first of {n}", f.shards),
            ));
        }
        if f.scenario != first.scenario || f.digest != first.digest {
            return Err(bad(
                d,
                format!("ran another scenario than {}", first_dir.display()),
            ));
        }
        if f.shard < k as u32 {
            return Err(bad(d, format!("shard {}/{n} is given twice", f.shard)));
        }
        if f.shard > k as u32 {
            return Err(CliError::field(
                "merge",
                format!("shard {k}/{n} is missing"),
            ));
        }
    }
    if shards.len() as u32 != n {
        return Err(CliError::field(
            "merge",
            format!("shard {}/{n} is missing", shards.len()),
        ));
    }
    // The scenario, revalidated here (CSV sources reloaded), must be the one the shards ran.
    let mut scenario = first.scenario.clone();
    if let Some(base) = &first.base {
        scenario.load_files(base).map_err(|e| bad(first_dir, e))?;
    }
    let v = scenario.validate().map_err(|e| bad(first_dir, e))?;
    if digest(&v) != first.digest {
        return Err(bad(
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
            return Err(bad(
                d,
                format!("does not hold runs {}..{}", range.start, range.end),
            ));
        }
        part.merge(&f.part).map_err(|e| bad(d, e))?;
        if k > 0 {
            if f.extra.len() != extra.len() {
                return Err(bad(d, "its day sketches do not match the horizon"));
            }
            for (a, b) in extra.iter_mut().zip(&f.extra) {
                match (a, b) {
                    (Some(a), Some(b)) => {
                        for (x, y) in a.iter_mut().zip(b) {
                            x.merge(y);
                        }
                    }
                    (None, None) => {}
                    _ => return Err(bad(d, "its day sketches do not match the horizon")),
                }
            }
        }
        if range.contains(&0) {
            first_days = f.first.iter().map(|r| r.map(f64::from_bits)).collect();
        }
    }
    let outcome = part.finish(days);
    let summary_json = flywheel_sim::summary::summary(&v, v.scenario.fidelity, &outcome);
    let json_text = format!(
        "{}\n",
        serde_json::to_string_pretty(&summary_json).map_err(|e| CliError::Output(e.into()))?
    );
    let digest = run_cmd::digest(&v, &outcome);
    if let Some(target) = &args.out {
        let mut dir = OutDir::begin(target, &run_cmd::OUT_FILES)?;
        let mut c = Collector::new(&mut dir, &v)?;
        for (k, (_, d)) in shards.iter().enumerate() {
            let range = Shard {
                index: k as u32,
                count: n,
            }
            .range(runs);
            let rows = u64::from(range.end - range.start) * u64::from(days);
            append_steps(d, rows, c.steps.writer()).map_err(|e| bad(d, e))?;
        }
        c.extra = extra;
        c.first = first_days;
        run_cmd::write_files(&mut dir, &v, &outcome, c, &json_text, &digest)?;
        dir.commit()?;
    }
    if args.json {
        out.write_all(json_text.as_bytes())?;
    } else {
        run_cmd::write_digest(&v, &digest, outcome.runs.len(), first.note.as_deref(), out)?;
        crate::priority_report::write(&v, &outcome, out)?;
        crate::prividium_report::write(&v, &outcome, out)?;
        if let Some(dir) = &args.out {
            run_cmd::write_wrote_line(dir, out)?;
        }
    }
    Ok(())
}

/// Counts the lines that pass through.
struct Lines<'a> {
    inner: &'a mut dyn Write,
    lines: u64,
}

impl Write for Lines<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Copies a shard's `steps.csv` rows to `w`, after checking its header, and checks that it
/// held `rows` rows (one per run and day).
fn append_steps(dir: &Path, rows: u64, w: &mut dyn Write) -> Result<(), String> {
    let path = dir.join("steps.csv");
    let f = std::fs::File::open(&path).map_err(|e| format!("steps.csv: {e}"))?;
    let mut r = BufReader::new(f);
    let mut header = String::new();
    r.read_line(&mut header)
        .map_err(|e| format!("steps.csv: {e}"))?;
    if header != run_cmd::STEPS_HEADER {
        return Err("steps.csv does not start with flywheel's steps header".into());
    }
    let mut counted = Lines { inner: w, lines: 0 };
    std::io::copy(&mut r, &mut counted).map_err(|e| format!("steps.csv: {e}"))?;
    if counted.lines != rows {
        return Err(format!(
            "steps.csv has {} rows, the shard's runs and days make {rows}",
            counted.lines
        ));
    }
    Ok(())
}

/// Where CSV sources of the chosen scenario load from (a file's folder, made absolute so a
/// merge run elsewhere finds them), or none for a preset.
pub fn base_of(source: &scenario_args::Source) -> Option<PathBuf> {
    source.scenario.as_ref().map(|p| {
        let folder = p.parent().unwrap_or(Path::new("."));
        std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf())
    })
}
