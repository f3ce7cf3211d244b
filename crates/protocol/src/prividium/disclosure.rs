//! Selective disclosure: prove to a third party that one transaction of a Prividium is part of
//! a batch that settled publicly, revealing nothing of the batch's other transactions.
//!
//! Model (a model choice: era-contracts has no such commitment; Prividium's own selective
//! disclosure is not public): each executed transaction is recorded as a [`TxRecord`]; its
//! leaf is `keccak256(tx_leaf_padding() ‖ salt ‖ keccak256(record))` with a per-transaction
//! salt derived from the institution's secret. When the batch is sealed the chain publishes
//! `abi.encode(batchNumber, txRoot)` as an L2→L1 message from [`TX_COMMITTER`], where `txRoot`
//! is the root of the batch's leaves in the incremental tree of
//! [`crate::merkle::IncrementalTree`]. That message is a log of the batch, so the batch root
//! that settles publicly commits to it, and the ordinary message inclusion proof of
//! [`crate::settlement`] carries it to a root L1 holds.
//!
//! A [`DisclosureProof`] reveals the one record and its salt; the other leaves appear only as
//! sibling hashes, each blinded by a salt the verifier does not have. [`verify`] uses public
//! data only: L1's record of settled batch roots.

use crate::chain::{AssetId, Chain, ChainKind};
use crate::merkle::{self, IncrementalTree, MerkleError};
use crate::settlement::{self, L2Message, MessageInclusionProof, ProofError};
use crate::ChainId;
use alloy_primitives::{address, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use imbl::Vector;
use serde::{Deserialize, Serialize};

/// Sender of a batch's transaction-root message. Model choice: a fixed address outside every
/// system range, standing for the institution's commitment contract.
pub const TX_COMMITTER: Address = address!("00000000000000000000000000000000000f1d10");

/// `keccak256("flywheel:PrividiumTxLeaf")`: domain separation of transaction leaves from every
/// other tree's leaves (model choice).
pub fn tx_leaf_padding() -> B256 {
    static PADDING: std::sync::OnceLock<B256> = std::sync::OnceLock::new();
    *PADDING.get_or_init(|| keccak256("flywheel:PrividiumTxLeaf"))
}

/// What a transaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxKind {
    /// A transfer on the chain.
    Transfer {
        /// Asset.
        asset: AssetId,
        /// Payee.
        to: Address,
        /// Amount.
        amount: U256,
    },
    /// An interop bundle sent.
    Bundle {
        /// Its hash.
        bundle_hash: B256,
        /// Destination chain.
        destination: ChainId,
        /// Number of calls.
        calls: u64,
        /// Whether it paid the fixed ZK fee.
        fixed_fee: bool,
    },
    /// An L1 → L2 request the filterer let in.
    L1Request {
        /// L2 target.
        contract_l2: Address,
        /// Base token minted.
        mint_value: U256,
        /// L2 value.
        l2_value: U256,
        /// A bridged deposit it carried: (asset, receiver, amount).
        deposit: Option<(AssetId, Address, U256)>,
    },
}

impl TxKind {
    fn tag(&self) -> u8 {
        match self {
            Self::Transfer { .. } => 1,
            Self::Bundle { .. } => 2,
            Self::L1Request { .. } => 3,
        }
    }

    fn payload(&self) -> Vec<u8> {
        match *self {
            Self::Transfer { asset, to, amount } => (asset.0, to, amount).abi_encode_params(),
            Self::Bundle {
                bundle_hash,
                destination,
                calls,
                fixed_fee,
            } => (
                bundle_hash,
                U256::from(destination),
                U256::from(calls),
                fixed_fee,
            )
                .abi_encode_params(),
            Self::L1Request {
                contract_l2,
                mint_value,
                l2_value,
                deposit,
            } => {
                let (has, asset, receiver, amount) = match deposit {
                    Some((a, r, v)) => (true, a.0, r, v),
                    None => (false, B256::ZERO, Address::ZERO, U256::ZERO),
                };
                (
                    contract_l2,
                    mint_value,
                    l2_value,
                    has,
                    asset,
                    receiver,
                    amount,
                )
                    .abi_encode_params()
            }
        }
    }

