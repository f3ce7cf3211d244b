//! A Prividium's events (its replayable log) and errors.

use super::audit::AuditEntry;
use super::disclosure::{DisclosureError, TxRecord};
use super::filterer::{FilterRevert, FilterRule};
use super::permissions::{RoleName, RuleKey, RuleKind};
use super::{ApprovalPolicy, PendingTransfer, Resolution};
use crate::chain::AssetId;
use crate::ChainId;
use alloy_primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};

/// A change to one Prividium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrividiumEvent {
    /// The Prividium chain.
    pub chain: ChainId,
    /// What changed.
    pub change: Change,
}

/// What changed on a Prividium. Applying these (and nothing else) rebuilds its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// A decision was logged (its `seq` is its position in the log).
    Audited(AuditEntry),
    /// A role was created.
    RoleCreated {
        /// Its name.
        role: RoleName,
    },
    /// A user was registered.
    UserRegistered {
        /// The user.
        user: Address,
        /// Its roles.
        roles: Vec<RoleName>,
    },
    /// A user got a role.
    RoleAssigned {
        /// The user.
        user: Address,
        /// The role.
        role: RoleName,
    },
    /// A user lost a role.
    RoleRevoked {
        /// The user.
        user: Address,
        /// The role.
        role: RoleName,
    },
    /// A user was disabled.
    UserDisabled {
        /// The user.
        user: Address,
    },
    /// A function's rule was set (`None`: removed).
    RuleSet {
        /// The function.
        key: RuleKey,
        /// The rule.
        rule: Option<RuleKind>,
    },
    /// A role's route to a chain was opened or closed.
    RouteSet {
        /// The role.
        role: RoleName,
        /// Destination chain.
        destination: ChainId,
        /// Open or closed.
        allowed: bool,
    },
    /// An asset's approval policy was set (`None`: removed).
    ApprovalPolicySet {
        /// The asset.
        asset: AssetId,
        /// The policy.
        policy: Option<ApprovalPolicy>,
    },
    /// A transfer above its asset's limit is waiting for approval.
    TransferHeld(PendingTransfer),
    /// A held transfer ended (an approved one also has its `Transferred` event).
    TransferResolved {
        /// Request id.
        request: u64,
        /// How.
        resolution: Resolution,
    },
    /// A transaction executed in the open batch.
    TransactionRecorded(TxRecord),
    /// The open batch's transactions were committed: their root is published as an L2→L1
    /// message (its log is appended to the chain's open batch) and the batch is closed.
    TransactionsCommitted {
        /// The batch about to be sealed.
        batch: u64,
        /// Root of its transaction tree.
        root: B256,
        /// Transactions in it.
        count: u64,
    },
    /// `WhitelistGranted(sender)`.
    WhitelistGranted {
        /// The sender.
        sender: Address,
    },
    /// `WhitelistRevoked(sender)`.
    WhitelistRevoked {
        /// The sender.
        sender: Address,
    },
    /// `DepositsPermissionChanged(allowed)`.
    DepositsPermissionChanged {
        /// The new value.
        allowed: bool,
    },
    /// `OwnershipTransferStarted(previousOwner, newOwner)`.
    OwnershipTransferStarted {
        /// Current owner.
        previous_owner: Address,
        /// Proposed owner.
        new_owner: Address,
    },
    /// `OwnershipTransferred(previousOwner, newOwner)`.
    OwnershipTransferred {
        /// Former owner.
        previous_owner: Address,
        /// New owner.
        new_owner: Address,
    },
}

