//! The L1 side of the ecosystem and the bridge between L1 and the ZK chains: deposits
//! (L1 → L2 priority requests through the L1 Bridgehub, the funds locked in the L1 native
//! token vault) and withdrawals (L2 → L1 messages of the L2 base token, finalized once on L1
//! through the L1 nullifier, which releases the funds).
//!
//! One file per contract concept, each with the contract's checks in its order
//! (era-contracts@4859b6f): [`bridgehub`] (`core/bridgehub/L1Bridgehub.sol`,
//! `BridgehubBase.sol`), [`mailbox`] (`state-transition/chain-deps/facets/Mailbox.sol`: the
//! chain's priority requests and their execution on L2), [`native_token_vault`]
//! (`bridge/ntv/L1NativeTokenVault.sol`, `NativeTokenVaultBase.sol`: asset ids, the vault's
//! per-chain balance), [`nullifier`] (`bridge/L1Nullifier.sol`: withdrawal finalization),
//! [`base_token`] (`l2-system/L2BaseTokenBase.sol`: `withdraw`), [`chain_type_manager`]
//! (`state-transition/ChainTypeManagerBase.sol`: the protocol version) and [`abi`], the one
//! declaration of their ABI.
//!
//! Model choices (each also at its code and in MODEL.md): the L1 contracts sit at fixed model
//! addresses ([`addresses`]); only tokens native to L1 (ETH) bridge — a chain whose base token
//! is native elsewhere (ZK, native to Era) takes no deposits or withdrawals
//! ([`BridgeError::BaseTokenNotOnL1`]); a request is executed on its L2 by that chain's
//! sequencer as the next L1 transaction (in queue order, [`BridgeAction::ExecuteDeposit`]),
//! its value split as [`crate::priority::PriorityOp::settlement`] splits it (whole gas limit
//! charged to the operator, its calldata carried and hashed but not executed); these requests
//! have their own queue per chain, apart from the Stage 1 model's diamond queue
//! ([`crate::priority`]). What an L2 holds of a token native to L1 is counted as issued there
//! (`State::issued`) and backed by the vault's balance for that chain.

pub mod abi;
pub mod addresses;
pub mod base_token;
pub mod bridgehub;
pub mod chain_type_manager;
pub mod mailbox;
pub mod native_token_vault;
pub mod nullifier;
#[cfg(test)]
mod tests;

use crate::chain::{AssetId, MessageLocation};
use crate::error::ProtocolError;
use crate::ChainId;
use alloy_primitives::{Address, Bytes, B256, U256};
use imbl::{OrdMap, OrdSet, Vector};
use serde::{Deserialize, Serialize};

pub use mailbox::Deposit;

/// What the L1 bridging contracts hold, as far as the model uses it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bridge {
    /// Priority requests made on L1 and not yet executed on their L2, per chain, oldest first.
    pub queues: OrdMap<ChainId, Vector<Deposit>>,
    /// Each chain's `totalPriorityTxs` (the next request's `txId`).
    pub total_priority_txs: OrdMap<ChainId, u64>,
    /// What the L1 native token vault holds for each chain, per asset (`chainBalance`).
    pub chain_balance: OrdMap<(ChainId, AssetId), U256>,
    /// Withdrawals initiated on L2 and not yet finalized on L1, by (chain, batch, index).
    pub withdrawals: OrdMap<(ChainId, u64, u32), Withdrawal>,
    /// `isWithdrawalFinalized[chainId][l2BatchNumber][l2MessageIndex]`.
    pub finalized: OrdSet<(ChainId, u64, u64)>,
}

impl Bridge {
    /// `chainBalance[chainId][assetId]`.
    pub fn chain_balance(&self, chain: ChainId, asset: AssetId) -> U256 {
        self.chain_balance
            .get(&(chain, asset))
            .copied()
            .unwrap_or_default()
    }

    /// Requests waiting for execution on `chain`.
    pub fn pending(&self, chain: ChainId) -> usize {
        self.queues.get(&chain).map_or(0, Vector::len)
    }

    /// `isWithdrawalFinalized(chainId, l2BatchNumber, l2MessageIndex)`.
    pub fn is_withdrawal_finalized(&self, chain: ChainId, batch: u64, index: u64) -> bool {
        self.finalized.contains(&(chain, batch, index))
    }

