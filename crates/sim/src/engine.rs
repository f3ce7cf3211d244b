//! One simulated path: each day the agents observe prices and state, decide, and a ledger
//! (flow or event fidelity) carries the decisions out. The order inside a day is fixed:
//! governance changes, prices, operators' fees, users' traffic, settlement, operators' claims,
//! the vault sweep, the Fee Flow auction over the day (the day's inflow arriving evenly, a claim
//! whenever the pool is worth it), then the day's record.

use crate::agents::{self, wei_to_tokens};
use crate::ledger::{Ledger, Pool, SimError, Totals};
use crate::process::{PricePath, TrafficPath};
use crate::scenario::{BaseToken, Validated};
use alloy_primitives::U256;
use flywheel_protocol::staking::{RewardScript, RewardStream, ScriptRequest, REWARD_DURATION};
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
    /// ZK staked after the day.
    pub staked_zk: f64,
    /// Staking rewards of the last 30 days per ZK of earning stake, annualised.
    pub staking_yield: f64,
    /// Cumulative figures after the day.
    pub totals: Totals,
    /// Cumulative calls, fees and burn of the Prividium chains and of all chains.
    pub prividium: crate::prividium::Shares,
    /// Cumulative ZK through the Splitter, by what sent it there.
    pub splits: Splits,
}

/// What the Splitter did with the ZK each route sent it, cumulative wei. The engine measures
/// each route's burn and distribution separately (as changes of the ledger's totals around
/// the sweep and around the day's Fee Flow claims), so reports can check that they add up:
/// burned = `sweep_burned + claim_burned`, and a claim's bid = its burn + its distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Splits {
    /// Burned by `split()` after GWAssetTracker's settlement-fee withdrawals (sweeps).
    pub sweep_burned: U256,
    /// Paid to the staking pot by those splits.
    pub sweep_distributed: U256,
    /// Burned by `split()` of Fee Flow claims' bids.
    pub claim_burned: U256,
    /// Paid to the staking pot by those splits.
    pub claim_distributed: U256,
}

/// Aggregate stakers: the stake, its earning share, the rewards of the last 30 days, and the
/// staker's reward stream as the off-chain reward script sees it.
struct Stakers {
    staked: f64,
    earning_share: f64,
    window: [f64; 30],
    /// Running sum of `window` (re-summed exactly every 30 days so rounding cannot drift).
    window_sum: f64,
    season_minted: Vec<U256>,
    /// The staker's stream (rate, end), notified with what the script mints; integer, so both
    /// fidelities see the same one.
    stream: RewardStream,
}

/// P(Binomial(5, p) ≥ 2): the chance a delegate voted in at least 2 of the last 5 proposals.
pub fn eligible_share(p: f64) -> f64 {
    let q = 1.0 - p;
    1.0 - q.powi(5) - 5.0 * p * q.powi(4)
}

/// Seconds in a simulated day.
const DAY: u64 = 86_400;

