//! Staking seasons: rewards minted through the token's capped minters (TPP-12 funds the pilot
//! "over 2 seasons (6 months total) with two capped minters of 10M ZK and 25M ZK").
//!
//! Each season is a ZkCappedMinterV2 (cap, start, expiry) plus a notifier in the manner of
//! withtally/staker's `MintRewardNotifier`: anyone may trigger it once per `interval`; it mints
//! a tranche straight into the staker and notifies it. The tranche rule is a model choice (the
//! APRRewardNotifier in withtally/staker is an unimplemented draft): the season's cap spread
//! evenly over its window, `tranche = cap × interval / (expiry − start)`, trimmed to what the
//! minter has left and to the staker's APR ceiling (`_calculateCappedReward`). The resulting
//! reward rate is `min(ceiling, budget a year / total earning power)`, the rule economics.md
//! gives: with the 10% ceiling, the "starts near 3%" of the TPP is an outcome (budget ÷ stake)
//! rather than a floor, which a fixed cap cannot guarantee. What the ceiling trims is never
//! minted: it stays in the minter's cap. Minting respects the 21B max supply (the token
//! enforces it), the minter's window and pause.

use super::{rewards, Staker, StakingError, StakingEvent, Tx};
use crate::genesis::account;
use crate::token::ZkToken;
use crate::units::tokens;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// What a governance proposal funds: a capped minter's cap and window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeasonPlan {
    /// Lifetime mint limit, wei.
    pub cap: U256,
    /// First second minting is allowed.
    pub start: u64,
    /// First second minting is no longer allowed.
    pub expiry: u64,
}

/// One season: its minter and its notification schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Season {
    /// The ZkCappedMinterV2 funding it.
    pub minter: Address,
    /// The minter's cap, wei.
    pub cap: U256,
    /// The minter's start.
    pub start: u64,
    /// The minter's expiry.
    pub expiry: u64,
    /// Budget per notification before trimming, wei.
    pub tranche: U256,
    /// Seconds between notifications (the `rewardInterval`).
    pub interval: u64,
    /// Earliest time of the next notification.
    pub next_notify: u64,
    /// Minted and notified so far, wei.
    pub notified: U256,
}

/// The pilot's season length: model choice, TPP-12 gives "2 seasons (6 months total)", split
/// here into two equal 90-day seasons.
pub const PILOT_SEASON_LENGTH: u64 = 90 * 86_400;

impl SeasonPlan {
    /// TPP-12's two seasons from `start`: 10M ZK then 25M ZK, back to back.
    pub fn pilot(start: u64) -> [SeasonPlan; 2] {
        let mid = start + PILOT_SEASON_LENGTH;
        [
            SeasonPlan {
                cap: tokens(10_000_000),
                start,
                expiry: mid,
            },
            SeasonPlan {
                cap: tokens(25_000_000),
                start: mid,
                expiry: mid + PILOT_SEASON_LENGTH,
            },
        ]
    }
}

impl Staker {
    /// The seasons, in funding order.
    pub fn seasons(&self) -> impl Iterator<Item = &Season> {
        self.seasons.iter()
    }

    /// The season at `index`.
    pub fn season(&self, index: u32) -> Option<&Season> {
        self.seasons.get(index as usize)
    }

    /// The model address of season `index`'s capped minter.
    pub fn season_minter(index: u32) -> Address {
        account(&format!("staking-season-{index}"))
    }

    /// Funds a season: creates its capped minter through the token (so `caller` must be the
    /// token's role admin, the Token Governor timelock on mainnet, and the staker admin), and
    /// schedules notifications every reward duration from `plan.start`.
    pub fn fund_season(
        &mut self,
        token: &mut ZkToken,
        caller: Address,
        plan: SeasonPlan,
        now: u64,
    ) -> super::Emitted {
        self.check_now(now)?;
        if caller != self.admin {
            return Err(StakingError::Unauthorized {
                caller,
                role: "staker admin",
            });
        }
        let season = u32::try_from(self.seasons.len()).map_err(|_| StakingError::Overflow {
            what: "season index",
        })?;
        let minter = Self::season_minter(season);
        let interval = self.params.reward_duration;
        self.transact(token, |tx: &mut Tx| {
            let evs = tx
                .token
                .create_minter(caller, minter, plan.cap, plan.start, plan.expiry);
            tx.token_events(evs)?;
            // invariant: the token refused start >= expiry, so the window is positive.
            let window = U256::from(plan.expiry.saturating_sub(plan.start).max(1));
            let budget = rewards::mul(plan.cap, U256::from(interval), "season tranche")?;
            let tranche = (budget / window).min(plan.cap);
            tx.emit(StakingEvent::SeasonFunded {
                season,
                minter,
                cap: plan.cap,
                start: plan.start,
                expiry: plan.expiry,
                tranche,
                interval,
            })
        })
    }

    /// Triggers season `season`'s notifier (anyone may, once per interval): mints the tranche,
    /// trimmed to the minter's remaining cap and to the APR ceiling, into the staker and
    /// notifies it. Refused before the season's next due time, with no earning power (the
    /// tranche would stream to nobody), when nothing is left, or when the token refuses the mint.
    pub fn notify_season(&mut self, token: &mut ZkToken, season: u32, now: u64) -> super::Emitted {
        self.check_now(now)?;
        let s = *self
            .season(season)
            .ok_or(StakingError::UnknownSeason { season })?;
        if now < s.next_notify {
            return Err(StakingError::SeasonNotDue {
                season,
                next: s.next_notify,
                now,
            });
        }
        if self.total_earning_power().is_zero() {
            return Err(StakingError::NoEarningPower);
        }
        let left = token
            .minter(s.minter)
            .map_or(U256::ZERO, |m| m.cap.saturating_sub(m.minted));
        let amount = self.capped_notification(s.tranche.min(left))?;
        if amount.is_zero() {
            return Err(StakingError::NothingToNotify { season });
        }
        let to = self.address();
        let balance = rewards::add(token.balance_of(to), amount, "staker balance")?;
        self.check_notification(amount, balance, now)?;
        self.transact(token, |tx: &mut Tx| {
            let evs = tx.token.minter_mint(s.minter, to, amount, now);
            tx.token_events(evs)?;
            tx.emit(StakingEvent::SeasonNotified {
                season,
                amount,
                at: now,
            })?;
            tx.emit(StakingEvent::RewardNotified {
                notifier: s.minter,
                amount,
                requested: s.tranche,
                at: now,
            })
        })
    }

    pub(crate) fn apply_season(&mut self, ev: &StakingEvent) -> Result<(), StakingError> {
        match *ev {
            StakingEvent::SeasonFunded {
                season,
                minter,
                cap,
                start,
                expiry,
                tranche,
                interval,
            } => {
                if season as usize != self.seasons.len() {
                    return Err(StakingError::Mismatch {
                        what: "season index is not the next index",
                    });
                }
                self.seasons.push_back(Season {
                    minter,
                    cap,
                    start,
                    expiry,
                    tranche,
                    interval,
                    next_notify: start,
                    notified: U256::ZERO,
                });
                Ok(())
            }
            StakingEvent::SeasonNotified { season, amount, at } => {
                self.check_now(at)?;
                let s = self
                    .seasons
                    .get_mut(season as usize)
                    .ok_or(StakingError::UnknownSeason { season })?;
                s.notified = rewards::add(s.notified, amount, "season notified")?;
                s.next_notify = at.checked_add(s.interval).ok_or(StakingError::Overflow {
                    what: "next season notification",
                })?;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
