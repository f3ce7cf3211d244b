//! System contracts inside revm: InteropCenter's `sendBundle` from an EOA and from a user
//! contract, executed by the protocol; a frame that reverts after the call leaves the protocol
//! as if the call never ran; refusals come back as the contracts' custom errors.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use flywheel_devnet::config::Layout;
use flywheel_devnet::system::{abi, INTEROP_ROOT_STORAGE};
use flywheel_devnet::Devnet;
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{INTEROP_CENTER, L1_MESSENGER};
use serde_json::{json, Value};

mod common;
use common::{counter_runtime, deployable, l1_message, ok, rpc};
use flywheel_devnet::system::plain_bundle_calldata as plain_bundle;

const SRC: usize = 2; // chain 271
const DEST: usize = 3; // chain 272

/// `sendBundle` to `dest` with one call to `to` and no attributes.
fn send_bundle(dest: u64, to: Address) -> Bytes {
    abi::sendBundleCall {
        _destinationChainId: InteropAddress::chain_only(dest).encode(),
        _callStarters: vec![abi::InteropCallStarter {
            to: InteropAddress::address_only(to).encode(),
            data: Bytes::from_static(b"hi"),
            callAttributes: vec![],
        }],
        _bundleAttributes: vec![],
    }
    .abi_encode()
    .into()
}

/// Forwards its calldata to the InteropCenter with CALL, then: `tail`.
fn forwarder(tail: &str) -> String {
    format!("3660006000376000600036600060006201000d5af1{tail}")
}

fn deploy(d: &mut Devnet, from: Address, runtime: &str) -> Address {
    let h = ok(
        d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": from, "data": deployable(runtime)}]),
    );
    let r = ok(d, SRC, "eth_getTransactionReceipt", json!([h]));
    serde_json::from_value(r["contractAddress"].clone()).unwrap()
}

/// The source chain's interop record: bundles sent per sender, outbox, open batch's logs.
fn interop_record(d: &Devnet) -> (usize, usize, usize) {
    let chain = d.chains()[SRC].id;
    let c = d.network().state().chain(chain).unwrap();
    (c.bundle_count.len(), c.outbox.len(), c.pending_logs.len())
}

