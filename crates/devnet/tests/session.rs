//! One scripted devnet session, its receipts and final balances compared to a committed
//! fixture (`tests/fixtures/session.json`): plain transfers, contract deploys and calls,
//! `sendBundle` / `sendMessage` from an EOA and from contracts (one reverting), a refused send,
//! settlement, execution by the relayer and by a client, a receiver that sends onward (A → B
//! → C), a reverting receiver, ZK token transfers, the fixed ZK fee and the fee claims.
//! Recorded before the devnet's balance bridge moved to the protocol's journal (issue 18), and
//! kept as what restructurings of the devnet must not change.
//!
//! Left out: each receipt's and log's `blockHash` and `blockTimestamp`, which follow the wall
//! clock (blocks are stamped with it). Everything else — status, gas, logs with addresses,
//! topics and data, transaction hashes and indices, L2→L1 logs — is compared.
//!
//! `FLYWHEEL_BLESS=1 cargo test -p flywheel-devnet --test session` rewrites the fixture: only
//! for a change that means to alter the devnet's receipts, said in its commit.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::{SolCall, SolEvent};
use flywheel_devnet::accounts::admin;
use flywheel_devnet::config::Layout;
use flywheel_devnet::contracts::zk_abi;
use flywheel_devnet::system::{abi, plain_bundle_calldata as plain_bundle};
use flywheel_devnet::Devnet;
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
use flywheel_protocol::genesis::ZK_TOKEN_ADDRESS;
use flywheel_protocol::interop::bundle::{interopCallValueCall, useFixedFeeCall};
use flywheel_protocol::units::tokens;
use serde_json::{json, Value};

mod common;
use common::{counter_runtime, deployable, ok};

const SRC: usize = 2; // chain 271
const DEST: usize = 3; // chain 272
const C: usize = 4; // chain 273

/// Forwards its calldata to the InteropCenter with CALL, then: `tail`.
fn forwarder(tail: &str) -> String {
    format!("3660006000376000600036600060006201000d5af1{tail}")
}

/// A receiver that relays its payload as calldata to `target` and reverts if that fails.
fn relay_runtime(target: Address) -> String {
    let sel =
        alloy_primitives::hex::encode(flywheel_devnet::receiver::abi::receiveMessageCall::SELECTOR);
    let mut code = String::from("604435600401803590602001600037");
    code += "60006000";
    code += "60443560040135";
    code += "60006000";
    code += &format!("73{}", alloy_primitives::hex::encode(target));
    code += "5af1";
    let ok = code.len() / 2 + 3 + 5;
    code += &format!("60{ok:02x}57");
    code += "60006000fd";
    code += "5b";
    code += &format!("63{sel}60e01b60005260206000f3");
    code
}

/// A `sendBundle` to `to` on `dest`, one call per payload, the first carrying `value`.
fn bundle_to(dest: u64, to: Address, payloads: &[Bytes], value: U256) -> Bytes {
    abi::sendBundleCall {
        _destinationChainId: InteropAddress::chain_only(dest).encode(),
        _callStarters: payloads
            .iter()
            .enumerate()
            .map(|(i, p)| abi::InteropCallStarter {
                to: InteropAddress::address_only(to).encode(),
                data: p.clone(),
                callAttributes: if i == 0 && !value.is_zero() {
                    vec![interopCallValueCall { value }.abi_encode().into()]
                } else {
                    vec![]
                },
            })
            .collect(),
        _bundleAttributes: vec![],
    }
    .abi_encode()
    .into()
}

/// Drops the fields that follow the wall clock, at any depth.
fn strip_clock(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("blockHash");
            m.remove("blockTimestamp");
            m.values_mut().for_each(strip_clock);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_clock),
        _ => {}
    }
}

/// The session so far: each transaction's label, chain and receipt.
struct Session {
    d: Devnet,
    txs: Vec<Value>,
}

impl Session {
    fn record(&mut self, label: &str, c: usize, hash: &Value) -> Value {
        let mut r = ok(&mut self.d, c, "eth_getTransactionReceipt", json!([hash]));
        let full = r.clone();
        strip_clock(&mut r);
        self.txs
            .push(json!({"label": label, "chain": c, "receipt": r}));
        full
    }

