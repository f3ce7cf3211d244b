//! The devnet's mirror of the protocol's balance changes into revm, under random mixes of
//! plain transfers, `sendBundle`s paying the base-token interop fee (from EOAs and from
//! contracts, one frame reverting), refused sends, settlement with relayed executions, a
//! client's failing execution and the coinbase's fee claims.
//!
//! revm reads balances from the protocol and, after a transaction, its balance changes go
//! back to the protocol as transfers, with whatever value vanished in revm (the burned base
//! fee) credited to the coinbase. So a system call's balance change that revm was not told of
//! would surface there: a missed credit as extra value at the coinbase, a missed debit as a
//! commit that does not balance (an internal error). The properties: after every step, on
//! every chain, the coinbase gained exactly the gas its senders paid, and each transaction was
//! accepted; a contract reading the InteropCenter's balance right after its send reads the
//! protocol's. A refused request changes neither the protocol nor the chain.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::SolCall;
use flywheel_devnet::accounts::admin;
use flywheel_devnet::config::Layout;
use flywheel_devnet::system::abi;
use flywheel_devnet::Devnet;
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
use flywheel_protocol::event::Event;
use flywheel_protocol::interop::bundle::interopCallValueCall;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{json, Value};
use std::sync::OnceLock;

mod common;
use common::{counter_runtime, deployable, ok, rpc};

const L1: usize = 0;
const SRC: usize = 2; // chain 271
const DEST: usize = 3; // chain 272
/// The base-token interop fee per call set on SRC, so sends move a fee to the InteropCenter.
const FEE: u64 = 3;

/// Forwards its calldata and its call's value to the InteropCenter, then: `tail`.
fn forwarder(tail: &str) -> String {
    format!("36600060003760006000366000346201000d5af1{tail}")
}

