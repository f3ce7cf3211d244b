//! One chain as an Ethereum node sees it: blocks with real header hashes, transactions and
//! their receipts, logs, and the state (protocol and EVM) after every block.

use crate::config::BaseToken;
use crate::evm::{EvmState, BASE_FEE, BLOCK_GAS_LIMIT};
use alloy_consensus::{
    Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, Transaction as _, TxEnvelope,
    TxType, EMPTY_OMMER_ROOT_HASH,
};
use alloy_eips::eip7685::EMPTY_REQUESTS_HASH;
use alloy_primitives::{logs_bloom, Address, Bloom, Bytes, Log, B256, B64, U256};
use alloy_rpc_types_eth as rpc;
use flywheel_protocol::network::State;
use flywheel_protocol::ChainId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

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

/// The trie root of no entries (Ethereum's empty root).
pub const EMPTY_ROOT: B256 =
    alloy_primitives::b256!("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

/// A mined transaction: the signed envelope, its sender and its receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxRecord {
    /// The signed transaction.
    pub envelope: TxEnvelope,
    /// Its hash.
    pub hash: B256,
    /// Recovered sender.
    pub from: Address,
    /// Block it is in.
    pub block_number: u64,
    /// Its index in the block.
    pub index: u64,
    /// 1 success, 0 revert or halt.
    pub status: bool,
    /// Gas it used.
    pub gas_used: u64,
    /// Gas used in the block up to and including it.
    pub cumulative_gas_used: u64,
    /// Price per gas paid.
    pub effective_gas_price: u128,
    /// The contract it created.
    pub contract_address: Option<Address>,
    /// Its logs.
    pub logs: Vec<Log>,
    /// Index of its first log in the block.
    pub first_log_index: u64,
    /// Return or revert data.
    pub output: Bytes,
}

impl TxRecord {
    fn receipt_envelope<T>(&self, logs: Vec<T>) -> ReceiptEnvelope<T> {
        let bloom = logs_bloom(self.logs.iter());
        let r = ReceiptWithBloom {
            receipt: Receipt {
                status: Eip658Value::Eip658(self.status),
                cumulative_gas_used: self.cumulative_gas_used,
                logs,
            },
            logs_bloom: bloom,
        };
        match self.envelope.tx_type() {
            TxType::Legacy => ReceiptEnvelope::Legacy(r),
            TxType::Eip2930 => ReceiptEnvelope::Eip2930(r),
            TxType::Eip4844 => ReceiptEnvelope::Eip4844(r),
            TxType::Eip7702 => ReceiptEnvelope::Eip7702(r),
            TxType::Eip1559 => ReceiptEnvelope::Eip1559(r),
        }
    }

    /// Its logs as RPC logs, in a block with `block_hash` and `timestamp`.
    pub fn rpc_logs(&self, block_hash: B256, timestamp: u64) -> Vec<rpc::Log> {
        self.logs
            .iter()
            .enumerate()
            .map(|(i, l)| rpc::Log {
                inner: l.clone(),
                block_hash: Some(block_hash),
                block_number: Some(self.block_number),
                block_timestamp: Some(timestamp),
                transaction_hash: Some(self.hash),
                transaction_index: Some(self.index),
                log_index: Some(self.first_log_index + i as u64),
                removed: false,
            })
            .collect()
    }

    /// The receipt as `eth_getTransactionReceipt` returns it.
    pub fn rpc_receipt(&self, block_hash: B256, timestamp: u64) -> rpc::TransactionReceipt {
        rpc::TransactionReceipt {
            inner: self.receipt_envelope(self.rpc_logs(block_hash, timestamp)),
            transaction_hash: self.hash,
            transaction_index: Some(self.index),
            block_hash: Some(block_hash),
            block_number: Some(self.block_number),
            gas_used: self.gas_used,
            effective_gas_price: self.effective_gas_price,
            blob_gas_used: None,
            blob_gas_price: None,
            from: self.from,
            to: self.envelope.to(),
            contract_address: self.contract_address,
        }
    }

    /// The transaction as `eth_getTransactionByHash` returns it.
    pub fn rpc_transaction(&self, block_hash: B256, timestamp: u64) -> rpc::Transaction {
        rpc::Transaction {
            inner: alloy_consensus::transaction::Recovered::new_unchecked(
                self.envelope.clone(),
                self.from,
            ),
            block_hash: Some(block_hash),
            block_number: Some(self.block_number),
            transaction_index: Some(self.index),
            effective_gas_price: Some(self.effective_gas_price),
            block_timestamp: Some(timestamp),
        }
    }
}

/// A sealed block and the state after it.
#[derive(Debug, Clone)]
pub struct Block {
    /// Number, timestamp and position in the event log.
    pub record: BlockRecord,
    /// Its header (hashed for the block hash).
    pub header: Header,
    /// `keccak(rlp(header))`.
    pub hash: B256,
    /// Its transactions, in order.
    pub txs: Vec<B256>,
    /// The protocol state after it (O(1) clone).
    pub state: State,
    /// The chain's EVM accounts after it (O(1) clone).
    pub evm: EvmState,
}