#[test]
fn an_eoa_sends_a_bundle_through_the_real_abi() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[0].address;
    let dest = d.chains()[DEST].id;
    let data = send_bundle(dest, Address::repeat_byte(0x44));
    let req = json!({"from": dev, "to": INTEROP_CENTER, "data": data});
    // eth_call returns the bundle hash the send will have.
    let ret: Bytes =
        serde_json::from_value(ok(&mut d, SRC, "eth_call", json!([req, "latest"]))).unwrap();
    let hash = B256::from_slice(&ret);
    let tx = ok(&mut d, SRC, "eth_sendTransaction", json!([req]));
    let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x1"));
    let logs = r["logs"].as_array().unwrap();
    let sent = logs
        .iter()
        .find(|l| {
            l["address"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case(&format!("{INTEROP_CENTER:#x}"))
                && l["topics"][0] == json!(abi::InteropBundleSent::SIGNATURE_HASH)
        })
        .unwrap();
    assert_eq!(
        sent["topics"][0],
        json!(abi::InteropBundleSent::SIGNATURE_HASH)
    );
    let msg = logs
        .iter()
        .find(|l| {
            l["address"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case(&format!("{L1_MESSENGER:#x}"))
        })
        .unwrap();
    assert_eq!(msg["topics"][0], json!(abi::L1MessageSent::SIGNATURE_HASH));
    // The receipt lists the message as an L2→L1 log: from the messenger, keyed by the
    // InteropCenter, valued by the message hash, in the open batch.
    let l2l1 = r["l2ToL1Logs"].as_array().unwrap();
    assert_eq!(l2l1.len(), 1);
    assert_eq!(
        l2l1[0]["key"],
        json!(B256::left_padding_from(INTEROP_CENTER.as_slice()))
    );
    assert_eq!(l2l1[0]["value"], msg["topics"][2]);
    assert_eq!(l2l1[0]["l1BatchNumber"], json!("0x1"));
    // The messenger's message is 0x01 ‖ abi.encode(bundle), and the event names the hash.
    let data: Bytes = serde_json::from_value(sent["data"].clone()).unwrap();
    let decoded = abi::InteropBundleSent::abi_decode_data(&data).unwrap();
    assert_eq!(decoded.1, hash);
    let chain = d.chains()[SRC].id;
    let st = d.network().state().chain(chain).unwrap();
    assert!(st.outbox.contains_key(&hash));
    assert_eq!(st.bundle_count.get(&dev), Some(&1));
    let nonce = abi::interopBundleNonceCall { sender: dev }.abi_encode();
    let n = ok(
        &mut d,
        SRC,
        "eth_call",
        json!([{"to": INTEROP_CENTER, "data": Bytes::from(nonce)}]),
    );
    assert_eq!(
        U256::from_str_radix(n.as_str().unwrap().trim_start_matches("0x"), 16).unwrap(),
        U256::from(1)
    );
    // L2InteropRootStorage answers (no root imported yet).
    let q = abi::interopRootsCall {
        chainId: U256::from(506),
        blockOrBatchNumber: U256::from(1),
    }
    .abi_encode();
    let root = ok(
        &mut d,
        DEST,
        "eth_call",
        json!([{"to": INTEROP_ROOT_STORAGE, "data": Bytes::from(q)}]),
    );
    assert_eq!(root, json!(B256::ZERO));
}

#[test]
fn a_contract_that_sends_then_reverts_sends_nothing() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[1].address;
    let dest = d.chains()[DEST].id;
    let reverter = deploy(&mut d, dev, &forwarder("60006000fd"));
    let keeper = deploy(&mut d, dev, &forwarder("5000"));
    let data = send_bundle(dest, Address::repeat_byte(0x45));
    let before = interop_record(&d);
    let tx = ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": reverter, "data": data, "gas": "0x100000"}]),
    );
    let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x0"));
    assert_eq!(r["logs"], json!([]));
    assert_eq!(
        interop_record(&d),
        before,
        "a reverted frame's send must vanish"
    );
    // The same call from a contract that does not revert sends, with the contract as sender.
    let tx = ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": keeper, "data": data}]),
    );
    let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x1"));
    // The messenger's message, MessageSent for the one call, InteropBundleSent.
    assert_eq!(r["logs"].as_array().unwrap().len(), 3);
    let chain = d.chains()[SRC].id;
    let st = d.network().state().chain(chain).unwrap();
    assert_eq!(st.bundle_count.get(&keeper), Some(&1));
    assert_eq!(st.outbox.len(), before.1 + 1);
    // Too little gas for the system call: it fails before doing anything (no log, no send),
    // even though the contract carries on and the transaction succeeds.
    let after_one = interop_record(&d);
    let tx = ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": keeper, "data": data, "gas": "0xea60"}]),
    );
    let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(
        (r["status"].clone(), r["logs"].clone()),
        (json!("0x1"), json!([]))
    );
    assert_eq!(interop_record(&d), after_one);
}

#[test]
fn refusals_are_the_contracts_custom_errors_and_change_nothing() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[2].address;
    let l1 = d.chains()[0].id;
    let data = send_bundle(l1, Address::repeat_byte(0x46));
    let req = json!({"from": dev, "to": INTEROP_CENTER, "data": data});
    let e = rpc(&mut d, SRC, "eth_call", json!([req])).unwrap_err();
    let expected = abi::NotL2ToL2 {
        sourceChainId: U256::from(d.chains()[SRC].id),
        destinationChainId: U256::from(l1),
    }
    .abi_encode();
    assert_eq!((e.code, e.data), (3, Some(json!(Bytes::from(expected)))));
    // Sent anyway (with a gas limit, so no estimate refuses it): mined as a revert, and the
    // interop state is untouched.
    let before = interop_record(&d);
    let tx = ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_CENTER, "data": data, "gas": "0x100000"}]),
    );
    let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x0"));
    assert_eq!(interop_record(&d), before);
    // The L1 serves no system contracts: a call there is a plain call to an empty account.
    let out = ok(&mut d, 0, "eth_call", json!([req]));
    assert_eq!(out, json!("0x"));
}

