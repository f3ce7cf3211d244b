//! The undo journal: how a rejected action (or a reverted EVM frame in the devnet) leaves the
//! state as it was, without copying it first.
//!
//! Before a state change the network records what it is about to overwrite (an [`Undo`]
//! entry); reverting to a [`Checkpoint`] pops entries back to it and puts the old values back,
//! newest first. This is the scheme revm's `JournaledState` uses. It replaces an O(1)
//! persistent snapshot per action, which was cheap to take but made the first write to every
//! node of every map after it copy that node's path — in event mode, a leaf of the per-bundle
//! maps on nearly every bundle.
//!
//! Two granularities: the per-bundle and per-chain data (balances, the outbox, statuses, logs,
//! batches) is journaled entry by entry; a section that changes rarely and holds no per-bundle
//! data (the ZK token, the economy, the staker, governance, the diamonds, the Prividiums) is
//! journaled as a whole pre-image the first time it changes within a checkpoint's scope (a
//! clone of persistent structures: O(1)).

use crate::chain::{AssetId, BundleStatus, CallStatus, Chain, ChainConfig, MessageLocation};
use crate::fee_flow::Economy;
use crate::governance::Governance;
use crate::network::State;
use crate::settlement::MessageRootState;
use crate::staking::Staker;
use crate::token::ZkToken;
use crate::ChainId;
use alloy_primitives::{Address, B256, U256};
use imbl::{OrdMap, Vector};
use std::collections::BTreeMap;

/// A section of the state journaled as a whole (its pre-image, once per checkpoint scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Section {
    Token = 0,
    Economy,
    Staker,
    Governance,
    Priority,
    Prividiums,
}

/// One recorded change: the value to put back.
#[derive(Debug, Clone)]
pub(crate) enum Undo {
    Time(u64),
    Token(Box<ZkToken>),
    Economy(Box<Economy>),
    Staker(Box<Staker>),
    Governance(Box<Governance>),
    Priority(Box<crate::priority::Diamonds>),
    Prividiums(OrdMap<ChainId, crate::prividium::Prividium>),
    Issued(AssetId, Option<U256>),
    InFlight(AssetId, Option<U256>),
    Chain(ChainId, ChainUndo),
}

/// A change to one chain.
#[derive(Debug, Clone)]
pub(crate) enum ChainUndo {
    Balance(AssetId, Address, Option<U256>),
    BundleCount(Address, Option<u64>),
    InteropProtocolFee(U256),
    ZkTokenCached(bool),
    ZkInteropFee(U256),
    AccruedBase(Address, Option<U256>),
    AccruedZk(Address, Option<U256>),
    /// A log was appended to the open batch.
    PendingLogPushed,
    /// The open batch's logs before they were sealed (moved, not copied).
    PendingLogs(Vector<B256>),
    PendingCalls(u64),
    /// A batch was sealed (appended).
    BatchPushed,
    /// A sealed batch's settlement position as it was.
    BatchSettlement(usize, Option<u64>, Option<u64>),
    /// A sealed batch's count of unproven bundles as it was.
    BatchUnproven(usize, u32),
    /// A sealed batch's logs tree, before it was pruned.
    BatchLogs(usize, Box<crate::merkle::LogsTree>),
    PendingBundles(u32),
    Outbox(B256, Option<MessageLocation>),
    BundleStatus(B256, Option<BundleStatus>),
    CallStatus(B256, u32, Option<CallStatus>),
    InteropRoot(ChainId, u64, Option<B256>),
    MessageRoot(Option<Box<MessageRootState>>),
    Config(Box<ChainConfig>),
}

/// A position in the journal to revert to, and the sections already saved in its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    len: usize,
    saved: u8,
}

/// A balance changed within a checkpoint's scope, and its value when the checkpoint was taken:
/// what a mirror of the balances (the devnet's EVM) must change to follow the network,
/// derived from the journal so no event can be missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BalanceChange {
    /// The chain the balance is on.
    pub chain: ChainId,
    /// The asset.
    pub asset: AssetId,
    /// The holder.
    pub account: Address,
    /// The balance at the checkpoint (zero if there was none).
    pub before: U256,
}

