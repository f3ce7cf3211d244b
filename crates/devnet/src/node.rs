//! The devnet's state: one protocol [`Network`] for all chains (the one source of truth for
//! balances), each chain's blocks, the dev accounts, and the event log that a state file
//! keeps. JSON-RPC methods are answered here, per chain.

use crate::accounts::{dev_accounts, DevAccount};
use crate::config::{BaseToken, Layout};
use crate::error::DevnetError;
use crate::rpc::{Call, RpcError};
use alloy_primitives::{Address, U256};
use flywheel_protocol::chain::{ChainConfig, ChainKind, DataAvailability, ExecutionEnvironment};
use flywheel_protocol::event::Event;
use flywheel_protocol::genesis::{self, Genesis};
use flywheel_protocol::network::{Action, Network, State};
use flywheel_protocol::units::tokens;
use flywheel_protocol::ChainId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

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

/// A block and the whole protocol state right after it (a persistent-map clone, O(1)), so
/// queries at past blocks read the state of that time.
#[derive(Debug, Clone)]
pub struct Block {
    /// What is recorded.
    pub record: BlockRecord,
    /// The state after it.
    pub state: State,
}

/// A block parameter (`"latest"`, a number…), resolved against a chain's blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockTag {
    /// `latest`, `pending`, `safe`, `finalized` (until settlement is served, every tag is the
    /// head).
    Latest,
    /// `earliest`: genesis.
    Earliest,
    /// A number.
    Number(u64),
}

impl BlockTag {
    /// Parses a block parameter: a tag, a hex quantity, or `{"blockNumber": …}` (EIP-1898).
    pub fn parse(v: &Value) -> Result<Self, RpcError> {
        match v {
            Value::String(s) => match s.as_str() {
                "latest" | "pending" | "safe" | "finalized" => Ok(Self::Latest),
                "earliest" => Ok(Self::Earliest),
                hex => parse_quantity(hex).map(Self::Number),
            },
            Value::Object(o) => match o.get("blockNumber") {
                Some(n) => Self::parse(n),
                None => Err(RpcError::invalid_params(
                    "block parameter: only blockNumber objects are supported",
                )),
            },
            _ => Err(RpcError::invalid_params(
                "block parameter must be a tag or a hex number",
            )),
        }
    }
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

/// The devnet: every chain's state, blocks and the dev accounts.
#[derive(Debug)]
pub struct Devnet {
    layout: Layout,
    genesis_time: u64,
    net: Network,
    log: Vec<Event>,
    chains: Vec<ChainInfo>,
    blocks: Vec<Vec<Block>>,
    accounts: Vec<DevAccount>,
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
        operator: genesis::account(&format!("operator-{name}")),
        admin: genesis::account(&format!("admin-{name}")),
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
    g.zk_allocations
        .extend(devs.iter().map(|a| (*a, tokens(DEV_ZK_TOKENS))));
    g
}

impl Devnet {
    /// A fresh devnet: genesis, then every dev account funded in every chain's base token
    /// (recorded as `Fund` events, so a state file replays them).
    pub fn new(layout: Layout, genesis_time: u64) -> Result<Self, DevnetError> {
        layout.validate()?;
        let accounts = dev_accounts()?;
        let devs: Vec<Address> = accounts.iter().map(|a| a.address).collect();
        let genesis = genesis_of(&layout, genesis_time, &devs);
        let mut net = Network::new(&genesis)?;
        let chains = chain_infos(&layout);
        let mut funding = Vec::new();
        for c in &genesis.chains {
            for a in &devs {
                funding.push(Action::Fund {
                    chain: c.id,
                    asset: c.base_token,
                    to: *a,
                    amount: tokens(DEV_BASE_BALANCE_TOKENS),
                });
            }
        }
        let log = net.apply(Action::Batch(funding))?;
        let record = BlockRecord {
            number: 0,
            timestamp: genesis_time,
            events_end: log.len(),
        };
        let blocks = chains
            .iter()
            .map(|_| {
                vec![Block {
                    record,
                    state: net.state().clone(),
                }]
            })
            .collect();
        Ok(Self {
            layout,
            genesis_time,
            net,
            log,
            chains,
            blocks,
            accounts,
        })
    }

