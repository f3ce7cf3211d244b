//! Settlement and message inclusion proofs.
//!
//! A batch commits the Merkle root of its L2→L1 logs; its chain batch root is appended to its
//! settlement layer's message root (one incremental tree per chain, under one shared tree of
//! chain-id leaves); a settlement layer's own batches commit to that aggregated root. A
//! destination chain imports roots, and a `MessageInclusionProof` is checked by recomputing
//! the path from the message's log leaf up to an imported root, level by level.
//!
//! Proof layout (`MessageHashing.parseProofMetadata` and `_getProofData`,
//! era-contracts@4859b6f:l1-contracts/contracts/common/libraries/MessageHashing.sol):
//! `[metadata][log path][if not final: batch-leaf mask, batch path, (slBatchNumber << 128 |
//! slMask), slChainId, then the next level's proof]`. Metadata is `0x01 | logPathLen |
//! batchPathLen | isFinal` in the top four bytes of a word, the other 28 bytes zero; a final
//! level carries no batch path (`InvalidProofLengthForFinalNode`).
//!
//! Where the model differs from that commit (each listed in SOURCES.md, divergences):
//! - the legacy metadata-less format (a bare Merkle path, which the contract still accepts) is
//!   refused;
//! - a message routed through Gateway is proven up to Gateway's *batch* root (its logs root is
//!   the last sibling), imported per Gateway batch. In v31 an L2 destination checks the final
//!   level against `L2InteropRootStorage.interopRoots(gateway, gatewayBlockNumber)`, which holds
//!   the Gateway's message root (`sharedTree` root) after that block
//!   (`L2MessageVerification`, `L2MessageRoot._emitRoot`); L1 checks against the Gateway batch
//!   root, as the model does. The model has batches, not blocks.

use crate::chain::{Chain, L1_MESSENGER};
use crate::merkle::{self, FullTree, IncrementalTree, MerkleError};
use crate::ChainId;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use imbl::OrdMap;
use serde::{Deserialize, Serialize};

/// The only proof metadata version (`SUPPORTED_PROOF_METADATA_VERSION` = 1,
/// era-contracts@4859b6f:system-contracts/contracts/Constants.sol).
pub const PROOF_METADATA_VERSION: u8 = 1;
/// Proof levels a verification walks: the message's chain and at most one settlement layer
/// above it; a third is `DepthMoreThanOneForRecursiveMerkleProof`. The contracts have no such
/// constant: the bound is `_proveL2LeafInclusionRecursive`'s `_depth == 1` check
/// (era-contracts@4859b6f:l1-contracts/contracts/interop/L2MessageVerification.sol), whose
/// recursion starts at depth 0
/// (era-contracts@4859b6f:l1-contracts/contracts/common/MessageVerification.sol,
/// `_proveL2LeafInclusion`).
pub const MAX_PROOF_LEVELS: usize = 2;

/// An L2→L1 message as proofs name it (`L2Message`,
/// era-contracts@4859b6f:l1-contracts/contracts/common/Messaging.sol).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct L2Message {
    /// Index of the sending transaction in its batch.
    pub tx_number_in_batch: u16,
    /// The contract that sent it (the InteropCenter for bundles).
    pub sender: Address,
    /// The message bytes.
    pub data: Bytes,
}

/// Proof that a message was sent by a chain in a batch (`MessageInclusionProof`,
/// era-contracts@4859b6f:l1-contracts/contracts/common/Messaging.sol; the model keeps the
/// `uint256` ids and indices in 64 bits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageInclusionProof {
    /// Chain that sent the message.
    pub chain_id: ChainId,
    /// Its batch holding the message.
    pub l1_batch_number: u64,
    /// Index of the message's log in the batch's logs tree.
    pub l2_message_index: u64,
    /// The message itself.
    pub message: L2Message,
    /// The path words, laid out as described in the module docs.
    pub proof: Vec<B256>,
}

