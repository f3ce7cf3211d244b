//! The per-day steps table: one row per run and day, its columns defined once here. The
//! `steps.csv` writer and the Python package's frame are both built from [`COLUMNS`], so they
//! have the same columns in the same order; the CSV keeps amounts exact, the frame as floats.

use alloy_primitives::U256;
use flywheel_protocol::units::format_amount;
use flywheel_sim::agents::wei_to_tokens;
use flywheel_sim::engine::StepRecord;
use std::io::Write;

/// One day of one run, with what a row needs beyond the day's record.
pub struct Day<'a> {
    /// The run's index.
    pub run: u32,
    /// The day's record.
    pub step: &'a StepRecord,
    /// Genesis supply (wei): minted is counted from it.
    pub genesis: U256,
    /// Cumulative burn at the end of the previous day (wei): the day's burn is the change.
    pub prev_burned: U256,
}

/// A cell's value, typed so each writer can render it its own way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A count (run, day, calls…).
    Count(u64),
    /// A float as simulated (prices in USD).
    Float(f64),
    /// A ZK amount in wei: exact in the CSV, tokens as a float in the frame.
    Zk(U256),
}

/// What a column holds (the variant of [`Value`] its `value` gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// [`Value::Count`].
    Count,
    /// [`Value::Float`].
    Float,
    /// [`Value::Zk`].
    Zk,
}