/// One daily run of the OFF-CHAIN reward script (RequestMint.ts then ExecuteMints.ts, see
/// `flywheel_protocol::staking::policy`) on the aggregate stake: it reads the stream and the
/// earning stake (`earning_wei`) on `day`, and either mints through the first season whose
/// window (`[start, start + days)` in days) holds `day` and whose cap is not spent — what it asks
/// for, trimmed to the cap left and to the room under the 21B max supply (the script's model
/// choice) — and notifies it, or lowers the rate with `notifyRewardAmount(0)`, or does nothing.
/// Returns the season and amount minted. A notification that would stream under 1 wei/s
/// reverts in Staker.sol (`Staker__InvalidRewardRate`) and leaves the stream as it was. Integer
/// arithmetic, so both fidelities mint the same wei.
#[allow(clippy::too_many_arguments)]
pub fn reward_script_day(
    script: RewardScript,
    stream: &mut RewardStream,
    earning_wei: U256,
    day: u32,
    seasons: &[(U256, u32, u32)],
    minted: &[U256],
    supply: U256,
) -> Option<(usize, U256)> {
    let now = u64::from(day) * DAY;
    let notify = |stream: &mut RewardStream, amount: U256| {
        let valid = stream
            .rate_after_notify(amount, now, REWARD_DURATION)
            .is_ok_and(|r| !(r / flywheel_protocol::staking::SCALE_FACTOR).is_zero());
        if valid {
            // invariant: `rate_after_notify` succeeded, and `now + 30 days` cannot overflow.
            let _ = stream.notify(amount, now, REWARD_DURATION, earning_wei);
        }
    };
    match script.request(stream, earning_wei, now, REWARD_DURATION) {
        ScriptRequest::Nothing => None,
        ScriptRequest::LowerRate => {
            notify(stream, U256::ZERO);
            None
        }
        ScriptRequest::Mint(want) => {
            let (i, cap) = seasons
                .iter()
                .enumerate()
                .find_map(|(i, (cap, start, len))| {
                    let open = day >= *start && day < start.saturating_add(*len);
                    let left = cap.saturating_sub(minted.get(i).copied().unwrap_or_default());
                    (open && !left.is_zero()).then_some((i, left))
                })?;
            let room = flywheel_protocol::token::MAX_SUPPLY.saturating_sub(supply);
            let amount = want.min(cap).min(room);
            if amount.is_zero() {
                return None;
            }
            notify(stream, amount);
            Some((i, amount))
        }
    }
}

