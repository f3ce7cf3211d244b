//! The system contracts beyond send and receive, each called through JSON-RPC with alloy's
//! provider over HTTP against a devnet started in the test: the ZK token as an ERC-20 with
//! burn and votes (from an EOA and from a contract in revm, a reverting one leaving no trace),
//! L2MessageVerification on a real proof, InteropCenter's fixed-fee accrual and its claim,
//! GWAssetTracker's settlement-fee functions on Gateway, and Fee Flow's claim feeding the
//! Splitter's burn. Every refusal is checked to leave the protocol state as it was.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_network::{EthereumWallet, ReceiptResponse, TransactionBuilder};
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, SolError, SolEvent};
use flywheel_devnet::accounts::admin;
use flywheel_devnet::config::Layout;
use flywheel_devnet::contracts::{fee_flow_abi, gw_abi, zk_abi};
use flywheel_devnet::server::{serve, Shared};
use flywheel_devnet::system::{abi, GW_ASSET_TRACKER, MESSAGE_VERIFICATION};
use flywheel_devnet::Devnet;
use flywheel_protocol::chain::{INTEROP_CENTER, L1_MESSENGER};
use flywheel_protocol::fee_flow::{fee_flow_address, splitter_address};
use flywheel_protocol::genesis::ZK_TOKEN_ADDRESS;
use flywheel_protocol::interop::bundle::useFixedFeeCall;
use flywheel_protocol::network::State;
use flywheel_protocol::units::tokens;
use std::net::{IpAddr, Ipv4Addr};

use flywheel_devnet::system::plain_bundle_calldata as plain_bundle;

const GATEWAY: usize = 1;
const SRC: usize = 2; // chain 271: hosts Fee Flow and the Splitter
const DEST: usize = 3; // chain 272

type P = alloy_provider::DynProvider;

struct Net {
    shared: Shared,
    urls: Vec<String>,
}

impl Net {
    async fn as_(&self, c: usize, signer: &alloy_signer_local::PrivateKeySigner) -> P {
        ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer.clone()))
            .connect(&self.urls[c])
            .await
            .unwrap()
            .erased()
    }
    fn state(&self) -> State {
        self.shared.lock().network().state().clone()
    }
}

async fn call(p: &P, to: Address, data: Vec<u8>) -> Result<Bytes, String> {
    let tx = TransactionRequest::default()
        .with_to(to)
        .with_input(Bytes::from(data));
    p.call(tx).await.map_err(|e| {
        e.as_error_resp()
            .and_then(|r| r.as_revert_data())
            .map(|d| d.to_string())
            .unwrap_or_else(|| e.to_string())
    })
}

async fn read<T: SolCall>(p: &P, to: Address, c: T) -> T::Return {
    let out = call(p, to, c.abi_encode()).await.unwrap();
    T::abi_decode_returns(&out).unwrap()
}

/// Sends a transaction; returns its receipt (which must succeed).
async fn send(
    p: &P,
    from: Address,
    to: Address,
    data: Vec<u8>,
) -> alloy_rpc_types_eth::TransactionReceipt {
    let tx = TransactionRequest::default()
        .with_from(from)
        .with_to(to)
        .with_input(Bytes::from(data));
    let r = p
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status(), "{r:?}");
    r
}

/// Revert data of a call that must fail, with the protocol state unchanged by trying.
async fn refused(net: &Net, p: &P, from: Address, to: Address, data: Vec<u8>) -> String {
    let before = net.state();
    let tx = TransactionRequest::default()
        .with_from(from)
        .with_to(to)
        .with_input(Bytes::from(data));
    let err = p.estimate_gas(tx).await.unwrap_err();
    assert_eq!(net.state(), before);
    err.as_error_resp()
        .and_then(|r| r.as_revert_data())
        .map(|d| d.to_string())
        .unwrap_or_else(|| err.to_string())
}

fn error_string(msg: &str) -> String {
    Bytes::from(
        abi::Error {
            message: msg.into(),
        }
        .abi_encode(),
    )
    .to_string()
}