#[test]
fn settlement_moves_roots_and_the_rpc_proof_verifies_on_the_destination() {
    use flywheel_protocol::network::Action;
    use flywheel_protocol::settlement::{L2Message, MessageInclusionProof};
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[3].address;
    let (src, dest) = (d.chains()[SRC].id, d.chains()[DEST].id);
    let data = send_bundle(dest, Address::repeat_byte(0x47));
    let tx = ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_CENTER, "data": data}]),
    );
    // Not settled yet: no proof, and `finalized` is still genesis.
    assert_eq!(
        ok(
            &mut d,
            SRC,
            "zks_getL2ToL1LogProof",
            json!([tx, 0, "messageRoot"])
        ),
        Value::Null
    );
    assert_eq!(
        ok(
            &mut d,
            SRC,
            "eth_getBlockByNumber",
            json!(["finalized", false])
        )["number"],
        json!("0x0")
    );
    assert!(d.settle().unwrap());
    assert_eq!(
        ok(
            &mut d,
            SRC,
            "eth_getBlockByNumber",
            json!(["finalized", false])
        )["number"],
        json!("0x1")
    );
    let p = ok(
        &mut d,
        SRC,
        "zks_getL2ToL1LogProof",
        json!([tx, 0, "messageRoot"]),
    );
    let g: U256 = serde_json::from_value(p["gatewayBlockNumber"].clone()).unwrap();
    // The destination's L2InteropRootStorage now holds that Gateway root.
    let q = abi::interopRootsCall {
        chainId: U256::from(d.layout().gateway_chain_id),
        blockOrBatchNumber: g,
    }
    .abi_encode();
    let root = ok(
        &mut d,
        DEST,
        "eth_call",
        json!([{"to": INTEROP_ROOT_STORAGE, "data": Bytes::from(q)}]),
    );
    assert_eq!(root, p["root"]);
    assert_ne!(root, json!(B256::ZERO));
    // The proof as served verifies the bundle on the destination (protocol's VerifyBundle).
    let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
    let message = l1_message(&r);
    assert_eq!(message[0], 0x01);
    let words: Vec<B256> = serde_json::from_value(p["proof"].clone()).unwrap();
    let batch: U256 = serde_json::from_value(p["batchNumber"].clone()).unwrap();
    let id: U256 = serde_json::from_value(p["id"].clone()).unwrap();
    let proof = MessageInclusionProof {
        chain_id: src,
        l1_batch_number: batch.to(),
        l2_message_index: id.to(),
        message: L2Message {
            tx_number_in_batch: serde_json::from_value::<U256>(r["transactionIndex"].clone())
                .unwrap()
                .to(),
            sender: INTEROP_CENTER,
            data: message.clone(),
        },
        proof: words,
    };
    let mut net = d.network().clone();
    let verified = net.apply(Action::VerifyBundle {
        chain: dest,
        bundle: message.slice(1..),
        proof: proof.clone(),
    });
    assert!(verified.is_ok(), "{verified:?}");
    // A tampered proof does not verify.
    let mut bad = proof;
    bad.proof[1] = B256::repeat_byte(9);
    let mut net = d.network().clone();
    assert!(net
        .apply(Action::VerifyBundle {
            chain: dest,
            bundle: message.slice(1..),
            proof: bad
        })
        .is_err());
}

/// Sends `data` to the InteropCenter on SRC, settles, and returns (tx receipt, bundle bytes,
/// ABI proof) as a client following the SDK would assemble them.
fn sent_and_proven(
    d: &mut Devnet,
    from: Address,
    data: Bytes,
) -> (Value, Bytes, abi::MessageInclusionProof) {
    let src = d.chains()[SRC].id;
    let tx = ok(
        d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": from, "to": INTEROP_CENTER, "data": data}]),
    );
    d.settle().unwrap();
    let r = ok(d, SRC, "eth_getTransactionReceipt", json!([tx]));
    let p = ok(
        d,
        SRC,
        "zks_getL2ToL1LogProof",
        json!([tx, 0, "messageRoot"]),
    );
    let message = l1_message(&r);
    let id: U256 = serde_json::from_value(p["id"].clone()).unwrap();
    let proof = abi::MessageInclusionProof {
        chainId: U256::from(src),
        l1BatchNumber: serde_json::from_value(p["batchNumber"].clone()).unwrap(),
        l2MessageIndex: id,
        message: abi::L2Message {
            // As zksync-js: the sending receipt's transactionIndex.
            txNumberInBatch: serde_json::from_value::<U256>(r["transactionIndex"].clone())
                .unwrap()
                .to(),
            sender: INTEROP_CENTER,
            data: message.clone(),
        },
        proof: serde_json::from_value(p["proof"].clone()).unwrap(),
    };
    (r, message.slice(1..), proof)
}

