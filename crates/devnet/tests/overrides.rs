//! `eth_call` / `eth_estimateGas` state overrides (the third parameter, as geth and anvil take
//! it): balance, nonce, code, `state` and `stateDiff` change what the call sees and nothing
//! else; what is not supported, or contradictory, is refused with -32602 and changes nothing.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::{Address, Bytes, U256};
use flywheel_devnet::config::Layout;
use flywheel_devnet::rpc::INVALID_PARAMS;
use flywheel_devnet::Devnet;
use serde_json::{json, Value};

mod common;
use common::{ok, rpc};

/// The first L2 (after L1 and Gateway).
const L2: usize = 2;

/// Runtime: returns storage slots 0 and 1 and its own balance, as three words.
const READER: &str = "6000546000526001546020524760405260606000f3";

/// Runtime: creates an empty contract and returns its address (which depends on the nonce).
const CREATOR: &str = "600060006000f060005260206000f3";

/// Deploys [`READER`] with slot 0 = 7 and slot 1 = 9; returns its address.
fn deploy_reader(d: &mut Devnet) -> Address {
    let dev = d.accounts()[0].address;
    let init = format!("600760005560096001556015601660003960156000f3{READER}");
    let hash = ok(
        d,
        L2,
        "eth_sendTransaction",
        json!([{"from": dev, "data": format!("0x{init}")}]),
    );
    let receipt = ok(d, L2, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(receipt["status"], "0x1");
    receipt["contractAddress"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn words(v: &Value) -> Vec<U256> {
    let b: Bytes = serde_json::from_value(v.clone()).unwrap();
    b.chunks(32).map(U256::from_be_slice).collect()
}

fn call(d: &mut Devnet, to: Address, overrides: Value) -> Value {
    ok(d, L2, "eth_call", json!([{"to": to}, "latest", overrides]))
}

/// What an override must never change.
fn fingerprint(d: &Devnet) -> (flywheel_protocol::network::State, usize, u64, String) {
    let n = d.node(L2).unwrap();
    (
        d.network().state().clone(),
        d.log().len(),
        n.head().record.number,
        format!("{:?}", n.evm),
    )
}

#[test]
fn overrides_change_the_call_view_only() {
    let mut d = Devnet::new(Layout::with_l2s(1), 1_700_000_000).unwrap();
    let c = deploy_reader(&mut d);
    let before = fingerprint(&d);
    let n = |v: u64| U256::from(v);
    assert_eq!(words(&call(&mut d, c, Value::Null)), [n(7), n(9), n(0)]);
    let slot0 = format!("0x{:064x}", 0);
    let slot1 = format!("0x{:064x}", 1);
    let five = format!("0x{:064x}", 5);
    // stateDiff patches slot 0 and keeps slot 1; state replaces all storage.
    let diff = json!({ c.to_string(): { "stateDiff": { &slot0: &five } } });
    assert_eq!(words(&call(&mut d, c, diff)), [n(5), n(9), n(0)]);
    let state = json!({ c.to_string(): { "state": { &slot1: &five } } });
    assert_eq!(words(&call(&mut d, c, state)), [n(0), n(5), n(0)]);
    // A balance the protocol does not hold, seen by SELFBALANCE.
    let rich = json!({ c.to_string(): { "balance": "0x3e8" } });
    assert_eq!(words(&call(&mut d, c, rich)), [n(7), n(9), n(1000)]);
    // Code on an empty address, with storage and balance.
    let e = Address::repeat_byte(0x42);
    let planted = json!({ e.to_string(): {
        "code": format!("0x{READER}"), "balance": "0x2", "state": { &slot0: &five } } });
    assert_eq!(words(&call(&mut d, e, planted.clone())), [n(5), n(0), n(2)]);
    // A nonce override moves where CREATE puts its contract.
    let creator = json!({ e.to_string(): { "code": format!("0x{CREATOR}"), "nonce": "0x5" } });
    let out = words(&call(&mut d, e, creator));
    assert_eq!(out, [U256::from_be_slice(e.create(5).as_slice())]);
    // The estimate runs over the same view: the planted code costs more than a plain send.
    let plain = ok(&mut d, L2, "eth_estimateGas", json!([{"to": e}]));
    assert_eq!(plain, "0x5208");
    let with = ok(
        &mut d,
        L2,
        "eth_estimateGas",
        json!([{"to": e}, "latest", planted]),
    );
    let with = u64::from_str_radix(with.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    assert!(with > 21_000, "{with}");
    // Nothing persisted.
    assert_eq!(fingerprint(&d), before);
    assert_eq!(ok(&mut d, L2, "eth_getCode", json!([e, "latest"])), "0x");
    assert_eq!(
        ok(&mut d, L2, "eth_getBalance", json!([c, "latest"])),
        "0x0"
    );
    assert_eq!(words(&call(&mut d, c, json!({}))), [n(7), n(9), n(0)]);
}

#[test]
fn unsupported_or_contradictory_overrides_are_refused() {
    let mut d = Devnet::new(Layout::with_l2s(1), 1_700_000_000).unwrap();
    let c = deploy_reader(&mut d);
    let before = fingerprint(&d);
    let slot = format!("0x{:064x}", 0);
    let cases = [
        (
            json!({ c.to_string(): { "state": { &slot: &slot }, "stateDiff": { &slot: &slot } } }),
            "both state and stateDiff",
        ),
        (
            json!({ c.to_string(): { "movePrecompileToAddress": c } }),
            "movePrecompileToAddress",
        ),
        (json!({ c.to_string(): { "balanse": "0x1" } }), "balanse"),
        (json!({ c.to_string(): { "code": "0xef01" } }), "code of"),
        (
            json!({ c.to_string(): { "nonce": "0x1ffffffffffffffff" } }),
            "stateOverrides",
        ),
        (json!(["not", "a", "map"]), "stateOverrides"),
    ];
    for method in ["eth_call", "eth_estimateGas"] {
        for (overrides, needle) in &cases {
            let e = rpc(&mut d, L2, method, json!([{"to": c}, "latest", overrides])).unwrap_err();
            assert_eq!(e.code, INVALID_PARAMS, "{method} {overrides}: {e:?}");
            assert!(
                e.message.contains(needle),
                "{method} {overrides}: {}",
                e.message
            );
            assert!(e.message.contains("stateOverrides"), "{}", e.message);
        }
    }
    assert_eq!(fingerprint(&d), before);
}
