//! `flywheel run`: one scenario through the Monte Carlo, summarised for people (a table), for
//! tools (`--json`), and as files (`--out`: per-step CSV, bands, summary, charts, a report).
//!
//! `flywheel presets` lists the built-in scenarios.

use crate::charts::{self, Series};
use crate::error::CliError;
use crate::files::{OutDir, OutFile};
use crate::fmt::{self, Align, Table};
use crate::report;
use crate::scenario_args::{self, fidelity_name, Overrides, Progress, Source};
use crate::term::safe;
use alloy_primitives::U256;
use clap::Args;
use flywheel_protocol::units::{format_amount, tokens};
use flywheel_sim::agents::wei_to_tokens;
use flywheel_sim::engine::StepRecord;
use flywheel_sim::monte_carlo::{self, simulate, Options, Outcome, RunTotals, BANDED};
use flywheel_sim::presets;
use flywheel_sim::scenario::{Fidelity, Validated};
use flywheel_sim::sketch::Sketch;
use flywheel_sim::summary::{quantile_u256, summary};
use std::io::Write;
use std::path::PathBuf;

/// `flywheel run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    overrides: Overrides,
    /// Write steps.csv, bands.csv, summary.json, SVG charts and report.html into DIR
    /// (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print only the summary JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Run only shard I of N (0-based) of the run indices, for batch systems: writes
    /// shard.json and the shard's steps.csv into --out DIR; `flywheel merge` joins the shards
    /// into the files of a single-machine run.
    #[arg(long, value_name = "I/N", value_parser = crate::shard_cmd::parse_shard,
          allow_hyphen_values = true, requires = "out", conflicts_with = "json")]
    shard: Option<crate::shard_cmd::Shard>,
}

/// `flywheel presets` options.
#[derive(Debug, Args)]
pub struct PresetsArgs {
    /// Print the list as JSON.
    #[arg(long)]
    json: bool,
}

/// Lists the presets.
pub fn presets_cmd(args: &PresetsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut list = Vec::new();
    for (name, _) in presets::PRESETS {
        let s = presets::preset(name).map_err(|e| CliError::Scenario {
            origin: format!("preset {name}"),
            source: e,
        })?;
        list.push(s);
    }
    if args.json {
        let items: Vec<serde_json::Value> = list
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "description": s.description,
                    "days": s.days,
                    "runs": s.runs,
                    "default": s.name == presets::DEFAULT,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::Value::Array(items))?;
        return Ok(());
    }
    let mut t = Table::new(
        &["preset", "days", "runs", "description"],
        &[Align::Left, Align::Right, Align::Right, Align::Left],
    );
    for s in &list {
        let name = if s.name == presets::DEFAULT {
            format!("{} (default)", s.name)
        } else {
            s.name.clone()
        };
        t.row(vec![
            name,
            s.days.to_string(),
            s.runs.to_string(),
            s.description.clone(),
        ]);
    }
    t.write(out)?;
    writeln!(
        out,
        "\nrun one with `flywheel run --preset NAME`; make your own with `flywheel scenario new --preset NAME --out FILE`"
    )?;
    Ok(())
}

/// p5, p50, p95 of a per-run figure (nearest rank, exact).
fn band(runs: &[RunTotals], f: impl Fn(&RunTotals) -> U256) -> [U256; 3] {
    let mut v: Vec<U256> = runs.iter().map(f).collect();
    [0.05, 0.5, 0.95].map(|q| quantile_u256(&mut v, q))
}

/// One line of the summary table.
pub struct Row {
    /// What it is.
    pub label: &'static str,
    /// The median-burn run's figure (the value, for one run), as shown.
    pub median: String,
    /// That figure, exactly (wei for amounts, a count otherwise): rows add up in these.
    pub raw: U256,
    /// "p5 – p95" across runs, this row's own percentiles, when there are several runs.
    pub range: Option<String>,
}