/// Why a proof does not check out, or cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The message's log leaf is the empty-leaf hash (`HashedLogIsDefault`).
    #[error("the message hashes to the default log leaf")]
    HashedLogIsDefault,
    /// The batch's logs tree was dropped under compact retention (every bundle in it had
    /// reached its destination): its logs cannot be proven any more.
    #[error("chain {chain} batch {batch}: its logs tree was pruned (compact retention)")]
    LogsPruned {
        /// Source chain.
        chain: ChainId,
        /// Batch number.
        batch: u64,
    },
    /// The proof ends before its metadata says it should (the contract reverts on the
    /// out-of-range read; an empty proof is `MerklePathEmpty` there).
    #[error("proof truncated: needs word {needed}, has {len}")]
    Truncated {
        /// Index of the missing word.
        needed: usize,
        /// Words present.
        len: usize,
    },
    /// Words left after the final level.
    #[error("proof has {count} trailing words")]
    TrailingWords {
        /// How many.
        count: usize,
    },
    /// Metadata in an unknown version (`UnsupportedProofMetadataVersion`) or in the legacy
    /// metadata-less format (accepted by the contract, refused by the model).
    #[error("unsupported proof metadata {0}")]
    BadMetadata(B256),
    /// A final level may not carry a batch path (`InvalidProofLengthForFinalNode`).
    #[error("final proof level carries a batch path")]
    FinalNodeWithBatchPath,
    /// A third level (`DepthMoreThanOneForRecursiveMerkleProof`).
    #[error("DepthMoreThanOneForRecursiveMerkleProof: a proof climbs at most one settlement layer above its chain")]
    DepthMoreThanOneForRecursiveMerkleProof,
    /// A word that must be a chain id or batch number does not fit 64 bits.
    #[error("proof word {index} is out of range")]
    WordOutOfRange {
        /// Index of the word.
        index: usize,
    },
    /// Path arithmetic failed (index out of bounds, empty path…).
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// The destination has not imported a root for that (chain, batch).
    #[error("no interop root imported for chain {chain} batch {batch}")]
    RootNotImported {
        /// Chain of the root.
        chain: ChainId,
        /// Its batch.
        batch: u64,
    },
    /// The recomputed root differs from the imported one (the contract's verifier returns
    /// false; the InteropHandler then reverts).
    #[error("proof recomputes root {computed}, imported root for chain {chain} batch {batch} is {imported}")]
    RootMismatch {
        /// Chain of the root.
        chain: ChainId,
        /// Its batch.
        batch: u64,
        /// What the path gave.
        computed: B256,
        /// What was imported.
        imported: B256,
    },
    /// The message was not sent by the InteropCenter (`UnauthorizedMessageSender`).
    #[error("message sender {0} is not the InteropCenter")]
    UnauthorizedMessageSender(Address),
    /// Prover side: the source chain or batch does not exist or is not sealed yet.
    #[error("chain {chain} has no sealed batch {batch}")]
    BatchNotSealed {
        /// Chain.
        chain: ChainId,
        /// Batch.
        batch: u64,
    },
    /// Prover side: the message index is past the batch's logs.
    #[error("batch {batch} of chain {chain} has no message {index}")]
    NoSuchMessage {
        /// Chain.
        chain: ChainId,
        /// Batch.
        batch: u64,
        /// Index asked for.
        index: u64,
    },
    /// Prover side: no root the destination imported covers the batch yet.
    #[error("destination {destination} has imported no root covering chain {chain} batch {batch}")]
    NoCoveringRoot {
        /// Destination chain.
        destination: ChainId,
        /// Source chain.
        chain: ChainId,
        /// Source batch.
        batch: u64,
    },
}

