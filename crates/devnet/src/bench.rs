//! The devnet's figures (issue 10): time from start to every chain answering `eth_chainId`,
//! resident memory when idle, send → executed latency with relaying, and sustained
//! `eth_sendRawTransaction` throughput over HTTP on loopback beside the in-process rate of
//! the same work (decode, execute, seal), measured in the same run, and their ratio.
//! Figures, not pass/fail: `flywheel bench devnet` and `cargo bench -p flywheel-devnet`
//! print them.

use crate::config::{Layout, DEFAULT_BATCH_INTERVAL};
use crate::evm::BASE_FEE;
pub use crate::limits::MAX_TXS;
use crate::server::{serve, spawn_batch_timer, Shared};
use crate::system::abi;
use crate::Devnet;
use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::SolEvent;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Relayed bundles timed for the latency figure.
const LATENCY_SAMPLES: usize = 20;
/// The L2 the transactions go to (chain 271 in the default layout).
const L2: usize = 2;

/// The measured figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figures {
    /// Milliseconds from start to every chain answering `eth_chainId`.
    pub startup_ms: f64,
    /// Resident memory when idle, MiB (`None` where `/proc/self/status` is missing).
    pub idle_rss_mib: Option<f64>,
    /// The batch interval the latency was measured at, ms.
    pub batch_interval_ms: u64,
    /// Send → executed with relaying: median and max, ms.
    pub relay_median_ms: f64,
    /// See `relay_median_ms`.
    pub relay_max_ms: f64,
    /// Transactions per throughput run.
    pub txs: u64,
    /// Plain transfers over HTTP and in process, tx/s, and their ratio.
    pub transfers: Throughput,
    /// `sendBundle` calls over HTTP and in process, tx/s, and their ratio.
    pub send_bundle: Throughput,
}

/// One throughput pair, measured in the same run.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Throughput {
    /// `eth_sendRawTransaction` over HTTP on loopback, tx/s.
    pub rpc_per_sec: f64,
    /// The same decode + execute + seal in process, tx/s.
    pub in_process_per_sec: f64,
    /// `rpc_per_sec / in_process_per_sec`.
    pub ratio: f64,
}

/// Why a measurement could not be taken (a socket, the runtime, a refused transaction).
#[derive(Debug, thiserror::Error)]
#[error("devnet bench: {0}")]
pub struct BenchError(String);

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError(e.to_string())
}

/// A kept-alive JSON-RPC connection.
struct Conn(TcpStream, SocketAddr);

impl Conn {
    fn new(addr: SocketAddr) -> Result<Self, BenchError> {
        let s = TcpStream::connect(addr).map_err(err)?;
        s.set_nodelay(true).map_err(err)?;
        Ok(Self(s, addr))
    }

    fn call(&mut self, method: &str, params: Value) -> Result<Value, BenchError> {
        let body =
            json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
        let req = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.1,
            body.len()
        );
        self.0.write_all(req.as_bytes()).map_err(err)?;
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            self.0.read_exact(&mut b).map_err(err)?;
            head.push(b[0]);
            if head.len() > 64 * 1024 {
                return Err(err("response head too long"));
            }
        }
        let head = String::from_utf8_lossy(&head).to_string();
        let len: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .ok_or_else(|| err("no content-length"))?;
        let mut body = vec![0u8; len];
        self.0.read_exact(&mut body).map_err(err)?;
        serde_json::from_slice(&body).map_err(err)
    }
}

