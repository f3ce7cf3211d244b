//! Governance behind the network's actions, and the one place where a passed proposal's typed
//! actions take effect — with the authority governance holds over each contract. A defeated,
//! canceled, vetoed or expired proposal never yields actions, so it changes nothing.

use super::{Outcome, ProposalAction};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::fee_flow::{Splitter, BPS};
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

    /// One proposal action, with governance's authority (the fee contracts' admin role, the
    /// token's role admin for capped minters).
    fn apply_proposal_action(&mut self, action: ProposalAction) -> Result<(), ProtocolError> {
        match action {
            ProposalAction::SetFixedInteropFee(fee) => self.emit(Event::FixedInteropFeeSet { fee }),
            ProposalAction::SetGatewaySettlementFee(fee) => {
                self.emit(Event::GatewaySettlementFeeSet { fee })
            }
            ProposalAction::SetFeeSwitch(bps) => {
                if bps > BPS {
                    return Err(ProtocolError::BpsOutOfRange { value: bps });
                }
                self.emit(Event::FeeSwitchSet { bps });
            }
            ProposalAction::SetSplitterShares {
                burn_bps,
                recipients,
            } => {
                let s = Splitter::new(burn_bps, recipients)?;
                self.emit(Event::SplitterSharesSet {
                    burn_bps: s.burn_bps,
                    recipients: s.recipients,
                });
            }
            ProposalAction::SetFeeFlowThreshold(threshold) => {
                self.emit(Event::FeeFlowThresholdSet { threshold })
            }
            ProposalAction::SetFeeFlowPaused(paused) => {
                self.emit(Event::FeeFlowPauseSet { paused })
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
