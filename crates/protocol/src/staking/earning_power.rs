//! Earning power from delegate eligibility: the model of withtally/staker's
//! `BinaryEligibilityOracleEarningPowerCalculator`.
//!
//! A permissioned score oracle posts a score per delegatee; a delegatee whose score is at least
//! the threshold is *eligible* and its deposits earn on their full balance, otherwise on nothing.
//! When a delegatee drops below the threshold the time is recorded, and a bump that lowers a
//! deposit's earning power only qualifies once `update_eligibility_delay` has passed since then
//! (the grace delay). A paused oracle, or one that has not posted for longer than the stale
//! window, makes every deposit earn on its full balance (the `IdentityEarningPowerCalculator`
//! fallback), so a broken oracle can never zero out stakers.
//!
//! For ZK Nation the score oracle posts a *binary* score and the on-chain threshold is 1
//! (`DELEGATEE_SCORE_ELIGIBILITY_THRESHOLD`, withtally/zkstaker@bff26f8:script/DeployZkStaker.ts):
//! the oracle decides off-chain who is active — TPP-12's delegates "that have voted a minimum of
//! 2 out of last 5 votes" — and posts 1 for them and 0 for the others: see [`oracle_score`].

use super::{Emitted, Staker, StakingError, StakingEvent};
use alloy_primitives::{Address, U256};
use imbl::{OrdMap, OrdSet};
use serde::{Deserialize, Serialize};

/// Calculator settings, with the score oracle's off-chain rule. Defaults are the deployment
/// values of withtally/zkstaker@bff26f8:script/DeployZkStaker.ts and TPP-12's activity rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityParams {
    /// `delegateeEligibilityThresholdScore`: score ≥ threshold is eligible. Default 1:
    /// `DELEGATEE_SCORE_ELIGIBILITY_THRESHOLD` (the oracle posts a binary score).
    pub threshold: u64,
    /// `updateEligibilityDelay`, seconds of grace after a delegatee becomes ineligible before
    /// its deposits can be bumped down. Default 7 days: `UPDATE_ELIGIBILITY_DELAY`.
    pub update_eligibility_delay: u64,
    /// `STALE_ORACLE_WINDOW` (immutable), seconds without an oracle update after which everyone
    /// earns on full balance. Default 30 days: `STALE_ORACLE_WINDOW`.
    pub stale_oracle_window: u64,
    /// Off-chain oracle rule: how many recent proposals it looks at. Default 5: TPP-12 ("the
    /// last 5 votes"). Not a contract setting; fixed for a run.
    pub window: u64,
    /// Off-chain oracle rule: votes among the last `window` proposals that make a delegate
    /// active (score 1). Default 2: TPP-12 ("a minimum of 2 out of last 5 votes"). Not a
    /// contract setting; fixed for a run.
    pub min_votes: u64,
}

impl Default for EligibilityParams {
    fn default() -> Self {
        Self {
            threshold: 1,
            update_eligibility_delay: 7 * 86_400,
            stale_oracle_window: 30 * 86_400,
            window: 5,
            min_votes: 2,
        }
    }
}

/// The calculator's state: scores, ineligibility times, locks, pause and freshness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityOracle {
    /// `owner` (OpenZeppelin `Ownable`): sets the threshold, the delay, the score oracle and
    /// the pause guardian; overrides and locks scores.
    pub owner: Address,
    /// `scoreOracle`: may post scores.
    pub score_oracle: Address,
    /// `oraclePauseGuardian`: may pause and unpause score updates.
    pub pause_guardian: Address,
    /// Threshold, grace delay and stale window.
    pub params: EligibilityParams,
    /// `lastOracleUpdateTime`: set at deployment and by every oracle post (not by overrides).
    pub last_update: u64,
    /// `isOraclePaused`.
    pub paused: bool,
    scores: OrdMap<Address, u64>,
    ineligible_since: OrdMap<Address, u64>,
    locked: OrdSet<Address>,
}

