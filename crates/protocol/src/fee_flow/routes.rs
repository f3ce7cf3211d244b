//! Fee routes after collection: operators' claims (with the protocol fee switch), the Gateway
//! settlement fee, governance's sweep of the settlement-fee vault, and parameter changes.

use super::{fee_flow_address, settlement_fee_vault, splitter_address, BPS};
use crate::chain::INTEROP_CENTER;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::interop::fees::{fee_switch_split, settlement_fee};
use crate::network::Exec;
use crate::ChainId;
use alloy_primitives::{Address, U256};

impl Exec<'_> {
    pub(crate) fn require_governance(&self, caller: Address) -> Result<(), ProtocolError> {
        if caller != self.state.economy.governance {
            return Err(ProtocolError::NotGovernance { caller });
        }
        Ok(())
    }

    /// `claimProtocolFees`: the operator takes its accrued base-token fees, less the fee
    /// switch's share, which goes to the Fee Flow pool (bridged when Fee Flow lives on another
    /// chain).
    pub(crate) fn claim_protocol_fees(
        &mut self,
        chain: ChainId,
        operator: Address,
    ) -> Result<(), ProtocolError> {
        let c = self.state.chain(chain)?;
        let accrued = c
            .accrued_base_fees
            .get(&operator)
            .copied()
            .unwrap_or_default();
        if accrued.is_zero() {
            return Err(ProtocolError::NothingToClaim { chain, operator });
        }
        let asset = c.config.base_token;
        let (to_operator, to_fee_flow) =
            fee_switch_split(accrued, self.state.economy.fee_switch_bps);
        let pool_chain = self.state.economy.fee_flow.chain;
        let center = INTEROP_CENTER;
        if !to_operator.is_zero() {
            self.emit(Event::Transferred {
                chain,
                asset,
                from: center,
                to: operator,
                amount: to_operator,
            });
        }
        if !to_fee_flow.is_zero() {
            let pool = fee_flow_address();
            if pool_chain == chain {
                self.emit(Event::Transferred {
                    chain,
                    asset,
                    from: center,
                    to: pool,
                    amount: to_fee_flow,
                });
            } else {
                // Bridged to the Fee Flow chain: burned here, minted there, in one step.
                self.emit(Event::ValueBurned {
                    chain,
                    asset,
                    from: center,
                    amount: to_fee_flow,
                });
                self.emit(Event::ValueMinted {
                    chain: pool_chain,
                    asset,
                    to: pool,
                    amount: to_fee_flow,
                });
            }
        }
        self.emit(Event::ProtocolFeesClaimed {
            chain,
            operator,
            to_operator,
            to_fee_flow,
        });
        Ok(())
    }

    /// `claimZKFees`: the operator takes its accrued fixed ZK fees.
    pub(crate) fn claim_zk_fees(
        &mut self,
        chain: ChainId,
        operator: Address,
    ) -> Result<(), ProtocolError> {
        let amount = self
            .state
            .chain(chain)?
            .accrued_zk_fees
            .get(&operator)
            .copied()
            .unwrap_or_default();
        if amount.is_zero() {
            return Err(ProtocolError::NothingToClaim { chain, operator });
        }
        let now = self.state.time;
        let evs = self
            .state
            .token
            .transfer(INTEROP_CENTER, operator, amount, now)?;
        self.token_events(evs);
        self.emit(Event::ZkFeesClaimed {
            chain,
            operator,
            amount,
        });
        Ok(())
    }

    /// `setSettlementFeePayerAgreement(chainId, agreed)`: the caller opts in to (or out of)
    /// paying a chain's settlement fees. Anyone may call it for any chain id: the agreement only
    /// binds the caller, so it never reverts
    /// (`era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol`).
    pub(crate) fn set_settlement_fee_payer_agreement(
        &mut self,
        chain: ChainId,
        payer: Address,
        agreed: bool,
    ) -> Result<(), ProtocolError> {
        self.emit(Event::SettlementFeePayerAgreementUpdated {
            payer,
            chain,
            agreed,
        });
        Ok(())
    }

    /// Charges `gatewaySettlementFee × calls` ZK to the chain's operator (its fee payer) as
    /// its batch settles on Gateway, `calls` counting every call of every bundle in the batch.
    /// No calls or a zero fee charge nothing and need no agreement; otherwise the payer must
    /// have agreed, then pays by `transferFrom`, and a failure fails the settlement
    /// (`_collectInteropSettlementFee`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol`).
    pub(crate) fn charge_settlement_fee(
        &mut self,
        chain: ChainId,
        calls: u64,
    ) -> Result<(), ProtocolError> {
        let fee = self.state.economy.gateway_settlement_fee;
        if calls == 0 || fee.is_zero() {
            return Ok(());
        }
        let payer = self.state.chain(chain)?.config.operator;
        if !self
            .state
            .economy
            .settlement_payers
            .contains(&(chain, payer))
        {
            return Err(ProtocolError::SettlementFeePayerNotAgreed { payer, chain });
        }
        let amount =
            settlement_fee(fee, calls).map_err(|_| ProtocolError::Overflow("settlement fee"))?;
        let vault = settlement_fee_vault();
        let now = self.state.time;
        let evs = self
            .state
            .token
            .transfer_from(vault, payer, vault, amount, now)?;
        self.token_events(evs);
        self.emit(Event::GatewaySettlementFeesCollected {
            chain,
            payer,
            amount,
            calls,
        });
        Ok(())
    }

    /// Governance withdraws the settlement-fee vault to the splitter, which distributes it.
    pub(crate) fn sweep_settlement_fees(&mut self, caller: Address) -> Result<(), ProtocolError> {
        self.require_governance(caller)?;
        let vault = settlement_fee_vault();
        let amount = self.state.token.balance_of(vault);
        if amount.is_zero() {
            return Err(ProtocolError::NothingToClaim {
                chain: self.state.economy.fee_flow.chain,
                operator: vault,
            });
        }
        let now = self.state.time;
        let evs = self
            .state
            .token
            .transfer(vault, splitter_address(), amount, now)?;
        self.token_events(evs);
        self.emit(Event::SettlementFeesSwept { amount });
        self.distribute_splitter()
    }

    /// Governance sets `gatewaySettlementFee`.
    pub(crate) fn set_settlement_fee(
        &mut self,
        caller: Address,
        fee: U256,
    ) -> Result<(), ProtocolError> {
        self.require_governance(caller)?;
        self.emit(Event::GatewaySettlementFeeSet { fee });
        Ok(())
    }

    /// Governance sets the protocol fee switch (bps of operators' base-token fee claims).
    pub(crate) fn set_fee_switch(
        &mut self,
        caller: Address,
        bps: u16,
    ) -> Result<(), ProtocolError> {
        self.require_governance(caller)?;
        if bps > BPS {
            return Err(ProtocolError::BpsOutOfRange { value: bps });
        }
        self.emit(Event::FeeSwitchSet { bps });
        Ok(())
    }
}
