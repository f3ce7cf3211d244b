//! Chains and the per-chain state the model keeps: base-token balances, the InteropCenter's
//! counters and fee accruals, the L1 messenger's pending logs, sealed batches, the
//! InteropHandler's statuses and the imported interop roots.

use crate::merkle::LogsTree;
use crate::settlement::MessageRootState;
use crate::ChainId;
use alloy_primitives::{address, keccak256, Address, B256, U256};
use alloy_sol_types::SolValue;
use imbl::{OrdMap, Vector};
use serde::{Deserialize, Serialize};

/// `L2_INTEROP_CENTER_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x0d`: the InteropCenter system
/// contract on every L2, the only accepted sender of bundle messages
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol`).
pub const INTEROP_CENTER: Address = address!("000000000000000000000000000000000001000d");
/// `L2_INTEROP_HANDLER_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x0e`: the InteropHandler system
/// contract on every L2
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol`).
pub const INTEROP_HANDLER: Address = address!("000000000000000000000000000000000001000e");
/// `L2_NATIVE_TOKEN_VAULT_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x04`: part of every asset id's
/// preimage
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol`).
pub const NATIVE_TOKEN_VAULT: Address = address!("0000000000000000000000000000000000010004");
/// `L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR`: the sender of every L2→L1 message log.
pub const L1_MESSENGER: Address = address!("0000000000000000000000000000000000008008");
/// `ETH_TOKEN_ADDRESS` = `address(1)`: the placeholder token address of ETH in asset ids
/// (`era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol`).
pub const ETH_TOKEN_ADDRESS: Address = address!("0000000000000000000000000000000000000001");

/// An asset's id as the native token vault derives it:
/// `keccak256(abi.encode(originChainId, NATIVE_TOKEN_VAULT, tokenAddress))`
/// (`DataEncoding.encodeNTVAssetId`,
/// `era-contracts@4859b6f:l1-contracts/contracts/common/libraries/DataEncoding.sol`). A chain's
/// base-token asset id, as its Bridgehub registration holds it, is this id of its base token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AssetId(pub B256);

impl AssetId {
    /// The id of `token` native to `origin_chain`.
    pub fn native(origin_chain: ChainId, token: Address) -> Self {
        Self(keccak256(
            (U256::from(origin_chain), NATIVE_TOKEN_VAULT, token).abi_encode(),
        ))
    }
}

impl std::fmt::Display for AssetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a registered asset is, for display and for the fee routes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetInfo {
    /// Ticker shown to users (`ETH`, `ZK`, `USDC`…).
    pub symbol: String,
    /// Chain the token is native to.
    pub origin_chain: ChainId,
    /// Its address there.
    pub token: Address,
}

/// The role a chain plays in settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainKind {
    /// Ethereum: the root settlement layer; interop neither starts nor ends here
    /// (`NotL2ToL2`).
    L1,
    /// ZK Gateway: a ZK chain that is also a settlement layer and aggregates message roots.
    Gateway,
    /// An ordinary ZK chain (Era and the others).
    ZkChain,
}

/// Static description of a chain, fixed at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainConfig {
    /// EIP-155 chain id.
    pub id: ChainId,
    /// Human name (`Era`, `Gateway`…).
    pub name: String,
    /// Settlement role.
    pub kind: ChainKind,
    /// The chain's base (gas) token.
    pub base_token: AssetId,
    /// Where its batches settle (`None` only for L1). Fixed at genesis except by a migration
    /// to Gateway (`PriorityEvent::ChainMigrated`).
    pub settlement_layer: Option<ChainId>,
    /// Whether ZK is bridged here, so the fixed ZK fee can be paid (`ZKTokenNotAvailable`).
    pub zk_token_available: bool,
    /// The operator: block coinbase that fee accruals are credited to.
    pub operator: Address,
    /// The chain admin (`s.admin` of its diamond on L1): arms priority mode, sets fee
    /// parameters and the transaction filterer, migrates the chain.
    #[serde(default)]
    pub admin: Address,
    /// The state transition it runs: only ZKsync OS chains may be armed for priority mode
    /// (`onlyZKsyncOS`, era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/ZKChainBase.sol).
    #[serde(default)]
    pub execution: ExecutionEnvironment,
    /// Where it posts its data: only a rollup may become a permanent rollup, and only a
    /// permanent rollup may activate priority mode (a validium such as a Prividium cannot).
    #[serde(default)]
    pub data_availability: DataAvailability,
}

impl ChainConfig {
    /// A ZKsync OS rollup run by `operator`, who is also its admin. ZK is bridged to every
    /// chain but L1 (where it is native and the fixed ZK fee has no InteropCenter to pay).
    pub fn rollup(
        id: ChainId,
        name: &str,
        kind: ChainKind,
        base_token: AssetId,
        settlement_layer: Option<ChainId>,
        operator: Address,
    ) -> Self {
        Self {
            id,
            name: name.to_string(),
            kind,
            base_token,
            settlement_layer,
            zk_token_available: kind != ChainKind::L1,
            operator,
            admin: operator,
            execution: ExecutionEnvironment::ZksyncOs,
            data_availability: DataAvailability::Rollup,
        }
    }
}

/// A chain's state transition (`s.zksyncOS` of its diamond).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExecutionEnvironment {
    /// EraVM (ZKsync Era and older chains).
    EraVm,
    /// ZKsync OS (the default of new v31 chains).
    #[default]
    ZksyncOs,
}

/// Where a chain's data is made available.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataAvailability {
    /// Pubdata posted to L1: a rollup.
    #[default]
    Rollup,
    /// Pubdata kept off L1 (a validium, e.g. a Prividium).
    Validium,
}

/// Where a sent bundle's message sits: the batch it will be (or was) sealed in and its leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageLocation {
    /// Batch number (batches count from 1).
    pub batch: u64,
    /// Index of its log in the batch's logs tree.
    pub index: u32,
    /// `txNumberInBatch` of its log leaf: the sending transaction's number.
    #[serde(default)]
    pub tx_number: u16,
}

/// One sealed batch: its logs tree and roots, and where it settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// Batch number, from 1.
    pub number: u64,
    /// The L2→L1 logs tree (leaf hashes and levels, so proofs need no hashing).
    pub logs: LogsTree,
    /// Root of the message root this chain aggregates (empty-tree root unless a settlement
    /// layer), the 15th sibling of every log proof.
    pub aggregated_root: B256,
    /// `keccak256(logsRoot, aggregatedRoot)`.
    pub chain_batch_root: B256,
    /// Interop calls of this batch's bundles, in both fee modes: the base of the Gateway
    /// settlement fee (GWAssetTracker's `chargeableInteropCount`, which counts
    /// `calls.length` of every bundle,
    /// `era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol`).
    pub chargeable_calls: u64,
    /// Index of this batch's leaf in its settlement layer's chain tree, once appended there.
    pub sl_leaf_index: Option<u64>,
    /// The first settlement-layer batch that commits to this batch (the layer's next batch
    /// when it was appended): where a prover starts looking for a covering root.
    pub sl_first_batch: Option<u64>,
    /// For a settlement layer: the message-root state this batch committed to, kept so that
    /// proofs through it can be built later.
    pub aggregation: Option<MessageRootState>,
    /// Bundles of this batch not yet received by their destination.
    #[serde(default)]
    pub unproven: u32,
    /// The logs tree was dropped ([`crate::genesis::Retention::Compact`]): `logs` is empty and
    /// no log of this batch can be proven any more.
    #[serde(default)]
    pub logs_pruned: bool,
}

/// Bundle status on the destination (`BundleStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BundleStatus {
    /// Proven, not yet executed or unbundled.
    Verified,
    /// All calls executed atomically.
    FullyExecuted,
    /// Being (or done being) processed call by call.
    Unbundled,
}