fn status(d: &mut Devnet, hash: B256) -> U256 {
    let q = abi::bundleStatusCall { bundleHash: hash }.abi_encode();
    let v = ok(
        d,
        DEST,
        "eth_call",
        json!([{"to": flywheel_protocol::chain::INTEROP_HANDLER, "data": Bytes::from(q)}]),
    );
    U256::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

#[test]
fn a_client_verifies_and_executes_a_bundle_through_the_interop_handler() {
    use flywheel_protocol::chain::INTEROP_HANDLER;
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[7].address;
    let dest = d.chains()[DEST].id;
    let (_, bundle, proof) = sent_and_proven(
        &mut d,
        dev,
        plain_bundle(dest, Address::repeat_byte(0x48), vec![]),
    );
    let hash = flywheel_protocol::interop::bundle::SealedBundle::from_encoded(&bundle)
        .unwrap()
        .hash;
    assert_eq!(status(&mut d, hash), U256::ZERO);
    let exec = Bytes::from(
        abi::executeBundleCall {
            _bundle: bundle.clone(),
            _proof: proof.clone(),
        }
        .abi_encode(),
    );
    let tx = ok(
        &mut d,
        DEST,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_HANDLER, "data": exec}]),
    );
    let r = ok(&mut d, DEST, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x1"));
    // The SDK reads status from BundleExecuted filtered by the bundle hash in topic 1.
    let logs = ok(
        &mut d,
        DEST,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "address": INTEROP_HANDLER,
        "topics": [abi::BundleExecuted::SIGNATURE_HASH, hash]}]),
    );
    assert_eq!(logs.as_array().unwrap().len(), 1);
    assert_eq!(status(&mut d, hash), U256::from(2));
    // Executing twice is refused, with nothing changed.
    let before = d.network().state().clone();
    let e = rpc(
        &mut d,
        DEST,
        "eth_call",
        json!([{"from": dev, "to": INTEROP_HANDLER, "data": exec}]),
    )
    .unwrap_err();
    assert_eq!(e.code, 3);
    assert_eq!(d.network().state(), &before);

    // verifyBundle alone: the bundle becomes Verified and BundleVerified is logged.
    let (_, bundle2, proof2) =
        sent_and_proven(&mut d, dev, send_bundle(dest, Address::repeat_byte(0x49)));
    let hash2 = flywheel_protocol::interop::bundle::SealedBundle::from_encoded(&bundle2)
        .unwrap()
        .hash;
    let verify = Bytes::from(
        abi::verifyBundleCall {
            _bundle: bundle2,
            _proof: proof2,
        }
        .abi_encode(),
    );
    let tx = ok(
        &mut d,
        DEST,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_HANDLER, "data": verify}]),
    );
    let r = ok(&mut d, DEST, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(
        r["logs"][0]["topics"],
        json!([abi::BundleVerified::SIGNATURE_HASH, hash2])
    );
    assert_eq!(status(&mut d, hash2), U256::from(1));
}

#[test]
fn the_relayer_executes_provable_bundles_and_value_arrives_in_the_protocol_balance() {
    use flywheel_protocol::chain::INTEROP_HANDLER;
    use flywheel_protocol::interop::bundle::interopCallValueCall;
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[8].address;
    let dest = d.chains()[DEST].id;
    let payee = Address::repeat_byte(0x50);
    let value = U256::from(12_345u64);
    let data: Bytes = abi::sendBundleCall {
        _destinationChainId: InteropAddress::chain_only(dest).encode(),
        _callStarters: vec![abi::InteropCallStarter {
            to: InteropAddress::address_only(payee).encode(),
            data: Bytes::new(),
            callAttributes: vec![interopCallValueCall { value }.abi_encode().into()],
        }],
        _bundleAttributes: vec![],
    }
    .abi_encode()
    .into();
    let src_before: U256 =
        serde_json::from_value(ok(&mut d, SRC, "eth_getBalance", json!([dev]))).unwrap();
    let tx = ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_CENTER, "data": data, "value": value}]),
    );
    let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x1"));
    // The value left the sender (burned in flight) beside the gas.
    let src_after: U256 =
        serde_json::from_value(ok(&mut d, SRC, "eth_getBalance", json!([dev]))).unwrap();
    let gas: U256 = serde_json::from_value(r["gasUsed"].clone()).unwrap();
    let price: U256 = serde_json::from_value(r["effectiveGasPrice"].clone()).unwrap();
    assert_eq!(src_before - src_after, value + gas * price);
    // Nothing to relay before the batch settles.
    assert!(d.relay().is_empty());
    d.settle().unwrap();
    let relayed = d.relay();
    assert_eq!(relayed.len(), 1);
    let r = ok(
        &mut d,
        DEST,
        "eth_getTransactionReceipt",
        json!([relayed[0]]),
    );
    assert_eq!(r["status"], json!("0x1"));
    let executed = ok(
        &mut d,
        DEST,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "address": INTEROP_HANDLER, "topics": [abi::BundleExecuted::SIGNATURE_HASH]}]),
    );
    assert_eq!(executed.as_array().unwrap().len(), 1);
    // The value is the payee's balance on the destination: RPC and protocol agree.
    assert_eq!(
        ok(&mut d, DEST, "eth_getBalance", json!([payee])),
        json!(value)
    );
    assert_eq!(
        d.network().state().chain(dest).unwrap().base_balance(payee),
        value
    );
    // Done once: nothing more to relay.
    d.settle().unwrap();
    assert!(d.relay().is_empty());
}

