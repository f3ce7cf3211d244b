//! The devnet's figures (issue 10): time from start to every chain answering `eth_chainId`,
//! resident memory when idle, send → executed latency with relaying, and sustained
//! `eth_sendRawTransaction` throughput over HTTP on loopback beside the in-process rate of
//! the same work (decode, execute, seal), measured in the same run, and their ratio.
//! Figures, not pass/fail: run with `cargo bench -p flywheel-devnet`.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::{SolCall, SolEvent};
use flywheel_devnet::config::{Layout, DEFAULT_BATCH_INTERVAL};
use flywheel_devnet::evm::BASE_FEE;
use flywheel_devnet::server::{serve, spawn_batch_timer, Shared};
use flywheel_devnet::system::abi;
use flywheel_devnet::Devnet;
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const TXS: u64 = 2_000;
const L2: usize = 2;

/// A kept-alive JSON-RPC connection.
struct Conn(TcpStream, SocketAddr);

impl Conn {
    fn new(addr: SocketAddr) -> Self {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_nodelay(true).expect("nodelay");
        Self(s, addr)
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let body =
            json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
        let req = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.1,
            body.len()
        );
        self.0.write_all(req.as_bytes()).expect("write");
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            self.0.read_exact(&mut b).expect("read");
            head.push(b[0]);
        }
        let head = String::from_utf8_lossy(&head).to_string();
        let len: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .expect("content-length");
        let mut body = vec![0u8; len];
        self.0.read_exact(&mut body).expect("body");
        serde_json::from_slice(&body).expect("json")
    }
}

fn send_bundle_data(dest: u64) -> Bytes {
    abi::sendBundleCall {
        _destinationChainId: InteropAddress::chain_only(dest).encode(),
        _callStarters: vec![abi::InteropCallStarter {
            to: InteropAddress::address_only(Address::repeat_byte(0x61)).encode(),
            data: Bytes::new(),
            callAttributes: vec![],
        }],
        _bundleAttributes: vec![],
    }
    .abi_encode()
    .into()
}

/// `TXS` signed transactions from dev account 0 on chain `chain`: plain transfers, or
/// sendBundle calls to `dest`.
fn signed(d: &Devnet, chain: u64, bundle_to: Option<u64>) -> Vec<Bytes> {
    let signer = d.accounts()[0].signer.clone();
    (0..TXS)
        .map(|nonce| {
            let (to, input, gas) = match bundle_to {
                Some(dest) => (INTEROP_CENTER, send_bundle_data(dest), 300_000),
                None => (Address::repeat_byte(0x62), Bytes::new(), 21_000),
            };
            let tx = TxEip1559 {
                chain_id: chain,
                nonce,
                gas_limit: gas,
                max_fee_per_gas: u128::from(BASE_FEE) * 2,
                max_priority_fee_per_gas: 0,
                to: TxKind::Call(to),
                value: U256::from(1u64),
                access_list: Default::default(),
                input,
            };
            let sig = signer.sign_hash_sync(&tx.signature_hash()).expect("sign");
            TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
        })
        .collect()
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn fresh() -> Devnet {
    Devnet::new(Layout::default(), 1_700_000_000).expect("devnet")
}

/// Transactions per second through HTTP, and in process, for the same signed transactions.
fn throughput(rt: &tokio::runtime::Runtime, bundle: bool) -> (f64, f64) {
    let d = fresh();
    let chain = d.chains()[L2].id;
    let dest = d.chains()[L2 + 1].id;
    let raws = signed(&d, chain, bundle.then_some(dest));
    // In process: decode and submit, as eth_sendRawTransaction does, without HTTP or JSON.
    let mut local = fresh();
    let t = Instant::now();
    for raw in &raws {
        let env = TxEnvelope::decode_2718_exact(raw).expect("decode");
        local.submit(L2, env).expect("submit");
    }
    let in_process = TXS as f64 / t.elapsed().as_secs_f64();
    // Over HTTP on loopback, one kept-alive connection.
    let server = rt
        .block_on(serve(
            Shared::new(fresh()),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            0,
        ))
        .expect("serve");
    let mut conn = Conn::new(server.addrs[L2]);
    let t = Instant::now();
    for raw in &raws {
        let r = conn.call("eth_sendRawTransaction", json!([raw]));
        assert!(r["result"].is_string(), "{r}");
    }
    let rpc = TXS as f64 / t.elapsed().as_secs_f64();
    drop(conn);
    rt.block_on(server.shutdown()).expect("shutdown");
    (rpc, in_process)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    // Start-up: genesis for L1 + Gateway + 3 L2s, listeners, every chain answering.
    let t = Instant::now();
    let server = rt
        .block_on(serve(
            Shared::new(fresh()),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            0,
        ))
        .expect("serve");
    for a in &server.addrs {
        let r = Conn::new(*a).call("eth_chainId", json!([]));
        assert!(r["result"].is_string());
    }
    let startup = t.elapsed();
    std::thread::sleep(Duration::from_millis(200));
    let rss = rss_kib();

    // Send → executed with relaying at the default batch interval.
    let timer = {
        let _g = rt.enter();
        spawn_batch_timer(server.devnet.clone(), DEFAULT_BATCH_INTERVAL, true)
    };
    let (dev, dest) = {
        let d = server.devnet.lock();
        (d.accounts()[1].address, d.chains()[L2 + 1].id)
    };
    let mut src = Conn::new(server.addrs[L2]);
    let mut dst = Conn::new(server.addrs[L2 + 1]);
    let mut latencies = Vec::new();
    for _ in 0..20 {
        let before = dst
            .call("eth_getLogs", json!([{"fromBlock": "0x0", "address": INTEROP_HANDLER, "topics": [abi::BundleExecuted::SIGNATURE_HASH]}]))["result"]
            .as_array()
            .map_or(0, Vec::len);
        let t = Instant::now();
        src.call(
            "eth_sendTransaction",
            json!([{"from": dev, "to": INTEROP_CENTER, "data": send_bundle_data(dest)}]),
        );
        loop {
            let n = dst
                .call("eth_getLogs", json!([{"fromBlock": "0x0", "address": INTEROP_HANDLER, "topics": [abi::BundleExecuted::SIGNATURE_HASH]}]))["result"]
                .as_array()
                .map_or(0, Vec::len);
            if n > before {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(10), "not relayed");
            std::thread::sleep(Duration::from_millis(1));
        }
        latencies.push(t.elapsed());
    }
    timer.abort();
    latencies.sort();
    drop((src, dst));
    rt.block_on(server.shutdown()).expect("shutdown");

    let (transfer_rpc, transfer_local) = throughput(&rt, false);
    let (bundle_rpc, bundle_local) = throughput(&rt, true);

    println!("flywheel devnet figures (L1 + Gateway + 3 L2s)");
    println!(
        "  start-up to every chain answering eth_chainId: {:.1} ms",
        startup.as_secs_f64() * 1e3
    );
    match rss {
        Some(kib) => println!(
            "  resident memory when idle: {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("  resident memory when idle: not available on this system"),
    }
    println!(
        "  send -> executed with relaying (batch every {} ms): median {:.1} ms, max {:.1} ms",
        DEFAULT_BATCH_INTERVAL.as_millis(),
        latencies[latencies.len() / 2].as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3
    );
    for (name, rpc, local) in [
        ("plain transfers", transfer_rpc, transfer_local),
        ("sendBundle", bundle_rpc, bundle_local),
    ] {
        println!(
            "  eth_sendRawTransaction, {name}: {rpc:.0} tx/s over HTTP, {local:.0} tx/s in process, ratio {:.2}",
            rpc / local
        );
    }
}