/// `txs` signed transactions from dev account 0 on chain `chain`: plain transfers, or
/// sendBundle calls to `dest`.
fn signed(
    d: &Devnet,
    chain: u64,
    txs: u64,
    bundle_to: Option<u64>,
) -> Result<Vec<Bytes>, BenchError> {
    let signer = d.accounts()[0].signer.clone();
    (0..txs)
        .map(|nonce| {
            let (to, input, gas) = match bundle_to {
                Some(dest) => (
                    INTEROP_CENTER,
                    crate::system::plain_bundle_calldata(dest, Address::repeat_byte(0x61), vec![]),
                    300_000,
                ),
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
            let sig = signer.sign_hash_sync(&tx.signature_hash()).map_err(err)?;
            Ok(TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into())
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

fn fresh() -> Result<Devnet, BenchError> {
    Devnet::new(Layout::default(), 1_700_000_000).map_err(err)
}

/// Transactions per second through HTTP, and in process, for the same signed transactions.
fn throughput(
    rt: &tokio::runtime::Runtime,
    txs: u64,
    bundle: bool,
) -> Result<Throughput, BenchError> {
    let d = fresh()?;
    let chain = d.chains()[L2].id;
    let dest = d.chains()[L2 + 1].id;
    let raws = signed(&d, chain, txs, bundle.then_some(dest))?;
    // In process: decode and submit, as eth_sendRawTransaction does, without HTTP or JSON.
    let mut local = fresh()?;
    let t = Instant::now();
    for raw in &raws {
        let env = TxEnvelope::decode_2718_exact(raw).map_err(err)?;
        local.submit(L2, env).map_err(|e| err(e.message))?;
    }
    let in_process = txs as f64 / t.elapsed().as_secs_f64();
    // Over HTTP on loopback, one kept-alive connection.
    let server = rt
        .block_on(serve(
            Shared::new(fresh()?),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            0,
        ))
        .map_err(err)?;
    let mut conn = Conn::new(server.addrs[L2])?;
    let t = Instant::now();
    for raw in &raws {
        let r = conn.call("eth_sendRawTransaction", json!([raw]))?;
        if !r["result"].is_string() {
            return Err(err(format!("refused: {r}")));
        }
    }
    let rpc = txs as f64 / t.elapsed().as_secs_f64();
    drop(conn);
    rt.block_on(server.shutdown()).map_err(err)?;
    Ok(Throughput {
        rpc_per_sec: rpc,
        in_process_per_sec: in_process,
        ratio: rpc / in_process,
    })
}

fn executed_count(dst: &mut Conn) -> Result<usize, BenchError> {
    let r = dst.call(
        "eth_getLogs",
        json!([{"fromBlock": "0x0", "address": INTEROP_HANDLER,
                "topics": [abi::BundleExecuted::SIGNATURE_HASH]}]),
    )?;
    Ok(r["result"].as_array().map_or(0, Vec::len))
}

/// Measures every figure, with `txs` transactions per throughput run (at most [`MAX_TXS`]).
pub fn run(txs: u64) -> Result<Figures, BenchError> {
    if txs == 0 || txs > MAX_TXS {
        return Err(err(format!("txs must be 1 to {MAX_TXS}, got {txs}")));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(err)?;

    // Start-up: genesis for L1 + Gateway + 3 L2s, listeners, every chain answering.
    let t = Instant::now();
    let server = rt
        .block_on(serve(
            Shared::new(fresh()?),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            0,
        ))
        .map_err(err)?;
    for a in &server.addrs {
        let r = Conn::new(*a)?.call("eth_chainId", json!([]))?;
        if !r["result"].is_string() {
            return Err(err(format!("eth_chainId: {r}")));
        }
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
    let mut src = Conn::new(server.addrs[L2])?;
    let mut dst = Conn::new(server.addrs[L2 + 1])?;
    let mut latencies = Vec::new();
    for _ in 0..LATENCY_SAMPLES {
        let before = executed_count(&mut dst)?;
        let t = Instant::now();
        src.call(
            "eth_sendTransaction",
            json!([{"from": dev, "to": INTEROP_CENTER, "data": crate::system::plain_bundle_calldata(dest, Address::repeat_byte(0x61), vec![])}]),
        )?;
        while executed_count(&mut dst)? <= before {
            if t.elapsed() > Duration::from_secs(10) {
                return Err(err("a bundle was not relayed within 10 s"));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        latencies.push(t.elapsed());
    }
    timer.abort();
    latencies.sort();
    drop((src, dst));
    rt.block_on(server.shutdown()).map_err(err)?;

    let transfers = throughput(&rt, txs, false)?;
    let send_bundle = throughput(&rt, txs, true)?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Ok(Figures {
        startup_ms: ms(startup),
        idle_rss_mib: rss.map(|kib| kib as f64 / 1024.0),
        batch_interval_ms: DEFAULT_BATCH_INTERVAL.as_millis() as u64,
        relay_median_ms: ms(latencies[latencies.len() / 2]),
        relay_max_ms: ms(latencies[latencies.len() - 1]),
        txs,
        transfers,
        send_bundle,
    })
}

/// The figures as the bench binary and `flywheel bench devnet` print them.
pub fn render(f: &Figures) -> String {
    let mut s = String::from("flywheel devnet figures (L1 + Gateway + 3 L2s)\n");
    s += &format!(
        "  start-up to every chain answering eth_chainId: {:.1} ms\n",
        f.startup_ms
    );
    match f.idle_rss_mib {
        Some(m) => s += &format!("  resident memory when idle: {m:.1} MiB\n"),
        None => s += "  resident memory when idle: not available on this system\n",
    }
    s += &format!(
        "  send -> executed with relaying (batch every {} ms): median {:.1} ms, max {:.1} ms\n",
        f.batch_interval_ms, f.relay_median_ms, f.relay_max_ms
    );
    for (name, t) in [
        ("plain transfers", f.transfers),
        ("sendBundle", f.send_bundle),
    ] {
        s += &format!(
            "  eth_sendRawTransaction, {name} ({} txs): {:.0} tx/s over HTTP, {:.0} tx/s in process, ratio {:.2}\n",
            f.txs, t.rpc_per_sec, t.in_process_per_sec, t.ratio
        );
    }
    s
}
