//! The digest of a run: the summary table's rows, one run's figures (the median run by ZK
//! burned, so that they add up) with each row's own p5–p95 across runs, and the seed table
//! check. The terminal, `report.html` and every front end show this one digest.

use crate::number as fmt;
use alloy_primitives::U256;
use flywheel_protocol::units::tokens;
use flywheel_sim::agents::wei_to_tokens;
use flywheel_sim::monte_carlo::{Outcome, RunTotals};
use flywheel_sim::presets;
use flywheel_sim::scenario::Validated;
use flywheel_sim::summary::quantile_u256;

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
    /// The check's columns, as the terminal and `report.html` show them.
    pub const HEADER: [&'static str; 6] = [
        "calls/day",
        "seed ZK/day",
        "simulated ZK/day",
        "seed ZK/year",
        "simulated ZK/year",
        "match",
    ];

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

/// The digest of an outcome of `v`.
pub fn digest(v: &Validated, outcome: &Outcome) -> Digest {
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

#[cfg(test)]
mod tests {
    use super::*;
    use flywheel_sim::monte_carlo::{simulate, Options};
    use flywheel_sim::scenario::{Fidelity, Scenario};

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
