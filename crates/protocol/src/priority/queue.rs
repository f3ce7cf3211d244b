//! The priority queue's entries: L1→L2 requests with their canonical transaction hash (the
//! leaf of the chain's priority tree) and the time they were requested, and the rolling hash a
//! batch commits to over the requests it processed.

use crate::bridge::abi::L2CanonicalTransaction;
use crate::ChainId;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use serde::{Deserialize, Serialize};

/// `PRIORITY_OPERATION_L2_TX_TYPE` = 255: an EraVM chain's L1→L2 transaction type
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const PRIORITY_OPERATION_L2_TX_TYPE: u64 = 255;
/// `ZKSYNC_OS_PRIORITY_OPERATION_L2_TX_TYPE` = 127: a ZKsync OS chain's
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const ZKSYNC_OS_PRIORITY_OPERATION_L2_TX_TYPE: u64 = 127;

/// One L1→L2 request in a chain's priority queue (`NewPriorityRequest`), with the time it was
/// requested (`priorityOpsRequestTimestamp`) and, once a batch holding it is executed on L1,
/// the time it was processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityOp {
    /// Chain it is addressed to.
    pub chain: ChainId,
    /// Its index in the queue (`txId`, the transaction's nonce).
    pub id: u64,
    /// Canonical transaction hash: the priority tree's leaf.
    pub hash: B256,
    /// `block.timestamp` of the request.
    pub requested_at: u64,
    /// L1 sender (an EOA: the model does not alias contract senders).
    pub sender: Address,
    /// L2 target.
    pub contract_l2: Address,
    /// Value delivered to the target, base-token wei.
    pub l2_value: U256,
    /// Base token minted on L2 for the request (`mintValue`): value, fee and refund.
    pub mint_value: U256,
    /// L2 gas price the request was priced at (`maxFeePerGas`).
    pub l2_gas_price: U256,
    /// L2 gas limit.
    pub l2_gas_limit: u64,
    /// Who gets what is left of `mint_value` (the sender when given as zero).
    pub refund_recipient: Address,
    /// L2 calldata (carried and hashed; the model executes value transfers only).
    pub calldata: Bytes,
    /// When a batch processing it was executed on L1.
    pub processed_at: Option<u64>,
}

impl PriorityOp {
    /// The fee the request pays on L2: its base cost, `l2GasPrice × l2GasLimit` (model choice:
    /// the whole gas limit is charged; unused gas is not refunded).
    pub fn fee(&self) -> U256 {
        self.l2_gas_price
            .saturating_mul(U256::from(self.l2_gas_limit))
    }

    /// How the minted value splits on L2 when the request is processed: (to the target, fee,
    /// refund). A request whose value does not fit after the fee fails on L2: it pays the fee
    /// and the rest is refunded (as a failed L1→L2 transaction refunds its value).
    pub fn settlement(&self) -> (U256, U256, U256) {
        let fee = self.fee().min(self.mint_value);
        let left = self.mint_value - fee;
        if self.l2_value <= left {
            (self.l2_value, fee, left - self.l2_value)
        } else {
            (U256::ZERO, fee, left)
        }
    }

    /// How long it waited, if processed.
    pub fn delay(&self) -> Option<u64> {
        self.processed_at
            .map(|t| t.saturating_sub(self.requested_at))
    }
}

/// The fields of a request the canonical hash covers.
pub struct CanonicalFields<'a> {
    /// ZKsync OS or EraVM transaction type.
    pub zksync_os: bool,
    /// Sender.
    pub sender: Address,
    /// Target.
    pub contract_l2: Address,
    /// Gas limit.
    pub l2_gas_limit: u64,
    /// Gas price.
    pub l2_gas_price: U256,
    /// Queue index.
    pub id: u64,
    /// Value to the target.
    pub l2_value: U256,
    /// Minted value.
    pub mint_value: U256,
    /// Refund recipient (already defaulted to the sender).
    pub refund_recipient: Address,
    /// Calldata.
    pub calldata: &'a Bytes,
    /// `l2GasPerPubdataByteLimit` of the request.
    pub gas_per_pubdata: U256,
}