impl EligibilityOracle {
    /// A calculator deployed at `now` (which counts as its last update, as in the constructor).
    pub fn new(
        owner: Address,
        score_oracle: Address,
        pause_guardian: Address,
        params: EligibilityParams,
        now: u64,
    ) -> Self {
        Self {
            owner,
            score_oracle,
            pause_guardian,
            params,
            last_update: now,
            paused: false,
            scores: OrdMap::new(),
            ineligible_since: OrdMap::new(),
            locked: OrdSet::new(),
        }
    }

    /// `delegateeScores`: 0 for a delegatee never scored.
    pub fn score(&self, delegatee: Address) -> u64 {
        self.scores.get(&delegatee).copied().unwrap_or(0)
    }

    /// `timeOfIneligibility`: when the delegatee last fell below the threshold (0 if never).
    pub fn ineligible_since(&self, delegatee: Address) -> u64 {
        self.ineligible_since.get(&delegatee).copied().unwrap_or(0)
    }

    /// `delegateeScoreLockStatus`.
    pub fn is_locked(&self, delegatee: Address) -> bool {
        self.locked.contains(&delegatee)
    }

    /// `isDelegateeEligible`: score at or above the threshold.
    pub fn is_eligible(&self, delegatee: Address) -> bool {
        self.score(delegatee) >= self.params.threshold
    }

    /// `isOracleStale`: strictly more than the stale window since the last post.
    pub fn is_stale(&self, now: u64) -> bool {
        now.saturating_sub(self.last_update) > self.params.stale_oracle_window
    }

    /// `getEarningPower`: full balance if the oracle is stale or paused or the delegatee is
    /// eligible, else 0. Used whenever the owner touches a deposit, with no grace delay.
    pub fn earning_power(&self, amount: U256, delegatee: Address, now: u64) -> U256 {
        if self.is_stale(now) || self.paused || self.is_eligible(delegatee) {
            amount
        } else {
            U256::ZERO
        }
    }

    /// `getNewEarningPower`: the earning power a bump would set, and whether the bump qualifies
    /// (a drop to 0 only once the grace delay since ineligibility has fully elapsed).
    pub fn new_earning_power(&self, amount: U256, delegatee: Address, now: u64) -> (U256, bool) {
        if self.is_stale(now) || self.paused || self.is_eligible(delegatee) {
            return (amount, true);
        }
        let since = self.ineligible_since(delegatee);
        let elapsed = since.saturating_add(self.params.update_eligibility_delay) <= now;
        (U256::ZERO, elapsed)
    }

    /// `_updateDelegateeScore`: records the time of a crossing from eligible to ineligible.
    pub(crate) fn record_score(&mut self, delegatee: Address, score: u64, at: u64) {
        let was = self.is_eligible(delegatee);
        if was && score < self.params.threshold {
            self.ineligible_since.insert(delegatee, at);
        }
        if score == 0 {
            self.scores.remove(&delegatee);
        } else {
            self.scores.insert(delegatee, score);
        }
    }

    pub(crate) fn set_lock(&mut self, delegatee: Address, locked: bool) {
        if locked {
            self.locked.insert(delegatee);
        } else {
            self.locked.remove(&delegatee);
        }
    }
}

/// The binary score the ZK Nation score oracle posts (off-chain rule): 1 when the delegate
/// voted on at least `min_votes` of the last proposals it looked at (`votes` of them), else 0.
/// With the defaults this is TPP-12's "voted a minimum of 2 out of last 5 votes", and the
/// on-chain threshold of 1 turns score 1 into eligibility.
pub fn oracle_score(votes: u64, min_votes: u64) -> u64 {
    u64::from(votes >= min_votes)
}

/// The calculator's calls, made through the staker so one log records them.
impl Staker {
    /// `updateDelegateeScore` by the score oracle: refused while paused or for a locked score.
    pub fn update_delegatee_score(
        &mut self,
        caller: Address,
        delegatee: Address,
        score: u64,
        now: u64,
    ) -> Emitted {
        self.update_delegatee_scores(caller, &[(delegatee, score)], now)
    }

