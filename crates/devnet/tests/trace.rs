//! The message tracer (`flywheel_traceBundle`): a bundle executed after a refused attempt with
//! a wrong proof, one executed by the relayer, and one unbundled after a refused early
//! unbundle — each traced from its bundle hash and from its transactions, with every step on
//! every chain it touched and the contract's error for each refusal.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use flywheel_devnet::config::Layout;
use flywheel_devnet::system::{abi, plain_bundle_calldata};
use flywheel_devnet::Devnet;
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
use flywheel_protocol::interop::bundle::{attr, SealedBundle};
use serde_json::{json, Value};

mod common;
use common::{l1_message, ok, rpc};

const SRC: usize = 2; // chain 271
const DEST: usize = 3; // chain 272

/// Sends `data` on SRC, settles, and returns (sending tx, bundle bytes, hash, ABI proof).
fn sent_and_proven(
    d: &mut Devnet,
    from: Address,
    data: Bytes,
) -> (B256, Bytes, B256, abi::MessageInclusionProof) {
    let src = d.chains()[SRC].id;
    let tx: B256 = serde_json::from_value(ok(
        d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": from, "to": INTEROP_CENTER, "data": data}]),
    ))
    .unwrap();
    d.settle().unwrap();
    let r = ok(d, SRC, "eth_getTransactionReceipt", json!([tx]));
    let p = ok(d, SRC, "zks_getL2ToL1LogProof", json!([tx, 0]));
    let message = l1_message(&r);
    let proof = abi::MessageInclusionProof {
        chainId: U256::from(src),
        l1BatchNumber: serde_json::from_value(p["batchNumber"].clone()).unwrap(),
        l2MessageIndex: serde_json::from_value(p["id"].clone()).unwrap(),
        message: abi::L2Message {
            txNumberInBatch: serde_json::from_value::<U256>(r["transactionIndex"].clone())
                .unwrap()
                .to(),
            sender: INTEROP_CENTER,
            data: message.clone(),
        },
        proof: serde_json::from_value(p["proof"].clone()).unwrap(),
    };
    let bundle = message.slice(1..);
    let hash = SealedBundle::from_encoded(&bundle).unwrap().hash;
    (tx, bundle, hash, proof)
}

/// Sends a handler call on DEST; returns its hash and whether it succeeded.
fn handler_tx(d: &mut Devnet, from: Address, data: Vec<u8>) -> (B256, bool) {
    let tx: B256 = serde_json::from_value(ok(
        d,
        DEST,
        "eth_sendTransaction",
        json!([{"from": from, "to": INTEROP_HANDLER, "data": Bytes::from(data), "gas": "0x300000"}]),
    ))
    .unwrap();
    let r = ok(d, DEST, "eth_getTransactionReceipt", json!([tx]));
    (tx, r["status"] == json!("0x1"))
}

fn trace(d: &mut Devnet, chain: usize, hash: B256) -> Value {
    ok(d, chain, "flywheel_traceBundle", json!([hash]))
}

fn steps(t: &Value) -> Vec<&str> {
    t["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect()
}

fn step<'a>(t: &'a Value, name: &str) -> &'a Value {
    t["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no {name} step in {t:#}"))
}

#[test]
fn an_executed_bundle_after_a_wrong_proof_is_traced_on_every_chain() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[4].address;
    let (src, dest, gw) = (d.chains()[SRC].id, d.chains()[DEST].id, d.chains()[1].id);
    let (sent_tx, bundle, hash, proof) = sent_and_proven(
        &mut d,
        dev,
        plain_bundle_calldata(dest, Address::repeat_byte(0x61), vec![]),
    );
    // A wrong proof: the message index of another leaf.
    let mut wrong = proof.clone();
    wrong.l2MessageIndex += U256::from(1);
    let (refused_tx, ok_) = handler_tx(
        &mut d,
        dev,
        abi::executeBundleCall {
            _bundle: bundle.clone(),
            _proof: wrong,
        }
        .abi_encode(),
    );
    assert!(!ok_);
    let (exec_tx, ok_) = handler_tx(
        &mut d,
        dev,
        abi::executeBundleCall {
            _bundle: bundle,
            _proof: proof,
        }
        .abi_encode(),
    );
    assert!(ok_);
    let t = trace(&mut d, 0, hash);
    assert_eq!(t["status"], "executed", "{t:#}");
    assert_eq!(t["source"]["chainId"], json!(src));
    assert_eq!(t["destination"]["chainId"], json!(dest));
    assert_eq!(
        steps(&t),
        [
            "sent",
            "settled",
            "settled",
            "rootImported",
            "refused",
            "verified",
            "executed",
            "calls"
        ],
        "{t:#}"
    );
    assert_eq!(
        step(&t, "calls")["calls"],
        json!([{"index": 0, "status": "executed"}])
    );
    let sent = step(&t, "sent");
    assert_eq!(sent["tx"], json!(sent_tx));
    assert_eq!(sent["chainId"], json!(src));
    assert_eq!(sent["by"], json!(dev));
    let settled: Vec<&Value> = t["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "settled")
        .collect();
    assert_eq!(settled[0]["chainId"], json!(src));
    assert_eq!(settled[0]["settlementLayer"], json!(gw));
    assert_eq!(settled[1]["chainId"], json!(gw));
    assert_eq!(settled[1]["settlementLayer"], json!(d.chains()[0].id));
    assert_eq!(step(&t, "rootImported")["chainId"], json!(dest));
    let refused = step(&t, "refused");
    assert_eq!(refused["tx"], json!(refused_tx));
    assert_eq!(refused["function"], "executeBundle");
    assert_eq!(refused["error"], "MessageNotIncluded");
    assert!(
        refused["why"].as_str().unwrap().contains("proof"),
        "{refused}"
    );
    let executed = step(&t, "executed");
    assert_eq!(executed["tx"], json!(exec_tx));
    assert_eq!(executed["by"], json!(dev));
    // The same trace from the sending transaction, from the refused one, on any chain.
    assert_eq!(trace(&mut d, SRC, sent_tx), t);
    assert_eq!(trace(&mut d, DEST, refused_tx), t);
    // The text form names every step.
    let text = flywheel_devnet::trace::render(&t);
    assert!(
        text.contains("REFUSED") && text.contains("MessageNotIncluded"),
        "{text}"
    );
    assert!(text.contains("status: executed"), "{text}");
}

