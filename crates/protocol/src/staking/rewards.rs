//! The reward stream of Tally's `Staker` (withtally/staker `src/Staker.sol`, Synthetix
//! StakingRewards lineage): notified rewards stream at a constant rate over the reward duration,
//! and a global reward-per-earning-power accumulator, scaled by [`SCALE_FACTOR`], tells each
//! deposit what it earned between two checkpoints. Integer math only; every division floors,
//! exactly as the contract does, so the dust stays in the staker and never leaks out.

use super::StakingError;
use alloy_primitives::{uint, U256};
use serde::{Deserialize, Serialize};

/// `Staker.SCALE_FACTOR = 1e36`: rates and the accumulator carry 36 extra decimals so that the
/// per-second, per-unit-of-earning-power rate does not truncate to zero.
pub const SCALE_FACTOR: U256 = uint!(1_000_000_000_000_000_000_000_000_000_000_000_000_U256);

/// `Staker.REWARD_DURATION = 30 days`: each notification (plus any unstreamed remainder) is
/// streamed over this many seconds.
pub const REWARD_DURATION: u64 = 30 * 86_400;

/// `Staker.SECONDS_PER_YEAR = 365 days`, used by the APR ceiling.
pub const SECONDS_PER_YEAR: u64 = 365 * 86_400;

/// `Staker.BASIS_POINTS = 10_000`.
pub const BASIS_POINTS: u64 = 10_000;

pub(crate) fn mul(a: U256, b: U256, what: &'static str) -> Result<U256, StakingError> {
    a.checked_mul(b).ok_or(StakingError::Overflow { what })
}

pub(crate) fn add(a: U256, b: U256, what: &'static str) -> Result<U256, StakingError> {
    a.checked_add(b).ok_or(StakingError::Overflow { what })
}

pub(crate) fn sub(a: U256, b: U256, what: &'static str) -> Result<U256, StakingError> {
    a.checked_sub(b).ok_or(StakingError::Overflow { what })
}

fn secs(s: u64) -> U256 {
    U256::from(s)
}

/// The global streaming state (`rewardEndTime`, `lastCheckpointTime`, `scaledRewardRate`,
/// `rewardPerTokenAccumulatedCheckpoint`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardStream {
    /// When streaming stops if nothing new is notified.
    pub reward_end_time: u64,
    /// Last time the accumulator was checkpointed.
    pub last_checkpoint_time: u64,
    /// Reward wei per second, times [`SCALE_FACTOR`].
    pub scaled_reward_rate: U256,
    /// Accumulator value at `last_checkpoint_time` (scaled reward per unit of earning power).
    pub reward_per_token_checkpoint: U256,
}

impl RewardStream {
    /// `lastTimeRewardDistributed`: `now` while streaming, the end time once it has passed.
    pub fn last_time_reward_distributed(&self, now: u64) -> u64 {
        self.reward_end_time.min(now)
    }

    /// `rewardPerTokenAccumulated`: the live accumulator. With zero total earning power it does
    /// not move, so rewards streamed while nobody earns are never distributed (as in Staker).
    pub fn reward_per_token_accumulated(
        &self,
        now: u64,
        total_earning_power: U256,
    ) -> Result<U256, StakingError> {
        if total_earning_power.is_zero() {
            return Ok(self.reward_per_token_checkpoint);
        }
        let elapsed = self
            .last_time_reward_distributed(now)
            .saturating_sub(self.last_checkpoint_time);
        let streamed = mul(self.scaled_reward_rate, secs(elapsed), "streamed reward")?;
        add(
            self.reward_per_token_checkpoint,
            streamed / total_earning_power,
            "reward accumulator",
        )
    }

    /// `_checkpointGlobalReward`.
    pub fn checkpoint(&mut self, now: u64, total_earning_power: U256) -> Result<(), StakingError> {
        self.reward_per_token_checkpoint =
            self.reward_per_token_accumulated(now, total_earning_power)?;
        self.last_checkpoint_time = self.last_time_reward_distributed(now);
        Ok(())
    }

