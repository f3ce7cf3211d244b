//! The network: every chain, the ZK token and the clock, behind one `apply(action)`.
//!
//! `Network::apply` opens a checkpoint of the undo journal ([`crate::journal`]), runs the
//! action's handler, and on any error undoes what the journal recorded — so a rejected action
//! changes nothing, however far it got. Handlers change state only by emitting events
//! ([`State::apply_event`]) or through the journaled accessors of the token, staker and
//! governance, which is what makes the event log replayable.

use crate::chain::{AssetId, AssetInfo, Batch, CallStatus, Chain, ChainKind, MessageLocation};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::fee_flow::{Economy, FeeFlow, FeeTotals};
use crate::genesis::Genesis;
use crate::governance::Governance;
use crate::interop::bundle::{InteropCallStarter, SealedBundle};
use crate::interop::recipient::{Code, ExternalRecipients};
use crate::journal::{ChainUndo, Checkpoint, Journal, Section, Undo};
use crate::merkle::{self, LogsTree};
use crate::settlement::{self, L2Message, MessageInclusionProof};
use crate::staking::Staker;
use crate::token::ZkToken;
use crate::ChainId;
use alloy_primitives::{Address, Bytes, B256, U256};
use imbl::OrdMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The whole protocol state. Equality is what the replay tests compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Seconds since the unix epoch.
    pub time: u64,
    /// The ZK token (one canonical ledger: see ARCHITECTURE.md).
    pub token: ZkToken,
    /// Registered assets.
    pub assets: OrdMap<AssetId, AssetInfo>,
    /// Chains by id.
    pub chains: OrdMap<ChainId, Chain>,
    /// Supply of each asset that entered the model (`Funded`).
    pub issued: OrdMap<AssetId, U256>,
    /// Interop value burned on a source and not yet minted on a destination.
    pub in_flight: OrdMap<AssetId, U256>,
    /// Fee parameters, the Fee Flow auction, the splitter, and route totals.
    pub economy: Economy,
    /// The staking pilot.
    pub staker: Staker,
    /// The three governors and the L1 upgrade path.
    pub governance: Governance,
    /// Each ZK chain's contract on L1: priority queue, batches, fee parameters, priority mode.
    pub priority: crate::priority::Diamonds,
    /// Prividium chains' permissions, filterers, approvals, audit logs and transaction
    /// commitments, by chain.
    pub prividiums: OrdMap<ChainId, crate::prividium::Prividium>,
    /// What per-bundle bookkeeping is kept ([`crate::genesis::Retention`]).
    #[serde(default)]
    pub retention: crate::genesis::Retention,
}

impl State {
    /// A chain by id.
    pub fn chain(&self, id: ChainId) -> Result<&Chain, ProtocolError> {
        self.chains.get(&id).ok_or(ProtocolError::UnknownChain(id))
    }

    fn chain_mut(&mut self, id: ChainId) -> Option<&mut Chain> {
        self.chains.get_mut(&id)
    }

    /// Applies one event. The only code path that changes state. Fails only on a token event
    /// that does not fit the token's state (a corrupted log).
    pub fn apply_event(&mut self, event: &Event) -> Result<(), ProtocolError> {
        self.apply_with(event, None, &mut Journal::off())
    }

