//! Merkle trees of ZKsync interop, modelled on era-contracts at the v31 commit 4859b6f:
//! `l1-contracts/contracts/common/libraries/{Merkle,MessageHashing,DynamicIncrementalMerkle,
//! FullMerkle}.sol`, `l1-contracts/contracts/core/message-root/{IMessageRoot,MessageRootBase,
//! L2MessageRoot}.sol` and the `system-contracts/contracts/L1Messenger.sol` system contract.
//! SOURCES.md lists each constant and rule with its file.
//!
//! A message is proven in three hops: log → batch (the L2→L1 logs tree, [`LogsTree`]), batch →
//! chain (the chain's batch-root tree, [`IncrementalTree`]), chain → settlement layer (the shared
//! chain-id tree, [`FullTree`]). All trees are left-packed binary trees whose missing right part is
//! padded with precomputed "empty subtree" hashes, so only real nodes are ever hashed or stored.

use std::sync::OnceLock;

use alloy_primitives::{b256, keccak256, B256};
use serde::{Deserialize, Serialize};

/// Height of the L2→L1 logs tree of one batch: `L2_TO_L1_LOGS_MERKLE_TREE_LEAVES` = 16,384 = 2^14
/// (era-contracts@4859b6f:system-contracts/contracts/Constants.sol).
pub const L2_TO_L1_LOGS_TREE_HEIGHT: usize = 14;
/// Capacity of the L2→L1 logs tree; a batch cannot emit more logs than this (`L1Messenger`
/// reverts `TooManyL2ToL1Logs`, era-contracts@4859b6f:system-contracts/contracts/L1Messenger.sol).
pub const L2_TO_L1_LOGS_TREE_LEAVES: usize = 1 << L2_TO_L1_LOGS_TREE_HEIGHT;
/// Siblings from a log up to the chain batch root: 14 log-tree siblings plus the aggregated root
/// (`L2_TO_L1_LOGS_MERKLE_TREE_DEPTH` = 14 + 1, era-contracts@4859b6f:system-contracts/contracts/Constants.sol).
pub const L2_TO_L1_LOGS_PROOF_LEN: usize = L2_TO_L1_LOGS_TREE_HEIGHT + 1;
/// Longest path [`calculate_root`] accepts: the index is a `u64`, so 64 levels address it fully.
/// Model choice: `Merkle.calculateRoot` accepts up to 255 levels with a `uint256` index
/// (era-contracts@4859b6f:l1-contracts/contracts/common/libraries/Merkle.sol); no real tree here
/// is that tall.
pub const MAX_MERKLE_PATH_LEN: usize = 64;

/// `L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH`: keccak256 of an all-zero 88-byte serialized L2 log, the
/// filler of unused log slots (a proof of this leaf is rejected as `HashedLogIsDefault`)
/// (era-contracts@4859b6f:system-contracts/contracts/Constants.sol; checked against its preimage
/// in the tests).
pub const L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH: B256 =
    b256!("72abee45b59e344af8a6e520241c4744aff26ed411f4c4b00f8af09adada43ba");
/// `CHAIN_TREE_EMPTY_ENTRY_HASH` = keccak256(96 zero bytes): filler of a chain's batch-root tree
/// (an empty batch leaf: zero padding, zero root, zero batch number)
/// (era-contracts@4859b6f:l1-contracts/contracts/core/message-root/IMessageRoot.sol).
pub const CHAIN_TREE_EMPTY_ENTRY_HASH: B256 =
    b256!("46700b4d40ac5c35af2c22dda2787a91eb567b06c924a8fb8ae9a05b20c08c21");
/// `SHARED_ROOT_TREE_EMPTY_HASH`: filler of the shared chain-id tree; the same value as
/// [`CHAIN_TREE_EMPTY_ENTRY_HASH`], so both dynamic trees share one empty-subtree table
/// (era-contracts@4859b6f:l1-contracts/contracts/core/message-root/IMessageRoot.sol).
pub const SHARED_ROOT_TREE_EMPTY_HASH: B256 = CHAIN_TREE_EMPTY_ENTRY_HASH;
/// `BATCH_LEAF_PADDING` = keccak256("zkSync:BatchLeaf"): domain separator of batch leaves
/// (era-contracts@4859b6f:l1-contracts/contracts/common/libraries/MessageHashing.sol).
pub const BATCH_LEAF_PADDING: B256 =
    b256!("d82fec4a37cbdc47f1e5cc4ad64deacf34a48e6f7c61fa5b68fd58e543259cf4");
/// `CHAIN_ID_LEAF_PADDING` = keccak256("zkSync:ChainIdLeaf"): domain separator of chain-id leaves
/// (era-contracts@4859b6f:l1-contracts/contracts/common/libraries/MessageHashing.sol).
pub const CHAIN_ID_LEAF_PADDING: B256 =
    b256!("39bc69363bb9e26cf14240de4e22569e95cf175cfbcf1ade1a47a253b4bf7f61");