/// The leaf of an L2→L1 message log: keccak256 of the 88-byte packed `L2Log { l2ShardId: 0,
/// isService: true, txNumberInBatch, sender: L1_MESSENGER, key: sender, value: keccak(data) }`
/// (`MessageHashing._l2MessageToLog` and `getLeafHashFromLog`,
/// era-contracts@4859b6f:l1-contracts/contracts/common/libraries/MessageHashing.sol; field
/// order and widths from `L2Log` in era-contracts@4859b6f:l1-contracts/contracts/common/Messaging.sol).
pub fn message_log_leaf(tx_number_in_batch: u16, sender: Address, message_hash: &B256) -> B256 {
    let mut buf = [0u8; 88];
    buf[1] = 1;
    buf[2..4].copy_from_slice(&tx_number_in_batch.to_be_bytes());
    buf[4..24].copy_from_slice(L1_MESSENGER.as_slice());
    buf[36..56].copy_from_slice(sender.as_slice());
    buf[56..88].copy_from_slice(message_hash.as_slice());
    keccak256(buf)
}

/// One chain's entry in a settlement layer's message root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainTree {
    /// Index of the chain's leaf in the shared tree.
    pub index: u64,
    /// The chain's batch leaves.
    pub tree: IncrementalTree,
}

/// A settlement layer's `MessageRoot`: per-chain batch trees under one shared tree
/// (era-contracts@4859b6f:l1-contracts/contracts/core/message-root/L2MessageRoot.sol). Differs
/// from the source in which leaves exist: there, initialisation pushes the layer's own chain as
/// leaf 0 and the Bridgehub's `addNewChain` pushes each registered chain, each leaf committing
/// to an empty chain tree (root 0) until it settles
/// (era-contracts@4859b6f:l1-contracts/contracts/core/message-root/MessageRootBase.sol); here a
/// chain enters the shared tree when it first settles, and the layer itself has no leaf. Roots
/// therefore differ in value from the contracts', not in how they are proven.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRootState {
    /// Chain-id leaves, one per chain that ever settled here.
    pub shared: FullTree,
    /// Each chain's batch tree.
    pub chains: OrdMap<ChainId, ChainTree>,
}

impl MessageRootState {
    /// The aggregated root committed by the settlement layer's batches.
    pub fn root(&self) -> B256 {
        self.shared.root()
    }

    /// Appends a chain's batch root; returns the leaf's index in that chain's tree
    /// (`L2MessageRoot.addChainBatchRoot`: push the batch leaf, then rewrite the chain's
    /// chain-id leaf in the shared tree).
    pub fn append(&mut self, chain: ChainId, batch_number: u64, chain_batch_root: &B256) -> u64 {
        let leaf = merkle::batch_leaf_hash(chain_batch_root, batch_number);
        let (index, tree_index, chain_root) = match self.chains.get_mut(&chain) {
            Some(entry) => {
                let i = entry.tree.push(leaf);
                (Some(entry.index), i, entry.tree.root())
            }
            None => {
                let mut tree = IncrementalTree::default();
                let i = tree.push(leaf);
                let root = tree.root();
                self.chains.insert(chain, ChainTree { index: 0, tree });
                (None, i, root)
            }
        };
        let chain_leaf = merkle::chain_id_leaf_hash(&chain_root, chain);
        match index {
            Some(i) => {
                // invariant: `i` was returned by `push` on this same tree.
                let _ = self.shared.update(i, chain_leaf);
            }
            None => {
                let i = self.shared.push(chain_leaf);
                if let Some(entry) = self.chains.get_mut(&chain) {
                    entry.index = i;
                }
            }
        }
        tree_index
    }
}

/// The root an ordinary chain's batches aggregate: that of an empty message root,
/// `SHARED_ROOT_TREE_EMPTY_HASH` (what `MessageRootBase.getAggregatedRoot` returns when no chain
/// is registered). Differs from the source: an initialised message root always holds its own
/// chain, so a v31 chain aggregates `chainIdLeafHash(0, ownChainId)`
/// (`L2MessageRoot.getEmptyMultichainBatchRoot`,
/// era-contracts@4859b6f:l1-contracts/contracts/core/message-root/L2MessageRoot.sol).
pub fn empty_aggregated_root() -> B256 {
    MessageRootState::default().root()
}

fn metadata(log_len: usize, batch_len: usize, is_final: bool) -> B256 {
    let mut w = [0u8; 32];
    w[0] = PROOF_METADATA_VERSION;
    w[1] = log_len as u8; // invariant: paths are at most 64 long
    w[2] = batch_len as u8;
    w[3] = u8::from(is_final);
    B256::from(w)
}