/// The seed table's row next to the simulated figures.
pub struct SeedCheck {
    /// Preset name.
    pub preset: &'static str,
    /// The seed's calls per day.
    pub seed_calls_per_day: u64,
    /// Simulated calls per day (median calls over days).
    pub sim_calls_per_day: String,
    /// The seed's ZK burned per day (wei).
    pub seed_day: U256,
    /// Simulated median burn per day (wei, floor).
    pub sim_day: U256,
    /// The seed's ZK burned per year (wei).
    pub seed_year: U256,
    /// Simulated median burn scaled to 365 days (wei, floor).
    pub sim_year: U256,
    /// Whether both match exactly.
    pub matches: bool,
}

impl SeedCheck {
    /// The comparison row, as both the terminal table and the HTML report show it.
    pub fn cells(&self) -> Vec<String> {
        vec![
            format!(
                "{} (sim {})",
                fmt::count(self.seed_calls_per_day),
                self.sim_calls_per_day
            ),
            fmt::zk_exact(self.seed_day),
            fmt::zk_exact(self.sim_day),
            fmt::zk_exact(self.seed_year),
            fmt::zk_exact(self.sim_year),
            if self.matches { "✓" } else { "✗" }.to_string(),
        ]
    }
}

/// What the terminal and the report show.
pub struct Digest {
    /// The summary rows: one run's figures (the median run by ZK burned), so that they add up.
    pub rows: Vec<Row>,
    /// That run's index.
    pub run: u32,
    /// How many runs there were.
    pub runs: usize,
    /// The seed comparison, for the seed presets.
    pub seed: Option<SeedCheck>,
}

impl Digest {
    /// The header of the value column: which run the figures come from.
    pub fn value_header(&self) -> String {
        if self.runs > 1 {
            format!("median-burn run (#{})", self.run)
        } else {
            "value".into()
        }
    }

    /// The header of the range column.
    pub const RANGE_HEADER: &'static str = "p5 – p95 across runs (each row its own)";

    /// A sentence saying what the table shows.
    pub fn note(&self) -> String {
        if self.runs > 1 {
            format!(
                "Figures are one run's — run #{}, the median of {} by ZK burned — so they add up; the last column gives each row's own 5th–95th percentile across runs.",
                self.run, self.runs
            )
        } else {
            "Figures of the one run; they add up as the indented rows show.".into()
        }
    }
}

