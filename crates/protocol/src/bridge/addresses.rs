//! Where the L1 contracts live. Model choice: the real ecosystem deploys them behind proxies
//! at addresses of its deployment (clients find them through `zks_getBridgehubContract` and
//! the Bridgehub's getters, never by a constant), so the model places each at a fixed
//! address, `keccak256("flywheel:<name>")` truncated to 20 bytes, as it does its other
//! model-only contracts ([`crate::genesis::account`]).

use crate::ChainId;
use alloy_primitives::Address;

/// The L1 Bridgehub.
pub fn bridgehub() -> Address {
    crate::genesis::account("L1Bridgehub")
}

/// The L1 asset router (`Bridgehub.assetRouter()`).
pub fn l1_asset_router() -> Address {
    crate::genesis::account("L1AssetRouter")
}

/// The L1 nullifier (`L1AssetRouter.L1_NULLIFIER()`).
pub fn l1_nullifier() -> Address {
    crate::genesis::account("L1Nullifier")
}

/// The L1 native token vault (`L1Nullifier.l1NativeTokenVault()`): holds what is locked.
pub fn l1_native_token_vault() -> Address {
    crate::genesis::account("L1NativeTokenVault")
}

/// The chain type manager every ZK chain is registered with (`Bridgehub.chainTypeManager`).
pub fn chain_type_manager() -> Address {
    crate::genesis::account("ChainTypeManager")
}

/// A ZK chain's diamond proxy on L1 (`Bridgehub.getZKChain(chainId)`).
pub fn zk_chain(chain: ChainId) -> Address {
    crate::genesis::account(&format!("ZKChain-{chain}"))
}

/// Every L1 contract with its name (not the per-chain diamonds), for tables and dispatch.
pub fn l1_contracts() -> [(&'static str, Address); 5] {
    [
        ("Bridgehub", bridgehub()),
        ("L1AssetRouter", l1_asset_router()),
        ("L1Nullifier", l1_nullifier()),
        ("L1NativeTokenVault", l1_native_token_vault()),
        ("ChainTypeManager", chain_type_manager()),
    ]
}