/// Why a Merkle computation or lookup was refused (mirrors the `Merkle*` errors of
/// era-contracts@4859b6f:l1-contracts/contracts/common/L1ContractErrors.sol; where a name or a
/// case differs from the source, the variant says so and SOURCES.md lists it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// An empty path only proves leaf 0 of a single-leaf tree. Differs from the source:
    /// `Merkle.calculateRoot` reports this case as `MerkleIndexOutOfBounds` (index ≥ 2^0);
    /// `MerklePathEmpty` is what `MessageHashing` raises for a proof with no words at all.
    #[error("empty Merkle path can only prove index 0 of a single-leaf tree, got index {index}")]
    MerklePathEmpty {
        /// The index that was claimed.
        index: u64,
    },
    /// The path is longer than a `u64` index can address ([`MAX_MERKLE_PATH_LEN`];
    /// `MerklePathOutOfBounds` in the contract, whose index is a `uint256`).
    #[error("Merkle path of {len} siblings is longer than the maximum of 64")]
    MerklePathTooLong {
        /// Siblings supplied.
        len: usize,
    },
    /// The index does not fit in a tree of height `len` (`MerkleIndexOutOfBounds`, which carries
    /// no fields in the source).
    #[error("Merkle index {index} out of bounds for a path of {len} siblings")]
    MerkleIndexOutOfBounds {
        /// The index that was claimed.
        index: u64,
        /// Siblings supplied (the tree height).
        len: usize,
    },
    /// A batch emitted more L2→L1 logs than the [`L2_TO_L1_LOGS_TREE_LEAVES`] slots of its tree
    /// (`TooManyL2ToL1Logs` in `L1Messenger`).
    #[error("{count} L2->L1 logs exceed the logs tree capacity of 16384")]
    TooManyLogs {
        /// Logs supplied.
        count: usize,
    },
    /// No leaf at this index (`MerkleWrongIndex(index, maxNodeNumber)` in `FullMerkle.updateLeaf`
    /// and `merklePath`; the model names the leaf count instead of the last index).
    #[error("leaf index {index} out of range for a tree of {len} leaves")]
    LeafIndexOutOfRange {
        /// The index that was asked for.
        index: u64,
        /// Leaves in the tree.
        len: u64,
    },
}

/// `Merkle.efficientHash`: keccak256(a ‖ b), the node hash of every tree here
/// (era-contracts@4859b6f:l1-contracts/contracts/common/libraries/Merkle.sol). Hot path: the
/// 64-byte preimage lives on the stack.
#[inline]
pub fn hash_pair(a: &B256, b: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(a.as_slice());
    buf[32..].copy_from_slice(b.as_slice());
    keccak256(buf)
}

/// keccak256(padding ‖ root ‖ uint256(number)) over a 96-byte stack buffer: the
/// `abi.encodePacked(padding, root, number)` of `MessageHashing` (padding first, then the root,
/// then the number as a 32-byte word).
#[inline]
fn padded_leaf_hash(padding: &B256, root: &B256, number: u64) -> B256 {
    let mut buf = [0u8; 96];
    buf[..32].copy_from_slice(padding.as_slice());
    buf[32..64].copy_from_slice(root.as_slice());
    buf[88..].copy_from_slice(&number.to_be_bytes());
    keccak256(buf)
}

/// The filler of unused L2→L1 log slots ([`L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH`]).
#[inline]
pub fn default_log_leaf() -> B256 {
    L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH
}

/// `Merkle.calculateRoot` (era-contracts@4859b6f:l1-contracts/contracts/common/libraries/Merkle.sol):
/// folds `leaf` up `path`; bit `i` of `index` says whether the node is the right child at level
/// `i`. An empty path proves the lone leaf of a single-leaf tree (index 0), as `Merkle.sol`
/// allows, because a chain tree holding one batch has height 0.
pub fn calculate_root(path: &[B256], index: u64, leaf: B256) -> Result<B256, MerkleError> {
    Direct.calculate_root(path, index, leaf)
}

/// `Merkle.calculateRoot`'s checks of a path and index.
fn check_path(path: &[B256], index: u64) -> Result<(), MerkleError> {
    let len = path.len();
    if len > MAX_MERKLE_PATH_LEN {
        return Err(MerkleError::MerklePathTooLong { len });
    }
    if len == 0 && index != 0 {
        return Err(MerkleError::MerklePathEmpty { index });
    }
    if len < MAX_MERKLE_PATH_LEN && index >> len != 0 {
        return Err(MerkleError::MerkleIndexOutOfBounds { index, len });
    }
    Ok(())
}

/// Folds `leaf` up `path` (bounds already checked).
#[inline]
fn climb(
    path: &[B256],
    index: u64,
    leaf: B256,
    mut pair: impl FnMut(&B256, &B256) -> B256,
) -> B256 {
    let mut node = leaf;
    for (level, sibling) in path.iter().enumerate() {
        node = if (index >> level) & 1 == 0 {
            pair(&node, sibling)
        } else {
            pair(sibling, &node)
        };
    }
    node
}

/// The three hashes a proof climbs with, computed directly ([`Direct`]) or through a
/// [`HashMemo`].
pub trait ClimbHashes {
    /// [`hash_pair`].
    fn pair(&mut self, a: &B256, b: &B256) -> B256;
    /// [`batch_leaf_hash`].
    fn batch_leaf(&mut self, batch_root: &B256, batch_number: u64) -> B256;
    /// [`chain_id_leaf_hash`].
    fn chain_id_leaf(&mut self, chain_root: &B256, chain_id: u64) -> B256;
    /// [`calculate_root`] with these hashes.
    fn calculate_root(
        &mut self,
        path: &[B256],
        index: u64,
        leaf: B256,
    ) -> Result<B256, MerkleError> {
        check_path(path, index)?;
        Ok(climb(path, index, leaf, |a, b| self.pair(a, b)))
    }
}

/// Every hash computed in place.
#[derive(Debug, Clone, Copy, Default)]
pub struct Direct;

impl ClimbHashes for Direct {
    fn pair(&mut self, a: &B256, b: &B256) -> B256 {
        hash_pair(a, b)
    }
    fn batch_leaf(&mut self, batch_root: &B256, batch_number: u64) -> B256 {
        batch_leaf_hash(batch_root, batch_number)
    }
    fn chain_id_leaf(&mut self, chain_root: &B256, chain_id: u64) -> B256 {
        chain_id_leaf_hash(chain_root, chain_id)
    }
}

