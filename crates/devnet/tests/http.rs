//! The JSON-RPC server over real HTTP on loopback: every chain on its own port, the envelope's
//! error codes, the body limit, and a restart from a dumped state.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flywheel_devnet::config::Layout;
use flywheel_devnet::rpc::{
    INVALID_PARAMS, INVALID_REQUEST, MAX_BODY_BYTES, METHOD_NOT_FOUND, PARSE_ERROR,
};
use flywheel_devnet::server::{serve, spawn_batch_timer, Server, Shared};
use flywheel_devnet::{state_file, Devnet};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};

/// A minimal HTTP/1.1 POST (one request per connection), returning the status and body.
fn post(addr: SocketAddr, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before reading all of an oversized body.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status: u16 = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn rpc(addr: SocketAddr, method: &str, params: Value) -> Value {
    let req = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let (status, body) = post(addr, req.to_string().as_bytes());
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn start(devnet: Devnet) -> (tokio::runtime::Runtime, Server) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(serve(
            Shared::new(devnet),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            0,
        ))
        .unwrap();
    (rt, server)
}

#[test]
fn each_chain_answers_on_its_own_port() {
    let devnet = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let ids: Vec<u64> = devnet.chains().iter().map(|c| c.id).collect();
    let dev = devnet.accounts()[0].address;
    let (rt, server) = start(devnet);
    assert_eq!(server.addrs.len(), 5);
    for (addr, id) in server.addrs.iter().zip(&ids) {
        let r = rpc(*addr, "eth_chainId", json!([]));
        assert_eq!(r["result"], json!(format!("{id:#x}")));
        let r = rpc(*addr, "eth_getBalance", json!([dev, "latest"]));
        assert_eq!(r["result"], json!("0x21e19e0c9bab2400000")); // 10,000 × 10^18
        let r = rpc(*addr, "web3_clientVersion", json!([]));
        assert!(r["result"]
            .as_str()
            .unwrap()
            .starts_with("flywheel-devnet/"));
    }
    rt.block_on(server.shutdown()).unwrap();
}

#[test]
fn bad_requests_get_their_codes_and_the_server_keeps_serving() {
    let (rt, server) = start(Devnet::new(Layout::with_l2s(1), 1).unwrap());
    let a = server.addrs[2];
    let code = |body: &str| {
        let v: Value = serde_json::from_str(body).unwrap();
        v["error"]["code"].as_i64().unwrap()
    };
    let (s, b) = post(a, b"{\"jsonrpc\":");
    assert_eq!((s, code(&b)), (200, PARSE_ERROR));
    let (_, b) = post(
        a,
        br#"{"jsonrpc":"2.0","id":1,"method":"eth_fillTransaction","params":[{}]}"#,
    );
    assert_eq!(code(&b), METHOD_NOT_FOUND);
    let (_, b) = post(
        a,
        br#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x1"]}"#,
    );
    assert_eq!(code(&b), INVALID_PARAMS);
    let (_, b) = post(a, b"[]");
    assert_eq!(code(&b), INVALID_REQUEST);
    let big = vec![b' '; MAX_BODY_BYTES + 1];
    let (s, b) = post(a, &big);
    assert_eq!((s, code(&b)), (413, INVALID_REQUEST));
    // A batch answers in order.
    let batch = json!([
        {"jsonrpc":"2.0","id":1,"method":"eth_chainId"},
        {"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"},
        {"jsonrpc":"2.0","id":3,"method":"nope"}
    ]);
    let (_, b) = post(a, batch.to_string().as_bytes());
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v[0]["result"], json!("0x10f"));
    assert_eq!(v[1]["result"], json!("0x0"));
    assert_eq!(v[2]["error"]["code"], json!(METHOD_NOT_FOUND));
    // Still serving.
    assert_eq!(rpc(a, "eth_chainId", json!([]))["result"], json!("0x10f"));
    rt.block_on(server.shutdown()).unwrap();
}

