//! Governance behind the network's actions, and the one place where a passed proposal's typed
//! actions take effect — with the authority governance holds over each contract. A defeated,
//! canceled, vetoed or expired proposal never yields actions, so it changes nothing.

use super::{Outcome, ProposalAction};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::governance::GovernanceEvent;
use crate::network::Exec;
use crate::staking::SeasonPlan;

impl Exec<'_> {
    /// Logs governance events the module has already applied.
    pub(crate) fn governance_events(&mut self, events: Vec<GovernanceEvent>) {
        self.out.extend(events.into_iter().map(Event::Governance));
    }

    /// Logs an execution's events, then applies its actions in order.
    pub(crate) fn take_effect(&mut self, outcome: Outcome) -> Result<(), ProtocolError> {
        self.governance_events(outcome.events);
        for action in outcome.actions {
            self.apply_proposal_action(action)?;
        }
        Ok(())
    }

    /// One proposal action, with governance's authority (GWAssetTracker's owner, the token's
    /// role admin for capped minters). Fee Flow and Splitter actions are TPP-only and are
    /// made as the Token Governor's timelock, through the contracts' own checks: they succeed
    /// because that timelock is the contracts' admin.
    fn apply_proposal_action(&mut self, action: ProposalAction) -> Result<(), ProtocolError> {
        match action {
            ProposalAction::SetFixedInteropFee(fee) => self.emit(Event::FixedInteropFeeSet { fee }),
            ProposalAction::SetGatewaySettlementFee(fee) => {
                self.emit(Event::GatewaySettlementFeeSet { fee })
            }
            ProposalAction::SetBidThreshold(threshold) => {
                let tl = self.state.economy.token_governor_timelock;
                self.set_bid_threshold(tl, threshold)?;
            }
            ProposalAction::SetFeeFlowDestination(destination) => {
                let tl = self.state.economy.token_governor_timelock;
                self.set_fee_flow_destination(tl, destination)?;
            }
            ProposalAction::SetClaimPaused(paused) => {
                let tl = self.state.economy.token_governor_timelock;
                self.set_claim_paused(tl, paused)?;
            }
            ProposalAction::SetClaimableToken { token, claimable } => {
                let tl = self.state.economy.token_governor_timelock;
                self.set_claimable_token(tl, token, claimable)?;
            }
            ProposalAction::SetBurnPercentage(bps) => {
                let tl = self.state.economy.token_governor_timelock;
                self.set_burn_percentage(tl, bps)?;
            }
            ProposalAction::SetDistributors(list) => {
                let tl = self.state.economy.token_governor_timelock;
                self.set_distributors(tl, list)?;
            }
            ProposalAction::FundStakingSeason {
                cap,
                start,
                expiry,
                reward_minter,
            } => {
                // The Token Governor's timelock holds the token's admin roles.
                let admin = self.state.token.role_admin();
                let plan = SeasonPlan { cap, start, expiry };
                self.with_staker(|s, t, now| s.fund_season(t, admin, plan, reward_minter, now))?;
            }
            // The chain type manager's calls, by the L1 governance that owns it.
            ProposalAction::DeactivatePriorityMode { chain } => {
                self.deactivate_priority_mode(chain)?
            }
            ProposalAction::SetPriorityModeTransactionFilterer { chain, filterer } => {
                self.set_priority_mode_transaction_filterer(chain, filterer)?
            }
        }
        Ok(())
    }
}