impl ClimbHashes for HashMemo {
    fn pair(&mut self, a: &B256, b: &B256) -> B256 {
        self.hash_pair(a, b)
    }
    fn batch_leaf(&mut self, batch_root: &B256, batch_number: u64) -> B256 {
        self.batch_leaf_hash(batch_root, batch_number)
    }
    fn chain_id_leaf(&mut self, chain_root: &B256, chain_id: u64) -> B256 {
        self.chain_id_leaf_hash(chain_root, chain_id)
    }
}

/// Node and leaf hashes already computed, each keyed by its whole pre-image. keccak is a
/// function of its input, so a proof climbed through a memo reaches exactly the root it would
/// reach hashing every node itself — every sibling it carries is still used, and a wrong one
/// still changes the root — but the proofs of one batch, which share all their upper nodes,
/// hash each shared node once. A memo lives as long as one pre-pass step of a batch
/// ([`crate::interop::handler::PIPELINE_STEP`] actions), so it stays small.
#[derive(Debug, Default)]
pub struct HashMemo {
    pairs: rustc_hash::FxHashMap<[B256; 2], B256>,
    leaves: rustc_hash::FxHashMap<(B256, B256, u64), B256>,
}

impl HashMemo {
    /// [`hash_pair`], memoised.
    pub fn hash_pair(&mut self, a: &B256, b: &B256) -> B256 {
        *self
            .pairs
            .entry([*a, *b])
            .or_insert_with(|| hash_pair(a, b))
    }

    /// [`batch_leaf_hash`], memoised.
    pub fn batch_leaf_hash(&mut self, batch_root: &B256, batch_number: u64) -> B256 {
        self.padded_leaf_hash(&BATCH_LEAF_PADDING, batch_root, batch_number)
    }

    /// [`chain_id_leaf_hash`], memoised.
    pub fn chain_id_leaf_hash(&mut self, chain_root: &B256, chain_id: u64) -> B256 {
        self.padded_leaf_hash(&CHAIN_ID_LEAF_PADDING, chain_root, chain_id)
    }

    fn padded_leaf_hash(&mut self, padding: &B256, root: &B256, number: u64) -> B256 {
        *self
            .leaves
            .entry((*padding, *root, number))
            .or_insert_with(|| padded_leaf_hash(padding, root, number))
    }

    /// Distinct hashes held.
    pub fn len(&self) -> usize {
        self.pairs.len() + self.leaves.len()
    }

    /// Whether the memo holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `L1Messenger` (era-contracts@4859b6f:system-contracts/contracts/L1Messenger.sol): the batch
/// root is keccak256(local logs root ‖ `L2_MESSAGE_ROOT.getAggregatedRoot()`), committing to the
/// batch's own logs and to the message root it aggregates (for an ordinary chain, the root of an
/// empty shared tree). Hence a log proof to the chain batch root is the 14 log siblings plus
/// `aggregated_root` as the 15th (index bit 14 = 0).
#[inline]
pub fn chain_batch_root(local_logs_root: &B256, aggregated_root: &B256) -> B256 {
    hash_pair(local_logs_root, aggregated_root)
}

/// `MessageHashing.batchLeafHash`: the leaf a settled batch adds to its chain's batch-root tree,
/// keccak256(`BATCH_LEAF_PADDING` ‖ batch root ‖ batch number)
/// (era-contracts@4859b6f:l1-contracts/contracts/common/libraries/MessageHashing.sol).
#[inline]
pub fn batch_leaf_hash(batch_root: &B256, batch_number: u64) -> B256 {
    padded_leaf_hash(&BATCH_LEAF_PADDING, batch_root, batch_number)
}

/// `MessageHashing.chainIdLeafHash`: a chain's leaf in the shared tree, binding its chain-tree
/// root: keccak256(`CHAIN_ID_LEAF_PADDING` ‖ chain root ‖ chain id)
/// (era-contracts@4859b6f:l1-contracts/contracts/common/libraries/MessageHashing.sol).
#[inline]
pub fn chain_id_leaf_hash(chain_root: &B256, chain_id: u64) -> B256 {
    padded_leaf_hash(&CHAIN_ID_LEAF_PADDING, chain_root, chain_id)
}

/// `zeros[k]` = root of an all-empty subtree of height `k`, for `k` in `0..N`.
fn empty_subtrees<const N: usize>(leaf: B256) -> [B256; N] {
    let mut next = leaf;
    std::array::from_fn(|_| {
        let zero = next;
        next = hash_pair(&zero, &zero);
        zero
    })
}

/// Empty-subtree table of the logs tree, levels 0..=14, computed once.
fn log_zeros() -> &'static [B256; L2_TO_L1_LOGS_TREE_HEIGHT + 1] {
    static ZEROS: OnceLock<[B256; L2_TO_L1_LOGS_TREE_HEIGHT + 1]> = OnceLock::new();
    ZEROS.get_or_init(|| empty_subtrees(L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH))
}

/// Empty-subtree table of the chain and shared trees, levels 0..=64, computed once.
fn entry_zeros() -> &'static [B256; MAX_MERKLE_PATH_LEN + 1] {
    static ZEROS: OnceLock<[B256; MAX_MERKLE_PATH_LEN + 1]> = OnceLock::new();
    ZEROS.get_or_init(|| empty_subtrees(CHAIN_TREE_EMPTY_ENTRY_HASH))
}

