//! Stage 1 priority mode: a chain settling on L1 can no longer censor L1 → L2 requests.
//!
//! Every ZK chain has a contract on L1 (its diamond proxy) that holds its priority queue of
//! L1 → L2 requests, the batches its validators commit, prove and execute, its fee parameters
//! and its priority-mode switches. [`Diamond`] is that contract's state as far as priority
//! mode needs it, and [`actions`] its entry points, with each check in the contract's order
//! (era-contracts@4859b6f: `state-transition/chain-deps/facets/Admin.sol`, `Mailbox.sol`,
//! `Committer.sol`, `Executor.sol`, `Migrator.sol`, `ZKChainBase.sol`,
//! `state-transition/validators/PermissionlessValidator.sol`).
//!
//! The life of a priority request: `RequestL2Transaction` queues it with its request time; a
//! batch that commits to it (by its rolling hash) is proven and then executed on L1, which
//! processes it — its value is minted on L2 — in queue order. The chain admin may arm the
//! chain (`permanentlyAllowPriorityMode`, one way): from then on fee updates are bounded,
//! capacity is frozen, the filterer and pricing mode are fixed and the chain may never move to
//! Gateway — so it can never use interop, which runs only between chains settling on Gateway
//! ([`crate::error::ProtocolError::NotInGatewayMode`]). When the oldest unprocessed request
//! is `PRIORITY_EXPIRATION` (4 days) old, anyone may activate priority mode: the batches not yet
//! executed are reverted and only the permissionless validator settles, in one step, batches
//! of L1 transactions only, so the queue drains in order. Governance ends it with a ZIP
//! ([`crate::governance::ProposalAction::DeactivatePriorityMode`]).
//!
//! Model choices (each also at its code): the model addresses every call to the chain's diamond
//! on L1, so `NotL1` never arises; the Gateway side of chains settling on Gateway (their
//! relayed priority queue) is not modelled; zero-knowledge proofs are not modelled (proving is
//! a step with its access and ordering checks, the proof itself is taken as valid); the
//! `TransactionValidator` gas checks of a request are not modelled; a request's L2 effect (its
//! value minted on L2) happens when its batch is executed on L1; L2 calldata is carried and
//! hashed but not executed; the chain type manager acts only through ZIPs.

pub mod actions;
pub mod fees;
pub mod filterer;
pub mod queue;
#[cfg(test)]
mod tests;
pub mod zip;

use crate::chain::{ChainKind, DataAvailability, ExecutionEnvironment};
use crate::error::ProtocolError;
use crate::network::State;
use crate::ChainId;
use alloy_primitives::{Address, B256, U256};
use imbl::{OrdMap, OrdSet, Vector};
use serde::{Deserialize, Serialize};

pub use actions::PriorityAction;
pub use fees::{ChainFeeParams, PubdataPricingMode, TokenMultiplier};
pub use queue::PriorityOp;

/// `PRIORITY_EXPIRATION` = 4 days: how long the oldest unprocessed priority request may wait
/// before anyone may activate priority mode
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const PRIORITY_EXPIRATION: u64 = 4 * 86_400;

/// `PAUSE_DEPOSITS_TIME_WINDOW_START_MAINNET` = 0: deposits pause at once when a chain pauses
/// them before migrating (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const PAUSE_DEPOSITS_TIME_WINDOW_START: u64 = 0;

/// `CHAIN_MIGRATION_TIME_WINDOW_START_MAINNET` = 0: a chain may migrate as soon as its deposits
/// are paused (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const CHAIN_MIGRATION_TIME_WINDOW_START: u64 = 0;

/// The `PermissionlessValidator` (the chain type manager's `PERMISSIONLESS_VALIDATOR`, a proxy
/// deployed per ecosystem): the only address that may commit, prove and execute while priority
/// mode is active. Model choice: a fixed address, `keccak("flywheel:PermissionlessValidator")`.
pub fn permissionless_validator() -> Address {
    crate::genesis::account("PermissionlessValidator")
}