fn slot(d: &mut Devnet, c: usize, who: Address, key: u64) -> U256 {
    let v = ok(
        d,
        c,
        "eth_getStorageAt",
        json!([who, U256::from(key), "latest"]),
    );
    serde_json::from_value(v).unwrap()
}

/// A `sendBundle` to `to` on `dest`, one call per payload, the first carrying `value`.
fn bundle_to(dest: u64, to: Address, payloads: &[Bytes], value: U256) -> Bytes {
    use flywheel_protocol::interop::bundle::interopCallValueCall;
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

/// Deploys the counter receiver on DEST.
fn deploy_counter(d: &mut Devnet, from: Address) -> Address {
    let runtime = counter_runtime();
    // The listing returns the selector the contracts define for receiveMessage.
    let code: Bytes = runtime.parse().unwrap();
    assert_eq!(
        code[0x2e..0x32],
        flywheel_devnet::receiver::abi::receiveMessageCall::SELECTOR
    );
    let h = ok(
        d,
        DEST,
        "eth_sendTransaction",
        json!([{"from": from, "data": deployable(&runtime)}]),
    );
    let r = ok(d, DEST, "eth_getTransactionReceipt", json!([h]));
    assert_eq!(r["status"], json!("0x1"));
    serde_json::from_value(r["contractAddress"].clone()).unwrap()
}

#[test]
fn a_relayed_bundle_reaches_a_user_contracts_receive_message_in_revm() {
    use flywheel_protocol::chain::INTEROP_HANDLER;
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[4].address;
    let dest = d.chains()[DEST].id;
    let counter = deploy_counter(&mut d, dev);
    let word = B256::repeat_byte(0xab);
    let value = U256::from(777u64);
    let data = bundle_to(dest, counter, &[Bytes::from(word.0.to_vec())], value);
    let tx = ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_CENTER, "data": data, "value": value}]),
    );
    let sent = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(sent["status"], json!("0x1"));
    d.settle().unwrap();
    let relayed = d.relay();
    assert_eq!(relayed.len(), 1);
    let r = ok(
        &mut d,
        DEST,
        "eth_getTransactionReceipt",
        json!([relayed[0]]),
    );
    assert_eq!(r["status"], json!("0x1"));
    // The contract ran: counter, payload, value and the InteropHandler as msg.sender.
    assert_eq!(slot(&mut d, DEST, counter, 0), U256::from(1));
    assert_eq!(slot(&mut d, DEST, counter, 1), U256::from_be_bytes(word.0));
    assert_eq!(slot(&mut d, DEST, counter, 2), value);
    assert_eq!(
        slot(&mut d, DEST, counter, 3),
        U256::from_be_slice(INTEROP_HANDLER.as_slice())
    );
    // Its log is in the relayer's receipt, beside the handler's BundleExecuted.
    let logs = r["logs"].as_array().unwrap();
    assert!(logs.iter().any(|l| {
        l["address"] == json!(counter) && l["data"] == json!(Bytes::from(word.0.to_vec()))
    }));
    let executed = ok(
        &mut d,
        DEST,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "address": INTEROP_HANDLER,
        "topics": [abi::BundleExecuted::SIGNATURE_HASH]}]),
    );
    let executed = executed.as_array().unwrap();
    assert_eq!(executed.len(), 1);
    let bundle_hash: B256 = serde_json::from_value(executed[0]["topics"][1].clone()).unwrap();
    assert_eq!(bundle_hash, sent_hash(&sent));
    assert_eq!(status(&mut d, bundle_hash), U256::from(2));
    // The value is the contract's balance, over RPC and in the protocol.
    assert_eq!(
        ok(&mut d, DEST, "eth_getBalance", json!([counter])),
        json!(value)
    );
    assert_eq!(
        d.network()
            .state()
            .chain(dest)
            .unwrap()
            .base_balance(counter),
        value
    );
}