/// Height of a dynamic tree of `n` leaves: `ceil(log2 n)`, 0 for one leaf (or none).
fn dynamic_height(n: usize) -> usize {
    if n <= 1 {
        0
    } else {
        (usize::BITS - (n - 1).leading_zeros()) as usize
    }
}

/// Storage of one tree level: `Vec` for per-batch trees, `imbl::Vector` where O(1) clones matter.
trait Level: Default {
    fn size(&self) -> usize;
    fn node(&self, i: usize) -> Option<&B256>;
    /// Overwrites node `i`, or appends it when `i == size()`.
    fn put(&mut self, i: usize, node: B256);
}

/// Both storages have `len`/`get`/`get_mut`; they differ only in the append method.
macro_rules! impl_level {
    ($storage:ty, $append:ident) => {
        impl Level for $storage {
            fn size(&self) -> usize {
                self.len()
            }
            fn node(&self, i: usize) -> Option<&B256> {
                self.get(i)
            }
            fn put(&mut self, i: usize, node: B256) {
                match self.get_mut(i) {
                    Some(slot) => *slot = node,
                    None => self.$append(node),
                }
            }
        }
    };
}
impl_level!(Vec<B256>, push);
impl_level!(imbl::Vector<B256>, push_back);

/// The one tree mechanism behind all three trees: `nodes[k]` holds the `ceil(n / 2^k)` real nodes
/// of level `k` (level 0 = leaves); any node past the right edge is `zeros[k]`. Paths and roots
/// are therefore plain lookups, and changing one leaf rehashes only its ancestors.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Levels<L> {
    nodes: Vec<L>,
}

impl<L: Level> Levels<L> {
    /// Builds every level up to `height` in `n + height` hashes (roughly).
    fn build(leaves: impl IntoIterator<Item = B256>, height: usize, zeros: &[B256]) -> Self {
        let mut base = L::default();
        for (i, leaf) in leaves.into_iter().enumerate() {
            base.put(i, leaf);
        }
        let mut this = Self { nodes: vec![base] };
        for k in 0..height {
            let mut upper = L::default();
            for i in 0..this.level_size(k).div_ceil(2) {
                let left = this.node_or_empty(k, 2 * i, zeros);
                let right = this.node_or_empty(k, 2 * i + 1, zeros);
                upper.put(i, hash_pair(&left, &right));
            }
            this.nodes.push(upper);
        }
        this
    }

    fn level_size(&self, k: usize) -> usize {
        self.nodes.get(k).map_or(0, Level::size)
    }

    fn leaf_count(&self) -> usize {
        self.level_size(0)
    }

    fn node_or_empty(&self, k: usize, i: usize, zeros: &[B256]) -> B256 {
        // `k <= height < zeros.len()` for every caller, so the table lookup is in range.
        self.nodes
            .get(k)
            .and_then(|level| level.node(i))
            .copied()
            .unwrap_or(zeros[k])
    }

    /// Writes leaf `index` (overwrite, or append when `index == leaf_count()`) and rehashes its
    /// `height` ancestors.
    fn set_leaf(&mut self, mut index: usize, leaf: B256, height: usize, zeros: &[B256]) {
        while self.nodes.len() <= height {
            self.nodes.push(L::default());
        }
        self.nodes[0].put(index, leaf);
        for k in 0..height {
            let left = self.node_or_empty(k, index & !1, zeros);
            let right = self.node_or_empty(k, index | 1, zeros);
            index >>= 1;
            self.nodes[k + 1].put(index, hash_pair(&left, &right));
        }
    }

    /// The `height` siblings of leaf `index`, bottom-up; no hashing.
    fn path(&self, index: usize, height: usize, zeros: &[B256]) -> Vec<B256> {
        (0..height)
            .map(|k| self.node_or_empty(k, (index >> k) ^ 1, zeros))
            .collect()
    }

    fn root(&self, height: usize, zeros: &[B256]) -> B256 {
        self.node_or_empty(height, 0, zeros)
    }

    /// Checks `index` names a real leaf and converts it for indexing.
    fn leaf_index(&self, index: u64) -> Result<usize, MerkleError> {
        let len = self.leaf_count();
        let err = MerkleError::LeafIndexOutOfRange {
            index,
            len: len as u64,
        };
        usize::try_from(index).ok().filter(|&i| i < len).ok_or(err)
    }
}

/// A batch with at least this many logs builds its tree on several threads.
pub const PARALLEL_LOGS: usize = 2048;

/// The L2→L1 logs tree of one batch (`L1Messenger` builds it over all 2^14 slots, the unused ones
/// holding [`default_log_leaf`]; era-contracts@4859b6f:system-contracts/contracts/L1Messenger.sol).
/// Only the non-empty part is built here, from the empty-subtree table: same root, fewer hashes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<B256>", into = "Vec<B256>")]
pub struct LogsTree {
    levels: Levels<Vec<B256>>,
}

impl LogsTree {
    /// Builds the tree of a batch's log leaf hashes in ≈ `n + 14` hashes.
    pub fn new(leaves: &[B256]) -> Result<Self, MerkleError> {
        if leaves.len() > L2_TO_L1_LOGS_TREE_LEAVES {
            let count = leaves.len();
            return Err(MerkleError::TooManyLogs { count });
        }
        if leaves.len() >= PARALLEL_LOGS {
            return Ok(Self::build_parallel(leaves));
        }
        let levels = Levels::build(
            leaves.iter().copied(),
            L2_TO_L1_LOGS_TREE_HEIGHT,
            log_zeros(),
        );
        Ok(Self { levels })
    }