pub(crate) fn digest(v: &Validated, outcome: &Outcome) -> Digest {
    let runs = &outcome.runs;
    let days = v.scenario.days;
    let many = runs.len() > 1;
    let median = flywheel_sim::summary::median_run(runs);
    let zk = |w: U256| format!("{} ZK", fmt::zk(w));
    let cnt = |w: U256| fmt::count(u64::try_from(w).unwrap_or(u64::MAX));
    let row_with = |label,
                    f: &dyn Fn(&RunTotals) -> U256,
                    show: &dyn Fn(U256) -> String,
                    show_range: &dyn Fn(U256) -> String| {
        let b = band(runs, f);
        let raw = median.map(f).unwrap_or_default();
        Row {
            label,
            median: show(raw),
            raw,
            range: many.then(|| format!("{} – {}", show_range(b[0]), show_range(b[2]))),
        }
    };
    let row = |label, f: &dyn Fn(&RunTotals) -> U256, show: &dyn Fn(U256) -> String| {
        row_with(label, f, show, show)
    };
    let per_day = move |w: U256| w / U256::from(days.max(1));
    let swept = |r: &RunTotals| r.splits.sweep_burned + r.splits.sweep_distributed;
    let start = v.genesis_supply;
    let supply_text = |w: U256| format!("{} → {}", fmt::zk(start), zk(w));
    let mut rows = vec![
        row("calls", &|r| U256::from(r.calls), &cnt),
        row("bundles", &|r| U256::from(r.bundles), &cnt),
        row(
            "fixed ZK fees (users → operators)",
            &|r| r.totals.fixed_fees,
            &zk,
        ),
        row(
            "settlement fees (operators → Gateway vault)",
            &|r| r.totals.settlement_fees,
            &zk,
        ),
        row("  ↳ swept to the Splitter", &swept, &zk),
        row(
            "  ↳ still in the vault",
            &|r| r.totals.settlement_fees.saturating_sub(swept(r)),
            &zk,
        ),
        row(
            "Fee Flow bids (claimer → Splitter)",
            &|r| r.totals.auction_paid,
            &zk,
        ),
        row(
            "auction claims",
            &|r| U256::from(r.totals.auction_claims),
            &cnt,
        ),
        row("ZK burned (Splitter)", &|r| r.totals.burned, &zk),
        row(
            "  ↳ of swept settlement fees",
            &|r| r.splits.sweep_burned,
            &zk,
        ),
        row("  ↳ of Fee Flow bids", &|r| r.splits.claim_burned, &zk),
        row("ZK burned / day (avg)", &|r| per_day(r.totals.burned), &zk),
        row("to stakers by the Splitter", &|r| r.totals.distributed, &zk),
        row(
            "minted for staking (seasons)",
            &|r| r.totals.minted.saturating_sub(r.supply_start),
            &zk,
        ),
        row(
            "staking rewards (to stakers + minted)",
            &|r| r.totals.staking_rewards,
            &zk,
        ),
        row_with(
            "supply start → end (start + minted − burned)",
            &|r| r.totals.supply,
            &supply_text,
            &zk,
        ),
    ];
    if runs.iter().any(|r| r.totals.failed_settlements > 0) {
        rows.push(row(
            "failed settlements",
            &|r| U256::from(r.totals.failed_settlements),
            &cnt,
        ));
    }
    // The seed check compares the median burn (exact, and the median run's own).
    let burned = band(runs, |r| r.totals.burned);
    let seed = presets::SEED_TABLE
        .iter()
        .find(|(name, ..)| *name == v.scenario.name)
        .map(|&(preset, calls, zk_day, zk_year)| {
            let d = U256::from(days.max(1));
            let calls_med = band(runs, |r| U256::from(r.calls))[1];
            let sim_calls = if (calls_med % d).is_zero() {
                fmt::count(u64::try_from(calls_med / d).unwrap_or(u64::MAX))
            } else {
                format!("{:.2}", wei_to_tokens(calls_med * tokens(1) / d))
            };
            let (seed_day, seed_year) = (tokens(zk_day), tokens(zk_year));
            let sim_day = burned[1] / d;
            let sim_year = flywheel_sim::sweep::annualise(burned[1], days);
            SeedCheck {
                preset,
                seed_calls_per_day: calls,
                sim_calls_per_day: sim_calls,
                seed_day,
                sim_day,
                seed_year,
                sim_year,
                matches: burned[1] == seed_day * d && sim_year == seed_year,
            }
        });
    Digest {
        rows,
        run: median.map_or(0, |r| r.run),
        runs: runs.len(),
        seed,
    }
}

/// Writes the digest as terminal tables.
pub(crate) fn write_digest(
    v: &Validated,
    d: &Digest,
    runs: usize,
    note: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let s = &v.scenario;
    writeln!(out, "{} — {}", safe(&s.name), safe(&s.description))?;
    writeln!(
        out,
        "runs {} · days {} · fidelity {} · seed {}\n",
        runs,
        s.days,
        fidelity_name(s.fidelity),
        s.seed
    )?;
    if let Some(note) = note {
        writeln!(out, "{note}\n")?;
    }
    let value = d.value_header();
    let mut t = if runs > 1 {
        Table::new(
            &["", &value, Digest::RANGE_HEADER],
            &[Align::Left, Align::Right, Align::Right],
        )
    } else {
        Table::new(&["", &value], &[Align::Left, Align::Right])
    };
    for r in &d.rows {
        let mut cells = vec![r.label.to_string(), r.median.clone()];
        if let Some(range) = &r.range {
            cells.push(range.clone());
        }
        t.row(cells);
    }
    t.write(out)?;
    writeln!(out, "{}", d.note())?;
    if let Some(c) = &d.seed {
        writeln!(
            out,
            "\nseed table check ({}; simulated values exact)",
            c.preset
        )?;
        let mut t = Table::new(
            &[
                "calls/day",
                "seed ZK/day",
                "simulated ZK/day",
                "seed ZK/year",
                "simulated ZK/year",
                "match",
            ],
            &[
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Left,
            ],
        );
        t.row(c.cells());
        t.write(out)?;
    }
    Ok(())
}