/// The bundle hash of the `InteropBundleSent` event in a sending receipt.
fn sent_hash(receipt: &Value) -> B256 {
    let log = receipt["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["topics"][0] == json!(abi::InteropBundleSent::SIGNATURE_HASH))
        .unwrap();
    let data: Bytes = serde_json::from_value(log["data"].clone()).unwrap();
    abi::InteropBundleSent::abi_decode_data(&data).unwrap().1
}

#[test]
fn a_reverting_receiver_fails_the_whole_execution_and_changes_nothing() {
    use flywheel_protocol::chain::INTEROP_HANDLER;
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[5].address;
    let dest = d.chains()[DEST].id;
    let counter = deploy_counter(&mut d, dev);
    // Call 0 would count and store; call 1 (empty payload) reverts: none of it may happen.
    let word = Bytes::from(B256::repeat_byte(0x11).0.to_vec());
    let value = U256::from(99u64);
    let data = bundle_to(dest, counter, &[word, Bytes::new()], value);
    let (sent, bundle, proof) = {
        let tx = ok(
            &mut d,
            SRC,
            "eth_sendTransaction",
            json!([{"from": dev, "to": INTEROP_CENTER, "data": data, "value": value}]),
        );
        let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([tx]));
        assert_eq!(r["status"], json!("0x1"));
        d.settle().unwrap();
        let p = ok(
            &mut d,
            SRC,
            "zks_getL2ToL1LogProof",
            json!([tx, 0, "messageRoot"]),
        );
        let msg = r["logs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["topics"][0] == json!(abi::L1MessageSent::SIGNATURE_HASH))
            .unwrap()
            .clone();
        let log_data: Bytes = serde_json::from_value(msg["data"].clone()).unwrap();
        let message = abi::L1MessageSent::abi_decode_data(&log_data).unwrap().0;
        let id: U256 = serde_json::from_value(p["id"].clone()).unwrap();
        let proof = abi::MessageInclusionProof {
            chainId: U256::from(d.chains()[SRC].id),
            l1BatchNumber: serde_json::from_value(p["batchNumber"].clone()).unwrap(),
            l2MessageIndex: id,
            message: abi::L2Message {
                txNumberInBatch: serde_json::from_value::<U256>(r["transactionIndex"].clone())
                    .unwrap()
                    .to(),
                sender: INTEROP_CENTER,
                data: message.clone(),
            },
            proof: serde_json::from_value(p["proof"].clone()).unwrap(),
        };
        (r, message.slice(1..), proof)
    };
    let hash = sent_hash(&sent);
    // The relayer leaves a failing bundle to clients.
    assert!(d.relay().is_empty());
    let exec = Bytes::from(
        abi::executeBundleCall {
            _bundle: bundle,
            _proof: proof,
        }
        .abi_encode(),
    );
    let call = json!({"from": dev, "to": INTEROP_HANDLER, "data": exec, "gas": "0x200000"});
    // Through the protocol's executeBundle in revm: a revert, and the protocol unchanged.
    let before = d.network().state().clone();
    let e = rpc(&mut d, DEST, "eth_call", json!([call, "latest"])).unwrap_err();
    assert_eq!(e.code, 3);
    // The revert data is Error(string) naming call 1 and the receiver's revert.
    let data: Bytes = serde_json::from_value(e.data.clone().unwrap()).unwrap();
    let reason = abi::Error::abi_decode(&data).unwrap().message;
    assert!(reason.contains("receiveMessage reverted"), "{reason}");
    assert!(reason.contains("call 1"), "{reason}");
    assert_eq!(d.network().state(), &before);
    // As a transaction: it is mined failed; only its gas moved.
    let tx = ok(&mut d, DEST, "eth_sendTransaction", json!([call]));
    let r = ok(&mut d, DEST, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x0"));
    assert!(r["logs"].as_array().unwrap().is_empty());
    for key in 0..4 {
        assert_eq!(slot(&mut d, DEST, counter, key), U256::ZERO);
    }
    assert_eq!(status(&mut d, hash), U256::ZERO);
    let st = d.network().state().chain(dest).unwrap();
    assert_eq!(st.base_balance(counter), U256::ZERO);
    assert_eq!(st.bundle_status(&hash), None);
}

#[test]
fn unbundling_delivers_a_chosen_call_to_a_receiver_contract_in_revm() {
    use flywheel_protocol::chain::INTEROP_HANDLER;
    use flywheel_protocol::interop::bundle::attr;
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[6].address;
    let dest = d.chains()[DEST].id;
    let counter = deploy_counter(&mut d, dev);
    // Call 0 stores a word; call 1 would revert (empty payload). The unbundler runs call 0
    // only and cancels call 1.
    let word = B256::repeat_byte(0x77);
    let mut data = abi::sendBundleCall::abi_decode(&bundle_to(
        dest,
        counter,
        &[Bytes::from(word.0.to_vec()), Bytes::new()],
        U256::ZERO,
    ))
    .unwrap();
    data._bundleAttributes = vec![attr::unbundler_address(&InteropAddress::new(dest, dev))];
    let (_, bundle, proof) = sent_and_proven(&mut d, dev, data.abi_encode().into());
    let hash = flywheel_protocol::interop::bundle::SealedBundle::from_encoded(&bundle)
        .unwrap()
        .hash;
    let verify = Bytes::from(
        abi::verifyBundleCall {
            _bundle: bundle.clone(),
            _proof: proof,
        }
        .abi_encode(),
    );
    let tx = ok(
        &mut d,
        DEST,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_HANDLER, "data": verify}]),
    );
    let r = ok(&mut d, DEST, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x1"));
    // Running both calls fails as a whole: the receiver's revert undoes call 0 as well.
    let both = Bytes::from(
        abi::unbundleBundleCall {
            _bundle: bundle.clone(),
            _callStatus: vec![1, 1],
        }
        .abi_encode(),
    );
    let before = d.network().state().clone();
    let e = rpc(
        &mut d,
        DEST,
        "eth_call",
        json!([{"from": dev, "to": INTEROP_HANDLER, "data": both, "gas": "0x200000"}]),
    )
    .unwrap_err();
    assert_eq!(e.code, 3);
    assert_eq!(d.network().state(), &before);
    // Call 0 executed, call 1 cancelled: the receiver ran once.
    let chosen = Bytes::from(
        abi::unbundleBundleCall {
            _bundle: bundle,
            _callStatus: vec![1, 2],
        }
        .abi_encode(),
    );
    let tx = ok(
        &mut d,
        DEST,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_HANDLER, "data": chosen}]),
    );
    let r = ok(&mut d, DEST, "eth_getTransactionReceipt", json!([tx]));
    assert_eq!(r["status"], json!("0x1"));
    assert_eq!(slot(&mut d, DEST, counter, 0), U256::from(1));
    assert_eq!(slot(&mut d, DEST, counter, 1), U256::from_be_bytes(word.0));
    assert_eq!(status(&mut d, hash), U256::from(3));
    let unbundled = ok(
        &mut d,
        DEST,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "address": INTEROP_HANDLER,
        "topics": [abi::BundleUnbundled::SIGNATURE_HASH, hash]}]),
    );
    assert_eq!(unbundled.as_array().unwrap().len(), 1);
}