/// The undo log of the changes since the outermost open checkpoint. Empty between actions
/// unless a caller (the devnet's per-frame journal) holds a checkpoint across actions.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    entries: Vec<Undo>,
    /// Sections whose pre-image is already in the journal since the innermost checkpoint.
    saved: u8,
    /// Open checkpoints.
    depth: usize,
    /// Replaying a log records nothing.
    off: bool,
}

impl Journal {
    /// A journal that records nothing (replay: there is nothing to revert to).
    pub(crate) fn off() -> Self {
        Self {
            off: true,
            ..Self::default()
        }
    }

    /// Entries recorded (for tests and the devnet's frame accounting).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Open checkpoints.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Every balance written since `cp` (which must still be open) and not reverted since,
    /// once each, ordered by (chain, asset, account), with its value at `cp`: the oldest
    /// entry for a balance holds what it was before the scope's first write. A balance
    /// written back to its old value is listed too.
    pub fn balances_changed_since(&self, cp: &Checkpoint) -> Vec<BalanceChange> {
        let mut first: BTreeMap<(ChainId, AssetId, Address), U256> = BTreeMap::new();
        for u in self.entries.get(cp.len..).unwrap_or_default() {
            if let Undo::Chain(chain, ChainUndo::Balance(asset, account, old)) = u {
                first
                    .entry((*chain, *asset, *account))
                    .or_insert(old.unwrap_or_default());
            }
        }
        first
            .into_iter()
            .map(|((chain, asset, account), before)| BalanceChange {
                chain,
                asset,
                account,
                before,
            })
            .collect()
    }

    pub(crate) fn checkpoint(&mut self) -> Checkpoint {
        let cp = Checkpoint {
            len: self.entries.len(),
            saved: self.saved,
        };
        self.saved = 0;
        self.depth += 1;
        cp
    }

    /// Keeps the changes since `cp`: they become part of the enclosing scope (or, with no
    /// enclosing checkpoint, final: the journal empties).
    pub(crate) fn commit(&mut self, cp: Checkpoint) {
        self.depth = self.depth.saturating_sub(1);
        self.saved |= cp.saved;
        if self.depth == 0 {
            self.entries.clear();
            self.saved = 0;
        }
    }

    /// Undoes every change since `cp`, newest first.
    pub(crate) fn revert(&mut self, cp: Checkpoint, state: &mut State) {
        while self.entries.len() > cp.len {
            if let Some(u) = self.entries.pop() {
                undo(state, u);
            }
        }
        self.saved = cp.saved;
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            self.entries.clear();
            self.saved = 0;
        }
    }

    #[inline]
    pub(crate) fn record(&mut self, u: impl FnOnce() -> Undo) {
        if !self.off {
            self.entries.push(u());
        }
    }

    #[inline]
    pub(crate) fn chain(&mut self, id: ChainId, u: impl FnOnce() -> ChainUndo) {
        if !self.off {
            self.entries.push(Undo::Chain(id, u()));
        }
    }

    /// Records a section's pre-image unless it is already saved in this scope.
    #[inline]
    pub(crate) fn section(&mut self, s: Section, u: impl FnOnce() -> Undo) {
        let bit = 1u8 << (s as u8);
        if self.off || self.saved & bit != 0 {
            return;
        }
        self.saved |= bit;
        self.entries.push(u());
    }
}

fn put<K: Ord + Clone, V: Clone>(map: &mut OrdMap<K, V>, key: K, old: Option<V>) {
    match old {
        Some(v) => {
            map.insert(key, v);
        }
        None => {
            map.remove(&key);
        }
    }
}

fn undo(state: &mut State, u: Undo) {
    match u {
        Undo::Time(t) => state.time = t,
        Undo::Token(t) => state.token = *t,
        Undo::Economy(e) => state.economy = *e,
        Undo::Staker(s) => state.staker = *s,
        Undo::Governance(g) => state.governance = *g,
        Undo::Priority(p) => state.priority = *p,
        Undo::Prividiums(p) => state.prividiums = p,
        Undo::Issued(a, old) => put(&mut state.issued, a, old),
        Undo::InFlight(a, old) => put(&mut state.in_flight, a, old),
        Undo::Chain(id, u) => {
            if let Some(c) = state.chains.get_mut(&id) {
                undo_chain(c, u);
            }
        }
    }
}