    /// Applies an event, reusing a logs tree the handler already built for `BatchSealed`, and
    /// records in `j` what it overwrites (so that a rejected action can be undone).
    pub(crate) fn apply_with(
        &mut self,
        event: &Event,
        prebuilt: Option<LogsTree>,
        j: &mut Journal,
    ) -> Result<(), ProtocolError> {
        match event {
            Event::TimeAdvanced { now } => {
                j.record(|| Undo::Time(self.time));
                self.time = *now
            }
            Event::Token(ev) => {
                j.section(Section::Token, || Undo::Token(Box::new(self.token.clone())));
                self.token.apply(ev)?
            }
            Event::Funded {
                chain,
                asset,
                to,
                amount,
            } => {
                j.record(|| Undo::Issued(*asset, self.issued.get(asset).copied()));
                add(self.issued.entry(*asset).or_default(), *amount);
                if let Some(c) = self.chain_mut(*chain) {
                    c.credit_j(*chain, *asset, *to, *amount, j);
                }
            }
            Event::Transferred {
                chain,
                asset,
                from,
                to,
                amount,
            } => {
                if let Some(c) = self.chain_mut(*chain) {
                    c.debit_j(*chain, *asset, *from, *amount, j);
                    c.credit_j(*chain, *asset, *to, *amount, j);
                }
            }
            Event::Defunded {
                chain,
                asset,
                from,
                amount,
            } => {
                if let Some(issued) = self.issued.get_mut(asset) {
                    let old = *issued;
                    j.record(|| Undo::Issued(*asset, Some(old)));
                    *issued = issued.saturating_sub(*amount);
                }
                if let Some(c) = self.chain_mut(*chain) {
                    c.debit_j(*chain, *asset, *from, *amount, j);
                }
            }
            Event::ValueBurned {
                chain,
                asset,
                from,
                amount,
            } => {
                j.record(|| Undo::InFlight(*asset, self.in_flight.get(asset).copied()));
                add(self.in_flight.entry(*asset).or_default(), *amount);
                if let Some(c) = self.chain_mut(*chain) {
                    c.debit_j(*chain, *asset, *from, *amount, j);
                }
            }
            Event::ValueMinted {
                chain,
                asset,
                to,
                amount,
            } => {
                j.record(|| Undo::InFlight(*asset, self.in_flight.get(asset).copied()));
                let f = self.in_flight.entry(*asset).or_default();
                *f = f.saturating_sub(*amount);
                if let Some(c) = self.chain_mut(*chain) {
                    c.credit_j(*chain, *asset, *to, *amount, j);
                }
            }
            Event::InteropProtocolFeeSet { chain, fee } => {
                if let Some(c) = self.chain_mut(*chain) {
                    j.chain(*chain, || {
                        ChainUndo::InteropProtocolFee(c.interop_protocol_fee)
                    });
                    c.interop_protocol_fee = *fee;
                }
            }
            Event::InteropFeeCollected {
                chain,
                operator,
                payer,
                fixed_zk,
                amount,
                ..
            } => {
                if *fixed_zk {
                    self.economy_j(j);
                    add(&mut self.economy.totals.fixed_fees_paid, *amount);
                }
                if let Some(c) = self.chain_mut(*chain) {
                    if *fixed_zk {
                        let old = c.accrued_zk_fees.get(operator).copied();
                        j.chain(*chain, || ChainUndo::AccruedZk(*operator, old));
                        add(c.accrued_zk_fees.entry(*operator).or_default(), *amount);
                    } else {
                        let base = c.config.base_token;
                        c.debit_j(*chain, base, *payer, *amount, j);
                        c.credit_j(*chain, base, crate::chain::INTEROP_CENTER, *amount, j);
                        let old = c.accrued_base_fees.get(operator).copied();
                        j.chain(*chain, || ChainUndo::AccruedBase(*operator, old));
                        add(c.accrued_base_fees.entry(*operator).or_default(), *amount);
                    }
                }
            }
            Event::MessageSent { .. } | Event::MessageReceived { .. } => {}
            Event::InteropBundleSent {
                chain,
                sender,
                message_hash,
                bundle_hash,
                bundle,
                tx_number,
            } => {
                if let Some(c) = self.chain_mut(*chain) {
                    let id = *chain;
                    let old = c.bundle_count.get(sender).copied();
                    j.chain(id, || ChainUndo::BundleCount(*sender, old));
                    *c.bundle_count.entry(*sender).or_default() += 1;
                    let index = c.pending_logs.len() as u32;
                    // invariant: < 16,384 logs per batch
                    let tx_number = tx_number.unwrap_or(index as u16);
                    let leaf = settlement::message_log_leaf(
                        tx_number,
                        crate::chain::INTEROP_CENTER,
                        message_hash,
                    );
                    j.chain(id, || ChainUndo::PendingLogPushed);
                    c.pending_logs.push_back(leaf);
                    j.chain(id, || ChainUndo::PendingCalls(c.pending_chargeable_calls));
                    c.pending_chargeable_calls += bundle.calls.len() as u64;
                    j.chain(id, || ChainUndo::PendingBundles(c.pending_bundles));
                    c.pending_bundles += 1;
                    let location = MessageLocation {
                        batch: c.next_batch_number(),
                        index,
                        tx_number,
                    };
                    let old = c.outbox.insert(*bundle_hash, location);
                    j.chain(id, || ChainUndo::Outbox(*bundle_hash, old));
                }
            }
            Event::BatchSealed { chain, number, .. } => {
                if let Some(c) = self.chain_mut(*chain) {
                    let logs = match prebuilt {
                        Some(t) => t,
                        None => build_logs_tree(c)?,
                    };
                    let aggregation = c.message_root.clone();
                    let aggregated_root = aggregated_root_of(c);
                    let chain_batch_root = merkle::chain_batch_root(&logs.root(), &aggregated_root);
                    j.chain(*chain, || ChainUndo::BatchPushed);
                    c.batches.push_back(Batch {
                        number: *number,
                        logs,
                        aggregated_root,
                        chain_batch_root,
                        chargeable_calls: c.pending_chargeable_calls,
                        sl_leaf_index: None,
                        sl_first_batch: None,
                        aggregation,
                        unproven: c.pending_bundles,
                        logs_pruned: false,
                    });
                    j.chain(*chain, || ChainUndo::PendingBundles(c.pending_bundles));
                    c.pending_bundles = 0;
                    let logs = std::mem::take(&mut c.pending_logs);
                    j.chain(*chain, || ChainUndo::PendingLogs(logs));
                    j.chain(*chain, || {
                        ChainUndo::PendingCalls(c.pending_chargeable_calls)
                    });
                    c.pending_chargeable_calls = 0;
                }
            }
            Event::BatchSettled {
                chain,
                batch,
                settlement_layer,
                chain_batch_root,
            } => {
                let Some(sl) = self.chain_mut(*settlement_layer) else {
                    return Ok(());
                };
                let first_batch = sl.next_batch_number();
                let leaf_index = match &mut sl.message_root {
                    Some(root) => {
                        let old = Box::new(root.clone());
                        j.chain(*settlement_layer, || ChainUndo::MessageRoot(Some(old)));
                        Some(root.append(*chain, *batch, chain_batch_root))
                    }
                    None => {
                        // L1 keeps every directly settled batch root: they are its interop roots.
                        let old = sl.interop_roots.insert((*chain, *batch), *chain_batch_root);
                        j.chain(*settlement_layer, || {
                            ChainUndo::InteropRoot(*chain, *batch, old)
                        });
                        None
                    }
                };
                if let Some(c) = self.chain_mut(*chain) {
                    if let Some(i) = batch.checked_sub(1).map(|i| i as usize) {
                        if let Some(b) = c.batches.get_mut(i) {
                            let (leaf, first) = (b.sl_leaf_index, b.sl_first_batch);
                            j.chain(*chain, || ChainUndo::BatchSettlement(i, leaf, first));
                            b.sl_leaf_index = leaf_index;
                            b.sl_first_batch = leaf_index.map(|_| first_batch);
                        }
                    }
                }
            }
            Event::InteropRootImported {
                chain,
                source,
                batch,
                root,
            } => {
                if let Some(c) = self.chain_mut(*chain) {
                    let old = c.interop_roots.insert((*source, *batch), *root);
                    j.chain(*chain, || ChainUndo::InteropRoot(*source, *batch, old));
                }
            }
            Event::BundleVerified { chain, bundle_hash } => {
                self.set_status(*chain, bundle_hash, crate::chain::BundleStatus::Verified, j)
            }
            Event::BundleExecuted { chain, bundle_hash } => self.set_status(
                *chain,
                bundle_hash,
                crate::chain::BundleStatus::FullyExecuted,
                j,
            ),
            Event::BundleUnbundled { chain, bundle_hash } => self.set_status(
                *chain,
                bundle_hash,
                crate::chain::BundleStatus::Unbundled,
                j,
            ),
            Event::CallProcessed {
                chain,
                bundle_hash,
                index,
                status,
            } => {
                if let Some(c) = self.chain_mut(*chain) {
                    // Calls of an atomically executed bundle are implied Executed; storing
                    // them would only cost memory (one entry per call ever executed).
                    if c.bundle_status(bundle_hash)
                        != Some(crate::chain::BundleStatus::FullyExecuted)
                    {
                        let old = c.call_status.insert((*bundle_hash, *index), *status);
                        j.chain(*chain, || ChainUndo::CallStatus(*bundle_hash, *index, old));
                    }
                }
            }
            Event::ProtocolFeesClaimed {
                chain,
                operator,
                amount,
                ..
            } => {
                self.economy_j(j);
                add(&mut self.economy.totals.base_fees_claimed, *amount);
                if let Some(c) = self.chain_mut(*chain) {
                    let old = c.accrued_base_fees.remove(operator);
                    j.chain(*chain, || ChainUndo::AccruedBase(*operator, old));
                }
            }
            Event::ZkFeesClaimed {
                chain,
                operator,
                amount,
                ..
            } => {
                self.economy_j(j);
                add(&mut self.economy.totals.fixed_fees_claimed, *amount);
                if let Some(c) = self.chain_mut(*chain) {
                    let old = c.accrued_zk_fees.remove(operator);
                    j.chain(*chain, || ChainUndo::AccruedZk(*operator, old));
                }
            }
            Event::SettlementFeePayerAgreementUpdated {
                payer,
                chain,
                agreed,
            } => {
                self.economy_j(j);
                if *agreed {
                    self.economy.settlement_payers.insert((*chain, *payer));
                } else {
                    self.economy.settlement_payers.remove(&(*chain, *payer));
                }
            }
            Event::GatewaySettlementFeesCollected { amount, .. } => {
                self.economy_j(j);
                add(&mut self.economy.totals.settlement_fees_paid, *amount);
            }
            Event::GatewayFeesWithdrawn { recipient, amount } => {
                self.economy_j(j);
                let t = &mut self.economy.totals;
                add(&mut t.settlement_fees_withdrawn, *amount);
                if *recipient == crate::fee_flow::splitter_address() {
                    add(&mut t.settlement_fees_to_splitter, *amount);
                    add(&mut t.splitter_inflow, *amount);
                }
            }
            Event::FeeFlowClaimed { bid_amount, .. } => {
                self.economy_j(j);
                let t = &mut self.economy.totals;
                add(&mut t.auction_paid, *bid_amount);
                add(&mut t.splitter_inflow, *bid_amount);
                t.auction_claims += 1;
            }
            Event::Split {
                burned,
                distributed,
                to_self,
                ..
            } => {
                self.economy_j(j);
                let t = &mut self.economy.totals;
                add(&mut t.burned, *burned);
                add(&mut t.distributed, *distributed);
                add(&mut t.splitter_paid_to_self, *to_self);
            }
            Event::BidThresholdSet { new, .. } => {
                self.economy_j(j);
                self.economy.fee_flow.bid_threshold = *new
            }
            Event::FeeFlowDestinationSet { new, .. } => {
                self.economy_j(j);
                self.economy.fee_flow.destination = *new
            }
            Event::ClaimPausedSet { paused } => {
                self.economy_j(j);
                self.economy.fee_flow.claim_paused = *paused
            }
            Event::ClaimableTokenSet { token, claimable } => {
                self.economy_j(j);
                let list = &mut self.economy.fee_flow.claimable;
                if *claimable {
                    list.insert(*token);
                } else {
                    list.remove(token);
                }
            }
            Event::FeeFlowRecovered { .. } => {}
            Event::BurnPercentageSet { new, .. } => {
                self.economy_j(j);
                self.economy.splitter.shares.burn_bps = *new;
            }
            Event::DistributorsSet { distributors } => {
                self.economy_j(j);
                let s = &mut self.economy.splitter.shares;
                s.total_weight = distributors
                    .iter()
                    .fold(U256::ZERO, |a, d| a.saturating_add(U256::from(d.weight)));
                s.distributors = distributors.clone();
            }
            Event::SplitterRecovered { token, amount, .. } => {
                if *token == self.economy.fee_flow.bid_token {
                    self.economy_j(j);
                    add(&mut self.economy.totals.splitter_recovered, *amount);
                }
            }
            Event::Staking(ev) => {
                j.section(Section::Staker, || {
                    Undo::Staker(Box::new(self.staker.clone()))
                });
                self.staker.apply(ev)?
            }
            Event::Governance(ev) => {
                j.section(Section::Governance, || {
                    Undo::Governance(Box::new(self.governance.clone()))
                });
                self.governance.apply(ev)?
            }
            Event::FixedInteropFeeSet { fee } => {
                let ids: Vec<ChainId> = self.chains.keys().copied().collect();
                for id in ids {
                    if let Some(c) = self.chain_mut(id) {
                        j.chain(id, || ChainUndo::ZkInteropFee(c.zk_interop_fee));
                        c.zk_interop_fee = *fee;
                    }
                }
            }
            Event::InteropTrafficRecorded { chain, calls, .. } => {
                if let Some(c) = self.chain_mut(*chain) {
                    j.chain(*chain, || {
                        ChainUndo::PendingCalls(c.pending_chargeable_calls)
                    });
                    c.pending_chargeable_calls += calls;
                }
            }
            Event::GatewaySettlementFeeSet { fee } => {
                self.economy_j(j);
                self.economy.gateway_settlement_fee = *fee
            }
            Event::Priority(ev) => {
                j.section(Section::Priority, || {
                    Undo::Priority(Box::new(self.priority.clone()))
                });
                if let crate::priority::PriorityEvent::ChainMigrated { chain, .. } = ev {
                    if let Some(c) = self.chains.get(chain) {
                        let old = Box::new(c.config.clone());
                        j.chain(*chain, || ChainUndo::Config(old));
                    }
                }
                crate::priority::apply(self, ev)?
            }
            Event::Prividium(ev) => {
                j.section(Section::Prividiums, || {
                    Undo::Prividiums(self.prividiums.clone())
                });
                let commits = matches!(
                    ev.change,
                    crate::prividium::Change::TransactionsCommitted { .. }
                );
                if let Some(c) = self.chains.get(&ev.chain).filter(|_| commits) {
                    // A commitment appends a log to the open batch.
                    let old = c.pending_logs.clone();
                    j.chain(ev.chain, || ChainUndo::PendingLogs(old));
                }
                self.apply_prividium(ev)?
            }
        }
        Ok(())
    }