/// Per-call status for unbundling (`CallStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallStatus {
    /// Neither executed nor cancelled.
    Unprocessed,
    /// Executed (permanent).
    Executed,
    /// Cancelled (permanent; can never execute).
    Cancelled,
}

/// The mutable state of one chain. Persistent maps make a snapshot of it O(1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    /// Static description.
    pub config: ChainConfig,
    /// Balances of every asset held on this chain (the base token included).
    pub balances: OrdMap<(AssetId, Address), U256>,
    /// InteropCenter: bundles sent per sender (the salt counter).
    pub bundle_count: OrdMap<Address, u64>,
    /// InteropCenter: base-token protocol fee per call (`interopProtocolFee`, operator-set).
    pub interop_protocol_fee: U256,
    /// InteropCenter: fixed ZK fee per call (`ZK_INTEROP_FEE`).
    pub zk_interop_fee: U256,
    /// InteropCenter: whether `zkToken`, the cached ZK token address, is set. `_getZKToken()`
    /// caches it at the first fixed-fee send, so the public `zkToken()` reads zero until then
    /// (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol).
    #[serde(default)]
    pub zk_token_cached: bool,
    /// InteropCenter: base-token fees accrued per coinbase, claimable by it.
    pub accrued_base_fees: OrdMap<Address, U256>,
    /// InteropCenter: ZK fees accrued per coinbase, claimable by it.
    pub accrued_zk_fees: OrdMap<Address, U256>,
    /// L1 messenger: leaf hashes of the open batch's L2→L1 logs.
    pub pending_logs: Vector<B256>,
    /// Interop calls in the open batch (all chargeable at Gateway settlement).
    pub pending_chargeable_calls: u64,
    /// Bundles sent in the open batch.
    #[serde(default)]
    pub pending_bundles: u32,
    /// Sealed batches; `batches[i].number == i + 1`.
    pub batches: Vector<Batch>,
    /// Where each sent bundle's message sits, by bundle hash.
    pub outbox: OrdMap<B256, MessageLocation>,
    /// InteropHandler: status of each bundle seen here.
    pub bundle_status: crate::statuses::BundleStatuses,
    /// InteropHandler: status of each call of unbundled or executed bundles.
    pub call_status: OrdMap<(B256, u32), CallStatus>,
    /// L2InteropRootStorage: roots of other chains' batches, set once each.
    pub interop_roots: OrdMap<(ChainId, u64), B256>,
    /// For settlement layers: the live message root over the chains settling here.
    pub message_root: Option<MessageRootState>,
}

