//! The JSON-RPC method table: each method's parameters, checked, and its answer from the
//! chain's blocks, the protocol state and the pipeline.

use super::pipeline::execution_error;
use super::{node_balance, Devnet, CLIENT_VERSION};
use crate::chain::TxRecord;
use crate::evm::{BASE_FEE, BLOCK_GAS_LIMIT};
use crate::filters::{Installed, InstalledFilter};
use crate::limits::{MAX_FEE_HISTORY_BLOCKS, MAX_FILTERS, MAX_REWARD_PERCENTILES};
use crate::overrides::CallOverrides;
use crate::rpc::{Call, RpcError};
use alloy_consensus::TxEnvelope;
use alloy_eips::eip2718::Decodable2718;
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_sol_types::SolEvent;
use flywheel_protocol::chain::L1_MESSENGER;
use flywheel_protocol::interop::bundle::SealedBundle;
use flywheel_protocol::network::Action;
use flywheel_protocol::ChainId;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::time::Instant;

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
pub(super) fn param<T: DeserializeOwned>(
    params: &[Value],
    i: usize,
    name: &str,
) -> Result<T, RpcError> {
    let v = params
        .get(i)
        .ok_or_else(|| RpcError::invalid_params(format!("missing parameter {i} ({name})")))?;
    serde_json::from_value(v.clone())
        .map_err(|e| RpcError::invalid_params(format!("parameter {i} ({name}): {e}")))
}

/// `eth_feeHistory`'s reward percentiles: at most [`MAX_REWARD_PERCENTILES`], each in
/// [0, 100], none below the one before (a client's sorted list, as geth requires).
pub(super) fn check_percentiles(pc: &[f64]) -> Result<(), RpcError> {
    let bad = |m: String| RpcError::invalid_params(format!("parameter 2 (rewardPercentiles): {m}"));
    if pc.len() > MAX_REWARD_PERCENTILES {
        return Err(bad(format!(
            "at most {MAX_REWARD_PERCENTILES} entries, got {}",
            pc.len()
        )));
    }
    for (i, p) in pc.iter().enumerate() {
        if !(0.0..=100.0).contains(p) {
            return Err(bad(format!("entry {i} is {p}, outside [0, 100]")));
        }
        if let Some(prev) = i.checked_sub(1).and_then(|j| pc.get(j)) {
            if p < prev {
                return Err(bad(format!(
                    "entry {i} ({p}) is below entry {} ({prev}): percentiles must not decrease",
                    i - 1
                )));
            }
        }
    }
    Ok(())
}

/// Refuses more parameters than a method takes.
pub(super) fn at_most(params: &[Value], n: usize) -> Result<(), RpcError> {
    if params.len() > n {
        return Err(RpcError::invalid_params(format!(
            "too many parameters: at most {n}, got {}",
            params.len()
        )));
    }
    Ok(())
}

