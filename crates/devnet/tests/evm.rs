//! User transactions in revm through the JSON-RPC methods, as a client sends them: the three
//! transaction types, deployment, calls, logs, reverts with data, filters, and every kind of
//! bad transaction refused with nothing changed. Balances are always the protocol's.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use flywheel_devnet::config::Layout;
use flywheel_devnet::evm::{BASE_FEE, BLOCK_GAS_LIMIT};
use flywheel_devnet::rpc::{INVALID_PARAMS, SERVER_ERROR};
use flywheel_devnet::Devnet;
use serde_json::{json, Value};

mod common;
use common::{ok, rpc};

/// Runtime: a first calldata byte of 0x01 reverts with `0xdeadbeef`; anything else stores
/// calldata word 0 in slot 0 and logs it with topic 0xaa.
const RUNTIME: &str =
    "6000358060f81c600114601c578060005560005260aa60206000a1005b63deadbeef6000526004601cfd";

fn init_code() -> Bytes {
    // PUSH1 0x2a PUSH1 0x0c PUSH1 0x00 CODECOPY PUSH1 0x2a PUSH1 0x00 RETURN (copies the
    // 42-byte runtime at offset 12 and returns it), then the runtime.
    format!("602a600c600039602a6000f3{RUNTIME}")
        .parse()
        .unwrap()
}

fn u256(v: &Value) -> U256 {
    v.as_str().unwrap().parse().unwrap()
}

fn signer(d: &Devnet, i: usize) -> PrivateKeySigner {
    d.accounts()[i].signer.clone()
}

fn sign<T: SignableTransaction<alloy_primitives::Signature>>(s: &PrivateKeySigner, tx: T) -> Bytes
where
    TxEnvelope: From<alloy_consensus::Signed<T>>,
{
    let sig = s.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

fn eip1559(
    chain_id: u64,
    nonce: u64,
    to: TxKind,
    value: U256,
    input: Bytes,
    gas: u64,
) -> TxEip1559 {
    TxEip1559 {
        chain_id,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: u128::from(BASE_FEE) * 2,
        max_priority_fee_per_gas: 0,
        to,
        value,
        access_list: Default::default(),
        input,
    }
}

/// Everything a refused transaction must leave alone.
fn fingerprint(d: &Devnet, c: usize) -> (flywheel_protocol::network::State, usize, u64, usize) {
    let n = d.node(c).unwrap();
    (
        d.network().state().clone(),
        d.log().len(),
        n.head().record.number,
        n.evm.accounts.len() + n.evm.storage.len(),
    )
}

const L2: usize = 2;

#[test]
fn transfers_of_every_type_move_protocol_balances_and_pay_the_operator() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let chain = d.chains()[L2].id;
    let s = signer(&d, 0);
    let from = s.address();
    let to = Address::repeat_byte(0x77);
    let value = U256::from(1_000_000u64);
    let operator = d.network().state().chain(chain).unwrap().config.operator;
    let operator_start = d
        .network()
        .state()
        .chain(chain)
        .unwrap()
        .base_balance(operator);
    let raws = [
        sign(
            &s,
            TxLegacy {
                chain_id: Some(chain),
                nonce: 0,
                gas_price: u128::from(BASE_FEE),
                gas_limit: 21_000,
                to: TxKind::Call(to),
                value,
                input: Bytes::new(),
            },
        ),
        sign(
            &s,
            TxEip2930 {
                chain_id: chain,
                nonce: 1,
                gas_price: u128::from(BASE_FEE),
                gas_limit: 21_000,
                to: TxKind::Call(to),
                value,
                access_list: Default::default(),
                input: Bytes::new(),
            },
        ),
        sign(
            &s,
            eip1559(chain, 2, TxKind::Call(to), value, Bytes::new(), 21_000),
        ),
    ];
    let before = u256(&ok(&mut d, L2, "eth_getBalance", json!([from])));
    for (i, raw) in raws.iter().enumerate() {
        let hash = ok(&mut d, L2, "eth_sendRawTransaction", json!([raw]));
        let r = ok(&mut d, L2, "eth_getTransactionReceipt", json!([hash]));
        assert_eq!(r["status"], json!("0x1"));
        assert_eq!(r["type"], json!(format!("{i:#x}")));
        assert_eq!(r["gasUsed"], json!("0x5208"));
        let t = ok(&mut d, L2, "eth_getTransactionByHash", json!([hash]));
        assert_eq!(
            t["from"].as_str().unwrap().to_lowercase(),
            format!("{from:#x}")
        );
        // Automine: a block per transaction.
        assert_eq!(
            ok(&mut d, L2, "eth_blockNumber", json!([])),
            json!(format!("{:#x}", i + 1))
        );
    }
    let fee = U256::from(21_000u64 * BASE_FEE);
    let after = u256(&ok(&mut d, L2, "eth_getBalance", json!([from])));
    assert_eq!(before - after, (value + fee) * U256::from(3));
    assert_eq!(
        u256(&ok(&mut d, L2, "eth_getBalance", json!([to]))),
        value * U256::from(3)
    );
    // The same balances in the protocol state: one source of truth.
    let st = d.network().state().chain(chain).unwrap();
    assert_eq!(st.base_balance(from), after);
    assert_eq!(
        st.base_balance(operator) - operator_start,
        fee * U256::from(3)
    );
    assert_eq!(
        ok(
            &mut d,
            L2,
            "eth_getTransactionCount",
            json!([from, "latest"])
        ),
        json!("0x3")
    );
    // History: the balance before the first transfer is still readable at block 0.
    assert_eq!(
        u256(&ok(&mut d, L2, "eth_getBalance", json!([from, "0x0"]))),
        before
    );
    // Other chains are untouched.
    assert_eq!(
        u256(&ok(&mut d, 3, "eth_getBalance", json!([to]))),
        U256::ZERO
    );
}

