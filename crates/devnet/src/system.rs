//! System contract addresses, as the contracts fix them, for the start-up table and (in later
//! increments) for dispatching calls to the protocol.

use alloy_primitives::{address, Address};

/// `L2_BRIDGEHUB_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x02`
/// (era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol).
pub const BRIDGEHUB: Address = address!("0000000000000000000000000000000000010002");
/// `L2_ASSET_ROUTER_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x03` (same file).
pub const ASSET_ROUTER: Address = address!("0000000000000000000000000000000000010003");
/// `L2_INTEROP_ROOT_STORAGE_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x08` (same file).
pub const INTEROP_ROOT_STORAGE: Address = address!("0000000000000000000000000000000000010008");
/// `L2_MESSAGE_VERIFICATION_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x09` (same file).
pub const MESSAGE_VERIFICATION: Address = address!("0000000000000000000000000000000000010009");
/// `GW_ASSET_TRACKER_ADDR` = `BUILT_IN_CONTRACTS_OFFSET + 0x10` (same file); on Gateway.
pub const GW_ASSET_TRACKER: Address = address!("0000000000000000000000000000000000010010");
/// `L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR` = `SYSTEM_CONTRACTS_OFFSET + 0x0a` (same file).
pub const BASE_TOKEN: Address = address!("000000000000000000000000000000000000800a");

/// Every system contract the start-up table lists, with its name, on every L2 and Gateway.
pub fn l2_system_contracts() -> Vec<(&'static str, Address)> {
    use flywheel_protocol::chain::{
        INTEROP_CENTER, INTEROP_HANDLER, L1_MESSENGER, NATIVE_TOKEN_VAULT,
    };
    vec![
        ("L1Messenger", L1_MESSENGER),
        ("L2BaseToken", BASE_TOKEN),
        ("Bridgehub", BRIDGEHUB),
        ("AssetRouter", ASSET_ROUTER),
        ("NativeTokenVault", NATIVE_TOKEN_VAULT),
        ("L2InteropRootStorage", INTEROP_ROOT_STORAGE),
        ("L2MessageVerification", MESSAGE_VERIFICATION),
        ("InteropCenter", INTEROP_CENTER),
        ("InteropHandler", INTEROP_HANDLER),
        (
            "ZK token (ERC-20)",
            flywheel_protocol::genesis::ZK_TOKEN_ADDRESS,
        ),
    ]
}

/// Whether `to` is the address of any contract the devnet serves natively on some chain
/// (a superset of what one chain serves).
pub fn is_system_address(to: Address) -> bool {
    is_served(to)
        || to == MESSAGE_VERIFICATION
        || to == GW_ASSET_TRACKER
        || to == flywheel_protocol::genesis::ZK_TOKEN_ADDRESS
        || to == flywheel_protocol::fee_flow::fee_flow_address()
        || to == flywheel_protocol::fee_flow::splitter_address()
}

/// Whether calls to `to` are system calls the devnet serves on an L2 or Gateway.
pub fn is_served(to: Address) -> bool {
    to == flywheel_protocol::chain::INTEROP_CENTER
        || to == flywheel_protocol::chain::INTEROP_HANDLER
        || to == INTEROP_ROOT_STORAGE
}

/// `sendBundle` calldata for InteropCenter: to chain `dest`, one value-free, data-free call
/// to `to` (executable on any destination: calls to addresses without code deliver as plain
/// transfers), with the bundle attributes given. What the benchmark and the tests send.
pub fn plain_bundle_calldata(
    dest: u64,
    to: Address,
    attributes: Vec<alloy_primitives::Bytes>,
) -> alloy_primitives::Bytes {
    use alloy_sol_types::SolCall;
    use flywheel_protocol::address::InteropAddress;
    abi::sendBundleCall {
        _destinationChainId: InteropAddress::chain_only(dest).encode(),
        _callStarters: vec![abi::InteropCallStarter {
            to: InteropAddress::address_only(to).encode(),
            data: alloy_primitives::Bytes::new(),
            callAttributes: vec![],
        }],
        _bundleAttributes: attributes,
    }
    .abi_encode()
    .into()
}

/// The interop contracts' ABI: the protocol crate's one declaration of the v31 structs and of
/// the functions, events and errors that use them ([`flywheel_protocol::interop::abi`]).
pub mod abi {
    pub use flywheel_protocol::interop::abi::*;
}