fn undo_chain(c: &mut Chain, u: ChainUndo) {
    match u {
        ChainUndo::Balance(asset, who, old) => put(&mut c.balances, (asset, who), old),
        ChainUndo::BundleCount(who, old) => put(&mut c.bundle_count, who, old),
        ChainUndo::InteropProtocolFee(f) => c.interop_protocol_fee = f,
        ChainUndo::ZkTokenCached(b) => c.zk_token_cached = b,
        ChainUndo::ZkInteropFee(f) => c.zk_interop_fee = f,
        ChainUndo::AccruedBase(who, old) => put(&mut c.accrued_base_fees, who, old),
        ChainUndo::AccruedZk(who, old) => put(&mut c.accrued_zk_fees, who, old),
        ChainUndo::PendingLogPushed => {
            c.pending_logs.pop_back();
        }
        ChainUndo::PendingLogs(logs) => c.pending_logs = logs,
        ChainUndo::PendingCalls(n) => c.pending_chargeable_calls = n,
        ChainUndo::BatchPushed => {
            c.batches.pop_back();
        }
        ChainUndo::BatchSettlement(i, leaf, first) => {
            if let Some(b) = c.batches.get_mut(i) {
                b.sl_leaf_index = leaf;
                b.sl_first_batch = first;
            }
        }
        ChainUndo::BatchUnproven(i, n) => {
            if let Some(b) = c.batches.get_mut(i) {
                b.unproven = n;
            }
        }
        ChainUndo::BatchLogs(i, logs) => {
            if let Some(b) = c.batches.get_mut(i) {
                b.logs = *logs;
                b.logs_pruned = false;
            }
        }
        ChainUndo::PendingBundles(n) => c.pending_bundles = n,
        ChainUndo::Outbox(h, old) => put(&mut c.outbox, h, old),
        ChainUndo::BundleStatus(h, old) => c.bundle_status.set(h, old),
        ChainUndo::CallStatus(h, i, old) => put(&mut c.call_status, (h, i), old),
        ChainUndo::InteropRoot(src, batch, old) => put(&mut c.interop_roots, (src, batch), old),
        ChainUndo::MessageRoot(m) => c.message_root = m.map(|b| *b),
        ChainUndo::Config(cfg) => c.config = *cfg,
    }
}

#[cfg(test)]
mod tests {
    use super::BalanceChange;
    use crate::genesis::{account, devnet, eth};
    use crate::network::{Action, Network};
    use crate::workload::Pipeline;
    use alloy_primitives::{Address, U256};

    fn fund(to: &str, amount: u64) -> Action {
        Action::Fund {
            chain: devnet::ERA,
            asset: eth(),
            to: account(to),
            amount: U256::from(amount),
        }
    }

    /// A network with bundles sent, settled, proven and executed: every kind of per-bundle
    /// state exists before the checkpoints below are taken.
    fn busy() -> Network {
        let mut p = Pipeline::new().unwrap();
        p.run_batch(3).unwrap();
        p.net
    }

    #[test]
    fn between_actions_the_journal_is_empty() {
        let mut net = busy();
        net.apply(fund("a", 5)).unwrap();
        assert!(net.journal().is_empty());
        assert!(net
            .apply(Action::Transfer {
                chain: devnet::ERA,
                asset: eth(),
                from: account("a"),
                to: account("b"),
                amount: U256::from(6u8),
            })
            .is_err());
        assert!(net.journal().is_empty());
        assert_eq!(net.journal().depth(), 0);
    }

