//! The reward stream of Tally's `Staker` (withtally/staker `src/Staker.sol`, Synthetix
//! StakingRewards lineage): notified rewards stream at a constant rate over the reward duration,
//! and a global reward-per-earning-power accumulator, scaled by [`SCALE_FACTOR`], tells each
//! deposit what it earned between two checkpoints. Integer math only; every division floors,
//! exactly as the contract does, so the dust stays in the staker and never leaks out.

use super::StakingError;
use alloy_primitives::{uint, U256};
use serde::{Deserialize, Serialize};

/// `Staker.SCALE_FACTOR = 1e36`: rates and the accumulator carry 36 extra decimals so that the
/// per-second, per-unit-of-earning-power rate does not truncate to zero
/// (withtally/staker@2ff8891:src/Staker.sol).
pub const SCALE_FACTOR: U256 = uint!(1_000_000_000_000_000_000_000_000_000_000_000_000_U256);

/// `Staker.REWARD_DURATION = 30 days`: each notification (plus any unstreamed remainder) is
/// streamed over this many seconds (withtally/staker@2ff8891:src/Staker.sol).
pub const REWARD_DURATION: u64 = 30 * 86_400;

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
        self.restart(amount, now, duration)
    }

    /// The part of [`RewardStream::notify`] after the accumulator's checkpoint: the new rate
    /// (the remainder plus `amount` over a fresh `duration`), the new end time and the
    /// checkpoint time. Alone it is for a caller that tracks no deposits — the simulator's
    /// aggregate stream reads only the rate and the end time — and leaves the accumulator
    /// where it was, saving a 256-bit division per notification.
    pub fn restart(&mut self, amount: U256, now: u64, duration: u64) -> Result<(), StakingError> {
        self.scaled_reward_rate = self.rate_after_notify(amount, now, duration)?;
        self.reward_end_time = now.checked_add(duration).ok_or(StakingError::Overflow {
            what: "reward end time",
        })?;
        self.last_checkpoint_time = now;
        Ok(())
    }
}
