//! The devnet's state: one protocol [`Network`] for all chains (the one source of truth for
//! balances), each chain's blocks, the dev accounts, and the event log that a state file
//! keeps. JSON-RPC methods are answered per chain.
//!
//! One file per job: this module holds the devnet's state, its construction and restoring;
//! `methods` answers the JSON-RPC methods, `pipeline` executes transactions and calls (revm
//! over the protocol, committed all or nothing) and seals blocks, `settle` runs the batch
//! settlement tick, the relayer and the log proofs. The block and chain records are in
//! [`crate::chain`].

mod bridge;
mod methods;
mod pipeline;
mod settle;
#[cfg(test)]
mod tests;

pub use crate::chain::{BlockRecord, ChainInfo, Role};
pub use methods::{parse_quantity, quantity};

use crate::accounts::ADMIN_ADDRESS;
use crate::accounts::{dev_accounts, DevAccount};
use crate::chain::{ChainNode, TxRecord};
use crate::config::{BaseToken, Layout};
use crate::error::DevnetError;
use crate::evm::EvmState;
use crate::rpc::RpcError;
use alloy_primitives::{Address, U256};
use flywheel_protocol::chain::AssetId;
use flywheel_protocol::chain::{ChainConfig, ChainKind};
use flywheel_protocol::event::Event;
use flywheel_protocol::genesis::{self, Genesis};
use flywheel_protocol::interop::bundle::SealedBundle;
use flywheel_protocol::network::{Action, Network, State};
use flywheel_protocol::units::tokens;
use flywheel_protocol::ChainId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Base-token balance of every dev account on every chain at genesis (10,000 tokens, as
/// anvil's dev accounts).
pub const DEV_BASE_BALANCE_TOKENS: u64 = 10_000;
/// ZK of every dev account at genesis (one canonical ledger across chains): enough for many
/// interop calls at the fixed fee of 10 ZK each.
pub const DEV_ZK_TOKENS: u64 = 100_000;

/// What `web3_clientVersion` answers.
pub const CLIENT_VERSION: &str = concat!("flywheel-devnet/v", env!("CARGO_PKG_VERSION"));

/// The protocol genesis of a layout: L1 (ETH), Gateway (ZK-based, on L1), the L2s on Gateway,
/// Fee Flow and the Splitter on the first L2; the dev accounts' ZK in the genesis allocation.
/// Governance, staking and fee parameters are those of the protocol's built-in devnet.
pub fn genesis_of(layout: &Layout, time: u64, devs: &[Address]) -> Genesis {
    let mut g = Genesis::devnet();
    g.start_time = time;
    // ETH's asset id is `encodeNTVAssetId(L1 chain id, ETH_TOKEN_ADDRESS)` of this layout's
    // L1, as the contracts derive it and clients recompute it (zksync-js `isChainEthBased`).
    let eth = eth_asset_id(layout);
    for a in &mut g.assets {
        if AssetId::native(a.origin_chain, a.token) == genesis::eth() {
            a.origin_chain = layout.l1_chain_id;
        }
    }
    for t in &mut g.fees.claimable_tokens {
        if *t == genesis::eth() {
            *t = eth;
        }
    }
    let chain = |id, name: &str, kind, base, sl| {
        ChainConfig::rollup(id, name, kind, base, sl, ADMIN_ADDRESS)
    };
    let mut chains = vec![
        chain(layout.l1_chain_id, "l1", ChainKind::L1, eth, None),
        chain(
            layout.gateway_chain_id,
            "gateway",
            ChainKind::Gateway,
            genesis::zk(),
            Some(layout.l1_chain_id),
        ),
    ];
    for c in &layout.chains {
        let base = match c.base_token {
            BaseToken::Eth => eth,
            BaseToken::Zk => genesis::zk(),
        };
        chains.push(chain(
            c.chain_id,
            &c.name,
            ChainKind::ZkChain,
            base,
            Some(layout.gateway_chain_id),
        ));
    }
    g.chains = chains;
    if let Some(first) = layout.chains.first() {
        g.fees.fee_flow_chain = first.chain_id;
    }
    // The devnet admin holds the operator's and governance's roles (see accounts::admin).
    g.fees.governance = ADMIN_ADDRESS;
    g.fees.token_governor_timelock = ADMIN_ADDRESS;
    g.fees.emergency_admin = ADMIN_ADDRESS;
    g.token_admin = ADMIN_ADDRESS;
    g.zk_allocations
        .extend(devs.iter().map(|a| (*a, tokens(DEV_ZK_TOKENS))));
    if layout.rich_wallets {
        g.zk_allocations.extend(
            crate::accounts::LOCAL_RICH_WALLETS
                .iter()
                .map(|(a, _)| (*a, tokens(DEV_ZK_TOKENS))),
        );
    }
    g
}

/// ETH's asset id on a layout: native to its L1 at `ETH_TOKEN_ADDRESS`.
pub fn eth_asset_id(layout: &Layout) -> AssetId {
    AssetId::native(
        layout.l1_chain_id,
        flywheel_protocol::chain::ETH_TOKEN_ADDRESS,
    )
}

/// The devnet: one protocol network for all chains, each chain's blocks and EVM accounts, the
/// dev accounts, and the event log since genesis.
#[derive(Debug, Clone)]
pub struct Devnet {
    layout: Layout,
    genesis_time: u64,
    net: Network,
    log: Vec<Event>,
    nodes: Vec<ChainNode>,
    accounts: Vec<DevAccount>,
    relayer: DevAccount,
    /// Sent bundles not yet relayed: (source chain, bundle).
    relay_queue: Vec<(ChainId, SealedBundle)>,
    automine: bool,
    time_offset: u64,
    snapshots: BTreeMap<u64, Box<Devnet>>,
    next_snapshot: u64,
    /// How long an unpolled filter lives ([`crate::limits::FILTER_TIMEOUT`] unless set).
    filter_timeout: std::time::Duration,
}

/// Wall-clock unix seconds.
pub(super) fn wall_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Devnet {
    /// A fresh devnet: genesis, then every dev account funded in every chain's base token
    /// (recorded as `Fund` events, so a state file replays them) and each L2's configured
    /// interop protocol fee set. Automine.
    pub fn new(layout: Layout, genesis_time: u64) -> Result<Self, DevnetError> {
        layout.validate()?;
        let accounts = dev_accounts()?;
        let devs: Vec<Address> = accounts.iter().map(|a| a.address).collect();
        let genesis = genesis_of(&layout, genesis_time, &devs);
        let mut net = Network::new(&genesis)?;
        let relayer = crate::accounts::relayer()?;
        let rich: Vec<Address> = if layout.rich_wallets {
            crate::accounts::LOCAL_RICH_WALLETS
                .iter()
                .map(|(a, _)| *a)
                .collect()
        } else {
            Vec::new()
        };
        let mut funding = Vec::new();
        for c in &genesis.chains {
            for a in devs
                .iter()
                .chain([&relayer.address, &ADMIN_ADDRESS])
                .chain(&rich)
            {
                funding.push(Action::Fund {
                    chain: c.id,
                    asset: c.base_token,
                    to: *a,
                    amount: tokens(DEV_BASE_BALANCE_TOKENS),
                });
            }
        }
        // The L1 vault backs what the L2s hold of ETH at genesis, so it can be withdrawn.
        let eth = eth_asset_id(&layout);
        funding.extend(
            genesis
                .chains
                .iter()
                .filter(|c| c.kind == ChainKind::ZkChain && c.base_token == eth)
                .map(|c| {
                    Action::L1Bridge(flywheel_protocol::bridge::BridgeAction::BackGenesisSupply {
                        chain: c.id,
                    })
                }),
        );
        // Each L2's configured `interopProtocolFee`, set by its operator (the devnet admin) as
        // `setInteropFee` would, so the log (and a state file) carries it.
        funding.extend(
            layout
                .chains
                .iter()
                .filter(|c| !c.interop_protocol_fee.is_zero())
                .map(|c| Action::SetInteropProtocolFee {
                    chain: c.chain_id,
                    caller: ADMIN_ADDRESS,
                    fee: c.interop_protocol_fee,
                }),
        );
        let log = net.apply(Action::Batch(funding))?;
        let nodes = chain_infos(&layout)
            .into_iter()
            .map(|info| ChainNode::genesis(info, genesis_time, log.len(), net.state().clone()))
            .collect();
        Ok(Self {
            layout,
            genesis_time,
            net,
            log,
            nodes,
            accounts,
            relayer,
            relay_queue: Vec::new(),
            automine: true,
            time_offset: 0,
            snapshots: BTreeMap::new(),
            next_snapshot: 1,
            filter_timeout: crate::limits::FILTER_TIMEOUT,
        })
    }

    /// Rebuilds a devnet from a saved layout, event log, blocks and EVM accounts, replaying
    /// the log (events are the only way state changes, so the protocol state comes back
    /// exactly). Each block's protocol state is rebuilt from its place in the log; its EVM
    /// accounts are the saved (latest) ones.
    pub fn restore(saved: SavedDevnet) -> Result<Self, String> {
        let SavedDevnet {
            layout,
            genesis_time,
            log,
            chains,
        } = saved;
        let mut d = Self::new(layout, genesis_time).map_err(|e| e.to_string())?;
        if chains.len() != d.nodes.len() {
            return Err(format!(
                "{} chains saved for {}",
                chains.len(),
                d.nodes.len()
            ));
        }
        let fresh = Network::new(&genesis_of(
            &d.layout,
            genesis_time,
            &d.accounts.iter().map(|a| a.address).collect::<Vec<_>>(),
        ))
        .map_err(|e| e.to_string())?;
        // Every block boundary, in log order, to snapshot the state as the log is replayed.
        let mut marks: Vec<(usize, usize, usize)> = Vec::new();
        for (c, saved) in chains.iter().enumerate() {
            let blocks = &saved.blocks;
            if blocks.is_empty() {
                return Err(format!("chain {} has no genesis block", d.nodes[c].info.id));
            }
            for (i, b) in blocks.iter().enumerate() {
                let ordered = i == 0
                    || (b.number == blocks[i - 1].number + 1
                        && b.events_end >= blocks[i - 1].events_end
                        && b.timestamp >= blocks[i - 1].timestamp);
                if b.events_end > log.len() || !ordered || (i == 0 && b.number != 0) {
                    return Err(format!(
                        "chain {}: block {} is out of order or past the log",
                        d.nodes[c].info.id, b.number
                    ));
                }
                marks.push((b.events_end, c, i));
            }
        }
        marks.sort_unstable();
        let mut state = fresh.state().clone();
        let mut states: Vec<Vec<Option<State>>> =
            chains.iter().map(|s| vec![None; s.blocks.len()]).collect();
        let mut applied = 0;
        for (end, c, i) in marks {
            for ev in &log[applied..end] {
                state.apply_event(ev).map_err(|e| e.to_string())?;
            }
            applied = end;
            states[c][i] = Some(state.clone());
        }
        let accounts = d.accounts.clone();
        let devs: Vec<Address> = accounts.iter().map(|a| a.address).collect();
        d.net = Network::replay(
            &genesis_of(&d.layout, genesis_time, &devs),
            Default::default(),
            &log,
        )
        .map_err(|e| e.to_string())?;
        d.log = log;
        for ((node, saved), states) in d.nodes.iter_mut().zip(chains).zip(states) {
            let info = node.info.clone();
            let mut txs: HashMap<u64, Vec<TxRecord>> = HashMap::new();
            for t in saved.txs {
                txs.entry(t.block_number).or_default().push(t);
            }
            let mut rebuilt: Option<ChainNode> = None;
            for (b, st) in saved.blocks.iter().zip(states) {
                let st = st.ok_or("a block's state was not rebuilt")?;
                match rebuilt.as_mut() {
                    None => {
                        let mut n = ChainNode::genesis(info.clone(), b.timestamp, b.events_end, st);
                        n.evm = saved.evm.clone();
                        rebuilt = Some(n);
                    }
                    Some(n) => {
                        let mut block_txs = txs.remove(&b.number).unwrap_or_default();
                        block_txs.sort_by_key(|t| t.index);
                        n.pending = block_txs;
                        n.seal(b.timestamp, b.events_end, st, saved.coinbase);
                    }
                }
            }
            let mut n = rebuilt.ok_or("no blocks")?;
            n.evm = saved.evm;
            // The genesis block's EVM accounts were empty.
            if let Some(g) = n.blocks.first_mut() {
                g.evm = EvmState::default();
            }
            *node = n;
        }
        Ok(d)
    }

    /// What a state file keeps.
    pub fn saved(&self) -> SavedDevnet {
        SavedDevnet {
            layout: self.layout.clone(),
            genesis_time: self.genesis_time,
            log: self.log.clone(),
            chains: self
                .nodes
                .iter()
                .map(|n| SavedChain {
                    blocks: n.blocks.iter().map(|b| b.record).collect(),
                    txs: n.txs.values().cloned().collect(),
                    evm: n.evm.clone(),
                    coinbase: self.coinbase(n.info.id),
                })
                .collect(),
        }
    }

    /// Sets how long a filter lives unpolled (tests shorten geth's five minutes).
    pub fn set_filter_timeout(&mut self, timeout: std::time::Duration) {
        self.filter_timeout = timeout;
    }

    /// Makes a block every `--block-time` instead of one per transaction.
    pub fn set_automine(&mut self, on: bool) {
        self.automine = on;
    }

    /// The chains, in port order.
    pub fn chains(&self) -> Vec<ChainInfo> {
        self.nodes.iter().map(|n| n.info.clone()).collect()
    }

    /// One chain's node.
    pub fn node(&self, c: usize) -> Option<&ChainNode> {
        self.nodes.get(c)
    }

    /// The layout it runs.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Genesis time, unix seconds.
    pub fn genesis_time(&self) -> u64 {
        self.genesis_time
    }

    /// The dev accounts.
    pub fn accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// The protocol network (read-only: state changes go through actions).
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The event log since genesis.
    pub fn log(&self) -> &[Event] {
        &self.log
    }

    /// Block records per chain.
    pub fn block_records(&self) -> Vec<Vec<BlockRecord>> {
        self.nodes
            .iter()
            .map(|n| n.blocks.iter().map(|b| b.record).collect())
            .collect()
    }

    pub(super) fn coinbase(&self, chain: ChainId) -> Address {
        self.net
            .state()
            .chains
            .get(&chain)
            .map_or(Address::ZERO, |c| c.config.operator)
    }

    pub(super) fn asset(&self, chain: ChainId) -> Result<AssetId, RpcError> {
        self.net
            .state()
            .chain(chain)
            .map(|c| c.config.base_token)
            .map_err(|e| RpcError::server(e.to_string()))
    }

    /// Applies a protocol action, recording its events.
    pub(super) fn apply(&mut self, action: Action) -> Result<(), RpcError> {
        let events = self
            .net
            .apply(action)
            .map_err(|e| RpcError::server(e.to_string()))?;
        self.log.extend(events);
        Ok(())
    }
}

pub(super) fn node_balance(state: &State, chain: ChainId, asset: AssetId, who: Address) -> U256 {
    state
        .chains
        .get(&chain)
        .map_or(U256::ZERO, |c| c.balance(asset, who))
}

/// What a state file keeps of a devnet.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedDevnet {
    /// The chains.
    pub layout: Layout,
    /// Genesis time.
    pub genesis_time: u64,
    /// The protocol event log.
    pub log: Vec<Event>,
    /// Each chain's blocks, transactions and EVM accounts.
    pub chains: Vec<SavedChain>,
}

/// What a state file keeps of one chain.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedChain {
    /// Block records.
    pub blocks: Vec<BlockRecord>,
    /// Mined transactions with their receipts.
    pub txs: Vec<TxRecord>,
    /// EVM accounts now.
    pub evm: EvmState,
    /// The chain's fee recipient (block headers' beneficiary).
    pub coinbase: Address,
}

pub(super) fn chain_infos(layout: &Layout) -> Vec<ChainInfo> {
    let mut v = vec![
        ChainInfo {
            id: layout.l1_chain_id,
            role: Role::L1,
            name: "l1".into(),
            base_token: BaseToken::Eth,
        },
        ChainInfo {
            id: layout.gateway_chain_id,
            role: Role::Gateway,
            name: "gateway".into(),
            base_token: BaseToken::Zk,
        },
    ];
    v.extend(layout.chains.iter().map(|c| ChainInfo {
        id: c.chain_id,
        role: Role::L2,
        name: c.name.clone(),
        base_token: c.base_token,
    }));
    v
}