    /// [`LogsTree::new`] with each level's hashes computed on several threads: the same nodes
    /// (each is a function of the two below it), collected in order.
    fn build_parallel(leaves: &[B256]) -> Self {
        use rayon::prelude::*;
        let zeros = log_zeros();
        let mut nodes: Vec<Vec<B256>> = Vec::with_capacity(L2_TO_L1_LOGS_TREE_HEIGHT + 1);
        nodes.push(leaves.to_vec());
        for zero in zeros.iter().take(L2_TO_L1_LOGS_TREE_HEIGHT) {
            let below = nodes.last().map(Vec::as_slice).unwrap_or_default();
            let upper: Vec<B256> = below
                .par_chunks(2)
                .with_min_len(256)
                .map(|pair| hash_pair(&pair[0], pair.get(1).unwrap_or(zero)))
                .collect();
            nodes.push(upper);
        }
        Self {
            levels: Levels { nodes },
        }
    }

    /// The tree of a batch without logs, built without hashing (its root is the all-default
    /// root): what a pruned batch keeps.
    pub fn empty() -> Self {
        Self {
            levels: Levels {
                nodes: vec![Vec::new(); L2_TO_L1_LOGS_TREE_HEIGHT + 1],
            },
        }
    }

    /// Number of real logs (not slots).
    pub fn len(&self) -> usize {
        self.levels.leaf_count()
    }

    /// Whether the batch emitted no log; its root is then the all-default tree root.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The log leaf hashes, in emission order.
    pub fn leaves(&self) -> &[B256] {
        self.levels
            .nodes
            .first()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The local logs root (`localLogsRootHash`), before the aggregated root is mixed in.
    pub fn root(&self) -> B256 {
        self.levels.root(L2_TO_L1_LOGS_TREE_HEIGHT, log_zeros())
    }

    /// The 14 siblings of log `index`, bottom-up; costs no hashing.
    pub fn path(&self, index: u64) -> Result<Vec<B256>, MerkleError> {
        let i = self.levels.leaf_index(index)?;
        Ok(self.levels.path(i, L2_TO_L1_LOGS_TREE_HEIGHT, log_zeros()))
    }

    /// The batch root this tree settles with, see [`chain_batch_root`].
    pub fn chain_batch_root(&self, aggregated_root: &B256) -> B256 {
        chain_batch_root(&self.root(), aggregated_root)
    }

    /// The [`L2_TO_L1_LOGS_PROOF_LEN`] siblings proving log `index` up to the chain batch root.
    pub fn path_to_batch_root(
        &self,
        index: u64,
        aggregated_root: B256,
    ) -> Result<Vec<B256>, MerkleError> {
        let mut path = self.path(index)?;
        path.push(aggregated_root);
        Ok(path)
    }
}

impl TryFrom<Vec<B256>> for LogsTree {
    type Error = MerkleError;
    fn try_from(leaves: Vec<B256>) -> Result<Self, MerkleError> {
        Self::new(&leaves)
    }
}

impl From<LogsTree> for Vec<B256> {
    fn from(tree: LogsTree) -> Self {
        tree.levels.nodes.into_iter().next().unwrap_or_default()
    }
}

/// Shared engine of the dynamic trees: height `ceil(log2 n)`, grows by doubling like
/// `DynamicIncrementalMerkle.push` and `FullMerkle.pushNewLeaf`, padded with
/// [`CHAIN_TREE_EMPTY_ENTRY_HASH`] subtrees
/// (era-contracts@4859b6f:l1-contracts/contracts/common/libraries/DynamicIncrementalMerkle.sol,
/// era-contracts@4859b6f:l1-contracts/contracts/common/libraries/FullMerkle.sol).
/// Levels are `imbl::Vector`s so that snapshots of the network clone in O(1). Serialized as its
/// leaves and rebuilt on load, so a snapshot can never hold inconsistent inner nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<B256>", into = "Vec<B256>")]
struct DynamicTree {
    levels: Levels<imbl::Vector<B256>>,
}

impl Default for DynamicTree {
    fn default() -> Self {
        Self::from(Vec::new())
    }
}

impl DynamicTree {
    fn len(&self) -> u64 {
        self.levels.leaf_count() as u64
    }

    fn height(&self) -> usize {
        dynamic_height(self.levels.leaf_count())
    }

    fn leaf(&self, index: u64) -> Option<B256> {
        let i = self.levels.leaf_index(index).ok()?;
        self.levels.nodes.first()?.get(i).copied()
    }

    /// Appends a leaf: `ceil(log2 n)` hashes, the new leaf's ancestors only.
    fn push(&mut self, leaf: B256) -> u64 {
        let index = self.levels.leaf_count();
        let height = dynamic_height(index + 1);
        self.levels.set_leaf(index, leaf, height, entry_zeros());
        index as u64
    }

    /// Replaces a leaf: `ceil(log2 n)` hashes.
    fn update(&mut self, index: u64, leaf: B256) -> Result<B256, MerkleError> {
        let i = self.levels.leaf_index(index)?;
        let height = self.height();
        self.levels.set_leaf(i, leaf, height, entry_zeros());
        Ok(self.root())
    }

    /// Root; for an empty tree, the empty entry itself (`FullMerkle.setup` returns `zero`).
    fn root(&self) -> B256 {
        self.levels.root(self.height(), entry_zeros())
    }