    fn economy_j(&self, j: &mut Journal) {
        j.section(Section::Economy, || {
            Undo::Economy(Box::new(self.economy.clone()))
        });
    }

    fn set_status(
        &mut self,
        chain: ChainId,
        hash: &B256,
        status: crate::chain::BundleStatus,
        j: &mut Journal,
    ) {
        let Some(c) = self.chain_mut(chain) else {
            return;
        };
        let old = c.bundle_status.insert(*hash, status);
        j.chain(chain, || ChainUndo::BundleStatus(*hash, old));
        if old.is_none() && self.retention == crate::genesis::Retention::Compact {
            self.forget_sent(hash, j);
        }
    }

    /// Compact retention: the destination has the bundle, so its source's outbox entry (and,
    /// with the batch's last such bundle, the batch's logs tree) is no longer needed.
    fn forget_sent(&mut self, hash: &B256, j: &mut Journal) {
        let Some(id) = self
            .chains
            .iter()
            .find(|(_, c)| c.outbox.contains_key(hash))
            .map(|(id, _)| *id)
        else {
            return;
        };
        let Some(c) = self.chain_mut(id) else { return };
        let Some(loc) = c.outbox.remove(hash) else {
            return;
        };
        j.chain(id, || ChainUndo::Outbox(*hash, Some(loc)));
        let Some(i) = loc.batch.checked_sub(1).map(|i| i as usize) else {
            return;
        };
        let Some(b) = c.batches.get_mut(i) else {
            // Still in the open batch (a bundle can only be proven once sealed).
            return;
        };
        j.chain(id, || ChainUndo::BatchUnproven(i, b.unproven));
        b.unproven = b.unproven.saturating_sub(1);
        if b.unproven == 0 && !b.logs_pruned {
            let logs = std::mem::replace(&mut b.logs, LogsTree::empty());
            b.logs_pruned = true;
            j.chain(id, || ChainUndo::BatchLogs(i, Box::new(logs)));
        }
    }

    /// Sum of all balances of `asset` on every chain.
    pub fn total_balance(&self, asset: AssetId) -> U256 {
        self.chains
            .values()
            .flat_map(|c| c.balances.iter())
            .filter(|((a, _), _)| *a == asset)
            .fold(U256::ZERO, |acc, (_, v)| acc.saturating_add(*v))
    }
}

fn add(slot: &mut U256, amount: U256) {
    *slot = slot.saturating_add(amount);
}

fn build_logs_tree(c: &Chain) -> Result<LogsTree, crate::merkle::MerkleError> {
    let leaves: Vec<B256> = c.pending_logs.iter().copied().collect();
    // invariant: sends refuse to exceed the tree's capacity, so this cannot fail.
    LogsTree::new(&leaves)
}

fn aggregated_root_of(c: &Chain) -> B256 {
    c.message_root
        .as_ref()
        .map_or_else(settlement::empty_aggregated_root, |m| m.root())
}

