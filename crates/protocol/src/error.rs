//! The one error type every action returns: an enum that says exactly which rule failed.

use crate::address::AddressError;
use crate::chain::{AssetId, BundleStatus, CallStatus};
use crate::interop::bundle::{AttributeError, BundleError};
use crate::merkle::MerkleError;
use crate::settlement::ProofError;
use crate::token::TokenError;
use crate::ChainId;
use alloy_primitives::{Address, B256, U256};

/// Why an action was rejected. A rejected action leaves the network unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// No chain with that id is registered.
    #[error("chain {0} is not registered")]
    UnknownChain(ChainId),
    /// No asset with that id is registered.
    #[error("asset {0} is not registered")]
    UnknownAsset(AssetId),
    /// `NotL2ToL2(source, destination)`: interop runs between L2s only; neither end may be L1
    /// (`InteropCenter._ensureL2ToL2`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`).
    #[error(
        "interop is L2 to L2 only: chain {source_chain_id} to chain {destination_chain_id} involves L1"
    )]
    NotL2ToL2 {
        /// `sourceChainId`.
        source_chain_id: ChainId,
        /// `destinationChainId`.
        destination_chain_id: ChainId,
    },
    /// `NotInGatewayMode`: the source chain settles on L1, so its bundles could not be
    /// counted and charged at Gateway settlement (`InteropCenter._sendBundle`). A chain armed
    /// for Stage 1 priority mode gets this refusal for good: it may never migrate to Gateway
    /// (`NotCompatibleWithPriorityMode`, [`crate::priority`]). The contract error has no
    /// fields; the chain is the model's context.
    #[error(
        "chain {chain} settles on L1, not on Gateway: it cannot send interop (and a chain armed for priority mode may never move to Gateway)"
    )]
    NotInGatewayMode {
        /// The source chain.
        chain: ChainId,
    },
    /// `DestinationChainNotRegistered(chainId)`: the source's Bridgehub has no base-token asset
    /// id for the destination (`InteropCenter._sendBundle`).
    #[error("destination chain {0} is not registered")]
    DestinationChainNotRegistered(ChainId),
    /// `CannotClaimInteropOnL1Settlement`: a chain settling on L1 cannot execute or unbundle
    /// interop (`InteropHandler.executeBundle`/`unbundleBundle`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/interop/InteropHandler.sol`) — for good if
    /// it is armed for priority mode, which forbids migrating to Gateway. The contract error
    /// has no fields; the chain is the model's context.
    #[error("chain {chain} settles on L1: it cannot execute or unbundle interop")]
    CannotClaimInteropOnL1Settlement {
        /// The destination chain.
        chain: ChainId,
    },
    /// `WrongDestinationBaseTokenAssetId(bundleHash, expected, actual)`: the bundle names
    /// another base token than the destination's (`InteropHandler`'s destination context check).
    #[error("bundle {hash} names base token {actual}, the destination's is {expected}")]
    WrongDestinationBaseTokenAssetId {
        /// Bundle hash.
        hash: B256,
        /// The destination's base-token asset id.
        expected: B256,
        /// The id in the bundle.
        actual: B256,
    },
    /// `IndirectCallValueMismatch(expected, actual)`: an indirect-call target returned a call
    /// asking for another destination value than the starter's `interopCallValue`
    /// (`era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`).
    #[error(
        "indirect call returned a call value of {actual} wei, the starter asked {expected} wei"
    )]
    IndirectCallValueMismatch {
        /// The starter's `interopCallValue`.
        expected: U256,
        /// The returned starter's.
        actual: U256,
    },
    /// The destination given to sendBundle is malformed or has an address.
    #[error("bad destination: {0}")]
    BadDestination(String),
    /// ERC-7786 attribute or call-starter validation.
    #[error(transparent)]
    Attribute(#[from] AttributeError),
    /// An ERC-7930 address in an action.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// A bundle that does not decode or hash.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// `MsgValueMismatch`.
    #[error("msg.value mismatch: sent {sent} wei, the bundle needs exactly {needed} wei")]
    MsgValueMismatch {
        /// msg.value given.
        sent: U256,
        /// msg.value required.
        needed: U256,
    },
    /// A balance too small for a debit (boxed: the details are large and the error is
    /// returned on every path).
    #[error("{0}")]
    InsufficientBalance(Box<Shortfall>),
    /// `ZKTokenNotAvailable`: the fixed fee was asked for where ZK is not bridged.
    #[error("ZK token is not available on chain {0}: the fixed ZK fee cannot be paid there")]
    ZkTokenNotAvailable(ChainId),
    /// The ZK token rejected a transfer, burn, mint or delegation.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// Integer overflow in an amount (only reachable with absurd inputs).
    #[error("amount overflow in {0}")]
    Overflow(&'static str),
    /// The open batch holds the maximum number of logs; settle it first (`TooManyL2ToL1Logs`,
    /// era-contracts@4859b6f:system-contracts/contracts/L1Messenger.sol).
    #[error("batch {batch} of chain {chain} is full ({max} logs); settle it first")]
    BatchFull {
        /// Chain.
        chain: ChainId,
        /// Open batch number.
        batch: u64,
        /// Capacity.
        max: usize,
    },
    /// Only the operator may do this.
    #[error("{caller} is not the operator of chain {chain}")]
    NotOperator {
        /// Chain.
        chain: ChainId,
        /// Who tried.
        caller: Address,
    },
    /// A settlement path that is not modelled (e.g. a chain settling on a non-settlement layer).
    #[error("chain {chain} cannot settle on chain {layer}: it is not a settlement layer")]
    NotASettlementLayer {
        /// Chain.
        chain: ChainId,
        /// Its configured layer.
        layer: ChainId,
    },
    /// The root asked for does not exist (batch not sealed).
    #[error("chain {chain} has no sealed batch {batch}")]
    BatchNotSealed {
        /// Chain.
        chain: ChainId,
        /// Batch.
        batch: u64,
    },
    /// L2InteropRootStorage: roots are set once (`InteropRootAlreadyExists`,
    /// era-contracts@4859b6f:l1-contracts/contracts/interop/L2InteropRootStorage.sol).
    #[error("interop root for chain {chain} batch {batch} is already imported on chain {on}")]
    RootAlreadyImported {
        /// Importing chain.
        on: ChainId,
        /// Chain of the root.
        chain: ChainId,
        /// Batch.
        batch: u64,
    },
    /// L2InteropRootStorage: a zero root is never valid (`MessageRootIsZero`,
    /// era-contracts@4859b6f:l1-contracts/contracts/interop/L2InteropRootStorage.sol).
    #[error("interop root for chain {chain} batch {batch} is zero")]
    ZeroRoot {
        /// Chain of the root.
        chain: ChainId,
        /// Batch.
        batch: u64,
    },
    /// The inclusion proof failed.
    #[error("inclusion proof rejected: {0}")]
    Proof(#[from] ProofError),
    /// Merkle arithmetic failed.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// The bundle is for another destination, or the proof for another source.
    #[error("context mismatch: {0}")]
    ContextMismatch(String),
    /// `BundleAlreadyProcessed`.
    #[error("bundle {hash} is already {status:?}")]
    BundleAlreadyProcessed {
        /// Bundle hash.
        hash: B256,
        /// Its status.
        status: BundleStatus,
    },
    /// Unbundling needs a verified bundle.
    #[error("bundle {0} has not been verified on this chain")]
    BundleNotVerified(B256),
    /// Only `executionAddress` / `unbundlerAddress` may do this.
    #[error("{caller} on chain {chain} may not {action} bundle {hash}")]
    Unauthorized {
        /// What was attempted.
        action: &'static str,
        /// Bundle hash.
        hash: B256,
        /// Who tried.
        caller: Address,
        /// The caller's chain.
        chain: ChainId,
    },
    /// Unbundle with a status list of the wrong length.
    #[error("unbundle lists {given} call statuses, the bundle has {calls} calls")]
    StatusCountMismatch {
        /// Statuses given.
        given: usize,
        /// Calls in the bundle.
        calls: usize,
    },
    /// A call-status transition the handler forbids.
    #[error("call {index} of bundle {hash} cannot go from {from:?} to {to:?}")]
    BadCallTransition {
        /// Bundle hash.
        hash: B256,
        /// Call index.
        index: u32,
        /// Current status.
        from: CallStatus,
        /// Requested status.
        to: CallStatus,
    },
    /// A call's target reverted; the whole action is undone.
    #[error("call {index} to {target} on chain {chain} reverted: {reason}")]
    CallReverted {
        /// Chain.
        chain: ChainId,
        /// Call index.
        index: u32,
        /// Target.
        target: Address,
        /// Why.
        reason: String,
    },
    /// A time that moves backwards.
    #[error("time cannot go back: now {now}, asked {to}")]
    TimeGoesBack {
        /// Current time.
        now: u64,
        /// Asked time.
        to: u64,
    },
    /// Genesis configuration errors.
    #[error("invalid genesis: {0}")]
    Genesis(String),
    /// Only governance (the timelock) may do this.
    #[error("{caller} is not governance")]
    NotGovernance {
        /// Who tried.
        caller: Address,
    },
    /// `SettlementFeePayerNotAgreed(payer, chainId)`: the payer has not called
    /// `setSettlementFeePayerAgreement(chainId, true)`
    /// (`era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol`).
    #[error("settlement fee payer {payer} has not agreed to pay for chain {chain}")]
    SettlementFeePayerNotAgreed {
        /// Payer.
        payer: Address,
        /// Chain.
        chain: ChainId,
    },
    /// GWAssetTracker `InvalidFeeRecipient`: `withdrawGatewayFees` to the zero address.
    #[error("InvalidFeeRecipient: settlement fees cannot be withdrawn to the zero address")]
    InvalidFeeRecipient,
    /// Fee Flow refused (boxed: its variants carry an asset and two amounts).
    #[error(transparent)]
    FeeFlow(Box<crate::fee_flow::FeeFlowError>),
    /// The staker refused (boxed: its variants carry several amounts).
    #[error(transparent)]
    Staking(Box<crate::staking::StakingError>),
    /// Governance refused (boxed likewise).
    #[error(transparent)]
    Governance(Box<crate::governance::GovernanceError>),
    /// The Splitter refused.
    #[error(transparent)]
    Splitter(#[from] crate::fee_flow::SplitterError),
    /// A ZK chain's contract on L1 refused (priority queue, batches, fee parameters, priority
    /// mode; boxed like the staker's).
    #[error(transparent)]
    Priority(Box<crate::priority::PriorityError>),
    /// A Prividium refused (boxed: its variants carry filterer verdicts).
    #[error(transparent)]
    Prividium(Box<crate::prividium::PrividiumError>),
    /// The L1 bridge refused (boxed likewise).
    #[error(transparent)]
    Bridge(Box<crate::bridge::BridgeError>),
}

impl From<crate::staking::StakingError> for ProtocolError {
    fn from(e: crate::staking::StakingError) -> Self {
        Self::Staking(Box::new(e))
    }
}

impl From<crate::fee_flow::FeeFlowError> for ProtocolError {
    fn from(e: crate::fee_flow::FeeFlowError) -> Self {
        Self::FeeFlow(Box::new(e))
    }
}

impl From<crate::governance::GovernanceError> for ProtocolError {
    fn from(e: crate::governance::GovernanceError) -> Self {
        Self::Governance(Box::new(e))
    }
}

/// Who lacked how much of what, where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("insufficient balance on chain {chain}: {account} holds {balance} wei of {asset}, needs {needed} wei")]
pub struct Shortfall {
    /// Chain.
    pub chain: ChainId,
    /// Asset.
    pub asset: AssetId,
    /// Account.
    pub account: Address,
    /// What it holds.
    pub balance: U256,
    /// What it needs.
    pub needed: U256,
}

#[cfg(test)]
mod tests {
    /// Every action returns this error type; keep it small enough to move cheaply.
    #[test]
    fn protocol_error_stays_small() {
        assert!(
            std::mem::size_of::<super::ProtocolError>() <= 128,
            "{}",
            std::mem::size_of::<super::ProtocolError>()
        );
    }
}
