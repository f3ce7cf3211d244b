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