/// `PriorityModeInformation`
/// (`era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/ZKChainStorage.sol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityModeInfo {
    /// `canBeActivated`: the chain is armed (one way).
    pub can_be_activated: bool,
    /// `activated`: only the permissionless validator settles.
    pub activated: bool,
    /// `permissionlessValidator`.
    pub permissionless_validator: Address,
    /// `transactionFilterer`: the filterer governance chose for priority mode, installed when
    /// the chain is armed (zero: none).
    pub transaction_filterer: Address,
}

/// A committed batch as the diamond stores it (`StoredBatchInfo`, the fields the model uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBatch {
    /// Batch number, from 1.
    pub number: u64,
    /// `numberOfLayer1Txs`: priority requests it processes.
    pub l1_txs: u64,
    /// L2 transactions in it.
    pub l2_txs: u64,
    /// `priorityOperationsHash`: rolling hash of the requests it processes.
    pub priority_operations_hash: B256,
    /// When it was committed.
    pub committed_at: u64,
    /// Who produced it (the L2 coinbase its requests' fees go to): the committing validator,
    /// or the caller of the permissionless validator.
    pub producer: Address,
}

/// A ZK chain's diamond on L1: its priority queue, batch counters, fee parameters and
/// priority-mode switches (`ZKChainStorage`, the fields the model uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diamond {
    /// `admin`: the chain admin.
    pub admin: Address,
    /// `zksyncOS`: whether the chain runs ZKsync OS (only those may be armed).
    pub zksync_os: bool,
    /// The data availability the chain posts with (a validium can never be a permanent rollup).
    pub data_availability: DataAvailability,
    /// `validators`: who may commit, prove, execute and revert outside priority mode.
    pub validators: OrdSet<Address>,
    /// The priority tree's leaves, every request ever made, in order (`txId` = index).
    pub queue: Vector<PriorityOp>,
    /// `priorityTree.unprocessedIndex`: requests before it are processed.
    pub unprocessed: u64,
    /// Committed batches not reverted (`totalBatchesCommitted` = its length).
    pub batches: Vector<StoredBatch>,
    /// `totalBatchesVerified`.
    pub total_verified: u64,
    /// `totalBatchesExecuted`.
    pub total_executed: u64,
    /// `priorityModeInfo`.
    pub priority_mode: PriorityModeInfo,
    /// `transactionFilterer` (zero: none).
    pub transaction_filterer: Address,
    /// `feeParams`.
    pub fee_params: ChainFeeParams,
    /// `baseTokenGasPriceMultiplierNominator/Denominator`.
    pub multiplier: TokenMultiplier,
    /// `lastFeeParamsUpdateTimestamp`.
    pub last_fee_params_update: u64,
    /// `lastTokenMultiplierUpdateTimestamp`.
    pub last_multiplier_update: u64,
    /// `isPermanentRollup`.
    pub permanent_rollup: bool,
    /// `pausedDepositsTimestamp` (zero: not paused).
    pub paused_deposits_timestamp: u64,
}

impl Diamond {
    /// A diamond as `DiamondInit` leaves it: the operator as validator, the default fee
    /// parameters (priced as its data availability requires), an ETH-parity multiplier (model
    /// choice: the simulator prices every base token's gas at parity), nothing armed.
    pub fn new(config: &crate::chain::ChainConfig) -> Self {
        let pricing = match config.data_availability {
            DataAvailability::Rollup => PubdataPricingMode::Rollup,
            DataAvailability::Validium => PubdataPricingMode::Validium,
        };
        Self {
            admin: config.admin,
            zksync_os: config.execution == ExecutionEnvironment::ZksyncOs,
            data_availability: config.data_availability,
            validators: OrdSet::unit(config.operator),
            queue: Vector::new(),
            unprocessed: 0,
            batches: Vector::new(),
            total_verified: 0,
            total_executed: 0,
            priority_mode: PriorityModeInfo {
                can_be_activated: false,
                activated: false,
                permissionless_validator: permissionless_validator(),
                transaction_filterer: Address::ZERO,
            },
            transaction_filterer: Address::ZERO,
            fee_params: ChainFeeParams::defaults(pricing),
            multiplier: TokenMultiplier::ONE,
            last_fee_params_update: 0,
            last_multiplier_update: 0,
            permanent_rollup: false,
            paused_deposits_timestamp: 0,
        }
    }

