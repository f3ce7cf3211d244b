//! A ZK chain's Mailbox on L1, for requests through the Bridgehub: the base cost
//! (`l2TransactionBaseCost`), the request written to the chain's priority queue with its
//! canonical hash (`_requestL2Transaction`, `_writePriorityOp`), and the request's execution
//! on L2 by the chain's sequencer, in queue order
//! (era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Mailbox.sol).

use super::{BridgeError, BridgeEvent};
use crate::chain::AssetId;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::{Exec, State};
use crate::priority::fees;
use crate::priority::queue::{canonical_tx_hash, CanonicalFields, PriorityOp};
use crate::ChainId;
use alloy_primitives::{Address, Bytes, B256, U256};
use serde::{Deserialize, Serialize};

/// A priority request as the Mailbox wrote it (`NewPriorityRequest`), waiting for its L2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    /// The L2.
    pub chain: ChainId,
    /// `txId`: its index in the chain's priority queue.
    pub id: u64,
    /// Canonical hash: the L2 transaction's hash.
    pub hash: B256,
    /// L2 sender (the L1 caller; contract senders are not aliased in the model).
    pub sender: Address,
    /// L2 target.
    pub contract_l2: Address,
    /// Value to the target, wei.
    pub l2_value: U256,
    /// Base token minted on L2 (value, fee and refund), wei.
    pub mint_value: U256,
    /// The asset minted (the chain's base token).
    pub asset: AssetId,
    /// Who gets what is left of `mint_value`.
    pub refund_recipient: Address,
    /// L2 gas price the request was priced at (`maxFeePerGas`).
    pub l2_gas_price: U256,
    /// L2 gas limit.
    pub l2_gas_limit: u64,
    /// `l2GasPerPubdataByteLimit`.
    pub gas_per_pubdata: U256,
    /// L2 calldata (carried and hashed; not executed in the model).
    pub calldata: Bytes,
    /// Whether the chain runs ZKsync OS (its transaction type, 127, else 255).
    pub zksync_os: bool,
}

impl Deposit {
    /// The ABI form of the request, `L2CanonicalTransaction`, whose keccak is [`Self::hash`].
    pub fn canonical_hash(&self) -> B256 {
        canonical_tx_hash(&CanonicalFields {
            zksync_os: self.zksync_os,
            sender: self.sender,
            contract_l2: self.contract_l2,
            l2_gas_limit: self.l2_gas_limit,
            l2_gas_price: self.l2_gas_price,
            id: self.id,
            l2_value: self.l2_value,
            mint_value: self.mint_value,
            refund_recipient: self.refund_recipient,
            calldata: &self.calldata,
            gas_per_pubdata: self.gas_per_pubdata,
        })
    }

    /// How the minted value splits on L2: (to the target, the operator's fee, the refund), as
    /// [`PriorityOp::settlement`] splits a Stage 1 request.
    pub fn settlement(&self) -> (U256, U256, U256) {
        PriorityOp {
            chain: self.chain,
            id: self.id,
            hash: self.hash,
            requested_at: 0,
            sender: self.sender,
            contract_l2: self.contract_l2,
            l2_value: self.l2_value,
            mint_value: self.mint_value,
            l2_gas_price: self.l2_gas_price,
            l2_gas_limit: self.l2_gas_limit,
            refund_recipient: self.refund_recipient,
            calldata: Bytes::new(),
            processed_at: None,
        }
        .settlement()
    }
}

/// `l2TransactionBaseCost(gasPrice, l2GasLimit, l2GasPerPubdataByteLimit)` of `chain`:
/// `_deriveL2GasPrice(gasPrice, gasPerPubdata) × l2GasLimit`, from the chain's fee
/// parameters; returns (L2 gas price, base cost).
pub fn base_cost(
    state: &State,
    chain: ChainId,
    gas_price: U256,
    l2_gas_limit: U256,
    gas_per_pubdata: U256,
) -> Result<(U256, U256), ProtocolError> {
    let d = state
        .priority
        .get(chain)
        .map_err(|_| BridgeError::ChainNotRegistered { chain })?;
    if d.multiplier.denominator == 0 {
        return Err(crate::priority::PriorityError::BaseTokenGasPriceDenominatorNotSet.into());
    }
    let price = fees::derive_l2_gas_price(&d.fee_params, d.multiplier, gas_price, gas_per_pubdata)?;
    let cost = price
        .checked_mul(l2_gas_limit)
        .ok_or(BridgeError::FieldTooLarge {
            field: "l2GasLimit",
            value: l2_gas_limit,
            limit: u64::MAX,
        })?;
    Ok((price, cost))
}

