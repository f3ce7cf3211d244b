//! Agent policies: pure functions from what an agent observes to what it does. Both
//! fidelities call the same policies, so they make the same decisions.

use crate::ledger::Pool;
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
    if c == 0 && d == 0 {
        // The same operations with the zero terms left out (0 × 2^64 + 0 is exactly 0): the
        // same bits, without two of the four unsigned conversions. Every amount below 2^128
        // wei takes this path, and flow mode converts many a day.
        return (b as f64 * TWO_64 + a as f64) / 1e18;
    }
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

/// A day is divided into this many ticks (about 1.3 s each) for the Fee Flow claimer: the
/// day's inflow arrives evenly over them, and a claim happens at the first tick at which the
/// pool is worth it. Competing claimers claim as soon as that holds, so a day can see many
/// claims; at most one claim per tick.
pub const DAY_TICKS: u32 = 1 << 16;

/// What the claimer sees of a day: the pool carried in, the day's inflow arriving evenly, the
/// prices and the claim's price.
#[derive(Debug, Clone, Copy)]
pub struct ClaimDay {
    /// The day's inflow, arriving evenly over [`DAY_TICKS`].
    pub inflow: Pool,
    /// ETH/USD.
    pub eth_usd: f64,
    /// ZK/USD.
    pub zk_usd: f64,
    /// The threshold, whole ZK.
    pub threshold_zk: f64,
    /// Gas per claim, USD.
    pub gas_usd: f64,
}

impl ClaimDay {
    /// The first tick in `from..=DAY_TICKS` at which a pool holding `pool` now (at tick
    /// `delivered_to`, up to which the inflow has been delivered) is worth a claim, or `None`
    /// if none is in the day. The pool's value only grows with the tick, so this bisects.
    pub fn next_claim(&self, pool: &Pool, delivered_to: u32, from: u32) -> Option<u32> {
        if pool.eth.is_zero() && self.inflow.eth.is_zero() {
            // An empty pool with nothing arriving is worth nothing all day.
            return None;
        }
        let delivered = self.inflow.arrived_by(delivered_to);
        let worth = |tick: u32| {
            let at = pool.plus(&self.inflow.arrived_by(tick).minus(&delivered));
            should_claim(
                at.usd(self.eth_usd),
                self.threshold_zk,
                self.zk_usd,
                self.gas_usd,
            )
        };
        if from > DAY_TICKS || !worth(DAY_TICKS) {
            return None;
        }
        let (mut lo, mut hi) = (from, DAY_TICKS);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if worth(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flywheel_protocol::units::tokens;
    use proptest::prelude::*;

    proptest! {
        /// The short path for amounts under 2^128 wei gives the bits of the full formula.
        #[test]
        fn wei_to_tokens_short_path_is_exact(a in any::<u64>(), b in any::<u64>(), hi in any::<u64>()) {
            const TWO_64: f64 = 18_446_744_073_709_551_616.0;
            let full = |[a, b, c, d]: [u64; 4]| {
                (((d as f64 * TWO_64 + c as f64) * TWO_64 + b as f64) * TWO_64 + a as f64) / 1e18
            };
            for limbs in [[a, b, 0, 0], [a, 0, 0, 0], [a, b, hi, 0], [a, b, 0, hi]] {
                let v = U256::from_limbs(limbs);
                prop_assert_eq!(wei_to_tokens(v).to_bits(), full(limbs).to_bits());
            }
        }
    }

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

    fn eth_day(inflow_eth: u64, threshold_zk: f64) -> ClaimDay {
        ClaimDay {
            inflow: Pool {
                eth: tokens(inflow_eth),
            },
            eth_usd: 1000.0,
            zk_usd: 0.01,
            threshold_zk,
            gas_usd: 0.0,
        }
    }

    /// Walks a day as the engine does: deliver up to each claim, then the claim empties the pool.
    fn claim_ticks(day: &ClaimDay, mut pool: Pool) -> Vec<u32> {
        let (mut ticks, mut delivered_to, mut from) = (Vec::new(), 0, 0);
        while let Some(t) = day.next_claim(&pool, delivered_to, from) {
            pool = Pool::default();
            delivered_to = t;
            from = t + 1;
            ticks.push(t);
        }
        ticks
    }

    #[test]
    fn fast_inflow_means_many_claims_a_day() {
        // 8 ETH a day at $1000 against a $1000 claim (100,000 ZK at $0.01): eight claims, one
        // each time another eighth of the day's inflow has arrived.
        let day = eth_day(8, 100_000.0);
        let ticks = claim_ticks(&day, Pool::default());
        let eighths: Vec<u32> = (1..=8).map(|k| k * DAY_TICKS / 8).collect();
        assert_eq!(ticks, eighths);
        // At 10 ETH a day a claim waits for the first tick past each tenth, and the slack
        // adds up: the tenth claim would need 4 ticks more than the day has.
        assert_eq!(
            claim_ticks(&eth_day(10, 100_000.0), Pool::default()).len(),
            9
        );
        // An eighth of the rate: one claim at the very end of the day, none the day before.
        assert_eq!(
            claim_ticks(&eth_day(1, 100_000.0), Pool::default()),
            vec![DAY_TICKS]
        );
        assert!(claim_ticks(&eth_day(1, 100_001.0), Pool::default()).is_empty());
    }

    #[test]
    fn a_pool_already_worth_it_is_claimed_at_once() {
        let carried = Pool { eth: tokens(2) };
        let day = eth_day(0, 100_000.0);
        assert_eq!(day.next_claim(&carried, 0, 0), Some(0));
        assert_eq!(day.next_claim(&carried, 0, 7), Some(7));
        assert_eq!(day.next_claim(&Pool::default(), 0, 0), None);
    }

    proptest::proptest! {
        #[test]
        fn the_claim_tick_is_the_first_worth_it(
            inflow in 0u128..1_000_000_000_000_000_000_000,
            carry in 0u128..1_000_000_000_000_000_000,
            threshold in 100_000.0f64..10_000_000.0,
            from in 0u32..=DAY_TICKS,
        ) {
            let day = ClaimDay {
                inflow: Pool { eth: U256::from(inflow) },
                eth_usd: 3000.0,
                zk_usd: 0.0145,
                threshold_zk: threshold,
                gas_usd: 5.0,
            };
            let pool = Pool { eth: U256::from(carry) };
            let worth = |t: u32| {
                let at = pool.plus(&day.inflow.arrived_by(t));
                should_claim(at.usd(3000.0), threshold, 0.0145, 5.0)
            };
            match day.next_claim(&pool, 0, from) {
                Some(t) => {
                    proptest::prop_assert!(t >= from && worth(t));
                    proptest::prop_assert!(t == from || !worth(t - 1));
                }
                None => proptest::prop_assert!(!worth(DAY_TICKS)),
            }
        }
    }

    #[test]
    fn wei_conversion() {
        assert_eq!(wei_to_tokens(tokens(3)), 3.0);
        assert_eq!(wei_to_tokens(U256::ZERO), 0.0);
    }
}