    /// `totalBatchesCommitted`.
    pub fn total_committed(&self) -> u64 {
        self.batches.len() as u64
    }

    /// `priorityTree.getSize()`: requests not yet processed.
    pub fn queue_size(&self) -> u64 {
        self.queue.len() as u64 - self.unprocessed
    }

    /// The oldest unprocessed request.
    pub fn first_unprocessed(&self) -> Option<&PriorityOp> {
        self.queue.get(usize::try_from(self.unprocessed).ok()?)
    }

    /// `priorityOpsRequestTimestamp[firstUnprocessedTx] + PRIORITY_EXPIRATION`: when anyone
    /// may activate priority mode, if a request is waiting.
    pub fn earliest_activation(&self) -> Option<u64> {
        self.first_unprocessed()
            .map(|op| op.requested_at.saturating_add(PRIORITY_EXPIRATION))
    }

    /// Requests committed to by batches not yet executed (they follow the processed ones).
    pub fn committed_l1_txs(&self) -> u64 {
        self.batches
            .iter()
            .skip(usize::try_from(self.total_executed).unwrap_or(usize::MAX))
            .map(|b| b.l1_txs)
            .sum()
    }

    /// The `count` requests after the first `skip` unprocessed ones, in order: what the next
    /// batch would process.
    pub fn next_requests(&self, skip: u64, count: u64) -> impl Iterator<Item = &PriorityOp> {
        let start = self.unprocessed.saturating_add(skip);
        self.queue
            .iter()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(usize::try_from(count).unwrap_or(usize::MAX))
    }

    /// The rolling hash a batch processing the `count` requests after the first `skip`
    /// unprocessed ones commits to (what a validator computes from the public
    /// `NewPriorityRequest` events).
    pub fn priority_operations_hash(&self, skip: u64, count: u64) -> B256 {
        let hashes: Vec<B256> = self.next_requests(skip, count).map(|op| op.hash).collect();
        queue::rolling_hash(&hashes)
    }

    /// Whether the chain's batches settle on L1 here (`onlySettlementLayer` on the L1
    /// diamond: `settlementLayer` is unset).
    fn settles_here(state: &State, chain: ChainId) -> bool {
        state
            .chains
            .get(&chain)
            .and_then(|c| c.config.settlement_layer)
            .and_then(|sl| state.chains.get(&sl))
            .is_some_and(|sl| sl.config.kind == ChainKind::L1)
    }
}

/// The diamonds of every ZK chain, by chain id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diamonds {
    /// Diamond per ZK chain (not L1, not Gateway: model choice, Gateway's own diamond is not
    /// modelled).
    pub chains: OrdMap<ChainId, Diamond>,
}

impl Diamonds {
    /// A diamond for each ZK chain of genesis.
    pub fn new<'a>(chains: impl IntoIterator<Item = &'a crate::chain::ChainConfig>) -> Self {
        Self {
            chains: chains
                .into_iter()
                .filter(|c| c.kind == ChainKind::ZkChain)
                .map(|c| (c.id, Diamond::new(c)))
                .collect(),
        }
    }

    /// A chain's diamond.
    pub fn get(&self, chain: ChainId) -> Result<&Diamond, ProtocolError> {
        self.chains
            .get(&chain)
            .ok_or_else(|| PriorityError::NoDiamond { chain }.into())
    }
}