    fn send(&mut self, label: &str, c: usize, tx: Value) -> Value {
        let h = ok(&mut self.d, c, "eth_sendTransaction", json!([tx]));
        self.record(label, c, &h)
    }

    fn deploy(&mut self, label: &str, c: usize, from: Address, runtime: &str) -> Address {
        let r = self.send(label, c, json!({"from": from, "data": deployable(runtime)}));
        assert_eq!(r["status"], json!("0x1"), "{label}");
        serde_json::from_value(r["contractAddress"].clone()).unwrap()
    }

    fn relay(&mut self, label: &str) -> usize {
        let done = self.d.relay();
        for (i, h) in done.iter().enumerate() {
            let c = (0..self.d.chains().len())
                .find(|&c| !ok(&mut self.d, c, "eth_getTransactionByHash", json!([h])).is_null())
                .unwrap();
            self.record(&format!("{label}/{i}"), c, &json!(h));
        }
        done.len()
    }

    /// A transaction from the devnet admin (not a dev account), signed here.
    fn send_as_admin(&mut self, label: &str, c: usize, to: Address, input: Bytes) -> Value {
        let admin = admin().unwrap();
        let nonce: U256 = serde_json::from_value(ok(
            &mut self.d,
            c,
            "eth_getTransactionCount",
            json!([admin.address, "latest"]),
        ))
        .unwrap();
        let price: U256 =
            serde_json::from_value(ok(&mut self.d, c, "eth_gasPrice", json!([]))).unwrap();
        let tx = TxEip1559 {
            chain_id: self.d.chains()[c].id,
            nonce: nonce.to(),
            gas_limit: 1_000_000,
            max_fee_per_gas: price.to(),
            max_priority_fee_per_gas: 0,
            to: TxKind::Call(to),
            value: U256::ZERO,
            access_list: Default::default(),
            input,
        };
        let sig = admin.signer.sign_hash_sync(&tx.signature_hash()).unwrap();
        let env = TxEnvelope::from(tx.into_signed(sig));
        let h = self.d.submit(c, env).unwrap();
        self.record(label, c, &json!(h))
    }