impl Devnet {
    pub(super) fn block_id(params: &[Value], i: usize) -> Result<Option<BlockId>, RpcError> {
        match params.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => param(params, i, "block").map(Some),
        }
    }

    /// Answers one call on the chain at index `c` (port order).
    pub fn call(&mut self, c: usize, call: &Call) -> Result<Value, RpcError> {
        if call.method.contains("Filter") {
            self.expire_filters(c);
        }
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
                let overrides = CallOverrides::from_param(p)?;
                let (r, _) =
                    self.simulate(c, &req, Self::block_id(p, 1)?, gas, overrides.as_ref())?;
                match execution_error(&r) {
                    Some(e) => Err(e),
                    None => Ok(json!(r.output().cloned().unwrap_or_default())),
                }
            }
            "eth_estimateGas" => {
                at_most(p, 3)?;
                let req: TransactionRequest = param(p, 0, "transaction")?;
                let overrides = CallOverrides::from_param(p)?;
                Ok(quantity(self.estimate(
                    c,
                    &req,
                    Self::block_id(p, 1)?,
                    overrides.as_ref(),
                )?))
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
                if let Some(pc) = &percentiles {
                    check_percentiles(pc)?;
                }
                let newest = crate::filters::resolve(node, newest).min(node.head().record.number);
                let count = u64::try_from(count)
                    .unwrap_or(u64::MAX)
                    .min(MAX_FEE_HISTORY_BLOCKS)
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
                self.install(
                    c,
                    InstalledFilter::Logs {
                        filter: Box::new(f),
                        last,
                    },
                )
            }
            "eth_newBlockFilter" => {
                at_most(p, 0)?;
                let last = node.head().record.number;
                self.install(c, InstalledFilter::Blocks { last })
            }
            "eth_getFilterChanges" => {
                at_most(p, 1)?;
                let fid: U256 = param(p, 0, "id")?;
                let head = node.head().record.number;
                let f = node
                    .filters
                    .get(&fid)
                    .map(|f| f.filter.clone())
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
                self.nodes[c].filters.insert(
                    fid,
                    Installed {
                        filter: updated,
                        polled: Instant::now(),
                    },
                );
                Ok(out)
            }
            "eth_getFilterLogs" => {
                at_most(p, 1)?;
                let fid: U256 = param(p, 0, "id")?;
                let out = match node.filters.get(&fid).map(|f| &f.filter) {
                    Some(InstalledFilter::Logs { filter, .. }) => {
                        let (from, to) = crate::filters::range(node, filter)?;
                        json!(crate::filters::logs(node, filter, from, to))
                    }
                    _ => return Err(RpcError::server("filter not found")),
                };
                if let Some(f) = self.nodes[c].filters.get_mut(&fid) {
                    f.polled = Instant::now();
                }
                Ok(out)
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
            "flywheel_traceBundle" => {
                at_most(p, 1)?;
                let hash: B256 = param(p, 0, "hash")?;
                self.trace(hash)
            }
            "zks_getBridgehubContract" => {
                at_most(p, 0)?;
                // The L1 Bridgehub, as ZKsync nodes answer (clients read the L1 contracts
                // from it: zksync-js `ensureAddresses`).
                Ok(json!(flywheel_protocol::bridge::addresses::bridgehub()))
            }
            "zks_L1ChainId" => {
                at_most(p, 0)?;
                Ok(quantity(self.layout.l1_chain_id))
            }
            m => Err(RpcError::method_not_found(m)),
        }
    }

    /// A receipt's `l2ToL1Logs`, as ZKsync nodes list them: one per L1-messenger log of the
    /// transaction, a service log from the messenger whose key is the message's sender and
    /// whose value is the message's hash, with the batch and leaf index the message occupies
    /// (`id` in `zks_getL2ToL1LogProof`).
    pub(super) fn l2_to_l1_logs(
        &self,
        chain: ChainId,
        t: &TxRecord,
        block_hash: B256,
    ) -> Vec<Value> {
        let outbox = self.net.state().chains.get(&chain).map(|c| &c.outbox);
        t.logs
            .iter()
            .filter(|l| l.address == L1_MESSENGER)
            .enumerate()
            .filter_map(|(i, l)| {
                let sent = crate::system::abi::L1MessageSent::decode_log_data(&l.data).ok()?;
                let bundle = SealedBundle::from_encoded(sent._message.get(1..)?).ok();
                let loc = match bundle {
                    Some(b) => outbox.and_then(|o| o.get(&b.hash).copied()),
                    None => self
                        .nodes
                        .iter()
                        .position(|n| n.info.id == chain)
                        .and_then(|c| self.place_message(c, t, sent._sender, &sent._message))
                        .and_then(|p| {
                            Some(flywheel_protocol::chain::MessageLocation {
                                batch: p.batch,
                                index: u32::try_from(p.index).ok()?,
                                tx_number: 0,
                            })
                        }),
                };
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

    /// Installs a filter on chain `c`, unless [`MAX_FILTERS`] are installed there.
    pub(super) fn install(&mut self, c: usize, f: InstalledFilter) -> Result<Value, RpcError> {
        let node = &mut self.nodes[c];
        if node.filters.len() >= MAX_FILTERS {
            return Err(RpcError::server(format!(
                "too many filters: at most {MAX_FILTERS} installed per chain; uninstall one \
                 (eth_uninstallFilter) or leave one unpolled for {} s",
                self.filter_timeout.as_secs()
            )));
        }
        let fid = U256::from(node.next_filter);
        node.next_filter += 1;
        node.filters.insert(
            fid,
            Installed {
                filter: f,
                polled: Instant::now(),
            },
        );
        Ok(json!(fid))
    }

    /// Removes chain `c`'s filters not polled within the filter timeout (checked whenever a
    /// filter method runs, which is when a client could notice).
    fn expire_filters(&mut self, c: usize) {
        let timeout = self.filter_timeout;
        if let Some(node) = self.nodes.get_mut(c) {
            node.filters.retain(|_, f| f.polled.elapsed() < timeout);
        }
    }
}