/// Why a priority-mode, queue or batch call was refused; one variant per contract error, with
/// its fields (a contract error without fields gains the chain as context only where said).
#[allow(missing_docs)] // fields are the contract error's arguments, named in each message
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriorityError {
    /// `Unauthorized(caller)`: not the admin, a validator, the permissionless validator while
    /// priority mode is active, or the chain type manager (`ZKChainBase` modifiers).
    #[error("{caller} is not authorized for this call on chain {chain}")]
    Unauthorized { chain: ChainId, caller: Address },
    /// `NotSettlementLayer()`: the chain does not settle on L1, so its L1 diamond does not
    /// settle it (`onlySettlementLayer`).
    #[error("chain {chain} does not settle on L1, so its L1 contract cannot do this")]
    NotSettlementLayer { chain: ChainId },
    /// `NotZKsyncOS()`: only ZKsync OS chains may be armed (`onlyZKsyncOS`).
    #[error("chain {chain} does not run ZKsync OS: it cannot be armed for priority mode")]
    NotZKsyncOS { chain: ChainId },
    /// `PriorityModeAlreadyAllowed()`.
    #[error("priority mode is already allowed on chain {chain}: arming is one way")]
    PriorityModeAlreadyAllowed { chain: ChainId },
    /// `PriorityOpsRequestTimestampMissing(firstUnprocessedTx)`: no request waiting with a
    /// recorded time (the queue is empty).
    #[error("no request time for priority request {first_unprocessed_tx}: the queue is empty")]
    PriorityOpsRequestTimestampMissing { first_unprocessed_tx: u64 },
    /// `OnlyNormalMode()`: not while priority mode is active (`notPriorityMode`).
    #[error("priority mode is active on chain {chain}")]
    OnlyNormalMode { chain: ChainId },
    /// `OnlyPriorityMode()`: only while priority mode is active (`onlyPriorityMode`).
    #[error("priority mode is not active on chain {chain}")]
    OnlyPriorityMode { chain: ChainId },
    /// `PriorityModeIsNotAllowed()`: the chain was never armed.
    #[error("priority mode is not allowed on chain {chain}: its admin never armed it")]
    PriorityModeIsNotAllowed { chain: ChainId },
    /// `PriorityModeRequiresPermanentRollup()`: a validium (a Prividium) or a rollup that never
    /// made itself permanent cannot activate.
    #[error("chain {chain} is not a permanent rollup: priority mode cannot be activated")]
    PriorityModeRequiresPermanentRollup { chain: ChainId },
    /// `PriorityModeActivationTooEarly(earliestActivationTimestamp, currentTimestamp)`.
    #[error(
        "too early: priority mode may be activated from {earliest_activation_timestamp}, now is {current_timestamp}"
    )]
    PriorityModeActivationTooEarly {
        earliest_activation_timestamp: u64,
        current_timestamp: u64,
    },
    /// `NotCompatibleWithPriorityMode()`: an armed chain may not change its filterer, pricing
    /// mode or capacity, pause deposits to migrate, or move to Gateway.
    #[error("not compatible with priority mode: chain {chain} is armed")]
    NotCompatibleWithPriorityMode { chain: ChainId },
    /// `FeeParamsChangeTooLarge(oldPrice, newPrice, maxAllowedPrice)`: the reference L2 gas
    /// price may move by at most ×13/10 up or ×10/13 down per update (the third field is the
    /// bound crossed, the lower one for a cut).
    #[error(
        "fee change too large: reference price {old_price} → {new_price} wei, bound {max_allowed_price} wei"
    )]
    FeeParamsChangeTooLarge {
        old_price: U256,
        new_price: U256,
        max_allowed_price: U256,
    },
    /// `TokenMultiplierChangeTooFrequent(nextAllowedTimestamp)`: one price update a day.
    #[error("fee parameters changed less than a day ago: next change allowed at {next_allowed_timestamp}")]
    TokenMultiplierChangeTooFrequent { next_allowed_timestamp: u64 },
    /// `PriorityTxPubdataExceedsMaxPubDataPerBatch()`.
    #[error("a priority transaction's pubdata limit may not exceed a batch's")]
    PriorityTxPubdataExceedsMaxPubDataPerBatch,
    /// `InvalidPubdataPricingMode()`: `changeFeeParams` cannot change the pricing mode.
    #[error("changeFeeParams cannot change the pubdata pricing mode")]
    InvalidPubdataPricingMode,
    /// `DenominatorIsZero()`.
    #[error("the token multiplier's denominator is zero")]
    DenominatorIsZero,
    /// `BaseTokenGasPriceDenominatorNotSet()`.
    #[error("the base token gas price denominator is not set")]
    BaseTokenGasPriceDenominatorNotSet,
    /// `AlreadyPermanentRollup()`.
    #[error("chain {chain} is already a permanent rollup")]
    AlreadyPermanentRollup { chain: ChainId },
    /// `InvalidDAForPermanentRollup()`: the chain's data availability is not a rollup's.
    #[error(
        "chain {chain} does not post rollup data availability: it cannot be a permanent rollup"
    )]
    InvalidDAForPermanentRollup { chain: ChainId },
    /// `InvalidTxCountInPriorityMode(l2TxCount, l1TxCount)`: while priority mode is active a
    /// batch holds L1 transactions only, and at least one.
    #[error(
        "in priority mode a batch holds only L1 transactions and at least one: got {l2_tx_count} L2 and {l1_tx_count} L1"
    )]
    InvalidTxCountInPriorityMode { l2_tx_count: u64, l1_tx_count: u64 },
    /// `TransactionNotAllowed()`: the chain's transaction filterer refused the request.
    #[error("the transaction filterer of chain {chain} refused the request")]
    TransactionNotAllowed { chain: ChainId },
    /// `MsgValueTooLow(required, provided)`: the minted value does not cover the base cost.
    #[error("minted value {provided} wei does not cover the base cost {required} wei")]
    MsgValueTooLow { required: U256, provided: U256 },
    /// `DepositsPaused()`: the chain paused deposits to migrate.
    #[error("deposits to chain {chain} are paused")]
    DepositsPaused { chain: ChainId },
    /// `EmptyData()`: a settlement call over no batch.
    #[error("no batch given")]
    EmptyData,
    /// `VerifiedBatchesExceedsCommittedBatches()`.
    #[error("cannot prove past the last committed batch")]
    VerifiedBatchesExceedsCommittedBatches,
    /// `CantExecuteUnprovenBatches()` (also for batches never committed).
    #[error("cannot execute batches that are not proven")]
    CantExecuteUnprovenBatches,
    /// `MismatchNumberOfLayer1Txs(numberOfLayer1Txs, expectedLength)`: the batch processes more
    /// requests than the queue holds.
    #[error("batch processes {number_of_layer1_txs} requests, {expected_length} are waiting")]
    MismatchNumberOfLayer1Txs {
        number_of_layer1_txs: u64,
        expected_length: u64,
    },
    /// `PriorityOperationsRollingHashMismatch()`: the batch committed to other requests than
    /// the next ones in the queue.
    #[error("the batch's priority operations hash does not match the queue's next requests")]
    PriorityOperationsRollingHashMismatch,
    /// `RevertedBatchNotAfterNewLastBatch()`.
    #[error("cannot revert to a batch after the last committed one")]
    RevertedBatchNotAfterNewLastBatch,
    /// `CantRevertExecutedBatch()`.
    #[error("cannot revert an executed batch")]
    CantRevertExecutedBatch,
    /// `AlreadyMigrated()`: the chain already settles on Gateway.
    #[error("chain {chain} already settles on Gateway")]
    AlreadyMigrated { chain: ChainId },
    /// `NotChainAdmin(prevMsgSender, admin)`.
    #[error("{prev_msg_sender} is not the chain admin {admin}")]
    NotChainAdmin {
        prev_msg_sender: Address,
        admin: Address,
    },
    /// `PriorityQueueNotFullyProcessed()`: a chain migrates only with an empty queue.
    #[error("chain {chain} still has unprocessed priority requests")]
    PriorityQueueNotFullyProcessed { chain: ChainId },
    /// `DepositsNotPaused()`.
    #[error("deposits to chain {chain} are not paused")]
    DepositsNotPaused { chain: ChainId },
    /// `DepositsAlreadyPaused()`.
    #[error("deposits to chain {chain} are already paused")]
    DepositsAlreadyPaused { chain: ChainId },
    /// `NotAllBatchesExecuted()`.
    #[error("chain {chain} has committed batches not yet executed")]
    NotAllBatchesExecuted { chain: ChainId },
    /// `NotAZKChain(settlementLayer)`: the migration target is not a registered settlement
    /// layer (in the model: a Gateway chain).
    #[error("chain {settlement_layer} is not a settlement layer a chain can migrate to")]
    NotAZKChain { settlement_layer: ChainId },
    /// Model: the chain has no diamond (L1 and Gateway have none in the model).
    #[error("chain {chain} has no ZK chain contract on L1")]
    NoDiamond { chain: ChainId },
    /// Model scope: L1 → L2 requests to chains settling on Gateway travel through Gateway's
    /// own priority queue, which the model does not have.
    #[error("chain {chain} settles on Gateway: its relayed priority queue is not modelled")]
    GatewayQueueNotModelled { chain: ChainId },
    /// A division by zero in the price arithmetic (a Solidity panic).
    #[error("division by zero in the gas price")]
    DivisionByZero,
    /// An overflow in the price arithmetic (a Solidity panic).
    #[error("arithmetic overflow in the gas price")]
    ArithmeticOverflow,
}