#[test]
fn a_dumped_devnet_restarts_with_the_same_state() {
    let dir = std::env::temp_dir().join(format!("flywheel-devnet-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let (rt, server) = start(Devnet::new(Layout::with_l2s(2), 42).unwrap());
    let shared = server.devnet.clone();
    rt.block_on(server.shutdown()).unwrap();
    state_file::save(&shared.lock(), &path).unwrap();
    let back = state_file::load(&path).unwrap();
    assert_eq!(back.network().state(), shared.lock().network().state());
    let (rt, server) = start(back);
    assert_eq!(
        rpc(server.addrs[3], "eth_chainId", json!([]))["result"],
        json!("0x110")
    );
    rt.block_on(server.shutdown()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn with_relaying_a_bundle_executes_on_its_destination_well_under_a_second() {
    use alloy_primitives::Address;
    use alloy_sol_types::SolEvent;
    use flywheel_devnet::system::abi;
    use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
    let devnet = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = devnet.accounts()[0].address;
    let dest_id = devnet.chains()[3].id;
    let (rt, server) = start(devnet);
    let _timer = rt.enter();
    spawn_batch_timer(
        server.devnet.clone(),
        flywheel_devnet::config::DEFAULT_BATCH_INTERVAL,
        true,
    );
    let (src, dest) = (server.addrs[2], server.addrs[3]);
    let data =
        flywheel_devnet::system::plain_bundle_calldata(dest_id, Address::repeat_byte(0x51), vec![]);
    let started = std::time::Instant::now();
    let sent = rpc(
        src,
        "eth_sendTransaction",
        json!([{"from": dev, "to": INTEROP_CENTER, "data": data}]),
    );
    assert!(sent["result"].is_string(), "{sent}");
    let filter = json!([{"fromBlock": "0x0", "address": INTEROP_HANDLER, "topics": [abi::BundleExecuted::SIGNATURE_HASH]}]);
    let latency = loop {
        let logs = rpc(dest, "eth_getLogs", filter.clone());
        if !logs["result"].as_array().unwrap().is_empty() {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "not relayed"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    eprintln!("send -> executed over HTTP with relaying: {latency:?}");
    assert!(latency < std::time::Duration::from_secs(1), "{latency:?}");
    rt.block_on(server.shutdown()).unwrap();
}

/// Reads one HTTP/1.1 response (headers, then a `content-length` body) from a kept-alive
/// connection.
fn read_response(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap();
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

/// The bounded load test: 1,000 connections open at once on loopback, each answered, and
/// the server still serving afterwards.
#[test]
fn a_thousand_concurrent_connections_are_all_answered() {
    const CONNECTIONS: usize = 1000;
    let (rt, server) = start(Devnet::new(Layout::with_l2s(1), 1).unwrap());
    let addr = server.addrs[2];
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let started = std::time::Instant::now();
    let mut conns: Vec<TcpStream> = (0..CONNECTIONS)
        .map(|_| {
            let s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
                .unwrap();
            s
        })
        .collect();
    for s in &mut conns {
        s.write_all(request.as_bytes()).unwrap();
    }
    for s in &mut conns {
        let v: Value = serde_json::from_str(&read_response(s)).unwrap();
        assert_eq!(v["result"], json!("0x10f"));
    }
    // Every connection is still open (keep-alive): a second round on each is answered too.
    for s in &mut conns {
        s.write_all(request.as_bytes()).unwrap();
    }
    for s in &mut conns {
        assert!(read_response(s).contains("0x10f"));
    }
    eprintln!(
        "{CONNECTIONS} connections, 2 requests each: {:?}",
        started.elapsed()
    );
    drop(conns);
    assert_eq!(
        rpc(addr, "eth_chainId", json!([]))["result"],
        json!("0x10f")
    );
    rt.block_on(server.shutdown()).unwrap();
}