pub(crate) const STEPS_HEADER: &str = "run,day,calls,bundles,fixed_calls,zk_usd,eth_usd,dynamic_fee_usd,pool_usd,supply_zk,minted_zk,burned_zk,daily_burn_zk,distributed_zk,fixed_fees_zk,settlement_fees_zk,auction_paid_zk,auction_claims,failed_settlements\n";

fn write_steps(
    w: &mut dyn Write,
    run: u32,
    steps: &[StepRecord],
    genesis: U256,
) -> std::io::Result<()> {
    let mut prev = U256::ZERO;
    for s in steps {
        let t = &s.totals;
        writeln!(
            w,
            "{run},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            s.day,
            s.calls,
            s.bundles,
            s.fixed_calls,
            s.zk_usd,
            s.eth_usd,
            s.dynamic_fee_usd,
            s.pool_usd,
            format_amount(t.supply),
            format_amount(t.minted.saturating_sub(genesis)),
            format_amount(t.burned),
            format_amount(t.burned.saturating_sub(prev)),
            format_amount(t.distributed),
            format_amount(t.fixed_fees),
            format_amount(t.settlement_fees),
            format_amount(t.auction_paid),
            t.auction_claims,
            t.failed_settlements,
        )?;
        prev = t.burned;
    }
    Ok(())
}

/// What `--out` collects while runs stream by: the steps file, and the cumulative
/// distribution's per-day sketches and (for a single run) exact series, which the sim's bands
/// do not carry.
pub(crate) struct Collector {
    pub(crate) steps: OutFile,
    pub(crate) error: Option<std::io::Error>,
    genesis: U256,
    /// Per banded day (indexed by day; `None` on days not banded): sketches of cumulative
    /// staking rewards (the splitter's share plus any minted) and of supply reduction (genesis − supply). The sim bands supply itself,
    /// but at a sketch's 0.8% resolution on 21B ZK, coarser than the whole simulated change.
    pub(crate) extra: Vec<Option<[Sketch; 3]>>,
    /// Run 0's exact daily values: (day, supply, daily burn, cumulative burn, claims,
    /// staking rewards), in ZK.
    pub(crate) first: Vec<[f64; 7]>,
}

impl Collector {
    pub(crate) fn new(dir: &mut OutDir, v: &Validated) -> Result<Self, CliError> {
        let mut steps = dir.create("steps.csv")?;
        steps
            .writer()
            .write_all(STEPS_HEADER.as_bytes())
            .map_err(|e| dir.error("steps.csv", e))?;
        let days = v.scenario.days;
        let stride = monte_carlo::band_stride(days);
        let extra = (0..days)
            .map(|d| monte_carlo::is_banded(d, days, stride).then(Default::default))
            .collect();
        Ok(Self {
            steps,
            error: None,
            genesis: v.genesis_supply,
            extra,
            first: Vec::new(),
        })
    }

    pub(crate) fn on_run(&mut self, run: u32, steps: &[StepRecord]) {
        if self.error.is_none() {
            if let Err(e) = write_steps(self.steps.writer(), run, steps, self.genesis) {
                self.error = Some(e);
            }
        }
        for s in steps {
            if let Some(Some([dist, down, up])) = self.extra.get_mut(s.day as usize) {
                dist.add(wei_to_tokens(s.totals.staking_rewards));
                // A signed change as two sketches: reductions (and zeros), and increases.
                if s.totals.supply > self.genesis {
                    up.add(wei_to_tokens(s.totals.supply - self.genesis));
                } else {
                    down.add(wei_to_tokens(self.genesis - s.totals.supply));
                }
            }
        }
        if run == 0 {
            let mut prev = 0.0;
            self.first = steps
                .iter()
                .map(|s| {
                    let burned = wei_to_tokens(s.totals.burned);
                    let row = [
                        f64::from(s.day),
                        wei_to_tokens(s.totals.supply),
                        burned - prev,
                        burned,
                        s.totals.auction_claims as f64,
                        wei_to_tokens(s.totals.staking_rewards),
                        s.staking_yield * 100.0,
                    ];
                    prev = burned;
                    row
                })
                .collect();
        }
    }
}