/// Runtime that forwards its calldata to `target` with CALL, then runs `tail`.
fn forwarder(target: Address, tail: &str) -> Bytes {
    let runtime = format!(
        "36600060003760006000366000600073{}5af1{tail}",
        alloy_primitives::hex::encode(target)
    );
    let len = runtime.len() / 2;
    format!("60{len:02x}600c60003960{len:02x}6000f3{runtime}")
        .parse()
        .unwrap()
}

async fn deploy(p: &P, from: Address, code: Bytes) -> Address {
    let tx = TransactionRequest::default()
        .with_from(from)
        .with_deploy_code(code);
    let r = p
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    r.contract_address().unwrap()
}

fn zk_logs(r: &alloy_rpc_types_eth::TransactionReceipt) -> Vec<alloy_primitives::LogData> {
    r.inner
        .logs()
        .iter()
        .filter(|l| l.address() == ZK_TOKEN_ADDRESS)
        .map(|l| l.data().clone())
        .collect()
}

#[test]
fn the_remaining_system_contracts_answer_over_json_rpc() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let devnet = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
        let accounts = devnet.accounts().to_vec();
        let ids: Vec<u64> = devnet.chains().iter().map(|c| c.id).collect();
        let server = serve(Shared::new(devnet), IpAddr::V4(Ipv4Addr::LOCALHOST), 0)
            .await
            .unwrap();
        let net = Net {
            shared: server.devnet.clone(),
            urls: server.addrs.iter().map(|a| format!("http://{a}")).collect(),
        };
        let (a, b, c) = (&accounts[0], &accounts[1], &accounts[2]);
        let pa = net.as_(SRC, &a.signer).await;
        let pb = net.as_(SRC, &b.signer).await;
        let pa_dest = net.as_(DEST, &a.signer).await;

        zk_token(&net, &pa, &pb, &pa_dest, a.address, b.address, c.address).await;
        message_verification(&net, &pa, &pa_dest, a.address).await;
        fixed_fees_and_claims(&net, &pa, a.address, b.address, ids[DEST]).await;
        gateway_fees(&net, a.address).await;
        // A bidder with exactly the minimum bid, 100,000 ZK.
        let d = &accounts[3];
        let pd = net.as_(SRC, &d.signer).await;
        fee_flow(&net, &pd, d.address).await;

        server.shutdown().await.unwrap();
    });
}

