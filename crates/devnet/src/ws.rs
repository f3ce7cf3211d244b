//! WebSocket JSON-RPC beside HTTP, on the same port (a GET with `Upgrade: websocket` on `/`,
//! as anvil and geth serve it): every method the HTTP endpoint answers, plus
//! `eth_subscribe` / `eth_unsubscribe` for `newHeads` and `logs` (with `address` / `topics`),
//! which viem's and ethers' watchers use over WebSockets.
//!
//! Notifications are built from the same answers a client would poll for —
//! `eth_getBlockByNumber` for a new head, `eth_getLogs` over each new block with the
//! subscription's filter — so their shapes and the filter's rules are the HTTP endpoint's. A
//! connection with subscriptions checks its chain's head every [`WS_POLL`].
//!
//! Limits ([`crate::limits`]): [`MAX_WS_CONNECTIONS`] per chain (further upgrades get HTTP
//! 503 with the reason), [`MAX_WS_SUBSCRIPTIONS`] per connection (a JSON-RPC error naming the
//! limit), messages and frames up to [`MAX_WS_MESSAGE_BYTES`] (a larger one closes the
//! connection with code 1009, as tungstenite does).

use crate::limits::{MAX_WS_CONNECTIONS, MAX_WS_MESSAGE_BYTES, MAX_WS_SUBSCRIPTIONS, WS_POLL};
use crate::node::quantity;
use crate::rpc::{self, Call, RpcError};
use crate::server::Shared;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Open WebSocket connections of one chain.
#[derive(Debug, Clone, Default)]
pub struct Connections(Arc<AtomicUsize>);

/// One connection's place among [`Connections`], given back when the connection ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Connections {
    fn take(&self) -> Option<Slot> {
        let mut n = self.0.load(Ordering::SeqCst);
        loop {
            if n >= MAX_WS_CONNECTIONS {
                return None;
            }
            match self
                .0
                .compare_exchange(n, n + 1, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return Some(Slot(self.0.clone())),
                Err(now) => n = now,
            }
        }
    }
}

/// What a subscription follows.
#[derive(Debug, Clone)]
enum Kind {
    NewHeads,
    Logs(Value),
}

#[derive(Debug)]
struct Subscription {
    id: Value,
    kind: Kind,
}

/// Upgrades a GET on chain `chain` to a WebSocket session, unless the chain has
/// [`MAX_WS_CONNECTIONS`] open.
pub fn upgrade(ws: WebSocketUpgrade, devnet: Shared, chain: usize, open: &Connections) -> Response {
    let Some(slot) = open.take() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "too many WebSocket connections: at most {MAX_WS_CONNECTIONS} per chain; close one"
            ),
        )
            .into_response();
    };
    ws.max_message_size(MAX_WS_MESSAGE_BYTES)
        .max_frame_size(MAX_WS_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            session(socket, devnet, chain).await;
            drop(slot);
        })
}

fn head(devnet: &Shared, chain: usize) -> u64 {
    devnet
        .lock()
        .node(chain)
        .map_or(0, |n| n.head().record.number)
}

/// The answer to one text message (a call or a batch): subscriptions here, every other
/// method as over HTTP.
fn answer(
    text: &str,
    devnet: &Shared,
    chain: usize,
    subs: &mut Vec<Subscription>,
    next_id: &mut u64,
) -> Option<Value> {
    rpc::answer(rpc::parse(text.as_bytes()), |call| {
        match call.method.as_str() {
            "eth_subscribe" => subscribe(call, devnet, chain, subs, next_id),
            "eth_unsubscribe" => unsubscribe(call, subs),
            _ => devnet.lock().call(chain, call),
        }
    })
}