    /// Rebuilds a devnet from a saved layout, event log and block records, replaying the log
    /// (events are the only way state changes, so this gives the saved state exactly).
    pub fn restore(
        layout: Layout,
        genesis_time: u64,
        log: Vec<Event>,
        records: Vec<Vec<BlockRecord>>,
    ) -> Result<Self, String> {
        layout.validate().map_err(|e| e.to_string())?;
        let accounts = dev_accounts().map_err(|e| e.to_string())?;
        let devs: Vec<Address> = accounts.iter().map(|a| a.address).collect();
        let genesis = genesis_of(&layout, genesis_time, &devs);
        let chains = chain_infos(&layout);
        if records.len() != chains.len() {
            return Err(format!(
                "{} chains' blocks for {} chains",
                records.len(),
                chains.len()
            ));
        }
        // Every block boundary, in log order, to snapshot the state as the log is replayed.
        let mut marks: Vec<(usize, usize, usize)> = Vec::new();
        for (c, blocks) in records.iter().enumerate() {
            if blocks.is_empty() {
                return Err(format!("chain {} has no genesis block", chains[c].id));
            }
            for (i, b) in blocks.iter().enumerate() {
                let ordered = i == 0
                    || (b.number == blocks[i - 1].number + 1
                        && b.events_end >= blocks[i - 1].events_end
                        && b.timestamp >= blocks[i - 1].timestamp);
                if b.events_end > log.len() || !ordered || (i == 0 && b.number != 0) {
                    return Err(format!(
                        "chain {}: block {} is out of order or past the log",
                        chains[c].id, b.number
                    ));
                }
                marks.push((b.events_end, c, i));
            }
        }
        marks.sort_unstable();
        let start = Network::new(&genesis).map_err(|e| e.to_string())?;
        let mut state = start.state().clone();
        let mut blocks: Vec<Vec<Block>> = records
            .iter()
            .map(|r| Vec::with_capacity(r.len()))
            .collect();
        let mut applied = 0;
        for (end, c, i) in marks {
            for ev in &log[applied..end] {
                state.apply_event(ev).map_err(|e| e.to_string())?;
            }
            applied = end;
            blocks[c].push(Block {
                record: records[c][i],
                state: state.clone(),
            });
        }
        let net = Network::replay(&genesis, Default::default(), &log).map_err(|e| e.to_string())?;
        Ok(Self {
            layout,
            genesis_time,
            net,
            log,
            chains,
            blocks,
            accounts,
        })
    }

    /// The chains, in port order.
    pub fn chains(&self) -> &[ChainInfo] {
        &self.chains
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

    /// Block records per chain, for a state file.
    pub fn block_records(&self) -> Vec<Vec<BlockRecord>> {
        self.blocks
            .iter()
            .map(|b| b.iter().map(|b| b.record).collect())
            .collect()
    }

    /// The state a block parameter names on chain `c`.
    fn state_at(&self, c: usize, tag: BlockTag) -> Result<&State, RpcError> {
        let blocks = &self.blocks[c];
        let block = match tag {
            // invariant: every chain has its genesis block.
            BlockTag::Latest => blocks.last(),
            BlockTag::Earliest => blocks.first(),
            BlockTag::Number(n) => usize::try_from(n).ok().and_then(|n| blocks.get(n)),
        };
        let Some(block) = block else {
            return Err(RpcError::server("header not found"));
        };
        // The head's state is the network's (a later interop action may have moved balances
        // since the block was made).
        if std::ptr::eq(block, blocks.last().unwrap_or(block)) {
            Ok(self.net.state())
        } else {
            Ok(&block.state)
        }
    }

    fn block_param(&self, params: &[Value], i: usize) -> Result<BlockTag, RpcError> {
        params.get(i).map_or(Ok(BlockTag::Latest), BlockTag::parse)
    }

    /// Answers one call on the chain at index `c` (port order).
    pub fn call(&mut self, c: usize, call: &Call) -> Result<Value, RpcError> {
        let info = self
            .chains
            .get(c)
            .ok_or_else(|| RpcError::new(crate::rpc::INTERNAL_ERROR, "no such chain"))?;
        let id = info.id;
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
                let head = self.blocks[c].last().map_or(0, |b| b.record.number);
                Ok(quantity(head))
            }
            "eth_getBalance" => {
                at_most(p, 2)?;
                let who: Address = param(p, 0, "address")?;
                let tag = self.block_param(p, 1)?;
                let state = self.state_at(c, tag)?;
                let balance: U256 = state
                    .chain(id)
                    .map(|ch| ch.base_balance(who))
                    .map_err(|e| RpcError::server(e.to_string()))?;
                Ok(json!(balance))
            }
            "zks_L1ChainId" => {
                at_most(p, 0)?;
                Ok(quantity(self.layout.l1_chain_id))
            }
            m => Err(RpcError::method_not_found(m)),
        }
    }
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
        let r = Devnet::restore(
            d.layout().clone(),
            d.genesis_time(),
            d.log().to_vec(),
            d.block_records(),
        )
        .unwrap();
        assert_eq!(r.network().state(), d.network().state());
        assert_eq!(r.block_records(), d.block_records());
        let mut past_log = d.block_records();
        past_log[0][0].events_end = d.log().len() + 1;
        assert!(Devnet::restore(d.layout().clone(), 0, d.log().to_vec(), past_log).is_err());
    }
}
