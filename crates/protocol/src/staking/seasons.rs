//! Staking seasons: the capped minters that fund staking rewards. TPP-12 funds the pilot "over
//! 2 seasons (6 months total) with two capped minters of 10M ZK and 25M ZK".
//!
//! A season is a ZkCappedMinterV2 that governance deploys and wires up in one proposal: the
//! token's role admin (the Token Governor's timelock) deploys it with itself as the minter's
//! admin, grants it the token's MINTER_ROLE, and grants the minter's own MINTER_ROLE to the
//! *reward minter* — on mainnet the reward script's signer, which mints through a
//! ZkMinterDelayV1 (withtally/zkstaker@bff26f8:script/rewards/README.md; see [`super::policy`]).
//! Nothing on-chain paces a season: what is minted and when is the off-chain script's decision,
//! bounded only by the minter's cap, window, pause and close, and the token's 21B max supply.
//!
//! The staker keeps an index of the funded seasons. It is model bookkeeping, not contract
//! state: it tells the reward script and the reports which minter funds which season.

use super::{Staker, StakingError, StakingEvent, Tx};
use crate::genesis::account;
use crate::token::{MinterRole, Role, ZkToken};
use crate::units::tokens;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// What a governance proposal funds: a capped minter's cap and window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeasonPlan {
    /// Lifetime mint limit, wei.
    pub cap: U256,
    /// `START_TIME`: first second minting is allowed.
    pub start: u64,
    /// `EXPIRATION_TIME`: last second minting is allowed (inclusive).
    pub expiry: u64,
}

/// One funded season.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Season {
    /// The ZkCappedMinterV2 funding it.
    pub minter: Address,
    /// The minter's cap, wei.
    pub cap: U256,
    /// The minter's start.
    pub start: u64,
    /// The minter's (inclusive) expiry.
    pub expiry: u64,
}

/// The pilot's season length: model choice, TPP-12 gives "2 seasons (6 months total)", split
/// here into two equal 90-day seasons.
pub const PILOT_SEASON_LENGTH: u64 = 90 * 86_400;

impl SeasonPlan {
    /// TPP-12's two seasons from `start`: 10M ZK then 25M ZK, back to back (the first one's
    /// inclusive expiry is the second before the second one starts).
    pub fn pilot(start: u64) -> [SeasonPlan; 2] {
        let mid = start + PILOT_SEASON_LENGTH;
        [
            SeasonPlan {
                cap: tokens(10_000_000),
                start,
                expiry: mid - 1,
            },
            SeasonPlan {
                cap: tokens(25_000_000),
                start: mid,
                expiry: mid + PILOT_SEASON_LENGTH - 1,
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

    /// The first season (in funding order) whose minter could mint at `now`: inside its
    /// window, neither paused nor closed, with cap left. `None` when no season can.
    pub fn minting_season(&self, token: &ZkToken, now: u64) -> Option<(u32, Season)> {
        self.seasons.iter().enumerate().find_map(|(i, s)| {
            let m = token.minter(s.minter)?;
            let open = m.in_window(now) && !m.paused && !m.closed && !m.left().is_zero();
            let index = u32::try_from(i).ok()?;
            open.then_some((index, *s))
        })
    }

    /// Funds a season as a passed proposal does, with `caller`'s authority (the token's role
    /// admin): deploys the season's capped minter with `caller` as its admin, grants it the
    /// token's MINTER_ROLE, grants its MINTER_ROLE to `reward_minter`, and indexes the season.
    /// Fails, changing nothing, if `caller` is not the token's role admin
    /// (`AccessControl: … is missing role MINTER_ADMIN_ROLE`) or the window is invalid
    /// (`ZkCappedMinterV2__InvalidTime`).
    pub fn fund_season(
        &mut self,
        token: &mut ZkToken,
        caller: Address,
        plan: SeasonPlan,
        reward_minter: Address,
        now: u64,
    ) -> super::Emitted {
        self.check_now(now)?;
        let season = u32::try_from(self.seasons.len()).map_err(|_| StakingError::Overflow {
            what: "season index",
        })?;
        let minter = Self::season_minter(season);
        self.transact(token, |tx: &mut Tx| {
            let evs =
                tx.token
                    .create_minter(minter, caller, plan.cap, plan.start, plan.expiry, now);
            tx.token_events(evs)?;
            let evs = tx.token.grant_role(caller, Role::Minter, minter);
            tx.token_events(evs)?;
            let evs = tx
                .token
                .minter_grant_role(caller, minter, MinterRole::Minter, reward_minter);
            tx.token_events(evs)?;
            tx.emit(StakingEvent::SeasonFunded {
                season,
                minter,
                cap: plan.cap,
                start: plan.start,
                expiry: plan.expiry,
            })
        })
    }

    pub(crate) fn apply_season(&mut self, ev: &StakingEvent) -> Result<(), StakingError> {
        if let StakingEvent::SeasonFunded {
            season,
            minter,
            cap,
            start,
            expiry,
        } = *ev
        {
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
            });
        }
        Ok(())
    }
}
