//! What-if throughput: the dashboard's request (200 paths × 365 days, flow fidelity) answered
//! by `flywheel serve`'s router over loopback HTTP, with 1 and 2 clients at once, against the
//! same work called in process (`exec::what_if`), measured in the same run. Prints figures;
//! asserts nothing about time.
//!
//!     cargo bench -p flywheel-cli --bench whatif

// A benchmark: a failed setup panics (the workspace denies these outside tests and benches).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flywheel_server::api::{self, AppState};
use flywheel_server::exec::{self, ScenarioInput};
use flywheel_server::store::Store;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const BODY: &str =
    r#"{"preset":"v31-baseline","runs":200,"days":365,"set":{"protocol.burn_bps":5000}}"#;

/// One POST /api/whatif over a fresh connection; returns the status line and body length.
fn request(addr: SocketAddr) -> (String, usize) {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "POST /api/whatif HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
        BODY.len()
    )
    .expect("send");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    let text = String::from_utf8_lossy(&out);
    let status = text.lines().next().unwrap_or("").to_string();
    (status, out.len())
}

fn rate(n: usize, clients: usize, addr: SocketAddr) -> f64 {
    let start = Instant::now();
    let per = n / clients;
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..per {
                    let (status, len) = request(addr);
                    assert!(status.contains(" 200 "), "{status}");
                    assert!(len > 10_000);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("client");
    }
    (per * clients) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let dir = std::env::temp_dir().join(format!("flywheel-bench-whatif-{}", std::process::id()));
    let (store, _) = Store::open(&dir.join("runs.db")).expect("store");
    let state = AppState::new(store);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = api::serve(SocketAddr::from(([127, 0, 0, 1], 0)), state, |a| {
            let _ = tx.send(a);
        });
    });
    let addr = rx.recv_timeout(Duration::from_secs(10)).expect("server up");

    let input: ScenarioInput = serde_json::from_str(BODY).expect("input");
    let r = exec::resolve(&input, None).expect("resolve");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Warm up both paths.
    for _ in 0..3 {
        exec::what_if(&r).expect("what-if");
        request(addr);
    }
    let n = 40;
    let start = Instant::now();
    for _ in 0..n {
        exec::what_if(&r).expect("what-if");
    }
    let direct = n as f64 / start.elapsed().as_secs_f64();
    // The sim alone on the same scenario (no steps kept, sketched bands only): what exact
    // bands and the median run's flows cost on top.
    let opts = flywheel_sim::monte_carlo::Options {
        runs: r.v.scenario.runs,
        fidelity: r.v.scenario.fidelity,
    };
    let start = Instant::now();
    for _ in 0..n {
        flywheel_sim::monte_carlo::simulate(&r.v, opts, false, |_, _| {}, &|_| {}).expect("sim");
    }
    let sim = n as f64 / start.elapsed().as_secs_f64();
    let one = rate(n, 1, addr);
    let two = rate(n, 2, addr);
    println!("what-if, 200 paths × 365 days, flow fidelity ({threads} threads)");
    println!(
        "  sim alone (simulate, no steps)    {sim:7.2} /s  ({:.1} ms each)",
        1e3 / sim
    );
    println!(
        "  in process (exec::what_if)        {direct:7.2} /s  ({:.1} ms each; {:.2} of the sim alone)",
        1e3 / direct,
        direct / sim
    );
    println!(
        "  HTTP POST /api/whatif, 1 client   {one:7.2} /s  ({:.1} ms each; {:.2} of in-process)",
        1e3 / one,
        one / direct
    );
    println!(
        "  HTTP POST /api/whatif, 2 clients  {two:7.2} /s  ({:.2} of in-process)",
        two / direct
    );
    let _ = std::fs::remove_dir_all(&dir);
}