    /// Checkpoints nest as EVM frames do: an inner revert undoes only the inner frame, a
    /// committed inner frame is still undone by its enclosing frame's revert.
    #[test]
    fn nested_checkpoints_revert_exactly_their_scope() {
        let mut net = busy();
        let genesis = net.state().clone();
        let outer = net.checkpoint();
        net.apply(fund("a", 5)).unwrap();
        let after_a = net.state().clone();
        assert_ne!(&after_a, &genesis);
        let inner = net.checkpoint();
        net.apply(Action::ZkTransfer {
            from: account("treasury"),
            to: account("a"),
            amount: U256::from(1u8),
        })
        .unwrap();
        let mut p = Pipeline::new().unwrap();
        // The same path on another network gives the same per-bundle changes to undo.
        p.net = net;
        p.run_batch(2).unwrap();
        net = p.net;
        assert_ne!(net.state(), &after_a);
        net.revert_to(inner);
        assert_eq!(net.state(), &after_a, "inner revert: back to after A");
        let inner = net.checkpoint();
        net.apply(fund("c", 7)).unwrap();
        net.commit(inner);
        assert!(
            !net.journal().is_empty(),
            "the outer frame can still undo it"
        );
        net.revert_to(outer);
        assert_eq!(net.state(), &genesis, "outer revert: back to the start");
        assert!(net.journal().is_empty());
    }

    /// A rejected action inside an open checkpoint undoes only itself.
    #[test]
    fn a_rejected_action_inside_a_frame_keeps_the_frame_s_changes() {
        let mut net = busy();
        let cp = net.checkpoint();
        net.apply(fund("a", 5)).unwrap();
        let after_a = net.state().clone();
        let recorded = net.journal().len();
        let bad = Action::Batch(vec![
            fund("b", 9),
            Action::Transfer {
                chain: devnet::ERA,
                asset: eth(),
                from: account("b"),
                to: account("c"),
                amount: U256::from(10u8),
            },
        ]);
        assert!(net.apply(bad).is_err());
        assert_eq!(net.state(), &after_a);
        assert_eq!(net.journal().len(), recorded);
        net.commit(cp);
        assert_eq!(net.state(), &after_a);
        assert!(net.journal().is_empty());
    }

    fn transfer(from: &str, to: &str, amount: u64) -> Action {
        Action::Transfer {
            chain: devnet::ERA,
            asset: eth(),
            from: account(from),
            to: account(to),
            amount: U256::from(amount),
        }
    }

    /// Every (chain, asset, account) balance of a state, zero balances left out.
    fn all_balances(
        s: &crate::network::State,
    ) -> std::collections::BTreeMap<(u64, crate::chain::AssetId, Address), U256> {
        let mut m = std::collections::BTreeMap::new();
        for (id, c) in &s.chains {
            for ((asset, who), b) in &c.balances {
                m.insert((*id, *asset, *who), *b);
            }
        }
        m
    }