/// A column: its name, its kind and how a day gives its value.
pub struct Column {
    /// The header name.
    pub name: &'static str,
    /// What it holds, known without a row (an empty frame still has typed columns).
    pub kind: Kind,
    /// The value on one day.
    pub value: fn(&Day<'_>) -> Value,
}

/// Every column, in order: `steps.csv`'s and the Python frame's.
pub const COLUMNS: [Column; 20] = [
    Column {
        name: "run",
        kind: Kind::Count,
        value: |d| Value::Count(u64::from(d.run)),
    },
    Column {
        name: "day",
        kind: Kind::Count,
        value: |d| Value::Count(u64::from(d.step.day)),
    },
    Column {
        name: "calls",
        kind: Kind::Count,
        value: |d| Value::Count(d.step.calls),
    },
    Column {
        name: "bundles",
        kind: Kind::Count,
        value: |d| Value::Count(d.step.bundles),
    },
    Column {
        name: "fixed_calls",
        kind: Kind::Count,
        value: |d| Value::Count(d.step.fixed_calls),
    },
    Column {
        name: "zk_usd",
        kind: Kind::Float,
        value: |d| Value::Float(d.step.zk_usd),
    },
    Column {
        name: "eth_usd",
        kind: Kind::Float,
        value: |d| Value::Float(d.step.eth_usd),
    },
    Column {
        name: "dynamic_fee_usd",
        kind: Kind::Float,
        value: |d| Value::Float(d.step.dynamic_fee_usd),
    },
    Column {
        name: "pool_usd",
        kind: Kind::Float,
        value: |d| Value::Float(d.step.pool_usd),
    },
    Column {
        name: "supply_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.supply),
    },
    Column {
        name: "minted_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.minted.saturating_sub(d.genesis)),
    },
    Column {
        name: "burned_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.burned),
    },
    Column {
        name: "daily_burn_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.burned.saturating_sub(d.prev_burned)),
    },
    Column {
        name: "distributed_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.distributed),
    },
    Column {
        name: "fixed_fees_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.fixed_fees),
    },
    Column {
        name: "settlement_fees_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.settlement_fees),
    },
    Column {
        name: "auction_paid_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.auction_paid),
    },
    Column {
        name: "auction_claims",
        kind: Kind::Count,
        value: |d| Value::Count(d.step.totals.auction_claims),
    },
    Column {
        name: "failed_settlements",
        kind: Kind::Count,
        value: |d| Value::Count(d.step.totals.failed_settlements),
    },
    Column {
        name: "staking_rewards_zk",
        kind: Kind::Zk,
        value: |d| Value::Zk(d.step.totals.staking_rewards),
    },
];

/// `steps.csv`'s header line, newline included.
pub fn header() -> String {
    let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    format!("{}\n", names.join(","))
}

/// Calls `f` with every day of one run, in order.
fn days(run: u32, steps: &[StepRecord], genesis: U256, mut f: impl FnMut(&Day<'_>)) {
    let mut prev_burned = U256::ZERO;
    for step in steps {
        f(&Day {
            run,
            step,
            genesis,
            prev_burned,
        });
        prev_burned = step.totals.burned;
    }
}

/// Writes one run's rows of `steps.csv` (amounts exact, as `format_amount` prints them).
pub fn write_csv(
    w: &mut dyn Write,
    run: u32,
    steps: &[StepRecord],
    genesis: U256,
) -> std::io::Result<()> {
    let mut result = Ok(());
    days(run, steps, genesis, |d| {
        if result.is_err() {
            return;
        }
        result = (|| {
            for (i, c) in COLUMNS.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                match (c.value)(d) {
                    Value::Count(n) => write!(w, "{n}")?,
                    Value::Float(x) => write!(w, "{x}")?,
                    Value::Zk(wei) => w.write_all(format_amount(wei).as_bytes())?,
                }
            }
            w.write_all(b"\n")
        })();
    });
    result
}

/// One column of the frame: counts as integers, everything else as floats (ZK in tokens).
#[derive(Debug, Clone, PartialEq)]
pub enum FrameColumn {
    /// Whole numbers.
    Counts(Vec<u64>),
    /// Floats (USD prices, ZK amounts in tokens).
    Floats(Vec<f64>),
}

/// Every run's days as columns, in [`COLUMNS`]' order: the frame of the Python package.
pub fn frame(runs: &[(u32, Vec<StepRecord>)], genesis: U256) -> Vec<(&'static str, FrameColumn)> {
    let n: usize = runs.iter().map(|(_, s)| s.len()).sum();
    let mut cols: Vec<(&'static str, FrameColumn)> = COLUMNS
        .iter()
        .map(|c| {
            let col = match c.kind {
                Kind::Count => FrameColumn::Counts(Vec::with_capacity(n)),
                Kind::Float | Kind::Zk => FrameColumn::Floats(Vec::with_capacity(n)),
            };
            (c.name, col)
        })
        .collect();
    for (run, steps) in runs {
        days(*run, steps, genesis, |d| {
            for (c, (_, col)) in COLUMNS.iter().zip(cols.iter_mut()) {
                match ((c.value)(d), col) {
                    (Value::Count(x), FrameColumn::Counts(v)) => v.push(x),
                    (Value::Float(x), FrameColumn::Floats(v)) => v.push(x),
                    (Value::Zk(w), FrameColumn::Floats(v)) => v.push(wei_to_tokens(w)),
                    // Every column's value has its kind (the tests check each one).
                    _ => {}
                }
            }
        });
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::*;
    use flywheel_sim::monte_carlo::{simulate, Options};
    use flywheel_sim::presets;

    fn runs() -> (U256, Vec<(u32, Vec<StepRecord>)>) {
        let mut s = presets::preset("v31-baseline").expect("preset");
        s.set_horizon(20);
        s.runs = 3;
        let v = s.validate().expect("valid");
        let opts = Options {
            runs: 3,
            fidelity: v.scenario.fidelity,
        };
        let mut kept = Vec::new();
        simulate(&v, opts, true, |r, st| kept.push((r, st.to_vec())), &|_| {}).expect("runs");
        (v.genesis_supply, kept)
    }

    #[test]
    fn every_column_gives_the_kind_it_declares() {
        let (genesis, all) = runs();
        let (run, steps) = &all[0];
        days(*run, steps, genesis, |d| {
            for c in &COLUMNS {
                let kind = match (c.value)(d) {
                    Value::Count(_) => Kind::Count,
                    Value::Float(_) => Kind::Float,
                    Value::Zk(_) => Kind::Zk,
                };
                assert_eq!(kind, c.kind, "{}", c.name);
            }
        });
    }

    #[test]
    fn the_csv_and_the_frame_have_the_same_columns_and_values() {
        let (genesis, all) = runs();
        let mut csv = header().into_bytes();
        for (run, steps) in &all {
            write_csv(&mut csv, *run, steps, genesis).expect("writes");
        }
        let csv = String::from_utf8(csv).expect("utf-8");
        let mut lines = csv.lines();
        let names: Vec<&str> = lines.next().expect("header").split(',').collect();
        let frame = frame(&all, genesis);
        let frame_names: Vec<&str> = frame.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, frame_names);
        assert_eq!(names.last(), Some(&"staking_rewards_zk"));
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 60);
        for (k, (name, col)) in frame.iter().enumerate() {
            for (i, row) in rows.iter().enumerate() {
                let cell: f64 = row[k].parse().expect("a number");
                let value = match col {
                    FrameColumn::Counts(v) => v[i] as f64,
                    FrameColumn::Floats(v) => v[i],
                };
                let tol = 1e-9 * cell.abs().max(1.0);
                assert!(
                    (cell - value).abs() <= tol,
                    "{name} row {i}: {cell} vs {value}"
                );
            }
        }
    }
}
