//! Agent policies: pure functions from what an agent observes to what it does. Both
//! fidelities call the same policies, so they make the same decisions.

use crate::scenario::{FeeModeChoice, OperatorPolicy};
use alloy_primitives::U256;

/// Prices the policies see, USD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prices {
    /// ZK/USD.
    pub zk: f64,
    /// ETH/USD.
    pub eth: f64,
}

/// Wei to whole tokens as a float (for valuations and charts only).
pub fn wei_to_tokens(v: U256) -> f64 {
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    let [a, b, c, d] = *v.as_limbs();
    (((d as f64 * TWO_64 + c as f64) * TWO_64 + b as f64) * TWO_64 + a as f64) / 1e18
}

/// The operator's `interopProtocolFee` in its base token's wei: the settlement fee's value at
/// today's prices, times `1 + margin` — or zero. A pricing decision, so computed in floating
/// point from prices and rounded to whole wei (deterministic: IEEE arithmetic); every amount
/// moved with it is integer.
pub fn operator_fee(
    policy: OperatorPolicy,
    margin: f64,
    settlement_fee_zk_wei: U256,
    zk_usd: f64,
    base_usd: f64,
) -> U256 {
    match policy {
        OperatorPolicy::Zero => U256::ZERO,
        OperatorPolicy::Cover => {
            let wei =
                wei_to_tokens(settlement_fee_zk_wei) * (zk_usd / base_usd) * (1.0 + margin) * 1e18;
            if !wei.is_finite() || wei <= 0.0 {
                return U256::ZERO;
            }
            // Round half up; below 2^64 wei a plain conversion avoids a 128-bit helper call.
            let rounded = wei + 0.5;
            if rounded < 18_446_744_073_709_551_615.0 {
                U256::from(rounded as u64)
            } else {
                U256::from(rounded.min(u128::MAX as f64) as u128)
            }
        }
    }
}

/// How many of `calls` pay the fixed ZK fee: the always-fixed share (rounded down), plus all
/// the others when the users' rule picks the fixed fee.
pub fn fixed_calls(
    choice: FeeModeChoice,
    always_fixed_share: f64,
    calls: u64,
    dynamic_fee_usd: f64,
    fixed_fee_usd: f64,
) -> u64 {
    // Truncation is floor for these non-negative values, without a libm call.
    let sticky = ((calls as f64) * always_fixed_share) as u64;
    let rest = calls - sticky.min(calls);
    let rest_fixed = match choice {
        FeeModeChoice::Fixed => true,
        FeeModeChoice::Dynamic => false,
        FeeModeChoice::Cheapest => fixed_fee_usd < dynamic_fee_usd,
    };
    sticky.min(calls) + if rest_fixed { rest } else { 0 }
}

/// Splits a count by fixed shares with the largest-remainder rule, so the parts always sum to
/// the total and the same input always gives the same split. The shares are turned once into
/// integer weights (units of 2^-32 summing to exactly 2^32), so a daily split is integer-only.
#[derive(Debug, Clone)]
pub struct ShareSplit {
    weights: Vec<u64>,
}

const ONE: u64 = 1 << 32;

impl ShareSplit {
    /// Weights for shares summing to 1 (validated by the scenario).
    pub fn new(shares: &[f64]) -> Self {
        let mut weights: Vec<u64> = shares
            .iter()
            .map(|s| (s.clamp(0.0, 1.0) * ONE as f64) as u64)
            .collect();
        let sum: u64 = weights.iter().sum();
        // Give the rounding difference to the largest share so the weights sum to exactly 1.
        if let Some(max) = (0..weights.len()).max_by_key(|i| (weights[*i], usize::MAX - i)) {
            weights[max] = (weights[max] + ONE).saturating_sub(sum);
        }
        Self { weights }
    }