/// A `sendBundle` to `to` on DEST with one call carrying `value` and `payload`.
fn bundle_to(dest: u64, to: Address, payloads: &[Bytes], value: u64) -> Bytes {
    abi::sendBundleCall {
        _destinationChainId: InteropAddress::chain_only(dest).encode(),
        _callStarters: payloads
            .iter()
            .enumerate()
            .map(|(i, p)| abi::InteropCallStarter {
                to: InteropAddress::address_only(to).encode(),
                data: p.clone(),
                callAttributes: if i == 0 && value > 0 {
                    vec![interopCallValueCall {
                        value: U256::from(value),
                    }
                    .abi_encode()
                    .into()]
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

/// The devnet every case starts from: a base-token interop fee on SRC (set in the restored
/// log, as the operator would), a receiver on DEST, a forwarding contract and a reverting one
/// on SRC.
struct Base {
    d: Devnet,
    counter: Address,
    keeper: Address,
    reverter: Address,
    /// Forwards, then stores the InteropCenter's balance as revm sees it in slot 0.
    probe: Address,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let d = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
        let mut saved = d.saved();
        saved.log.push(Event::InteropProtocolFeeSet {
            chain: d.chains()[SRC].id,
            fee: U256::from(FEE),
        });
        let mut d = Devnet::restore(saved).unwrap();
        let dev = d.accounts()[9].address;
        let mut deploy = |c: usize, runtime: &str| -> Address {
            let h = ok(
                &mut d,
                c,
                "eth_sendTransaction",
                json!([{"from": dev, "data": deployable(runtime)}]),
            );
            let r = ok(&mut d, c, "eth_getTransactionReceipt", json!([h]));
            assert_eq!(r["status"], json!("0x1"));
            serde_json::from_value(r["contractAddress"].clone()).unwrap()
        };
        let counter = deploy(DEST, &counter_runtime());
        let keeper = deploy(SRC, &forwarder("5000"));
        let reverter = deploy(SRC, &forwarder("60006000fd"));
        let probe = deploy(SRC, &forwarder("506201000d3160005500"));
        // The protocol pays a system call from the caller's balance before the transaction's
        // own value moves are committed: the contracts hold some of their own.
        for to in [keeper, probe] {
            let h = ok(
                &mut d,
                SRC,
                "eth_sendTransaction",
                json!([{"from": dev, "to": to, "value": "0xde0b6b3a7640000"}]),
            );
            let r = ok(&mut d, SRC, "eth_getTransactionReceipt", json!([h]));
            assert_eq!(r["status"], json!("0x1"));
        }
        Base {
            d,
            counter,
            keeper,
            reverter,
            probe,
        }
    })
}

#[derive(Debug, Clone)]
enum Op {
    /// A plain value transfer on an L2 or L1.
    Transfer {
        chain: usize,
        from: usize,
        to: u8,
        amount: u64,
    },
    /// A send paying the fee, with value to an EOA or to the receiver contract.
    Send {
        from: usize,
        value: u64,
        to_counter: bool,
    },
    /// The same through a contract that keeps going (0), one whose frame reverts after it
    /// (1), or one that then reads the InteropCenter's balance in revm (2).
    SendVia { from: usize, value: u64, via: u8 },
    /// A send to L1 (refused by the InteropCenter), mined as a revert.
    SendRefused { from: usize },
    /// Settlement and the relayer's executions.
    SettleAndRelay,
    /// A bundle whose delivery reverts, settled and executed by a client: mined reverted.
    FailingExecution { from: usize },
    /// The coinbase claims the base-token fees accrued on SRC.
    Claim { to: u8 },
    /// A transfer beyond the sender's balance: refused before it is mined.
    Overspend { from: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let from = 0usize..4;
    prop_oneof![
        3 => (prop_oneof![Just(L1), Just(SRC), Just(DEST)], from.clone(), 0u8..4, 1u64..1_000_000)
            .prop_map(|(chain, from, to, amount)| Op::Transfer { chain, from, to, amount }),
        4 => (from.clone(), 0u64..10_000, any::<bool>())
            .prop_map(|(from, value, to_counter)| Op::Send { from, value, to_counter }),
        3 => (from.clone(), 0u64..10_000, 0u8..3)
            .prop_map(|(from, value, via)| Op::SendVia { from, value, via }),
        1 => from.clone().prop_map(|from| Op::SendRefused { from }),
        3 => Just(Op::SettleAndRelay),
        1 => from.clone().prop_map(|from| Op::FailingExecution { from }),
        2 => (0u8..4).prop_map(|to| Op::Claim { to }),
        1 => from.prop_map(|from| Op::Overspend { from }),
    ]
}

fn payee(i: u8) -> Address {
    Address::repeat_byte(0x60 + i)
}

/// Each chain's head block number and its coinbase's base-token balance.
fn heads(d: &mut Devnet) -> Vec<(u64, U256)> {
    (0..d.chains().len())
        .map(|c| {
            let id = d.chains()[c].id;
            let head: U256 =
                serde_json::from_value(ok(d, c, "eth_blockNumber", json!([]))).unwrap();
            let chain = d.network().state().chain(id).unwrap();
            (head.to(), chain.base_balance(chain.config.operator))
        })
        .collect()
}

/// The gas fees paid to chain `c`'s coinbase by the transactions of blocks `from..=to` (its
/// own transactions pay itself).
fn fees_paid(d: &mut Devnet, c: usize, from: u64, to: u64) -> U256 {
    let id = d.chains()[c].id;
    let coinbase = d.network().state().chain(id).unwrap().config.operator;
    let mut total = U256::ZERO;
    for n in from..=to {
        let block = ok(d, c, "eth_getBlockByNumber", json!([U256::from(n), true]));
        for tx in block["transactions"].as_array().unwrap() {
            let sender: Address = serde_json::from_value(tx["from"].clone()).unwrap();
            if sender == coinbase {
                continue;
            }
            let r = ok(d, c, "eth_getTransactionReceipt", json!([tx["hash"]]));
            let gas: U256 = serde_json::from_value(r["gasUsed"].clone()).unwrap();
            let price: U256 = serde_json::from_value(r["effectiveGasPrice"].clone()).unwrap();
            total += gas * price;
        }
    }
    total
}

fn send(d: &mut Devnet, c: usize, tx: Value) -> Value {
    let h = ok(d, c, "eth_sendTransaction", json!([tx]));
    ok(d, c, "eth_getTransactionReceipt", json!([h]))
}

fn admin_tx(d: &mut Devnet, c: usize, to: Address, input: Bytes) {
    let admin = admin().unwrap();
    let nonce: U256 = serde_json::from_value(ok(
        d,
        c,
        "eth_getTransactionCount",
        json!([admin.address, "latest"]),
    ))
    .unwrap();
    let price: U256 = serde_json::from_value(ok(d, c, "eth_gasPrice", json!([]))).unwrap();
    let tx = TxEip1559 {
        chain_id: d.chains()[c].id,
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
    d.submit(c, TxEnvelope::from(tx.into_signed(sig))).unwrap();
}

/// Applies one operation; checks on the way that refusals change nothing.
fn step(b: &Base, d: &mut Devnet, op: &Op) {
    let dev: Vec<Address> = d.accounts().iter().map(|a| a.address).collect();
    let dest = d.chains()[DEST].id;
    match *op {
        Op::Transfer {
            chain,
            from,
            to,
            amount,
        } => {
            let r = send(
                d,
                chain,
                json!({"from": dev[from], "to": payee(to), "value": U256::from(amount)}),
            );
            assert_eq!(r["status"], json!("0x1"));
        }
        Op::Send {
            from,
            value,
            to_counter,
        } => {
            let (to, payload) = if to_counter {
                (b.counter, Bytes::from(B256::repeat_byte(0x5a).0.to_vec()))
            } else {
                (payee(0), Bytes::new())
            };
            let r = send(
                d,
                SRC,
                json!({"from": dev[from], "to": INTEROP_CENTER, "value": U256::from(value + FEE),
                    "data": bundle_to(dest, to, &[payload], value)}),
            );
            assert_eq!(r["status"], json!("0x1"));
        }
        Op::SendVia { from, value, via } => {
            let to = [b.keeper, b.reverter, b.probe][usize::from(via)];
            let r = send(
                d,
                SRC,
                json!({"from": dev[from], "to": to, "value": U256::from(value + FEE), "gas": "0x100000",
                    "data": bundle_to(dest, payee(1), &[Bytes::new()], value)}),
            );
            assert_eq!(r["status"], json!(if via == 1 { "0x0" } else { "0x1" }));
            if via == 2 {
                // What revm held for the InteropCenter right after the send: the protocol's.
                let seen: U256 = serde_json::from_value(ok(
                    d,
                    SRC,
                    "eth_getStorageAt",
                    json!([b.probe, "0x0", "latest"]),
                ))
                .unwrap();
                let id = d.chains()[SRC].id;
                let center = d
                    .network()
                    .state()
                    .chain(id)
                    .unwrap()
                    .base_balance(INTEROP_CENTER);
                assert_eq!(seen, center, "revm's InteropCenter balance after the send");
            }
        }
        Op::SendRefused { from } => {
            let l1 = d.chains()[L1].id;
            let call = json!({"from": dev[from], "to": INTEROP_CENTER, "value": U256::from(FEE), "gas": "0x100000",
                "data": bundle_to(l1, payee(2), &[Bytes::new()], 0)});
            let before = d.network().state().clone();
            assert!(rpc(d, SRC, "eth_call", json!([call, "latest"])).is_err());
            assert_eq!(
                d.network().state(),
                &before,
                "a refused call changes nothing"
            );
            let r = send(d, SRC, call);
            assert_eq!(r["status"], json!("0x0"));
        }
        Op::SettleAndRelay => {
            d.settle().unwrap();
            d.relay();
        }
        Op::FailingExecution { from } => {
            let payloads = [Bytes::from(B256::repeat_byte(1).0.to_vec()), Bytes::new()];
            let sent = send(
                d,
                SRC,
                json!({"from": dev[from], "to": INTEROP_CENTER, "value": U256::from(5 + 2 * FEE),
                    "data": bundle_to(dest, b.counter, &payloads, 5)}),
            );
            assert_eq!(sent["status"], json!("0x1"));
            d.settle().unwrap();
            let tx = sent["transactionHash"].clone();
            let p = ok(
                d,
                SRC,
                "zks_getL2ToL1LogProof",
                json!([tx, 0, "messageRoot"]),
            );
            let msg = sent["logs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| {
                    l["topics"][0]
                        == json!(<abi::L1MessageSent as alloy_sol_types::SolEvent>::SIGNATURE_HASH)
                })
                .unwrap();
            let data: Bytes = serde_json::from_value(msg["data"].clone()).unwrap();
            let message = <abi::L1MessageSent as alloy_sol_types::SolEvent>::abi_decode_data(&data)
                .unwrap()
                .0;
            let proof = abi::MessageInclusionProof {
                chainId: U256::from(d.chains()[SRC].id),
                l1BatchNumber: serde_json::from_value(p["batchNumber"].clone()).unwrap(),
                l2MessageIndex: serde_json::from_value(p["id"].clone()).unwrap(),
                message: abi::L2Message {
                    txNumberInBatch: serde_json::from_value::<U256>(
                        sent["transactionIndex"].clone(),
                    )
                    .unwrap()
                    .to(),
                    sender: INTEROP_CENTER,
                    data: message.clone(),
                },
                proof: serde_json::from_value(p["proof"].clone()).unwrap(),
            };
            let exec = Bytes::from(
                abi::executeBundleCall {
                    _bundle: message.slice(1..),
                    _proof: proof,
                }
                .abi_encode(),
            );
            let r = send(
                d,
                DEST,
                json!({"from": dev[from], "to": INTEROP_HANDLER, "data": exec, "gas": "0x200000"}),
            );
            assert_eq!(r["status"], json!("0x0"));
        }
        Op::Claim { to } => {
            let data = abi::claimProtocolFeesCall {
                _receiver: payee(to),
            }
            .abi_encode();
            admin_tx(d, SRC, INTEROP_CENTER, data.into());
        }
        Op::Overspend { from } => {
            let before = d.network().state().clone();
            let head = ok(d, SRC, "eth_blockNumber", json!([]));
            let too_much = U256::from(1u8) << 255;
            let r = rpc(
                d,
                SRC,
                "eth_sendTransaction",
                json!([{"from": dev[from], "to": payee(3), "value": too_much}]),
            );
            assert!(r.is_err());
            assert_eq!(
                d.network().state(),
                &before,
                "a refused transaction changes nothing"
            );
            assert_eq!(ok(d, SRC, "eth_blockNumber", json!([])), head);
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

proptest! {
    // Failures persist next to this file (tests/balance_mirror.proptest-regressions).
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::with_cases(cases())
    })]

    #[test]
    fn every_system_call_s_balance_change_reaches_revm(
        ops in proptest::collection::vec(op(), 1..10)
    ) {
        let b = base();
        let mut d = b.d.clone();
        for (i, op) in ops.iter().enumerate() {
            let before = heads(&mut d);
            step(b, &mut d, op);
            let after = heads(&mut d);
            for (c, ((h0, cb0), (h1, cb1))) in before.iter().zip(&after).enumerate() {
                let paid = fees_paid(&mut d, c, h0 + 1, *h1);
                prop_assert_eq!(*cb1, *cb0 + paid, "step {} {:?}: chain {}'s coinbase", i, op, c);
            }
        }
    }
}

/// The fee path on its own: a send moves the fee from the sender to the InteropCenter, the
/// coinbase's claim moves it on to the receiver, and the coinbase gains only gas throughout.
#[test]
fn the_base_token_fee_and_its_claim_land_where_the_protocol_says() {
    let b = base();
    let mut d = b.d.clone();
    let id = d.chains()[SRC].id;
    let balance =
        |d: &Devnet, who: Address| d.network().state().chain(id).unwrap().base_balance(who);
    let (center, receiver) = (balance(&d, INTEROP_CENTER), balance(&d, payee(2)));
    let before = heads(&mut d);
    step(
        b,
        &mut d,
        &Op::Send {
            from: 0,
            value: 10,
            to_counter: false,
        },
    );
    assert_eq!(balance(&d, INTEROP_CENTER), center + U256::from(FEE));
    step(b, &mut d, &Op::Claim { to: 2 });
    assert_eq!(balance(&d, INTEROP_CENTER), center);
    assert_eq!(balance(&d, payee(2)), receiver + U256::from(FEE));
    let after = heads(&mut d);
    let paid = fees_paid(&mut d, SRC, before[SRC].0 + 1, after[SRC].0);
    assert_eq!(after[SRC].1, before[SRC].1 + paid);
}