impl From<PriorityError> for ProtocolError {
    fn from(e: PriorityError) -> Self {
        ProtocolError::Priority(Box::new(e))
    }
}

/// Facts recorded by the diamonds; applying them in order rebuilds [`Diamonds`] (and, for a
/// migration, the chain's settlement layer). Value moves are the network's own events
/// (`ValueBurned` when a request locks its value, `ValueMinted` when it is processed), and an
/// executed batch's roots are the network's `BatchSealed` and `BatchSettled`.
#[allow(missing_docs)] // fields are described by each variant's doc
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PriorityEvent {
    /// `NewPriorityRequest`: a request joins the queue with its request time.
    L2TransactionRequested { op: PriorityOp },
    /// `BlockCommit`.
    BatchCommitted { chain: ChainId, batch: StoredBatch },
    /// `BlocksVerification(previousLastVerifiedBatch, currentLastVerifiedBatch)`.
    BatchesVerified {
        chain: ChainId,
        previous: u64,
        current: u64,
    },
    /// `BlockExecution`: the batch's requests are processed at `at`.
    BatchExecuted {
        chain: ChainId,
        number: u64,
        l1_txs: u64,
        at: u64,
    },
    /// `BlocksRevert(totalBatchesCommitted, totalBatchesVerified, totalBatchesExecuted)`.
    BatchesReverted {
        chain: ChainId,
        committed: u64,
        verified: u64,
        executed: u64,
    },
    /// `PriorityModeAllowed`: the chain is armed.
    PriorityModeAllowed { chain: ChainId },
    /// `PriorityModeActivated` (by `by`, anyone).
    PriorityModeActivated { chain: ChainId, by: Address },
    /// `PriorityModeDeactivated`.
    PriorityModeDeactivated { chain: ChainId },
    /// `NewTransactionFilterer(old, new)`.
    TransactionFiltererSet {
        chain: ChainId,
        old: Address,
        new: Address,
    },
    /// `NewPriorityModeTransactionFilterer(old, new)`.
    PriorityModeTransactionFiltererSet {
        chain: ChainId,
        old: Address,
        new: Address,
    },
    /// `NewFeeParams(old, new)` at `at`.
    FeeParamsChanged {
        chain: ChainId,
        old: ChainFeeParams,
        new: ChainFeeParams,
        at: u64,
    },
    /// `NewBaseTokenMultiplier` at `at`.
    TokenMultiplierChanged {
        chain: ChainId,
        old: TokenMultiplier,
        new: TokenMultiplier,
        at: u64,
    },
    /// `PubdataPricingModeUpdate`.
    PubdataPricingModeChanged {
        chain: ChainId,
        mode: PubdataPricingMode,
    },
    /// `makePermanentRollup` (the contract emits no event; the model records the change).
    PermanentRollupSet { chain: ChainId },
    /// `DepositsPaused(chainId, pausedDepositsTimestamp)`.
    DepositsPaused { chain: ChainId, timestamp: u64 },
    /// `DepositsUnpaused(chainId)`.
    DepositsUnpaused { chain: ChainId },
    /// The chain moved its settlement to `settlement_layer` (`forwardedBridgeBurn` on L1 and
    /// the mint on Gateway, in one step).
    ChainMigrated {
        chain: ChainId,
        settlement_layer: ChainId,
    },
}