/// A signed supply reduction kept as two sketches: `down` holds reductions (and zeros), `up`
/// the sizes of increases (negative reductions).
struct Reduction<'a> {
    down: &'a Sketch,
    up: &'a Sketch,
}

impl Reduction<'_> {
    fn count(&self) -> u64 {
        self.down.count() + self.up.count()
    }

    /// The value of ascending rank `rank` (1-based), with the bound of its relative error. A
    /// sketch quantile of (k − ½)/count selects exactly rank k.
    fn at_rank(&self, rank: u64) -> (f64, f64) {
        let m = self.up.count();
        if rank <= m {
            let k = m - rank + 1;
            let (v, e) = self.up.quantile_bounded((k as f64 - 0.5) / m as f64);
            (-v, e)
        } else {
            let k = rank - m;
            self.down
                .quantile_bounded((k as f64 - 0.5) / self.down.count() as f64)
        }
    }

    fn rank(&self, q: f64) -> u64 {
        let n = self.count();
        ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n)
    }

    /// The reduction's own nearest-rank `q` quantile, with its relative error bound.
    fn quantile(&self, q: f64) -> (f64, f64) {
        if self.count() == 0 {
            return (0.0, 0.0);
        }
        self.at_rank(self.rank(q))
    }

    /// Supply's nearest-rank `q` quantile (supply = genesis − reduction, so ranks run the
    /// other way), with the bound of its relative error: the reduction's error over supply.
    fn supply_quantile(&self, genesis: f64, q: f64) -> (f64, f64) {
        if self.count() == 0 {
            return (genesis, 0.0);
        }
        let (r, e) = self.at_rank(self.count() - self.rank(q) + 1);
        let supply = genesis - r;
        let err = if e == 0.0 || supply == 0.0 {
            e
        } else {
            e * r.abs() / supply.abs()
        };
        (supply, err)
    }
}

/// Runs `flywheel run`.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let loaded = scenario_args::load(&args.source, &args.overrides)?;
    let v = loaded.validate()?;
    if let (Some(shard), Some(dir)) = (args.shard, &args.out) {
        let base = crate::shard_cmd::base_of(&args.source);
        return crate::shard_cmd::run_shard(&loaded, &v, shard, dir, base, out);
    }
    let s = &v.scenario;
    let opts = Options {
        runs: s.runs,
        fidelity: s.fidelity,
    };
    if s.fidelity == Fidelity::Event && s.runs > 1 {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} runs at event fidelity are slow (every bundle goes through the protocol model); --fidelity flow gives the same totals far faster",
            s.runs
        );
    }
    let mut out_dir = match &args.out {
        Some(dir) => Some(OutDir::begin(dir, &OUT_FILES)?),
        None => None,
    };
    let mut collector = match out_dir.as_mut() {
        Some(dir) => Some(Collector::new(dir, &v)?),
        None => None,
    };
    if let Some(note) = scenario_args::event_estimate_note(&v, 1) {
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    let progress = Progress::new(
        u64::from(s.runs) * u64::from(s.days),
        scenario_args::work(s.runs, s.days, s.fidelity),
        "path-days",
    );
    let outcome = simulate(
        &v,
        opts,
        collector.is_some(),
        |run, steps| {
            if let Some(c) = collector.as_mut() {
                c.on_run(run, steps);
            }
        },
        &|p| progress.report(p),
    );
    progress.finish();
    let outcome = outcome?;
    let summary_json = summary(&v, s.fidelity, &outcome);
    let json_text = format!(
        "{}\n",
        serde_json::to_string_pretty(&summary_json).map_err(|e| CliError::Output(e.into()))?
    );
    let digest = digest(&v, &outcome);
    if let (Some(mut dir), Some(c)) = (out_dir, collector) {
        write_files(&mut dir, &v, &outcome, c, &json_text, &digest)?;
        dir.commit()?;
    }
    if args.json {
        out.write_all(json_text.as_bytes())?;
    } else {
        let note = loaded.horizon_note();
        write_digest(&v, &digest, outcome.runs.len(), note.as_deref(), out)?;
        crate::priority_report::write(&v, &outcome, out)?;
        crate::prividium_report::write(&v, &outcome, out)?;
        if let Some(dir) = &args.out {
            write_wrote_line(dir, out)?;
        }
    }
    Ok(())
}

