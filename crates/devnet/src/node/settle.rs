//! Settlement and relaying: the batch tick that seals, settles and imports roots across the
//! chains, the relayer that executes provable bundles on their destinations, and the log
//! proofs clients fetch to execute them themselves.

use super::methods::quantity;
use super::Devnet;
use crate::rpc::RpcError;
use alloy_primitives::{Address, Bytes, TxKind, B256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, SolEvent};
use flywheel_protocol::chain::L1_MESSENGER;
use flywheel_protocol::interop::bundle::SealedBundle;
use flywheel_protocol::network::Action;
use flywheel_protocol::ChainId;
use serde_json::{json, Value};

impl Devnet {
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
    pub(super) fn log_proof(
        &self,
        c: usize,
        tx: B256,
        index: usize,
    ) -> Result<Option<Value>, RpcError> {
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
        let (sender, message) = match crate::system::abi::L1MessageSent::decode_log_data(&log.data)
        {
            Ok(m) => (m._sender, m._message),
            Err(_) => return Err(RpcError::server("unreadable messenger log")),
        };
        // A message that is not a bundle (a withdrawal) is proven against L1's roots.
        let Some(sealed) = message
            .get(1..)
            .filter(|_| sender == flywheel_protocol::chain::INTEROP_CENTER)
            .and_then(|m| SealedBundle::from_encoded(m).ok())
        else {
            return self.message_proof(c, t, sender, &message);
        };
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
}