/// A typed input to the network. Each one is all-or-nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Several actions applied in order as one, all or nothing — a relayer's or a sequencer's
    /// batch. Its events are the inner actions' events in order.
    Batch(Vec<Action>),
    /// Moves the clock forward by `seconds`.
    AdvanceTime {
        /// Seconds to add.
        seconds: u64,
    },
    /// Brings new supply of an asset onto a chain (a deposit from outside the model).
    Fund {
        /// Chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Receiver.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// Takes supply of an asset out of the model on a chain: the inverse of `Fund` (a
    /// withdrawal to outside the model; the devnet's `anvil_setBalance` lowering a balance).
    Defund {
        /// Chain.
        chain: ChainId,
        /// Asset.
        asset: AssetId,
        /// Holder.
        from: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// Transfers an asset within a chain.
    Transfer {
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
    /// ZK token: `transfer`.
    ZkTransfer {
        /// Payer.
        from: Address,
        /// Payee.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// ZK token: `approve`.
    ZkApprove {
        /// Owner.
        owner: Address,
        /// Spender.
        spender: Address,
        /// Allowance in wei.
        amount: U256,
    },
    /// ZK token: `delegate`.
    ZkDelegate {
        /// Delegator.
        delegator: Address,
        /// Delegatee.
        delegatee: Address,
    },
    /// ZK token: public `burn`.
    ZkBurn {
        /// Holder.
        holder: Address,
        /// Amount in wei.
        amount: U256,
    },
    /// `ZkCappedMinterV2Factory.createCappedMinter`: anyone deploys a capped minter whose
    /// `admin` gets its DEFAULT_ADMIN_ROLE and PAUSER_ROLE. It mints nothing until the token's
    /// role admin grants it the token's MINTER_ROLE ([`Action::ZkGrantRole`]).
    CreateMinter {
        /// The minter's address (CREATE2-derived on mainnet; chosen here).
        minter: Address,
        /// Holder of the minter's DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
        admin: Address,
        /// Lifetime mint limit, wei.
        cap: U256,
        /// `START_TIME`: first second minting is allowed (not in the past).
        start: u64,
        /// `EXPIRATION_TIME`: last second minting is allowed (inclusive; not before `start`).
        expiry: u64,
    },
    /// ZkCappedMinterV2 `mint(to, amount)` by `caller`, who must hold the minter's MINTER_ROLE;
    /// within the minter's window, pause, close and cap, and the token's 21B max supply.
    MinterMint {
        /// Who calls `mint` (needs the minter's MINTER_ROLE).
        caller: Address,
        /// The capped minter.
        minter: Address,
        /// Receiver.
        to: Address,
        /// ZK wei.
        amount: U256,
    },
    /// A capped minter's `grantRole` (its DEFAULT_ADMIN_ROLE holders; never DEFAULT_ADMIN_ROLE).
    MinterGrantRole {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
        /// Role.
        role: crate::token::MinterRole,
        /// Who gets it.
        account: Address,
    },
    /// A capped minter's `revokeRole` (its DEFAULT_ADMIN_ROLE holders).
    MinterRevokeRole {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
        /// Role.
        role: crate::token::MinterRole,
        /// Who loses it.
        account: Address,
    },
    /// A capped minter's `renounceRole(role, caller)`: the caller drops its own role.
    MinterRenounceRole {
        /// Caller (and the account that loses the role).
        caller: Address,
        /// The capped minter.
        minter: Address,
        /// Role.
        role: crate::token::MinterRole,
    },
    /// A capped minter's `pause()` (PAUSER_ROLE).
    PauseMinter {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
    },
    /// A capped minter's `unpause()` (PAUSER_ROLE).
    UnpauseMinter {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
    },
    /// A capped minter's `close()` (DEFAULT_ADMIN_ROLE): no minting ever again.
    CloseMinter {
        /// Caller.
        caller: Address,
        /// The capped minter.
        minter: Address,
    },
    /// ZK token `grantRole(role, account)` by the role's admin (the token's role admin).
    ZkGrantRole {
        /// Caller.
        caller: Address,
        /// MINTER_ROLE (for capped minters) or BURNER_ROLE.
        role: crate::token::Role,
        /// Who gets it.
        account: Address,
    },
    /// ZK token `revokeRole(role, account)` by the role's admin.
    ZkRevokeRole {
        /// Caller.
        caller: Address,
        /// The role.
        role: crate::token::Role,
        /// Who loses it.
        account: Address,
    },
    /// The operator sets `interopProtocolFee` on its chain.
    SetInteropProtocolFee {
        /// Chain.
        chain: ChainId,
        /// Caller (must be the operator).
        caller: Address,
        /// Fee per call, base-token wei.
        fee: U256,
    },
    /// InteropCenter `claimProtocolFees(receiver)`: the coinbase's whole base-token accrual
    /// goes to `receiver` (nothing accrued: a no-op).
    ClaimProtocolFees {
        /// Chain.
        chain: ChainId,
        /// Operator (the caller, the coinbase that accrued the fees).
        operator: Address,
        /// Who receives them.
        receiver: Address,
    },
    /// InteropCenter `claimZKFees(receiver)`: the coinbase's whole fixed ZK accrual goes to
    /// `receiver` (nothing accrued: a no-op).
    ClaimZkFees {
        /// Chain.
        chain: ChainId,
        /// Operator (the caller, the coinbase that accrued the fees).
        operator: Address,
        /// Who receives them.
        receiver: Address,
    },
    /// GWAssetTracker `setSettlementFeePayerAgreement(chainId, agreed)`: the caller agrees (or
    /// stops agreeing) to pay `chain`'s Gateway settlement fees.
    SetSettlementFeePayerAgreement {
        /// Chain.
        chain: ChainId,
        /// Payer (the caller).
        payer: Address,
        /// Agree or withdraw.
        agreed: bool,
    },
    /// GWAssetTracker `withdrawGatewayFees(recipient)` by its owner: the whole vault to
    /// `recipient` (e.g. the Splitter, which splits it at its next `split()`).
    WithdrawGatewayFees {
        /// Caller (must be the owner: governance).
        caller: Address,
        /// Who receives the ZK (not zero).
        recipient: Address,
    },
    /// Governance sets `gatewaySettlementFee` (ZK wei per interop call at Gateway settlement).
    SetGatewaySettlementFee {
        /// Caller (must be governance).
        caller: Address,
        /// New fee.
        fee: U256,
    },
    /// Fee Flow `claim(requests)`: pay `bidThreshold` ZK (to the Splitter, which splits) and
    /// take the whole balance of each requested token.
    ClaimFeeFlow {
        /// Who pays and receives.
        caller: Address,
        /// Tokens and their minimum balances.
        requests: Vec<crate::fee_flow::ClaimRequest>,
    },
    /// Fee Flow `setBidThreshold` (admin or emergency admin).
    SetBidThreshold {
        /// Caller.
        caller: Address,
        /// ZK wei per claim (at least `minBidThreshold`).
        threshold: U256,
    },
    /// Fee Flow `setDestination` (admin or emergency admin).
    SetFeeFlowDestination {
        /// Caller.
        caller: Address,
        /// Where bids go (not zero).
        destination: Address,
    },
    /// Fee Flow `setClaimPaused` (admin or emergency admin).
    SetClaimPaused {
        /// Caller.
        caller: Address,
        /// New state.
        paused: bool,
    },
    /// Fee Flow `setClaimableToken` (admin or emergency admin).
    SetClaimableToken {
        /// Caller.
        caller: Address,
        /// The token.
        token: AssetId,
        /// On the whitelist or not.
        claimable: bool,
    },
    /// Fee Flow `recover` (admin only).
    RecoverFeeFlow {
        /// Caller.
        caller: Address,
        /// The token (ZK's asset id moves canonical ZK).
        token: AssetId,
        /// Receiver.
        to: Address,
        /// Amount, wei.
        amount: U256,
    },
    /// Splitter `split()` (anyone).
    Split,
    /// Splitter `setBurnPercentage` (admin or emergency admin).
    SetBurnPercentage {
        /// Caller.
        caller: Address,
        /// Burn share, bps (`uint256`: anything above 10,000 reverts).
        burn_bps: U256,
    },
    /// Splitter `setDistributors` (admin or emergency admin).
    SetDistributors {
        /// Caller.
        caller: Address,
        /// The new list (replaces the old one; duplicates allowed).
        distributors: Vec<crate::fee_flow::Distributor>,
    },
    /// Splitter `recover` (admin only).
    RecoverSplitter {
        /// Caller.
        caller: Address,
        /// The token (ZK's asset id moves canonical ZK).
        token: AssetId,
        /// Receiver.
        to: Address,
        /// Amount, wei.
        amount: U256,
    },
    /// Moves `amount` of `asset` from `from` on one chain to `to` on another in one step (value
    /// burned on the source, minted on the destination). A model shortcut for the asset
    /// router's bridging, without its fees or delay: how the simulator sends other chains'
    /// base-token revenue to the Fee Flow pool on Era.
    Bridge {
        /// Asset.
        asset: AssetId,
        /// Source chain.
        from_chain: ChainId,
        /// Payer there.
        from: Address,
        /// Destination chain (not the source).
        to_chain: ChainId,
        /// Receiver there.
        to: Address,
        /// Amount, wei.
        amount: U256,
    },
    /// Flow mode: `calls` interop calls from `chain` to `destination`, paid by `payer`, applied
    /// as one aggregate through the same rules and fee arithmetic as real bundles.
    InteropTraffic {
        /// Source chain.
        chain: ChainId,
        /// Who pays the fees (an aggregate of users).
        payer: Address,
        /// Destination chain.
        destination: ChainId,
        /// Number of calls.
        calls: u64,
        /// Whether they pay the fixed ZK fee.
        use_fixed_fee: bool,
    },
    /// Staker `stake`: a deposit whose voting power goes to `delegatee`.
    Stake {
        /// Depositor (approved the staker for `amount`).
        owner: Address,
        /// ZK wei.
        amount: U256,
        /// Who gets the deposit's votes.
        delegatee: Address,
        /// Who may claim its rewards (besides the owner).
        claimer: Address,
    },
    /// Staker `stakeMore`.
    StakeMore {
        /// Owner.
        caller: Address,
        /// Deposit id.
        deposit: u64,
        /// ZK wei.
        amount: U256,
    },
    /// Staker `withdraw` (no lock-up).
    Withdraw {
        /// Owner.
        caller: Address,
        /// Deposit id.
        deposit: u64,
        /// ZK wei.
        amount: U256,
    },
    /// Staker `alterDelegatee`.
    AlterDelegatee {
        /// Owner.
        caller: Address,
        /// Deposit id.
        deposit: u64,
        /// New delegatee.
        delegatee: Address,
    },
    /// Staker `alterClaimer`.
    AlterClaimer {
        /// Owner.
        caller: Address,
        /// Deposit id.
        deposit: u64,
        /// New claimer.
        claimer: Address,
    },
    /// Staker `claimReward` (owner or claimer).
    ClaimReward {
        /// Owner or claimer.
        caller: Address,
        /// Deposit id.
        deposit: u64,
    },
    /// Staker `bumpEarningPower`: anyone, for a bounded tip, when eligibility changed.
    BumpEarningPower {
        /// Who bumps.
        bumper: Address,
        /// Deposit id.
        deposit: u64,
        /// Who gets the tip.
        tip_receiver: Address,
        /// Tip asked, ZK wei.
        tip: U256,
    },
    /// Staker `notifyRewardAmount` by an enabled notifier (the reward script's signer, or a
    /// pot such as the splitter's staking share). Staker.sol has no APR ceiling: the whole
    /// amount streams; 0 re-spreads what is left over a fresh duration.
    NotifyReward {
        /// Notifier (holds the ZK; the model pulls it).
        notifier: Address,
        /// ZK wei.
        amount: U256,
    },
    /// A staker or calculator setting, by the role the contract requires for it (the staker's
    /// admin or the calculator's owner).
    SetStakerParam {
        /// Caller.
        caller: Address,
        /// The setting and its new value.
        param: crate::staking::StakerParam,
    },
    /// Staker `setRewardNotifier` by the admin.
    SetRewardNotifier {
        /// Admin.
        caller: Address,
        /// Notifier.
        notifier: Address,
        /// Enabled or not.
        enabled: bool,
    },
    /// The score oracle posts every voter's participation in recent proposals.
    RefreshDelegateScores {
        /// The score oracle.
        caller: Address,
    },
    /// The pause guardian pauses or unpauses the eligibility oracle.
    SetOraclePaused {
        /// Pause guardian.
        caller: Address,
        /// New state.
        paused: bool,
    },
    /// `propose` to a governor.
    Propose {
        /// ZIP (Protocol), TPP (Token) or GAP (GovOps).
        governor: crate::governance::GovernorKind,
        /// Proposer (needs the threshold in votes).
        proposer: Address,
        /// What the proposal does when executed.
        actions: Vec<crate::governance::ProposalAction>,
    },
    /// `castVote`.
    CastVote {
        /// Proposal id.
        id: u64,
        /// Voter.
        voter: Address,
        /// Against, For or Abstain.
        support: crate::governance::VoteType,
    },
    /// Fractional `castVoteWithReasonAndParams`.
    CastVoteFractional {
        /// Proposal id.
        id: u64,
        /// Voter.
        voter: Address,
        /// Split of the voter's weight.
        ballot: crate::governance::Ballot,
    },
    /// `cancel` (proposer, while pending).
    CancelProposal {
        /// Caller.
        caller: Address,
        /// Proposal id.
        id: u64,
    },
    /// Guardian veto (TPP/GAP).
    VetoProposal {
        /// Caller.
        caller: Address,
        /// Proposal id.
        id: u64,
    },
    /// `queue` a succeeded proposal in its timelock.
    QueueProposal {
        /// Proposal id.
        id: u64,
    },
    /// `execute` a queued proposal (a ZIP leaves for L1; TPP/GAP actions take effect).
    ExecuteProposal {
        /// Proposal id.
        id: u64,
    },
    /// Guardians extend a ZIP's legal veto period.
    ExtendLegalVeto {
        /// Caller.
        caller: Address,
        /// Proposal id.
        id: u64,
    },
    /// Security Council or Guardians approve a ZIP upgrade on L1.
    ApproveUpgrade {
        /// Caller.
        caller: Address,
        /// Proposal id.
        id: u64,
        /// Which body approves.
        by: crate::governance::UpgradeApproval,
    },
    /// Executes a ready ZIP upgrade on L1: its actions take effect.
    ExecuteUpgrade {
        /// Proposal id.
        id: u64,
    },
    /// InteropCenter `sendBundle`.
    SendBundle {
        /// Source chain.
        chain: ChainId,
        /// Sender.
        sender: Address,
        /// ERC-7930 destination (chain only).
        destination: Bytes,
        /// The calls.
        starters: Vec<InteropCallStarter>,
        /// Bundle-level ERC-7786 attributes.
        attributes: Vec<Bytes>,
        /// msg.value in base-token wei.
        value: U256,
    },
    /// InteropCenter `sendMessage` (ERC-7786, one call).
    SendMessage {
        /// Source chain.
        chain: ChainId,
        /// Sender.
        sender: Address,
        /// ERC-7930 recipient (chain and address).
        recipient: Bytes,
        /// Payload.
        payload: Bytes,
        /// Call- and bundle-level attributes.
        attributes: Vec<Bytes>,
        /// msg.value in base-token wei.
        value: U256,
    },
    /// Seals the chain's open batch and settles it on its settlement layer.
    SettleBatch {
        /// Chain.
        chain: ChainId,
    },
    /// L2InteropRootStorage: imports `source`'s batch root on `chain`.
    ImportInteropRoot {
        /// Importing chain.
        chain: ChainId,
        /// Chain whose root it is.
        source: ChainId,
        /// Batch.
        batch: u64,
    },
    /// InteropHandler `verifyBundle`.
    VerifyBundle {
        /// Destination chain.
        chain: ChainId,
        /// `abi.encode(bundle)`.
        bundle: Bytes,
        /// Inclusion proof of its message.
        proof: MessageInclusionProof,
    },
    /// InteropHandler `executeBundle`.
    ExecuteBundle {
        /// Destination chain.
        chain: ChainId,
        /// Caller on the destination.
        caller: Address,
        /// `abi.encode(bundle)`.
        bundle: Bytes,
        /// Inclusion proof (needed unless the bundle is already verified).
        proof: Option<MessageInclusionProof>,
    },
    /// InteropHandler `unbundleBundle`.
    UnbundleBundle {
        /// Destination chain.
        chain: ChainId,
        /// Caller as an ERC-7930 (chain, address) — the unbundler may act from another chain.
        caller_chain: ChainId,
        /// Caller address.
        caller: Address,
        /// `abi.encode(bundle)`.
        bundle: Bytes,
        /// Desired status of each call.
        statuses: Vec<CallStatus>,
    },
    /// A call to a ZK chain's contract on L1: L1 → L2 requests, batch settlement, fee
    /// parameters and priority mode ([`crate::priority`]).
    Priority(crate::priority::PriorityAction),
    /// A Prividium's sequencer, admin panel, approvals, reads, or L1 filterer and Mailbox
    /// (boxed: its requests carry whole transactions).
    Prividium(Box<crate::prividium::PrividiumAction>),
    /// ZK token: `transferFrom` by `spender`, who spends `from`'s allowance (the devnet's
    /// ERC-20 surface; the protocol's own pulls go through the token directly).
    ZkTransferFrom {
        /// The caller, spending the allowance.
        spender: Address,
        /// Payer.
        from: Address,
        /// Payee.
        to: Address,
        /// Amount in wei.
        amount: U256,
    },
}

/// The network: state plus the code of contracts deployed on its chains.
#[derive(Debug, Clone)]
pub struct Network {
    state: State,
    code: Arc<Code>,
    /// What the open checkpoints would undo (empty between actions).
    journal: Journal,
}

impl Network {
    /// Builds the genesis state after validating the configuration.
    pub fn new(genesis: &Genesis) -> Result<Self, ProtocolError> {
        Self::with_code(genesis, Code::default())
    }

    /// Builds the genesis state with contracts deployed (interop recipients, indirect-call
    /// targets).
    pub fn with_code(genesis: &Genesis, code: Code) -> Result<Self, ProtocolError> {
        let bad = |m: String| ProtocolError::Genesis(m);
        let mut assets = OrdMap::new();
        for a in &genesis.assets {
            assets.insert(AssetId::native(a.origin_chain, a.token), a.clone());
        }
        let mut chains = OrdMap::new();
        for c in &genesis.chains {
            if chains.contains_key(&c.id) {
                return Err(bad(format!("chain {} is listed twice", c.id)));
            }
            if !assets.contains_key(&c.base_token) {
                return Err(bad(format!(
                    "chain {}'s base token {} is not a listed asset",
                    c.id, c.base_token
                )));
            }
            match (c.kind, c.settlement_layer) {
                (ChainKind::L1, None) => {}
                (ChainKind::L1, Some(_)) => {
                    return Err(bad(format!(
                        "L1 chain {} cannot have a settlement layer",
                        c.id
                    )))
                }
                (_, None) => return Err(bad(format!("chain {} needs a settlement layer", c.id))),
                (_, Some(sl)) if sl == c.id => {
                    return Err(bad(format!("chain {} cannot settle on itself", c.id)))
                }
                _ => {}
            }
            chains.insert(c.id, Chain::new(c.clone(), genesis.zk_interop_fee));
        }
        for c in &genesis.chains {
            if let Some(sl) = c.settlement_layer {
                match chains.get(&sl).map(|s| s.config.kind) {
                    Some(ChainKind::L1) => {}
                    Some(ChainKind::Gateway) if c.kind == ChainKind::ZkChain => {}
                    Some(_) => {
                        return Err(ProtocolError::NotASettlementLayer {
                            chain: c.id,
                            layer: sl,
                        })
                    }
                    None => {
                        return Err(bad(format!("chain {} settles on unknown chain {sl}", c.id)))
                    }
                }
            }
        }
        let mut token = ZkToken::new(genesis.token_admin);
        for (to, amount) in &genesis.zk_allocations {
            token.mint_genesis(*to, *amount)?;
        }
        let f = &genesis.fees;
        if !chains.contains_key(&f.fee_flow_chain) {
            return Err(bad(format!(
                "Fee Flow chain {} is not listed",
                f.fee_flow_chain
            )));
        }
        let splitter = crate::fee_flow::Splitter::initialize(
            f.token_governor_timelock,
            f.emergency_admin,
            U256::from(f.burn_bps),
            &f.distributors,
        )?;
        let fee_flow = FeeFlow::initialize(crate::fee_flow::auction::FeeFlowInit {
            chain: f.fee_flow_chain,
            admin: f.token_governor_timelock,
            emergency_admin: f.emergency_admin,
            bid_token: crate::genesis::zk(),
            min_bid_threshold: f.min_bid_threshold,
            bid_threshold: f.bid_threshold,
            destination: crate::fee_flow::splitter_address(),
            claimable: f.claimable_tokens.clone(),
        })?;
        let economy = Economy {
            governance: f.governance,
            token_governor_timelock: f.token_governor_timelock,
            gateway_settlement_fee: f.gateway_settlement_fee,
            settlement_payers: imbl::OrdSet::new(),
            fee_flow,
            splitter,
            totals: FeeTotals::default(),
        };
        let prividiums = crate::prividium::genesis_state(genesis, &chains)?;
        let state = State {
            time: genesis.start_time,
            token,
            assets,
            chains,
            issued: OrdMap::new(),
            in_flight: OrdMap::new(),
            economy,
            staker: Staker::new(genesis.staking, genesis.start_time),
            governance: Governance::new(genesis.governance, genesis.start_time),
            priority: crate::priority::Diamonds::new(&genesis.chains),
            prividiums,
            retention: genesis.retention,
        };
        Ok(Self {
            state,
            code: Arc::new(code),
            journal: Journal::default(),
        })
    }

    /// Rebuilds a network by folding `events` over the genesis state.
    pub fn replay<'a>(
        genesis: &Genesis,
        code: Code,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Self, ProtocolError> {
        let mut net = Self::with_code(genesis, code)?;
        for ev in events {
            net.state.apply_event(ev)?;
        }
        Ok(net)
    }

    /// The current state (read-only).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The deployed contract code.
    pub fn code(&self) -> &Code {
        &self.code
    }

    /// Applies one action: its events, or a typed error and no change at all.
    pub fn apply(&mut self, action: Action) -> Result<Vec<Event>, ProtocolError> {
        self.apply_inner(action, None, None)
    }

    /// [`Network::apply`] with `external` consulted for call targets that have no protocol
    /// code: contracts that live outside the protocol (the devnet's EVM contracts) receive
    /// their interop calls through it, inside this action, so their failure reverts it.
    pub fn apply_with_external(
        &mut self,
        action: Action,
        external: &mut dyn ExternalRecipients,
    ) -> Result<Vec<Event>, ProtocolError> {
        self.apply_inner(action, Some(external), None)
    }

    /// [`Network::apply_with_external`] for an action that is part of transaction number
    /// `tx_number` of its chain's block: the messages it sends carry that number as their
    /// log leaf's `txNumberInBatch`, so a client that reads it from the sending receipt's
    /// `transactionIndex` (as zksync-js does,
    /// zksync-js@a5f6505:src/core/resources/interop/finalization.ts) proves the right leaf.
    pub fn apply_in_transaction(
        &mut self,
        action: Action,
        tx_number: u16,
        external: Option<&mut dyn ExternalRecipients>,
    ) -> Result<Vec<Event>, ProtocolError> {
        self.apply_inner(action, external, Some(tx_number))
    }

    fn apply_inner(
        &mut self,
        action: Action,
        external: Option<&mut dyn ExternalRecipients>,
        tx_number: Option<u16>,
    ) -> Result<Vec<Event>, ProtocolError> {
        let cp = self.journal.checkpoint();
        let code = Arc::clone(&self.code);
        // Shortens the trait object's lifetime to this call's (a coercion `&mut` allows).
        let external = external.map(|e| -> &mut dyn ExternalRecipients { e });
        let mut exec = Exec {
            state: Live {
                s: &mut self.state,
                j: &mut self.journal,
            },
            code: &code,
            out: Vec::new(),
            external,
            tx_number,
            ahead: Default::default(),
        };
        match exec.dispatch(action) {
            Ok(()) => {
                let out = exec.out;
                self.journal.commit(cp);
                Ok(out)
            }
            Err(e) => {
                drop(exec);
                self.journal.revert(cp, &mut self.state);
                Err(e)
            }
        }
    }

    /// Opens a checkpoint: every change from here on (across any number of actions) can be
    /// undone with [`Network::revert_to`] or kept with [`Network::commit`]. Checkpoints nest
    /// (the devnet opens one per EVM frame); each must be closed, innermost first.
    pub fn checkpoint(&mut self) -> Checkpoint {
        self.journal.checkpoint()
    }

    /// Undoes every change since `cp` (and closes it).
    pub fn revert_to(&mut self, cp: Checkpoint) {
        self.journal.revert(cp, &mut self.state);
    }

    /// Keeps the changes since `cp` (and closes it): the enclosing checkpoint, if any, can
    /// still undo them.
    pub fn commit(&mut self, cp: Checkpoint) {
        self.journal.commit(cp);
    }

    /// The undo journal (empty unless a checkpoint is open).
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The balances changed since `cp` (still open), with their values at `cp`
    /// ([`Journal::balances_changed_since`]).
    pub fn balances_changed_since(&self, cp: &Checkpoint) -> Vec<crate::journal::BalanceChange> {
        self.journal.balances_changed_since(cp)
    }

    /// Builds the inclusion proof of a sent bundle's message against a root `destination`
    /// has imported.
    pub fn prove_bundle(
        &self,
        source: ChainId,
        bundle: &SealedBundle,
        destination: ChainId,
    ) -> Result<MessageInclusionProof, ProtocolError> {
        let src = self.state.chain(source)?;
        let dest = self.state.chain(destination)?;
        let loc = src.outbox.get(&bundle.hash).ok_or_else(|| {
            let why = match self.state.retention {
                crate::genesis::Retention::Full => "was not sent from",
                crate::genesis::Retention::Compact => {
                    "is not waiting for a proof (never sent, or already received) from"
                }
            };
            ProtocolError::ContextMismatch(format!("bundle {} {why} chain {source}", bundle.hash))
        })?;
        let message = L2Message {
            tx_number_in_batch: loc.tx_number,
            sender: crate::chain::INTEROP_CENTER,
            data: bundle.message().into(),
        };
        Ok(settlement::build_proof(
            &self.state.chains,
            source,
            loc.batch,
            u64::from(loc.index),
            message,
            dest,
        )?)
    }
}

/// The state of an action in progress: readable as a `State`; written only through methods
/// that journal what they overwrite.
pub(crate) struct Live<'a> {
    s: &'a mut State,
    j: &'a mut Journal,
}

impl std::ops::Deref for Live<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        self.s
    }
}

