//! The bridge's node side: L1 → L2 requests executed on their L2 as that chain's next
//! transactions (each with its canonical hash, so clients find its receipt from the L1
//! receipt's `NewPriorityRequestId` log), and where a withdrawal's L2 → L1 message sits in
//! its batch, with its proof against a root L1 holds.

use super::methods::quantity;
use super::{Devnet, Role};
use crate::chain::TxRecord;
use crate::rpc::RpcError;
use alloy_consensus::{Signed, TxEnvelope, TxLegacy};
use alloy_primitives::{keccak256, Address, Bytes, Signature, TxKind, B256, U256};
use flywheel_protocol::bridge::{BridgeAction, BridgeEvent};
use flywheel_protocol::event::Event;
use flywheel_protocol::network::Action;
use flywheel_protocol::settlement::{self, L2Message};
use flywheel_protocol::ChainId;
use serde_json::{json, Value};

/// Where an L2 → L1 message sits: its batch, its index in the batch's logs tree, and whether
/// the batch is sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Placed {
    pub batch: u64,
    pub index: u64,
    pub sealed: bool,
}

impl Devnet {
    /// Whether `events` hold an L1 → L2 request.
    pub(super) fn requests_deposit(events: &[Event]) -> bool {
        events
            .iter()
            .any(|e| matches!(e, Event::Bridge(BridgeEvent::DepositRequested { .. })))
    }

    /// Each L2's sequencer executes the requests waiting for it, oldest first, each as a
    /// transaction of its next block whose hash is the request's canonical hash. Returns
    /// their hashes.
    pub(super) fn execute_deposits(&mut self) -> Result<Vec<B256>, RpcError> {
        let mut done = Vec::new();
        for c in 0..self.nodes.len() {
            if self.nodes[c].info.role != Role::L2 {
                continue;
            }
            let chain = self.nodes[c].info.id;
            while let Some(d) = self
                .net
                .state()
                .bridge
                .queues
                .get(&chain)
                .and_then(|q| q.front())
                .cloned()
            {
                let events = self
                    .net
                    .apply(Action::L1Bridge(BridgeAction::ExecuteDeposit { chain }))
                    .map_err(|e| RpcError::server(e.to_string()))?;
                self.log.extend(events);
                let (delivered, _, _) = d.settlement();
                let timestamp = self.next_block(c).timestamp;
                let node = &mut self.nodes[c];
                let tx = TxLegacy {
                    chain_id: Some(chain),
                    nonce: d.id,
                    gas_price: u128::try_from(d.l2_gas_price).unwrap_or(u128::MAX),
                    gas_limit: d.l2_gas_limit,
                    to: TxKind::Call(d.contract_l2),
                    value: d.l2_value,
                    input: d.calldata.clone(),
                };
                // Model: an L1 → L2 transaction is carried in the node's one transaction shape
                // (legacy, no signature: it is authenticated by L1), under its canonical hash.
                let envelope = TxEnvelope::Legacy(Signed::new_unchecked(
                    tx,
                    Signature::new(U256::ZERO, U256::ZERO, false),
                    d.hash,
                ));
                let gas_used = d.l2_gas_limit;
                let record = TxRecord {
                    hash: d.hash,
                    from: d.sender,
                    block_number: node.head().record.number + 1,
                    index: node.pending.len() as u64,
                    status: delivered == d.l2_value,
                    gas_used,
                    cumulative_gas_used: node.pending_gas().saturating_add(gas_used),
                    effective_gas_price: u128::try_from(d.l2_gas_price).unwrap_or(u128::MAX),
                    contract_address: None,
                    logs: Vec::new(),
                    first_log_index: node.pending.iter().map(|t| t.logs.len() as u64).sum(),
                    output: Bytes::new(),
                    envelope,
                };
                node.pending.push(record);
                node.pending_timestamp.get_or_insert(timestamp);
                done.push(d.hash);
                if self.automine {
                    self.seal(c, None)?;
                }
            }
        }
        Ok(done)
    }

    /// Where the message of L1-messenger log `sent` (sender, message) of transaction `t` on
    /// chain `c` sits: searched from the batch open before the transaction's block.
    pub(super) fn place_message(
        &self,
        c: usize,
        t: &TxRecord,
        sender: Address,
        message: &[u8],
    ) -> Option<Placed> {
        let node = &self.nodes[c];
        let chain = node.info.id;
        let tx_number = u16::try_from(t.index).ok()?;
        let leaf = settlement::message_log_leaf(tx_number, sender, &keccak256(message));
        let parent = usize::try_from(t.block_number.saturating_sub(1)).ok()?;
        let first = node
            .blocks
            .get(parent)
            .and_then(|b| b.state.chains.get(&chain))
            .map_or(1, |ch| ch.next_batch_number());
        let now = self.net.state().chains.get(&chain)?;
        for b in now
            .batches
            .iter()
            .skip(usize::try_from(first.saturating_sub(1)).ok()?)
        {
            if let Some(i) = b.logs.leaves().iter().position(|l| *l == leaf) {
                return Some(Placed {
                    batch: b.number,
                    index: i as u64,
                    sealed: true,
                });
            }
        }
        let i = now.pending_logs.iter().position(|l| *l == leaf)?;
        Some(Placed {
            batch: now.next_batch_number(),
            index: i as u64,
            sealed: false,
        })
    }

    /// `zks_getL2ToL1LogProof` for a message that is not a bundle (a withdrawal): its proof
    /// against a Gateway batch root L1 holds, once its batch has settled there; `None` before.
    pub(super) fn message_proof(
        &self,
        c: usize,
        t: &TxRecord,
        sender: Address,
        message: &Bytes,
    ) -> Result<Option<Value>, RpcError> {
        let Some(p) = self.place_message(c, t, sender, message) else {
            return Ok(None);
        };
        if !p.sealed {
            return Ok(None);
        }
        let state = self.net.state();
        let source: ChainId = self.nodes[c].info.id;
        let l1 = state
            .chain(self.layout.l1_chain_id)
            .map_err(|e| RpcError::server(e.to_string()))?;
        let Ok(tx_number) = u16::try_from(t.index) else {
            return Ok(None);
        };
        let message = L2Message {
            tx_number_in_batch: tx_number,
            sender,
            data: message.clone(),
        };
        let Ok(proof) =
            settlement::build_proof(&state.chains, source, p.batch, p.index, message, l1)
        else {
            return Ok(None);
        };
        let root = settlement::proven_root(&proof).map_err(|e| RpcError::server(e.to_string()))?;
        Ok(Some(json!({
            "batchNumber": quantity(p.batch),
            "id": quantity(p.index),
            "proof": proof.proof,
            "root": root.root,
            "gatewayBlockNumber": quantity(root.batch),
        })))
    }
}