/// The closing line of a run (or merge) that wrote `--out`.
pub(crate) fn write_wrote_line(dir: &std::path::Path, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "\nwrote steps.csv, bands.csv, summary.json, {} and report.html to {}",
        CHARTS.map(|c| c.0).join(", "),
        safe(&dir.display().to_string())
    )?;
    Ok(())
}

/// Writes `--out`'s whole set of files into `target` for an outcome whose runs' day records
/// are at hand, `steps` in run order (the Python package keeps them): the same files, by the
/// same code, as `flywheel run --out`.
pub fn write_out(
    target: &std::path::Path,
    v: &Validated,
    outcome: &Outcome,
    steps: &[(u32, Vec<StepRecord>)],
) -> Result<(), CliError> {
    let mut dir = OutDir::begin(target, &OUT_FILES)?;
    let mut c = Collector::new(&mut dir, v)?;
    for (run, s) in steps {
        c.on_run(*run, s);
    }
    let json_text = format!(
        "{}\n",
        serde_json::to_string_pretty(&summary(v, v.scenario.fidelity, outcome))
            .map_err(|e| CliError::Output(e.into()))?
    );
    let digest = digest(v, outcome);
    write_files(&mut dir, v, outcome, c, &json_text, &digest)?;
    dir.commit()
}

/// Every file `--out` writes.
pub(crate) const OUT_FILES: [&str; 10] = [
    "steps.csv",
    "summary.json",
    "bands.csv",
    CHARTS[0].0,
    CHARTS[1].0,
    CHARTS[2].0,
    CHARTS[3].0,
    CHARTS[4].0,
    CHARTS[5].0,
    "report.html",
];

/// (file, title, y caption) of each chart.
const CHARTS: [(&str, &str, &str); 6] = [
    ("supply.svg", "ZK supply", "supply (ZK)"),
    ("daily_burn.svg", "ZK burned per day", "burned per day (ZK)"),
    (
        "cumulative_burn.svg",
        "Cumulative ZK burned",
        "cumulative burn (ZK)",
    ),
    (
        "auction_claims.svg",
        "Fee Flow auction claims",
        "claims (cumulative)",
    ),
    (
        "staking_rewards.svg",
        "Staking rewards (cumulative: splitter share and minted)",
        "staking rewards (ZK)",
    ),
    (
        "staking_yield.svg",
        "Staking yield of the earning stake (last 30 days, annualised)",
        "yield (% a year)",
    ),
];

fn banded_index(name: &str) -> Option<usize> {
    BANDED.iter().position(|m| *m == name)
}