impl Live<'_> {
    /// The ZK token, to call one of its state-changing methods (its pre-image journaled).
    pub(crate) fn token_mut(&mut self) -> &mut ZkToken {
        let s = &*self.s;
        self.j
            .section(Section::Token, || Undo::Token(Box::new(s.token.clone())));
        &mut self.s.token
    }

    /// Governance (its pre-image journaled), beside the token it reads votes from.
    pub(crate) fn governance_mut(&mut self) -> (&mut Governance, &ZkToken) {
        let s = &*self.s;
        self.j.section(Section::Governance, || {
            Undo::Governance(Box::new(s.governance.clone()))
        });
        (&mut self.s.governance, &self.s.token)
    }

    /// The staker and the token it moves ZK with (both pre-images journaled).
    pub(crate) fn staker_mut(&mut self) -> (&mut Staker, &mut ZkToken) {
        let s = &*self.s;
        self.j
            .section(Section::Staker, || Undo::Staker(Box::new(s.staker.clone())));
        self.j
            .section(Section::Token, || Undo::Token(Box::new(s.token.clone())));
        (&mut self.s.staker, &mut self.s.token)
    }

    /// Opens a nested checkpoint inside the action in progress (a delivered call's external
    /// frame, see [`crate::interop::recipient::RecipientContext::checkpoint`]).
    pub(crate) fn checkpoint(&mut self) -> Checkpoint {
        self.j.checkpoint()
    }

    /// Undoes the changes since `cp` and closes it.
    pub(crate) fn revert_to(&mut self, cp: Checkpoint) {
        self.j.revert(cp, self.s);
    }

    /// Keeps the changes since `cp` in the enclosing scope and closes it.
    pub(crate) fn commit(&mut self, cp: Checkpoint) {
        self.j.commit(cp);
    }

    /// The undo journal of the action in progress (read-only).
    pub(crate) fn journal(&self) -> &Journal {
        self.j
    }

    /// Applies an event, journaling what it overwrites.
    pub(crate) fn apply_with(
        &mut self,
        event: &Event,
        prebuilt: Option<LogsTree>,
    ) -> Result<(), ProtocolError> {
        self.s.apply_with(event, prebuilt, self.j)
    }
}