/// Builds the proof that message `index` of `source`'s batch `batch` was sent, against a root
/// `destination` has imported: the batch's own root if imported, else the first imported
/// root of its settlement layer that covers it.
pub fn build_proof(
    chains: &OrdMap<ChainId, Chain>,
    source: ChainId,
    batch: u64,
    index: u64,
    message: L2Message,
    destination: &Chain,
) -> Result<MessageInclusionProof, ProofError> {
    let not_sealed = ProofError::BatchNotSealed {
        chain: source,
        batch,
    };
    let src = chains.get(&source).ok_or(not_sealed.clone())?;
    let b = src.batch(batch).ok_or(not_sealed)?;
    if b.logs_pruned {
        return Err(ProofError::LogsPruned {
            chain: source,
            batch,
        });
    }
    if index >= b.logs.len() as u64 {
        return Err(ProofError::NoSuchMessage {
            chain: source,
            batch,
            index,
        });
    }
    let mut words = Vec::with_capacity(48);
    let mut log_path = b.logs.path(index)?;
    log_path.push(b.aggregated_root);
    let mut found = false;
    if destination.interop_roots.contains_key(&(source, batch)) {
        words.push(metadata(log_path.len(), 0, true));
        words.extend(log_path);
        found = true;
    } else if let (Some(sl_id), Some(leaf_index)) = (src.config.settlement_layer, b.sl_leaf_index) {
        let sl = chains.get(&sl_id);
        // Roots before the first layer batch that includes this one cannot cover it: start the
        // search there (a scan from 0 would cost O(imported roots) per proof).
        let first = b.sl_first_batch.unwrap_or(0);
        let covering = destination
            .interop_roots
            .range((sl_id, first)..=(sl_id, u64::MAX))
            .find_map(|((_, g), _)| {
                let gb = sl?.batch(*g)?;
                let agg = gb.aggregation.as_ref()?;
                let entry = agg.chains.get(&source)?;
                (entry.tree.len() > leaf_index).then_some((*g, gb, agg, entry))
            });
        if let Some((g, gb, agg, entry)) = covering {
            let batch_path = entry.tree.path(leaf_index)?;
            let mut shared_path = agg.shared.path(entry.index)?;
            let sl_mask = entry.index | (1u64 << shared_path.len());
            shared_path.push(gb.logs.root());
            words.push(metadata(log_path.len(), batch_path.len(), false));
            words.extend(log_path);
            words.push(B256::from(U256::from(leaf_index)));
            words.extend(batch_path);
            words.push(B256::from((U256::from(g) << 128) | U256::from(sl_mask)));
            words.push(B256::from(U256::from(sl_id)));
            words.push(metadata(shared_path.len(), 0, true));
            words.extend(shared_path);
            found = true;
        }
    }
    if !found {
        return Err(ProofError::NoCoveringRoot {
            destination: destination.config.id,
            chain: source,
            batch,
        });
    }
    Ok(MessageInclusionProof {
        chain_id: source,
        l1_batch_number: batch,
        l2_message_index: index,
        message,
        proof: words,
    })
}

struct Cursor<'a> {
    words: &'a [B256],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [B256], ProofError> {
        let end = self.pos + n;
        let slice = self.words.get(self.pos..end).ok_or(ProofError::Truncated {
            needed: end.saturating_sub(1),
            len: self.words.len(),
        })?;
        self.pos = end;
        Ok(slice)
    }
    fn word(&mut self) -> Result<B256, ProofError> {
        Ok(self.take(1)?[0])
    }
    fn small(&mut self) -> Result<u64, ProofError> {
        let index = self.pos;
        let w = U256::from_be_bytes(self.word()?.0);
        u64::try_from(w).map_err(|_| ProofError::WordOutOfRange { index })
    }
}

/// Verifies `proof` on `destination` by recomputing every level up to an imported root.
pub fn verify_proof(destination: &Chain, proof: &MessageInclusionProof) -> Result<(), ProofError> {
    proven_root(proof)?.check(destination)
}