/// `interopProtocolFee` per chain from the layout (`devnet.toml`'s `interop_protocol_fee`), and
/// `setInteropFee` from the chain's operator (the devnet admin), with its log; anyone else is
/// refused with `Unauthorized(caller)`, leaving the fee as it was.
#[test]
fn interop_protocol_fees_come_from_the_layout_and_the_operator() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut layout = Layout::default();
        layout.chains[0].interop_protocol_fee = U256::from(7u8);
        let devnet = Devnet::new(layout, 1_700_000_000).unwrap();
        let a = devnet.accounts()[0].clone();
        let dest = devnet.chains()[DEST].id;
        let server = serve(Shared::new(devnet), IpAddr::V4(Ipv4Addr::LOCALHOST), 0)
            .await
            .unwrap();
        let net = Net {
            shared: server.devnet.clone(),
            urls: server.addrs.iter().map(|a| format!("http://{a}")).collect(),
        };
        let pa = net.as_(SRC, &a.signer).await;
        let pa_dest = net.as_(DEST, &a.signer).await;
        async fn fee(p: &P) -> U256 {
            read(p, INTEROP_CENTER, abi::interopProtocolFeeCall {}).await
        }
        assert_eq!(fee(&pa).await, U256::from(7u8));
        assert_eq!(fee(&pa_dest).await, U256::ZERO, "the fee is per chain");

        let set = |f: u64| {
            abi::setInteropFeeCall {
                _fee: U256::from(f),
            }
            .abi_encode()
        };
        let e = refused(&net, &pa, a.address, INTEROP_CENTER, set(1)).await;
        let unauthorized = abi::Unauthorized { caller: a.address }.abi_encode();
        assert_eq!(e, Bytes::from(unauthorized).to_string());
        assert_eq!(fee(&pa).await, U256::from(7u8));

        let admin = admin().unwrap();
        let padmin = net.as_(SRC, &admin.signer).await;
        let r = send(&padmin, admin.address, INTEROP_CENTER, set(42)).await;
        let log = r
            .inner
            .logs()
            .iter()
            .find(|l| l.topic0() == Some(&abi::InteropFeeUpdated::SIGNATURE_HASH))
            .unwrap();
        assert_eq!(log.address(), INTEROP_CENTER);
        let ev = abi::InteropFeeUpdated::decode_log_data(log.data()).unwrap();
        assert_eq!((ev.oldFee, ev.newFee), (U256::from(7u8), U256::from(42u8)));
        assert_eq!(fee(&pa).await, U256::from(42u8));
        assert_eq!(fee(&pa_dest).await, U256::ZERO);
        // The new fee is what a send pays: one call at 42 wei on top of its value.
        let data = plain_bundle(dest, Address::repeat_byte(0x63), vec![]).to_vec();
        let e = refused(&net, &pa, a.address, INTEROP_CENTER, data.clone()).await;
        assert!(!e.is_empty());
        let tx = TransactionRequest::default()
            .with_from(a.address)
            .with_to(INTEROP_CENTER)
            .with_value(U256::from(42u8))
            .with_input(Bytes::from(data));
        let r = pa
            .send_transaction(tx)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(r.status());
        let accrued = read(
            &pa,
            INTEROP_CENTER,
            abi::accumulatedProtocolFeesCall {
                coinbase: admin.address,
            },
        )
        .await;
        assert_eq!(accrued, U256::from(42u8));
        server.shutdown().await.unwrap();
    });
}

