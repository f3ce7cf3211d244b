//! The official SDK's finalization flow, step by step (zksync-js@a5f6505:
//! src/core/resources/interop/finalization.ts and src/adapters/viem/resources/interop/services/
//! finalization/{polling,bundle}.ts), against the devnet's JSON-RPC: the proof a client
//! assembles that way executes the bundle, including when the sending transaction is not the
//! first of its block and its message not the first of its batch.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
use flywheel_devnet::config::Layout;
use flywheel_devnet::rpc::RpcError;
use flywheel_devnet::system::{abi, INTEROP_ROOT_STORAGE};
use flywheel_devnet::Devnet;
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER, L1_MESSENGER};
use serde_json::{json, Value};

mod common;
use common::{ok, rpc};
use flywheel_devnet::system::plain_bundle_calldata as plain_bundle;

const GATEWAY: usize = 1;
const SRC: usize = 2; // chain 271
const DEST: usize = 3; // chain 272

fn num(v: &Value) -> U256 {
    serde_json::from_value(v.clone()).unwrap()
}

fn same_address(v: &Value, a: Address) -> bool {
    v.as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case(&format!("{a:#x}")))
}

/// What `waitForFinalization` returns: the bundle hash, `encodedData` and the proof.
struct Finalization {
    bundle_hash: B256,
    encoded: Bytes,
    proof: abi::MessageInclusionProof,
}

/// `waitForFinalization` (polling.ts) for a source transaction, without the waiting: the
/// receipt parsed by `parseBundleReceiptInfo`, the `finalized` block check, the proof, the
/// destination's interop root, and `buildFinalizationInfo`.
fn finalization_info(d: &mut Devnet, tx: &Value) -> Finalization {
    let receipt = ok(d, SRC, "eth_getTransactionReceipt", json!([tx]));
    // parseBundleReceiptInfo: count messenger logs up to the InteropBundleSent.
    let mut log_index: i64 = -1;
    let mut message: Option<Bytes> = None;
    let mut found = None;
    for log in receipt["logs"].as_array().unwrap() {
        if same_address(&log["address"], L1_MESSENGER)
            && log["topics"][0] == json!(abi::L1MessageSent::SIGNATURE_HASH)
        {
            log_index += 1;
            let data: Bytes = serde_json::from_value(log["data"].clone()).unwrap();
            message = Some(abi::L1MessageSent::abi_decode_data(&data).unwrap().0);
            continue;
        }
        if !same_address(&log["address"], INTEROP_CENTER)
            || log["topics"][0] != json!(abi::InteropBundleSent::SIGNATURE_HASH)
        {
            continue;
        }
        let data: Bytes = serde_json::from_value(log["data"].clone()).unwrap();
        let (_, hash, bundle) = abi::InteropBundleSent::abi_decode_data(&data).unwrap();
        found = Some((hash, bundle.sourceChainId));
        break;
    }
    let (bundle_hash, source_chain) = found.expect("InteropBundleSent in the receipt");
    let message = message.expect("an L1MessageSent before it");
    let tx_number: u16 = num(&receipt["transactionIndex"]).to();
    // waitForProof: the finalized block has reached the receipt's block.
    let fin = ok(d, SRC, "eth_getBlockByNumber", json!(["finalized", false]));
    assert!(num(&fin["number"]) >= num(&receipt["blockNumber"]));
    let p = ok(
        d,
        SRC,
        "zks_getL2ToL1LogProof",
        json!([tx, log_index, "messageRoot"]),
    );
    assert!(!p.is_null(), "proof not ready");
    // waitForRoot: interopRoots(gateway chain id, gatewayBlockNumber) on the destination.
    let gw: U256 = num(&ok(d, GATEWAY, "eth_chainId", json!([])));
    let q = abi::interopRootsCall {
        chainId: gw,
        blockOrBatchNumber: num(&p["gatewayBlockNumber"]),
    }
    .abi_encode();
    let root = ok(
        d,
        DEST,
        "eth_call",
        json!([{"to": INTEROP_ROOT_STORAGE, "data": Bytes::from(q)}]),
    );
    assert_ne!(root, json!(B256::ZERO));
    // buildFinalizationInfo.
    assert_eq!(message[0], 0x01, "BUNDLE_IDENTIFIER");
    Finalization {
        bundle_hash,
        encoded: message.slice(1..),
        proof: abi::MessageInclusionProof {
            chainId: source_chain,
            l1BatchNumber: num(&p["batchNumber"]),
            l2MessageIndex: num(&p["id"]),
            message: abi::L2Message {
                txNumberInBatch: tx_number,
                sender: INTEROP_CENTER,
                data: message,
            },
            proof: serde_json::from_value(p["proof"].clone()).unwrap(),
        },
    }
}