#[test]
fn a_relayed_bundle_names_the_relayer_and_a_pending_one_says_so() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[5].address;
    let dest = d.chains()[DEST].id;
    let tx: B256 = serde_json::from_value(ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_CENTER,
                "data": plain_bundle_calldata(dest, Address::repeat_byte(0x62), vec![])}]),
    ))
    .unwrap();
    let pending = trace(&mut d, SRC, tx);
    assert_eq!(steps(&pending), ["sent", "batched"], "{pending:#}");
    assert!(pending["status"].as_str().unwrap().contains("not settled"));
    d.settle().unwrap();
    assert_eq!(d.relay().len(), 1);
    let t = trace(&mut d, SRC, tx);
    assert_eq!(t["status"], "executed");
    assert_eq!(step(&t, "executed")["by"], json!(d.relayer_address()));
}

#[test]
fn an_unbundled_bundle_shows_its_refusal_its_unbundler_and_each_call() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[6].address;
    let other = d.accounts()[7].address;
    let dest = d.chains()[DEST].id;
    let mut data = abi::sendBundleCall::abi_decode(&plain_bundle_calldata(
        dest,
        Address::repeat_byte(0x63),
        vec![],
    ))
    .unwrap();
    data._bundleAttributes = vec![attr::unbundler_address(&InteropAddress::new(dest, dev))];
    let (_, bundle, hash, proof) = sent_and_proven(&mut d, dev, data.abi_encode().into());
    // Unbundling before verification is refused (CanNotUnbundle).
    let cancel = abi::unbundleBundleCall {
        _bundle: bundle.clone(),
        _callStatus: vec![2],
    }
    .abi_encode();
    let (early, ok_) = handler_tx(&mut d, dev, cancel.clone());
    assert!(!ok_);
    let (_, ok_) = handler_tx(
        &mut d,
        dev,
        abi::verifyBundleCall {
            _bundle: bundle.clone(),
            _proof: proof,
        }
        .abi_encode(),
    );
    assert!(ok_);
    let verified = trace(&mut d, DEST, hash);
    assert!(
        verified["status"].as_str().unwrap().starts_with("verified"),
        "{verified:#}"
    );
    // Another account may not unbundle (UnbundlingNotAllowed); the unbundler may.
    let (stranger, ok_) = handler_tx(&mut d, other, cancel.clone());
    assert!(!ok_);
    let (unbundle_tx, ok_) = handler_tx(&mut d, dev, cancel);
    assert!(ok_);
    let t = trace(&mut d, DEST, unbundle_tx);
    assert_eq!(t["status"], "unbundled", "{t:#}");
    assert_eq!(
        steps(&t),
        [
            "sent",
            "settled",
            "settled",
            "rootImported",
            "refused",
            "verified",
            "refused",
            "unbundled",
            "calls"
        ],
        "{t:#}"
    );
    let refusals: Vec<&Value> = t["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "refused")
        .collect();
    assert_eq!(refusals[0]["tx"], json!(early));
    assert_eq!(refusals[0]["error"], "CanNotUnbundle");
    assert_eq!(refusals[1]["tx"], json!(stranger));
    assert_eq!(refusals[1]["error"], "UnbundlingNotAllowed");
    assert_eq!(refusals[1]["by"], json!(other));
    assert_eq!(step(&t, "unbundled")["by"], json!(dev));
    assert_eq!(
        step(&t, "calls")["calls"],
        json!([{"index": 0, "status": "cancelled"}])
    );
}

#[test]
fn unknown_hashes_and_unrelated_transactions_are_refused() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let e = rpc(
        &mut d,
        0,
        "flywheel_traceBundle",
        json!([B256::repeat_byte(9)]),
    )
    .unwrap_err();
    assert!(e.message.contains("neither a bundle"), "{}", e.message);
    let dev = d.accounts()[1].address;
    let tx = ok(
        &mut d,
        0,
        "eth_sendTransaction",
        json!([{"from": dev, "to": Address::repeat_byte(1), "value": "0x1"}]),
    );
    let e = rpc(&mut d, 0, "flywheel_traceBundle", json!([tx])).unwrap_err();
    assert!(e.message.contains("neither sent a bundle"), "{}", e.message);
    let e = rpc(&mut d, 0, "flywheel_traceBundle", json!(["0x12"])).unwrap_err();
    assert_eq!(e.code, -32602);
}