async fn zk_token(net: &Net, pa: &P, pb: &P, pa_dest: &P, a: Address, b: Address, c: Address) {
    use zk_abi as z;
    let t = ZK_TOKEN_ADDRESS;
    assert_eq!(read(pa, t, z::nameCall {}).await, "ZKsync");
    assert_eq!(read(pa, t, z::symbolCall {}).await, "ZK");
    assert_eq!(read(pa, t, z::decimalsCall {}).await, 18);
    let start = read(pa, t, z::balanceOfCall { account: a }).await;
    assert_eq!(start, tokens(100_000));
    let supply = read(pa, t, z::totalSupplyCall {}).await;
    assert_eq!(supply, net.state().token.total_supply());

    // transfer: a Transfer log at the token; one ledger, so chain 272 reads the same.
    let r = send(
        pa,
        a,
        t,
        z::transferCall {
            to: c,
            amount: tokens(5),
        }
        .abi_encode(),
    )
    .await;
    let logs = zk_logs(&r);
    assert_eq!(logs.len(), 1);
    let ev = z::Transfer::decode_log_data(&logs[0]).unwrap();
    assert_eq!((ev.from, ev.to, ev.value), (a, c, tokens(5)));
    assert_eq!(
        read(pa_dest, t, z::balanceOfCall { account: c }).await,
        tokens(100_005)
    );

    // approve, allowance, transferFrom by the spender (the allowance is spent).
    send(
        pa,
        a,
        t,
        z::approveCall {
            spender: b,
            amount: tokens(3),
        }
        .abi_encode(),
    )
    .await;
    assert_eq!(
        read(
            pa,
            t,
            z::allowanceCall {
                owner: a,
                spender: b
            }
        )
        .await,
        tokens(3)
    );
    let r = send(
        pb,
        b,
        t,
        z::transferFromCall {
            from: a,
            to: b,
            amount: tokens(2),
        }
        .abi_encode(),
    )
    .await;
    assert_eq!(zk_logs(&r).len(), 2, "Approval (the rest), then Transfer");
    assert_eq!(
        read(
            pa,
            t,
            z::allowanceCall {
                owner: a,
                spender: b
            }
        )
        .await,
        tokens(1)
    );
    // Beyond the allowance: OpenZeppelin 4.9's revert string, nothing changes.
    let e = refused(
        net,
        pb,
        b,
        t,
        z::transferFromCall {
            from: a,
            to: b,
            amount: tokens(2),
        }
        .abi_encode(),
    )
    .await;
    assert_eq!(e, error_string("ERC20: insufficient allowance"));
    let e = refused(
        net,
        pb,
        b,
        t,
        z::transferCall {
            to: a,
            amount: tokens(10_000_000),
        }
        .abi_encode(),
    )
    .await;
    assert_eq!(e, error_string("ERC20: transfer amount exceeds balance"));

    // burn: supply falls by the amount.
    send(pa, a, t, z::burnCall { _amount: tokens(1) }.abi_encode()).await;
    assert_eq!(read(pa, t, z::totalSupplyCall {}).await, supply - tokens(1));
    assert_eq!(
        read(pa, t, z::balanceOfCall { account: a }).await,
        start - tokens(5) - tokens(2) - tokens(1)
    );

    // delegate: votes follow the balance; DelegateChanged and DelegateVotesChanged logged.
    let r = send(pa, a, t, z::delegateCall { delegatee: c }.abi_encode()).await;
    let topics: Vec<B256> = zk_logs(&r).iter().map(|l| l.topics()[0]).collect();
    assert_eq!(
        topics,
        vec![
            z::DelegateChanged::SIGNATURE_HASH,
            z::DelegateVotesChanged::SIGNATURE_HASH
        ]
    );
    assert_eq!(read(pa, t, z::delegatesCall { account: a }).await, c);
    assert_eq!(
        read(pa, t, z::getVotesCall { account: c }).await,
        read(pa, t, z::balanceOfCall { account: a }).await
    );

    // From a contract in revm: the contract is msg.sender; a reverting one moves nothing.
    let keeper = deploy(pa, a, forwarder(t, "5000")).await;
    let reverter = deploy(pa, a, forwarder(t, "60006000fd")).await;
    for who in [keeper, reverter] {
        send(
            pa,
            a,
            t,
            z::transferCall {
                to: who,
                amount: tokens(4),
            }
            .abi_encode(),
        )
        .await;
    }
    let pay = z::transferCall {
        to: b,
        amount: tokens(4),
    }
    .abi_encode();
    let b_before = read(pa, t, z::balanceOfCall { account: b }).await;
    let before = net.state();
    let tx = TransactionRequest::default()
        .with_from(a)
        .with_to(reverter)
        .with_input(Bytes::from(pay.clone()))
        .with_gas_limit(300_000);
    let r = pa
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(!r.status());
    assert_eq!(
        net.state().token,
        before.token,
        "a reverted frame's transfer vanishes"
    );
    send(pa, a, keeper, pay).await;
    assert_eq!(
        read(pa, t, z::balanceOfCall { account: b }).await,
        b_before + tokens(4)
    );
    assert_eq!(
        read(pa, t, z::balanceOfCall { account: keeper }).await,
        U256::ZERO
    );
    assert_eq!(
        read(pa, t, z::balanceOfCall { account: reverter }).await,
        tokens(4)
    );
}

