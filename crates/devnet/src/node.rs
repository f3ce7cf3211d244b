//! The devnet's state: one protocol [`Network`] for all chains (the one source of truth for
//! balances), each chain's blocks, the dev accounts, and the event log that a state file
//! keeps. JSON-RPC methods are answered here, per chain.

use crate::accounts::ADMIN_ADDRESS;
use crate::accounts::{dev_accounts, DevAccount};
use crate::chain::{ChainNode, TxRecord};
use crate::config::{BaseToken, Layout};
use crate::dispatch::SystemDispatch;
use crate::error::DevnetError;
use crate::evm::{plan_commit, BlockCtx, ChainDb, EvmState, Mode, BASE_FEE, BLOCK_GAS_LIMIT};
use crate::filters::InstalledFilter;
use crate::rpc::{Call, RpcError};
use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{Transaction as _, TxEnvelope, TxType};
use alloy_eips::eip2718::{Decodable2718, Typed2718};
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
use flywheel_protocol::chain::AssetId;
use flywheel_protocol::chain::L1_MESSENGER;
use flywheel_protocol::chain::{ChainConfig, ChainKind, DataAvailability, ExecutionEnvironment};
use flywheel_protocol::event::Event;
use flywheel_protocol::genesis::{self, Genesis};
use flywheel_protocol::interop::bundle::SealedBundle;
use flywheel_protocol::network::{Action, Network, State};
use flywheel_protocol::units::tokens;
use flywheel_protocol::ChainId;
use revm::context::result::{EVMError, ExecutionResult, InvalidTransaction};
use revm::context::TxEnv;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Base-token balance of every dev account on every chain at genesis (10,000 tokens, as
/// anvil's dev accounts).
pub const DEV_BASE_BALANCE_TOKENS: u64 = 10_000;
/// ZK of every dev account at genesis (one canonical ledger across chains): enough for many
/// interop calls at the fixed fee of 10 ZK each.
pub const DEV_ZK_TOKENS: u64 = 100_000;

/// What `web3_clientVersion` answers.
pub const CLIENT_VERSION: &str = concat!("flywheel-devnet/v", env!("CARGO_PKG_VERSION"));

/// A chain's role in the devnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Ethereum.
    L1,
    /// ZK Gateway: settles on L1; L2s settle on it.
    Gateway,
    /// A ZK chain settling on Gateway.
    L2,
}

impl Role {
    /// As the start-up table shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::L1 => "L1",
            Self::Gateway => "Gateway",
            Self::L2 => "L2",
        }
    }
}

/// One chain as the devnet serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainInfo {
    /// EIP-155 chain id.
    pub id: ChainId,
    /// Role.
    pub role: Role,
    /// Name.
    pub name: String,
    /// Base token.
    pub base_token: BaseToken,
}

/// What a state file records of a block: enough to rebuild its state from the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRecord {
    /// Block number (0 is genesis).
    pub number: u64,
    /// Unix seconds.
    pub timestamp: u64,
    /// Number of events in the log once this block was made: its state is the genesis state
    /// with the log's first `events_end` events applied.
    pub events_end: usize,
}

/// A hex quantity (`0x` + at most 16 hex digits) as a `u64`.
pub fn parse_quantity(s: &str) -> Result<u64, RpcError> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| RpcError::invalid_params(format!("{s}: hex quantity expected")))?;
    if digits.is_empty() || digits.len() > 16 {
        return Err(RpcError::invalid_params(format!(
            "{s}: hex quantity of 1 to 16 digits expected"
        )));
    }
    u64::from_str_radix(digits, 16)
        .map_err(|_| RpcError::invalid_params(format!("{s}: hex quantity expected")))
}

/// A `u64` as a JSON-RPC quantity.
pub fn quantity(n: u64) -> Value {
    Value::String(format!("{n:#x}"))
}

/// Parameter `i` of a call, required.
fn param<T: DeserializeOwned>(params: &[Value], i: usize, name: &str) -> Result<T, RpcError> {
    let v = params
        .get(i)
        .ok_or_else(|| RpcError::invalid_params(format!("missing parameter {i} ({name})")))?;
    serde_json::from_value(v.clone())
        .map_err(|e| RpcError::invalid_params(format!("parameter {i} ({name}): {e}")))
}

/// Refuses more parameters than a method takes.
fn at_most(params: &[Value], n: usize) -> Result<(), RpcError> {
    if params.len() > n {
        return Err(RpcError::invalid_params(format!(
            "too many parameters: at most {n}, got {}",
            params.len()
        )));
    }
    Ok(())
}

