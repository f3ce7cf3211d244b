//! Fee routes after collection: operators' claims, the Gateway settlement fee, its owner's
//! withdrawal of the settlement-fee vault, and the settlement fee's setter.

use super::settlement_fee_vault;
use crate::chain::INTEROP_CENTER;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::interop::fees::settlement_fee;
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

    /// `claimProtocolFees(receiver)`: the calling coinbase's whole base-token accrual goes to
    /// `receiver`; nothing accrued is a silent no-op
    /// (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol). There is no
    /// fee switch: what, if anything, reaches Fee Flow is sent there afterwards by whoever
    /// chooses to.
    pub(crate) fn claim_protocol_fees(
        &mut self,
        chain: ChainId,
        operator: Address,
        receiver: Address,
    ) -> Result<(), ProtocolError> {
        let c = self.state.chain(chain)?;
        let amount = c
            .accrued_base_fees
            .get(&operator)
            .copied()
            .unwrap_or_default();
        if amount.is_zero() {
            return Ok(());
        }
        let asset = c.config.base_token;
        self.emit(Event::Transferred {
            chain,
            asset,
            from: INTEROP_CENTER,
            to: receiver,
            amount,
        });
        self.emit(Event::ProtocolFeesClaimed {
            chain,
            operator,
            receiver,
            amount,
        });
        Ok(())
    }

    /// `claimZKFees(receiver)`: the calling coinbase's whole fixed-fee ZK accrual goes to
    /// `receiver` (the token's own errors, e.g. a zero receiver, propagate); nothing accrued
    /// is a silent no-op (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol).
    pub(crate) fn claim_zk_fees(
        &mut self,
        chain: ChainId,
        operator: Address,
        receiver: Address,
    ) -> Result<(), ProtocolError> {
        let amount = self
            .state
            .chain(chain)?
            .accrued_zk_fees
            .get(&operator)
            .copied()
            .unwrap_or_default();
        if amount.is_zero() {
            return Ok(());
        }
        let now = self.state.time;
        let evs = self
            .state
            .token_mut()
            .transfer(INTEROP_CENTER, receiver, amount, now)?;
        self.token_events(evs);
        self.emit(Event::ZkFeesClaimed {
            chain,
            operator,
            receiver,
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
            .token_mut()
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

    /// GWAssetTracker `withdrawGatewayFees(recipient)` (its owner only): the vault's whole ZK
    /// balance goes to `recipient`; an empty vault moves nothing
    /// (era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol).
    /// Withdrawn to the Splitter, the ZK waits there for the next `split()` (the next Fee Flow
    /// claim, or anyone's call): the model never splits on its own.
    pub(crate) fn withdraw_gateway_fees(
        &mut self,
        caller: Address,
        recipient: Address,
    ) -> Result<(), ProtocolError> {
        self.require_governance(caller)?;
        if recipient.is_zero() {
            return Err(ProtocolError::InvalidFeeRecipient);
        }
        let vault = settlement_fee_vault();
        let amount = self.state.token.balance_of(vault);
        if amount.is_zero() {
            return Ok(());
        }
        let now = self.state.time;
        let evs = self
            .state
            .token_mut()
            .transfer(vault, recipient, amount, now)?;
        self.token_events(evs);
        self.emit(Event::GatewayFeesWithdrawn { recipient, amount });
        Ok(())
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
}