#[test]
fn contracts_deploy_store_log_and_revert_with_data() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let chain = d.chains()[L2].id;
    let s = signer(&d, 1);
    let raw = sign(
        &s,
        eip1559(chain, 0, TxKind::Create, U256::ZERO, init_code(), 200_000),
    );
    let hash = ok(&mut d, L2, "eth_sendRawTransaction", json!([raw]));
    let r = ok(&mut d, L2, "eth_getTransactionReceipt", json!([hash]));
    let addr: Address = serde_json::from_value(r["contractAddress"].clone()).unwrap();
    assert_eq!(addr, s.address().create(0));
    let code = ok(&mut d, L2, "eth_getCode", json!([addr, "latest"]));
    assert_eq!(code, json!(format!("0x{RUNTIME}")));
    // A call that stores and logs.
    let word = B256::repeat_byte(0x05);
    let raw = sign(
        &s,
        eip1559(
            chain,
            1,
            TxKind::Call(addr),
            U256::ZERO,
            word.into(),
            100_000,
        ),
    );
    let hash = ok(&mut d, L2, "eth_sendRawTransaction", json!([raw]));
    let r = ok(&mut d, L2, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(r["status"], json!("0x1"));
    assert_eq!(r["logs"][0]["data"], json!(word));
    assert_eq!(
        r["logs"][0]["address"].as_str().unwrap().to_lowercase(),
        format!("{addr:#x}")
    );
    let slot = ok(
        &mut d,
        L2,
        "eth_getStorageAt",
        json!([addr, "0x0", "latest"]),
    );
    assert_eq!(slot, json!(word));
    // eth_getLogs by topic (single and OR list), by address, by block hash; a non-matching
    // topic finds nothing.
    let topic = B256::from(U256::from(0xaa));
    let by_topic = ok(
        &mut d,
        L2,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "topics": [topic]}]),
    );
    assert_eq!(by_topic.as_array().unwrap().len(), 1);
    let or_list = ok(
        &mut d,
        L2,
        "eth_getLogs",
        json!([{"fromBlock": "earliest", "topics": [[B256::ZERO, topic]]}]),
    );
    assert_eq!(or_list.as_array().unwrap().len(), 1);
    let none = ok(
        &mut d,
        L2,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "topics": [B256::ZERO]}]),
    );
    assert_eq!(none, json!([]));
    let by_hash = ok(
        &mut d,
        L2,
        "eth_getLogs",
        json!([{"blockHash": r["blockHash"], "address": addr}]),
    );
    assert_eq!(by_hash.as_array().unwrap().len(), 1);
    // A reverting transaction is mined with status 0 and changes no storage.
    let mut bad = vec![0x01u8];
    bad.extend([0u8; 31]);
    let raw = sign(
        &s,
        eip1559(
            chain,
            2,
            TxKind::Call(addr),
            U256::ZERO,
            bad.clone().into(),
            100_000,
        ),
    );
    let hash = ok(&mut d, L2, "eth_sendRawTransaction", json!([raw]));
    let r = ok(&mut d, L2, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(r["status"], json!("0x0"));
    assert_eq!(
        ok(&mut d, L2, "eth_getStorageAt", json!([addr, "0x0"])),
        json!(word)
    );
    // eth_call returns the revert data with code 3, and the stored word when it succeeds.
    let e = rpc(
        &mut d,
        L2,
        "eth_call",
        json!([{"to": addr, "data": Bytes::from(bad)}, "latest"]),
    )
    .unwrap_err();
    assert_eq!((e.code, e.data), (3, Some(json!("0xdeadbeef"))));
    let est = ok(
        &mut d,
        L2,
        "eth_estimateGas",
        json!([{"from": s.address(), "to": addr, "data": word}]),
    );
    let est = u64::from_str_radix(est.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    assert!(est > 21_000 && est < 100_000, "{est}");
}

#[test]
fn bad_transactions_get_their_errors_and_change_nothing() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let chain = d.chains()[L2].id;
    let s = signer(&d, 2);
    let to = TxKind::Call(Address::repeat_byte(9));
    let one = U256::from(1u64);
    let good = sign(&s, eip1559(chain, 0, to, one, Bytes::new(), 21_000));
    ok(&mut d, L2, "eth_sendRawTransaction", json!([good]));
    let mut broken_sig = good.to_vec();
    let last = broken_sig.len() - 5;
    broken_sig[last] ^= 0xff;
    let poor = PrivateKeySigner::random();
    let cases: Vec<(&str, Bytes, i64, &str)> = vec![
        ("replayed", good.clone(), SERVER_ERROR, "already known"),
        (
            "undecodable",
            Bytes::from(vec![0x02, 0x01]),
            INVALID_PARAMS,
            "cannot decode",
        ),
        ("bad signature", broken_sig.into(), SERVER_ERROR, ""),
        (
            "wrong chain id",
            sign(&s, eip1559(chain + 1, 1, to, one, Bytes::new(), 21_000)),
            SERVER_ERROR,
            "invalid chain id",
        ),
        (
            "nonce too low",
            sign(
                &s,
                eip1559(chain, 0, to, U256::from(2u64), Bytes::new(), 21_000),
            ),
            SERVER_ERROR,
            "nonce too low",
        ),
        (
            "nonce too high",
            sign(&s, eip1559(chain, 5, to, one, Bytes::new(), 21_000)),
            SERVER_ERROR,
            "nonce too high",
        ),
        (
            "insufficient funds",
            sign(&poor, eip1559(chain, 0, to, one, Bytes::new(), 21_000)),
            SERVER_ERROR,
            "insufficient funds",
        ),
        (
            "gas above the block's",
            sign(
                &s,
                eip1559(chain, 1, to, one, Bytes::new(), BLOCK_GAS_LIMIT + 1),
            ),
            SERVER_ERROR,
            "exceeds block gas limit",
        ),
        (
            "intrinsic gas",
            sign(&s, eip1559(chain, 1, to, one, Bytes::new(), 20_000)),
            SERVER_ERROR,
            "intrinsic gas too low",
        ),
        (
            "no EIP-155",
            sign(
                &s,
                TxLegacy {
                    chain_id: None,
                    nonce: 1,
                    gas_price: u128::from(BASE_FEE),
                    gas_limit: 21_000,
                    to,
                    value: one,
                    input: Bytes::new(),
                },
            ),
            SERVER_ERROR,
            "replay-protected",
        ),
    ];
    for (name, raw, code, needle) in cases {
        let before = fingerprint(&d, L2);
        let e = rpc(&mut d, L2, "eth_sendRawTransaction", json!([raw])).unwrap_err();
        assert_eq!(e.code, code, "{name}: {e:?}");
        assert!(e.message.contains(needle), "{name}: {}", e.message);
        assert_eq!(fingerprint(&d, L2), before, "{name} changed the state");
    }
    // Still serving: the next good transaction goes through.
    let next = sign(&s, eip1559(chain, 1, to, one, Bytes::new(), 21_000));
    ok(&mut d, L2, "eth_sendRawTransaction", json!([next]));
}