async fn message_verification(net: &Net, pa: &P, pa_dest: &P, a: Address) {
    let dest: u64 = pa_dest.get_chain_id().await.unwrap();
    let r = send(
        pa,
        a,
        INTEROP_CENTER,
        plain_bundle(dest, Address::repeat_byte(0x61), vec![]).to_vec(),
    )
    .await;
    net.shared.lock().settle().unwrap();
    let p: serde_json::Value = pa
        .raw_request(
            "zks_getL2ToL1LogProof".into(),
            (r.transaction_hash, 0u64, "messageRoot"),
        )
        .await
        .unwrap();
    let msg = r
        .inner
        .logs()
        .iter()
        .find(|l| l.address() == L1_MESSENGER)
        .unwrap();
    let message = abi::L1MessageSent::decode_log_data(msg.data())
        .unwrap()
        ._message;
    let src: u64 = pa.get_chain_id().await.unwrap();
    let mut q = abi::proveL2MessageInclusionSharedCall {
        _chainId: U256::from(src),
        _blockOrBatchNumber: serde_json::from_value(p["batchNumber"].clone()).unwrap(),
        _index: serde_json::from_value(p["id"].clone()).unwrap(),
        _message: abi::L2Message {
            txNumberInBatch: r.transaction_index.unwrap() as u16,
            sender: INTEROP_CENTER,
            data: message,
        },
        _proof: serde_json::from_value(p["proof"].clone()).unwrap(),
    };
    assert!(read(pa_dest, MESSAGE_VERIFICATION, q.clone()).await);
    // Another message, or a proof for a root never imported, proves nothing.
    let good = q._message.data.clone();
    q._message.data = Bytes::from_static(b"forged");
    assert!(!read(pa_dest, MESSAGE_VERIFICATION, q.clone()).await);
    q._message.data = good;
    q._index += U256::from(1);
    assert!(!read(pa_dest, MESSAGE_VERIFICATION, q).await);
}

async fn fixed_fees_and_claims(net: &Net, pa: &P, a: Address, receiver: Address, dest: u64) {
    let fee = read(pa, INTEROP_CENTER, abi::ZK_INTEROP_FEECall {}).await;
    assert_eq!(fee, tokens(10));
    // `zkToken()` is the contract's cache, empty until the first fixed-fee send;
    // `getZKTokenAddress()` resolves through the vault meanwhile.
    let zk_cached = || read(pa, INTEROP_CENTER, abi::zkTokenCall {});
    assert_eq!(zk_cached().await, Address::ZERO);
    assert_eq!(
        read(pa, INTEROP_CENTER, abi::getZKTokenAddressCall {}).await,
        ZK_TOKEN_ADDRESS
    );
    // Without an allowance for the InteropCenter the fixed fee cannot be pulled.
    let fixed = vec![Bytes::from(useFixedFeeCall { fixedFee: true }.abi_encode())];
    let data = plain_bundle(dest, Address::repeat_byte(0x62), fixed).to_vec();
    let e = refused(net, pa, a, INTEROP_CENTER, data.clone()).await;
    assert_eq!(e, error_string("ERC20: insufficient allowance"));
    assert_eq!(
        zk_cached().await,
        Address::ZERO,
        "a reverted send caches nothing"
    );
    send(
        pa,
        a,
        ZK_TOKEN_ADDRESS,
        zk_abi::approveCall {
            spender: INTEROP_CENTER,
            amount: fee,
        }
        .abi_encode(),
    )
    .await;
    let r = send(pa, a, INTEROP_CENTER, data).await;
    assert_eq!(zk_cached().await, ZK_TOKEN_ADDRESS);
    let admin = admin().unwrap();
    let fixed_log = r
        .inner
        .logs()
        .iter()
        .find(|l| l.topic0() == Some(&abi::FixedZKFeesAccumulated::SIGNATURE_HASH))
        .unwrap();
    let ev = abi::FixedZKFeesAccumulated::decode_log_data(fixed_log.data()).unwrap();
    assert_eq!((ev.payer, ev.coinbase, ev.amount), (a, admin.address, fee));
    let accrued = read(
        pa,
        INTEROP_CENTER,
        abi::accumulatedZKFeesCall {
            coinbase: admin.address,
        },
    )
    .await;
    assert!(accrued >= fee);
    // Anyone else claims nothing (a no-op without a log); the coinbase claims it all.
    let r = send(
        pa,
        a,
        INTEROP_CENTER,
        abi::claimZKFeesCall { _receiver: a }.abi_encode(),
    )
    .await;
    assert!(r.inner.logs().is_empty());
    let padmin = net.as_(SRC, &admin.signer).await;
    let before = read(
        pa,
        ZK_TOKEN_ADDRESS,
        zk_abi::balanceOfCall { account: receiver },
    )
    .await;
    let r = send(
        &padmin,
        admin.address,
        INTEROP_CENTER,
        abi::claimZKFeesCall {
            _receiver: receiver,
        }
        .abi_encode(),
    )
    .await;
    let claimed = r
        .inner
        .logs()
        .iter()
        .find(|l| l.topic0() == Some(&abi::ZKFeesClaimed::SIGNATURE_HASH))
        .unwrap();
    let ev = abi::ZKFeesClaimed::decode_log_data(claimed.data()).unwrap();
    assert_eq!(ev.amount, accrued);
    assert_eq!(
        read(
            pa,
            ZK_TOKEN_ADDRESS,
            zk_abi::balanceOfCall { account: receiver }
        )
        .await,
        before + accrued
    );
    assert_eq!(
        read(
            pa,
            INTEROP_CENTER,
            abi::accumulatedZKFeesCall {
                coinbase: admin.address
            }
        )
        .await,
        U256::ZERO
    );
}

