//! Prividium: an institution's permissioned, private ZK chain.
//!
//! A Prividium is a **validium**: its transactions and state stay in the institution's
//! environment, while each batch is proven and its roots settle publicly, like any chain's
//! (docs.zksync.io, "Prividium: Architecture Overview"). Being a validium, it is never a
//! permanent rollup: `makePermanentRollup` needs a data-availability pair the rollup DA manager
//! allows, which a validium's is not (`Admin.makePermanentRollup`,
//! era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Admin.sol),
//! so priority mode can never be *activated* on it (`PriorityModeRequiresPermanentRollup`):
//! see [`crate::network::State::is_permanent_rollup_capable`].
//!
//! What the model holds per Prividium chain ([`Prividium`]):
//! - [`permissions`]: users, roles, rules per (contract, selector, access) that forbid by
//!   default, and interop routes per role; every request is *admitted* (registered, active
//!   user) then *judged* (the rule) by the sequencer before it is accepted;
//! - [`filterer`]: the `PrividiumTransactionFilterer` guarding the chain's L1 entry;
//! - approvals (a **model choice**, see [`ApprovalPolicy`]): transfers above a limit wait for a
//!   named approver and expire unapproved;
//! - [`audit`]: a log of every attempted request, its caller, the decision and the rule that
//!   decided, denials included, exportable as JSON Lines and CSV;
//! - [`disclosure`]: every executed transaction is a leaf of its batch's transaction tree,
//!   whose root the batch publishes as an L2→L1 message; a Merkle proof shows one transaction
//!   to a third party against what L1 holds, revealing nothing of the others.
//!
//! A denial is a decision, not an error: it is recorded in the audit log (a state change) and
//! the request does nothing else. Errors ([`PrividiumError`]) are requests that cannot be
//! decided (unknown users or roles in an admin change, unknown approval requests), contract
//! reverts (the filterer's), and failures of an admitted transaction (an insufficient
//! balance): those change nothing at all, the audit log included.
//!
//! Private interop (a bundle published as its hash and call count only, with
//! `PrivateInteropCenter`) exists only on a feature branch of era-contracts, not in draft-v31
//! (4859b6f): it is not modelled. A Prividium's bundles are ordinary v31 bundles.

pub mod actions;
pub mod audit;
pub mod disclosure;
mod events;
pub mod filterer;
pub mod permissions;
#[cfg(test)]
mod tests;

use crate::chain::AssetId;
use crate::interop::bundle::InteropCallStarter;
use crate::ChainId;
use alloy_primitives::{address, Address, Bytes, B256, U256};
use imbl::{OrdMap, Vector};
use serde::{Deserialize, Serialize};

pub use audit::{AuditEntry, Decision, Request, RuleRef};
pub use disclosure::{CommittedBatch, DisclosureProof, TxKind, TxRecord};
pub use events::{Change, PrividiumError, PrividiumEvent};
pub use filterer::{FilterRule, L1Request, TransactionFilterer};
pub use permissions::{Access, Denial, Permissions, RoleName, RuleKey, RuleKind, Selector};

/// `L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR` = `SYSTEM_CONTRACTS_OFFSET + 0x0a`
/// (era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol).
/// Model choice: a base-token transfer is judged as the call `transfer(to, amount)` on this
/// contract, so rules can name it like any token's.
pub const L2_BASE_TOKEN: Address = address!("000000000000000000000000000000000000800a");

/// How a Prividium comes to exist at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrividiumConfig {
    /// The chain (an ordinary ZK chain in settlement: a validium whose contents stay private).
    pub chain: ChainId,
    /// The first admin of the permission system (holds [`permissions::ADMIN_ROLE`]).
    pub admin: Address,
    /// Owner of the chain's `PrividiumTransactionFilterer` on L1.
    pub filterer_owner: Address,
    /// The filterer's immutable `L1_ASSET_ROUTER`.
    pub l1_asset_router: Address,
    /// The institution's secret behind each transaction leaf's blinding salt (model choice:
    /// without a salt, a leaf's siblings in a disclosure proof could be guessed from
    /// low-entropy transactions).
    pub disclosure_seed: B256,
}

/// Model choice (the example; no contract defines it): transfers of `asset` above
/// `limit` wait for `approver`'s approval and expire `window` seconds after the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalPolicy {
    /// Largest amount that executes without approval (a transfer of more needs one).
    pub limit: U256,
    /// The only account that may approve or reject.
    pub approver: Address,
    /// Seconds a request stays approvable: it can be approved while `now < requested_at +
    /// window`, and expires from that second on.
    pub window: u64,
}

/// A transfer waiting for its approver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTransfer {
    /// Request id (counts from 1 per chain).
    pub id: u64,
    /// Who asked.
    pub from: Address,
    /// Asset.
    pub asset: AssetId,
    /// Payee.
    pub to: Address,
    /// Amount (not escrowed: the balance is checked when the approval executes it).
    pub amount: U256,
    /// Who may approve it.
    pub approver: Address,
    /// When it was asked for.
    pub requested_at: u64,
    /// First second at which it can no longer be approved.
    pub expires_at: u64,
}