/// One chain: its blocks, transactions, the transactions of the block being built, and its
/// EVM accounts now.
#[derive(Debug, Clone)]
pub struct ChainNode {
    /// Id, role, name, base token.
    pub info: ChainInfo,
    /// Sealed blocks; `blocks[n].record.number == n`.
    pub blocks: Vec<Block>,
    /// Block numbers by hash.
    pub by_hash: HashMap<B256, u64>,
    /// Block hashes by number (what `BLOCKHASH` reads), kept beside the blocks so a
    /// transaction does not copy them.
    block_hashes: Vec<B256>,
    /// Mined transactions by hash.
    pub txs: HashMap<B256, TxRecord>,
    /// Executed transactions waiting for the next block (with `--block-time`).
    pub pending: Vec<TxRecord>,
    /// The timestamp of the block being built, fixed by its first transaction.
    pub pending_timestamp: Option<u64>,
    /// EVM accounts now (including pending transactions).
    pub evm: EvmState,
    /// Installed filters.
    pub filters: HashMap<U256, crate::filters::Installed>,
    /// Next filter id.
    pub next_filter: u64,
    /// The latest block whose logs are in a settled batch (`finalized` and `safe`).
    pub finalized: u64,
}

impl ChainNode {
    /// A chain with its genesis block, over `state`.
    pub fn genesis(info: ChainInfo, timestamp: u64, events_end: usize, state: State) -> Self {
        let mut node = Self {
            info,
            blocks: Vec::new(),
            by_hash: HashMap::new(),
            block_hashes: Vec::new(),
            txs: HashMap::new(),
            pending: Vec::new(),
            pending_timestamp: None,
            evm: EvmState::default(),
            filters: HashMap::new(),
            next_filter: 1,
            finalized: 0,
        };
        let record = BlockRecord {
            number: 0,
            timestamp,
            events_end,
        };
        node.push_block(record, Vec::new(), state, Address::ZERO);
        node
    }

    /// The head block.
    pub fn head(&self) -> &Block {
        // invariant: every chain has its genesis block.
        &self.blocks[self.blocks.len() - 1]
    }

    /// Hashes of all blocks by number.
    pub fn hashes(&self) -> &[B256] {
        &self.block_hashes
    }

    /// Gas used so far by the block being built.
    pub fn pending_gas(&self) -> u64 {
        self.pending.last().map_or(0, |t| t.cumulative_gas_used)
    }

    /// Seals the pending transactions (possibly none) into a block.
    pub fn seal(&mut self, timestamp: u64, events_end: usize, state: State, coinbase: Address) {
        let mut txs = std::mem::take(&mut self.pending);
        self.pending_timestamp = None;
        let number = self.blocks.len() as u64;
        for t in &mut txs {
            t.block_number = number;
        }
        let record = BlockRecord {
            number,
            timestamp,
            events_end,
        };
        self.push_block(record, txs, state, coinbase);
    }

    fn push_block(
        &mut self,
        record: BlockRecord,
        txs: Vec<TxRecord>,
        state: State,
        coinbase: Address,
    ) {
        let parent_hash = self.blocks.last().map_or(B256::ZERO, |b| b.hash);
        let envelopes: Vec<&TxEnvelope> = txs.iter().map(|t| &t.envelope).collect();
        let receipts: Vec<ReceiptEnvelope<Log>> = txs
            .iter()
            .map(|t| t.receipt_envelope(t.logs.clone()))
            .collect();
        let bloom = txs
            .iter()
            .fold(Bloom::ZERO, |acc, t| acc | logs_bloom(t.logs.iter()));
        let header = Header {
            parent_hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: coinbase,
            // Model choice: no state trie is kept, so the state root is not computed.
            state_root: B256::ZERO,
            transactions_root: alloy_consensus::proofs::calculate_transaction_root(&envelopes),
            receipts_root: alloy_consensus::proofs::calculate_receipt_root(&receipts),
            logs_bloom: bloom,
            difficulty: U256::ZERO,
            number: record.number,
            gas_limit: BLOCK_GAS_LIMIT,
            gas_used: txs.last().map_or(0, |t| t.cumulative_gas_used),
            timestamp: record.timestamp,
            extra_data: Bytes::new(),
            mix_hash: B256::ZERO,
            nonce: B64::ZERO,
            base_fee_per_gas: Some(BASE_FEE),
            withdrawals_root: Some(EMPTY_ROOT),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::ZERO),
            requests_hash: Some(EMPTY_REQUESTS_HASH),
            ..Header::default()
        };
        let hash = header.hash_slow();
        let hashes = txs.iter().map(|t| t.hash).collect();
        for t in txs {
            self.txs.insert(t.hash, t);
        }
        self.by_hash.insert(hash, record.number);
        self.block_hashes.push(hash);
        self.blocks.push(Block {
            record,
            header,
            hash,
            txs: hashes,
            state,
            evm: self.evm.clone(),
        });
    }

    /// A block as `eth_getBlockBy*` returns it, with full transactions or hashes.
    pub fn rpc_block(&self, number: u64, full: bool) -> Option<Value> {
        let b = self.blocks.get(usize::try_from(number).ok()?)?;
        let transactions = if full {
            rpc::BlockTransactions::Full(
                b.txs
                    .iter()
                    .filter_map(|h| self.txs.get(h))
                    .map(|t| t.rpc_transaction(b.hash, b.record.timestamp))
                    .collect(),
            )
        } else {
            rpc::BlockTransactions::Hashes(b.txs.clone())
        };
        let block = rpc::Block {
            header: rpc::Header {
                hash: b.hash,
                inner: b.header.clone(),
                total_difficulty: Some(U256::ZERO),
                size: None,
            },
            uncles: Vec::new(),
            transactions,
            withdrawals: Some(Default::default()),
        };
        serde_json::to_value(block).ok()
    }

    /// A mined transaction's block hash and timestamp.
    pub fn placed(&self, t: &TxRecord) -> Option<(B256, u64)> {
        let b = self.blocks.get(usize::try_from(t.block_number).ok()?)?;
        Some((b.hash, b.record.timestamp))
    }
}
