//! The L1 side and the bridge over JSON-RPC, step by step as the official SDK takes them
//! (zksync-js@a5f6505: `src/adapters/viem/client.ts` `ensureAddresses` and
//! `getProtocolVersion`, `resources/tokens/tokens.ts` `resolve`,
//! `resources/deposits/routes/eth.ts` and `services/verification.ts`,
//! `resources/withdrawals/routes/eth.ts` and `services/finalization.ts`): an ETH deposit
//! locked on L1 and executed on L2 under the hash the L1 receipt names, a withdrawal proven
//! once its batch settles and released on L1 exactly once.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::{b256, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use flywheel_devnet::config::Layout;
use flywheel_devnet::Devnet;
use flywheel_protocol::bridge::abi::{
    self as b, IBridgehub, IChainTypeManager, IL1AssetRouter, IL1Nullifier, IL2BaseToken,
    INativeTokenVault,
};
use flywheel_protocol::chain::NATIVE_TOKEN_VAULT;
use serde_json::{json, Value};

mod common;
use common::{l1_message, ok, rpc};

const L1: usize = 0;
const L2: usize = 2; // chain 271, ETH-based
const L2_ID: u64 = 271;
const BASE_TOKEN: Address = alloy_primitives::address!("000000000000000000000000000000000000800a");
const ETH_ADDRESS: Address = alloy_primitives::address!("0000000000000000000000000000000000000001");
/// zksync-js `TOPIC_CANONICAL_ASSIGNED` (src/core/constants.ts): the topic the SDK falls back
/// on to find the L2 transaction hash (its topic 2) in an L1 deposit receipt.
const TOPIC_CANONICAL_ASSIGNED: B256 =
    b256!("779f441679936c5441b671969f37400b8c3ed0071cb47444431bf985754560df");

fn devnet() -> Devnet {
    Devnet::new(Layout::default(), 1_700_000_000).unwrap()
}

fn dev(d: &Devnet, i: usize) -> Address {
    d.accounts()[i].address
}

fn call(d: &mut Devnet, c: usize, to: Address, data: Vec<u8>) -> Result<Bytes, Value> {
    rpc(
        d,
        c,
        "eth_call",
        json!([{ "to": to, "data": Bytes::from(data) }, "latest"]),
    )
    .map(|v| serde_json::from_value(v).unwrap())
    .map_err(|e| json!({ "code": e.code, "message": e.message, "data": e.data }))
}

fn read<C: SolCall>(d: &mut Devnet, c: usize, to: Address, x: C) -> C::Return {
    let out = call(d, c, to, x.abi_encode()).unwrap();
    C::abi_decode_returns(&out).unwrap()
}

fn balance(d: &mut Devnet, c: usize, who: Address) -> U256 {
    serde_json::from_value(ok(d, c, "eth_getBalance", json!([who, "latest"]))).unwrap()
}

/// Sends a dev account's transaction and returns its receipt.
fn send(d: &mut Devnet, c: usize, from: Address, to: Address, data: Vec<u8>, value: U256) -> Value {
    let tx = json!({ "from": from, "to": to, "data": Bytes::from(data), "value": value });
    let h = ok(d, c, "eth_sendTransaction", json!([tx]));
    ok(d, c, "eth_getTransactionReceipt", json!([h]))
}

fn gas_cost(r: &Value) -> U256 {
    let n = |k: &str| -> U256 { serde_json::from_value(r[k].clone()).unwrap() };
    n("gasUsed") * n("effectiveGasPrice")
}

/// `ensureAddresses`: the Bridgehub from the L2, the rest from L1 getters.
fn addresses(d: &mut Devnet) -> (Address, Address, Address, Address) {
    let hub: Address =
        serde_json::from_value(ok(d, L2, "zks_getBridgehubContract", json!([]))).unwrap();
    let router = read(d, L1, hub, IBridgehub::assetRouterCall {});
    let nullifier = read(d, L1, router, IL1AssetRouter::L1_NULLIFIERCall {});
    let vault = read(d, L1, nullifier, IL1Nullifier::l1NativeTokenVaultCall {});
    (hub, router, nullifier, vault)
}

