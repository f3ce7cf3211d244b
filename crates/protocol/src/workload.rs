//! Synthetic interop workloads, shared by the criterion benchmarks and `flywheel bench`, so
//! that both measure the same thing: single-call bundles driven through the full path
//! send → settle (chain, then Gateway) → import root → prove → execute.

use crate::address::InteropAddress;
use crate::error::ProtocolError;
use crate::genesis::{account, devnet, eth, Genesis, Retention};
use crate::interop::bundle::{attr, InteropCallStarter, SealedBundle};
use crate::network::{Action, Network};
use crate::relayer;
use crate::settlement::MessageInclusionProof;
use crate::units::tokens;
use alloy_primitives::{keccak256, Address, Bytes, U256};

/// A devnet with one funded sender on Era, ready to stream bundles to another chain.
pub struct Pipeline {
    /// The network under load.
    pub net: Network,
    sender: Address,
    recipients: Vec<Address>,
    next: usize,
    /// The last bundle executed and its proof, to size the keccak bound from real data.
    pub last: Option<(SealedBundle, MessageInclusionProof)>,
}

impl Pipeline {
    /// Builds the devnet and funds the sender with enough ETH for any benchmark.
    pub fn new() -> Result<Self, ProtocolError> {
        Self::with_retention(Retention::Full)
    }

    /// [`Pipeline::new`] keeping `retention` (the simulator runs compact).
    pub fn with_retention(retention: Retention) -> Result<Self, ProtocolError> {
        let mut genesis = Genesis::devnet();
        genesis.retention = retention;
        let mut net = Network::new(&genesis)?;
        let sender = account("bench-sender");
        net.apply(Action::Fund {
            chain: devnet::ERA,
            asset: eth(),
            to: sender,
            amount: tokens(1_000_000_000),
        })?;
        let recipients = (0..64)
            .map(|i| account(&format!("bench-recipient-{i}")))
            .collect();
        Ok(Self {
            net,
            sender,
            recipients,
            next: 0,
            last: None,
        })
    }

    /// Sends `count` single-call bundles Era → eth-chain (1 wei each), settles them in one
    /// Era batch and one Gateway batch, imports the root, then proves and executes each.
    /// Returns the number of bundles executed.
    pub fn run_batch(&mut self, count: usize) -> Result<usize, ProtocolError> {
        let mut sent: Vec<SealedBundle> = Vec::with_capacity(count);
        let destination = InteropAddress::chain_only(devnet::ETH_CHAIN).encode();
        for _ in 0..count {
            let to = self.recipients[self.next % self.recipients.len()];
            self.next += 1;
            let events = self.net.apply(Action::SendBundle {
                chain: devnet::ERA,
                sender: self.sender,
                destination: destination.clone(),
                starters: vec![InteropCallStarter {
                    to: InteropAddress::address_only(to).encode(),
                    data: Bytes::new(),
                    call_attributes: vec![attr::call_value(U256::from(1u8))],
                }],
                attributes: vec![],
                value: U256::from(1u8),
            })?;
            sent.extend(relayer::sent_bundles(&events));
        }
        relayer::settle_for(&mut self.net, devnet::ERA, devnet::ETH_CHAIN)?;
        let executed = sent.len();
        for b in sent {
            let (proof, _) = relayer::prove_and_execute(&mut self.net, &b, self.sender)?;
            self.last = Some((b, proof));
        }
        Ok(executed)
    }
}

/// Lengths of a two-level proof's chain-tree path and shared-tree path (without the final
/// sibling), read from its metadata words; `None` for a single-level proof.
pub fn proof_path_lengths(proof: &MessageInclusionProof) -> Option<(usize, usize)> {
    let first = proof.proof.first()?;
    let (log_len, batch_len) = (first[1] as usize, first[2] as usize);
    let second = proof.proof.get(1 + log_len + 1 + batch_len + 2)?;
    Some((batch_len, (second[1] as usize).checked_sub(1)?))
}

/// Keccak-256 permutations (136-byte rate) to hash `len` bytes.
pub fn permutations(len: usize) -> usize {
    len / 136 + 1
}

/// The keccak inputs (by length) one single-call bundle needs on its way, excluding per-batch
/// work amortised over a batch: at send, salt (52 B), bundle hash (`abi.encode(uint256,
/// bytes)`), message hash, send id (64 B), log leaf (88 B); at execution the handler hashes
/// the bundle and message again, recomputes the log leaf, climbs 15 log siblings, the batch
/// leaf (96 B), `batch_path` chain-tree siblings, the chain-id leaf (96 B), `shared_path + 1`
/// shared-tree siblings, and the send id again. Logs-tree building adds about one hash per log.
pub fn keccak_inputs_per_bundle(
    encoded_len: usize,
    batch_path: usize,
    shared_path: usize,
) -> Vec<usize> {
    let hash_input = 96 + encoded_len.div_ceil(32) * 32;
    let message = 1 + encoded_len;
    let mut v = vec![52, hash_input, message, 64, 88];
    v.extend([hash_input, message, 88]);
    v.extend(std::iter::repeat_n(64, 15));
    v.push(96);
    v.extend(std::iter::repeat_n(64, batch_path));
    v.push(96);
    v.extend(std::iter::repeat_n(64, shared_path + 1));
    v.push(64);
    v.push(64); // logs-tree building, amortised
    v
}

/// Hashes buffers of the given lengths, returning a digest so the work cannot be optimised
/// away: the "keccak only" cost of one bundle.
pub fn hash_inputs(lengths: &[usize], scratch: &mut Vec<u8>) -> u8 {
    let mut acc = 0u8;
    for &len in lengths {
        scratch.resize(len, acc);
        acc ^= keccak256(&scratch[..len])[0];
    }
    acc
}
