//! What a run reports of the Stage 1 chain ([`PriorityReport`]) and the summary's
//! `priority_mode` medians over runs.

use alloy_primitives::U256;
use serde::{Deserialize, Serialize};

/// What happened to the Stage 1 chain over a run. Times are seconds; amounts are wei of ETH,
/// its base token; gas prices are the reference L2 gas price the armed bound applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityReport {
    /// Deposits requested.
    pub requests: u64,
    /// Deposits processed on L2.
    pub processed: u64,
    /// Deposits still waiting at the end.
    pub pending: u64,
    /// Median delay from request to processing (nearest rank, processed deposits).
    pub delay_p50_s: u64,
    /// 95th percentile of that delay.
    pub delay_p95_s: u64,
    /// Longest delay of a processed deposit.
    pub delay_max_s: u64,
    /// Mean delay (floored).
    pub delay_mean_s: u64,
    /// Age of the oldest deposit still waiting at the end (0 if none).
    pub oldest_pending_s: u64,
    /// Times priority mode was activated.
    pub activations: u64,
    /// Seconds from the run's start to the first activation.
    pub first_activation_s: Option<u64>,
    /// Times a ZIP deactivated it.
    pub deactivations: u64,
    /// Committed batches the activations reverted.
    pub reverted_batches: u64,
    /// Batches the rescuer settled through the permissionless validator.
    pub validator_batches: u64,
    /// Times the operator tried to settle in priority mode and was refused.
    pub operator_refusals: u64,
    /// Interop sends refused because the chain settles on L1 (`NotInGatewayMode`).
    pub interop_refused: u64,
    /// L2 fees the depositors paid (the base cost of every request).
    pub deposit_fees_wei: U256,
    /// Fees of processed deposits earned by the operator (producer of its batches).
    pub fees_to_operator_wei: U256,
    /// Fees of processed deposits earned by the rescuer (producer of the permissionless ones).
    pub fees_to_rescuer_wei: U256,
    /// Reference L2 gas price at the start.
    pub gas_price_start_wei: U256,
    /// Highest reference L2 gas price over the run.
    pub gas_price_max_wei: U256,
    /// Reference L2 gas price at the end.
    pub gas_price_end_wei: U256,
}

impl PriorityReport {
    /// Every figure by name, as integers (`first_activation_s` is absent when priority mode
    /// never activated).
    pub fn figures(&self) -> Vec<(&'static str, U256)> {
        let u = |x: u64| U256::from(x);
        let mut v = vec![
            ("requests", u(self.requests)),
            ("processed", u(self.processed)),
            ("pending", u(self.pending)),
            ("delay_p50_s", u(self.delay_p50_s)),
            ("delay_p95_s", u(self.delay_p95_s)),
            ("delay_max_s", u(self.delay_max_s)),
            ("delay_mean_s", u(self.delay_mean_s)),
            ("oldest_pending_s", u(self.oldest_pending_s)),
            ("activations", u(self.activations)),
            ("deactivations", u(self.deactivations)),
            ("reverted_batches", u(self.reverted_batches)),
            ("validator_batches", u(self.validator_batches)),
            ("operator_refusals", u(self.operator_refusals)),
            ("interop_refused", u(self.interop_refused)),
            ("deposit_fees_wei", self.deposit_fees_wei),
            ("fees_to_operator_wei", self.fees_to_operator_wei),
            ("fees_to_rescuer_wei", self.fees_to_rescuer_wei),
            ("gas_price_start_wei", self.gas_price_start_wei),
            ("gas_price_max_wei", self.gas_price_max_wei),
            ("gas_price_end_wei", self.gas_price_end_wei),
        ];
        if let Some(t) = self.first_activation_s {
            v.push(("first_activation_s", u(t)));
        }
        v
    }
}

/// The summary's `priority_mode` object: the median across runs of each figure (wei as
/// decimal strings, counts and seconds as numbers), or `None` without a Stage 1 chain.
pub fn summary_json(reports: &[PriorityReport]) -> Option<serde_json::Value> {
    let first = reports.first()?;
    let mut out = serde_json::Map::new();
    for (name, _) in first.figures() {
        let mut values: Vec<U256> = reports
            .iter()
            .filter_map(|r| {
                r.figures()
                    .into_iter()
                    .find(|(n, _)| *n == name)
                    .map(|f| f.1)
            })
            .collect();
        let median = crate::summary::quantile_u256(&mut values, 0.5);
        let value = if name.ends_with("_wei") {
            serde_json::json!(median.to_string())
        } else {
            serde_json::json!(u64::try_from(median).unwrap_or(u64::MAX))
        };
        out.insert(name.to_string(), value);
    }
    Some(serde_json::Value::Object(out))
}

/// Nearest-rank quantile of sorted values.
pub(super) fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