/// One action in progress: the state it mutates through events, and the events so far.
pub(crate) struct Exec<'a> {
    pub(crate) state: Live<'a>,
    pub(crate) code: &'a Code,
    pub(crate) out: Vec<Event>,
    /// Code outside the protocol, for call targets without protocol code.
    pub(crate) external: Option<&'a mut dyn ExternalRecipients>,
    /// The enclosing transaction's number, for the messages sent (see
    /// [`Network::apply_in_transaction`]).
    pub(crate) tx_number: Option<u16>,
    /// The enclosing batch's pre-computed hashing for the action being dispatched.
    pub(crate) ahead: crate::interop::handler::Ahead,
}

impl Exec<'_> {
    /// Applies and records an event.
    pub(crate) fn emit(&mut self, event: Event) {
        // invariant: only token and batch events can fail to apply; token events are recorded
        // through `token_events` and batches are sealed with a prebuilt tree.
        let _ = self.state.apply_with(&event, None);
        self.out.push(event);
    }

    /// Records token events the token has already applied.
    pub(crate) fn token_events(&mut self, events: Vec<crate::token::TokenEvent>) {
        self.out.extend(events.into_iter().map(Event::Token));
    }

    pub(crate) fn require_balance(
        &self,
        chain: ChainId,
        asset: AssetId,
        account: Address,
        needed: U256,
    ) -> Result<(), ProtocolError> {
        let balance = self.state.chain(chain)?.balance(asset, account);
        if balance < needed {
            return Err(ProtocolError::InsufficientBalance(Box::new(
                crate::error::Shortfall {
                    chain,
                    asset,
                    account,
                    balance,
                    needed,
                },
            )));
        }
        Ok(())
    }

    /// Applies a batch's actions one by one, in order. A batch of many bundles is pipelined
    /// ([`handler::pipelined`](crate::interop::handler)): the decoding, hashing and proof
    /// climbing of later steps run on the other threads while this thread applies the current
    /// one, so the state changes stay on one thread and in order while the pure work spreads
    /// over every core.
    fn dispatch_batch(&mut self, actions: Vec<Action>) -> Result<(), ProtocolError> {
        use crate::interop::handler;
        let Some((plan, keys)) = handler::plan(&actions, &self.state) else {
            for a in actions {
                self.dispatch(a)?;
            }
            return Ok(());
        };
        handler::pipelined(actions, plan, keys, |a, pre| {
            self.ahead = pre;
            let r = self.dispatch(a);
            self.ahead = Default::default();
            r
        })
    }

    pub(crate) fn dispatch(&mut self, action: Action) -> Result<(), ProtocolError> {
        let now = self.state.time;
        self.guard_prividium(&action)?;
        match action {
            Action::Batch(actions) => self.dispatch_batch(actions)?,
            Action::AdvanceTime { seconds } => {
                let to = now
                    .checked_add(seconds)
                    .ok_or(ProtocolError::Overflow("time"))?;
                self.emit(Event::TimeAdvanced { now: to });
            }
            Action::Fund {
                chain,
                asset,
                to,
                amount,
            } => {
                self.state.chain(chain)?;
                if !self.state.assets.contains_key(&asset) {
                    return Err(ProtocolError::UnknownAsset(asset));
                }
                self.emit(Event::Funded {
                    chain,
                    asset,
                    to,
                    amount,
                });
            }
            Action::Defund {
                chain,
                asset,
                from,
                amount,
            } => {
                self.require_balance(chain, asset, from, amount)?;
                self.emit(Event::Defunded {
                    chain,
                    asset,
                    from,
                    amount,
                });
            }
            Action::Transfer {
                chain,
                asset,
                from,
                to,
                amount,
            } => {
                self.require_balance(chain, asset, from, amount)?;
                self.emit(Event::Transferred {
                    chain,
                    asset,
                    from,
                    to,
                    amount,
                });
            }
            Action::ZkTransfer { from, to, amount } => {
                let evs = self.state.token_mut().transfer(from, to, amount, now)?;
                self.token_events(evs);
            }
            Action::ZkApprove {
                owner,
                spender,
                amount,
            } => {
                let evs = self.state.token_mut().approve(owner, spender, amount)?;
                self.token_events(evs);
            }
            Action::ZkDelegate {
                delegator,
                delegatee,
            } => {
                let evs = self.state.token_mut().delegate(delegator, delegatee, now)?;
                self.token_events(evs);
            }
            Action::CreateMinter {
                minter,
                admin,
                cap,
                start,
                expiry,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .create_minter(minter, admin, cap, start, expiry, now)?;
                self.token_events(evs);
            }
            Action::MinterMint {
                caller,
                minter,
                to,
                amount,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .minter_mint(caller, minter, to, amount, now)?;
                self.token_events(evs);
            }
            Action::MinterGrantRole {
                caller,
                minter,
                role,
                account,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .minter_grant_role(caller, minter, role, account)?;
                self.token_events(evs);
            }
            Action::MinterRevokeRole {
                caller,
                minter,
                role,
                account,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .minter_revoke_role(caller, minter, role, account)?;
                self.token_events(evs);
            }
            Action::MinterRenounceRole {
                caller,
                minter,
                role,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .minter_renounce_role(caller, minter, role)?;
                self.token_events(evs);
            }
            Action::PauseMinter { caller, minter } => {
                let evs = self.state.token_mut().pause_minter(caller, minter)?;
                self.token_events(evs);
            }
            Action::UnpauseMinter { caller, minter } => {
                let evs = self.state.token_mut().unpause_minter(caller, minter)?;
                self.token_events(evs);
            }
            Action::CloseMinter { caller, minter } => {
                let evs = self.state.token_mut().close_minter(caller, minter)?;
                self.token_events(evs);
            }
            Action::ZkGrantRole {
                caller,
                role,
                account,
            } => {
                let evs = self.state.token_mut().grant_role(caller, role, account)?;
                self.token_events(evs);
            }
            Action::ZkRevokeRole {
                caller,
                role,
                account,
            } => {
                let evs = self.state.token_mut().revoke_role(caller, role, account)?;
                self.token_events(evs);
            }
            Action::ZkBurn { holder, amount } => {
                let evs = self.state.token_mut().burn(holder, amount, now)?;
                self.token_events(evs);
            }
            Action::SetInteropProtocolFee { chain, caller, fee } => {
                let c = self.state.chain(chain)?;
                if c.config.operator != caller {
                    return Err(ProtocolError::NotOperator { chain, caller });
                }
                self.emit(Event::InteropProtocolFeeSet { chain, fee });
            }
            Action::SendBundle {
                chain,
                sender,
                destination,
                starters,
                attributes,
                value,
            } => {
                self.send_bundle(chain, sender, &destination, &starters, &attributes, value)?;
            }
            Action::SendMessage {
                chain,
                sender,
                recipient,
                payload,
                attributes,
                value,
            } => {
                self.send_message(chain, sender, &recipient, payload, &attributes, value)?;
            }
            Action::SettleBatch { chain } => {
                if self.settles_through_diamond(chain) {
                    self.operator_settles(chain)?
                } else {
                    self.settle_batch(chain)?
                }
            }
            Action::Stake {
                owner,
                amount,
                delegatee,
                claimer,
            } => self.stake(owner, amount, delegatee, claimer)?,
            Action::StakeMore {
                caller,
                deposit,
                amount,
            } => self.with_staker(|s, t, now| s.stake_more(t, caller, deposit, amount, now))?,
            Action::Withdraw {
                caller,
                deposit,
                amount,
            } => self.with_staker(|s, t, now| s.withdraw(t, caller, deposit, amount, now))?,
            Action::AlterDelegatee {
                caller,
                deposit,
                delegatee,
            } => {
                self.with_staker(|s, t, now| s.alter_delegatee(t, caller, deposit, delegatee, now))?
            }
            Action::AlterClaimer {
                caller,
                deposit,
                claimer,
            } => self.with_staker(|s, _, now| s.alter_claimer(caller, deposit, claimer, now))?,
            Action::ClaimReward { caller, deposit } => {
                self.with_staker(|s, t, now| s.claim_reward(t, caller, deposit, now))?
            }
            Action::BumpEarningPower {
                bumper,
                deposit,
                tip_receiver,
                tip,
            } => self.with_staker(|s, t, now| {
                s.bump_earning_power(t, bumper, deposit, tip_receiver, tip, now)
            })?,
            Action::RefreshDelegateScores { caller } => self.refresh_delegate_scores(caller)?,
            Action::NotifyReward { notifier, amount } => {
                self.with_staker(|s, t, now| s.notify_reward_amount(t, notifier, amount, now))?
            }
            Action::SetRewardNotifier {
                caller,
                notifier,
                enabled,
            } => self.with_staker(|s, _, _| s.set_reward_notifier(caller, notifier, enabled))?,
            Action::SetStakerParam { caller, param } => {
                self.with_staker(|s, _, _| s.set_param(caller, param))?
            }
            Action::SetOraclePaused { caller, paused } => {
                self.with_staker(|s, _, _| s.set_oracle_paused(caller, paused))?
            }
            Action::Propose {
                governor,
                proposer,
                actions,
            } => {
                let (gov, token) = self.state.governance_mut();
                let evs = gov.propose(token, governor, proposer, actions, now)?;
                self.governance_events(evs);
            }
            Action::CastVote { id, voter, support } => {
                let (gov, token) = self.state.governance_mut();
                let evs = gov.cast_vote(token, id, voter, support, now)?;
                self.governance_events(evs);
            }
            Action::CastVoteFractional { id, voter, ballot } => {
                let (gov, token) = self.state.governance_mut();
                let evs = gov.cast_vote_fractional(token, id, voter, ballot, now)?;
                self.governance_events(evs);
            }
            Action::CancelProposal { caller, id } => {
                let evs = self.state.governance_mut().0.cancel(caller, id, now)?;
                self.governance_events(evs);
            }
            Action::VetoProposal { caller, id } => {
                let evs = self.state.governance_mut().0.veto(caller, id, now)?;
                self.governance_events(evs);
            }
            Action::QueueProposal { id } => {
                let evs = self.state.governance_mut().0.queue(id, now)?;
                self.governance_events(evs);
            }
            Action::ExecuteProposal { id } => {
                let outcome = self.state.governance_mut().0.execute(id, now)?;
                self.take_effect(outcome)?;
            }
            Action::ExtendLegalVeto { caller, id } => {
                let evs = self
                    .state
                    .governance_mut()
                    .0
                    .extend_legal_veto(caller, id, now)?;
                self.governance_events(evs);
            }
            Action::ApproveUpgrade { caller, id, by } => {
                let evs = match by {
                    crate::governance::UpgradeApproval::SecurityCouncil => self
                        .state
                        .governance_mut()
                        .0
                        .approve_by_security_council(caller, id, now)?,
                    crate::governance::UpgradeApproval::Guardians => self
                        .state
                        .governance_mut()
                        .0
                        .approve_by_guardians(caller, id, now)?,
                };
                self.governance_events(evs);
            }
            Action::ExecuteUpgrade { id } => {
                let outcome = self.state.governance_mut().0.execute_upgrade(id, now)?;
                self.take_effect(outcome)?;
            }
            Action::InteropTraffic {
                chain,
                payer,
                destination,
                calls,
                use_fixed_fee,
            } => self.record_traffic(chain, payer, destination, calls, use_fixed_fee)?,
            Action::ClaimProtocolFees {
                chain,
                operator,
                receiver,
            } => self.claim_protocol_fees(chain, operator, receiver)?,
            Action::ClaimZkFees {
                chain,
                operator,
                receiver,
            } => self.claim_zk_fees(chain, operator, receiver)?,
            Action::SetSettlementFeePayerAgreement {
                chain,
                payer,
                agreed,
            } => self.set_settlement_fee_payer_agreement(chain, payer, agreed)?,
            Action::WithdrawGatewayFees { caller, recipient } => {
                self.withdraw_gateway_fees(caller, recipient)?
            }
            Action::SetGatewaySettlementFee { caller, fee } => {
                self.set_settlement_fee(caller, fee)?
            }
            Action::ClaimFeeFlow { caller, requests } => self.claim_fee_flow(caller, &requests)?,
            Action::SetBidThreshold { caller, threshold } => {
                self.set_bid_threshold(caller, threshold)?
            }
            Action::SetFeeFlowDestination {
                caller,
                destination,
            } => self.set_fee_flow_destination(caller, destination)?,
            Action::SetClaimPaused { caller, paused } => self.set_claim_paused(caller, paused)?,
            Action::SetClaimableToken {
                caller,
                token,
                claimable,
            } => self.set_claimable_token(caller, token, claimable)?,
            Action::RecoverFeeFlow {
                caller,
                token,
                to,
                amount,
            } => self.recover_fee_flow(caller, token, to, amount)?,
            Action::Split => self.split()?,
            Action::SetBurnPercentage { caller, burn_bps } => {
                self.set_burn_percentage(caller, burn_bps)?
            }
            Action::SetDistributors {
                caller,
                distributors,
            } => self.set_distributors(caller, distributors)?,
            Action::RecoverSplitter {
                caller,
                token,
                to,
                amount,
            } => self.recover_splitter(caller, token, to, amount)?,
            Action::Bridge {
                asset,
                from_chain,
                from,
                to_chain,
                to,
                amount,
            } => self.bridge(asset, from_chain, from, to_chain, to, amount)?,
            Action::ImportInteropRoot {
                chain,
                source,
                batch,
            } => self.import_root(chain, source, batch)?,
            Action::VerifyBundle {
                chain,
                bundle,
                proof,
            } => {
                self.verify_bundle(chain, &bundle, &proof)?;
            }
            Action::ExecuteBundle {
                chain,
                caller,
                bundle,
                proof,
            } => {
                self.execute_bundle(chain, caller, &bundle, proof.as_ref())?;
            }
            Action::UnbundleBundle {
                chain,
                caller_chain,
                caller,
                bundle,
                statuses,
            } => {
                self.unbundle_bundle(chain, caller_chain, caller, &bundle, &statuses)?;
            }
            Action::Priority(action) => self.priority(action)?,
            Action::Prividium(a) => self.prividium(*a)?,
            Action::ZkTransferFrom {
                spender,
                from,
                to,
                amount,
            } => {
                let evs = self
                    .state
                    .token_mut()
                    .transfer_from(spender, from, to, amount, now)?;
                self.token_events(evs);
            }
        }
        Ok(())
    }

    /// [`Action::Bridge`]: the payer's balance leaves the source chain and arrives on the
    /// destination in one step, through the in-flight ledger like interop value.
    fn bridge(
        &mut self,
        asset: AssetId,
        from_chain: ChainId,
        from: Address,
        to_chain: ChainId,
        to: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        self.state.chain(to_chain)?;
        if from_chain == to_chain {
            return Err(ProtocolError::ContextMismatch(format!(
                "a bridge needs two chains, got {from_chain} twice"
            )));
        }
        self.require_balance(from_chain, asset, from, amount)?;
        self.emit(Event::ValueBurned {
            chain: from_chain,
            asset,
            from,
            amount,
        });
        self.emit(Event::ValueMinted {
            chain: to_chain,
            asset,
            to,
            amount,
        });
        Ok(())
    }

    /// Seals the chain's open batch and settles its root on its settlement layer (charging
    /// Gateway's settlement fee there).
    pub(crate) fn settle_batch(&mut self, chain: ChainId) -> Result<(), ProtocolError> {
        self.commit_prividium_transactions(chain)?;
        let c = self.state.chain(chain)?;
        let Some(layer) = c.config.settlement_layer else {
            return Err(ProtocolError::NotASettlementLayer {
                chain,
                layer: chain,
            });
        };
        if self.state.chain(layer)?.config.kind == ChainKind::Gateway {
            let calls = c.pending_chargeable_calls;
            self.charge_settlement_fee(chain, calls)?;
        }
        let c = self.state.chain(chain)?;
        let leaves: Vec<B256> = c.pending_logs.iter().copied().collect();
        let tree = LogsTree::new(&leaves)?;
        let aggregated = aggregated_root_of(c);
        let chain_batch_root = merkle::chain_batch_root(&tree.root(), &aggregated);
        let number = c.next_batch_number();
        let sealed = Event::BatchSealed {
            chain,
            number,
            logs: leaves.len() as u64,
            chain_batch_root,
        };
        self.state.apply_with(&sealed, Some(tree))?;
        self.out.push(sealed);
        self.emit(Event::BatchSettled {
            chain,
            batch: number,
            settlement_layer: layer,
            chain_batch_root,
        });
        Ok(())
    }

    fn import_root(
        &mut self,
        chain: ChainId,
        source: ChainId,
        batch: u64,
    ) -> Result<(), ProtocolError> {
        let dest = self.state.chain(chain)?;
        if dest.interop_roots.contains_key(&(source, batch)) {
            return Err(ProtocolError::RootAlreadyImported {
                on: chain,
                chain: source,
                batch,
            });
        }
        let root = self
            .state
            .chain(source)?
            .batch(batch)
            .map(|b| b.chain_batch_root)
            .ok_or(ProtocolError::BatchNotSealed {
                chain: source,
                batch,
            })?;
        if root.is_zero() {
            return Err(ProtocolError::ZeroRoot {
                chain: source,
                batch,
            });
        }
        self.emit(Event::InteropRootImported {
            chain,
            source,
            batch,
            root,
        });
        Ok(())
    }
}

