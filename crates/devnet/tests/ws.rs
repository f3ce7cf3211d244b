//! WebSocket JSON-RPC on each chain's HTTP port: ordinary calls, `eth_subscribe` to `newHeads`
//! and to `logs` filtered by address and topics — a watcher sees a relayed bundle's
//! `BundleExecuted` — `eth_unsubscribe`, and the per-connection subscription limit.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::{Address, B256};
use alloy_sol_types::SolEvent;
use flywheel_devnet::config::{Layout, DEFAULT_BATCH_INTERVAL};
use flywheel_devnet::limits::MAX_WS_SUBSCRIPTIONS;
use flywheel_devnet::server::{serve, spawn_batch_timer, Shared};
use flywheel_devnet::system::{abi, plain_bundle_calldata};
use flywheel_devnet::Devnet;
use flywheel_protocol::chain::{INTEROP_CENTER, INTEROP_HANDLER};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// The next text message, within five seconds.
async fn next(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("no message within 5 s")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = m {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// Sends a call and returns its answer (notifications that arrive first are skipped).
async fn call(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    send(
        ws,
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
    )
    .await;
    loop {
        let v = next(ws).await;
        if v["id"] == json!(id) {
            return v;
        }
    }
}

#[test]
fn a_websocket_watcher_sees_a_relayed_bundles_bundle_executed_log() {
    let devnet = Devnet::new(Layout::default(), 1_700_000_000).unwrap();
    let dev = devnet.accounts()[0].address;
    let dest_id = devnet.chains()[3].id;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let server = serve(Shared::new(devnet), IpAddr::V4(Ipv4Addr::LOCALHOST), 0)
            .await
            .unwrap();
        spawn_batch_timer(server.devnet.clone(), DEFAULT_BATCH_INTERVAL, true);
        let (src, dest) = (server.addrs[2], server.addrs[3]);
        let (mut w_dest, _) = tokio_tungstenite::connect_async(format!("ws://{dest}/")).await.unwrap();
        let (mut w_src, _) = tokio_tungstenite::connect_async(format!("ws://{src}/")).await.unwrap();
        // An ordinary call over the socket.
        let id = call(&mut w_dest, 1, "eth_chainId", json!([])).await;
        assert_eq!(id["result"], json!(format!("{dest_id:#x}")));
        // Subscriptions: BundleExecuted at the InteropHandler, and new heads.
        let logs = call(
            &mut w_dest,
            2,
            "eth_subscribe",
            json!(["logs", {"address": INTEROP_HANDLER, "topics": [abi::BundleExecuted::SIGNATURE_HASH]}]),
        )
        .await;
        let logs_id = logs["result"].clone();
        assert!(logs_id.is_string(), "{logs}");
        let heads = call(&mut w_dest, 3, "eth_subscribe", json!(["newHeads"])).await["result"].clone();
        assert_ne!(heads, logs_id);
        // The send goes over the source chain's socket.
        let sent = call(
            &mut w_src,
            1,
            "eth_sendTransaction",
            json!([{"from": dev, "to": INTEROP_CENTER,
                    "data": plain_bundle_calldata(dest_id, Address::repeat_byte(0x71), vec![])}]),
        )
        .await;
        let tx: B256 = serde_json::from_value(sent["result"].clone()).unwrap();
        let trace = call(&mut w_src, 2, "flywheel_traceBundle", json!([tx])).await;
        let bundle: B256 = serde_json::from_value(trace["result"]["bundleHash"].clone()).unwrap();
        // The relayer executes it; the watcher sees the head that holds it and the log.
        let (mut saw_head, mut saw_log) = (false, false);
        while !(saw_head && saw_log) {
            let v = next(&mut w_dest).await;
            assert_eq!(v["method"], "eth_subscription", "{v}");
            let p = &v["params"];
            if p["subscription"] == heads {
                assert!(p["result"]["number"].is_string() && p["result"]["hash"].is_string());
                saw_head = true;
            } else {
                assert_eq!(p["subscription"], logs_id);
                let r = &p["result"];
                assert_eq!(r["topics"][0], json!(abi::BundleExecuted::SIGNATURE_HASH));
                assert_eq!(r["topics"][1], json!(bundle));
                saw_log = true;
            }
        }
        // Unsubscribing: true once, then false.
        let u = call(&mut w_dest, 4, "eth_unsubscribe", json!([logs_id])).await;
        assert_eq!(u["result"], json!(true));
        let u = call(&mut w_dest, 5, "eth_unsubscribe", json!([logs_id])).await;
        assert_eq!(u["result"], json!(false));
        server.shutdown().await.unwrap();
    });
}

#[test]
fn subscriptions_are_limited_and_bad_ones_refused() {
    let devnet = Devnet::new(Layout::with_l2s(1), 1_700_000_000).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let server = serve(Shared::new(devnet), IpAddr::V4(Ipv4Addr::LOCALHOST), 0)
            .await
            .unwrap();
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/", server.addrs[0]))
            .await
            .unwrap();
        for (i, params, needle) in [
            (1, json!(["pendingTransactions"]), "not served"),
            (2, json!(["logs", {"fromBlock": "0x0"}]), "fromBlock"),
            (
                3,
                json!(["logs", {"address": "nope"}]),
                "parameter 1 (filter)",
            ),
            (4, json!([]), "subscription name"),
        ] {
            let v = call(&mut ws, i, "eth_subscribe", params).await;
            let m = v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert!(m.contains(needle), "{i}: {v}");
        }
        for i in 0..MAX_WS_SUBSCRIPTIONS as u64 {
            let v = call(&mut ws, 100 + i, "eth_subscribe", json!(["newHeads"])).await;
            assert!(v["result"].is_string(), "{v}");
        }
        let v = call(&mut ws, 99, "eth_subscribe", json!(["newHeads"])).await;
        let m = v["error"]["message"].as_str().unwrap().to_string();
        assert!(
            m.contains(&format!("at most {MAX_WS_SUBSCRIPTIONS}")),
            "{m}"
        );
        // A batch over the socket is answered as over HTTP.
        send(
            &mut ws,
            json!([{"jsonrpc": "2.0", "id": 7, "method": "eth_blockNumber"},
                   {"jsonrpc": "2.0", "id": 8, "method": "net_version"}]),
        )
        .await;
        let mut batch = next(&mut ws).await;
        while !batch.is_array() {
            batch = next(&mut ws).await;
        }
        assert_eq!(batch.as_array().unwrap().len(), 2);
        server.shutdown().await.unwrap();
    });
}
