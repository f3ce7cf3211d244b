//! The message tracer (`flywheel_traceBundle`, `flywheel devnet trace`): given a bundle hash or
//! the hash of a transaction that sent, verified, executed or unbundled one, the bundle's path
//! across every chain it touched — sent (chain, transaction, block), sealed and settled in
//! which batches, the interop root imported on its destination, verified, executed or
//! unbundled and by whom — and every refused attempt on the destination with the contract's
//! error and what it means.
//!
//! Everything is read from what the devnet already records: the protocol's event log (every
//! state change is an event) for the path, and the chains' transactions and receipts for who
//! did it and for refusals (a refused action changes nothing, so only its reverted
//! transaction remains). No second bookkeeping.

use crate::chain::TxRecord;
use crate::node::Devnet;
use crate::refusals::{bundle_of_call, explain};
use crate::rpc::RpcError;
use crate::system::abi;
use alloy_consensus::Transaction;
use alloy_primitives::B256;
use alloy_sol_types::SolEvent;
use flywheel_protocol::chain::{CallStatus, INTEROP_CENTER, INTEROP_HANDLER, L1_MESSENGER};
use flywheel_protocol::event::Event;
use flywheel_protocol::interop::bundle::SealedBundle;
use flywheel_protocol::ChainId;
use serde_json::{json, Value};

/// Where a transaction is: chain index (port order) and record.
struct Found<'a> {
    chain: ChainId,
    tx: &'a TxRecord,
}

impl Found<'_> {
    fn json(&self, step: &str) -> Value {
        json!({
            "step": step,
            "chainId": self.chain,
            "tx": self.tx.hash,
            "block": self.tx.block_number,
            "by": self.tx.from,
        })
    }
}

/// The bundle a transaction concerns: the first it sent, or the one its InteropHandler call
/// names.
fn bundle_of_tx(tx: &TxRecord) -> Option<B256> {
    let sent = tx.logs.iter().find_map(|l| {
        if l.address != L1_MESSENGER {
            return None;
        }
        let m = abi::L1MessageSent::decode_log_data(&l.data).ok()?;
        SealedBundle::from_encoded(m._message.get(1..)?)
            .ok()
            .map(|b| b.hash)
    });
    if sent.is_some() {
        return sent;
    }
    if tx.envelope.to() == Some(INTEROP_HANDLER) {
        return bundle_of_call(tx.envelope.input()).map(|b| b.hash);
    }
    None
}

/// Whether `tx` logged InteropCenter's `InteropBundleSent` for `hash` (its data starts with
/// the message hash, then the bundle hash).
fn sent_it(tx: &TxRecord, hash: B256) -> bool {
    tx.logs.iter().any(|l| {
        l.address == INTEROP_CENTER
            && l.topics().first() == Some(&abi::InteropBundleSent::SIGNATURE_HASH)
            && l.data.data.get(32..64) == Some(hash.as_slice())
    })
}

/// Whether `tx` logged the handler event `signature` for `hash` (topic 1).
fn handled_it(tx: &TxRecord, signature: B256, hash: B256) -> bool {
    tx.logs.iter().any(|l| {
        l.address == INTEROP_HANDLER
            && l.topics().first() == Some(&signature)
            && l.topics().get(1) == Some(&hash)
    })
}

fn status_name(s: CallStatus) -> &'static str {
    match s {
        CallStatus::Unprocessed => "unprocessed",
        CallStatus::Executed => "executed",
        CallStatus::Cancelled => "cancelled",
    }
}

impl Devnet {
    /// Chain `id`'s transactions, in block order.
    fn txs_of(&self, id: ChainId) -> Vec<&TxRecord> {
        let Some(node) = (0..self.chains().len())
            .filter_map(|c| self.node(c))
            .find(|n| n.info.id == id)
        else {
            return Vec::new();
        };
        let mut v: Vec<&TxRecord> = node.txs.values().collect();
        v.sort_by_key(|t| (t.block_number, t.index));
        v
    }

    /// Resolves a hash: a transaction on any chain (its bundle), else a bundle hash.
    fn resolve(&self, hash: B256) -> Result<B256, RpcError> {
        for c in 0..self.chains().len() {
            let Some(tx) = self.node(c).and_then(|n| n.txs.get(&hash)) else {
                continue;
            };
            return bundle_of_tx(tx).ok_or_else(|| {
                RpcError::invalid_params(format!(
                    "transaction {hash} on chain {} neither sent a bundle nor called the \
                     InteropHandler with one",
                    self.chains()[c].id
                ))
            });
        }
        Ok(hash)
    }