    fn path(&self, index: u64) -> Result<Vec<B256>, MerkleError> {
        let i = self.levels.leaf_index(index)?;
        Ok(self.levels.path(i, self.height(), entry_zeros()))
    }
}

impl From<Vec<B256>> for DynamicTree {
    fn from(leaves: Vec<B256>) -> Self {
        let height = dynamic_height(leaves.len());
        Self {
            levels: Levels::build(leaves, height, entry_zeros()),
        }
    }
}

impl From<DynamicTree> for Vec<B256> {
    fn from(tree: DynamicTree) -> Self {
        tree.levels
            .nodes
            .first()
            .map_or_else(Vec::new, |leaves| leaves.iter().copied().collect())
    }
}

/// Public API shared by the two dynamic trees: one mechanism ([`DynamicTree`]), two names.
macro_rules! dynamic_tree_api {
    ($name:ident, $setup:literal) => {
        impl $name {
            #[doc = concat!("An empty tree (`setup(", $setup, ")`).")]
            pub fn new() -> Self {
                Self::default()
            }
            /// Number of leaves.
            pub fn len(&self) -> u64 {
                self.tree.len()
            }
            /// Whether the tree has no leaf.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
            /// Current height, `ceil(log2 len)`: the length of every path.
            pub fn height(&self) -> usize {
                self.tree.height()
            }
            /// Leaf `index`, if present.
            pub fn leaf(&self, index: u64) -> Option<B256> {
                self.tree.leaf(index)
            }
            /// Appends a leaf (`push` / `pushNewLeaf`) and returns its index; O(log n) hashes.
            pub fn push(&mut self, leaf: B256) -> u64 {
                self.tree.push(leaf)
            }
            /// Siblings of leaf `index` in the current tree, bottom-up; costs no hashing.
            pub fn path(&self, index: u64) -> Result<Vec<B256>, MerkleError> {
                self.tree.path(index)
            }
        }
    };
}

/// A chain's batch-root tree (`chainTree`, a `DynamicIncrementalMerkle` that
/// `L2MessageRoot.addChainBatchRoot` pushes to): append-only, one [`batch_leaf_hash`] per
/// settled batch. One leaf ⇒ root = that leaf, empty path
/// (era-contracts@4859b6f:l1-contracts/contracts/core/message-root/L2MessageRoot.sol).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncrementalTree {
    tree: DynamicTree,
}

dynamic_tree_api!(IncrementalTree, "CHAIN_TREE_EMPTY_ENTRY_HASH");

impl IncrementalTree {
    /// The chain root (`getChainRoot`); `B256::ZERO` when empty, as `DynamicIncrementalMerkle`
    /// returns from `setup` and before the first push, which is what a new chain's shared-tree
    /// leaf commits to (`MessageRootBase._addNewChain`).
    pub fn root(&self) -> B256 {
        if self.is_empty() {
            B256::ZERO
        } else {
            self.tree.root()
        }
    }
}

/// The shared chain-id tree of a settlement layer (`sharedTree`, a `FullMerkle`): one
/// [`chain_id_leaf_hash`] per registered chain, rewritten (`updateLeaf`) whenever that chain
/// settles a batch (era-contracts@4859b6f:l1-contracts/contracts/core/message-root/L2MessageRoot.sol).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FullTree {
    tree: DynamicTree,
}

dynamic_tree_api!(FullTree, "SHARED_ROOT_TREE_EMPTY_HASH");

impl FullTree {
    /// Rewrites leaf `index` (`updateLeaf`) and returns the new root; O(log n) hashes.
    pub fn update(&mut self, index: u64, leaf: B256) -> Result<B256, MerkleError> {
        self.tree.update(index, leaf)
    }

    /// The aggregated root; [`SHARED_ROOT_TREE_EMPTY_HASH`] when empty (`getAggregatedRoot`,
    /// era-contracts@4859b6f:l1-contracts/contracts/core/message-root/MessageRootBase.sol).
    pub fn root(&self) -> B256 {
        self.tree.root()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn leaf(i: u64) -> B256 {
        keccak256(i.to_be_bytes())
    }

    fn leaves(n: usize, salt: u64) -> Vec<B256> {
        (0..n as u64).map(|i| leaf(i ^ (salt << 32))).collect()
    }

    /// The threaded build of a large logs tree gives exactly the nodes of the one-thread
    /// build, on any number of threads.
    #[test]
    fn parallel_logs_tree_equals_the_sequential_one() {
        for n in [
            PARALLEL_LOGS,
            PARALLEL_LOGS + 1,
            5_001,
            L2_TO_L1_LOGS_TREE_LEAVES,
        ] {
            let l = leaves(n, 7);
            let sequential = LogsTree {
                levels: Levels::build(l.iter().copied(), L2_TO_L1_LOGS_TREE_HEIGHT, log_zeros()),
            };
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let parallel = pool.install(|| LogsTree::new(&l).unwrap());
                assert_eq!(parallel, sequential, "{n} leaves, {threads} threads");
            }
        }
    }