async fn gateway_fees(net: &Net, a: Address) {
    use gw_abi as g;
    let accounts = net.shared.lock().accounts().to_vec();
    let pg = net.as_(GATEWAY, &accounts[0].signer).await;
    assert_eq!(
        read(&pg, GW_ASSET_TRACKER, g::gatewaySettlementFeeCall {}).await,
        U256::ZERO
    );
    assert_eq!(
        read(&pg, GW_ASSET_TRACKER, g::wrappedZKTokenCall {}).await,
        ZK_TOKEN_ADDRESS
    );
    // Anyone may agree to pay a chain's fees for itself.
    let r = send(
        &pg,
        a,
        GW_ASSET_TRACKER,
        g::setSettlementFeePayerAgreementCall {
            _chainId: U256::from(271u64),
            _agreed: true,
        }
        .abi_encode(),
    )
    .await;
    assert_eq!(
        r.inner.logs()[0].topic0(),
        Some(&g::SettlementFeePayerAgreementUpdated::SIGNATURE_HASH)
    );
    assert!(
        read(
            &pg,
            GW_ASSET_TRACKER,
            g::settlementFeePayerAgreementCall {
                _payer: a,
                _chainId: U256::from(271u64)
            }
        )
        .await
    );
    // Only the owner sets the fee.
    let set = g::setGatewaySettlementFeeCall { _fee: tokens(1) }.abi_encode();
    refused(net, &pg, a, GW_ASSET_TRACKER, set.clone()).await;
    let admin = admin().unwrap();
    let padmin = net.as_(GATEWAY, &admin.signer).await;
    let r = send(&padmin, admin.address, GW_ASSET_TRACKER, set).await;
    let ev = g::GatewaySettlementFeeUpdated::decode_log_data(r.inner.logs()[0].data()).unwrap();
    assert_eq!((ev.oldFee, ev.newFee), (U256::ZERO, tokens(1)));
    assert_eq!(
        read(&pg, GW_ASSET_TRACKER, g::gatewaySettlementFeeCall {}).await,
        tokens(1)
    );
    // Not served on an L2.
    let p2 = net.as_(SRC, &accounts[0].signer).await;
    assert!(call(
        &p2,
        GW_ASSET_TRACKER,
        g::gatewaySettlementFeeCall {}.abi_encode()
    )
    .await
    .map_or(true, |out| out.is_empty()));
}