    /// `flywheel_traceBundle(hash)`: the bundle's path (see the module doc).
    pub fn trace(&self, hash: B256) -> Result<Value, RpcError> {
        let bundle_hash = self.resolve(hash)?;
        let log = self.log();
        let sent = log.iter().enumerate().find_map(|(i, e)| match e {
            Event::InteropBundleSent {
                chain,
                sender,
                bundle_hash: h,
                bundle,
                ..
            } if *h == bundle_hash => Some((i, *chain, *sender, bundle.clone())),
            _ => None,
        });
        let Some((sent_at, source, sender, bundle)) = sent else {
            return Err(RpcError::invalid_params(format!(
                "{hash} is neither a bundle sent on this devnet nor a transaction of one"
            )));
        };
        let dest: ChainId = bundle.destinationChainId.saturating_to();
        let gateway = self.layout().gateway_chain_id;
        let name = |id: ChainId| {
            self.chains()
                .iter()
                .find(|c| c.id == id)
                .map_or_else(String::new, |c| c.name.clone())
        };
        let mut steps = Vec::new();
        // Sent.
        let send_tx = self
            .txs_of(source)
            .into_iter()
            .find(|t| sent_it(t, bundle_hash));
        let mut step = match send_tx {
            Some(tx) => Found { chain: source, tx }.json("sent"),
            None => json!({"step": "sent", "chainId": source, "by": sender}),
        };
        step["calls"] = json!(bundle.calls.len());
        steps.push(step);
        // Sealed and settled: the source's batch, then the Gateway batch that carried it.
        let state = self.network().state();
        let loc = state
            .chains
            .get(&source)
            .and_then(|c| c.outbox.get(&bundle_hash).copied());
        let mut settled_at = None;
        if let Some(loc) = loc {
            let on = log
                .iter()
                .enumerate()
                .skip(sent_at)
                .find_map(|(i, e)| match e {
                    Event::BatchSettled {
                        chain,
                        batch,
                        settlement_layer,
                        ..
                    } if *chain == source && *batch == loc.batch => Some((i, *settlement_layer)),
                    _ => None,
                });
            let mut step = json!({
                "step": "batched",
                "chainId": source,
                "batch": loc.batch,
                "messageIndex": loc.index,
            });
            if let Some((i, layer)) = on {
                step["step"] = json!("settled");
                step["settlementLayer"] = json!(layer);
                settled_at = Some(i);
            }
            steps.push(step);
        }
        // Gateway's batch after it, settled on L1, and the first root of Gateway at or after
        // that batch imported on the destination.
        let gw_batch = settled_at.and_then(|from| {
            log.iter()
                .enumerate()
                .skip(from)
                .find_map(|(i, e)| match e {
                    Event::BatchSettled {
                        chain,
                        batch,
                        settlement_layer,
                        ..
                    } if *chain == gateway => Some((i, *batch, *settlement_layer)),
                    _ => None,
                })
        });
        let mut imported_at = None;
        if let Some((i, g, layer)) = gw_batch {
            steps.push(json!({
                "step": "settled",
                "chainId": gateway,
                "batch": g,
                "settlementLayer": layer,
            }));
            let imported = log.iter().enumerate().skip(i).find_map(|(j, e)| match e {
                Event::InteropRootImported {
                    chain,
                    source: s,
                    batch,
                    root,
                } if *chain == dest && *s == gateway && *batch >= g => Some((j, *batch, *root)),
                _ => None,
            });
            if let Some((j, b, root)) = imported {
                imported_at = Some(j);
                steps.push(json!({
                    "step": "rootImported",
                    "chainId": dest,
                    "from": gateway,
                    "batch": b,
                    "root": root,
                }));
            }
        }
        // The destination: handler events from the log, each with the transaction that
        // caused it, and the refused attempts (reverted transactions naming the bundle).
        let dest_txs = self.txs_of(dest);
        let find = |sig: B256| {
            dest_txs
                .iter()
                .find(|t| t.status && handled_it(t, sig, bundle_hash))
                .map(|tx| Found { chain: dest, tx })
        };
        let mut outcome = if imported_at.is_some() {
            "provable: a root covering it is imported on the destination"
        } else if settled_at.is_some() {
            "settled on its settlement layer; the destination has not imported a root covering it yet"
        } else {
            "sent; its batch is not settled yet"
        };
        let mut calls: Vec<Value> = Vec::new();
        let mut handled: Vec<(u64, Value)> = Vec::new();
        for e in log.iter().skip(sent_at) {
            let (label, sig) = match e {
                Event::BundleVerified {
                    chain,
                    bundle_hash: h,
                } if *chain == dest && *h == bundle_hash => {
                    ("verified", abi::BundleVerified::SIGNATURE_HASH)
                }
                Event::BundleExecuted {
                    chain,
                    bundle_hash: h,
                } if *chain == dest && *h == bundle_hash => {
                    outcome = "executed";
                    ("executed", abi::BundleExecuted::SIGNATURE_HASH)
                }
                Event::BundleUnbundled {
                    chain,
                    bundle_hash: h,
                } if *chain == dest && *h == bundle_hash => {
                    outcome = "unbundled";
                    ("unbundled", abi::BundleUnbundled::SIGNATURE_HASH)
                }
                Event::CallProcessed {
                    chain,
                    bundle_hash: h,
                    index,
                    status,
                } if *chain == dest && *h == bundle_hash => {
                    calls.push(json!({"index": index, "status": status_name(*status)}));
                    continue;
                }
                _ => continue,
            };
            if handled.iter().any(|(_, v)| v["step"] == label) {
                continue;
            }
            let step = match find(sig) {
                Some(f) => f.json(label),
                None => json!({"step": label, "chainId": dest}),
            };
            let block = step["block"].as_u64().unwrap_or(u64::MAX);
            handled.push((block, step));
        }
        let done = |label: &str| handled.iter().any(|(_, v)| v["step"] == label);
        if done("verified") && !done("executed") && !done("unbundled") {
            outcome = "verified; not executed yet";
        }
        for tx in dest_txs.iter().filter(|t| {
            !t.status
                && t.envelope.to() == Some(INTEROP_HANDLER)
                && bundle_of_call(t.envelope.input()).is_some_and(|b| b.hash == bundle_hash)
        }) {
            let why = explain(&tx.output);
            let function = function_name(tx.envelope.input());
            let mut step = Found { chain: dest, tx }.json("refused");
            step["function"] = json!(function);
            step["error"] = json!(why.error);
            step["why"] = json!(why.why);
            handled.push((tx.block_number, step));
        }
        handled.sort_by_key(|(b, _)| *b);
        steps.extend(handled.into_iter().map(|(_, v)| v));
        if !calls.is_empty() {
            steps.push(json!({"step": "calls", "chainId": dest, "calls": calls}));
        }
        Ok(json!({
            "bundleHash": bundle_hash,
            "source": {"chainId": source, "name": name(source)},
            "destination": {"chainId": dest, "name": name(dest)},
            "sender": sender,
            "status": outcome,
            "steps": steps,
        }))
    }
}