    /// `updateDelegateeScores` by the score oracle: all or nothing, in order (a repeated
    /// delegatee ends with its last score); even an empty batch refreshes the oracle's clock.
    pub fn update_delegatee_scores(
        &mut self,
        caller: Address,
        updates: &[(Address, u64)],
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        if caller != self.oracle.score_oracle {
            return Err(StakingError::CalculatorUnauthorized {
                reason: "not oracle",
                caller,
            });
        }
        if self.oracle.paused {
            return Err(StakingError::OraclePaused);
        }
        if let Some((delegatee, _)) = updates.iter().find(|(d, _)| self.oracle.is_locked(*d)) {
            return Err(StakingError::ScoreLocked {
                delegatee: *delegatee,
            });
        }
        let mut scores: OrdMap<Address, u64> = OrdMap::new();
        let mut events = Vec::with_capacity(updates.len() + 1);
        for (delegatee, new_score) in updates {
            let old_score = scores
                .get(delegatee)
                .copied()
                .unwrap_or_else(|| self.oracle.score(*delegatee));
            scores.insert(*delegatee, *new_score);
            events.push(StakingEvent::DelegateeScoreUpdated {
                delegatee: *delegatee,
                old_score,
                new_score: *new_score,
                at: now,
            });
        }
        events.push(StakingEvent::OraclePosted { at: now });
        self.commit(events)
    }

    /// `overrideDelegateeScore` by the calculator's owner: sets and locks a score; does not
    /// refresh the oracle's clock.
    pub fn override_delegatee_score(
        &mut self,
        caller: Address,
        delegatee: Address,
        score: u64,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        self.only_calculator_owner(caller)?;
        self.commit(vec![
            StakingEvent::DelegateeScoreUpdated {
                delegatee,
                old_score: self.oracle.score(delegatee),
                new_score: score,
                at: now,
            },
            StakingEvent::DelegateeScoreLockSet {
                delegatee,
                locked: true,
            },
        ])
    }

    /// `setDelegateeScoreLock` by the calculator's owner.
    pub fn set_delegatee_score_lock(
        &mut self,
        caller: Address,
        delegatee: Address,
        locked: bool,
    ) -> Emitted {
        self.only_calculator_owner(caller)?;
        self.commit(vec![StakingEvent::DelegateeScoreLockSet {
            delegatee,
            locked,
        }])
    }

    /// `setOracleState` by the oracle pause guardian.
    pub fn set_oracle_paused(&mut self, caller: Address, paused: bool) -> Emitted {
        if caller != self.oracle.pause_guardian {
            return Err(StakingError::CalculatorUnauthorized {
                reason: "not oracle pause guardian",
                caller,
            });
        }
        self.commit(vec![StakingEvent::OraclePausedSet { paused }])
    }

    /// `setScoreOracle` by the calculator's owner (any address, as in the contract).
    pub fn set_score_oracle(&mut self, caller: Address, oracle: Address) -> Emitted {
        self.only_calculator_owner(caller)?;
        self.commit(vec![StakingEvent::ScoreOracleSet { oracle }])
    }

    /// `setOraclePauseGuardian` by the calculator's owner.
    pub fn set_oracle_pause_guardian(&mut self, caller: Address, guardian: Address) -> Emitted {
        self.only_calculator_owner(caller)?;
        self.commit(vec![StakingEvent::OraclePauseGuardianSet { guardian }])
    }

    /// OpenZeppelin `Ownable._checkOwner` on the calculator.
    pub(crate) fn only_calculator_owner(&self, caller: Address) -> Result<(), StakingError> {
        if caller != self.oracle.owner {
            return Err(StakingError::OwnableUnauthorizedAccount { account: caller });
        }
        Ok(())
    }
}