#[test]
fn the_sdk_finds_the_l1_contracts_and_a_v31_chain_type_manager() {
    let mut d = devnet();
    let (hub, router, nullifier, vault) = addresses(&mut d);
    let all = [hub, router, nullifier, vault];
    for (i, a) in all.iter().enumerate() {
        assert_ne!(*a, Address::ZERO);
        assert!(all[i + 1..].iter().all(|o| o != a), "distinct contracts");
    }
    assert_eq!(
        read(&mut d, L1, router, IL1AssetRouter::nativeTokenVaultCall {}),
        vault
    );
    // getProtocolVersion: chainTypeManager(chainId) → getSemverProtocolVersion, minor ≥ 31.
    let ctm = read(
        &mut d,
        L1,
        hub,
        IBridgehub::chainTypeManagerCall {
            _chainId: U256::from(L2_ID),
        },
    );
    assert_ne!(ctm, Address::ZERO);
    let v = read(
        &mut d,
        L1,
        ctm,
        IChainTypeManager::getSemverProtocolVersionCall {},
    );
    assert_eq!((v._0, v._1), (0, 31));
    // An unregistered chain has none (the SDK's "No registered chain type manager").
    let none = read(
        &mut d,
        L1,
        hub,
        IBridgehub::chainTypeManagerCall {
            _chainId: U256::from(999u64),
        },
    );
    assert_eq!(none, Address::ZERO);
    // tokens.resolve(ETH): the base token is ETH, its asset id the one the SDK computes from
    // the L2 vault's L1_CHAIN_ID (isChainEthBased).
    assert_eq!(
        read(
            &mut d,
            L1,
            hub,
            IBridgehub::baseTokenCall {
                _chainId: U256::from(L2_ID)
            }
        ),
        ETH_ADDRESS
    );
    let l1_id = read(
        &mut d,
        L2,
        NATIVE_TOKEN_VAULT,
        INativeTokenVault::L1_CHAIN_IDCall {},
    );
    let computed = keccak256((l1_id, NATIVE_TOKEN_VAULT, ETH_ADDRESS).abi_encode());
    let base = read(
        &mut d,
        L2,
        NATIVE_TOKEN_VAULT,
        INativeTokenVault::BASE_TOKEN_ASSET_IDCall {},
    );
    assert_eq!(
        base, computed,
        "the chain is ETH-based as the SDK checks it"
    );
    assert_eq!(
        read(
            &mut d,
            L1,
            vault,
            INativeTokenVault::assetIdCall { token: ETH_ADDRESS }
        ),
        computed
    );
    assert_eq!(
        read(
            &mut d,
            L2,
            NATIVE_TOKEN_VAULT,
            INativeTokenVault::originChainIdCall { assetId: computed }
        ),
        l1_id
    );
    assert_eq!(
        read(
            &mut d,
            L1,
            vault,
            INativeTokenVault::tokenAddressCall { assetId: computed }
        ),
        ETH_ADDRESS
    );
    assert_eq!(
        read(
            &mut d,
            L2,
            NATIVE_TOKEN_VAULT,
            INativeTokenVault::tokenAddressCall { assetId: computed }
        ),
        BASE_TOKEN
    );
    // The diamond the Bridgehub names answers its chain id.
    let zk = read(
        &mut d,
        L1,
        hub,
        IBridgehub::getZKChainCall {
            _chainId: U256::from(L2_ID),
        },
    );
    let id = read(&mut d, L1, zk, b::IZKChain::getChainIdCall {});
    assert_eq!(id, U256::from(L2_ID));
    // The L1 contracts exist only on L1.
    let out = call(&mut d, L2, hub, IBridgehub::assetRouterCall {}.abi_encode()).unwrap();
    assert!(
        out.is_empty(),
        "no code at the L1 Bridgehub's address on L2"
    );
}

/// An ETH deposit of `amount` from dev 0 on L1 to `to` on L2, as `routeEthDirect` builds it.
/// Returns the L1 receipt and the mint value.
fn deposit(d: &mut Devnet, to: Address, amount: U256) -> (Value, U256) {
    let (hub, ..) = addresses(d);
    let from = dev(d, 0);
    let gas_limit = U256::from(400_000u64);
    let gas_price: U256 = serde_json::from_value(ok(d, L1, "eth_gasPrice", json!([]))).unwrap();
    let cost = read(
        d,
        L1,
        hub,
        IBridgehub::l2TransactionBaseCostCall {
            _chainId: U256::from(L2_ID),
            _gasPrice: gas_price,
            _l2GasLimit: gas_limit,
            _l2GasPerPubdataByteLimit: U256::from(800u64),
        },
    );
    assert!(cost > U256::ZERO);
    let mint = cost + amount;
    let req = b::L2TransactionRequestDirect {
        chainId: U256::from(L2_ID),
        mintValue: mint,
        l2Contract: to,
        l2Value: amount,
        l2Calldata: Bytes::new(),
        l2GasLimit: gas_limit,
        l2GasPerPubdataByteLimit: U256::from(800u64),
        factoryDeps: Vec::new(),
        refundRecipient: from,
    };
    let data = IBridgehub::requestL2TransactionDirectCall { _request: req }.abi_encode();
    (send(d, L1, from, hub, data, mint), mint)
}