    fn decode(tag: u8, payload: &[u8]) -> Option<Self> {
        let kind = match tag {
            1 => {
                let (asset, to, amount) =
                    <(B256, Address, U256)>::abi_decode_params_validate(payload).ok()?;
                Self::Transfer {
                    asset: AssetId(asset),
                    to,
                    amount,
                }
            }
            2 => {
                let (bundle_hash, destination, calls, fixed_fee) =
                    <(B256, U256, U256, bool)>::abi_decode_params_validate(payload).ok()?;
                Self::Bundle {
                    bundle_hash,
                    destination: u64::try_from(destination).ok()?,
                    calls: u64::try_from(calls).ok()?,
                    fixed_fee,
                }
            }
            3 => {
                let (contract_l2, mint_value, l2_value, has, asset, receiver, amount) =
                    <(Address, U256, U256, bool, B256, Address, U256)>::abi_decode_params_validate(
                        payload,
                    )
                    .ok()?;
                Self::L1Request {
                    contract_l2,
                    mint_value,
                    l2_value,
                    deposit: has.then_some((AssetId(asset), receiver, amount)),
                }
            }
            _ => return None,
        };
        // Canonical only: fields a kind does not use must be zero, and so on.
        (kind.payload() == payload).then_some(kind)
    }
}

/// One executed transaction of a Prividium, as its batch commits to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxRecord {
    /// The Prividium chain.
    pub chain: ChainId,
    /// Sequence number on the chain (from 0).
    pub seq: u64,
    /// The batch it is in.
    pub batch: u64,
    /// Its position in the batch's transaction tree.
    pub index: u32,
    /// When it executed.
    pub at: u64,
    /// Who sent it (the L1 sender for an L1 request).
    pub from: Address,
    /// What it did.
    pub kind: TxKind,
}

impl TxRecord {
    /// Canonical bytes: `abi.encode(chain, seq, batch, index, at, from, tag, payload)`.
    pub fn encode(&self) -> Vec<u8> {
        (
            U256::from(self.chain),
            U256::from(self.seq),
            U256::from(self.batch),
            U256::from(self.index),
            U256::from(self.at),
            self.from,
            U256::from(self.kind.tag()),
            Bytes::from(self.kind.payload()),
        )
            .abi_encode_params()
    }

    /// Parses canonical bytes (anything else is `None`).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (chain, seq, batch, index, at, from, tag, payload) =
            <(U256, U256, U256, U256, U256, Address, U256, Bytes)>::abi_decode_params_validate(
                bytes,
            )
            .ok()?;
        let record = Self {
            chain: u64::try_from(chain).ok()?,
            seq: u64::try_from(seq).ok()?,
            batch: u64::try_from(batch).ok()?,
            index: u32::try_from(index).ok()?,
            at: u64::try_from(at).ok()?,
            from,
            kind: TxKind::decode(u8::try_from(tag).ok()?, &payload)?,
        };
        (record.encode() == bytes).then_some(record)
    }

    /// Whether `who` is a party to it (sender, payee or deposit receiver).
    pub fn involves(&self, who: Address) -> bool {
        self.from == who
            || match self.kind {
                TxKind::Transfer { to, .. } => to == who,
                TxKind::Bundle { .. } => false,
                TxKind::L1Request {
                    contract_l2,
                    deposit,
                    ..
                } => contract_l2 == who || deposit.is_some_and(|(_, r, _)| r == who),
            }
    }
}

/// The blinding salt of transaction `seq`: `keccak256(seed ‖ chain ‖ seq)`.
pub fn salt(seed: &B256, chain: ChainId, seq: u64) -> B256 {
    keccak256((*seed, U256::from(chain), U256::from(seq)).abi_encode_params())
}

