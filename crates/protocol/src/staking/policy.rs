//! The OFF-CHAIN reward policy: the ZK Staker's reward script
//! (withtally/zkstaker@bff26f8:script/rewards/RequestMint.ts, ExecuteMints.ts, README.md), not a
//! rule of any contract.
//!
//! Staker.sol enforces no reward rate. The pilot's "3% up to 10%" is met by an operator running
//! `RequestMint.ts --rate=<percent>` (the README's example schedule is a daily cron job). It
//! reads the staker's `scaledRewardRate`, `rewardEndTime` and `totalEarningPower` and:
//!
//! 1. computes the current rate from the *stored* `scaledRewardRate` (which keeps its last value
//!    after the stream ends) — within 0.01 percentage points of the target, it does nothing;
//! 2. above the target, it calls `notifyRewardAmount(0)`, re-spreading what is left of the
//!    stream over a fresh 30 days (a lower rate; it reverts if nothing is left);
//! 3. below it, it asks to mint `target rate × total earning power × 30 days / 365 days` minus
//!    what the stream still holds, to the staker, through a ZkMinterDelayV1 whose MINTER_ROLE
//!    its signer holds. After the delay anyone executes the mint (the DelayMod mints through
//!    the season's capped minter) and the signer, an enabled reward notifier, notifies it.
//!
//! [`RewardScript::request`] is step 1–3 in exact integer arithmetic (the script compares
//! floats; the integer form is what those floats approximate). Consequence worth knowing: with a
//! flat earning power the stored rate stays "on target" after a stream ends, so the script
//! tops up again only once earning power has grown by more than the tolerance.
//!
//! Model choices in [`RewardScript::transactions`]: the DelayMod and its veto delay are not
//! modelled (the signer holds the season minter's MINTER_ROLE directly and the mint lands at
//! once); the signer asks only for what the season's minter can still mint (cap left, room under
//! the 21B max supply) instead of a request whose execution would revert; and because the
//! model's `notifyRewardAmount` pulls the notifier's ZK (see [`super`]), the mint goes to the
//! signer and the notification moves it into the staker, as one batch.

use super::{RewardStream, Staker, SCALE_FACTOR};
use crate::network::{Action, State};
use crate::token::{CappedMinter, MAX_SUPPLY};
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// The year RequestMint.ts annualises with: `365n * 24n * 60n * 60n` seconds.
pub const SECONDS_PER_YEAR: u64 = 365 * 86_400;

/// Basis points in a whole: RequestMint.ts turns its `--rate` percent into
/// `Math.floor(rate × 100)` parts of 10,000.
pub const BASIS_POINTS: u64 = 10_000;

/// What one run of RequestMint.ts decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScriptRequest {
    /// No action: the stored rate is within tolerance of the target, nobody earns, or nothing
    /// needs adding.
    Nothing,
    /// The stored rate is above the target: `notifyRewardAmount(0)`.
    LowerRate,
    /// Mint this much ZK for the staker and notify it.
    Mint(U256),
}

/// The reward script with its `--rate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardScript {
    /// Target annual reward rate on the total earning power, basis points (`--rate=3.0` is
    /// 300). 0 means the script refuses to run ("Must be a positive number").
    pub rate_bps: u64,
}

impl RewardScript {
    /// The script with a target rate in basis points.
    pub fn new(rate_bps: u64) -> Self {
        Self { rate_bps }
    }

    /// RequestMint.ts `main` on a stream: `scaled_reward_rate` and `reward_end_time` as stored,
    /// `total_earning_power`, at `now`, for a reward duration of `duration` seconds.
    pub fn request(
        &self,
        stream: &RewardStream,
        total_earning_power: U256,
        now: u64,
        duration: u64,
    ) -> ScriptRequest {
        let annual = Self::annual(stream);
        self.request_given_annual(stream, annual, total_earning_power, now, duration)
    }

    /// The stream's annual reward as calculateCurrentRatePercentage reads it:
    /// `floor(scaledRewardRate × year / 1e36)`. A function of the stored rate alone, so a
    /// caller that runs the script daily can keep it until the next notification changes the
    /// rate (a 256-bit division saved per run).
    pub fn annual(stream: &RewardStream) -> U256 {
        stream
            .scaled_reward_rate
            .saturating_mul(U256::from(SECONDS_PER_YEAR))
            / SCALE_FACTOR
    }

