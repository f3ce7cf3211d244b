//! The devnet's JSON-RPC request handling: the envelope parser (one call, a batch, garbage)
//! and every method's parameter parsing, on a devnet copied for each input. Properties:
//! nothing panics; the answer is JSON-RPC 2.0 (one object per call with an id, a batch never
//! longer than the request's calls); every error has a known code and a one-line message;
//! methods that only read leave the protocol state as it was.
#![no_main]

use flywheel_devnet::config::Layout;
use flywheel_devnet::rpc::{self, Request};
use flywheel_devnet::Devnet;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

fn base() -> &'static Devnet {
    static BASE: OnceLock<Devnet> = OnceLock::new();
    BASE.get_or_init(|| Devnet::new(Layout::default(), 1_700_000_000).expect("default layout"))
}

const CODES: [i64; 6] = [
    rpc::PARSE_ERROR,
    rpc::INVALID_REQUEST,
    rpc::METHOD_NOT_FOUND,
    rpc::INVALID_PARAMS,
    rpc::SERVER_ERROR,
    3, // execution reverted
];

fn check_response(v: &Value) {
    let obj = v.as_object().expect("a response is an object");
    assert_eq!(obj.get("jsonrpc"), Some(&Value::String("2.0".into())));
    assert!(obj.contains_key("id"));
    assert_ne!(obj.contains_key("result"), obj.contains_key("error"));
    if let Some(e) = obj.get("error") {
        let code = e["code"].as_i64().expect("an integer code");
        assert!(CODES.contains(&code), "unexpected code {code}");
        let msg = e["message"].as_str().expect("a message");
        assert!(!msg.contains('\n'), "{msg:?}");
    }
}

fn read_only(method: &str) -> bool {
    method.starts_with("eth_get")
        || matches!(
            method,
            "eth_call" | "eth_estimateGas" | "eth_chainId" | "eth_blockNumber" | "net_version"
                | "web3_clientVersion" | "zks_getL2ToL1LogProof" | "eth_feeHistory"
        )
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the chain's endpoint; the rest is the HTTP body.
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let mut d = base().clone();
    let c = usize::from(pick) % d.chains().len();
    let request = rpc::parse(body);
    let calls = match &request {
        Request::Batch(entries) => entries.len(),
        _ => 1,
    };
    let before = d.network().state().clone();
    let mut all_read_only = true;
    let answer = rpc::answer(request, |call| {
        all_read_only &= read_only(&call.method);
        d.call(c, call)
    });
    if all_read_only {
        assert_eq!(d.network().state(), &before, "a read changed the state");
    }
    match answer {
        None => {}
        Some(Value::Array(items)) => {
            assert!(!items.is_empty() && items.len() <= calls);
            items.iter().for_each(check_response);
        }
        Some(v) => check_response(&v),
    }
});