#[test]
fn dev_accounts_send_unsigned_requests_and_the_anvil_methods_work() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[4].address;
    let to = Address::repeat_byte(0x31);
    let hash = ok(
        &mut d,
        L2,
        "eth_sendTransaction",
        json!([{"from": dev, "to": to, "value": "0x64"}]),
    );
    let r = ok(&mut d, L2, "eth_getTransactionReceipt", json!([hash]));
    assert_eq!(r["status"], json!("0x1"));
    assert_eq!(ok(&mut d, L2, "eth_getBalance", json!([to])), json!("0x64"));
    let stranger = Address::repeat_byte(0x32);
    let e = rpc(
        &mut d,
        L2,
        "eth_sendTransaction",
        json!([{"from": stranger, "to": to}]),
    )
    .unwrap_err();
    assert!(e.message.contains("unknown account"));
    // anvil_setBalance raises and lowers the protocol balance (Fund / Defund).
    let chain = d.chains()[L2].id;
    ok(&mut d, L2, "anvil_setBalance", json!([to, "0x1000"]));
    assert_eq!(
        d.network().state().chain(chain).unwrap().base_balance(to),
        U256::from(0x1000)
    );
    ok(&mut d, L2, "anvil_setBalance", json!([to, "0x10"]));
    assert_eq!(ok(&mut d, L2, "eth_getBalance", json!([to])), json!("0x10"));
    // evm_snapshot / evm_revert restore everything, including blocks and the event log.
    let snap = ok(&mut d, L2, "evm_snapshot", json!([]));
    let before = fingerprint(&d, L2);
    ok(
        &mut d,
        L2,
        "eth_sendTransaction",
        json!([{"from": dev, "to": to, "value": "0x1"}]),
    );
    ok(&mut d, L2, "evm_mine", json!([]));
    assert_ne!(fingerprint(&d, L2), before);
    assert_eq!(ok(&mut d, L2, "evm_revert", json!([snap])), json!(true));
    assert_eq!(fingerprint(&d, L2), before);
    assert_eq!(ok(&mut d, L2, "evm_revert", json!([snap])), json!(false));
    // evm_increaseTime moves the next block's timestamp.
    let head = ok(&mut d, L2, "eth_getBlockByNumber", json!(["latest", false]));
    let t0 = u256(&head["timestamp"]);
    ok(&mut d, L2, "evm_increaseTime", json!([100_000]));
    ok(&mut d, L2, "evm_mine", json!([]));
    let head = ok(&mut d, L2, "eth_getBlockByNumber", json!(["latest", false]));
    assert!(u256(&head["timestamp"]) >= t0 + U256::from(100_000));
    assert_eq!(
        head["parentHash"],
        ok(&mut d, L2, "eth_getBlockByNumber", json!(["0x1", false]))["hash"]
    );
}