/// How a held transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resolution {
    /// The approver approved: it executed.
    Approved,
    /// The approver rejected it.
    Rejected,
    /// Nobody approved it in time.
    Expired,
}

/// A transaction a user submits to the Prividium's sequencer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrividiumTx {
    /// A transfer on the chain, judged as `transfer(to, amount)` on the asset's token
    /// ([`L2_BASE_TOKEN`] for the base token).
    Transfer {
        /// Asset.
        asset: AssetId,
        /// Payee.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// An ordinary interop bundle (`InteropCenter.sendBundle`), judged as that call and then
    /// against the caller's routes.
    SendBundle {
        /// ERC-7930 destination (chain only).
        destination: Bytes,
        /// The calls.
        starters: Vec<InteropCallStarter>,
        /// Bundle-level ERC-7786 attributes.
        attributes: Vec<Bytes>,
        /// msg.value in base-token wei.
        value: U256,
    },
}

/// A read through the Prividium's proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Query {
    /// `balanceOf(account)` on the asset's token: a read judged like a call.
    BalanceOf {
        /// Asset.
        asset: AssetId,
        /// Whose balance.
        account: Address,
    },
    /// The chain's transaction history, filtered: only the transactions the caller may see
    /// (its own, those paying it, and those a read rule lets it see).
    Transactions,
}

/// What a read answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryAnswer {
    /// Refused.
    Denied(Denial),
    /// A balance.
    Balance(U256),
    /// The visible part of the history, and how many transactions were left out.
    Transactions {
        /// What the caller may see.
        visible: Vec<TxRecord>,
        /// How many it may not.
        hidden: u64,
    },
}

/// A change in the admin panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdminChange {
    /// A new role.
    CreateRole {
        /// Its name.
        role: RoleName,
    },
    /// A new user with roles.
    RegisterUser {
        /// Its address.
        user: Address,
        /// Its roles (each must exist).
        roles: Vec<RoleName>,
    },
    /// Gives a user a role.
    AssignRole {
        /// The user.
        user: Address,
        /// The role.
        role: RoleName,
    },
    /// Takes a role from a user.
    RevokeRole {
        /// The user.
        user: Address,
        /// The role.
        role: RoleName,
    },
    /// Disables a user: it is refused at admission from then on.
    DisableUser {
        /// The user.
        user: Address,
    },
    /// Sets (or, with `None`, removes) the rule of one function.
    SetRule {
        /// The function.
        key: RuleKey,
        /// The rule.
        rule: Option<RuleKind>,
    },
    /// Lets a role send interop to a chain, or stops it.
    SetRoute {
        /// The role.
        role: RoleName,
        /// The destination chain.
        destination: ChainId,
        /// Allowed or not.
        allowed: bool,
    },
    /// Sets (or removes) the approval policy of an asset.
    SetApprovalPolicy {
        /// The asset.
        asset: AssetId,
        /// The policy.
        policy: Option<ApprovalPolicy>,
    },
}

/// A call to the chain's `PrividiumTransactionFilterer` on L1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FiltererCall {
    /// `grantWhitelist(sender)`.
    GrantWhitelist {
        /// The sender to whitelist.
        sender: Address,
    },
    /// `revokeWhitelist(sender)`.
    RevokeWhitelist {
        /// The sender.
        sender: Address,
    },
    /// `setDepositsAllowed(allowed)`.
    SetDepositsAllowed {
        /// The new value.
        allowed: bool,
    },
    /// `transferOwnership(newOwner)` (step one of `Ownable2Step`).
    TransferOwnership {
        /// The proposed owner.
        new_owner: Address,
    },
    /// `acceptOwnership()` (step two).
    AcceptOwnership,
}

/// What can be asked of a Prividium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrividiumOp {
    /// An admin-panel change (the admin role).
    Admin {
        /// Who asks.
        caller: Address,
        /// The change.
        change: AdminChange,
    },
    /// A transaction through the sequencer: admitted, judged, then executed (or held for
    /// approval).
    Submit {
        /// Who signs it.
        caller: Address,
        /// The transaction.
        tx: PrividiumTx,
    },
    /// A read through the proxy: admitted, judged, answered ([`State::prividium_query`]).
    Read {
        /// Who asks.
        caller: Address,
        /// The query.
        query: Query,
    },
    /// The named approver approves a held transfer: it executes.
    Approve {
        /// Who approves.
        caller: Address,
        /// The request id.
        request: u64,
    },
    /// The named approver rejects a held transfer.
    Reject {
        /// Who rejects.
        caller: Address,
        /// The request id.
        request: u64,
    },
    /// The sequencer's housekeeping: every held transfer past its window expires.
    ExpireTransfers {
        /// Who runs it (recorded in the audit log).
        caller: Address,
    },
    /// An owner call to the chain's transaction filterer on L1.
    Filterer {
        /// `msg.sender`.
        caller: Address,
        /// The call.
        call: FiltererCall,
    },
    /// An L1 → L2 request through the Mailbox: filtered, then applied on the chain.
    L1Request(L1Request),
}