/// A transaction's leaf: `keccak256(tx_leaf_padding() ‖ salt ‖ keccak256(record))`.
pub fn leaf(salt: &B256, record: &TxRecord) -> B256 {
    let mut buf = [0u8; 96];
    buf[..32].copy_from_slice(tx_leaf_padding().as_slice());
    buf[32..64].copy_from_slice(salt.as_slice());
    buf[64..].copy_from_slice(keccak256(record.encode()).as_slice());
    keccak256(buf)
}

/// The data of the batch's transaction-root message.
pub fn commitment_data(batch: u64, root: &B256) -> Bytes {
    (U256::from(batch), *root).abi_encode_params().into()
}

/// A batch's committed transactions: their records, their tree, and the index of the log
/// that published the root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommittedBatch {
    /// The records, in tree order.
    pub records: Vector<TxRecord>,
    /// Their leaves.
    pub tree: IncrementalTree,
    /// Index of the commitment log in the batch's logs tree (also its `txNumberInBatch`).
    pub log_index: u32,
}

impl CommittedBatch {
    /// The tree of `records` under `seed`.
    pub fn build(seed: &B256, records: Vector<TxRecord>, log_index: u32) -> Self {
        let mut tree = IncrementalTree::new();
        for r in &records {
            tree.push(leaf(&salt(seed, r.chain, r.seq), r));
        }
        Self {
            records,
            tree,
            log_index,
        }
    }

    /// The transaction root.
    pub fn root(&self) -> B256 {
        self.tree.root()
    }
}

/// Proof that one transaction is part of a settled batch of a Prividium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureProof {
    /// The disclosed transaction.
    pub record: TxRecord,
    /// Its salt (the only secret revealed).
    pub salt: B256,
    /// Siblings from its leaf to the transaction root.
    pub tx_path: Vec<B256>,
    /// Index of the commitment log in the batch's logs tree.
    pub log_index: u64,
    /// The message inclusion proof words from that log to a root L1 holds.
    pub words: Vec<B256>,
}

/// Why a disclosure does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    /// The bytes are not a canonical encoding of a proof.
    #[error("the proof bytes are not a canonical encoding")]
    Malformed,
    /// The verifier was handed another chain's state than L1's.
    #[error("chain {0} is not L1: the verifier checks against L1's public record only")]
    NotL1(ChainId),
    /// The commitment log's index does not fit a log's 16-bit transaction number.
    #[error("commitment log index {0} is out of range")]
    LogIndexOutOfRange(u64),
    /// The transaction path does not fold.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// The commitment does not reach a root L1 holds.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

impl DisclosureProof {
    /// Canonical bytes: `abi.encode(record, salt, txPath, logIndex, words)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        (
            Bytes::from(self.record.encode()),
            self.salt,
            self.tx_path.clone(),
            U256::from(self.log_index),
            self.words.clone(),
        )
            .abi_encode_params()
    }

    /// Parses canonical bytes; any other byte string is [`DisclosureError::Malformed`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DisclosureError> {
        let (record, salt, tx_path, log_index, words) =
            <(Bytes, B256, Vec<B256>, U256, Vec<B256>)>::abi_decode_params_validate(bytes)
                .map_err(|_| DisclosureError::Malformed)?;
        let proof = Self {
            record: TxRecord::decode(&record).ok_or(DisclosureError::Malformed)?,
            salt,
            tx_path,
            log_index: u64::try_from(log_index).map_err(|_| DisclosureError::Malformed)?,
            words,
        };
        if proof.to_bytes() != bytes {
            return Err(DisclosureError::Malformed);
        }
        Ok(proof)
    }

    /// The commitment message this proof claims, recomputed from the record, salt and path.
    fn commitment(&self) -> Result<MessageInclusionProof, DisclosureError> {
        let r = &self.record;
        let leaf = leaf(&self.salt, r);
        let root = merkle::calculate_root(&self.tx_path, u64::from(r.index), leaf)?;
        let tx_number = u16::try_from(self.log_index)
            .map_err(|_| DisclosureError::LogIndexOutOfRange(self.log_index))?;
        Ok(MessageInclusionProof {
            chain_id: r.chain,
            l1_batch_number: r.batch,
            l2_message_index: self.log_index,
            message: L2Message {
                tx_number_in_batch: tx_number,
                sender: TX_COMMITTER,
                data: commitment_data(r.batch, &root),
            },
            proof: self.words.clone(),
        })
    }
}