/// The Fee Flow auction over one day: the day's inflow (what reached Fee Flow from the
/// operators' revenue) arrives evenly over [`agents::DAY_TICKS`] ticks, and the claimer claims at
/// every tick at which the pool is worth the threshold plus gas — many times a day when fees
/// flow fast. Each claim pays the threshold and takes the pool at that moment; what is left
/// carries over. A claimer short of the threshold buys the rest from the market when the
/// scenario lets it (and stops claiming otherwise). Returns the pool at the end of the day.
fn fee_flow_day<L: Ledger>(
    ledger: &mut L,
    s: &crate::scenario::Scenario,
    threshold: U256,
    eth_usd: f64,
    zk_usd: f64,
) -> Result<Pool, SimError> {
    let inflow = ledger.inflow_pending();
    let mut delivered_to = 0;
    if s.claimer.enabled {
        let day = agents::ClaimDay {
            inflow,
            eth_usd,
            zk_usd,
            threshold_zk: wei_to_tokens(threshold),
            gas_usd: s.claimer.gas_usd,
        };
        let mut from = 0;
        while let Some(tick) = day.next_claim(&ledger.pool(), delivered_to, from) {
            let due = inflow
                .arrived_by(tick)
                .minus(&inflow.arrived_by(delivered_to));
            ledger.deliver_inflow(due)?;
            delivered_to = tick;
            let held = ledger.claimer_zk();
            if held < threshold {
                let lack = threshold - held;
                if !s.claimer.buy_zk || lack > ledger.users_zk() {
                    break;
                }
                ledger.claimer_buy_zk(lack)?;
            }
            ledger.claim_pool()?;
            from = tick + 1;
        }
    }
    let rest = inflow.minus(&inflow.arrived_by(delivered_to));
    ledger.deliver_inflow(rest)?;
    Ok(ledger.pool())
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
    let split = agents::ShareSplit::new(&shares);
    let dest = |i: usize| if n > 1 { (i + 1) % n } else { n };
    let mut per_chain = Vec::with_capacity(n);
    let mut dyn_usd = vec![0.0; n];
    let mut next_change = 0;
    let st = &s.staking;
    let mut stakers = Stakers {
        staked: wei_to_tokens(v.initial_stake),
        earning_share: eligible_share(st.delegate_vote_probability),
        window: [0.0; 30],
        window_sum: 0.0,
        season_minted: vec![U256::ZERO; v.seasons.len()],
        stream: RewardStream::default(),
    };
    let script = RewardScript::new(u64::from(st.target_rate_bps));
    let mut book = crate::prividium::Book::new(v, run);
    let mut prev_staking_rewards = U256::ZERO;
    let mut splits = Splits::default();
    for day in 0..s.days {
        if day > 0 {
            ledger.advance_day()?;
        }
        while let Some(c) = v.changes.get(next_change).filter(|c| c.day == day) {
            ledger.apply_change(c)?;
            next_change += 1;
        }
        let zk = zk_price.next(&mut prng);
        let eth = eth_price.next(&mut prng);
        let (fixed_fee, settlement_fee, threshold) = ledger.params();
        // Operators price the settlement fee in their base token: the same fee for every chain
        // of one base token, so compute it once per token.
        let quote = |base_usd: f64| {
            let fee = agents::operator_fee(
                s.operators.policy,
                s.operators.margin,
                settlement_fee,
                zk,
                base_usd,
            );
            (fee, wei_to_tokens(fee) * base_usd)
        };
        let (eth_quote, zk_quote) = (quote(eth), quote(zk));
        for (i, c) in s.chains.iter().enumerate() {
            let (fee, usd) = match c.base_token {
                BaseToken::Eth => eth_quote,
                BaseToken::Zk => zk_quote,
            };
            ledger.set_operator_fee(i, fee)?;
            book.note_fee(i, fee);
            dyn_usd[i] = usd;
        }
        book.set_institution_fees(ledger, eth_quote.0, zk_quote.0)?;
        let fixed_usd = wei_to_tokens(fixed_fee) * zk;
        let total = s.demand.respond(traffic.next(&mut trng), || {
            crate::demand::call_cost_usd(&s.users, &shares, &dyn_usd, fixed_usd)
        });
        split.split(total, &mut per_chain);
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
            let sent = if calls > 0 {
                ledger.traffic(i, dest(i), calls, fixed, s.users.calls_per_bundle)?
            } else {
                0
            };
            bundles += sent;
            book.sent(i, calls, fixed, sent, fixed_fee);
        }
        let (p_calls, p_bundles, p_fixed) = book.send_institutions(
            day,
            ledger,
            &mut users_zk,
            fixed_fee,
            s.users.calls_per_bundle,
        )?;
        bundles += p_bundles;
        fixed_total += p_fixed;
        for i in 0..book.chains() {
            let ok = ledger.settle_buying(i, book.destination(i, dest(i)), s.operators.buy_zk)?;
            book.settled(i, ok, settlement_fee);
        }
        for i in 0..book.chains() {
            let before = ledger.pool();
            ledger.claim_operator_fees(i)?;
            book.claimed(i, before, ledger.pool());
        }
        if (day + 1) % s.protocol.sweep_every_days == 0 {
            let before = ledger.totals();
            ledger.sweep()?;
            let after = ledger.totals();
            book.swept(after.burned - before.burned);
            splits.sweep_burned += after.burned - before.burned;
            splits.sweep_distributed += after.distributed - before.distributed;
        }
        let before = ledger.totals();
        let pool_usd = fee_flow_day(ledger, s, threshold, eth, zk)?.usd(eth);
        let after = ledger.totals();
        book.auctioned(after.burned - before.burned);
        splits.claim_burned += after.burned - before.burned;
        splits.claim_distributed += after.distributed - before.distributed;
        let mut staking_yield = 0.0;
        if st.enabled {
            let earning = stakers.staked * stakers.earning_share;
            let earning_wei = U256::from((earning * 1e18).clamp(0.0, 1e38) as u128);
            if let Some((i, mint)) = reward_script_day(
                script,
                &mut stakers.stream,
                earning_wei,
                day,
                &v.seasons,
                &stakers.season_minted,
                ledger.totals().supply,
            ) {
                ledger.mint_staking_rewards(i, mint)?;
                stakers.season_minted[i] += mint;
            }
            let total = ledger.staking_rewards();
            let slot = (day % 30) as usize;
            let today = wei_to_tokens(total - prev_staking_rewards);
            stakers.window_sum += today - stakers.window[slot];
            stakers.window[slot] = today;
            if slot == 29 {
                stakers.window_sum = stakers.window.iter().sum();
            }
            prev_staking_rewards = total;
            if earning > 0.0 {
                staking_yield = stakers.window_sum / earning * (365.0 / 30.0);
            }
            let change = stakers.staked * st.elasticity * (staking_yield - st.target_yield) / 365.0;
            stakers.staked =
                (stakers.staked + change).clamp(0.0, wei_to_tokens(ledger.totals().supply));
        }
        ledger.priority_day(day)?;
        record(&StepRecord {
            day,
            calls: total + p_calls,
            bundles,
            fixed_calls: fixed_total,
            zk_usd: zk,
            eth_usd: eth,
            dynamic_fee_usd: dyn_usd.first().copied().unwrap_or(0.0),
            pool_usd,
            staked_zk: stakers.staked,
            staking_yield,
            totals: ledger.totals(),
            prividium: book.shares(),
            splits,
        });
    }
    Ok(ledger.totals())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flywheel_protocol::units::tokens;

    /// 365,000 ZK earning at 10%: 3,000 ZK a 30-day stream (less the script's flooring).
    fn full_tranche() -> U256 {
        let desired = tokens(36_500) * flywheel_protocol::staking::SCALE_FACTOR
            / U256::from(flywheel_protocol::staking::SECONDS_PER_YEAR);
        desired * U256::from(REWARD_DURATION) / flywheel_protocol::staking::SCALE_FACTOR
    }

    #[test]
    fn the_reward_script_mints_to_its_target_within_the_seasons_bounds() {
        let script = RewardScript::new(1_000);
        let power = tokens(365_000);
        let seasons = [(tokens(5_000), 0, 60), (tokens(1_000_000), 60, 30)];
        let mut stream = RewardStream::default();
        let mut minted = [U256::ZERO; 2];
        let supply = tokens(1_000_000);
        let run = |stream: &mut RewardStream, minted: &mut [U256; 2], power, day| {
            let out = reward_script_day(script, stream, power, day, &seasons, minted, supply);
            if let Some((i, amount)) = out {
                minted[i] += amount;
            }
            out
        };
        // Day 0: a full 30-day tranche from season 0.
        assert_eq!(
            run(&mut stream, &mut minted, power, 0),
            Some((0, full_tranche()))
        );
        // On target: nothing, during the stream and after it ends (the stored rate is read).
        assert_eq!(run(&mut stream, &mut minted, power, 10), None);
        assert_eq!(run(&mut stream, &mut minted, power, 40), None);
        // The stake grows: the script tops up, but season 0 only has 2,000 ZK left.
        let grown = power * U256::from(2u8);
        assert_eq!(
            run(&mut stream, &mut minted, grown, 41),
            Some((0, tokens(5_000) - full_tranche()))
        );
        // The stake shrinks below target: notify(0) lowers the stored rate, minting nothing.
        let before = stream.scaled_reward_rate;
        assert_eq!(
            run(&mut stream, &mut minted, power / U256::from(4u8), 45),
            None
        );
        assert!(stream.scaled_reward_rate < before);
        // Season 0 is spent; season 1 opens on day 60.
        assert_eq!(
            run(&mut stream, &mut minted, grown * U256::from(4u8), 59),
            None
        );
        assert!(matches!(
            run(&mut stream, &mut minted, grown * U256::from(4u8), 60),
            Some((1, _))
        ));
        // After every season: nothing, whatever the stake.
        assert_eq!(
            run(&mut stream, &mut minted, grown * U256::from(9u8), 90),
            None
        );
    }

    #[test]
    fn the_reward_script_never_mints_past_the_max_supply() {
        use flywheel_protocol::token::MAX_SUPPLY;
        let script = RewardScript::new(1_000);
        let seasons = [(tokens(10_000), 0, 30)];
        let mut stream = RewardStream::default();
        let supply = MAX_SUPPLY - tokens(7);
        let out = reward_script_day(
            script,
            &mut stream,
            tokens(365_000),
            0,
            &seasons,
            &[U256::ZERO],
            supply,
        );
        assert_eq!(out, Some((0, tokens(7))));
        let full = reward_script_day(
            script,
            &mut RewardStream::default(),
            tokens(365_000),
            0,
            &seasons,
            &[U256::ZERO],
            MAX_SUPPLY,
        );
        assert_eq!(full, None);
    }
}
