//! The files of a run (`flywheel run --out`, a stored run of `flywheel serve`, Python's
//! `Run.report`): `steps.csv`, `summary.json`, `bands.csv`, the SVG charts and `report.html`,
//! written all or nothing while the runs stream by. [`RunWriter`] is the one way in.

use crate::bands::Reduction;
use crate::charts::{self, Series};
use crate::digest::{digest, Digest};
use crate::error::ReportError;
use crate::out_dir::{OutDir, OutFile};
use crate::{html, priority, steps};
use alloy_primitives::U256;
use flywheel_sim::agents::wei_to_tokens;
use flywheel_sim::engine::StepRecord;
use flywheel_sim::monte_carlo::{self, Outcome, BANDED};
use flywheel_sim::scenario::Validated;
use flywheel_sim::sketch::Sketch;
use flywheel_sim::summary::summary;
use std::io::Write;
use std::path::Path;

/// What `--out` collects while runs stream by: the steps file, and the cumulative
/// distribution's per-day sketches and (for a single run) exact series, which the sim's bands
/// do not carry.
pub struct Collector {
    /// `steps.csv`, being written.
    pub steps: OutFile,
    /// The first error writing it (reported when the files are finished).
    pub error: Option<std::io::Error>,
    /// Genesis supply (wei).
    pub genesis: U256,
    /// Per banded day (indexed by day; `None` on days not banded): sketches of cumulative
    /// staking rewards (the splitter's share plus any minted) and of supply reduction (genesis − supply). The sim bands supply itself,
    /// but at a sketch's 0.8% resolution on 21B ZK, coarser than the whole simulated change.
    pub extra: Vec<Option<[Sketch; 3]>>,
    /// Run 0's exact daily values: (day, supply, daily burn, cumulative burn, claims,
    /// staking rewards), in ZK.
    pub first: Vec<[f64; 7]>,
}

impl Collector {
    /// Starts `steps.csv` in `dir` (its header written) and the day sketches of `v`.
    pub fn new(dir: &mut OutDir, v: &Validated) -> Result<Self, ReportError> {
        let mut steps = dir.create("steps.csv")?;
        steps
            .writer()
            .write_all(steps::header().as_bytes())
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

    /// Takes one run's days (runs in order): its rows, sketches, and run 0's series.
    pub fn on_run(&mut self, run: u32, steps: &[StepRecord]) {
        if self.error.is_none() {
            if let Err(e) = steps::write_csv(self.steps.writer(), run, steps, self.genesis) {
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

/// `summary.json`'s text for an outcome of `v`, as `flywheel run --json` prints it.
pub fn summary_text(v: &Validated, outcome: &Outcome) -> Result<String, ReportError> {
    let json = serde_json::to_string_pretty(&summary(v, v.scenario.fidelity, outcome))?;
    Ok(format!("{json}\n"))
}

/// A run's files being written while its runs stream by: begun before the simulation (so a
/// bad destination costs no simulation time), fed each run's days in run order, finished with
/// the outcome. Nothing is visible in the destination until [`RunWriter::finish`] succeeds.
pub struct RunWriter<'a> {
    dir: OutDir,
    collector: Collector,
    v: &'a Validated,
}

impl<'a> RunWriter<'a> {
    /// Prepares the files of a run of `v` in `target`; see [`OutDir::begin`].
    pub fn begin(target: &Path, v: &'a Validated) -> Result<Self, ReportError> {
        let mut dir = OutDir::begin(target, &OUT_FILES)?;
        let collector = Collector::new(&mut dir, v)?;
        Ok(Self { dir, collector, v })
    }

    /// Takes one run's days (runs in order).
    pub fn on_run(&mut self, run: u32, steps: &[StepRecord]) {
        self.collector.on_run(run, steps);
    }

    /// Writes the rest and puts every file in place, computing the summary and digest.
    pub fn finish(self, outcome: &Outcome) -> Result<(), ReportError> {
        let json_text = summary_text(self.v, outcome)?;
        let d = digest(self.v, outcome);
        self.finish_with(outcome, &json_text, &d)
    }

    /// As [`RunWriter::finish`], with the summary text and digest a front end already has.
    pub fn finish_with(
        self,
        outcome: &Outcome,
        json_text: &str,
        digest: &Digest,
    ) -> Result<(), ReportError> {
        let RunWriter {
            mut dir,
            collector,
            v,
        } = self;
        write_files(&mut dir, v, outcome, collector, json_text, digest)?;
        dir.commit()
    }
}

/// Writes a run's whole set of files into `target` for an outcome whose runs' day records are
/// at hand, `steps` in run order (the Python package keeps them): the same files, by the same
/// code, as `flywheel run --out`.
pub fn write_out(
    target: &Path,
    v: &Validated,
    outcome: &Outcome,
    steps: &[(u32, Vec<StepRecord>)],
) -> Result<(), ReportError> {
    let mut w = RunWriter::begin(target, v)?;
    for (run, s) in steps {
        w.on_run(*run, s);
    }
    w.finish(outcome)
}

/// Every file `--out` writes.
pub const OUT_FILES: [&str; 10] = [
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
pub const CHARTS: [(&str, &str, &str); 6] = [
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

/// Writes every file but `steps.csv`'s rows (which `c` has written) into `dir`.
pub fn write_files(
    dir: &mut OutDir,
    v: &Validated,
    outcome: &Outcome,
    c: Collector,
    json_text: &str,
    digest: &Digest,
) -> Result<(), ReportError> {
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
    let mut html = html::run_report(v, outcome.runs.len(), digest, &svgs, &bands_note);
    priority::add_to_html(&mut html, v, outcome);
    dir.write("report.html", html.as_bytes())
}