/// The InteropHandler function a calldata calls.
fn function_name(input: &[u8]) -> &'static str {
    use alloy_sol_types::SolCall;
    match input.get(..4) {
        Some(s) if s == abi::executeBundleCall::SELECTOR => "executeBundle",
        Some(s) if s == abi::verifyBundleCall::SELECTOR => "verifyBundle",
        Some(s) if s == abi::unbundleBundleCall::SELECTOR => "unbundleBundle",
        _ => "another function",
    }
}

/// A trace as lines for a terminal.
pub fn render(trace: &Value) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let chain = |v: &Value| {
        format!(
            "{} ({})",
            v["chainId"],
            crate::table::printable(v["name"].as_str().unwrap_or(""))
        )
    };
    let _ = writeln!(s, "bundle {}", trace["bundleHash"].as_str().unwrap_or("?"));
    let _ = writeln!(
        s,
        "  from chain {} to chain {}, sent by {}",
        chain(&trace["source"]),
        chain(&trace["destination"]),
        trace["sender"].as_str().unwrap_or("?")
    );
    let _ = writeln!(s, "  status: {}", trace["status"].as_str().unwrap_or("?"));
    let empty = Vec::new();
    for st in trace["steps"].as_array().unwrap_or(&empty) {
        let step = st["step"].as_str().unwrap_or("?");
        let on = &st["chainId"];
        let at = match (st["tx"].as_str(), st["block"].as_u64()) {
            (Some(tx), Some(b)) => format!(" in tx {tx} (block {b})"),
            _ => String::new(),
        };
        let by = st["by"]
            .as_str()
            .map_or_else(String::new, |b| format!(" by {b}"));
        let line = match step {
            "sent" => format!("sent on chain {on}{at}{by}, {} call(s)", st["calls"]),
            "batched" => format!(
                "in batch {} of chain {on} (message {}), not settled yet",
                st["batch"], st["messageIndex"]
            ),
            "settled" => format!(
                "batch {} of chain {on} settled on chain {}",
                st["batch"], st["settlementLayer"]
            ),
            "rootImported" => format!(
                "chain {on} imported the interop root of chain {} batch {}",
                st["from"], st["batch"]
            ),
            "refused" => format!(
                "REFUSED on chain {on}: {}{at}{by}: {} — {}",
                st["function"].as_str().unwrap_or("?"),
                st["error"].as_str().unwrap_or("?"),
                st["why"].as_str().unwrap_or("")
            ),
            "calls" => {
                let list: Vec<String> = st["calls"]
                    .as_array()
                    .unwrap_or(&empty)
                    .iter()
                    .map(|c| format!("{} {}", c["index"], c["status"].as_str().unwrap_or("?")))
                    .collect();
                format!("calls on chain {on}: {}", list.join(", "))
            }
            other => format!("{other} on chain {on}{at}{by}"),
        };
        let _ = writeln!(s, "  - {line}");
    }
    s
}