    /// The bundle and ABI proof of the bundle a sending receipt sent, once provable.
    fn proof_of(&mut self, c: usize, sent: &Value) -> (Bytes, abi::MessageInclusionProof) {
        let tx = sent["transactionHash"].clone();
        let p = ok(
            &mut self.d,
            c,
            "zks_getL2ToL1LogProof",
            json!([tx, 0, "messageRoot"]),
        );
        assert!(!p.is_null(), "provable");
        let msg = sent["logs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["topics"][0] == json!(abi::L1MessageSent::SIGNATURE_HASH))
            .unwrap();
        let data: Bytes = serde_json::from_value(msg["data"].clone()).unwrap();
        let message = abi::L1MessageSent::abi_decode_data(&data).unwrap().0;
        let proof = abi::MessageInclusionProof {
            chainId: U256::from(self.d.chains()[c].id),
            l1BatchNumber: serde_json::from_value(p["batchNumber"].clone()).unwrap(),
            l2MessageIndex: serde_json::from_value(p["id"].clone()).unwrap(),
            message: abi::L2Message {
                txNumberInBatch: serde_json::from_value::<U256>(sent["transactionIndex"].clone())
                    .unwrap()
                    .to(),
                sender: INTEROP_CENTER,
                data: message.clone(),
            },
            proof: serde_json::from_value(p["proof"].clone()).unwrap(),
        };
        (message.slice(1..), proof)
    }
}

/// Runs the session; returns what the fixture holds.
fn session() -> Value {
    let d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev: Vec<Address> = d.accounts().iter().map(|a| a.address).collect();
    let ids: Vec<u64> = d.chains().iter().map(|c| c.id).collect();
    let mut s = Session { d, txs: Vec::new() };
    let payee = Address::repeat_byte(0x50);
    let word = |b: u8| Bytes::from(B256::repeat_byte(b).0.to_vec());

    // Plain value transfers on an L2 and on L1.
    s.send(
        "transfer",
        SRC,
        json!({"from": dev[0], "to": Address::repeat_byte(0xaa), "value": "0x38d7ea4c68000"}),
    );
    s.send(
        "transfer-l1",
        0,
        json!({"from": dev[0], "to": Address::repeat_byte(0xab), "value": "0x1000"}),
    );

    // Contracts: a receiver on B and C, forwarders to the InteropCenter on A.
    let counter = s.deploy("deploy-counter", DEST, dev[1], &counter_runtime());
    let counter_c = s.deploy("deploy-counter-c", C, dev[1], &counter_runtime());
    let keeper = s.deploy("deploy-keeper", SRC, dev[1], &forwarder("5000"));
    let reverter = s.deploy("deploy-reverter", SRC, dev[1], &forwarder("60006000fd"));
    let relay = s.deploy("deploy-relay", DEST, dev[1], &relay_runtime(INTEROP_CENTER));

    // Sends: value to an EOA, value to a receiver contract, through contracts, refused.
    let value = U256::from(12_345u64);
    s.send(
        "send-value",
        SRC,
        json!({"from": dev[2], "to": INTEROP_CENTER, "value": value,
            "data": bundle_to(ids[DEST], payee, &[Bytes::new()], value)}),
    );
    s.send(
        "send-to-counter",
        SRC,
        json!({"from": dev[2], "to": INTEROP_CENTER, "value": "0x309",
            "data": bundle_to(ids[DEST], counter, &[word(0xab)], U256::from(777u64))}),
    );
    let plain = plain_bundle(ids[DEST], Address::repeat_byte(0x45), vec![]);
    s.send(
        "send-via-keeper",
        SRC,
        json!({"from": dev[1], "to": keeper, "data": plain}),
    );
    s.send(
        "send-via-reverter",
        SRC,
        json!({"from": dev[1], "to": reverter, "data": plain, "gas": "0x100000"}),
    );
    s.send(
        "send-starved",
        SRC,
        json!({"from": dev[1], "to": keeper, "data": plain, "gas": "0xea60"}),
    );
    s.send(
        "send-refused",
        SRC,
        json!({"from": dev[1], "to": INTEROP_CENTER, "gas": "0x100000",
            "data": plain_bundle(ids[0], payee, vec![])}),
    );
    let message = abi::sendMessageCall {
        recipient: InteropAddress::new(ids[DEST], payee).encode(),
        payload: Bytes::from_static(b"note"),
        attributes: vec![],
    }
    .abi_encode();
    s.send(
        "send-message",
        SRC,
        json!({"from": dev[3], "to": INTEROP_CENTER, "data": Bytes::from(message)}),
    );
    // A → B → C: the relay on B sends onward to the counter on C.
    let onward = bundle_to(ids[C], counter_c, &[word(0x3c)], U256::ZERO);
    s.send(
        "send-onward",
        SRC,
        json!({"from": dev[3], "to": INTEROP_CENTER,
            "data": bundle_to(ids[DEST], relay, &[onward], U256::ZERO)}),
    );
    // For a client to execute, and a bundle whose second call reverts in the receiver.
    let for_client = s.send(
        "send-for-client",
        SRC,
        json!({"from": dev[4], "to": INTEROP_CENTER,
            "data": plain_bundle(ids[DEST], Address::repeat_byte(0x48), vec![])}),
    );
    let failing = s.send(
        "send-failing",
        SRC,
        json!({"from": dev[4], "to": INTEROP_CENTER, "value": "0x63",
            "data": bundle_to(ids[DEST], counter, &[word(0x11), Bytes::new()], U256::from(99u64))}),
    );

    assert!(s.d.settle().unwrap());
    // A client executes one bundle before the relayer does the rest.
    let (bundle, proof) = s.proof_of(SRC, &for_client);
    let exec = Bytes::from(
        abi::executeBundleCall {
            _bundle: bundle,
            _proof: proof,
        }
        .abi_encode(),
    );
    s.send(
        "client-execute",
        DEST,
        json!({"from": dev[4], "to": INTEROP_HANDLER, "data": exec}),
    );
    // The failing bundle, executed anyway: mined reverted.
    let (bundle, proof) = s.proof_of(SRC, &failing);
    let exec = Bytes::from(
        abi::executeBundleCall {
            _bundle: bundle,
            _proof: proof,
        }
        .abi_encode(),
    );
    s.send(
        "client-execute-reverts",
        DEST,
        json!({"from": dev[4], "to": INTEROP_HANDLER, "data": exec, "gas": "0x200000"}),
    );
    assert!(s.relay("relay") >= 4);
    assert!(s.d.settle().unwrap());
    assert_eq!(s.relay("relay-onward"), 1);

    // The ZK token: a transfer, an approval for the fixed fee, a send paying it, a refusal.
    let t = ZK_TOKEN_ADDRESS;
    let zk = |data: Vec<u8>| Bytes::from(data);
    s.send(
        "zk-transfer",
        SRC,
        json!({"from": dev[5], "to": t, "data": zk(zk_abi::transferCall { to: dev[6], amount: tokens(5) }.abi_encode())}),
    );
    s.send(
        "zk-transfer-too-much",
        DEST,
        json!({"from": dev[6], "to": t, "gas": "0x100000",
            "data": zk(zk_abi::transferCall { to: dev[5], amount: tokens(10_000_000) }.abi_encode())}),
    );
    s.send(
        "zk-approve",
        SRC,
        json!({"from": dev[5], "to": t, "data": zk(zk_abi::approveCall { spender: INTEROP_CENTER, amount: tokens(10) }.abi_encode())}),
    );
    let fixed = vec![Bytes::from(useFixedFeeCall { fixedFee: true }.abi_encode())];
    s.send(
        "send-fixed-fee",
        SRC,
        json!({"from": dev[5], "to": INTEROP_CENTER,
            "data": plain_bundle(ids[DEST], Address::repeat_byte(0x62), fixed)}),
    );

    // Fee claims: by someone who accrued nothing (no log), then by the coinbase.
    s.send(
        "claim-zk-nothing",
        SRC,
        json!({"from": dev[5], "to": INTEROP_CENTER,
            "data": zk(abi::claimZKFeesCall { _receiver: dev[5] }.abi_encode())}),
    );
    s.send_as_admin(
        "claim-zk",
        SRC,
        INTEROP_CENTER,
        abi::claimZKFeesCall { _receiver: dev[7] }
            .abi_encode()
            .into(),
    );
    s.send_as_admin(
        "claim-protocol",
        SRC,
        INTEROP_CENTER,
        abi::claimProtocolFeesCall { _receiver: dev[7] }
            .abi_encode()
            .into(),
    );
    assert!(s.d.settle().unwrap());
    s.relay("relay-last");

    // Final base-token balances of every account the session touched, on every chain.
    let mut who: Vec<Address> = dev.clone();
    who.extend([
        payee,
        Address::repeat_byte(0xaa),
        Address::repeat_byte(0xab),
        Address::repeat_byte(0x45),
        Address::repeat_byte(0x48),
        Address::repeat_byte(0x62),
        counter,
        counter_c,
        keeper,
        reverter,
        relay,
        INTEROP_CENTER,
        INTEROP_HANDLER,
        s.d.relayer_address(),
        admin().unwrap().address,
    ]);
    let mut balances = Vec::new();
    for c in 0..s.d.chains().len() {
        for a in &who {
            let b = ok(&mut s.d, c, "eth_getBalance", json!([a, "latest"]));
            balances.push(json!({"chain": c, "account": a, "balance": b}));
        }
    }
    json!({"transactions": s.txs, "balances": balances})
}

#[test]
fn the_session_s_receipts_and_balances_match_the_fixture() {
    let got = session();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/session.json");
    if std::env::var_os("FLYWHEEL_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let want: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (g, w) = (
        got["transactions"].as_array().unwrap(),
        want["transactions"].as_array().unwrap(),
    );
    for (i, (g, w)) in g.iter().zip(w).enumerate() {
        assert_eq!(g, w, "transaction {i} ({})", w["label"]);
    }
    assert_eq!(g.len(), w.len(), "transactions recorded");
    assert_eq!(got["balances"], want["balances"]);
}