    proptest! {
        /// Every path of a tree climbed through one memo reaches the root the direct climb
        /// reaches, and each distinct node is hashed once; a path with one wrong sibling, climbed
        /// through the same memo (which holds the right node there), reaches the same wrong
        /// root as climbed directly — never the true one.
        #[test]
        fn a_memo_climbs_to_the_direct_roots(
            n in 2usize..200,
            salt in any::<u64>(),
            bad_leaf in any::<prop::sample::Index>(),
            bad_level in 0usize..L2_TO_L1_LOGS_TREE_HEIGHT,
        ) {
            let tree = LogsTree::new(&leaves(n, salt)).unwrap();
            let mut memo = HashMemo::default();
            for i in 0..n as u64 {
                let path = tree.path(i).unwrap();
                let direct = calculate_root(&path, i, tree.leaves()[i as usize]).unwrap();
                prop_assert_eq!(direct, tree.root());
                let memoised = memo.calculate_root(&path, i, tree.leaves()[i as usize]).unwrap();
                prop_assert_eq!(memoised, tree.root());
            }
            // n leaves and their ancestors: fewer distinct pairs than leaves × height.
            prop_assert!(memo.len() < n + L2_TO_L1_LOGS_TREE_HEIGHT * 2);
            let i = bad_leaf.index(n) as u64;
            let mut path = tree.path(i).unwrap();
            path[bad_level] = leaf(u64::MAX);
            let leaf_i = tree.leaves()[i as usize];
            let direct = calculate_root(&path, i, leaf_i).unwrap();
            prop_assert_ne!(direct, tree.root());
            prop_assert_eq!(memo.calculate_root(&path, i, leaf_i).unwrap(), direct);
            // Out-of-bounds indices are refused alike.
            prop_assert_eq!(
                memo.calculate_root(&path, 1 << L2_TO_L1_LOGS_TREE_HEIGHT, leaf_i),
                calculate_root(&path, 1 << L2_TO_L1_LOGS_TREE_HEIGHT, leaf_i)
            );
        }
    }

    fn out_of_range(n: usize) -> MerkleError {
        MerkleError::LeafIndexOutOfRange {
            index: n as u64,
            len: n as u64,
        }
    }

    /// Reference: materialise all `2^height` leaves and hash every level.
    fn naive_root(leaves: &[B256], height: usize, empty: B256) -> B256 {
        let mut level: Vec<B256> = (0..1usize << height)
            .map(|i| leaves.get(i).copied().unwrap_or(empty))
            .collect();
        while level.len() > 1 {
            level = level.chunks(2).map(|p| hash_pair(&p[0], &p[1])).collect();
        }
        level[0]
    }

    #[test]
    fn constants_match_their_preimages() {
        // The constants are the hex literals of the brief/contracts; prove them from preimages.
        assert_eq!(default_log_leaf(), keccak256([0u8; 88]));
        assert_eq!(CHAIN_TREE_EMPTY_ENTRY_HASH, keccak256([0u8; 96]));
        assert_eq!(SHARED_ROOT_TREE_EMPTY_HASH, keccak256([0u8; 96]));
        assert_eq!(BATCH_LEAF_PADDING, keccak256("zkSync:BatchLeaf"));
        assert_eq!(CHAIN_ID_LEAF_PADDING, keccak256("zkSync:ChainIdLeaf"));
        assert_eq!(L2_TO_L1_LOGS_TREE_LEAVES, 16_384);
        assert_eq!(log_zeros()[14], naive_root(&[], 14, default_log_leaf()));
    }

    #[test]
    fn leaf_hashes_are_abi_encode_packed() {
        let (root, n) = (leaf(7), 0x0102_0304_0506_0708u64);
        let mut packed = [BATCH_LEAF_PADDING.0, root.0, [0u8; 32]].concat();
        packed[88..].copy_from_slice(&n.to_be_bytes());
        assert_eq!(batch_leaf_hash(&root, n), keccak256(&packed));
        packed[..32].copy_from_slice(CHAIN_ID_LEAF_PADDING.as_slice());
        assert_eq!(chain_id_leaf_hash(&root, n), keccak256(&packed));
        assert_eq!(
            hash_pair(&root, &leaf(8)),
            keccak256([root.0, leaf(8).0].concat())
        );
    }

    #[test]
    fn logs_tree_matches_naive_full_build() {
        let aggregated = FullTree::new().root();
        for n in [0usize, 1, 2, 3, 17, 1000, L2_TO_L1_LOGS_TREE_LEAVES] {
            let ls = leaves(n, 1);
            let tree = LogsTree::new(&ls).unwrap();
            assert_eq!(
                tree.root(),
                naive_root(&ls, 14, default_log_leaf()),
                "n = {n}"
            );
            let batch_root = tree.chain_batch_root(&aggregated);
            assert_eq!(batch_root, chain_batch_root(&tree.root(), &aggregated));
            for i in (0..n as u64).step_by(if n > 1000 { 997 } else { 1 }) {
                let path = tree.path(i).unwrap();
                assert_eq!(path.len(), L2_TO_L1_LOGS_TREE_HEIGHT);
                assert_eq!(calculate_root(&path, i, ls[i as usize]), Ok(tree.root()));
                let full = tree.path_to_batch_root(i, aggregated).unwrap();
                assert_eq!(full.len(), L2_TO_L1_LOGS_PROOF_LEN);
                assert_eq!(calculate_root(&full, i, ls[i as usize]), Ok(batch_root));
            }
            assert_eq!((tree.len(), tree.path(n as u64)), (n, Err(out_of_range(n))));
        }
    }

    #[test]
    fn logs_tree_rejects_overflow_and_round_trips() {
        let too_many = vec![B256::ZERO; L2_TO_L1_LOGS_TREE_LEAVES + 1];
        let err = MerkleError::TooManyLogs { count: 16_385 };
        assert_eq!(LogsTree::new(&too_many), Err(err));
        let tree = LogsTree::new(&leaves(5, 2)).unwrap();
        assert_eq!(tree.leaves(), leaves(5, 2).as_slice());
        let json = serde_json::to_string(&tree).unwrap();
        assert_eq!(serde_json::from_str::<LogsTree>(&json).unwrap(), tree);
        let too_many_json = serde_json::to_string(&too_many).unwrap();
        assert!(serde_json::from_str::<LogsTree>(&too_many_json).is_err());
    }