    /// Splits `total` into `out` (one part per share).
    pub fn split(&self, total: u64, out: &mut Vec<u64>) {
        out.clear();
        if let [_] = self.weights[..] {
            out.push(total);
            return;
        }
        let mut assigned = 0u64;
        // Scenarios allow at most 64 chains: a stack buffer keeps the split allocation-free.
        let mut rems = [0u64; 64];
        for (i, w) in self.weights.iter().take(64).enumerate() {
            let exact = u128::from(total) * u128::from(*w);
            let part = (exact >> 32) as u64;
            out.push(part);
            assigned += part;
            rems[i] = (exact as u64) & (ONE - 1);
        }
        let n = out.len();
        // Fewer units are left than there are shares: each goes to the largest remainder left
        // (lowest index on ties).
        let mut left = total.saturating_sub(assigned);
        while left > 0 {
            let mut best = 0;
            for i in 1..n {
                if rems[i] > rems[best] {
                    best = i;
                }
            }
            out[best] += 1;
            rems[best] = 0;
            left -= 1;
        }
    }
}

/// The claimer's rule: claim when the pool is worth at least the threshold plus gas (the
/// caller also checks, in integers, that the claimer holds the threshold).
pub fn should_claim(pool_usd: f64, threshold_zk: f64, zk_usd: f64, gas_usd: f64) -> bool {
    pool_usd > 0.0 && pool_usd >= threshold_zk * zk_usd + gas_usd
}

#[cfg(test)]
mod tests {
    use super::*;
    use flywheel_protocol::units::tokens;

    #[test]
    fn operator_covers_the_settlement_fee_with_margin() {
        // 10 ZK at $0.02 = $0.20; in ETH at $2000 = 0.0001 ETH; +10% = 0.00011 ETH.
        let fee = operator_fee(OperatorPolicy::Cover, 0.1, tokens(10), 0.02, 2000.0);
        assert_eq!(fee, tokens(11) / U256::from(100_000u64));
        assert_eq!(
            operator_fee(OperatorPolicy::Zero, 0.1, tokens(10), 0.02, 2000.0),
            U256::ZERO
        );
    }

    #[test]
    fn users_pick_the_cheaper_mode() {
        assert_eq!(
            fixed_calls(FeeModeChoice::Cheapest, 0.0, 100, 0.2, 0.1),
            100
        );
        assert_eq!(fixed_calls(FeeModeChoice::Cheapest, 0.0, 100, 0.1, 0.2), 0);
        assert_eq!(fixed_calls(FeeModeChoice::Dynamic, 0.25, 100, 1.0, 0.0), 25);
        assert_eq!(fixed_calls(FeeModeChoice::Fixed, 0.0, 7, 0.0, 1.0), 7);
    }

    #[test]
    fn shares_split_exactly() {
        let mut out = Vec::new();
        ShareSplit::new(&[0.6, 0.3, 0.1]).split(10, &mut out);
        assert_eq!(out, vec![6, 3, 1]);
        let thirds = ShareSplit::new(&[1.0 / 3.0; 3]);
        thirds.split(7, &mut out);
        assert_eq!(out.iter().sum::<u64>(), 7);
        assert_eq!(out, vec![3, 2, 2]);
        for total in [0, 1, 2, 999_999_999_999, u64::MAX / 4] {
            thirds.split(total, &mut out);
            assert_eq!(out.iter().sum::<u64>(), total);
        }
        ShareSplit::new(&[1.0]).split(5, &mut out);
        assert_eq!(out, vec![5]);
    }

    #[test]
    fn claimer_needs_profit() {
        assert!(should_claim(2000.0, 100_000.0, 0.01, 5.0));
        assert!(!should_claim(1004.0, 100_000.0, 0.01, 5.0));
        assert!(!should_claim(0.0, 0.0, 0.01, 0.0));
    }

    #[test]
    fn wei_conversion() {
        assert_eq!(wei_to_tokens(tokens(3)), 3.0);
        assert_eq!(wei_to_tokens(U256::ZERO), 0.0);
    }
}