/// The protocol genesis of a layout: L1 (ETH), Gateway (ZK-based, on L1), the L2s on Gateway,
/// Fee Flow and the Splitter on the first L2; the dev accounts' ZK in the genesis allocation.
/// Governance, staking and fee parameters are those of the protocol's built-in devnet.
pub fn genesis_of(layout: &Layout, time: u64, devs: &[Address]) -> Genesis {
    let mut g = Genesis::devnet();
    g.start_time = time;
    let chain = |id, name: &str, kind, base, sl| ChainConfig {
        id,
        name: name.to_string(),
        kind,
        base_token: base,
        settlement_layer: sl,
        zk_token_available: kind != ChainKind::L1,
        operator: ADMIN_ADDRESS,
        admin: ADMIN_ADDRESS,
        execution: ExecutionEnvironment::ZksyncOs,
        data_availability: DataAvailability::Rollup,
    };
    let mut chains = vec![
        chain(
            layout.l1_chain_id,
            "l1",
            ChainKind::L1,
            genesis::eth(),
            None,
        ),
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
            BaseToken::Eth => genesis::eth(),
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
    g
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
}

/// Wall-clock unix seconds.
fn wall_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A `TxEnv` for a signed transaction from `from`.
fn tx_env(env: &TxEnvelope, from: Address) -> TxEnv {
    TxEnv {
        tx_type: env.ty(),
        caller: from,
        gas_limit: env.gas_limit(),
        gas_price: env.max_fee_per_gas(),
        kind: env.kind(),
        value: env.value(),
        data: env.input().clone(),
        nonce: env.nonce(),
        chain_id: env.chain_id(),
        access_list: env.access_list().cloned().unwrap_or_default(),
        gas_priority_fee: env.max_priority_fee_per_gas(),
        ..TxEnv::default()
    }
}

/// A `TxEnv` for `eth_call` / `eth_estimateGas` from a request.
fn call_env(req: &TransactionRequest, chain_id: ChainId, gas: u64) -> TxEnv {
    let eip1559 = req.max_fee_per_gas.is_some() || req.max_priority_fee_per_gas.is_some();
    TxEnv {
        tx_type: if eip1559 { 2 } else { 0 },
        caller: req.from.unwrap_or_default(),
        gas_limit: gas,
        gas_price: req.max_fee_per_gas.or(req.gas_price).unwrap_or(0),
        kind: req.to.unwrap_or(TxKind::Create),
        value: req.value.unwrap_or_default(),
        data: req.input.input().cloned().unwrap_or_default(),
        nonce: req.nonce.unwrap_or(0),
        chain_id: Some(chain_id),
        access_list: req.access_list.clone().unwrap_or_default(),
        gas_priority_fee: req.max_priority_fee_per_gas,
        ..TxEnv::default()
    }
}

/// A refused transaction's JSON-RPC error, in geth's words where clients match on them.
fn invalid_tx(e: &InvalidTransaction) -> RpcError {
    use InvalidTransaction as I;
    let msg = match e {
        I::LackOfFundForMaxFee { fee, balance } => {
            format!("insufficient funds for gas * price + value: have {balance} want {fee}")
        }
        I::NonceTooLow { tx, state } => format!("nonce too low: next nonce {state}, tx nonce {tx}"),
        I::NonceTooHigh { tx, state } => {
            format!("nonce too high: next nonce {state}, tx nonce {tx}")
        }
        I::CallerGasLimitMoreThanBlock => "exceeds block gas limit".into(),
        I::GasPriceLessThanBasefee => "max fee per gas less than block base fee".into(),
        I::CallGasCostMoreThanGasLimit { .. } | I::GasFloorMoreThanGasLimit { .. } => {
            "intrinsic gas too low".into()
        }
        I::InvalidChainId | I::MissingChainId => "invalid chain id".into(),
        other => other.to_string(),
    };
    RpcError::server(msg)
}

/// `eth_call`'s error for a reverted or halted execution (code 3 with the revert data, as
/// geth answers, so clients decode custom errors).
fn execution_error(result: &ExecutionResult) -> Option<RpcError> {
    match result {
        ExecutionResult::Success { .. } => None,
        ExecutionResult::Revert { output, .. } => Some(RpcError {
            code: 3,
            message: "execution reverted".into(),
            data: Some(json!(output)),
        }),
        ExecutionResult::Halt { reason, .. } => {
            Some(RpcError::server(format!("execution halted: {reason:?}")))
        }
    }
}

impl Devnet {
    /// A fresh devnet: genesis, then every dev account funded in every chain's base token
    /// (recorded as `Fund` events, so a state file replays them). Automine.
    pub fn new(layout: Layout, genesis_time: u64) -> Result<Self, DevnetError> {
        layout.validate()?;
        let accounts = dev_accounts()?;
        let devs: Vec<Address> = accounts.iter().map(|a| a.address).collect();
        let genesis = genesis_of(&layout, genesis_time, &devs);
        let mut net = Network::new(&genesis)?;
        let relayer = crate::accounts::relayer()?;
        let mut funding = Vec::new();
        for c in &genesis.chains {
            for a in devs.iter().chain([&relayer.address, &ADMIN_ADDRESS]) {
                funding.push(Action::Fund {
                    chain: c.id,
                    asset: c.base_token,
                    to: *a,
                    amount: tokens(DEV_BASE_BALANCE_TOKENS),
                });
            }
        }
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

    fn coinbase(&self, chain: ChainId) -> Address {
        self.net
            .state()
            .chains
            .get(&chain)
            .map_or(Address::ZERO, |c| c.config.operator)
    }

    fn asset(&self, chain: ChainId) -> Result<AssetId, RpcError> {
        self.net
            .state()
            .chain(chain)
            .map(|c| c.config.base_token)
            .map_err(|e| RpcError::server(e.to_string()))
    }

    /// Applies a protocol action, recording its events.
    fn apply(&mut self, action: Action) -> Result<(), RpcError> {
        let events = self
            .net
            .apply(action)
            .map_err(|e| RpcError::server(e.to_string()))?;
        self.log.extend(events);
        Ok(())
    }

    /// Seconds now: the wall clock plus `evm_increaseTime`, never before chain `c`'s head.
    fn now(&self, c: usize) -> u64 {
        let head = self.nodes[c].head().record.timestamp;
        wall_clock().saturating_add(self.time_offset).max(head)
    }

    /// Seals chain `c`'s pending block, moving the protocol clock to its timestamp first.
    pub fn seal(&mut self, c: usize, timestamp: Option<u64>) -> Result<(), RpcError> {
        let ts = timestamp
            .or(self.nodes[c].pending_timestamp)
            .unwrap_or_else(|| self.now(c));
        let now = self.net.state().time;
        if ts > now {
            self.apply(Action::AdvanceTime { seconds: ts - now })?;
        }
        let coinbase = self.coinbase(self.nodes[c].info.id);
        let state = self.net.state().clone();
        let end = self.log.len();
        self.nodes[c].seal(ts, end, state, coinbase);
        Ok(())
    }

    /// Seals every chain that has pending transactions (the `--block-time` tick).
    pub fn tick(&mut self) {
        for c in 0..self.nodes.len() {
            if !self.nodes[c].pending.is_empty() {
                // A clock step cannot fail: AdvanceTime has no checks.
                let _ = self.seal(c, None);
            }
        }
    }

    /// The protocol state and EVM accounts a block parameter names on chain `c`.
    fn at(&self, c: usize, id: Option<BlockId>) -> Result<(&State, &EvmState), RpcError> {
        let node = &self.nodes[c];
        let n = match id.unwrap_or(BlockId::latest()) {
            BlockId::Hash(h) => *node
                .by_hash
                .get(&h.block_hash)
                .ok_or_else(|| RpcError::server("header not found"))?,
            BlockId::Number(BlockNumberOrTag::Number(n)) => n,
            BlockId::Number(BlockNumberOrTag::Earliest) => 0,
            BlockId::Number(t @ (BlockNumberOrTag::Finalized | BlockNumberOrTag::Safe)) => {
                crate::filters::resolve(node, t)
            }
            BlockId::Number(_) => return Ok((self.net.state(), &node.evm)),
        };
        let head = node.head().record.number;
        if n == head {
            return Ok((self.net.state(), &node.evm));
        }
        let b = usize::try_from(n)
            .ok()
            .and_then(|i| node.blocks.get(i))
            .ok_or_else(|| RpcError::server("header not found"))?;
        Ok((&b.state, &b.evm))
    }

    fn block_id(params: &[Value], i: usize) -> Result<Option<BlockId>, RpcError> {
        match params.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => param(params, i, "block").map(Some),
        }
    }

    /// The next block's context on chain `c`.
    fn next_block(&self, c: usize) -> BlockCtx {
        let node = &self.nodes[c];
        BlockCtx {
            chain_id: node.info.id,
            number: node.head().record.number + 1,
            timestamp: node.pending_timestamp.unwrap_or_else(|| self.now(c)),
            coinbase: self.coinbase(node.info.id),
        }
    }

    /// Runs a call on chain `c` at a block, changing nothing; also says whether a system
    /// call inside ran out of gas.
    fn simulate(
        &self,
        c: usize,
        req: &TransactionRequest,
        id: Option<BlockId>,
        gas: u64,
    ) -> Result<(ExecutionResult, bool), RpcError> {
        let chain = self.nodes[c].info.id;
        let (state, evm) = self.at(c, id)?;
        let hashes = self.nodes[c].hashes();
        let db = ChainDb {
            protocol: state,
            chain,
            asset: self.asset(chain)?,
            evm,
            hashes,
        };
        let block = self.next_block(c);
        let dispatch = SystemDispatch::new(
            &self.net,
            chain,
            db.asset,
            self.nodes[c].info.role != Role::L1,
        );
        let (out, dispatch) =
            crate::evm::run(db, &block, call_env(req, chain, gas), Mode::Call, dispatch);
        match out {
            Ok(r) => Ok((r.result, dispatch.starved)),
            Err(EVMError::Transaction(e)) => Err(invalid_tx(&e)),
            Err(e) => Err(RpcError::server(e.to_string())),
        }
    }

    /// `eth_estimateGas`: the least gas limit with which the call succeeds (binary search
    /// from the gas it used, because of the 63/64 rule and refunds).
    fn estimate(
        &self,
        c: usize,
        req: &TransactionRequest,
        id: Option<BlockId>,
    ) -> Result<u64, RpcError> {
        let cap = req.gas.unwrap_or(BLOCK_GAS_LIMIT).min(BLOCK_GAS_LIMIT);
        let (first, _) = self.simulate(c, req, id, cap)?;
        if let Some(e) = execution_error(&first) {
            return Err(e);
        }
        let fits = |gas: u64| {
            self.simulate(c, req, id, gas)
                .is_ok_and(|(r, starved)| r.is_success() && !starved)
        };
        let used = first.tx_gas_used();
        if fits(used) {
            return Ok(used);
        }
        let (mut lo, mut hi) = (used, cap);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }

    /// Validates, executes and records a signed transaction on chain `c`; a refused one
    /// changes nothing.
    pub fn submit(&mut self, c: usize, envelope: TxEnvelope) -> Result<B256, RpcError> {
        let chain = self.nodes[c].info.id;
        if matches!(envelope.tx_type(), TxType::Eip4844 | TxType::Eip7702) {
            return Err(RpcError::server("transaction type not supported"));
        }
        match envelope.chain_id() {
            None => {
                return Err(RpcError::server(
                    "only replay-protected (EIP-155) transactions allowed over RPC",
                ))
            }
            Some(id) if id != chain => return Err(RpcError::server("invalid chain id")),
            Some(_) => {}
        }
        let hash = *envelope.tx_hash();
        let node = &self.nodes[c];
        if node.txs.contains_key(&hash) || node.pending.iter().any(|t| t.hash == hash) {
            return Err(RpcError::server("already known"));
        }
        let from = envelope
            .recover_signer()
            .map_err(|_| RpcError::server("invalid sender: bad signature"))?;
        if envelope.gas_limit() > BLOCK_GAS_LIMIT {
            return Err(RpcError::server("exceeds block gas limit"));
        }
        let next = node.evm.nonce(from);
        if envelope.nonce() < next {
            return Err(invalid_tx(&InvalidTransaction::NonceTooLow {
                tx: envelope.nonce(),
                state: next,
            }));
        }
        if envelope.nonce() > next {
            return Err(invalid_tx(&InvalidTransaction::NonceTooHigh {
                tx: envelope.nonce(),
                state: next,
            }));
        }
        // A full block is sealed first (with --block-time), so the transaction fits the next.
        if !self.automine && node.pending_gas() + envelope.gas_limit() > BLOCK_GAS_LIMIT {
            self.seal(c, None)?;
        }
        let block = self.next_block(c);
        let node = &self.nodes[c];
        let hashes = node.hashes();
        let asset = self.asset(chain)?;
        let db = ChainDb {
            protocol: self.net.state(),
            chain,
            asset,
            evm: &node.evm,
            hashes,
        };
        // The block's transactions are numbered from 0; the block gas limit keeps them far
        // below u16::MAX (at least 21,000 gas each).
        let tx_number = u16::try_from(node.pending.len())
            .map_err(|_| RpcError::server("block holds too many transactions"))?;
        let dispatch = SystemDispatch::new(&self.net, chain, asset, node.info.role != Role::L1)
            .in_transaction(tx_number);
        let (out, dispatch) = crate::evm::run(
            db,
            &block,
            tx_env(&envelope, from),
            Mode::Transact,
            dispatch,
        );
        let out = match out {
            Ok(out) => out,
            Err(EVMError::Transaction(e)) => return Err(invalid_tx(&e)),
            Err(e) => return Err(RpcError::server(e.to_string())),
        };
        let SystemDispatch {
            mut net,
            mut events,
            ..
        } = dispatch;
        let commit = plan_commit(db, net.state(), block.coinbase, &out.state)
            .map_err(|e| RpcError::new(crate::rpc::INTERNAL_ERROR, e.to_string()))?;
        if !commit.transfers.is_empty() {
            let evs = net
                .apply(Action::Batch(commit.transfers))
                .map_err(|e| RpcError::new(crate::rpc::INTERNAL_ERROR, e.to_string()))?;
            events.extend(evs);
        }
        // Nothing has changed until here: the working network becomes the network.
        self.net = net;
        for ev in &events {
            if let Event::InteropBundleSent { chain, bundle, .. } = ev {
                if let Ok(sealed) = SealedBundle::from_encoded(&bundle.abi_encode()) {
                    self.relay_queue.push((*chain, sealed));
                }
            }
        }
        self.log.extend(events);
        let node = &mut self.nodes[c];
        node.evm = commit.evm;
        node.pending_timestamp.get_or_insert(block.timestamp);
        let result = out.result;
        let contract_address = match &result {
            ExecutionResult::Success {
                output: revm::context::result::Output::Create(_, addr),
                ..
            } => *addr,
            _ => None,
        };
        let gas_used = result.tx_gas_used();
        let first_log_index = node.pending.iter().map(|t| t.logs.len() as u64).sum();
        let record = TxRecord {
            hash,
            from,
            block_number: block.number,
            index: node.pending.len() as u64,
            status: result.is_success(),
            gas_used,
            cumulative_gas_used: node.pending_gas() + gas_used,
            effective_gas_price: envelope.effective_gas_price(Some(BASE_FEE)),
            contract_address,
            logs: result.logs().to_vec(),
            first_log_index,
            output: result.output().cloned().unwrap_or_default(),
            envelope,
        };
        node.pending.push(record);
        if self.automine {
            self.seal(c, None)?;
        }
        Ok(hash)
    }

    /// Signs a request for a dev account, filling nonce, gas and fees.
    fn sign_for_dev(&self, c: usize, req: TransactionRequest) -> Result<TxEnvelope, RpcError> {
        let from = req
            .from
            .ok_or_else(|| RpcError::invalid_params("from is required"))?;
        let signer = self
            .accounts
            .iter()
            .find(|a| a.address == from)
            .map(|a| a.signer.clone())
            .ok_or_else(|| RpcError::server(format!("unknown account {from}")))?;
        self.sign_with(c, req, &signer)
    }

    /// Signs a request with `signer`, filling nonce, gas and fees.
    fn sign_with(
        &self,
        c: usize,
        mut req: TransactionRequest,
        signer: &alloy_signer_local::PrivateKeySigner,
    ) -> Result<TxEnvelope, RpcError> {
        let from = signer.address();
        req.from = Some(from);
        let chain = self.nodes[c].info.id;
        req.chain_id = Some(chain);
        if req.nonce.is_none() {
            req.nonce = Some(self.nodes[c].evm.nonce(from));
        }
        if req.gas_price.is_none() {
            req.max_fee_per_gas.get_or_insert(u128::from(BASE_FEE) * 2);
            req.max_priority_fee_per_gas.get_or_insert(0);
        }
        if req.gas.is_none() {
            req.gas = Some(self.estimate(c, &req, None)?);
        }
        if req.to.is_none() {
            req.to = Some(TxKind::Create);
        }
        let mut tx = req
            .build_typed_tx()
            .map_err(|_| RpcError::invalid_params("cannot build a transaction from the request"))?;
        let sig = alloy_network::TxSignerSync::sign_transaction_sync(signer, &mut tx)
            .map_err(|e| RpcError::server(e.to_string()))?;
        Ok(tx.into_envelope(sig))
    }

    /// Answers one call on the chain at index `c` (port order).
    pub fn call(&mut self, c: usize, call: &Call) -> Result<Value, RpcError> {
        let Some(node) = self.nodes.get(c) else {
            return Err(RpcError::new(crate::rpc::INTERNAL_ERROR, "no such chain"));
        };
        let id = node.info.id;
        let p = call.positional()?;
        match call.method.as_str() {
            "web3_clientVersion" => {
                at_most(p, 0)?;
                Ok(json!(CLIENT_VERSION))
            }
            "eth_chainId" => {
                at_most(p, 0)?;
                Ok(quantity(id))
            }
            "net_version" => {
                at_most(p, 0)?;
                Ok(json!(id.to_string()))
            }
            "net_listening" => {
                at_most(p, 0)?;
                Ok(json!(true))
            }
            "eth_syncing" => {
                at_most(p, 0)?;
                Ok(json!(false))
            }
            "eth_accounts" => {
                at_most(p, 0)?;
                Ok(json!(self
                    .accounts
                    .iter()
                    .map(|a| a.address)
                    .collect::<Vec<_>>()))
            }
            "eth_blockNumber" => {
                at_most(p, 0)?;
                Ok(quantity(node.head().record.number))
            }
            "eth_getBalance" => {
                at_most(p, 2)?;
                let who: Address = param(p, 0, "address")?;
                let (state, _) = self.at(c, Self::block_id(p, 1)?)?;
                let balance: U256 = state
                    .chain(id)
                    .map(|ch| ch.base_balance(who))
                    .map_err(|e| RpcError::server(e.to_string()))?;
                Ok(json!(balance))
            }
            "eth_getTransactionCount" => {
                at_most(p, 2)?;
                let who: Address = param(p, 0, "address")?;
                let (_, evm) = self.at(c, Self::block_id(p, 1)?)?;
                Ok(quantity(evm.nonce(who)))
            }
            "eth_getCode" => {
                at_most(p, 2)?;
                let who: Address = param(p, 0, "address")?;
                let (_, evm) = self.at(c, Self::block_id(p, 1)?)?;
                Ok(json!(evm.code_of(who)))
            }
            "eth_getStorageAt" => {
                at_most(p, 3)?;
                let who: Address = param(p, 0, "address")?;
                let slot: U256 = param(p, 1, "slot")?;
                let (_, evm) = self.at(c, Self::block_id(p, 2)?)?;
                Ok(json!(B256::from(evm.slot(who, slot))))
            }
            "eth_call" => {
                at_most(p, 3)?;
                let req: TransactionRequest = param(p, 0, "transaction")?;
                let gas = req.gas.unwrap_or(BLOCK_GAS_LIMIT).min(BLOCK_GAS_LIMIT);
                let (r, _) = self.simulate(c, &req, Self::block_id(p, 1)?, gas)?;
                match execution_error(&r) {
                    Some(e) => Err(e),
                    None => Ok(json!(r.output().cloned().unwrap_or_default())),
                }
            }
            "eth_estimateGas" => {
                at_most(p, 3)?;
                let req: TransactionRequest = param(p, 0, "transaction")?;
                Ok(quantity(self.estimate(c, &req, Self::block_id(p, 1)?)?))
            }
            "eth_gasPrice" => {
                at_most(p, 0)?;
                Ok(quantity(BASE_FEE))
            }
            "eth_maxPriorityFeePerGas" => {
                at_most(p, 0)?;
                Ok(quantity(0))
            }
            "eth_feeHistory" => {
                at_most(p, 3)?;
                let count: U256 = param(p, 0, "blockCount")?;
                let newest: BlockNumberOrTag = param(p, 1, "newestBlock")?;
                let percentiles: Option<Vec<f64>> = match p.get(2) {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(param(p, 2, "rewardPercentiles")?),
                };
                let newest = crate::filters::resolve(node, newest).min(node.head().record.number);
                let count = u64::try_from(count)
                    .unwrap_or(u64::MAX)
                    .min(1024)
                    .min(newest + 1);
                let oldest = newest + 1 - count;
                let blocks: Vec<&crate::chain::Block> = (oldest..=newest)
                    .filter_map(|n| node.blocks.get(n as usize))
                    .collect();
                let mut v = json!({
                    "oldestBlock": quantity(oldest),
                    "baseFeePerGas": vec![quantity(BASE_FEE); blocks.len() + 1],
                    "gasUsedRatio": blocks.iter().map(|b| b.header.gas_used as f64 / BLOCK_GAS_LIMIT as f64).collect::<Vec<_>>(),
                    "baseFeePerBlobGas": vec![quantity(0); blocks.len() + 1],
                    "blobGasUsedRatio": vec![0.0; blocks.len()],
                });
                if let (Some(pc), Some(obj)) = (percentiles, v.as_object_mut()) {
                    obj.insert(
                        "reward".into(),
                        json!(blocks
                            .iter()
                            .map(|_| vec![quantity(0); pc.len()])
                            .collect::<Vec<_>>()),
                    );
                }
                Ok(v)
            }
            "eth_getBlockByNumber" => {
                at_most(p, 2)?;
                let tag: BlockNumberOrTag = param(p, 0, "block")?;
                let full: bool = param(p, 1, "full")?;
                let n = crate::filters::resolve(node, tag);
                Ok(node.rpc_block(n, full).unwrap_or(Value::Null))
            }
            "eth_getBlockByHash" => {
                at_most(p, 2)?;
                let h: B256 = param(p, 0, "hash")?;
                let full: bool = param(p, 1, "full")?;
                Ok(node
                    .by_hash
                    .get(&h)
                    .and_then(|n| node.rpc_block(*n, full))
                    .unwrap_or(Value::Null))
            }
            "eth_getTransactionByHash" => {
                at_most(p, 1)?;
                let h: B256 = param(p, 0, "hash")?;
                Ok(node
                    .txs
                    .get(&h)
                    .and_then(|t| node.placed(t).map(|(bh, ts)| t.rpc_transaction(bh, ts)))
                    .map_or(Value::Null, |t| json!(t)))
            }
            "eth_getTransactionReceipt" => {
                at_most(p, 1)?;
                let h: B256 = param(p, 0, "hash")?;
                let Some((t, (bh, ts))) = node.txs.get(&h).and_then(|t| Some((t, node.placed(t)?)))
                else {
                    return Ok(Value::Null);
                };
                let mut r = json!(t.rpc_receipt(bh, ts));
                if let Some(obj) = r.as_object_mut() {
                    obj.insert("l2ToL1Logs".into(), json!(self.l2_to_l1_logs(id, t, bh)));
                }
                Ok(r)
            }
            "eth_sendRawTransaction" => {
                at_most(p, 1)?;
                let raw: Bytes = param(p, 0, "data")?;
                let env = TxEnvelope::decode_2718_exact(&raw).map_err(|e| {
                    RpcError::invalid_params(format!("cannot decode transaction: {e}"))
                })?;
                Ok(json!(self.submit(c, env)?))
            }
            "eth_sendTransaction" => {
                at_most(p, 1)?;
                let req: TransactionRequest = param(p, 0, "transaction")?;
                let env = self.sign_for_dev(c, req)?;
                Ok(json!(self.submit(c, env)?))
            }
            "eth_getLogs" => {
                at_most(p, 1)?;
                let f: Filter = param(p, 0, "filter")?;
                let (from, to) = crate::filters::range(node, &f)?;
                Ok(json!(crate::filters::logs(node, &f, from, to)))
            }
            "eth_newFilter" => {
                at_most(p, 1)?;
                let f: Filter = param(p, 0, "filter")?;
                crate::filters::range(node, &f)?;
                let last = node.head().record.number;
                Ok(self.install(
                    c,
                    InstalledFilter::Logs {
                        filter: Box::new(f),
                        last,
                    },
                ))
            }
            "eth_newBlockFilter" => {
                at_most(p, 0)?;
                let last = node.head().record.number;
                Ok(self.install(c, InstalledFilter::Blocks { last }))
            }
            "eth_getFilterChanges" => {
                at_most(p, 1)?;
                let fid: U256 = param(p, 0, "id")?;
                let head = node.head().record.number;
                let f = node
                    .filters
                    .get(&fid)
                    .cloned()
                    .ok_or_else(|| RpcError::server("filter not found"))?;
                let (out, updated) = match f {
                    InstalledFilter::Logs { filter, last } => (
                        json!(crate::filters::logs(node, &filter, last + 1, head)),
                        InstalledFilter::Logs { filter, last: head },
                    ),
                    InstalledFilter::Blocks { last } => (
                        json!(crate::filters::new_blocks(node, last)),
                        InstalledFilter::Blocks { last: head },
                    ),
                };
                self.nodes[c].filters.insert(fid, updated);
                Ok(out)
            }
            "eth_getFilterLogs" => {
                at_most(p, 1)?;
                let fid: U256 = param(p, 0, "id")?;
                match node.filters.get(&fid) {
                    Some(InstalledFilter::Logs { filter, .. }) => {
                        let (from, to) = crate::filters::range(node, filter)?;
                        Ok(json!(crate::filters::logs(node, filter, from, to)))
                    }
                    _ => Err(RpcError::server("filter not found")),
                }
            }
            "eth_uninstallFilter" => {
                at_most(p, 1)?;
                let fid: U256 = param(p, 0, "id")?;
                Ok(json!(self.nodes[c].filters.remove(&fid).is_some()))
            }
            "anvil_setBalance" => {
                at_most(p, 2)?;
                let who: Address = param(p, 0, "address")?;
                let target: U256 = param(p, 1, "balance")?;
                let asset = self.asset(id)?;
                let now = node_balance(self.net.state(), id, asset, who);
                if target > now {
                    self.apply(Action::Fund {
                        chain: id,
                        asset,
                        to: who,
                        amount: target - now,
                    })?;
                } else if target < now {
                    self.apply(Action::Defund {
                        chain: id,
                        asset,
                        from: who,
                        amount: now - target,
                    })?;
                }
                Ok(Value::Null)
            }
            "evm_mine" => {
                at_most(p, 1)?;
                let ts: Option<u64> = match p.first() {
                    None | Some(Value::Null) => None,
                    Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
                        RpcError::invalid_params("timestamp must be a non-negative integer")
                    })?,
                    Some(Value::String(s)) => Some(parse_quantity(s)?),
                    Some(_) => {
                        return Err(RpcError::invalid_params(
                            "evm_mine takes an optional timestamp",
                        ))
                    }
                };
                if let Some(t) = ts {
                    if t < node.head().record.timestamp {
                        return Err(RpcError::invalid_params(
                            "timestamp is before the head block's",
                        ));
                    }
                }
                self.seal(c, ts)?;
                Ok(json!("0x0"))
            }
            "evm_increaseTime" => {
                at_most(p, 1)?;
                let secs: u64 = match p.first() {
                    Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
                        RpcError::invalid_params("seconds must be a non-negative integer")
                    })?,
                    Some(Value::String(s)) => parse_quantity(s)?,
                    _ => {
                        return Err(RpcError::invalid_params(
                            "evm_increaseTime takes a number of seconds",
                        ))
                    }
                };
                self.time_offset = self.time_offset.saturating_add(secs);
                Ok(quantity(self.time_offset))
            }
            "evm_snapshot" => {
                at_most(p, 0)?;
                let sid = self.next_snapshot;
                self.next_snapshot += 1;
                let mut copy = self.clone();
                copy.snapshots.clear();
                self.snapshots.insert(sid, Box::new(copy));
                Ok(quantity(sid))
            }
            "evm_revert" => {
                at_most(p, 1)?;
                let sid: U256 = param(p, 0, "id")?;
                let sid =
                    u64::try_from(sid).map_err(|_| RpcError::invalid_params("unknown snapshot"))?;
                let Some(saved) = self.snapshots.remove(&sid) else {
                    return Ok(json!(false));
                };
                // Later snapshots die with the reverted state; earlier ones stay.
                let mut keep = std::mem::take(&mut self.snapshots);
                keep.retain(|k, _| *k < sid);
                *self = *saved;
                self.snapshots = keep;
                Ok(json!(true))
            }
            "zks_getL2ToL1LogProof" => {
                at_most(p, 3)?;
                let tx: B256 = param(p, 0, "txHash")?;
                let index: u64 = match p.get(1) {
                    None | Some(Value::Null) => 0,
                    Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
                        RpcError::invalid_params("index must be a non-negative integer")
                    })?,
                    Some(Value::String(s)) => parse_quantity(s)?,
                    Some(_) => return Err(RpcError::invalid_params("index must be a number")),
                };
                match p.get(2) {
                    None | Some(Value::Null) => {}
                    Some(Value::String(s)) if s == "messageRoot" => {}
                    Some(_) => {
                        return Err(RpcError::invalid_params(
                            "only the \"messageRoot\" proof target is served",
                        ))
                    }
                }
                let index = usize::try_from(index).unwrap_or(usize::MAX);
                Ok(self.log_proof(c, tx, index)?.unwrap_or(Value::Null))
            }
            "zks_getBridgehubContract" => {
                at_most(p, 0)?;
                Ok(json!(crate::system::BRIDGEHUB))
            }
            "zks_L1ChainId" => {
                at_most(p, 0)?;
                Ok(quantity(self.layout.l1_chain_id))
            }
            m => Err(RpcError::method_not_found(m)),
        }
    }

    /// The `--batch-interval` tick: every L2 with logs in its open batch seals it, Gateway
    /// then seals a batch committing to them (settling on L1), and every L2 imports Gateway's
    /// new batch root — the model's settlement pipeline (`relayer::settle_for`), all or
    /// nothing. Every chain's blocks so far become `finalized`. Returns whether a batch was
    /// sealed.
    pub fn settle(&mut self) -> Result<bool, RpcError> {
        let state = self.net.state();
        let gateway = self.layout.gateway_chain_id;
        let l2s: Vec<ChainId> = self.layout.chains.iter().map(|c| c.chain_id).collect();
        let sealing: Vec<ChainId> = l2s
            .iter()
            .copied()
            .filter(|id| {
                state
                    .chains
                    .get(id)
                    .is_some_and(|c| !c.pending_logs.is_empty())
            })
            .collect();
        let sealed = !sealing.is_empty();
        if sealed {
            let mut actions: Vec<Action> = sealing
                .iter()
                .map(|id| Action::SettleBatch { chain: *id })
                .collect();
            actions.push(Action::SettleBatch { chain: gateway });
            let g = state.chain(gateway).map_or(0, |c| c.batches.len() as u64) + 1;
            actions.extend(l2s.iter().map(|id| Action::ImportInteropRoot {
                chain: *id,
                source: gateway,
                batch: g,
            }));
            self.apply(Action::Batch(actions))?;
        }
        for n in &mut self.nodes {
            n.finalized = n.head().record.number;
        }
        Ok(sealed)
    }

    /// `zks_getL2ToL1LogProof(txHash, index)`: the proof of the `index`-th L1-messenger log
    /// of a transaction that sent a bundle, against a Gateway root its destination has
    /// imported; `None` while there is none yet.
    fn log_proof(&self, c: usize, tx: B256, index: usize) -> Result<Option<Value>, RpcError> {
        let node = &self.nodes[c];
        let Some(t) = node.txs.get(&tx) else {
            return Ok(None);
        };
        let Some(log) = t
            .logs
            .iter()
            .filter(|l| l.address == L1_MESSENGER)
            .nth(index)
        else {
            return Err(RpcError::invalid_params(format!(
                "transaction {tx} has no L1 messenger log {index}"
            )));
        };
        let message = match crate::system::abi::L1MessageSent::decode_log_data(&log.data) {
            Ok(m) => m._message,
            Err(_) => return Err(RpcError::server("unreadable messenger log")),
        };
        let Some(encoded) = message.get(1..) else {
            return Err(RpcError::server("empty message"));
        };
        let sealed = SealedBundle::from_encoded(encoded)
            .map_err(|e| RpcError::server(format!("not a bundle message: {e}")))?;
        let source = node.info.id;
        let Ok(dest) = u64::try_from(sealed.bundle.destinationChainId) else {
            return Ok(None);
        };
        let proof = match self.net.prove_bundle(source, &sealed, dest) {
            Ok(p) => p,
            Err(_) => return Ok(None),
        };
        // The Gateway batch whose root the proof climbs to: the first imported root on the
        // destination that covers the source batch (as the prover searches).
        let state = self.net.state();
        let gateway = self.layout.gateway_chain_id;
        let src = state
            .chain(source)
            .map_err(|e| RpcError::server(e.to_string()))?;
        let b = src
            .batch(proof.l1_batch_number)
            .ok_or_else(|| RpcError::server("batch missing"))?;
        let (Some(leaf), Some(first)) = (b.sl_leaf_index, b.sl_first_batch) else {
            return Ok(None);
        };
        let dst = state
            .chain(dest)
            .map_err(|e| RpcError::server(e.to_string()))?;
        let gw = state
            .chain(gateway)
            .map_err(|e| RpcError::server(e.to_string()))?;
        let covering = dst
            .interop_roots
            .range((gateway, first)..=(gateway, u64::MAX))
            .find(|((_, g), _)| {
                gw.batch(*g)
                    .and_then(|gb| gb.aggregation.as_ref())
                    .and_then(|a| a.chains.get(&source))
                    .is_some_and(|e| e.tree.len() > leaf)
            });
        let Some(((_, g), root)) = covering else {
            return Ok(None);
        };
        Ok(Some(json!({
            "batchNumber": quantity(proof.l1_batch_number),
            "id": quantity(proof.l2_message_index),
            "proof": proof.proof,
            "root": root,
            "gatewayBlockNumber": quantity(*g),
        })))
    }

    /// A receipt's `l2ToL1Logs`, as ZKsync nodes list them: one per L1-messenger log of the
    /// transaction, a service log from the messenger whose key is the message's sender and
    /// whose value is the message's hash, with the batch and leaf index the message occupies
    /// (`id` in `zks_getL2ToL1LogProof`).
    fn l2_to_l1_logs(&self, chain: ChainId, t: &TxRecord, block_hash: B256) -> Vec<Value> {
        let outbox = self.net.state().chains.get(&chain).map(|c| &c.outbox);
        t.logs
            .iter()
            .filter(|l| l.address == L1_MESSENGER)
            .enumerate()
            .filter_map(|(i, l)| {
                let sent = crate::system::abi::L1MessageSent::decode_log_data(&l.data).ok()?;
                let bundle = SealedBundle::from_encoded(sent._message.get(1..)?).ok();
                let loc = bundle.and_then(|b| outbox?.get(&b.hash).copied());
                Some(json!({
                    "blockNumber": quantity(t.block_number),
                    "blockHash": block_hash,
                    "l1BatchNumber": loc.map(|l| quantity(l.batch)),
                    "transactionIndex": quantity(t.index),
                    "transactionHash": t.hash,
                    "transactionLogIndex": quantity(i as u64),
                    "logIndex": quantity(i as u64),
                    "shardId": quantity(0),
                    "isService": true,
                    "sender": L1_MESSENGER,
                    "key": B256::left_padding_from(sent._sender.as_slice()),
                    "value": sent._hash,
                    "id": loc.map(|l| quantity(u64::from(l.index))),
                }))
            })
            .collect()
    }

    /// The relayer's address (funded on every chain at genesis).
    pub fn relayer_address(&self) -> Address {
        self.relayer.address
    }

    /// Auto-relay: every sent bundle that can now be proven on its destination is executed
    /// there by the relayer's signed `executeBundle` transaction (so it has a receipt and the
    /// InteropHandler's logs). A bundle whose execution would fail (another executor named,
    /// a call the model cannot deliver) is left to clients; one not yet provable waits for
    /// the next tick. Returns the relayer's transaction hashes.
    pub fn relay(&mut self) -> Vec<B256> {
        let mut done = Vec::new();
        let queue = std::mem::take(&mut self.relay_queue);
        let mut keep = Vec::new();
        for (source, sealed) in queue {
            let Some(dest) = u64::try_from(sealed.bundle.destinationChainId).ok() else {
                continue;
            };
            let Some(c) = self.nodes.iter().position(|n| n.info.id == dest) else {
                continue;
            };
            let handled = self
                .net
                .state()
                .chains
                .get(&dest)
                .and_then(|ch| ch.bundle_status(&sealed.hash))
                .is_some_and(|s| s != flywheel_protocol::chain::BundleStatus::Verified);
            if handled {
                continue;
            }
            let Ok(proof) = self.net.prove_bundle(source, &sealed, dest) else {
                keep.push((source, sealed));
                continue;
            };
            let data = crate::system::abi::executeBundleCall {
                _bundle: sealed.encoded.clone(),
                _proof: crate::dispatch::abi_proof(&proof),
            }
            .abi_encode();
            let req = TransactionRequest {
                from: Some(self.relayer.address),
                to: Some(TxKind::Call(flywheel_protocol::chain::INTEROP_HANDLER)),
                input: Bytes::from(data).into(),
                ..TransactionRequest::default()
            };
            let signer = self.relayer.signer.clone();
            // sign_with estimates gas, which fails if the execution would revert.
            let Ok(env) = self.sign_with(c, req, &signer) else {
                continue;
            };
            if let Ok(h) = self.submit(c, env) {
                done.push(h);
            }
        }
        keep.append(&mut self.relay_queue);
        self.relay_queue = keep;
        done
    }

    fn install(&mut self, c: usize, f: InstalledFilter) -> Value {
        let node = &mut self.nodes[c];
        let fid = U256::from(node.next_filter);
        node.next_filter += 1;
        node.filters.insert(fid, f);
        json!(fid)
    }
}