/// An action on one Prividium chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrividiumAction {
    /// The Prividium chain.
    pub chain: ChainId,
    /// What is asked.
    pub op: PrividiumOp,
}

/// One Prividium's state: its permissions, filterer, approvals, audit log and transaction
/// commitments. Private except for what its batches publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prividium {
    /// Genesis configuration.
    pub config: PrividiumConfig,
    /// Users, roles, rules, routes.
    pub permissions: Permissions,
    /// The L1 transaction filterer.
    pub filterer: TransactionFilterer,
    /// Approval policies by asset.
    pub approvals: OrdMap<AssetId, ApprovalPolicy>,
    /// Held transfers by id.
    pub pending: OrdMap<u64, PendingTransfer>,
    /// Held transfers ever requested (the last id).
    pub requests: u64,
    /// Every decision, in order.
    pub audit: Vector<AuditEntry>,
    /// Transactions executed in the open batch, in order.
    pub open: Vector<TxRecord>,
    /// Committed batches by number.
    pub committed: OrdMap<u64, CommittedBatch>,
    /// Transactions ever executed (the next one's sequence number).
    pub transactions: u64,
}

impl Prividium {
    /// The state a genesis configuration starts with.
    pub fn new(config: PrividiumConfig) -> Self {
        Self {
            permissions: Permissions::new(config.admin),
            filterer: TransactionFilterer::new(config.filterer_owner, config.l1_asset_router),
            approvals: OrdMap::new(),
            pending: OrdMap::new(),
            requests: 0,
            audit: Vector::new(),
            open: Vector::new(),
            committed: OrdMap::new(),
            transactions: 0,
            config,
        }
    }

    /// A transaction by sequence number, committed or still in the open batch.
    pub fn transaction(&self, seq: u64) -> Option<&TxRecord> {
        self.committed
            .values()
            .flat_map(|b| b.records.iter())
            .chain(self.open.iter())
            .find(|r| r.seq == seq)
    }

    /// Every executed transaction, committed ones first, in order.
    pub fn history(&self) -> impl Iterator<Item = &TxRecord> {
        self.committed
            .values()
            .flat_map(|b| b.records.iter())
            .chain(self.open.iter())
    }
}

/// The Prividiums of a genesis, checked: each names an ordinary ZK chain (not L1, not a
/// settlement layer), once, with non-zero first admin and filterer owner (the filterer's
/// `initialize` reverts `ZeroAddress` on a zero owner).
pub fn genesis_state(
    genesis: &crate::genesis::Genesis,
    chains: &OrdMap<ChainId, crate::chain::Chain>,
) -> Result<OrdMap<ChainId, Prividium>, crate::error::ProtocolError> {
    let bad = |m: String| crate::error::ProtocolError::Genesis(m);
    let mut out = OrdMap::new();
    for p in &genesis.prividiums {
        let c = chains
            .get(&p.chain)
            .ok_or_else(|| bad(format!("Prividium chain {} is not listed", p.chain)))?;
        if c.config.kind != crate::chain::ChainKind::ZkChain {
            return Err(bad(format!(
                "Prividium chain {} must be an ordinary ZK chain, not {:?}",
                p.chain, c.config.kind
            )));
        }
        if out.contains_key(&p.chain) {
            return Err(bad(format!("Prividium chain {} is listed twice", p.chain)));
        }
        if p.admin.is_zero() || p.filterer_owner.is_zero() {
            return Err(PrividiumError::ZeroAddress.into());
        }
        out.insert(p.chain, Prividium::new(p.clone()));
    }
    Ok(out)
}

/// Chain id of the built-in devnet's Prividium.
pub const DEVNET_PRIVIDIUM: ChainId = 280;

/// The built-in devnet ([`crate::genesis::Genesis::devnet`]) with one Prividium: an ETH-based
/// validium `prividium` settling on Gateway, whose first admin is `prividium-admin`, whose L1
/// filterer `prividium-owner` owns, and whose L1 asset router is the `l1-asset-router` account
/// (model choice: the devnet has no L1 contracts, so a named account stands for it).
pub fn devnet() -> crate::genesis::Genesis {
    use crate::genesis::{account, devnet, eth, Genesis};
    let mut g = Genesis::devnet();
    g.chains.push(crate::chain::ChainConfig {
        id: DEVNET_PRIVIDIUM,
        name: "prividium".into(),
        kind: crate::chain::ChainKind::ZkChain,
        base_token: eth(),
        settlement_layer: Some(devnet::GATEWAY),
        zk_token_available: true,
        operator: account("operator-prividium"),
        admin: account("admin-prividium"),
        execution: crate::chain::ExecutionEnvironment::ZksyncOs,
        data_availability: crate::chain::DataAvailability::Validium,
    });
    g.prividiums.push(PrividiumConfig {
        chain: DEVNET_PRIVIDIUM,
        admin: account("prividium-admin"),
        filterer_owner: account("prividium-owner"),
        l1_asset_router: account("l1-asset-router"),
        disclosure_seed: alloy_primitives::keccak256("flywheel:prividium-disclosure-seed"),
    });
    g
}