    /// The change set is exact: it lists every balance that differs from the checkpoint's
    /// (and only written ones), once, in key order, with the checkpoint's value.
    fn assert_exact(before: &crate::network::State, net: &Network, changes: &[BalanceChange]) {
        let keys: Vec<_> = changes
            .iter()
            .map(|c| (c.chain, c.asset, c.account))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted, "ordered, each once");
        let (old, new) = (all_balances(before), all_balances(net.state()));
        for c in changes {
            let key = (c.chain, c.asset, c.account);
            assert_eq!(
                c.before,
                old.get(&key).copied().unwrap_or_default(),
                "{c:?}"
            );
        }
        for key in old.keys().chain(new.keys()) {
            if old.get(key) != new.get(key) {
                assert!(keys.contains(key), "{key:?} changed but is not listed");
            }
        }
    }

    /// A mint, transfers, a burn and a base-token interop fee: each moved balance is listed
    /// once, with its value at the checkpoint, whatever event moved it.
    #[test]
    fn balances_changed_since_lists_every_moved_balance_once() {
        use crate::address::InteropAddress;
        use crate::chain::INTEROP_CENTER;
        use crate::interop::bundle::InteropCallStarter;
        let mut net = busy();
        let operator = net.state().chain(devnet::ERA).unwrap().config.operator;
        net.apply(Action::SetInteropProtocolFee {
            chain: devnet::ERA,
            caller: operator,
            fee: U256::from(2u8),
        })
        .unwrap();
        net.apply(fund("a", 100)).unwrap();
        let before = net.state().clone();
        let cp = net.checkpoint();
        assert!(net.balances_changed_since(&cp).is_empty());
        net.apply(fund("a", 10)).unwrap();
        net.apply(transfer("a", "b", 3)).unwrap();
        net.apply(Action::Defund {
            chain: devnet::ERA,
            asset: eth(),
            from: account("b"),
            amount: U256::from(1u8),
        })
        .unwrap();
        net.apply(transfer("a", "b", 2)).unwrap();
        net.apply(Action::SendBundle {
            chain: devnet::ERA,
            sender: account("a"),
            destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
            starters: vec![InteropCallStarter {
                to: InteropAddress::address_only(account("z")).encode(),
                data: Default::default(),
                call_attributes: vec![],
            }],
            attributes: vec![],
            // The base-token fee comes with the call's value.
            value: U256::from(2u8),
        })
        .unwrap();
        let changes = net.balances_changed_since(&cp);
        assert_exact(&before, &net, &changes);
        let who: Vec<Address> = changes.iter().map(|c| c.account).collect();
        for a in [account("a"), account("b"), INTEROP_CENTER] {
            assert!(who.contains(&a), "{a} in {who:?}");
        }
        let a = changes.iter().find(|c| c.account == account("a")).unwrap();
        assert_eq!(a.before, U256::from(100u8));
        net.commit(cp);
    }

    /// A reverted inner checkpoint's writes and a rejected action's are not reported; a
    /// committed inner checkpoint's are, in the enclosing scope.
    #[test]
    fn balances_changed_since_forgets_what_was_undone() {
        let mut net = busy();
        net.apply(fund("a", 50)).unwrap();
        let before = net.state().clone();
        let outer = net.checkpoint();
        net.apply(transfer("a", "b", 5)).unwrap();
        let inner = net.checkpoint();
        net.apply(fund("c", 7)).unwrap();
        net.apply(transfer("a", "d", 1)).unwrap();
        assert_eq!(net.balances_changed_since(&inner).len(), 3);
        net.revert_to(inner);
        assert!(net.apply(transfer("b", "e", 6)).is_err());
        let changes = net.balances_changed_since(&outer);
        let who: Vec<Address> = changes.iter().map(|c| c.account).collect();
        let mut want = vec![account("a"), account("b")];
        want.sort();
        assert_eq!(who, want);
        assert_exact(&before, &net, &changes);
        let inner = net.checkpoint();
        net.apply(fund("c", 7)).unwrap();
        net.commit(inner);
        let changes = net.balances_changed_since(&outer);
        assert_eq!(changes.len(), 3);
        assert_exact(&before, &net, &changes);
        // Back where it started: a balance written back to its old value is still listed.
        net.apply(transfer("b", "a", 5)).unwrap();
        let changes = net.balances_changed_since(&outer);
        assert!(changes.iter().any(|c| c.account == account("b")));
        assert_exact(&before, &net, &changes);
        net.revert_to(outer);
        assert_eq!(net.state(), &before);
    }

    /// Undoing a settlement and an execution (sealed batches, moved pending logs, the
    /// settlement layer's message root, imported roots, statuses) restores them exactly.
    #[test]
    fn settlement_and_execution_undo_exactly() {
        let mut p = Pipeline::new().unwrap();
        p.run_batch(2).unwrap();
        let before = p.net.state().clone();
        let mut twin = p.net.clone();
        let cp = p.net.checkpoint();
        p.run_batch(4).unwrap();
        p.net.apply(Action::AdvanceTime { seconds: 1 }).unwrap();
        assert_ne!(p.net.state(), &before);
        p.net.revert_to(cp);
        assert_eq!(p.net.state(), &before);
        // And the network carries on exactly as a copy taken before the checkpoint does.
        for net in [&mut p.net, &mut twin] {
            net.apply(fund("z", 1)).unwrap();
            crate::relayer::settle_for(net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
        }
        assert_eq!(p.net.state(), twin.state());
    }
}
