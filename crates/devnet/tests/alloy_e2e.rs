//! End to end with alloy's provider over HTTP: a devnet started in the test (every chain on a
//! free loopback port, the batch timer relaying), a receiver contract deployed on one chain,
//! a bundle sent to it from another through InteropCenter's real `sendBundle` ABI, signed by
//! the provider's wallet, then the `BundleExecuted` event found by bundle hash and the
//! receiver's storage and balance read back, all through the provider.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_network::{EthereumWallet, ReceiptResponse, TransactionBuilder};
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_sol_types::{SolCall, SolEvent};
use flywheel_devnet::config::Layout;
use flywheel_devnet::server::{serve, spawn_batch_timer, Shared};
use flywheel_devnet::system::abi;
use flywheel_devnet::Devnet;
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
use flywheel_protocol::interop::bundle::interopCallValueCall;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

const SRC: usize = 2; // chain 271
const DEST: usize = 3; // chain 272

/// The hand-assembled ERC-7786 counter receiver (see `receiver_counter.evm`), as init code.
fn counter_init_code() -> Bytes {
    let runtime: String = include_str!("receiver_counter.evm")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(';').next())
        .map(str::trim)
        .collect();
    let len = runtime.len() / 2;
    format!("60{len:02x}600c60003960{len:02x}6000f3{runtime}")
        .parse()
        .unwrap()
}

#[test]
fn alloy_sends_a_bundle_that_the_relayer_executes_on_a_receiver_contract() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let devnet = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
        let signer = devnet.accounts()[6].signer.clone();
        let me = devnet.accounts()[6].address;
        let (src_id, dest_id) = (devnet.chains()[SRC].id, devnet.chains()[DEST].id);
        let server = serve(Shared::new(devnet), IpAddr::V4(Ipv4Addr::LOCALHOST), 0)
            .await
            .unwrap();
        let timer = spawn_batch_timer(server.devnet.clone(), Duration::from_millis(50), true);
        let url = |i: usize| format!("http://{}", server.addrs[i]);
        let wallet = EthereumWallet::from(signer);
        let src = ProviderBuilder::new()
            .wallet(wallet.clone())
            .connect(&url(SRC))
            .await
            .unwrap();
        let dst = ProviderBuilder::new()
            .wallet(wallet)
            .connect(&url(DEST))
            .await
            .unwrap();
        assert_eq!(src.get_chain_id().await.unwrap(), src_id);
        assert_eq!(dst.get_chain_id().await.unwrap(), dest_id);

        // The receiver on the destination.
        let deploy = TransactionRequest::default()
            .with_from(me)
            .with_deploy_code(counter_init_code());
        let r = dst
            .send_transaction(deploy)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(r.status());
        let counter: Address = r.contract_address().unwrap();

        // A bundle to it from the source, with value.
        let word = B256::repeat_byte(0x5a);
        let value = U256::from(31_337u64);
        let send = abi::sendBundleCall {
            _destinationChainId: InteropAddress::chain_only(dest_id).encode(),
            _callStarters: vec![abi::InteropCallStarter {
                to: InteropAddress::address_only(counter).encode(),
                data: Bytes::from(word.0.to_vec()),
                callAttributes: vec![interopCallValueCall { value }.abi_encode().into()],
            }],
            _bundleAttributes: vec![],
        };
        let tx = TransactionRequest::default()
            .with_from(me)
            .with_to(INTEROP_CENTER)
            .with_value(value)
            .with_input(send.abi_encode());
        let sent = src
            .send_transaction(tx)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(sent.status());
        let log = sent
            .inner
            .logs()
            .iter()
            .find(|l| l.topic0() == Some(&abi::InteropBundleSent::SIGNATURE_HASH))
            .unwrap();
        let hash = abi::InteropBundleSent::decode_log_data(log.data())
            .unwrap()
            .interopBundleHash;

        // The relayer executes it: BundleExecuted with topic 1 = the bundle hash.
        let filter = Filter::new()
            .address(INTEROP_HANDLER)
            .event_signature(abi::BundleExecuted::SIGNATURE_HASH)
            .topic1(hash)
            .from_block(0);
        let deadline = Instant::now() + Duration::from_secs(10);
        let logs = loop {
            let logs = dst.get_logs(&filter).await.unwrap();
            if !logs.is_empty() || Instant::now() > deadline {
                break logs;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(logs.len(), 1, "BundleExecuted not seen");

        // The receiver ran in the destination's EVM, and holds the value.
        let slot = |i: u64| dst.get_storage_at(counter, U256::from(i));
        assert_eq!(slot(0).await.unwrap(), U256::from(1));
        assert_eq!(slot(1).await.unwrap(), U256::from_be_bytes(word.0));
        assert_eq!(slot(2).await.unwrap(), value);
        assert_eq!(dst.get_balance(counter).await.unwrap(), value);
        let status = abi::bundleStatusCall { bundleHash: hash }.abi_encode();
        let out = dst
            .call(
                TransactionRequest::default()
                    .with_to(INTEROP_HANDLER)
                    .with_input(status),
            )
            .await
            .unwrap();
        assert_eq!(U256::from_be_slice(&out), U256::from(2), "FullyExecuted");

        timer.abort();
        server.shutdown().await.unwrap();
    });
}