    /// The new `scaledRewardRate` if `amount` were notified at `now`: the unstreamed remainder
    /// (`rate × (end − now)`) plus the new amount, spread over a fresh `duration`.
    pub fn rate_after_notify(
        &self,
        amount: U256,
        now: u64,
        duration: u64,
    ) -> Result<U256, StakingError> {
        let fresh = mul(amount, SCALE_FACTOR, "scaled notification")?;
        let total = if now >= self.reward_end_time {
            fresh
        } else {
            let left = mul(
                self.scaled_reward_rate,
                secs(self.reward_end_time - now),
                "remaining reward",
            )?;
            add(left, fresh, "remaining plus new reward")?
        };
        Ok(total / secs(duration.max(1)))
    }

    /// `notifyRewardAmount`'s state change (validation is the caller's): checkpoint the
    /// accumulator, restart the stream at the new rate.
    pub fn notify(
        &mut self,
        amount: U256,
        now: u64,
        duration: u64,
        total_earning_power: U256,
    ) -> Result<(), StakingError> {
        self.reward_per_token_checkpoint =
            self.reward_per_token_accumulated(now, total_earning_power)?;
        self.scaled_reward_rate = self.rate_after_notify(amount, now, duration)?;
        self.reward_end_time = now.checked_add(duration).ok_or(StakingError::Overflow {
            what: "reward end time",
        })?;
        self.last_checkpoint_time = now;
        Ok(())
    }

    /// `_enforceAprCeilingOnStreamingRewards`: after earning power drops, a stream whose rate
    /// now exceeds the ceiling is stretched (same remaining reward, longer duration, lower rate).
    /// Must run right after a checkpoint. A ceiling of 0 disables it.
    pub fn enforce_apr_ceiling(
        &mut self,
        apr_ceiling_bps: u64,
        total_earning_power: U256,
    ) -> Result<(), StakingError> {
        if apr_ceiling_bps == 0
            || total_earning_power.is_zero()
            || self.scaled_reward_rate.is_zero()
            || self.reward_end_time <= self.last_checkpoint_time
        {
            return Ok(());
        }
        let allowed = mul(
            mul(secs(apr_ceiling_bps), total_earning_power, "APR ceiling")?,
            SCALE_FACTOR,
            "APR ceiling",
        )? / secs(BASIS_POINTS * SECONDS_PER_YEAR);
        if allowed.is_zero() || self.scaled_reward_rate <= allowed {
            return Ok(());
        }
        let remaining = mul(
            self.scaled_reward_rate,
            secs(self.reward_end_time - self.last_checkpoint_time),
            "remaining reward",
        )?;
        let mut duration = remaining / allowed;
        if !(remaining % allowed).is_zero() {
            duration += U256::from(1u8);
        }
        let duration_secs = u64::try_from(duration).map_err(|_| StakingError::Overflow {
            what: "stretched reward duration",
        })?;
        self.scaled_reward_rate = remaining / duration;
        self.reward_end_time =
            self.last_checkpoint_time
                .checked_add(duration_secs)
                .ok_or(StakingError::Overflow {
                    what: "reward end time",
                })?;
        Ok(())
    }
}

/// `_calculateCappedReward`: the most a notification may add so that, spread over `duration`,
/// it pays at most `apr_ceiling_bps` a year on `total_earning_power`. `None` when no cap applies
/// (ceiling 0 or no earning power), as in Staker.
pub fn apr_capped_amount(
    apr_ceiling_bps: u64,
    total_earning_power: U256,
    duration: u64,
) -> Result<Option<U256>, StakingError> {
    if apr_ceiling_bps == 0 || total_earning_power.is_zero() {
        return Ok(None);
    }
    let num = mul(
        mul(secs(apr_ceiling_bps), total_earning_power, "APR cap")?,
        secs(duration),
        "APR cap",
    )?;
    Ok(Some(num / secs(BASIS_POINTS * SECONDS_PER_YEAR)))
}

/// `_calculateApr`: the APR in basis points that `amount` over `duration` pays on
/// `total_earning_power` (0 without earning power).
pub fn apr_bps(amount: U256, total_earning_power: U256, duration: u64) -> U256 {
    let den = total_earning_power.saturating_mul(secs(duration));
    if den.is_zero() {
        return U256::ZERO;
    }
    amount.saturating_mul(secs(SECONDS_PER_YEAR * BASIS_POINTS)) / den
}