/// `getL2TransactionHashFromLogs`' fallback: topic 2 of the `NewPriorityRequestId` log.
fn l2_hash(receipt: &Value) -> B256 {
    let logs = receipt["logs"].as_array().unwrap();
    let log = logs
        .iter()
        .find(|l| l["topics"][0] == json!(TOPIC_CANONICAL_ASSIGNED))
        .expect("a NewPriorityRequestId log");
    serde_json::from_value(log["topics"][2].clone()).unwrap()
}

#[test]
fn an_eth_deposit_locks_on_l1_and_executes_on_l2_under_the_hash_the_l1_receipt_names() {
    assert_eq!(
        b::IZKChain::NewPriorityRequestId::SIGNATURE_HASH,
        TOPIC_CANONICAL_ASSIGNED
    );
    let mut d = devnet();
    let (_, _, _, vault) = addresses(&mut d);
    let to = Address::repeat_byte(0x42);
    let from = dev(&d, 0);
    let (l1_before, vault_before) = (balance(&mut d, L1, from), balance(&mut d, L1, vault));
    let amount = U256::from(10u64).pow(U256::from(18u8));
    let (r1, mint1) = deposit(&mut d, to, amount);
    let (r2, mint2) = deposit(&mut d, to, amount + U256::from(1u8));
    for r in [&r1, &r2] {
        assert_eq!(r["status"], json!("0x1"));
    }
    assert_eq!(
        balance(&mut d, L1, vault) - vault_before,
        mint1 + mint2,
        "locked in the vault"
    );
    assert_eq!(
        l1_before - balance(&mut d, L1, from),
        mint1 + mint2 + gas_cost(&r1) + gas_cost(&r2),
        "the sender paid the mint values and gas"
    );
    let (h1, h2) = (l2_hash(&r1), l2_hash(&r2));
    assert_ne!(h1, h2);
    // The full NewPriorityRequest log carries the same hash.
    let full = r1["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["topics"][0] == json!(b::IZKChain::NewPriorityRequest::SIGNATURE_HASH))
        .unwrap();
    let data: Bytes = serde_json::from_value(full["data"].clone()).unwrap();
    let ev = b::IZKChain::NewPriorityRequest::abi_decode_data(&data).unwrap();
    assert_eq!(ev.1, h1);
    assert_eq!(ev.3.value, amount);
    // The L2 receipts exist, in request order, and the value arrived.
    let l2a = ok(&mut d, L2, "eth_getTransactionReceipt", json!([h1]));
    let l2b = ok(&mut d, L2, "eth_getTransactionReceipt", json!([h2]));
    assert_eq!(l2a["status"], json!("0x1"));
    assert_eq!(l2b["status"], json!("0x1"));
    let n =
        |v: &Value| u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    assert!(
        n(&l2a["blockNumber"]) < n(&l2b["blockNumber"]),
        "executed in order"
    );
    assert_eq!(balance(&mut d, L2, to), amount + amount + U256::from(1u8));
    let tx = ok(&mut d, L2, "eth_getTransactionByHash", json!([h1]));
    assert_eq!(tx["hash"], json!(h1));
}

#[test]
fn a_deposit_with_the_wrong_value_reverts_with_the_contract_error_and_changes_nothing() {
    let mut d = devnet();
    let (hub, _, _, vault) = addresses(&mut d);
    let from = dev(&d, 1);
    let req = b::L2TransactionRequestDirect {
        chainId: U256::from(L2_ID),
        mintValue: U256::from(10u64).pow(U256::from(18u8)),
        l2Contract: from,
        l2Value: U256::ZERO,
        l2Calldata: Bytes::new(),
        l2GasLimit: U256::from(400_000u64),
        l2GasPerPubdataByteLimit: U256::from(800u64),
        factoryDeps: Vec::new(),
        refundRecipient: from,
    };
    let data = IBridgehub::requestL2TransactionDirectCall { _request: req }.abi_encode();
    let vault_before = balance(&mut d, L1, vault);
    let e = rpc(
        &mut d,
        L1,
        "eth_call",
        json!([{ "from": from, "to": hub, "data": Bytes::from(data), "value": "0x1" }, "latest"]),
    )
    .unwrap_err();
    let revert: Bytes = serde_json::from_value(e.data.unwrap()).unwrap();
    assert_eq!(&revert[..4], b::MsgValueMismatch::SELECTOR);
    assert_eq!(balance(&mut d, L1, vault), vault_before);
}

/// Withdraws `amount` of ETH from dev 2 on L2 to `to` on L1 (`L2BaseToken.withdraw`).
fn withdraw(d: &mut Devnet, to: Address, amount: U256) -> Value {
    let from = dev(d, 2);
    let data = IL2BaseToken::withdrawCall { _l1Receiver: to }.abi_encode();
    send(d, L2, from, BASE_TOKEN, data, amount)
}

/// `fetchFinalizeDepositParams`: the message from the receipt's `L1MessageSent` log, the
/// proof from `zks_getL2ToL1LogProof`, the sender from the receipt's `to`.
fn finalize_params(d: &mut Devnet, receipt: &Value) -> Option<b::FinalizeL1DepositParams> {
    let message = l1_message(receipt);
    // messengerLogIndex: the index among the receipt's l2ToL1Logs.
    let logs = receipt["l2ToL1Logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["value"], json!(keccak256(&message)));
    let proof = ok(
        d,
        L2,
        "zks_getL2ToL1LogProof",
        json!([receipt["transactionHash"], 0]),
    );
    if proof.is_null() {
        return None;
    }
    let num = |v: &Value| -> U256 { serde_json::from_value(v.clone()).unwrap() };
    Some(b::FinalizeL1DepositParams {
        chainId: U256::from(L2_ID),
        l2BatchNumber: num(&proof["batchNumber"]),
        l2MessageIndex: num(&proof["id"]),
        l2Sender: serde_json::from_value(receipt["to"].clone()).unwrap(),
        l2TxNumberInBatch: u16::try_from(num(&receipt["transactionIndex"])).unwrap(),
        message,
        merkleProof: serde_json::from_value(proof["proof"].clone()).unwrap(),
    })
}

#[test]
fn a_withdrawal_is_proven_once_its_batch_settles_and_released_on_l1_exactly_once() {
    let mut d = devnet();
    let (_, _, nullifier, vault) = addresses(&mut d);
    let to = Address::repeat_byte(0x77);
    let amount = U256::from(3u64) * U256::from(10u64).pow(U256::from(17u8));
    let withdrawer = dev(&d, 2);
    let l2_before = balance(&mut d, L2, withdrawer);
    let r = withdraw(&mut d, to, amount);
    assert_eq!(r["status"], json!("0x1"));
    assert_eq!(
        l2_before - balance(&mut d, L2, withdrawer),
        amount + gas_cost(&r),
        "burned on L2"
    );
    let w = r["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["topics"][0] == json!(IL2BaseToken::Withdrawal::SIGNATURE_HASH))
        .expect("a Withdrawal log");
    assert_eq!(
        w["address"].as_str().unwrap().to_lowercase(),
        format!("{BASE_TOKEN:#x}")
    );
    // Not provable before its batch settles.
    assert!(finalize_params(&mut d, &r).is_none());
    assert!(d.settle().unwrap());
    let params = finalize_params(&mut d, &r).expect("a proof once settled");
    let key = IL1Nullifier::isWithdrawalFinalizedCall {
        _chainId: params.chainId,
        _l2BatchNumber: params.l2BatchNumber,
        _l2MessageIndex: params.l2MessageIndex,
    };
    assert!(!read(&mut d, L1, nullifier, key.clone()));
    let vault_before = balance(&mut d, L1, vault);
    let finalize = IL1Nullifier::finalizeDepositCall {
        _finalizeWithdrawalParams: params.clone(),
    }
    .abi_encode();
    // Anyone may finalize; the funds go to the receiver.
    let anyone = dev(&d, 3);
    let r = send(&mut d, L1, anyone, nullifier, finalize.clone(), U256::ZERO);
    assert_eq!(r["status"], json!("0x1"));
    assert_eq!(balance(&mut d, L1, to), amount);
    assert_eq!(vault_before - balance(&mut d, L1, vault), amount);
    assert!(read(&mut d, L1, nullifier, key));
    // A second finalization reverts as the contract does.
    let e = call(&mut d, L1, nullifier, finalize).unwrap_err();
    let revert: Bytes = serde_json::from_value(e["data"].clone()).unwrap();
    assert_eq!(
        revert,
        Bytes::from(b::WithdrawalAlreadyFinalized {}.abi_encode())
    );
    assert_eq!(balance(&mut d, L1, to), amount);
}

#[test]
fn a_deposit_s_l2_transaction_survives_a_state_file_round_trip() {
    let mut d = devnet();
    let to = Address::repeat_byte(0x43);
    let (r, _) = deposit(&mut d, to, U256::from(5u8));
    let h = l2_hash(&r);
    let saved = serde_json::to_string(&d.saved()).unwrap();
    let mut back = Devnet::restore(serde_json::from_str(&saved).unwrap()).unwrap();
    let tx = ok(&mut back, L2, "eth_getTransactionByHash", json!([h]));
    assert_eq!(tx["hash"], json!(h), "listed under its canonical hash");
    let rc = ok(&mut back, L2, "eth_getTransactionReceipt", json!([h]));
    assert_eq!(rc["status"], json!("0x1"));
    assert_eq!(balance(&mut back, L2, to), U256::from(5u8));
    assert_eq!(
        back.network().state().bridge,
        d.network().state().bridge,
        "the bridge's state replays from the event log"
    );
}
