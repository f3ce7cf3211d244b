//! Helpers the in-process devnet tests share: one JSON-RPC call against a chain of a
//! [`Devnet`], and the same call expected to succeed.

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