    /// [`RewardScript::request`] given `annual`, which must be [`RewardScript::annual`] of
    /// `stream` (the same decision, bit for bit).
    pub fn request_given_annual(
        &self,
        stream: &RewardStream,
        annual: U256,
        total_earning_power: U256,
        now: u64,
        duration: u64,
    ) -> ScriptRequest {
        let bps = U256::from(self.rate_bps);
        if bps.is_zero() {
            return ScriptRequest::Nothing;
        }
        let year = U256::from(SECONDS_PER_YEAR);
        let scaled = stream.scaled_reward_rate;
        // calculateCurrentRatePercentage: floor(rate × year / 1e36) per unit of earning power
        // (0 without earning power), compared with the target to 0.01 percentage points, i.e.
        // |annual × 10,000 / power − bps| < 1.
        let current = annual.saturating_mul(U256::from(BASIS_POINTS));
        let target = bps.saturating_mul(total_earning_power);
        if !total_earning_power.is_zero() {
            let gap = current.abs_diff(target);
            if gap < total_earning_power {
                return ScriptRequest::Nothing;
            }
            if current > target {
                return ScriptRequest::LowerRate;
            }
        }
        // calculateRequiredRewards.
        if total_earning_power.is_zero() {
            return ScriptRequest::Nothing;
        }
        let desired_annual = target / U256::from(BASIS_POINTS);
        let desired_scaled = desired_annual.saturating_mul(SCALE_FACTOR) / year;
        if scaled >= desired_scaled {
            return ScriptRequest::Nothing;
        }
        let remaining = if now < stream.reward_end_time {
            scaled.saturating_mul(U256::from(stream.reward_end_time - now)) / SCALE_FACTOR
        } else {
            U256::ZERO
        };
        let needed = desired_scaled.saturating_mul(U256::from(duration)) / SCALE_FACTOR;
        match needed.checked_sub(remaining) {
            Some(add) if !add.is_zero() => ScriptRequest::Mint(add),
            _ => ScriptRequest::Nothing,
        }
    }

    /// RequestMint.ts reading the staker at `now`.
    pub fn request_for(&self, staker: &Staker, now: u64) -> ScriptRequest {
        self.request(
            staker.stream(),
            staker.total_earning_power(),
            now,
            staker.params().reward_duration,
        )
    }

    /// What the signer can get minted out of `want` through `minter` when the token's supply
    /// is `supply`: at most the cap left and the room under the max supply (model choice: the
    /// real script would request `want` and see the execution revert).
    pub fn mintable(want: U256, minter: &CappedMinter, supply: U256) -> U256 {
        want.min(minter.left())
            .min(MAX_SUPPLY.saturating_sub(supply))
    }

    /// The transactions the script's `signer` sends now (RequestMint.ts, then ExecuteMints.ts
    /// without the DelayMod delay): nothing; a `notifyRewardAmount(0)`; or one batch minting
    /// through the first season that can mint and notifying the amount. The caller applies them
    /// like any other action (they may be rejected, e.g. a `notify(0)` after the stream ended
    /// reverts with `Staker__InvalidRewardRate`).
    pub fn transactions(&self, state: &State, signer: Address) -> Vec<Action> {
        let (staker, now) = (&state.staker, state.time);
        match self.request_for(staker, now) {
            ScriptRequest::Nothing => Vec::new(),
            ScriptRequest::LowerRate => vec![Action::NotifyReward {
                notifier: signer,
                amount: U256::ZERO,
            }],
            ScriptRequest::Mint(want) => {
                let Some((_, season)) = staker.minting_season(&state.token, now) else {
                    return Vec::new();
                };
                let Some(minter) = state.token.minter(season.minter) else {
                    return Vec::new();
                };
                let amount = Self::mintable(want, minter, state.token.total_supply());
                if amount.is_zero() {
                    return Vec::new();
                }
                vec![Action::Batch(vec![
                    Action::MinterMint {
                        caller: signer,
                        minter: season.minter,
                        to: signer,
                        amount,
                    },
                    Action::NotifyReward {
                        notifier: signer,
                        amount,
                    },
                ])]
            }
        }
    }
}