/// Applies one event to the state. Fails only on an event that names a chain without a
/// diamond (a corrupted log).
pub(crate) fn apply(state: &mut State, event: &PriorityEvent) -> Result<(), ProtocolError> {
    if let PriorityEvent::ChainMigrated {
        chain,
        settlement_layer,
    } = event
    {
        if let Some(c) = state.chains.get_mut(chain) {
            c.config.settlement_layer = Some(*settlement_layer);
        }
        let d = diamond_mut(state, *chain)?;
        d.paused_deposits_timestamp = 0;
        return Ok(());
    }
    let chain = match event {
        PriorityEvent::L2TransactionRequested { op } => op.chain,
        PriorityEvent::BatchCommitted { chain, .. }
        | PriorityEvent::BatchesVerified { chain, .. }
        | PriorityEvent::BatchExecuted { chain, .. }
        | PriorityEvent::BatchesReverted { chain, .. }
        | PriorityEvent::PriorityModeAllowed { chain }
        | PriorityEvent::PriorityModeActivated { chain, .. }
        | PriorityEvent::PriorityModeDeactivated { chain }
        | PriorityEvent::TransactionFiltererSet { chain, .. }
        | PriorityEvent::PriorityModeTransactionFiltererSet { chain, .. }
        | PriorityEvent::FeeParamsChanged { chain, .. }
        | PriorityEvent::TokenMultiplierChanged { chain, .. }
        | PriorityEvent::PubdataPricingModeChanged { chain, .. }
        | PriorityEvent::PermanentRollupSet { chain }
        | PriorityEvent::DepositsPaused { chain, .. }
        | PriorityEvent::DepositsUnpaused { chain }
        | PriorityEvent::ChainMigrated { chain, .. } => *chain,
    };
    let d = diamond_mut(state, chain)?;
    match event {
        PriorityEvent::L2TransactionRequested { op } => d.queue.push_back(op.clone()),
        PriorityEvent::BatchCommitted { batch, .. } => d.batches.push_back(batch.clone()),
        PriorityEvent::BatchesVerified { current, .. } => d.total_verified = *current,
        PriorityEvent::BatchExecuted { l1_txs, at, .. } => {
            for _ in 0..*l1_txs {
                if let Some(op) = usize::try_from(d.unprocessed)
                    .ok()
                    .and_then(|i| d.queue.get_mut(i))
                {
                    op.processed_at = Some(*at);
                }
                d.unprocessed += 1;
            }
            d.total_executed += 1;
        }
        PriorityEvent::BatchesReverted {
            committed,
            verified,
            executed,
            ..
        } => {
            d.batches
                .truncate(usize::try_from(*committed).unwrap_or(usize::MAX));
            d.total_verified = *verified;
            d.total_executed = *executed;
        }
        PriorityEvent::PriorityModeAllowed { .. } => d.priority_mode.can_be_activated = true,
        PriorityEvent::PriorityModeActivated { .. } => d.priority_mode.activated = true,
        PriorityEvent::PriorityModeDeactivated { .. } => d.priority_mode.activated = false,
        PriorityEvent::TransactionFiltererSet { new, .. } => d.transaction_filterer = *new,
        PriorityEvent::PriorityModeTransactionFiltererSet { new, .. } => {
            d.priority_mode.transaction_filterer = *new
        }
        PriorityEvent::FeeParamsChanged { new, at, .. } => {
            d.fee_params = *new;
            d.last_fee_params_update = *at;
        }
        PriorityEvent::TokenMultiplierChanged { new, at, .. } => {
            d.multiplier = *new;
            d.last_multiplier_update = *at;
        }
        PriorityEvent::PubdataPricingModeChanged { mode, .. } => {
            d.fee_params.pubdata_pricing_mode = *mode
        }
        PriorityEvent::PermanentRollupSet { .. } => d.permanent_rollup = true,
        PriorityEvent::DepositsPaused { timestamp, .. } => d.paused_deposits_timestamp = *timestamp,
        PriorityEvent::DepositsUnpaused { .. } => d.paused_deposits_timestamp = 0,
        PriorityEvent::ChainMigrated { .. } => {}
    }
    Ok(())
}

fn diamond_mut(state: &mut State, chain: ChainId) -> Result<&mut Diamond, ProtocolError> {
    state
        .priority
        .chains
        .get_mut(&chain)
        .ok_or_else(|| PriorityError::NoDiamond { chain }.into())
}