pub(crate) fn write_files(
    dir: &mut OutDir,
    v: &Validated,
    outcome: &Outcome,
    c: Collector,
    json_text: &str,
    digest: &Digest,
) -> Result<(), CliError> {
    let Collector {
        steps,
        error,
        extra,
        first,
        genesis,
    } = c;
    let genesis_zk = wei_to_tokens(genesis);
    if let Some(e) = error {
        return Err(dir.error("steps.csv", e));
    }
    steps.finish(dir)?;
    dir.write("summary.json", json_text.as_bytes())?;

    // bands.csv: the sim's banded metrics, then the two the CLI sketches itself; each row
    // with the bound of its percentiles' relative error (0: exact).
    let mut csv = String::from("day,metric,p5,p50,p95,rel_error\n");
    let (mut rows_all, mut rows_sketched) = (0usize, 0usize);
    let extra_band = |day: u32, k: usize| -> ([f64; 3], f64) {
        extra
            .get(day as usize)
            .and_then(Option::as_ref)
            .map_or(([0.0; 3], 0.0), |sk| {
                let r = Reduction {
                    down: &sk[1],
                    up: &sk[2],
                };
                let q = [0.05, 0.5, 0.95].map(|q| match k {
                    0 => sk[0].quantile_bounded(q),
                    1 => r.quantile(q),
                    _ => r.supply_quantile(genesis_zk, q),
                });
                (q.map(|x| x.0), q.iter().map(|x| x.1).fold(0.0, f64::max))
            })
    };
    for b in &outcome.bands {
        for (i, m) in BANDED.iter().enumerate() {
            csv.push_str(&format!(
                "{},{m},{},{},{},{}\n",
                b.day, b.p5[i], b.p50[i], b.p95[i], b.rel_error[i]
            ));
            rows_all += 1;
            rows_sketched += usize::from(b.rel_error[i] > 0.0);
        }
        for (k, m) in ["cumulative_staking_rewards_zk", "supply_reduction_zk"]
            .iter()
            .enumerate()
        {
            if k == 0 && banded_index("staking_rewards_zk").is_some() {
                continue; // the sim bands it already
            }
            let ([p5, p50, p95], err) = extra_band(b.day, k);
            csv.push_str(&format!("{},{m},{p5},{p50},{p95},{err}\n", b.day));
            rows_all += 1;
            rows_sketched += usize::from(err > 0.0);
        }
    }
    dir.write("bands.csv", csv.as_bytes())?;

    // Charts: a single run plots its exact daily values; several runs plot median and band.
    let many = outcome.runs.len() > 1;
    let mut svgs = Vec::new();
    for (k, (file, title, y_desc)) in CHARTS.iter().enumerate() {
        let (days, p5, p50, p95): (Vec<u32>, Vec<f64>, Vec<f64>, Vec<f64>) = if many {
            let days: Vec<u32> = outcome.bands.iter().map(|b| b.day).collect();
            let pick = |q: usize| -> Vec<f64> {
                outcome
                    .bands
                    .iter()
                    .map(|b| {
                        let metric = match k {
                            1 => banded_index("daily_burn_zk"),
                            2 => banded_index("cumulative_burn_zk"),
                            3 => banded_index("auction_claims"),
                            4 => banded_index("staking_rewards_zk"),
                            5 => banded_index("staking_yield"),
                            _ => None,
                        };
                        match (k, metric) {
                            (0, _) => extra_band(b.day, 2).0[q],
                            (5, Some(i)) => [b.p5[i], b.p50[i], b.p95[i]][q] * 100.0,
                            (_, Some(i)) => [b.p5[i], b.p50[i], b.p95[i]][q],
                            _ => extra_band(b.day, 0).0[q],
                        }
                    })
                    .collect()
            };
            (days, pick(0), pick(1), pick(2))
        } else {
            let days = first.iter().map(|r| r[0] as u32).collect();
            let col: Vec<f64> = first.iter().map(|r| r[k + 1]).collect();
            (days, Vec::new(), col, Vec::new())
        };
        let series = Series {
            title,
            y_desc,
            days: &days,
            p50: &p50,
            band: many.then_some((p5.as_slice(), p95.as_slice())),
        };
        let svg = charts::line_chart(file, &series)?;
        dir.write(file, svg.as_bytes())?;
        svgs.push((*title, svg));
    }
    let bands_note = if rows_sketched == 0 {
        format!(
            "Bands are exact: every percentile in bands.csv ({rows_all} rows) is a run's own value (one run, or runs that agree)."
        )
    } else {
        format!(
            "Bands are quantile sketches where runs differ: {rows_sketched} of {rows_all} rows of bands.csv are within ±{:.2}% of the true percentile (their rel_error column); the others are exact. The summary table is exact.",
            flywheel_sim::sketch::MAX_REL_ERROR * 100.0
        )
    };
    let mut html = report::run_report(v, outcome.runs.len(), digest, &svgs, &bands_note);
    crate::priority_report::add_to_html(&mut html, v, outcome);
    dir.write("report.html", html.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flywheel_sim::scenario::Scenario;

    /// Every route into the Splitter at once: fees shared with Fee Flow from day 0, operators
    /// charging enough that the pool clears the threshold, half burned and half to stakers, sweeps weekly (so the vault holds
    /// some fees at the end), staking seasons minting.
    const FLOWS: &str = r#"
name = "flows"
days = 30
seed = 3
[traffic]
model = "gbm"
calls_per_day = 300
drift_per_year = 0.0
volatility_per_year = 0.8
[users]
always_fixed_share = 0.2
fee_mode = "dynamic"
[operators]
margin = 100.0
[protocol]
fee_flow_revenue_share_bps = 5000
fee_flow_threshold = "100000 ZK"
burn_bps = 5000
sweep_every_days = 7
[staking]
enabled = true
seasons = [{ cap = "10000000 ZK", start_day = 0, days = 30 }]
"#;

    fn value(d: &Digest, label: &str) -> U256 {
        d.rows
            .iter()
            .find(|r| r.label == label)
            .unwrap_or_else(|| panic!("no row {label}"))
            .raw
    }

    #[test]
    fn the_summary_table_is_one_run_whose_flows_add_up() {
        for (fidelity, runs) in [(Fidelity::Flow, 9), (Fidelity::Event, 3)] {
            let mut s = Scenario::from_toml(FLOWS).expect("parses");
            s.fidelity = fidelity;
            s.runs = runs;
            let v = s.validate().expect("valid");
            let opts = Options { runs, fidelity };
            let outcome = simulate(&v, opts, false, |_, _| {}, &|_| {}).expect("runs");
            let d = digest(&v, &outcome);
            let at = |l| value(&d, l);
            let burned = at("ZK burned (Splitter)");
            assert!(
                !at("auction claims").is_zero(),
                "{fidelity:?}: claims happen"
            );
            assert!(
                !at("  ↳ still in the vault").is_zero(),
                "a sweep is pending"
            );
            assert!(!at("minted for staking (seasons)").is_zero());
            // Burn by route adds up to the burn, measured independently.
            assert_eq!(
                burned,
                at("  ↳ of swept settlement fees") + at("  ↳ of Fee Flow bids"),
                "{fidelity:?}"
            );
            // What reached the Splitter left it, burned or to stakers.
            assert_eq!(
                at("  ↳ swept to the Splitter") + at("Fee Flow bids (claimer → Splitter)"),
                burned + at("to stakers by the Splitter"),
                "{fidelity:?}"
            );
            assert_eq!(
                at("settlement fees (operators → Gateway vault)"),
                at("  ↳ swept to the Splitter") + at("  ↳ still in the vault")
            );
            assert_eq!(
                at("staking rewards (to stakers + minted)"),
                at("to stakers by the Splitter") + at("minted for staking (seasons)"),
                "{fidelity:?}"
            );
            assert_eq!(
                at("supply start → end (start + minted − burned)"),
                v.genesis_supply + at("minted for staking (seasons)") - burned,
                "{fidelity:?}"
            );
            // It is the median-burn run, and says so.
            let mut all: Vec<U256> = outcome.runs.iter().map(|r| r.totals.burned).collect();
            assert_eq!(burned, quantile_u256(&mut all, 0.5));
            assert!(d.value_header().contains(&format!("#{}", d.run)));
            let r = &outcome.runs[d.run as usize];
            assert_eq!(r.totals.burned, burned);
            assert_eq!(value(&d, "calls"), U256::from(r.calls));
        }
    }
}
