//! The run summary: the figures users compare, as integers in wei (decimal strings) with
//! p5/p50/p95 across runs. The JSON shape is a stable interface.

use crate::monte_carlo::{Outcome, RunTotals};
use crate::scenario::{Fidelity, Validated};
use alloy_primitives::U256;
use serde_json::{json, Map, Value};

/// The nearest-rank quantile of integers (exact: every run's figure is kept).
pub fn quantile_u256(values: &mut [U256], q: f64) -> U256 {
    quantile(values, q).unwrap_or(U256::ZERO)
}

/// The nearest-rank quantile of any ordered values (sorts them), `None` when there are none:
/// the one rank rule of every exact percentile (signed differences use it too).
pub fn quantile<T: Ord + Copy>(values: &mut [T], q: f64) -> Option<T> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    Some(values[rank - 1])
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

/// The median run by cumulative burn: the run of nearest rank ⌈n/2⌉ when runs are ordered by
/// ZK burned (then by index). Its burn is the median burn, and its figures come from one path,
/// so they add up — unlike per-figure medians, which may each come from a different run.
pub fn median_run(runs: &[RunTotals]) -> Option<&RunTotals> {
    let mut order: Vec<&RunTotals> = runs.iter().collect();
    order.sort_by_key(|r| (r.totals.burned, r.run));
    let rank = runs.len().div_ceil(2).max(1);
    order.get(rank - 1).copied()
}

/// One run's figures and its Splitter flows, as `summary.json`'s `median_run`.
pub fn run_json(r: &RunTotals) -> Value {
    let mut zk = Map::new();
    for (name, value) in figures(r) {
        zk.insert(name.into(), json!(value.to_string()));
    }
    let sp = &r.splits;
    json!({
        "run": r.run,
        "calls": r.calls,
        "bundles": r.bundles,
        "auction_claims": r.totals.auction_claims,
        "zk": zk,
        "splits": {
            "sweep_burned_wei": sp.sweep_burned.to_string(),
            "sweep_distributed_wei": sp.sweep_distributed.to_string(),
            "claim_burned_wei": sp.claim_burned.to_string(),
            "claim_distributed_wei": sp.claim_distributed.to_string(),
        },
    })
}

/// What a run was asked to do, in full: the resolved scenario (every default filled in) as
/// TOML and as JSON, the seed, the fidelity and the flywheel version — so a saved report can be
/// audited and re-run.
pub fn inputs(v: &Validated, fidelity: Fidelity) -> Value {
    let (toml, json_value) = match (v.scenario.to_toml(), v.scenario.to_json()) {
        (Ok(t), Ok(j)) => (Value::String(t), j),
        (Err(e), _) | (_, Err(e)) => (Value::Null, json!({ "error": e.to_string() })),
    };
    json!({
        "scenario": json_value,
        "scenario_toml": toml,
        "seed": v.scenario.seed,
        "fidelity": fidelity_name(fidelity),
        "version": VERSION,
    })
}

/// The flywheel version that wrote a summary (the workspace's).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The fidelity's name as files, the API and Python give it (`flow`, `event`): the one
/// spelling every front end uses.
pub fn fidelity_name(f: Fidelity) -> &'static str {
    match f {
        Fidelity::Flow => "flow",
        Fidelity::Event => "event",
    }
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
        "fidelity": fidelity_name(fidelity),
        "version": VERSION,
        "calls_total": as_u64(c50),
        "bundles_total": as_u64(b50),
        "zk": zk,
        "zk_note": "each figure of `zk` is its own median across runs (exact); `median_run` is one run, the median by ZK burned, whose figures add up",
        "auction": {"claims": as_u64(a50)},
        "inputs": inputs(v, fidelity),
    });
    if let Some(r) = median_run(runs) {
        out["median_run"] = run_json(r);
    }
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