/// Builds the proof of transaction `seq` of `chain` against a root `l1` holds: the batch must
/// be committed, settled, and (for a chain on Gateway) covered by a Gateway batch L1 recorded.
pub fn prove(
    chains: &imbl::OrdMap<ChainId, Chain>,
    prividium: &super::Prividium,
    seq: u64,
    l1: &Chain,
) -> Result<DisclosureProof, super::PrividiumError> {
    let chain = prividium.config.chain;
    let record = prividium
        .committed
        .values()
        .flat_map(|b| b.records.iter())
        .find(|r| r.seq == seq)
        .copied()
        .ok_or(super::PrividiumError::TransactionNotCommitted { chain, seq })?;
    let batch = prividium
        .committed
        .get(&record.batch)
        .ok_or(super::PrividiumError::TransactionNotCommitted { chain, seq })?;
    let tx_path = batch.tree.path(u64::from(record.index))?;
    let message = L2Message {
        tx_number_in_batch: u16::try_from(batch.log_index)
            .map_err(|_| DisclosureError::LogIndexOutOfRange(u64::from(batch.log_index)))?,
        sender: TX_COMMITTER,
        data: commitment_data(record.batch, &batch.root()),
    };
    let mp = settlement::build_proof(
        chains,
        chain,
        record.batch,
        u64::from(batch.log_index),
        message,
        l1,
    )?;
    Ok(DisclosureProof {
        record,
        salt: salt(&prividium.config.disclosure_seed, chain, seq),
        tx_path,
        log_index: u64::from(batch.log_index),
        words: mp.proof,
    })
}

/// Checks a disclosure with public data only: the record's leaf folds to a transaction root,
/// whose commitment message is proven, level by level, up to a batch root L1 recorded.
pub fn verify(l1: &Chain, proof: &DisclosureProof) -> Result<(), DisclosureError> {
    if l1.config.kind != ChainKind::L1 {
        return Err(DisclosureError::NotL1(l1.config.id));
    }
    if !final_flags_canonical(&proof.words) {
        return Err(DisclosureError::Malformed);
    }
    let message = proof.commitment()?;
    settlement::verify_proof(l1, &message)?;
    Ok(())
}

/// Whether every level's "final" flag (byte 3 of its metadata word) is 0 or 1. The contracts
/// read any non-zero byte as final (`MessageHashing.parseProofMetadata`,
/// era-contracts@4859b6f:l1-contracts/contracts/common/libraries/MessageHashing.sol), so
/// `0x01` and `0x81` prove the same thing; a disclosure is byte-exact, so only the canonical
/// byte passes. Every other byte of the words is bound by the proof check itself.
fn final_flags_canonical(words: &[B256]) -> bool {
    let mut at = 0usize;
    while let Some(meta) = words.get(at) {
        let (log_len, batch_len, flag) = (meta[1] as usize, meta[2] as usize, meta[3]);
        if flag > 1 {
            return false;
        }
        if flag == 1 {
            return true;
        }
        // metadata, log path, batch-leaf mask, batch path, packed (batch, mask), chain id.
        at += 1 + log_len + 1 + batch_len + 2;
    }
    true
}

/// Verifies proof bytes as a third party receives them.
pub fn verify_bytes(l1: &Chain, bytes: &[u8]) -> Result<TxRecord, DisclosureError> {
    let proof = DisclosureProof::from_bytes(bytes)?;
    verify(l1, &proof)?;
    Ok(proof.record)
}