/// An ERC-7786 receiver that relays its payload as calldata to `target` (CALL, no value) and
/// returns its own selector; when `strict`, a failed relay reverts the delivery, otherwise
/// it is ignored.
fn relay_runtime(target: Address, strict: bool) -> String {
    let sel =
        alloy_primitives::hex::encode(flywheel_devnet::receiver::abi::receiveMessageCall::SELECTOR);
    // Copy the payload to memory 0: CALLDATACOPY(0, payload + 32, len).
    let mut code = String::from("604435600401803590602001600037");
    // CALL(gas, target, 0, 0, len, 0, 0).
    code += "60006000";
    code += "60443560040135";
    code += "60006000";
    code += &format!("73{}", alloy_primitives::hex::encode(target));
    code += "5af1";
    if strict {
        // JUMPI to ok when the call succeeded, else REVERT(0, 0).
        let ok = code.len() / 2 + 3 + 5;
        code += &format!("60{ok:02x}57");
        code += "60006000fd";
        code += "5b";
    } else {
        code += "50";
    }
    // RETURN the selector, left-aligned in a word.
    code += &format!("63{sel}60e01b60005260206000f3");
    code
}

fn deploy_on(d: &mut Devnet, c: usize, from: Address, runtime: &str) -> Address {
    let h = ok(
        d,
        c,
        "eth_sendTransaction",
        json!([{"from": from, "data": deployable(runtime)}]),
    );
    let r = ok(d, c, "eth_getTransactionReceipt", json!([h]));
    assert_eq!(r["status"], json!("0x1"));
    serde_json::from_value(r["contractAddress"].clone()).unwrap()
}

fn bundles_sent_by(d: &Devnet, c: usize, who: Address) -> u64 {
    let chain = d.chains()[c].id;
    let st = d.network().state().chain(chain).unwrap();
    st.bundle_count.get(&who).copied().unwrap_or(0)
}