impl Chain {
    /// A chain at genesis, with the given fixed ZK fee.
    pub fn new(config: ChainConfig, zk_interop_fee: U256) -> Self {
        let message_root =
            matches!(config.kind, ChainKind::Gateway).then(MessageRootState::default);
        Self {
            config,
            balances: OrdMap::new(),
            bundle_count: OrdMap::new(),
            interop_protocol_fee: U256::ZERO,
            zk_interop_fee,
            zk_token_cached: false,
            accrued_base_fees: OrdMap::new(),
            accrued_zk_fees: OrdMap::new(),
            pending_logs: Vector::new(),
            pending_chargeable_calls: 0,
            pending_bundles: 0,
            batches: Vector::new(),
            outbox: OrdMap::new(),
            bundle_status: crate::statuses::BundleStatuses::new(),
            call_status: OrdMap::new(),
            interop_roots: OrdMap::new(),
            message_root,
        }
    }

    /// Balance of `asset` held by `who` here.
    pub fn balance(&self, asset: AssetId, who: Address) -> U256 {
        self.balances
            .get(&(asset, who))
            .copied()
            .unwrap_or_default()
    }

    /// Balance of this chain's base token held by `who`.
    pub fn base_balance(&self, who: Address) -> U256 {
        self.balance(self.config.base_token, who)
    }

    /// The batch the next sealed batch will be.
    pub fn next_batch_number(&self) -> u64 {
        self.batches.len() as u64 + 1
    }

    /// A sealed batch by number.
    pub fn batch(&self, number: u64) -> Option<&Batch> {
        number
            .checked_sub(1)
            .and_then(|i| self.batches.get(usize::try_from(i).ok()?))
    }

    /// The status of a bundle, `None` meaning Unreceived.
    pub fn bundle_status(&self, hash: &B256) -> Option<BundleStatus> {
        self.bundle_status.get(hash).copied()
    }

    /// The status of call `index` of a bundle.
    pub fn call_status(&self, hash: &B256, index: u32) -> CallStatus {
        if self.bundle_status(hash) == Some(BundleStatus::FullyExecuted) {
            return CallStatus::Executed;
        }
        self.call_status
            .get(&(*hash, index))
            .copied()
            .unwrap_or(CallStatus::Unprocessed)
    }

    pub(crate) fn credit(&mut self, asset: AssetId, who: Address, amount: U256) {
        let entry = self.balances.entry((asset, who)).or_default();
        *entry = entry.saturating_add(amount);
    }

    /// Debits without a check: callers validated the balance before emitting the event.
    pub(crate) fn debit(&mut self, asset: AssetId, who: Address, amount: U256) {
        let key = (asset, who);
        let left = self.balance(asset, who).saturating_sub(amount);
        if left.is_zero() {
            self.balances.remove(&key);
        } else {
            self.balances.insert(key, left);
        }
    }

    /// [`Self::credit`], recording the old balance in the journal (`id` is this chain's id).
    pub(crate) fn credit_j(
        &mut self,
        id: crate::ChainId,
        asset: AssetId,
        who: Address,
        amount: U256,
        j: &mut crate::journal::Journal,
    ) {
        let old = self.balances.get(&(asset, who)).copied();
        j.chain(id, || crate::journal::ChainUndo::Balance(asset, who, old));
        self.credit(asset, who, amount);
    }

    /// [`Self::debit`], recording the old balance in the journal.
    pub(crate) fn debit_j(
        &mut self,
        id: crate::ChainId,
        asset: AssetId,
        who: Address,
        amount: U256,
        j: &mut crate::journal::Journal,
    ) {
        let old = self.balances.get(&(asset, who)).copied();
        j.chain(id, || crate::journal::ChainUndo::Balance(asset, who, old));
        self.debit(asset, who, amount);
    }
}