async fn fee_flow(net: &Net, pa: &P, a: Address) {
    use fee_flow_abi as f;
    let (ff, sp) = (fee_flow_address(), splitter_address());
    let threshold = read(pa, ff, f::bidThresholdCall {}).await;
    assert_eq!(threshold, tokens(1_000_000));
    assert_eq!(read(pa, ff, f::bidTokenCall {}).await, ZK_TOKEN_ADDRESS);
    assert_eq!(read(pa, ff, f::destinationCall {}).await, sp);
    let eth = flywheel_protocol::chain::ETH_TOKEN_ADDRESS;
    assert!(read(pa, ff, f::isClaimableTokenCall { _token: eth }).await);
    assert_eq!(
        read(pa, sp, f::burnPercentageCall {}).await,
        U256::from(10_000u64)
    );
    // The admin lowers the threshold to what a dev account holds.
    let admin = admin().unwrap();
    let padmin = net.as_(SRC, &admin.signer).await;
    let min = read(pa, ff, f::minBidThresholdCall {}).await;
    let e = refused(
        net,
        pa,
        a,
        ff,
        f::setBidThresholdCall { _newThreshold: min }.abi_encode(),
    )
    .await;
    assert_eq!(
        e,
        Bytes::from(f::FeeFlow_Unauthorized {}.abi_encode()).to_string()
    );
    send(
        &padmin,
        admin.address,
        ff,
        f::setBidThresholdCall { _newThreshold: min }.abi_encode(),
    )
    .await;
    // ETH reaches the pool as a plain transfer.
    let pool = U256::from(7_000_000_000_000_000u64);
    let tx = TransactionRequest::default()
        .with_from(a)
        .with_to(ff)
        .with_value(pool);
    assert!(pa
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap()
        .status());
    assert_eq!(pa.get_balance(ff).await.unwrap(), pool);
    let claim = f::claimCall {
        _claimRequests: vec![f::ClaimRequest {
            token: eth,
            minAmountRequested: pool,
        }],
    }
    .abi_encode();
    // Without approving the bid, the claim fails and nothing moves.
    let e = refused(net, pa, a, ff, claim.clone()).await;
    assert_eq!(e, error_string("ERC20: insufficient allowance"));
    // Asking for the bid token itself is refused with Fee Flow's own error.
    let bad = f::claimCall {
        _claimRequests: vec![f::ClaimRequest {
            token: ZK_TOKEN_ADDRESS,
            minAmountRequested: U256::ZERO,
        }],
    }
    .abi_encode();
    send(
        pa,
        a,
        ZK_TOKEN_ADDRESS,
        zk_abi::approveCall {
            spender: ff,
            amount: min,
        }
        .abi_encode(),
    )
    .await;
    let e = refused(net, pa, a, ff, bad).await;
    assert_eq!(
        e,
        Bytes::from(f::FeeFlow_InvalidFeeToken {}.abi_encode()).to_string()
    );
    let supply = read(pa, ZK_TOKEN_ADDRESS, zk_abi::totalSupplyCall {}).await;
    let eth_before = pa.get_balance(a).await.unwrap();
    let r = send(pa, a, ff, claim).await;
    // The bid went to the Splitter, which burned all of it (100% burn).
    let split = r
        .inner
        .logs()
        .iter()
        .find(|l| l.address() == sp && l.topic0() == Some(&f::Split::SIGNATURE_HASH))
        .unwrap();
    let ev = f::Split::decode_log_data(split.data()).unwrap();
    assert_eq!((ev.amount, ev.burned), (min, min));
    assert_eq!(
        read(pa, ZK_TOKEN_ADDRESS, zk_abi::totalSupplyCall {}).await,
        supply - min
    );
    assert!(r
        .inner
        .logs()
        .iter()
        .any(|l| l.address() == ff && l.topic0() == Some(&f::Claimed::SIGNATURE_HASH)));
    // The pool's ETH is the claimer's, in revm and in the protocol alike.
    assert_eq!(pa.get_balance(ff).await.unwrap(), U256::ZERO);
    let gas = U256::from(r.gas_used) * U256::from(r.effective_gas_price);
    assert_eq!(pa.get_balance(a).await.unwrap(), eth_before + pool - gas);
}