    /// Value of `asset` between the chains: locked on L1 and not yet minted on L2 (queued
    /// deposits), or burned on L2 and not yet released on L1 (withdrawals not finalized).
    pub fn in_transit(&self, asset: AssetId) -> U256 {
        let deposits = self
            .queues
            .values()
            .flat_map(|q| q.iter())
            .filter(|d| d.asset == asset)
            .fold(U256::ZERO, |a, d| a.saturating_add(d.mint_value));
        self.withdrawals
            .values()
            .filter(|w| w.asset == asset)
            .fold(deposits, |a, w| a.saturating_add(w.amount))
    }
}

/// A withdrawal initiated on L2: what its finalization on L1 releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The asset.
    pub asset: AssetId,
    /// Amount burned on L2, wei.
    pub amount: U256,
    /// Who receives it on L1.
    pub l1_receiver: Address,
    /// Who withdrew on L2.
    pub l2_sender: Address,
}

/// A call to the bridge's contracts, by its caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BridgeAction {
    /// `L1Bridgehub.requestL2TransactionDirect`, with `msg.value` and `tx.gasprice`.
    RequestDirect {
        /// The caller (`msg.sender`).
        sender: Address,
        /// `msg.value`, wei.
        msg_value: U256,
        /// The request.
        request: DirectRequest,
        /// `tx.gasprice`, wei: prices the request's L2 gas.
        l1_gas_price: U256,
    },
    /// The L2 sequencer executes the oldest request queued for `chain` (`ExecuteDeposit`
    /// without a request waiting is refused: [`BridgeError::NoPendingRequest`]).
    ExecuteDeposit {
        /// The L2.
        chain: ChainId,
    },
    /// `L2BaseToken.withdraw(l1Receiver)` on `chain` with `msg.value` = `amount`.
    WithdrawBase {
        /// The L2.
        chain: ChainId,
        /// `msg.sender` on L2.
        sender: Address,
        /// `_l1Receiver`.
        l1_receiver: Address,
        /// `msg.value`, wei.
        amount: U256,
    },
    /// `L1Nullifier.finalizeDeposit(params)`: finalizes a withdrawal.
    FinalizeWithdrawal {
        /// The caller (anyone may finalize; the funds go to the message's receiver).
        caller: Address,
        /// `FinalizeL1DepositParams`.
        params: FinalizeParams,
    },
    /// Model: the L1 vault takes what `chain` holds at genesis of a token native to L1 as
    /// locked for it (so genesis funds can be withdrawn), by funding the vault on L1.
    BackGenesisSupply {
        /// The L2.
        chain: ChainId,
    },
}

/// `L2TransactionRequestDirect` (`core/bridgehub/IBridgehubBase.sol`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectRequest {
    /// `chainId`.
    pub chain: ChainId,
    /// `mintValue`: base token minted on L2 (value, fee and refund), wei.
    pub mint_value: U256,
    /// `l2Contract`.
    pub l2_contract: Address,
    /// `l2Value`, wei.
    pub l2_value: U256,
    /// `l2Calldata`.
    pub l2_calldata: Bytes,
    /// `l2GasLimit`.
    pub l2_gas_limit: U256,
    /// `l2GasPerPubdataByteLimit`.
    pub gas_per_pubdata: U256,
    /// `refundRecipient` (zero: the sender).
    pub refund_recipient: Address,
}

/// `FinalizeL1DepositParams` (`common/Messaging.sol`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalizeParams {
    /// `chainId`.
    pub chain: ChainId,
    /// `l2BatchNumber`.
    pub batch: u64,
    /// `l2MessageIndex`.
    pub index: u64,
    /// `l2Sender`.
    pub l2_sender: Address,
    /// `l2TxNumberInBatch`.
    pub tx_number: u16,
    /// `message`.
    pub message: Bytes,
    /// `merkleProof`.
    pub proof: Vec<B256>,
}