#[test]
fn block_filters_and_log_filters_report_only_what_is_new() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[5].address;
    let bf = ok(&mut d, L2, "eth_newBlockFilter", json!([]));
    let lf = ok(
        &mut d,
        L2,
        "eth_newFilter",
        json!([{"topics": [B256::from(U256::from(0xaa))]}]),
    );
    let hash = ok(
        &mut d,
        L2,
        "eth_sendTransaction",
        json!([{"from": dev, "data": init_code()}]),
    );
    let addr =
        ok(&mut d, L2, "eth_getTransactionReceipt", json!([hash]))["contractAddress"].clone();
    ok(
        &mut d,
        L2,
        "eth_sendTransaction",
        json!([{"from": dev, "to": addr, "data": B256::repeat_byte(2)}]),
    );
    assert_eq!(
        ok(&mut d, L2, "eth_getFilterChanges", json!([bf]))
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        ok(&mut d, L2, "eth_getFilterChanges", json!([bf])),
        json!([])
    );
    assert_eq!(
        ok(&mut d, L2, "eth_getFilterChanges", json!([lf]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        ok(&mut d, L2, "eth_getFilterChanges", json!([lf])),
        json!([])
    );
    assert_eq!(
        ok(&mut d, L2, "eth_getFilterLogs", json!([lf]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        ok(&mut d, L2, "eth_uninstallFilter", json!([lf])),
        json!(true)
    );
    assert!(rpc(&mut d, L2, "eth_getFilterChanges", json!([lf])).is_err());
}

#[test]
fn with_a_block_time_receipts_wait_for_the_block() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    d.set_automine(false);
    let dev = d.accounts()[6].address;
    let h1 = ok(
        &mut d,
        L2,
        "eth_sendTransaction",
        json!([{"from": dev, "to": dev, "value": "0x1"}]),
    );
    let h2 = ok(
        &mut d,
        L2,
        "eth_sendTransaction",
        json!([{"from": dev, "to": dev, "value": "0x1"}]),
    );
    assert_eq!(
        ok(&mut d, L2, "eth_getTransactionReceipt", json!([h1])),
        Value::Null
    );
    d.tick();
    let r1 = ok(&mut d, L2, "eth_getTransactionReceipt", json!([h1]));
    let r2 = ok(&mut d, L2, "eth_getTransactionReceipt", json!([h2]));
    assert_eq!(
        (r1["blockNumber"].clone(), r2["blockNumber"].clone()),
        (json!("0x1"), json!("0x1"))
    );
    assert_eq!(
        (
            r1["transactionIndex"].clone(),
            r2["transactionIndex"].clone()
        ),
        (json!("0x0"), json!("0x1"))
    );
    assert_eq!(u256(&r2["cumulativeGasUsed"]), U256::from(42_000));
    let block = ok(&mut d, L2, "eth_getBlockByNumber", json!(["0x1", true]));
    assert_eq!(block["transactions"].as_array().unwrap().len(), 2);
}