/// Why a Prividium request was rejected (nothing changed). Permission denials are not errors:
/// they are decisions, logged ([`super::Decision::Denied`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrividiumError {
    /// The chain is not a Prividium.
    #[error("chain {chain} is not a Prividium")]
    NotAPrividium {
        /// The chain.
        chain: ChainId,
    },
    /// A transaction on a Prividium that did not come through its sequencer's checks (a raw
    /// transfer or send): the sequencer admits only what its permission system judged.
    #[error("chain {chain} is a Prividium: transactions go through its sequencer's admission")]
    NotAdmitted {
        /// The chain.
        chain: ChainId,
    },
    /// Admin change: the role exists already.
    #[error("role {role} already exists")]
    RoleAlreadyExists {
        /// The role.
        role: RoleName,
    },
    /// Admin change: no such role.
    #[error("role {role} does not exist")]
    UnknownRole {
        /// The role.
        role: RoleName,
    },
    /// Admin change: the user is registered already.
    #[error("{user} is already a user")]
    UserAlreadyRegistered {
        /// The user.
        user: Address,
    },
    /// Admin change: no such user.
    #[error("{user} is not a user")]
    UnknownUser {
        /// The user.
        user: Address,
    },
    /// Admin change: the user holds the role already.
    #[error("{user} already holds role {role}")]
    RoleAlreadyAssigned {
        /// The user.
        user: Address,
        /// The role.
        role: RoleName,
    },
    /// Admin change: the user does not hold the role.
    #[error("{user} does not hold role {role}")]
    RoleNotAssigned {
        /// The user.
        user: Address,
        /// The role.
        role: RoleName,
    },
    /// Admin change: the user is disabled already.
    #[error("{user} is already disabled")]
    UserAlreadyDisabled {
        /// The user.
        user: Address,
    },
    /// Admin change: removing a rule that does not exist.
    #[error("no rule for {key}")]
    NoSuchRule {
        /// The function.
        key: RuleKey,
    },
    /// Admin change: a `Restrict Argument` index past [`super::permissions::MAX_ARGUMENT_INDEX`],
    /// or a role-checking rule without roles.
    #[error("invalid rule: {reason}")]
    InvalidRule {
        /// What is wrong.
        reason: &'static str,
    },
    /// Admin change: an approval policy with a zero approver or window.
    #[error("invalid approval policy: {reason}")]
    InvalidApprovalPolicy {
        /// What is wrong.
        reason: &'static str,
    },
    /// Approvals: no held transfer with this id.
    #[error("no held transfer {request} on chain {chain}")]
    UnknownTransferRequest {
        /// The chain.
        chain: ChainId,
        /// The id.
        request: u64,
    },
    /// Approvals: the window closed at `expires_at` (`now` ≥ `expires_at`).
    #[error("transfer request {request} expired at {expires_at} (now {now})")]
    ApprovalExpired {
        /// The id.
        request: u64,
        /// When the window closed.
        expires_at: u64,
        /// Now.
        now: u64,
    },
    /// Filterer: `AlreadyWhitelisted(sender)`
    /// (era-contracts@4859b6f:l1-contracts/contracts/common/L1ContractErrors.sol).
    #[error("AlreadyWhitelisted({0})")]
    AlreadyWhitelisted(Address),
    /// Filterer: `NotWhitelisted(sender)`.
    #[error("NotWhitelisted({0})")]
    NotWhitelisted(Address),
    /// Filterer: `ZeroAddress()` (whitelisting or initialising with the zero address).
    #[error("ZeroAddress()")]
    ZeroAddress,
    /// Filterer: OpenZeppelin v4 `Ownable`'s `onlyOwner` (a revert string, not a custom error:
    /// "Ownable: caller is not the owner").
    #[error("Ownable: caller is not the owner ({caller})")]
    CallerNotOwner {
        /// Who called.
        caller: Address,
    },
    /// Filterer: `Ownable2Step.acceptOwnership` by anyone but the pending owner
    /// ("Ownable2Step: caller is not the new owner").
    #[error("Ownable2Step: caller is not the new owner ({caller})")]
    CallerNotNewOwner {
        /// Who called.
        caller: Address,
    },
    /// Mailbox: `TransactionNotAllowed()` — the filterer returned false. The contract error has
    /// no fields; the chain, the sender and the filterer's branch are the model's context.
    #[error("TransactionNotAllowed: the filterer of chain {chain} refused {sender} ({rule})")]
    TransactionNotAllowed {
        /// The chain.
        chain: ChainId,
        /// The L1 sender.
        sender: Address,
        /// The branch that refused (boxed: a deposit's fields).
        rule: Box<FilterRule>,
    },
    /// The filterer itself reverted.
    #[error("transaction filterer reverted: {0}")]
    FiltererReverted(FilterRevert),
    /// L1 request: more L2 value than is minted (model simplification: the L2 transaction would
    /// fail and refund; the model refuses the request).
    #[error("L2 value {l2_value} exceeds the {mint_value} wei minted")]
    L2ValueExceedsMint {
        /// L2 value.
        l2_value: U256,
        /// Mint value.
        mint_value: U256,
    },
    /// Disclosure: the transaction is not in a committed batch (unknown, or still open).
    #[error("transaction {seq} of chain {chain} is not in a committed batch")]
    TransactionNotCommitted {
        /// The chain.
        chain: ChainId,
        /// Its sequence number.
        seq: u64,
    },
    /// Replay: a commitment event names another root than its records give (a corrupted log).
    #[error("batch {batch} commits root {logged}, its transactions give {computed}")]
    CommitmentMismatch {
        /// The batch.
        batch: u64,
        /// Root in the event.
        logged: B256,
        /// Root recomputed.
        computed: B256,
    },
    /// Disclosure proof building failed.
    #[error(transparent)]
    Disclosure(#[from] DisclosureError),
}

impl From<crate::merkle::MerkleError> for PrividiumError {
    fn from(e: crate::merkle::MerkleError) -> Self {
        Self::Disclosure(DisclosureError::Merkle(e))
    }
}

impl From<crate::settlement::ProofError> for PrividiumError {
    fn from(e: crate::settlement::ProofError) -> Self {
        Self::Disclosure(DisclosureError::Proof(e))
    }
}
