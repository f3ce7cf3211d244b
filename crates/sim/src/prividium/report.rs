//! What reports show of the Prividiums: the share table's rows, the summary's `prividium`
//! section and the representative run.

use super::*;
use crate::scenario::Validated;
use alloy_primitives::U256;

/// Every figure's name, the Prividiums' value, the public chains' and the total, for reports.
pub fn rows(s: &Shares) -> Vec<(&'static str, U256, U256, U256)> {
    let (p, q, a) = (s.prividium, s.public(), s.all);
    vec![
        (
            "calls",
            U256::from(p.calls),
            U256::from(q.calls),
            U256::from(a.calls),
        ),
        (
            "fixed-fee calls",
            U256::from(p.fixed_calls),
            U256::from(q.fixed_calls),
            U256::from(a.fixed_calls),
        ),
        (
            "bundles",
            U256::from(p.bundles),
            U256::from(q.bundles),
            U256::from(a.bundles),
        ),
        ("fixed ZK fees", p.fixed_fees, q.fixed_fees, a.fixed_fees),
        (
            "settlement fees",
            p.settlement_fees,
            q.settlement_fees,
            a.settlement_fees,
        ),
        (
            "ZK fees",
            p.fixed_fees + p.settlement_fees,
            q.fixed_fees + q.settlement_fees,
            a.fixed_fees + a.settlement_fees,
        ),
        (
            "ETH fees",
            p.base_fees_eth,
            q.base_fees_eth,
            a.base_fees_eth,
        ),
        (
            "bridged-ZK fees",
            p.base_fees_zk,
            q.base_fees_zk,
            a.base_fees_zk,
        ),
        ("ZK burned", p.burned, q.burned, a.burned),
    ]
}

/// `part / total` in basis points, rounded down (0 when the total is 0).
pub fn share_bps(part: U256, total: U256) -> u64 {
    if total.is_zero() {
        return 0;
    }
    u64::try_from(part * U256::from(10_000u64) / total).unwrap_or(10_000)
}

/// The run whose reported figures stand for the runs: the nearest-rank median of total burn
/// (the earliest run on ties), so all its figures come from one run and add up.
pub fn representative(
    runs: &[crate::monte_carlo::RunTotals],
) -> Option<&crate::monte_carlo::RunTotals> {
    crate::summary::median_run(runs)
}

/// The summary's `prividium` object, when the scenario has institutions.
pub fn summary(v: &Validated, runs: &[crate::monte_carlo::RunTotals]) -> Option<serde_json::Value> {
    if v.scenario.prividium.institutions.is_empty() {
        return None;
    }
    let r = representative(runs)?;
    let mut figures = serde_json::Map::new();
    for (name, p, q, a) in rows(&r.prividium) {
        figures.insert(
            name.to_lowercase().replace([' ', '-'], "_"),
            serde_json::json!({
                "prividium": p.to_string(),
                "public": q.to_string(),
                "total": a.to_string(),
                "prividium_share_bps": share_bps(p, a),
            }),
        );
    }
    let names: Vec<&str> = v
        .scenario
        .prividium
        .institutions
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    Some(serde_json::json!({
        "institutions": names,
        "run": r.run,
        "figures": figures,
    }))
}