fn word(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

/// `keccak256(abi.encode(transaction))` of the `L2CanonicalTransaction` the Mailbox builds
/// (`_serializeL2Transaction`, `_validateTx`,
/// `era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Mailbox.sol`):
/// no paymaster, no factory deps, `reserved = [mintValue, refundRecipient, 0, 0]`, the
/// request's gas-per-pubdata limit. The struct is declared once, in [`crate::bridge::abi`].
pub fn canonical_tx_hash(f: &CanonicalFields<'_>) -> B256 {
    let tx_type = if f.zksync_os {
        ZKSYNC_OS_PRIORITY_OPERATION_L2_TX_TYPE
    } else {
        PRIORITY_OPERATION_L2_TX_TYPE
    };
    let tx = L2CanonicalTransaction {
        txType: U256::from(tx_type),
        from: word(f.sender),
        to: word(f.contract_l2),
        gasLimit: U256::from(f.l2_gas_limit),
        gasPerPubdataByteLimit: f.gas_per_pubdata,
        maxFeePerGas: f.l2_gas_price,
        maxPriorityFeePerGas: U256::ZERO,
        paymaster: U256::ZERO,
        nonce: U256::from(f.id),
        value: f.l2_value,
        reserved: [
            f.mint_value,
            word(f.refund_recipient),
            U256::ZERO,
            U256::ZERO,
        ],
        data: f.calldata.clone(),
        signature: Bytes::new(),
        factoryDeps: Vec::new(),
        paymasterInput: Bytes::new(),
        reservedDynamic: Bytes::new(),
    };
    keccak256(tx.abi_encode())
}

/// `EMPTY_STRING_KECCAK`: the rolling hash of no priority operations
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub fn empty_string_keccak() -> B256 {
    keccak256([])
}

/// `_rollingHash`: `h = keccak256(abi.encode(h, item))` from `EMPTY_STRING_KECCAK` over the
/// batch's priority operation hashes in order — what a batch commits to and what execution
/// recomputes from the queue
/// (`era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Executor.sol`).
pub fn rolling_hash<'a>(hashes: impl IntoIterator<Item = &'a B256>) -> B256 {
    hashes.into_iter().fold(empty_string_keccak(), |h, item| {
        keccak256((h, *item).abi_encode())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    #[test]
    fn the_rolling_hash_starts_at_the_empty_string_keccak_and_chains_in_order() {
        assert_eq!(
            empty_string_keccak(),
            b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        );
        assert_eq!(rolling_hash(&[]), empty_string_keccak());
        let (a, b) = (B256::repeat_byte(1), B256::repeat_byte(2));
        let ab = rolling_hash(&[a, b]);
        let step = keccak256([empty_string_keccak().as_slice(), a.as_slice()].concat());
        let manual = keccak256([step.as_slice(), b.as_slice()].concat());
        assert_eq!(ab, manual, "abi.encode of two words is their concatenation");
        assert_ne!(ab, rolling_hash(&[b, a]), "order matters");
    }

    #[test]
    fn a_failed_request_pays_its_fee_and_refunds_the_rest() {
        let op = |l2_value: u64, mint: u64| PriorityOp {
            chain: 1,
            id: 0,
            hash: B256::ZERO,
            requested_at: 0,
            sender: Address::ZERO,
            contract_l2: Address::ZERO,
            l2_value: U256::from(l2_value),
            mint_value: U256::from(mint),
            l2_gas_price: U256::from(2u8),
            l2_gas_limit: 10,
            refund_recipient: Address::ZERO,
            calldata: Bytes::new(),
            processed_at: None,
        };
        let u = |v: u64| U256::from(v);
        assert_eq!(op(50, 100).settlement(), (u(50), u(20), u(30)));
        assert_eq!(op(80, 100).settlement(), (u(80), u(20), u(0)));
        assert_eq!(op(81, 100).settlement(), (u(0), u(20), u(80)));
        for (v, m) in [(50, 100), (80, 100), (81, 100), (0, 5)] {
            let (a, b, c) = op(v, m).settlement();
            assert_eq!(a + b + c, u(m), "the minted value is conserved");
        }
    }
}
