//! Events: the record of every state change.
//!
//! An action's handler validates, then *emits* events; emitting applies the event to the state
//! ([`crate::network::State::apply_event`]) and appends it to the action's output. Applying is
//! the only way state changes, so folding a run's events over its genesis state rebuilds the
//! same state — the property the replay tests hold. Events carry the inputs of a change; values
//! derivable from state (trees, roots, counters) are recomputed when applied.

use crate::chain::{AssetId, CallStatus};
use crate::governance::GovernanceEvent;
use crate::interop::bundle::InteropBundle;
use crate::staking::StakingEvent;
use crate::token::TokenEvent;
use crate::ChainId;
use alloy_primitives::{Address, Bytes, B256, U256};
use serde::{Deserialize, Serialize};

/// Every state change the protocol makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// The clock moved to `now` (seconds).
    TimeAdvanced {
        /// New time.
        now: u64,
    },
    /// A change to the ZK token.
    Token(TokenEvent),
    /// New supply of an asset entered the model on a chain (a deposit or genesis funding).
    Funded {
        /// Chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Receiver.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// Supply of an asset left the model on a chain (`Action::Defund`).
    Defunded {
        /// Chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Holder it was taken from.
        from: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// An asset moved between two accounts of one chain.
    Transferred {
        /// Chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Payer.
        from: Address,
        /// Payee.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// Interop value left its source chain (burned there, now in flight).
    ValueBurned {
        /// Source chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Payer.
        from: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// In-flight interop value arrived (minted on the destination).
    ValueMinted {
        /// Destination chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Receiver.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// The operator changed the base-token protocol fee per call.
    InteropProtocolFeeSet {
        /// Chain.
        chain: ChainId,
        /// New fee per call, in base-token wei.
        fee: U256,
    },
    /// The chain's InteropCenter cached the ZK token's address (`_getZKToken()` at the first
    /// fixed-fee send): `zkToken()` answers it from now on.
    ZkTokenCached {
        /// Chain.
        chain: ChainId,
    },
    /// A bundle's interop fee was collected and accrued to the block's operator. For the
    /// base-token mode applying it moves the fee from `payer` to the InteropCenter; for the
    /// fixed ZK mode the ZK moved by the preceding `Token` transfer and this only accrues it.
    InteropFeeCollected {
        /// Source chain.
        chain: ChainId,
        /// Operator (coinbase) credited.
        operator: Address,
        /// Who paid.
        payer: Address,
        /// True for the fixed ZK fee, false for the base-token fee.
        fixed_zk: bool,
        /// Calls charged.
        calls: u64,
        /// Total fee in wei.
        amount: U256,
    },
    /// ERC-7786 `MessageSent`, one per call (informational).
    MessageSent {
        /// Source chain.
        chain: ChainId,
        /// ERC-7786 send id.
        send_id: B256,
        /// ERC-7930 sender.
        sender: Bytes,
        /// ERC-7930 recipient.
        recipient: Bytes,
        /// Payload.
        payload: Bytes,
        /// Destination value.
        value: U256,
    },
    /// `InteropBundleSent`: the bundle's message was published as an L2→L1 log.
    InteropBundleSent {
        /// Source chain.
        chain: ChainId,
        /// The sending account (its bundle counter advances).
        sender: Address,
        /// `keccak256` of the L2→L1 message.
        message_hash: B256,
        /// Bundle hash.
        bundle_hash: B256,
        /// The bundle. Its `calls.len()` adds to the open batch's count of calls that the
        /// Gateway settlement fee charges, in both fee modes.
        bundle: InteropBundle,
        /// Number of the sending transaction, which the message's log leaf carries as
        /// `txNumberInBatch`, when the caller runs transactions of its own (the devnet: the
        /// receipt's `transactionIndex`); `None`: the message's index in the batch, each send
        /// being a transaction of its own (the simulator).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tx_number: Option<u16>,
    },
    /// The chain sealed its open batch.
    BatchSealed {
        /// Chain.
        chain: ChainId,
        /// Batch number.
        number: u64,
        /// Logs in it.
        logs: u64,
        /// Its chain batch root.
        chain_batch_root: B256,
    },
    /// A batch root was appended to its settlement layer (Gateway's message root:
    /// `AppendedChainBatchRoot` then `NewChainRoot`, era-contracts@4859b6f:l1-contracts/contracts/core/message-root/L2MessageRoot.sol;
    /// or L1's record of batch roots, `chainBatchRoots`).
    BatchSettled {
        /// Settling chain.
        chain: ChainId,
        /// Batch number.
        batch: u64,
        /// Settlement layer.
        settlement_layer: ChainId,
        /// The batch's chain batch root.
        chain_batch_root: B256,
    },
    /// L2InteropRootStorage accepted a root (`InteropRootAdded`,
    /// era-contracts@4859b6f:l1-contracts/contracts/interop/L2InteropRootStorage.sol).
    InteropRootImported {
        /// Importing chain.
        chain: ChainId,
        /// Chain whose batch the root is.
        source: ChainId,
        /// Batch.
        batch: u64,
        /// Root.
        root: B256,
    },
    /// InteropHandler: Unreceived → Verified.
    BundleVerified {
        /// Destination chain.
        chain: ChainId,
        /// Bundle hash.
        bundle_hash: B256,
    },
    /// InteropHandler: the bundle executed atomically.
    BundleExecuted {
        /// Destination chain.
        chain: ChainId,
        /// Bundle hash.
        bundle_hash: B256,
    },
    /// InteropHandler: the bundle is being processed call by call.
    BundleUnbundled {
        /// Destination chain.
        chain: ChainId,
        /// Bundle hash.
        bundle_hash: B256,
    },
    /// InteropHandler: one call reached its final status.
    CallProcessed {
        /// Destination chain.
        chain: ChainId,
        /// Bundle hash.
        bundle_hash: B256,
        /// Call index.
        index: u32,
        /// Executed or Cancelled.
        status: CallStatus,
    },
    /// A call was delivered to its target (ERC-7786 `receiveMessage`; informational).
    MessageReceived {
        /// Destination chain.
        chain: ChainId,
        /// Target.
        to: Address,
        /// Send id.
        send_id: B256,
        /// Value delivered.
        value: U256,
    },
    /// InteropCenter `ProtocolFeesClaimed`: a coinbase's whole base-token accrual went to
    /// `receiver` (the base token moved in the preceding `Transferred`).
    ProtocolFeesClaimed {
        /// Chain.
        chain: ChainId,
        /// The coinbase (operator) that claimed.
        operator: Address,
        /// Who received the fees.
        receiver: Address,
        /// Base-token wei.
        amount: U256,
    },
    /// InteropCenter `ZKFeesClaimed`: a coinbase's whole fixed-fee accrual went to `receiver`
    /// (the ZK moved in the preceding token transfer).
    ZkFeesClaimed {
        /// Chain.
        chain: ChainId,
        /// The coinbase (operator) that claimed.
        operator: Address,
        /// Who received the fees.
        receiver: Address,
        /// ZK wei.
        amount: U256,
    },
    /// `SettlementFeePayerAgreementUpdated(payer, chainId, agreed)`
    /// (`era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol`).
    SettlementFeePayerAgreementUpdated {
        /// Payer.
        payer: Address,
        /// Chain.
        chain: ChainId,
        /// Whether the payer now agrees to pay for the chain.
        agreed: bool,
    },
    /// `GatewaySettlementFeesCollected` (the ZK moved in the preceding token transfer).
    GatewaySettlementFeesCollected {
        /// Settling chain.
        chain: ChainId,
        /// Payer.
        payer: Address,
        /// ZK wei.
        amount: U256,
        /// Interop calls in the batch (every call of every bundle).
        calls: u64,
    },
    /// GWAssetTracker's owner withdrew the settlement-fee vault (the ZK moved in the preceding
    /// token transfer). A model record: the contract emits no event of its own here.
    GatewayFeesWithdrawn {
        /// Who received the ZK.
        recipient: Address,
        /// ZK wei.
        amount: U256,
    },
    /// Fee Flow `Claimed` (the bid, the split and the fee tokens moved in the preceding
    /// events).
    FeeFlowClaimed {
        /// Who paid and received.
        claimer: Address,
        /// The requests, as given.
        requests: Vec<crate::fee_flow::ClaimRequest>,
        /// ZK wei paid (`bidThreshold` at the time).
        bid_amount: U256,
    },
    /// Fee Flow `BidThresholdSet`.
    BidThresholdSet {
        /// Previous threshold, ZK wei.
        old: U256,
        /// New threshold, ZK wei.
        new: U256,
    },
    /// Fee Flow `DestinationSet`.
    FeeFlowDestinationSet {
        /// Previous destination.
        old: Address,
        /// New destination.
        new: Address,
    },
    /// Fee Flow `ClaimPausedSet`.
    ClaimPausedSet {
        /// New state.
        paused: bool,
    },
    /// Fee Flow `ClaimableTokenSet`.
    ClaimableTokenSet {
        /// The token.
        token: AssetId,
        /// On the whitelist or not.
        claimable: bool,
    },
    /// Fee Flow `Recovered` (the tokens moved in the preceding event).
    FeeFlowRecovered {
        /// The token.
        token: AssetId,
        /// Receiver.
        to: Address,
        /// Amount, wei.
        amount: U256,
    },
    /// Splitter `Split` (the payments and the burn are the preceding token events).
    Split {
        /// The Splitter's balance that was split, ZK wei.
        amount: U256,
        /// Burned: burn share plus rounding dust.
        burned: U256,
        /// Paid to distributors.
        distributed: U256,
        /// Of `distributed`, paid to the Splitter itself (a model record, not in the
        /// contract's event: it keeps the accounting identity exact).
        to_self: U256,
    },
    /// Splitter `BurnPercentageSet`.
    BurnPercentageSet {
        /// Previous burn share, bps.
        old: u16,
        /// New burn share, bps.
        new: u16,
    },
    /// Splitter `DistributorsSet`.
    DistributorsSet {
        /// The new list, in order.
        distributors: Vec<crate::fee_flow::Distributor>,
    },
    /// Splitter `Recovered` (the tokens moved in the preceding event).
    SplitterRecovered {
        /// The token.
        token: AssetId,
        /// Receiver.
        to: Address,
        /// Amount, wei.
        amount: U256,
    },
    /// Governance set `gatewaySettlementFee`.
    GatewaySettlementFeeSet {
        /// ZK wei per chargeable call.
        fee: U256,
    },
    /// Flow mode: aggregate interop traffic whose fees were collected like real bundles'.
    InteropTrafficRecorded {
        /// Source chain.
        chain: ChainId,
        /// Destination chain.
        destination: ChainId,
        /// Calls (all charged at Gateway settlement, like real bundles' calls).
        calls: u64,
    },
    /// A change to the staking pilot's staker.
    Staking(StakingEvent),
    /// A change to governance (proposals, votes, the L1 upgrade path).
    Governance(GovernanceEvent),
    /// A protocol upgrade set the fixed ZK interop fee on every chain.
    FixedInteropFeeSet {
        /// ZK wei per call.
        fee: U256,
    },
    /// A change to a ZK chain's contract on L1 (its priority queue, batches, fee parameters or
    /// priority mode).
    Priority(crate::priority::PriorityEvent),
    /// A change to a Prividium (boxed: audit entries carry whole requests).
    Prividium(Box<crate::prividium::PrividiumEvent>),
}
