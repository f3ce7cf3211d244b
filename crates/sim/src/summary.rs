//! The run summary: the figures users compare, as integers in wei (decimal strings) with
//! p5/p50/p95 across runs. The JSON shape is a stable interface.

use crate::monte_carlo::{Outcome, RunTotals};
use crate::scenario::{Fidelity, Validated};
use alloy_primitives::U256;
use serde_json::{json, Map, Value};

/// The nearest-rank quantile of integers (exact: every run's figure is kept).
pub fn quantile_u256(values: &mut [U256], q: f64) -> U256 {
    if values.is_empty() {
        return U256::ZERO;
    }
    values.sort_unstable();
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

/// Named closing figures of a run, in the summary's order.
pub fn figures(r: &RunTotals) -> [(&'static str, U256); 9] {
    let t = &r.totals;
    [
        ("supply_start_wei", r.supply_start),
        ("supply_end_wei", t.supply),
        ("minted_wei", t.minted - r.supply_start),
        ("burned_wei", t.burned),
        ("distributed_wei", t.distributed),
        ("fixed_fees_wei", t.fixed_fees),
        ("settlement_fees_wei", t.settlement_fees),
        ("auction_paid_wei", t.auction_paid),
        ("staking_rewards_wei", t.staking_rewards),
    ]
}

fn band(values: &mut [U256]) -> (U256, U256, U256) {
    (
        quantile_u256(values, 0.05),
        quantile_u256(values, 0.5),
        quantile_u256(values, 0.95),
    )
}

/// Builds `summary.json`'s object.
pub fn summary(v: &Validated, fidelity: Fidelity, outcome: &Outcome) -> Value {
    let runs = &outcome.runs;
    let n = runs.len();
    let col = |f: &dyn Fn(&RunTotals) -> U256| -> Vec<U256> { runs.iter().map(f).collect() };
    let mut zk = Map::new();
    let mut bands = Map::new();
    for (i, (name, _)) in figures(&runs[0]).iter().enumerate() {
        let mut values = col(&|r| figures(r)[i].1);
        let (p5, p50, p95) = band(&mut values);
        zk.insert((*name).into(), json!(p50.to_string()));
        bands.insert(
            format!("zk.{name}"),
            json!({"p5": p5.to_string(), "p50": p50.to_string(), "p95": p95.to_string()}),
        );
    }
    let mut calls = col(&|r| U256::from(r.calls));
    let mut bundles = col(&|r| U256::from(r.bundles));
    let mut claims = col(&|r| U256::from(r.totals.auction_claims));
    let (c5, c50, c95) = band(&mut calls);
    let (b5, b50, b95) = band(&mut bundles);
    let (a5, a50, a95) = band(&mut claims);
    let as_u64 = |x: U256| u64::try_from(x).unwrap_or(u64::MAX);
    let mut out = json!({
        "scenario": v.scenario.name,
        "seed": v.scenario.seed,
        "runs": n,
        "days": v.scenario.days,
        "fidelity": match fidelity { Fidelity::Flow => "flow", Fidelity::Event => "event" },
        "calls_total": as_u64(c50),
        "bundles_total": as_u64(b50),
        "zk": zk,
        "auction": {"claims": as_u64(a50)},
    });
    if n > 1 {
        bands.insert(
            "calls_total".into(),
            json!({"p5": as_u64(c5), "p50": as_u64(c50), "p95": as_u64(c95)}),
        );
        bands.insert(
            "bundles_total".into(),
            json!({"p5": as_u64(b5), "p50": as_u64(b50), "p95": as_u64(b95)}),
        );
        bands.insert(
            "auction.claims".into(),
            json!({"p5": as_u64(a5), "p50": as_u64(a50), "p95": as_u64(a95)}),
        );
        out["bands"] = Value::Object(bands);
    }
    let reports: Vec<_> = runs.iter().filter_map(|r| r.priority).collect();
    if let Some(p) = crate::priority_mode::summary_json(&reports) {
        out["priority_mode"] = p;
    }
    if let Some(p) = crate::prividium::summary(v, runs) {
        out["prividium"] = p;
    }
    out
}