/// What a request carries into the Mailbox (`BridgehubL2TransactionRequest`).
pub(crate) struct Request {
    pub(crate) chain: ChainId,
    pub(crate) sender: Address,
    pub(crate) contract_l2: Address,
    pub(crate) mint_value: U256,
    pub(crate) l2_value: U256,
    pub(crate) calldata: Bytes,
    pub(crate) l2_gas_limit: U256,
    pub(crate) gas_per_pubdata: U256,
    pub(crate) refund_recipient: Address,
    pub(crate) asset: AssetId,
}

impl Exec<'_> {
    /// `_requestL2Transaction`: the base cost at `tx.gasprice` (`MsgValueTooLow`), deposits
    /// not paused (`DepositsPaused`), the canonical hash, the request queued. Returns its hash.
    pub(crate) fn mailbox_request(
        &mut self,
        r: Request,
        l1_gas_price: U256,
    ) -> Result<B256, ProtocolError> {
        let l2_gas_limit =
            u64::try_from(r.l2_gas_limit).map_err(|_| BridgeError::FieldTooLarge {
                field: "l2GasLimit",
                value: r.l2_gas_limit,
                limit: u64::MAX,
            })?;
        let (l2_gas_price, cost) = base_cost(
            &self.state,
            r.chain,
            l1_gas_price,
            r.l2_gas_limit,
            r.gas_per_pubdata,
        )?;
        if r.mint_value < cost {
            return Err(BridgeError::MsgValueTooLow {
                required: cost,
                provided: r.mint_value,
            }
            .into());
        }
        let d = self.state.priority.get(r.chain)?;
        if d.paused_deposits_timestamp != 0
            && d.paused_deposits_timestamp
                .saturating_add(crate::priority::PAUSE_DEPOSITS_TIME_WINDOW_START)
                <= self.state.time
        {
            return Err(crate::priority::PriorityError::DepositsPaused { chain: r.chain }.into());
        }
        let zksync_os = d.zksync_os;
        // `AddressAliasHelper.actualRefundRecipientMailbox`: no recipient means the sender.
        let refund_recipient = if r.refund_recipient == Address::ZERO {
            r.sender
        } else {
            r.refund_recipient
        };
        let id = self
            .state
            .bridge
            .total_priority_txs
            .get(&r.chain)
            .copied()
            .unwrap_or(0);
        let mut deposit = Deposit {
            chain: r.chain,
            id,
            hash: B256::ZERO,
            sender: r.sender,
            contract_l2: r.contract_l2,
            l2_value: r.l2_value,
            mint_value: r.mint_value,
            asset: r.asset,
            refund_recipient,
            l2_gas_price,
            l2_gas_limit,
            gas_per_pubdata: r.gas_per_pubdata,
            calldata: r.calldata,
            zksync_os,
        };
        deposit.hash = deposit.canonical_hash();
        let hash = deposit.hash;
        self.emit(Event::Bridge(BridgeEvent::DepositRequested { deposit }));
        Ok(hash)
    }

    /// The chain's sequencer executes its oldest waiting request on L2: the minted value goes
    /// to the target, the operator (the fee) and the refund recipient.
    pub(crate) fn execute_deposit(&mut self, chain: ChainId) -> Result<B256, ProtocolError> {
        let Some(d) = self
            .state
            .bridge
            .queues
            .get(&chain)
            .and_then(|q| q.front())
            .cloned()
        else {
            return Err(BridgeError::NoPendingRequest { chain }.into());
        };
        let operator = self.state.chain(chain)?.config.operator;
        let (value, fee, refund) = d.settlement();
        let credits: Vec<(Address, U256)> = [
            (d.contract_l2, value),
            (operator, fee),
            (d.refund_recipient, refund),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_zero())
        .collect();
        self.emit(Event::Bridge(BridgeEvent::DepositExecuted {
            chain,
            hash: d.hash,
            asset: d.asset,
            credits,
        }));
        Ok(d.hash)
    }
}
