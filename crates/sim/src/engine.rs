//! One simulated path: each day the agents observe prices and state, decide, and a ledger
//! (flow or event fidelity) carries the decisions out. The order inside a day is fixed:
//! governance changes, prices, operators' fees, users' traffic, settlement, operators' claims,
//! the vault sweep, the Fee Flow claimer, then the day's record.

use crate::agents::{self, wei_to_tokens};
use crate::ledger::{Ledger, SimError, Totals};
use crate::process::{PricePath, TrafficPath};
use crate::scenario::{BaseToken, Validated};
use alloy_primitives::U256;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// What one day of one path looked like.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepRecord {
    /// Day index from 0.
    pub day: u32,
    /// Interop calls sent that day.
    pub calls: u64,
    /// Bundles they were sent in.
    pub bundles: u64,
    /// Of the calls, those paying the fixed ZK fee.
    pub fixed_calls: u64,
    /// ZK price, USD.
    pub zk_usd: f64,
    /// ETH price, USD.
    pub eth_usd: f64,
    /// The first chain's dynamic fee per call, USD.
    pub dynamic_fee_usd: f64,
    /// Value of the Fee Flow pool after the day, USD.
    pub pool_usd: f64,
    /// Cumulative figures after the day.
    pub totals: Totals,
}

/// The random streams of run `run`: traffic and prices draw from separate ChaCha streams of
/// the scenario seed, so changing one process never shifts the other's draws.
pub fn streams(seed: u64, run: u32) -> (ChaCha8Rng, ChaCha8Rng) {
    let mut traffic = ChaCha8Rng::seed_from_u64(seed);
    traffic.set_stream(2 * u64::from(run));
    let mut prices = ChaCha8Rng::seed_from_u64(seed);
    prices.set_stream(2 * u64::from(run) + 1);
    (traffic, prices)
}

/// Runs path `run` of a scenario on `ledger`, handing each day's record to `record`.
pub fn run_path<L: Ledger>(
    v: &Validated,
    ledger: &mut L,
    run: u32,
    mut record: impl FnMut(&StepRecord),
) -> Result<Totals, SimError> {
    let s = &v.scenario;
    let (mut trng, mut prng) = streams(s.seed, run);
    let mut traffic = TrafficPath::new(&s.traffic);
    let mut zk_price = PricePath::new(&s.prices.zk);
    let mut eth_price = PricePath::new(&s.prices.eth);
    let n = s.chains.len();
    let shares: Vec<f64> = s.chains.iter().map(|c| c.traffic_share).collect();
    let dest = |i: usize| if n > 1 { (i + 1) % n } else { n };
    let mut per_chain = Vec::with_capacity(n);
    let mut dyn_usd = vec![0.0; n];
    let mut next_change = 0;
    for day in 0..s.days {
        while let Some(c) = v.changes.get(next_change).filter(|c| c.day == day) {
            ledger.apply_change(c)?;
            next_change += 1;
        }
        let zk = zk_price.next(&mut prng);
        let eth = eth_price.next(&mut prng);
        let (fixed_fee, settlement_fee, threshold) = ledger.params();
        for (i, c) in s.chains.iter().enumerate() {
            let base_usd = match c.base_token {
                BaseToken::Eth => eth,
                BaseToken::Zk => zk,
            };
            let fee = agents::operator_fee(
                s.operators.policy,
                s.operators.margin,
                settlement_fee,
                zk,
                base_usd,
            );
            ledger.set_operator_fee(i, fee)?;
            dyn_usd[i] = wei_to_tokens(fee) * base_usd;
        }
        let total = traffic.next(&mut trng);
        agents::split_by_shares(total, &shares, &mut per_chain);
        let fixed_usd = wei_to_tokens(fixed_fee) * zk;
        let mut users_zk = ledger.users_zk();
        let (mut bundles, mut fixed_total) = (0, 0);
        for i in 0..n {
            let calls = per_chain[i];
            let mut fixed = agents::fixed_calls(
                s.users.fee_mode,
                s.users.always_fixed_share,
                calls,
                dyn_usd[i],
                fixed_usd,
            );
            if fixed > 0 && !fixed_fee.is_zero() {
                // Users who cannot afford the fixed fee fall back to the base-token fee.
                let mut cost = fixed_fee.saturating_mul(U256::from(fixed));
                if cost > users_zk {
                    fixed = u64::try_from(users_zk / fixed_fee)
                        .unwrap_or(u64::MAX)
                        .min(fixed);
                    cost = fixed_fee * U256::from(fixed);
                }
                users_zk -= cost;
            }
            fixed_total += fixed;
            if calls > 0 {
                bundles += ledger.traffic(i, dest(i), calls, fixed, s.users.calls_per_bundle)?;
            }
        }
        for i in 0..n {
            if s.operators.buy_zk {
                let due = ledger.settlement_due(i);
                let held = ledger.operator_zk(i);
                if due > held && due - held <= ledger.users_zk() {
                    ledger.buy_zk(i, due - held)?;
                }
            }
            ledger.settle(i, dest(i))?;
        }
        for i in 0..n {
            ledger.claim_operator_fees(i)?;
        }
        if (day + 1) % s.protocol.sweep_every_days == 0 {
            ledger.sweep()?;
        }
        let pool = ledger.pool();
        let mut pool_usd = wei_to_tokens(pool.eth) * eth + wei_to_tokens(pool.zk_asset) * zk;
        if s.claimer.enabled
            && ledger.claimer_zk() >= threshold
            && agents::should_claim(pool_usd, wei_to_tokens(threshold), zk, s.claimer.gas_usd)
        {
            ledger.claim_pool()?;
            pool_usd = 0.0;
        }
        record(&StepRecord {
            day,
            calls: total,
            bundles,
            fixed_calls: fixed_total,
            zk_usd: zk,
            eth_usd: eth,
            dynamic_fee_usd: dyn_usd.first().copied().unwrap_or(0.0),
            pool_usd,
            totals: ledger.totals(),
        });
    }
    Ok(ledger.totals())
}
