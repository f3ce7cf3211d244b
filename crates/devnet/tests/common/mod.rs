//! Helpers the in-process devnet tests share: one JSON-RPC call against a chain of a
//! [`Devnet`], and the same call expected to succeed, and the init code and counter receiver the contract tests deploy.

// Each test crate uses its own subset of these.
#![allow(dead_code)]

use flywheel_devnet::rpc::{Call, RpcError};
use flywheel_devnet::Devnet;
use serde_json::{json, Value};

/// Calls `method` on chain `c` (an index into the devnet's chains).
pub fn rpc(d: &mut Devnet, c: usize, method: &str, params: Value) -> Result<Value, RpcError> {
    d.call(
        c,
        &Call {
            id: Some(json!(1)),
            method: method.into(),
            params,
        },
    )
}

/// [`rpc`], failing the test with the method's name if it errs.
pub fn ok(d: &mut Devnet, c: usize, method: &str, params: Value) -> Value {
    rpc(d, c, method, params).unwrap_or_else(|e| panic!("{method}: {e:?}"))
}

/// Init code returning `runtime`.
pub fn deployable(runtime: &str) -> alloy_primitives::Bytes {
    let len = runtime.len() / 2;
    format!("60{len:02x}600c60003960{len:02x}6000f3{runtime}")
        .parse()
        .unwrap()
}

/// The hand-assembled ERC-7786 counter receiver (see the listing; an empty payload reverts).
pub fn counter_runtime() -> String {
    include_str!("../receiver_counter.evm")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(';').next())
        .map(str::trim)
        .collect()
}

/// The message of the receipt's `L1MessageSent` log (the L1 messenger's): what a client reads
/// to prove a bundle or finalize a withdrawal.
pub fn l1_message(receipt: &Value) -> alloy_primitives::Bytes {
    use alloy_sol_types::SolEvent;
    let messenger = format!("{:#x}", flywheel_protocol::chain::L1_MESSENGER);
    let log = receipt["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            l["address"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case(&messenger)
        })
        .unwrap();
    let data: alloy_primitives::Bytes = serde_json::from_value(log["data"].clone()).unwrap();
    flywheel_devnet::system::abi::L1MessageSent::abi_decode_data(&data)
        .unwrap()
        .0
}
