//! The whole protocol state and its event reducer: [`State::apply_event`] is the only way an
//! event changes the state, which is what makes the event log replayable.

use crate::chain::{AssetId, AssetInfo, Batch, Chain, MessageLocation};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::fee_flow::Economy;
use crate::governance::Governance;
use crate::journal::{ChainUndo, Journal, Section, Undo};
use crate::merkle::{self, LogsTree};
use crate::settlement;
use crate::staking::Staker;
use crate::token::ZkToken;
use crate::ChainId;
use alloy_primitives::{B256, U256};
use imbl::OrdMap;
use serde::{Deserialize, Serialize};

/// The whole protocol state. Equality is what the replay tests compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Seconds since the unix epoch.
    pub time: u64,
    /// The ZK token (one canonical ledger: see MODEL.md, "One ZK ledger").
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
            Event::ZkTokenCached { chain } => {
                if let Some(c) = self.chain_mut(*chain) {
                    j.chain(*chain, || ChainUndo::ZkTokenCached(c.zk_token_cached));
                    c.zk_token_cached = true;
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

pub(super) fn add(slot: &mut U256, amount: U256) {
    *slot = slot.saturating_add(amount);
}

pub(super) fn build_logs_tree(c: &Chain) -> Result<LogsTree, crate::merkle::MerkleError> {
    let leaves: Vec<B256> = c.pending_logs.iter().copied().collect();
    // invariant: sends refuse to exceed the tree's capacity, so this cannot fail.
    LogsTree::new(&leaves)
}

pub(super) fn aggregated_root_of(c: &Chain) -> B256 {
    c.message_root
        .as_ref()
        .map_or_else(settlement::empty_aggregated_root, |m| m.root())
}
