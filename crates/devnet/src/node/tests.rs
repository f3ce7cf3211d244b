//! The devnet's own checks: chain ids and dev funding, parameter refusals, restoring.

use super::*;
use crate::rpc::Call;
use crate::rpc::{INVALID_PARAMS, METHOD_NOT_FOUND};
use serde_json::{json, Value};

fn call(method: &str, params: Value) -> Call {
    Call {
        id: Some(json!(1)),
        method: method.into(),
        params,
    }
}

#[test]
fn every_chain_answers_its_id_and_funds_the_dev_accounts_in_its_base_token() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[3].address;
    for c in 0..d.chains().len() {
        let id = d.chains()[c].id;
        assert_eq!(
            d.call(c, &call("eth_chainId", json!([]))).unwrap(),
            quantity(id)
        );
        assert_eq!(
            d.call(c, &call("net_version", Value::Null)).unwrap(),
            json!(id.to_string())
        );
        let b = d
            .call(c, &call("eth_getBalance", json!([dev, "latest"])))
            .unwrap();
        assert_eq!(b, json!(tokens(DEV_BASE_BALANCE_TOKENS)));
        // The balance is the protocol's: its chain's base-token ledger.
        let ch = d.network().state().chain(id).unwrap();
        assert_eq!(ch.base_balance(dev), tokens(DEV_BASE_BALANCE_TOKENS));
    }
    let nobody = Address::repeat_byte(0x42);
    let b = d.call(0, &call("eth_getBalance", json!([nobody]))).unwrap();
    assert_eq!(b, json!("0x0"));
    assert_eq!(
        d.network()
            .state()
            .token
            .balance_of(d.accounts()[0].address),
        tokens(DEV_ZK_TOKENS)
    );
}

#[test]
fn bad_params_and_unknown_methods_are_refused() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let bad = [
        ("eth_getBalance", json!([])),
        ("eth_getBalance", json!(["0x12"])),
        ("eth_getBalance", json!([Address::ZERO, "0xzz"])),
        ("eth_getBalance", json!([Address::ZERO, "latest", 1])),
        ("eth_chainId", json!([1])),
        ("eth_blockNumber", json!({"a": 1})),
    ];
    for (m, p) in bad {
        assert_eq!(
            d.call(0, &call(m, p.clone())).unwrap_err().code,
            INVALID_PARAMS,
            "{m} {p}"
        );
    }
    for m in ["eth_fillTransaction", "eth_nope"] {
        assert_eq!(
            d.call(0, &call(m, json!([]))).unwrap_err().code,
            METHOD_NOT_FOUND
        );
    }
    let e = d
        .call(0, &call("eth_getBalance", json!([Address::ZERO, "0x5"])))
        .unwrap_err();
    assert_eq!(e.code, crate::rpc::SERVER_ERROR);
}

#[test]
fn restore_replays_to_the_same_state() {
    let d = Devnet::new(Layout::with_l2s(2), 1_700_000_000).unwrap();
    let r = Devnet::restore(d.saved()).unwrap();
    assert_eq!(r.network().state(), d.network().state());
    assert_eq!(r.block_records(), d.block_records());
    let mut past_log = d.saved();
    past_log.chains[0].blocks[0].events_end = d.log().len() + 1;
    assert!(Devnet::restore(past_log).is_err());
}

#[test]
fn the_zksync_local_layout_funds_the_rich_wallets_and_sets_the_interop_fee() {
    let mut d = Devnet::new(Layout::zksync_local(), 1_700_000_000).unwrap();
    let (rich, _) = crate::accounts::LOCAL_RICH_WALLETS[0];
    for c in 0..d.chains().len() {
        let b = d
            .call(c, &call("eth_getBalance", json!([rich, "latest"])))
            .unwrap();
        assert_eq!(b, json!(tokens(DEV_BASE_BALANCE_TOKENS)), "chain {c}");
    }
    assert_eq!(
        d.network().state().token.balance_of(rich),
        tokens(DEV_ZK_TOKENS)
    );
    // interopProtocolFee() on each L2's InteropCenter answers the layout's fee.
    let data = alloy_sol_types::SolCall::abi_encode(&crate::system::abi::interopProtocolFeeCall {});
    for c in 2..d.chains().len() {
        let tx = json!({"to": flywheel_protocol::chain::INTEROP_CENTER, "data": alloy_primitives::Bytes::from(data.clone())});
        let out = d.call(c, &call("eth_call", json!([tx, "latest"]))).unwrap();
        let word: alloy_primitives::B256 = serde_json::from_value(out).unwrap();
        assert_eq!(
            U256::from_be_bytes(word.0),
            U256::from(crate::config::ZKSYNC_LOCAL_INTEROP_FEE)
        );
    }
    // The default layout funds no rich wallet.
    let plain = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let l1 = plain.network().state().chain(31337).unwrap();
    assert_eq!(l1.base_balance(rich), U256::ZERO);
}
