//! `eth_getLogs` and the polling filters (`eth_newFilter`, `eth_newBlockFilter`,
//! `eth_getFilterChanges`, `eth_getFilterLogs`, `eth_uninstallFilter`), with alloy's filter
//! type so that address/topic semantics (null, OR lists) are exactly the clients'. At most
//! [`crate::limits::MAX_FILTERS`] are installed per chain, and one not polled for the filter
//! timeout ([`crate::limits::FILTER_TIMEOUT`]) expires.

use crate::chain::ChainNode;
pub use crate::limits::MAX_LOG_RANGE;
use crate::rpc::RpcError;
use alloy_eips::BlockNumberOrTag;
use alloy_primitives::B256;
use alloy_rpc_types_eth::{Filter, FilterBlockOption, Log};
use std::time::Instant;

/// An installed filter and the last block it has reported.
#[derive(Debug, Clone)]
pub enum InstalledFilter {
    /// Logs matching a filter.
    Logs {
        /// The filter.
        filter: Box<Filter>,
        /// Last block reported.
        last: u64,
    },
    /// New block hashes.
    Blocks {
        /// Last block reported.
        last: u64,
    },
}

/// An installed filter and when it was last polled: one unpolled for the devnet's filter
/// timeout is removed, as geth does, so abandoned filters do not pile up.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The filter.
    pub filter: InstalledFilter,
    /// Installation or last poll.
    pub polled: Instant,
}

/// A block tag or number as a block number on `node`: `finalized` and `safe` are the latest
/// block whose logs are in a settled batch.
pub fn resolve(node: &ChainNode, tag: BlockNumberOrTag) -> u64 {
    let head = node.head().record.number;
    match tag {
        BlockNumberOrTag::Earliest => 0,
        BlockNumberOrTag::Number(n) => n,
        BlockNumberOrTag::Finalized | BlockNumberOrTag::Safe => node.finalized.min(head),
        BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => head,
    }
}

/// The inclusive block range a filter names.
pub fn range(node: &ChainNode, filter: &Filter) -> Result<(u64, u64), RpcError> {
    match &filter.block_option {
        FilterBlockOption::AtBlockHash(h) => node
            .by_hash
            .get(h)
            .map(|n| (*n, *n))
            .ok_or_else(|| RpcError::server(format!("unknown block {h}"))),
        FilterBlockOption::Range {
            from_block,
            to_block,
        } => {
            let from = resolve(node, from_block.unwrap_or(BlockNumberOrTag::Latest));
            let to = resolve(node, to_block.unwrap_or(BlockNumberOrTag::Latest));
            if from > to {
                return Err(RpcError::invalid_params(format!(
                    "fromBlock {from} is after toBlock {to}"
                )));
            }
            if to - from >= MAX_LOG_RANGE {
                return Err(RpcError::invalid_params(format!(
                    "block range of {} exceeds {MAX_LOG_RANGE}",
                    to - from + 1
                )));
            }
            Ok((from, to))
        }
    }
}

/// The logs in blocks `from..=to` (those that exist) matching `filter`'s address and topics.
pub fn logs(node: &ChainNode, filter: &Filter, from: u64, to: u64) -> Vec<Log> {
    let mut out = Vec::new();
    let last = node.head().record.number.min(to);
    if from > last {
        return out;
    }
    for n in from..=last {
        let Some(b) = usize::try_from(n).ok().and_then(|i| node.blocks.get(i)) else {
            break;
        };
        if !filter.matches_bloom(b.header.logs_bloom) {
            continue;
        }
        for h in &b.txs {
            let Some(t) = node.txs.get(h) else { continue };
            out.extend(
                t.rpc_logs(b.hash, b.record.timestamp)
                    .into_iter()
                    .filter(|l| {
                        filter.matches_address(l.address()) && filter.matches_topics(l.topics())
                    }),
            );
        }
    }
    out
}

/// Hashes of blocks after `last`, up to the head.
pub fn new_blocks(node: &ChainNode, last: u64) -> Vec<B256> {
    node.blocks
        .iter()
        .skip(
            usize::try_from(last)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
        )
        .map(|b| b.hash)
        .collect()
}
