//! The staker behind the network's actions: each call runs on the state's staker and token,
//! and its records (staker and token events, already applied) join the action's log.

use super::{Staker, StakingRecord};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::Exec;
use alloy_primitives::{Address, U256};

impl Exec<'_> {
    /// Logs records the staker has already applied.
    pub(crate) fn staking_records(&mut self, records: Vec<StakingRecord>) {
        self.out.extend(records.into_iter().map(|r| match r {
            StakingRecord::Staking(e) => Event::Staking(e),
            StakingRecord::Token(e) => Event::Token(e),
        }));
    }

    /// Runs a staker call that may move ZK.
    pub(crate) fn with_staker(
        &mut self,
        f: impl FnOnce(&mut Staker, &mut crate::token::ZkToken, u64) -> super::Emitted,
    ) -> Result<(), ProtocolError> {
        let now = self.state.time;
        let (staker, token) = self.state.staker_mut();
        let records = f(staker, token, now)?;
        self.staking_records(records);
        Ok(())
    }

    /// The score oracle posts every voter's binary score (1 when it voted on at least
    /// `min_votes` of the last `window` closed proposals, else 0: [`super::oracle_score`]) —
    /// the off-chain keeper that ties staking rewards to governance activity.
    pub(crate) fn refresh_delegate_scores(&mut self, caller: Address) -> Result<(), ProtocolError> {
        let now = self.state.time;
        let rule = self.state.staker.oracle().params;
        let updates: Vec<(Address, u64)> = self
            .state
            .governance
            .voters()
            .iter()
            .map(|d| {
                let votes = self.state.governance.participation(*d, rule.window, now);
                (*d, super::oracle_score(votes, rule.min_votes))
            })
            .collect();
        let records = self
            .state
            .staker_mut()
            .0
            .update_delegatee_scores(caller, &updates, now)?;
        self.staking_records(records);
        Ok(())
    }

    /// Stake with the pilot's staker (the owner approved the staker's address).
    pub(crate) fn stake(
        &mut self,
        owner: Address,
        amount: U256,
        delegatee: Address,
        claimer: Address,
    ) -> Result<(), ProtocolError> {
        self.with_staker(|s, t, now| s.stake(t, owner, amount, delegatee, claimer, now))
    }
}