fn subscribe(
    call: &Call,
    devnet: &Shared,
    chain: usize,
    subs: &mut Vec<Subscription>,
    next_id: &mut u64,
) -> Result<Value, RpcError> {
    let p = call.positional()?;
    if subs.len() >= MAX_WS_SUBSCRIPTIONS {
        return Err(RpcError::server(format!(
            "too many subscriptions: at most {MAX_WS_SUBSCRIPTIONS} per connection; \
             eth_unsubscribe one"
        )));
    }
    let kind = match p.first().and_then(Value::as_str) {
        Some("newHeads") if p.len() == 1 => Kind::NewHeads,
        Some("logs") if p.len() <= 2 => {
            let mut filter = p.get(1).cloned().unwrap_or_else(|| json!({}));
            let Some(obj) = filter.as_object_mut() else {
                return Err(RpcError::invalid_params(
                    "parameter 1 (filter): an object with address and topics expected",
                ));
            };
            if let Some(k) = obj
                .keys()
                .find(|k| !matches!(k.as_str(), "address" | "topics"))
            {
                return Err(RpcError::invalid_params(format!(
                    "parameter 1 (filter): {k:?} is not a logs subscription key (address, topics)"
                )));
            }
            // The filter is checked as eth_getLogs checks it, on the head block.
            let n = quantity(head(devnet, chain));
            let mut probe = filter.clone();
            probe["fromBlock"] = n.clone();
            probe["toBlock"] = n;
            devnet
                .lock()
                .call(chain, &logs_call(probe))
                .map_err(|e| RpcError {
                    // eth_getLogs' parameter 0 is the subscription's parameter 1.
                    message: e.message.replacen("parameter 0", "parameter 1", 1),
                    ..e
                })?;
            Kind::Logs(filter)
        }
        Some("newHeads" | "logs") => {
            return Err(RpcError::invalid_params(
                "newHeads takes no options; logs takes one filter object",
            ))
        }
        Some(other) => {
            return Err(RpcError::invalid_params(format!(
                "subscription {other:?} is not served; newHeads and logs are"
            )))
        }
        None => {
            return Err(RpcError::invalid_params(
                "parameter 0: the subscription name (newHeads or logs) expected",
            ))
        }
    };
    *next_id += 1;
    let id = json!(format!("{:#x}", *next_id));
    subs.push(Subscription {
        id: id.clone(),
        kind,
    });
    Ok(id)
}

fn unsubscribe(call: &Call, subs: &mut Vec<Subscription>) -> Result<Value, RpcError> {
    let p = call.positional()?;
    let Some(id) = p.first().filter(|_| p.len() == 1) else {
        return Err(RpcError::invalid_params(
            "one parameter expected: the subscription id",
        ));
    };
    let before = subs.len();
    subs.retain(|s| &s.id != id);
    Ok(json!(subs.len() < before))
}

fn logs_call(filter: Value) -> Call {
    Call {
        id: Some(json!(1)),
        method: "eth_getLogs".into(),
        params: json!([filter]),
    }
}

/// Notifications for the blocks after `seen` up to the head; returns them and the new head.
fn notifications(
    devnet: &Shared,
    chain: usize,
    seen: u64,
    subs: &[Subscription],
) -> (Vec<Value>, u64) {
    let mut d = devnet.lock();
    let now = d.node(chain).map_or(seen, |n| n.head().record.number);
    let mut out = Vec::new();
    for n in seen.saturating_add(1)..=now {
        for s in subs {
            let results: Vec<Value> = match &s.kind {
                Kind::NewHeads => {
                    let call = Call {
                        id: Some(json!(1)),
                        method: "eth_getBlockByNumber".into(),
                        params: json!([quantity(n), false]),
                    };
                    d.call(chain, &call).ok().into_iter().collect()
                }
                Kind::Logs(filter) => {
                    let mut f = filter.clone();
                    f["fromBlock"] = quantity(n);
                    f["toBlock"] = quantity(n);
                    match d.call(chain, &logs_call(f)) {
                        Ok(Value::Array(logs)) => logs,
                        _ => Vec::new(),
                    }
                }
            };
            out.extend(results.into_iter().map(|result| {
                json!({
                    "jsonrpc": "2.0",
                    "method": "eth_subscription",
                    "params": {"subscription": s.id, "result": result},
                })
            }));
        }
    }
    (out, now)
}

async fn session(mut socket: WebSocket, devnet: Shared, chain: usize) {
    let mut subs: Vec<Subscription> = Vec::new();
    let mut next_id = 0u64;
    let mut seen = head(&devnet, chain);
    let mut tick = tokio::time::interval(WS_POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    // Closed, or a protocol error (an oversized message among them).
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                };
                if subs.is_empty() {
                    seen = head(&devnet, chain);
                }
                let reply = answer(&text, &devnet, chain, &mut subs, &mut next_id);
                if let Some(v) = reply {
                    if socket.send(Message::Text(v.to_string().into())).await.is_err() {
                        return;
                    }
                }
            }
            _ = tick.tick() => {
                if subs.is_empty() {
                    continue;
                }
                let (out, now) = notifications(&devnet, chain, seen, &subs);
                seen = now;
                for v in out {
                    if socket.send(Message::Text(v.to_string().into())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}
