//! HTTP: one listener per chain (port P, P+1, …) serving JSON-RPC over POST, and over a
//! WebSocket on the same port (a GET upgraded, [`crate::ws`]), all sharing one [`Devnet`]
//! behind a mutex (calls are short and the protocol state is one across chains).
//!
//! Built on axum + tokio: hyper's HTTP/1 with keep-alive and graceful shutdown, and no
//! JSON-RPC framework, so that the envelope's error codes and limits are ours to set
//! (see [`crate::rpc`]).

use crate::error::DevnetError;
use crate::node::Devnet;
use crate::rpc::{self, RpcError, INVALID_REQUEST, MAX_BODY_BYTES};
use axum::body::Body;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The devnet shared by every chain's listener.
#[derive(Debug, Clone)]
pub struct Shared(Arc<Mutex<Devnet>>);

impl Shared {
    /// Wraps a devnet.
    pub fn new(devnet: Devnet) -> Self {
        Self(Arc::new(Mutex::new(devnet)))
    }

    /// Locks it. A handler never panics while holding the lock, but if one did, the state it
    /// guards changed only through whole protocol actions, so it is still consistent.
    pub fn lock(&self) -> MutexGuard<'_, Devnet> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Clone)]
struct ChainState {
    devnet: Shared,
    chain: usize,
    websockets: crate::ws::Connections,
}

/// Running listeners.
#[derive(Debug)]
pub struct Server {
    /// Each chain's address, in port order.
    pub addrs: Vec<SocketAddr>,
    /// The devnet they serve.
    pub devnet: Shared,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
}

/// Binds every chain's port (`port + i`, or a free port each when `port` is 0) and serves.
pub async fn serve(devnet: Shared, host: IpAddr, port: u16) -> Result<Server, DevnetError> {
    let n = devnet.lock().chains().len();
    let ports: Vec<u16> = (0..n)
        .map(|i| {
            if port == 0 {
                0
            } else {
                port.saturating_add(i as u16)
            }
        })
        .collect();
    serve_on(devnet, host, &ports).await
}

/// Binds chain `i` (port order) to `ports[i]` (0: a free port) and serves.
pub async fn serve_on(devnet: Shared, host: IpAddr, ports: &[u16]) -> Result<Server, DevnetError> {
    let n = devnet.lock().chains().len();
    if ports.len() != n {
        return Err(DevnetError::Config(format!(
            "{} ports given for {n} chains",
            ports.len()
        )));
    }
    let (stop, stopped) = watch::channel(false);
    let mut listeners = Vec::with_capacity(n);
    for &p in ports {
        let addr = SocketAddr::new(host, p);
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| DevnetError::Bind { addr, source })?;
        listeners.push(l);
    }
    let mut addrs = Vec::with_capacity(n);
    let mut tasks = Vec::with_capacity(n);
    for (chain, listener) in listeners.into_iter().enumerate() {
        addrs.push(listener.local_addr()?);
        let app = Router::new()
            .route("/", post(handle).get(upgrade))
            .with_state(ChainState {
                devnet: devnet.clone(),
                chain,
                websockets: crate::ws::Connections::default(),
            });
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await
        }));
    }
    Ok(Server {
        addrs,
        devnet,
        stop,
        tasks,
    })
}

/// With `--block-time`: seals every chain's pending transactions into a block each interval.
/// The task ends with the runtime.
pub fn spawn_block_timer(devnet: Shared, every: std::time::Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            devnet.lock().tick();
        }
    })
}

/// Every `--batch-interval`: seal batches and move roots (see [`Devnet::settle`]), then, with
/// `relay`, execute what became provable ([`Devnet::relay`]). The task ends with the runtime.
pub fn spawn_batch_timer(
    devnet: Shared,
    every: std::time::Duration,
    relay: bool,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let mut d = devnet.lock();
            // A refused settlement changes nothing and is tried again next tick.
            let _ = d.settle();
            if relay {
                d.relay();
            }
        }
    })
}

impl Server {
    /// Stops accepting, lets open requests finish, and returns once every listener is down.
    pub async fn shutdown(self) -> Result<(), DevnetError> {
        let _ = self.stop.send(true);
        for t in self.tasks {
            t.await
                .map_err(|e| std::io::Error::other(e.to_string()))??;
        }
        Ok(())
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A GET on `/`: a WebSocket upgrade (JSON-RPC with subscriptions, see [`crate::ws`]).
async fn upgrade(State(s): State<ChainState>, ws: WebSocketUpgrade) -> Response {
    crate::ws::upgrade(ws, s.devnet, s.chain, &s.websockets)
}

async fn handle(State(s): State<ChainState>, body: Body) -> Response {
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            let e = RpcError::new(
                INVALID_REQUEST,
                format!("request body exceeds the limit of {MAX_BODY_BYTES} bytes"),
            );
            let v = rpc::response(serde_json::Value::Null, Err(e));
            return json_response(StatusCode::PAYLOAD_TOO_LARGE, v.to_string());
        }
    };
    let request = rpc::parse(&bytes);
    let answer = rpc::answer(request, |call| s.devnet.lock().call(s.chain, call));
    match answer {
        Some(v) => json_response(StatusCode::OK, v.to_string()),
        None => StatusCode::OK.into_response(),
    }
}