fn node_balance(state: &State, chain: ChainId, asset: AssetId, who: Address) -> U256 {
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

fn chain_infos(layout: &Layout) -> Vec<ChainInfo> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::{INVALID_PARAMS, METHOD_NOT_FOUND};

    fn call(method: &str, params: Value) -> Call {
        Call {
            id: Some(json!(1)),
            method: method.into(),
            params,
        }
    }

    #[test]
    fn every_chain_answers_its_id_and_funds_the_dev_accounts_in_its_base_token() {
        let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
        let dev = d.accounts()[3].address;
        for c in 0..d.chains().len() {
            let id = d.chains()[c].id;
            assert_eq!(
                d.call(c, &call("eth_chainId", json!([]))).unwrap(),
                quantity(id)
            );
            assert_eq!(
                d.call(c, &call("net_version", Value::Null)).unwrap(),
                json!(id.to_string())
            );
            let b = d
                .call(c, &call("eth_getBalance", json!([dev, "latest"])))
                .unwrap();
            assert_eq!(b, json!(tokens(DEV_BASE_BALANCE_TOKENS)));
            // The balance is the protocol's: its chain's base-token ledger.
            let ch = d.network().state().chain(id).unwrap();
            assert_eq!(ch.base_balance(dev), tokens(DEV_BASE_BALANCE_TOKENS));
        }
        let nobody = Address::repeat_byte(0x42);
        let b = d.call(0, &call("eth_getBalance", json!([nobody]))).unwrap();
        assert_eq!(b, json!("0x0"));
        assert_eq!(
            d.network()
                .state()
                .token
                .balance_of(d.accounts()[0].address),
            tokens(DEV_ZK_TOKENS)
        );
    }

    #[test]
    fn bad_params_and_unknown_methods_are_refused() {
        let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
        let bad = [
            ("eth_getBalance", json!([])),
            ("eth_getBalance", json!(["0x12"])),
            ("eth_getBalance", json!([Address::ZERO, "0xzz"])),
            ("eth_getBalance", json!([Address::ZERO, "latest", 1])),
            ("eth_chainId", json!([1])),
            ("eth_blockNumber", json!({"a": 1})),
        ];
        for (m, p) in bad {
            assert_eq!(
                d.call(0, &call(m, p.clone())).unwrap_err().code,
                INVALID_PARAMS,
                "{m} {p}"
            );
        }
        for m in ["eth_fillTransaction", "eth_nope"] {
            assert_eq!(
                d.call(0, &call(m, json!([]))).unwrap_err().code,
                METHOD_NOT_FOUND
            );
        }
        let e = d
            .call(0, &call("eth_getBalance", json!([Address::ZERO, "0x5"])))
            .unwrap_err();
        assert_eq!(e.code, crate::rpc::SERVER_ERROR);
    }

    #[test]
    fn restore_replays_to_the_same_state() {
        let d = Devnet::new(Layout::with_l2s(2), 1_700_000_000).unwrap();
        let r = Devnet::restore(d.saved()).unwrap();
        assert_eq!(r.network().state(), d.network().state());
        assert_eq!(r.block_records(), d.block_records());
        let mut past_log = d.saved();
        past_log.chains[0].blocks[0].events_end = d.log().len() + 1;
        assert!(Devnet::restore(past_log).is_err());
    }
}
