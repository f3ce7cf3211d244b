//! ABI decoding of calldata sent to the system contracts the devnet serves, through the same
//! path a client's `eth_call` takes (revm, then the dispatcher decoding with the contracts'
//! ABI and asking the protocol). Input: a byte picking the chain, one picking the contract,
//! one picking a known selector (or none, leaving the calldata raw), then the arguments.
//! Properties: nothing panics; the answer is return data or a JSON-RPC error with a known
//! code; an `eth_call` changes no protocol state.
#![no_main]

use alloy_primitives::{Address, Bytes};
use alloy_sol_types::SolCall;
use flywheel_devnet::config::Layout;
use flywheel_devnet::contracts::{fee_flow_abi as f, gw_abi as g, zk_abi as z};
use flywheel_devnet::rpc::Call;
use flywheel_devnet::system::{abi as a, GW_ASSET_TRACKER, INTEROP_ROOT_STORAGE, MESSAGE_VERIFICATION};
use flywheel_devnet::Devnet;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
use flywheel_protocol::fee_flow::{fee_flow_address, splitter_address};
use flywheel_protocol::genesis::ZK_TOKEN_ADDRESS;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::sync::OnceLock;

fn base() -> &'static Devnet {
    static BASE: OnceLock<Devnet> = OnceLock::new();
    BASE.get_or_init(|| Devnet::new(Layout::default(), 1_700_000_000).expect("default layout"))
}

const CONTRACTS: [Address; 9] = [
    INTEROP_CENTER,
    INTEROP_HANDLER,
    INTEROP_ROOT_STORAGE,
    MESSAGE_VERIFICATION,
    ZK_TOKEN_ADDRESS,
    GW_ASSET_TRACKER,
    Address::ZERO, // Fee Flow (filled in below: not a constant)
    Address::ZERO, // the Splitter
    Address::ZERO, // an ordinary account
];

const SELECTORS: [[u8; 4]; 32] = [
    a::sendBundleCall::SELECTOR,
    a::sendMessageCall::SELECTOR,
    a::claimZKFeesCall::SELECTOR,
    a::interopBundleNonceCall::SELECTOR,
    a::verifyBundleCall::SELECTOR,
    a::executeBundleCall::SELECTOR,
    a::unbundleBundleCall::SELECTOR,
    a::bundleStatusCall::SELECTOR,
    a::callStatusCall::SELECTOR,
    a::interopRootsCall::SELECTOR,
    a::proveL2MessageInclusionSharedCall::SELECTOR,
    z::transferCall::SELECTOR,
    z::approveCall::SELECTOR,
    z::transferFromCall::SELECTOR,
    z::burnCall::SELECTOR,
    z::delegateCall::SELECTOR,
    z::balanceOfCall::SELECTOR,
    z::getPastVotesCall::SELECTOR,
    z::getPastTotalSupplyCall::SELECTOR,
    g::setSettlementFeePayerAgreementCall::SELECTOR,
    g::settlementFeePayerAgreementCall::SELECTOR,
    g::withdrawGatewayFeesCall::SELECTOR,
    g::setGatewaySettlementFeeCall::SELECTOR,
    f::claimCall::SELECTOR,
    f::isClaimableTokenCall::SELECTOR,
    f::setBidThresholdCall::SELECTOR,
    f::splitCall::SELECTOR,
    f::setBurnPercentageCall::SELECTOR,
    f::distributorsCall::SELECTOR,
    a::claimProtocolFeesCall::SELECTOR,
    a::setInteropFeeCall::SELECTOR,
    a::zkTokenCall::SELECTOR,
];

fuzz_target!(|data: &[u8]| {
    let [chain, contract, selector, args @ ..] = data else {
        return;
    };
    let mut d = base().clone();
    let c = usize::from(*chain) % d.chains().len();
    let to = match usize::from(*contract) % CONTRACTS.len() {
        6 => fee_flow_address(),
        7 => splitter_address(),
        8 => Address::repeat_byte(0x42),
        i => CONTRACTS[i],
    };
    let mut calldata = Vec::with_capacity(args.len() + 4);
    if let Some(sel) = SELECTORS.get(usize::from(*selector)) {
        calldata.extend_from_slice(sel);
    }
    calldata.extend_from_slice(args);
    let from = d.accounts()[0].address;
    let call = Call {
        id: Some(json!(1)),
        method: "eth_call".into(),
        params: json!([{"from": from, "to": to, "data": Bytes::from(calldata)}, "latest"]),
    };
    let before = d.network().state().clone();
    match d.call(c, &call) {
        Ok(v) => assert!(v.is_string(), "return data is hex"),
        Err(e) => assert!(
            [3, -32000, -32602].contains(&e.code),
            "unexpected error {e:?}"
        ),
    }
    assert_eq!(d.network().state(), &before, "eth_call changed the state");
});