/// Facts recorded by the bridge; applying them in order rebuilds [`Bridge`] (balances move
/// through the network's own balance events beside them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BridgeEvent {
    /// A request was accepted on L1 (`NewPriorityRequest`); its base token is locked in the
    /// vault for its chain.
    DepositRequested {
        /// The request.
        deposit: Deposit,
    },
    /// The oldest request of `chain` was executed on L2: `credits` minted there.
    DepositExecuted {
        /// The L2.
        chain: ChainId,
        /// Its canonical hash (the L2 transaction's hash).
        hash: B256,
        /// The asset minted.
        asset: AssetId,
        /// (account, amount) minted on L2: the target's value, the operator's fee, the refund.
        credits: Vec<(Address, U256)>,
    },
    /// A withdrawal was initiated on L2: `amount` burned from `from`, the message appended
    /// to the chain's open batch at `location`.
    WithdrawalInitiated {
        /// The L2.
        chain: ChainId,
        /// Who withdrew.
        from: Address,
        /// Where its message sits.
        location: MessageLocation,
        /// The L2→L1 message's sender (the L2 base token system contract).
        l2_sender: Address,
        /// The message.
        message: Bytes,
        /// What the finalization releases.
        withdrawal: Withdrawal,
    },
    /// A withdrawal was finalized on L1: the vault released its amount for the chain.
    WithdrawalFinalized {
        /// The L2.
        chain: ChainId,
        /// `l2BatchNumber`.
        batch: u64,
        /// `l2MessageIndex`.
        index: u64,
        /// The asset.
        asset: AssetId,
        /// Released, wei.
        amount: U256,
        /// Who received it on L1.
        receiver: Address,
    },
    /// The vault holds `amount` more of `asset` for `chain` (a Prividium's filtered L1
    /// request, or the model's genesis backing).
    ChainBalanceIncreased {
        /// The L2.
        chain: ChainId,
        /// The asset.
        asset: AssetId,
        /// Amount, wei.
        amount: U256,
    },
}

/// Why a bridge call was refused: the contracts' custom errors, with their arguments (and
/// the model's own scope limits, marked as such).
#[allow(missing_docs)] // fields are the contract error's arguments, named in each message
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// `MsgValueMismatch(expectedMsgValue, providedMsgValue)`.
    #[error("msg.value {provided} wei does not match the expected {expected} wei")]
    MsgValueMismatch { expected: U256, provided: U256 },
    /// `MsgValueTooLow(required, provided)`: the minted value does not cover the base cost.
    #[error("mintValue {provided} wei does not cover the base cost {required} wei")]
    MsgValueTooLow { required: U256, provided: U256 },
    /// The chain is not registered in the Bridgehub (the contract's call to the zero chain
    /// address reverts; the model names it).
    #[error("chain {chain} is not a ZK chain registered in the Bridgehub")]
    ChainNotRegistered { chain: ChainId },
    /// Model scope: only tokens native to L1 bridge; `chain`'s base token is native to
    /// `origin`.
    #[error("chain {chain}'s base token is native to chain {origin}, not L1: it does not bridge in this model")]
    BaseTokenNotOnL1 { chain: ChainId, origin: ChainId },
    /// A request field does not fit (the L2 gas limit beyond 64 bits).
    #[error("{field} = {value} exceeds the limit {limit}")]
    FieldTooLarge {
        field: &'static str,
        value: U256,
        limit: u64,
    },
    /// Model: no request is waiting for execution on the chain.
    #[error("no L1 → L2 request is waiting for chain {chain}")]
    NoPendingRequest { chain: ChainId },
    /// `WithdrawalAlreadyFinalized()`.
    #[error("withdrawal (chain {chain}, batch {batch}, message {index}) is already finalized")]
    WithdrawalAlreadyFinalized {
        chain: ChainId,
        batch: u64,
        index: u64,
    },
    /// `InvalidProof()`: the message is not proven by a root L1 knows.
    #[error("invalid proof: {reason}")]
    InvalidProof { reason: String },
    /// `WrongL2Sender(providedL2Sender)`.
    #[error("wrong L2 sender {provided} for this withdrawal")]
    WrongL2Sender { provided: Address },
    /// `InvalidSelector(func)`: not a withdrawal message the nullifier reads.
    #[error("invalid selector {selector} at the head of the withdrawal message")]
    InvalidSelector {
        selector: alloy_primitives::FixedBytes<4>,
    },
    /// `L2WithdrawalMessageWrongLength(messageLen)`.
    #[error("withdrawal message of {len} bytes, at least 56 are needed")]
    L2WithdrawalMessageWrongLength { len: usize },
    /// `InsufficientChainBalance(chainId, assetId, amount)`: the vault holds less for the chain.
    #[error("the vault holds {held} of asset {asset} for chain {chain}, less than {amount}")]
    InsufficientChainBalance {
        chain: ChainId,
        asset: AssetId,
        amount: U256,
        held: U256,
    },
    /// The L2 has no open batch slot left for another message (16,384 logs per batch).
    #[error("chain {chain}'s open batch holds no more L2→L1 messages")]
    BatchFull { chain: ChainId },
}