/// A → B → C: the bundle's call on B reaches a receiver that calls InteropCenter's
/// `sendBundle` from inside `receiveMessage`; the onward bundle is sent by the receiver in the
/// same execution (its logs in the execution's receipt), relayed, and executed on C.
#[test]
fn a_receiver_sends_onward_from_inside_receive_message() {
    const C: usize = 4; // chain 273
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[5].address;
    let (b_id, c_id) = (d.chains()[DEST].id, d.chains()[C].id);
    let counter = deploy_on(&mut d, C, dev, &counter_runtime());
    let relay = deploy_on(&mut d, DEST, dev, &relay_runtime(INTEROP_CENTER, true));
    let word = Bytes::from(B256::repeat_byte(0x3c).0.to_vec());
    let onward = bundle_to(c_id, counter, &[word], U256::ZERO);
    let first = bundle_to(b_id, relay, &[onward], U256::ZERO);
    ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_CENTER, "data": first}]),
    );
    d.settle().unwrap();
    let on_b = d.relay();
    assert_eq!(on_b.len(), 1, "the first hop executes on B");
    let r = ok(&mut d, DEST, "eth_getTransactionReceipt", json!([on_b[0]]));
    assert_eq!(r["status"], json!("0x1"));
    let topics: Vec<Value> = r["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["topics"][0].clone())
        .collect();
    for t in [
        abi::L1MessageSent::SIGNATURE_HASH,
        abi::InteropBundleSent::SIGNATURE_HASH,
        abi::BundleExecuted::SIGNATURE_HASH,
    ] {
        assert!(topics.contains(&json!(t)), "{t} in {topics:?}");
    }
    assert_eq!(bundles_sent_by(&d, DEST, relay), 1);
    // The onward bundle is proven from B's receipt like any other, and executes on C.
    let p = ok(
        &mut d,
        DEST,
        "zks_getL2ToL1LogProof",
        json!([on_b[0], 0, "messageRoot"]),
    );
    assert!(p.is_null(), "not before B's batch settles");
    d.settle().unwrap();
    let on_c = d.relay();
    assert_eq!(on_c.len(), 1, "the second hop executes on C");
    let r = ok(&mut d, C, "eth_getTransactionReceipt", json!([on_c[0]]));
    assert_eq!(r["status"], json!("0x1"));
    assert_eq!(slot(&mut d, C, counter, 0), U256::from(1));
    assert_eq!(
        slot(&mut d, C, counter, 1),
        U256::from_be_bytes(B256::repeat_byte(0x3c).0)
    );
    let p = ok(
        &mut d,
        DEST,
        "zks_getL2ToL1LogProof",
        json!([on_b[0], 0, "messageRoot"]),
    );
    assert!(!p.is_null());
}

/// Inside `receiveMessage`, a frame that sends and then reverts leaves no trace (the rest of
/// the delivery goes on), and a delivery that reverts after a send fails the whole execution.
#[test]
fn a_send_from_inside_receive_message_reverts_with_its_frame() {
    const C: usize = 4;
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = d.accounts()[8].address;
    let (b_id, c_id) = (d.chains()[DEST].id, d.chains()[C].id);
    let onward = bundle_to(
        c_id,
        Address::repeat_byte(0x77),
        &[Bytes::new()],
        U256::ZERO,
    );
    // On B: a helper that sends and reverts, a relay that ignores its failure, and a strict
    // relay through the same helper.
    let helper = deploy_on(&mut d, DEST, dev, &forwarder("60006000fd"));
    let lenient = deploy_on(&mut d, DEST, dev, &relay_runtime(helper, false));
    let strict = deploy_on(&mut d, DEST, dev, &relay_runtime(helper, true));
    let outbox = |d: &Devnet| {
        let st = d.network().state();
        st.chain(b_id).unwrap().outbox.len()
    };
    let before = outbox(&d);
    for target in [lenient, strict] {
        let data = bundle_to(b_id, target, std::slice::from_ref(&onward), U256::ZERO);
        ok(
            &mut d,
            SRC,
            "eth_sendTransaction",
            json!([{"from": dev, "to": INTEROP_CENTER, "data": data}]),
        );
    }
    d.settle().unwrap();
    let done = d.relay();
    assert_eq!(done.len(), 1, "only the lenient relay's bundle executes");
    let r = ok(&mut d, DEST, "eth_getTransactionReceipt", json!([done[0]]));
    assert_eq!(r["status"], json!("0x1"));
    assert!(r["logs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["topics"][0] != json!(abi::InteropBundleSent::SIGNATURE_HASH)));
    assert_eq!(bundles_sent_by(&d, DEST, helper), 0);
    assert_eq!(outbox(&d), before, "the reverted frame's send vanished");
    // The strict relay's bundle stays unexecuted: its execution would revert.
    let chain = d.chains()[DEST].id;
    let st = d.network().state().chain(chain).unwrap();
    assert_eq!(st.bundle_status.len(), 1);
    // A helper that does not revert sends, with itself as the sender.
    let keeper = deploy_on(&mut d, DEST, dev, &forwarder("5000"));
    let relay = deploy_on(&mut d, DEST, dev, &relay_runtime(keeper, true));
    let data = bundle_to(b_id, relay, &[onward], U256::ZERO);
    ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_CENTER, "data": data}]),
    );
    d.settle().unwrap();
    assert_eq!(d.relay().len(), 1);
    assert_eq!(bundles_sent_by(&d, DEST, keeper), 1);
    assert_eq!(outbox(&d), before + 1);
}