/// The root a proof climbs to, and where that root must have been imported: everything
/// [`verify_proof`] computes before it reads the destination's state. A pure function of the
/// proof (all its hashing), so a batch of proofs can be computed on several threads and
/// checked in order afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvenRoot {
    /// The settlement layer (or chain) whose batch root this is.
    pub chain: ChainId,
    /// Its batch number.
    pub batch: u64,
    /// The root the proof computes.
    pub root: B256,
}

impl ProvenRoot {
    /// The last step of [`verify_proof`]: the computed root must be the one `destination`
    /// imported for that batch.
    pub fn check(&self, destination: &Chain) -> Result<(), ProofError> {
        let (chain, batch) = (self.chain, self.batch);
        let imported = destination
            .interop_roots
            .get(&(chain, batch))
            .ok_or(ProofError::RootNotImported { chain, batch })?;
        if *imported == self.root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch {
                chain,
                batch,
                computed: self.root,
                imported: *imported,
            })
        }
    }
}

/// The hashing part of [`verify_proof`]: climbs the proof to its final root (pure).
pub fn proven_root(proof: &MessageInclusionProof) -> Result<ProvenRoot, ProofError> {
    proven_root_with(proof, &mut merkle::Direct)
}

/// [`proven_root`] with its tree hashes taken from `hashes` (a [`merkle::HashMemo`] shared by
/// the proofs of one batch computes each shared node once; the root is the same).
pub fn proven_root_with(
    proof: &MessageInclusionProof,
    hashes: &mut impl merkle::ClimbHashes,
) -> Result<ProvenRoot, ProofError> {
    let message_hash = keccak256(&proof.message.data);
    let mut leaf = message_log_leaf(
        proof.message.tx_number_in_batch,
        proof.message.sender,
        &message_hash,
    );
    if leaf == merkle::default_log_leaf() {
        return Err(ProofError::HashedLogIsDefault);
    }
    let mut chain = proof.chain_id;
    let mut batch = proof.l1_batch_number;
    let mut mask = proof.l2_message_index;
    let mut cur = Cursor {
        words: &proof.proof,
        pos: 0,
    };
    for _ in 0..MAX_PROOF_LEVELS {
        let meta = cur.word()?;
        if meta[0] != PROOF_METADATA_VERSION || meta[4..].iter().any(|b| *b != 0) {
            return Err(ProofError::BadMetadata(meta));
        }
        let (log_len, batch_len, is_final) = (meta[1] as usize, meta[2] as usize, meta[3] != 0);
        if is_final && batch_len != 0 {
            return Err(ProofError::FinalNodeWithBatchPath);
        }
        let root = hashes.calculate_root(cur.take(log_len)?, mask, leaf)?;
        if is_final {
            if cur.pos != cur.words.len() {
                return Err(ProofError::TrailingWords {
                    count: cur.words.len() - cur.pos,
                });
            }
            return Ok(ProvenRoot { chain, batch, root });
        }
        let batch_leaf = hashes.batch_leaf(&root, batch);
        let batch_mask = cur.small()?;
        // A chain tree of one leaf has an empty path: its root is the leaf itself.
        let chain_root = if batch_len == 0 && batch_mask == 0 {
            batch_leaf
        } else {
            hashes.calculate_root(cur.take(batch_len)?, batch_mask, batch_leaf)?
        };
        leaf = hashes.chain_id_leaf(&chain_root, chain);
        let packed_index = cur.pos;
        let packed = U256::from_be_bytes(cur.word()?.0);
        let low_mask = (U256::from(1u8) << 128) - U256::from(1u8);
        batch = u64::try_from(packed >> 128).map_err(|_| ProofError::WordOutOfRange {
            index: packed_index,
        })?;
        mask = u64::try_from(packed & low_mask).map_err(|_| ProofError::WordOutOfRange {
            index: packed_index,
        })?;
        chain = cur.small()?;
    }
    Err(ProofError::DepthMoreThanOneForRecursiveMerkleProof)
}