/// bundle.ts `getBundleStatus`: the handler's logs filtered by bundle hash in topic 1.
fn phase(d: &mut Devnet, hash: B256) -> &'static str {
    let logs = ok(
        d,
        DEST,
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "toBlock": "latest", "address": INTEROP_HANDLER,
                "topics": [null, hash]}]),
    );
    let topics: Vec<Value> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["topics"][0].clone())
        .collect();
    let has = |t: B256| topics.contains(&json!(t));
    if has(abi::BundleUnbundled::SIGNATURE_HASH) {
        "UNBUNDLED"
    } else if has(abi::BundleExecuted::SIGNATURE_HASH) {
        "EXECUTED"
    } else if has(abi::BundleVerified::SIGNATURE_HASH) {
        "VERIFIED"
    } else {
        "SENT"
    }
}

fn execute(d: &mut Devnet, from: Address, f: &Finalization) -> Result<Value, RpcError> {
    let data = abi::executeBundleCall {
        _bundle: f.encoded.clone(),
        _proof: f.proof.clone(),
    }
    .abi_encode();
    rpc(
        d,
        DEST,
        "eth_sendTransaction",
        json!([{"from": from, "to": INTEROP_HANDLER, "data": Bytes::from(data)}]),
    )
}

#[test]
fn the_sdk_flow_executes_bundles_sent_later_in_a_block_and_a_batch() {
    let mut d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    d.set_automine(false);
    let devs: Vec<Address> = d.accounts().iter().map(|a| a.address).collect();
    let dest = d.chains()[DEST].id;
    // One block: a plain transfer, then two sends. The sends are transactions 1 and 2 of
    // the block, and messages 0 and 1 of the batch.
    ok(
        &mut d,
        SRC,
        "eth_sendTransaction",
        json!([{"from": devs[0], "to": devs[1], "value": "0x1"}]),
    );
    let mut txs = Vec::new();
    for (i, who) in [devs[2], devs[3]].into_iter().enumerate() {
        let data = plain_bundle(dest, Address::repeat_byte(0x50 + i as u8), vec![]);
        txs.push(ok(
            &mut d,
            SRC,
            "eth_sendTransaction",
            json!([{"from": who, "to": INTEROP_CENTER, "data": data}]),
        ));
    }
    ok(&mut d, SRC, "evm_mine", json!([]));
    d.settle().unwrap();
    let infos: Vec<Finalization> = txs.iter().map(|t| finalization_info(&mut d, t)).collect();
    for (i, f) in infos.iter().enumerate() {
        // transactionIndex and the message index differ: the leaf carries the former.
        assert_eq!(f.proof.message.txNumberInBatch, i as u16 + 1);
        assert_eq!(f.proof.l2MessageIndex, U256::from(i));
    }
    // A proof built with the message index as txNumberInBatch (the leaf numbering before)
    // names another leaf and is refused, changing nothing.
    let wrong = Finalization {
        bundle_hash: infos[1].bundle_hash,
        encoded: infos[1].encoded.clone(),
        proof: abi::MessageInclusionProof {
            message: abi::L2Message {
                txNumberInBatch: 1,
                ..infos[1].proof.message.clone()
            },
            ..infos[1].proof.clone()
        },
    };
    let before = d.network().state().clone();
    let e = rpc(
        &mut d,
        DEST,
        "eth_estimateGas",
        json!([{"from": devs[4], "to": INTEROP_HANDLER, "data": Bytes::from(
            abi::executeBundleCall { _bundle: wrong.encoded.clone(), _proof: wrong.proof.clone() }
                .abi_encode())}]),
    );
    assert!(e.is_err(), "{e:?}");
    assert_eq!(d.network().state(), &before);
    // The SDK's way executes both, in any order; status comes from the handler's logs.
    d.set_automine(true);
    for f in infos.iter().rev() {
        assert_eq!(phase(&mut d, f.bundle_hash), "SENT");
        let tx = execute(&mut d, devs[4], f).unwrap();
        let r = ok(&mut d, DEST, "eth_getTransactionReceipt", json!([tx]));
        assert_eq!(r["status"], json!("0x1"));
        assert_eq!(phase(&mut d, f.bundle_hash), "EXECUTED");
    }
    // The receipt's logs are in the contract's order: the messenger's message, one ERC-7786
    // MessageSent per call, then InteropBundleSent.
    let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([txs[0]]));
    let topics: Vec<Value> = r["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["topics"][0].clone())
        .collect();
    assert_eq!(
        topics,
        vec![
            json!(abi::L1MessageSent::SIGNATURE_HASH),
            json!(abi::MessageSent::SIGNATURE_HASH),
            json!(abi::InteropBundleSent::SIGNATURE_HASH),
        ]
    );
    // MessageSent: send id keccak(bundleHash ‖ 0), ERC-7930 sender and recipient.
    let sent = &r["logs"][1];
    let send_id =
        alloy_primitives::keccak256((infos[0].bundle_hash, U256::ZERO).abi_encode_packed());
    assert_eq!(sent["topics"][1], json!(send_id));
    let data: Bytes = serde_json::from_value(sent["data"].clone()).unwrap();
    let m = abi::MessageSent::abi_decode_data(&data).unwrap();
    assert_eq!(
        m.0,
        InteropAddress::new(d.chains()[SRC].id, devs[2]).encode()
    );
    assert_eq!(
        m.1,
        InteropAddress::new(dest, Address::repeat_byte(0x50)).encode()
    );
}