impl From<BridgeError> for ProtocolError {
    fn from(e: BridgeError) -> Self {
        ProtocolError::Bridge(Box::new(e))
    }
}

/// Applies a bridge event to the state (the reducer; balances are credited or debited here
/// only for L2 mints and burns, whose supply is counted as issued there).
pub(crate) fn apply(
    state: &mut crate::network::State,
    ev: &BridgeEvent,
    j: &mut crate::journal::Journal,
) {
    use crate::journal::{ChainUndo, Undo};
    match ev {
        BridgeEvent::DepositRequested { deposit } => {
            let b = &mut state.bridge;
            b.queues
                .entry(deposit.chain)
                .or_default()
                .push_back(deposit.clone());
            *b.total_priority_txs.entry(deposit.chain).or_default() += 1;
            let slot = b
                .chain_balance
                .entry((deposit.chain, deposit.asset))
                .or_default();
            *slot = slot.saturating_add(deposit.mint_value);
        }
        BridgeEvent::DepositExecuted {
            chain,
            asset,
            credits,
            ..
        } => {
            if let Some(q) = state.bridge.queues.get_mut(chain) {
                q.pop_front();
            }
            let total = credits
                .iter()
                .fold(U256::ZERO, |a, (_, v)| a.saturating_add(*v));
            j.record(|| Undo::Issued(*asset, state.issued.get(asset).copied()));
            let issued = state.issued.entry(*asset).or_default();
            *issued = issued.saturating_add(total);
            if let Some(c) = state.chains.get_mut(chain) {
                for (who, amount) in credits {
                    c.credit_j(*chain, *asset, *who, *amount, j);
                }
            }
        }
        BridgeEvent::WithdrawalInitiated {
            chain,
            from,
            location,
            l2_sender,
            message,
            withdrawal,
        } => {
            let asset = withdrawal.asset;
            if let Some(issued) = state.issued.get_mut(&asset) {
                let old = *issued;
                j.record(|| Undo::Issued(asset, Some(old)));
                *issued = issued.saturating_sub(withdrawal.amount);
            }
            if let Some(c) = state.chains.get_mut(chain) {
                c.debit_j(*chain, asset, *from, withdrawal.amount, j);
                let leaf = crate::settlement::message_log_leaf(
                    location.tx_number,
                    *l2_sender,
                    &alloy_primitives::keccak256(message),
                );
                j.chain(*chain, || ChainUndo::PendingLogPushed);
                c.pending_logs.push_back(leaf);
            }
            state
                .bridge
                .withdrawals
                .insert((*chain, location.batch, location.index), withdrawal.clone());
        }
        BridgeEvent::WithdrawalFinalized {
            chain,
            batch,
            index,
            asset,
            amount,
            ..
        } => {
            let b = &mut state.bridge;
            b.finalized.insert((*chain, *batch, *index));
            if let Ok(i) = u32::try_from(*index) {
                b.withdrawals.remove(&(*chain, *batch, i));
            }
            let slot = b.chain_balance.entry((*chain, *asset)).or_default();
            *slot = slot.saturating_sub(*amount);
        }
        BridgeEvent::ChainBalanceIncreased {
            chain,
            asset,
            amount,
        } => {
            let slot = state
                .bridge
                .chain_balance
                .entry((*chain, *asset))
                .or_default();
            *slot = slot.saturating_add(*amount);
        }
    }
}

impl crate::network::Exec<'_> {
    /// Dispatches a bridge call.
    pub(crate) fn l1_bridge(&mut self, action: BridgeAction) -> Result<(), ProtocolError> {
        match action {
            BridgeAction::RequestDirect {
                sender,
                msg_value,
                request,
                l1_gas_price,
            } => self
                .request_direct(sender, msg_value, request, l1_gas_price)
                .map(|_| ()),
            BridgeAction::ExecuteDeposit { chain } => self.execute_deposit(chain).map(|_| ()),
            BridgeAction::WithdrawBase {
                chain,
                sender,
                l1_receiver,
                amount,
            } => self.withdraw_base(chain, sender, l1_receiver, amount),
            BridgeAction::FinalizeWithdrawal { caller: _, params } => {
                self.finalize_withdrawal(params)
            }
            BridgeAction::BackGenesisSupply { chain } => self.back_genesis_supply(chain),
        }
    }
}