#[cfg(test)]
mod defund_tests {
    use super::*;
    use crate::genesis::{devnet, eth};
    use crate::units::tokens;

    /// `Defund` is `Fund`'s inverse: it lowers the holder's balance and the issued supply, is
    /// refused beyond the balance with nothing changed, and replays.
    #[test]
    fn defund_takes_supply_out_and_refuses_more_than_the_balance() {
        let g = Genesis::devnet();
        let mut net = Network::new(&g).unwrap();
        let who = crate::genesis::account("holder");
        let mut log = net
            .apply(Action::Fund {
                chain: devnet::ERA,
                asset: eth(),
                to: who,
                amount: tokens(5),
            })
            .unwrap();
        let before = net.state().clone();
        let too_much = Action::Defund {
            chain: devnet::ERA,
            asset: eth(),
            from: who,
            amount: tokens(6),
        };
        assert!(matches!(
            net.apply(too_much),
            Err(ProtocolError::InsufficientBalance(s)) if s.balance == tokens(5) && s.needed == tokens(6)
        ));
        assert_eq!(net.state(), &before);
        log.extend(
            net.apply(Action::Defund {
                chain: devnet::ERA,
                asset: eth(),
                from: who,
                amount: tokens(2),
            })
            .unwrap(),
        );
        let era = net.state().chain(devnet::ERA).unwrap();
        assert_eq!(era.balance(eth(), who), tokens(3));
        assert_eq!(net.state().issued.get(&eth()).copied(), Some(tokens(3)));
        assert_eq!(net.state().total_balance(eth()), tokens(3));
        let replayed = Network::replay(&g, Code::default(), &log).unwrap();
        assert_eq!(replayed.state(), net.state());
    }
}
