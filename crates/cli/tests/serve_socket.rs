//! `flywheel serve` over a real loopback socket, for what only the wire shows: idle and slow
//! connections closed after the header and body timeouts (shortened here to a second),
//! `Expect: 100-continue` answered 413 without the body, a chunked body counted while read,
//! and the Host, Origin and Content-Type refusals as a browser's requests reach them.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "server")]

use flywheel_server::api::{self, AppState};
use flywheel_server::limits::{Timeouts, MAX_BODY_BYTES};
use flywheel_server::store::Store;
use serde_json::Value;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(1);

/// A server on a free loopback port with `header` to send headers and a second for a body, in
/// a thread of its own (it stops with the test process).
fn server(tag: &str, header: Duration) -> SocketAddr {
    let dir = std::env::temp_dir().join(format!("flywheel-socket-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (store, _) = Store::open(&dir.join("runs.db")).expect("store");
    let state = AppState::new(store);
    let (tx, rx) = std::sync::mpsc::channel();
    let timeouts = Timeouts {
        header,
        body: TIMEOUT,
    };
    std::thread::spawn(move || {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        let _ = api::serve_with(any, state, timeouts, |a| {
            let _ = tx.send(a);
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("server up")
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Reads one response (its head, then Content-Length bytes).
fn read_reply(s: &mut TcpStream) -> Reply {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).expect("a response");
        assert_eq!(n, 1, "closed after {:?}", String::from_utf8_lossy(&buf));
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).expect("ASCII head");
    let status = head[9..12].parse().expect("status");
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().expect("length"))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("body");
    Reply { status, head, body }
}

fn send(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(request).expect("send");
    read_reply(&mut s)
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    send(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// Whether the server has closed `s` (EOF or reset), waiting at most `wait`.
fn closed_within(s: &mut TcpStream, wait: Duration) -> bool {
    let end = Instant::now() + wait;
    let mut sink = [0u8; 512];
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut sink) {
            Ok(0) => return true,
            // A 408 or other bytes before the close: keep reading to the end.
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// How many idle clients the test opens: a thousand, unless this process may not hold two
/// descriptors each (client and server side) with room to spare (`/proc/self/limits`).
fn idle_clients() -> usize {
    const WANTED: usize = 1_000;
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_string))
        })
        .and_then(|v| v.parse::<usize>().ok());
    match soft {
        Some(limit) if limit < 2 * WANTED + 200 => {
            let n = limit.saturating_sub(200) / 2;
            eprintln!("open-file limit {limit}: {n} idle clients instead of {WANTED}");
            n
        }
        _ => WANTED,
    }
}

#[test]
fn idle_connections_are_closed_and_do_not_block_others() {
    // Longer than the others': the machine may be busy while a thousand connections open.
    let idle_timeout = 2 * TIMEOUT;
    let addr = server("idle", idle_timeout);
    let n = idle_clients();
    let mut idle: Vec<TcpStream> = (0..n)
        .map(|i| {
            let mut s = TcpStream::connect(addr).expect("connect");
            // Some stop in the middle of their headers (a slow-headers client).
            if i % 10 == 0 {
                s.write_all(b"GET / HTTP/1.1\r\nHost: 127").expect("send");
            }
            s
        })
        .collect();
    // A kept-alive connection, idle after one answer.
    let mut kept = TcpStream::connect(addr).expect("connect");
    kept.write_all(format!("GET /api/presets HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .expect("send");
    assert_eq!(read_reply(&mut kept).status, 200);
    // Meanwhile a new client is served at once.
    let r = get(addr, "/api/presets");
    assert_eq!(r.status, 200, "{}", r.head);
    // One more, still open a while after it opened: closed by the timeout, not on arrival.
    let mut late = TcpStream::connect(addr).expect("connect");
    assert!(!closed_within(&mut late, idle_timeout / 4));
    idle.push(late);
    // All closed soon after the timeout.
    for (i, s) in idle.iter_mut().enumerate() {
        assert!(
            closed_within(s, 3 * idle_timeout),
            "idle connection {i} still open"
        );
    }
    assert!(
        closed_within(&mut kept, idle_timeout),
        "kept-alive connection still open"
    );
    assert_eq!(get(addr, "/api/runs").status, 200);
}

#[test]
fn a_declared_length_over_the_limit_is_refused_before_the_body() {
    let addr = server("expect", TIMEOUT);
    let huge = MAX_BODY_BYTES + 1;
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(
        format!(
            "POST /api/runs HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {huge}\r\nExpect: 100-continue\r\n\r\n"
        )
        .as_bytes(),
    )
    .expect("send");
    // 413 at once, not `100 Continue` (nor a 408 after waiting for the body).
    let r = read_reply(&mut s);
    assert_eq!(r.status, 413, "{}", r.head);
    let e = r.json();
    assert_eq!(e["key"], "content-length");
    assert_eq!(e["value"], huge.to_string());

    // Within the limit, the client is told to go on and the request is answered.
    let body = br#"{"runs": 1, "days": 2}"#;
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(
        format!(
            "POST /api/whatif HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .expect("send");
    let go_on = read_reply(&mut s);
    assert_eq!(go_on.status, 100, "{}", go_on.head);
    s.write_all(body).expect("body");
    let r = read_reply(&mut s);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    // A chunked body is counted while read.
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(
        format!(
            "POST /api/whatif HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\n\r\n"
        )
        .as_bytes(),
    )
    .expect("send");
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..4 {
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let r = read_reply(&mut s);
    assert_eq!(r.status, 413, "{}", r.head);
    assert_eq!(r.json()["key"], "body");
}

#[test]
fn a_slow_body_gets_408() {
    let addr = server("slow", TIMEOUT);
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(
        format!(
            "PUT /api/scenarios/slow HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: 100\r\n\r\n{{\"preset\": "
        )
        .as_bytes(),
    )
    .expect("send");
    let started = Instant::now();
    let r = read_reply(&mut s);
    assert_eq!(r.status, 408, "{}", r.head);
    assert!(started.elapsed() >= TIMEOUT / 2);
    assert_eq!(r.json()["key"], "body");
    assert_eq!(get(addr, "/api/scenarios").body, b"[]");
}

#[test]
fn browser_requests_from_elsewhere_are_refused_on_the_wire() {
    let addr = server("wire", TIMEOUT);
    let port = addr.port();
    let run = br#"{"input": {"runs": 1, "days": 2}}"#;
    let post = |headers: &str| {
        send(
            addr,
            format!(
                "POST /api/runs HTTP/1.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                run.len(),
                String::from_utf8_lossy(run)
            )
            .as_bytes(),
        )
    };
    // What a page on another site can send without a preflight.
    let r = post(&format!(
        "Host: {addr}\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\n\
         Sec-Fetch-Site: cross-site\r\n"
    ));
    assert_eq!(r.status, 403, "{}", r.head);
    assert_eq!(r.json()["key"], "origin");
    let r = post(&format!(
        "Host: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    ));
    assert_eq!(r.status, 415, "{}", r.head);
    assert_eq!(r.json()["key"], "content-type");
    // A rebinding page: its name as Host.
    let r = post(&format!(
        "Host: rebind.evil.example:{port}\r\nOrigin: http://rebind.evil.example:{port}\r\n\
         Content-Type: application/json\r\n"
    ));
    assert_eq!(r.status, 421, "{}", r.head);
    assert_eq!(r.json()["value"], format!("rebind.evil.example:{port}"));
    assert_eq!(get(addr, "/api/runs").body, b"[]", "nothing stored");
    // The dashboard's own request, as Chromium sends it.
    let r = post(&format!(
        "Host: localhost:{port}\r\nOrigin: http://localhost:{port}\r\n\
         Content-Type: application/json\r\nSec-Fetch-Site: same-origin\r\n"
    ));
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    // Unknown routes are JSON on the wire too.
    let r = get(addr, "/nope");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["key"], "path");
}