    #[test]
    fn dynamic_trees_match_naive_build_after_each_push() {
        let empty = CHAIN_TREE_EMPTY_ENTRY_HASH;
        let (mut inc, mut full) = (IncrementalTree::new(), FullTree::new());
        assert_eq!(
            (inc.root(), full.root()),
            (B256::ZERO, SHARED_ROOT_TREE_EMPTY_HASH)
        );
        assert_eq!(inc.path(0), Err(out_of_range(0)));
        let ls = leaves(40, 3);
        for n in 1..=ls.len() {
            let (l, height) = (ls[n - 1], dynamic_height(n));
            assert_eq!((inc.push(l), full.push(l)), (n as u64 - 1, n as u64 - 1));
            assert!(1usize << height >= n && (height == 0 || 1usize << (height - 1) < n));
            let expect = naive_root(&ls[..n], height, empty);
            assert_eq!(
                (inc.root(), full.root(), inc.height()),
                (expect, expect, height)
            );
            for i in 0..n as u64 {
                let path = inc.path(i).unwrap();
                assert_eq!(path, full.path(i).unwrap());
                assert_eq!(path.len(), height);
                assert_eq!(calculate_root(&path, i, ls[i as usize]), Ok(expect));
            }
            assert_eq!(
                (inc.leaf(n as u64 - 1), inc.leaf(n as u64)),
                (Some(l), None)
            );
        }
        // Snapshots share structure but never alias: a clone is unaffected by later pushes.
        let snapshot = inc.clone();
        inc.push(leaf(99));
        assert_eq!((snapshot.len(), inc.len()), (40, 41));
        assert_eq!(snapshot.root(), naive_root(&ls, 6, empty));
        assert_eq!(
            inc.root(),
            naive_root(&[ls, vec![leaf(99)]].concat(), 6, empty)
        );
    }

    #[test]
    fn full_tree_update_matches_naive_build() {
        for n in 1..=40usize {
            let mut ls = leaves(n, 4);
            let mut tree = FullTree::new();
            for l in &ls {
                tree.push(*l);
            }
            for (k, i) in [0, n / 2, n - 1].into_iter().enumerate() {
                ls[i] = leaf(1000 + k as u64);
                let root = tree.update(i as u64, ls[i]).unwrap();
                let expect = naive_root(&ls, dynamic_height(n), SHARED_ROOT_TREE_EMPTY_HASH);
                assert_eq!((root, tree.root()), (expect, expect));
                let path = tree.path(i as u64).unwrap();
                assert_eq!(calculate_root(&path, i as u64, ls[i]), Ok(root));
            }
            assert_eq!(tree.update(n as u64, B256::ZERO), Err(out_of_range(n)));
            // Serialized as leaves, rebuilt on load: the same tree comes back.
            let json = serde_json::to_string(&tree).unwrap();
            assert_eq!(serde_json::from_str::<FullTree>(&json).unwrap(), tree);
        }
    }

    #[test]
    fn calculate_root_errors() {
        let (l, path) = (leaf(1), [leaf(2), leaf(3)]);
        assert_eq!(calculate_root(&[], 0, l), Ok(l));
        let empty = MerkleError::MerklePathEmpty { index: 1 };
        assert_eq!(calculate_root(&[], 1, l), Err(empty));
        let oob = MerkleError::MerkleIndexOutOfBounds { index: 4, len: 2 };
        assert_eq!(calculate_root(&path, 4, l), Err(oob.clone()));
        assert_eq!(
            oob.to_string(),
            "Merkle index 4 out of bounds for a path of 2 siblings"
        );
        assert!(calculate_root(&path, 3, l).is_ok());
        let long = vec![l; 65];
        let err = MerkleError::MerklePathTooLong { len: 65 };
        assert_eq!(calculate_root(&long, 0, l), Err(err));
        assert!(calculate_root(&long[..64], u64::MAX, l).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn path_round_trip_and_tampering(
            n in 1usize..200, pick in any::<u64>(), salt in any::<u32>(), flip in any::<u64>()
        ) {
            let ls = leaves(n, u64::from(salt));
            let (index, l) = (pick % n as u64, ls[(pick % n as u64) as usize]);
            let mut inc = IncrementalTree::new();
            ls.iter().for_each(|l| { inc.push(*l); });
            let logs = LogsTree::new(&ls).unwrap();
            let cases = [(inc.path(index), inc.root()), (logs.path(index), logs.root())];
            for (path, root) in cases {
                let path = path.unwrap();
                prop_assert_eq!(calculate_root(&path, index, l), Ok(root));
                if path.is_empty() {
                    continue;
                }
                let level = (flip % path.len() as u64) as usize;
                let mut bad = path.clone();
                bad[level].0[0] ^= 1;
                prop_assert_ne!(calculate_root(&bad, index, l), Ok(root));
                prop_assert_ne!(calculate_root(&path, index ^ (1 << level), l), Ok(root));
                prop_assert_ne!(calculate_root(&path, index, leaf(u64::MAX)), Ok(root));
            }
        }

        #[test]
        fn full_tree_updates_match_rebuild(
            n in 1usize..100, edits in proptest::collection::vec(any::<(u64, u64)>(), 1..20)
        ) {
            let mut ls = leaves(n, 9);
            let mut tree = FullTree::new();
            ls.iter().for_each(|l| { tree.push(*l); });
            for (at, value) in edits {
                let i = (at % n as u64) as usize;
                ls[i] = leaf(value);
                tree.update(i as u64, ls[i]).unwrap();
            }
            prop_assert_eq!(&tree, &FullTree { tree: DynamicTree::from(ls) });
        }
    }
}
