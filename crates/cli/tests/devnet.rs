//! `flywheel devnet` as a user runs it: the start-up table, a JSON-RPC call, Ctrl-C with
//! `--dump-state`, a restart from that file, and configuration errors on one line.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fails, flywheel};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("flywheel-cli-devnet-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Starts the devnet and reads its table up to "Listening"; returns the child, the table and
/// each chain's URL host:port.
fn start(args: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flywheel"))
        .arg("devnet")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut table = String::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "ended early:\n{table}"
        );
        table.push_str(&line);
        if line.starts_with("Listening") {
            break;
        }
    }
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
    });
    // The chain rows (the SDK environment lines below them also hold URLs).
    let urls = table
        .lines()
        .filter(|l| !l.contains("export "))
        .filter_map(|l| l.split("http://").nth(1))
        .map(str::to_string)
        .collect();
    (child, table, urls)
}

fn chain_id(host: &str) -> String {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let json = out.split_once("\r\n\r\n").unwrap().1;
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["result"].as_str().unwrap().to_string()
}

fn interrupt(mut child: Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    assert!(code.success(), "{code:?}");
}

#[cfg(unix)]
#[test]
fn starts_prints_its_table_serves_and_dumps_on_ctrl_c() {
    let dir = temp_dir("run");
    let dump = dir.join("state.json");
    let dump_s = dump.to_str().unwrap();
    let (child, table, urls) = start(&["--port", "0", "--chains", "2", "--dump-state", dump_s]);
    common::assert_contains_all(
        &table,
        &[
            "L1 ",
            "Gateway",
            "31337",
            "506",
            "271",
            "272",
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "InteropCenter",
            "0x000000000000000000000000000000000001000d",
            "Autorelay: off",
        ],
    );
    assert_eq!(urls.len(), 4);
    assert_eq!(chain_id(&urls[0]), "0x7a69");
    assert_eq!(chain_id(&urls[3]), "0x110");
    interrupt(child);
    assert!(dump.exists());
    // A restart from the dump with the same chains works; with other chains it is refused.
    let (child, _, urls) = start(&["--port", "0", "--state", dump_s]);
    assert_eq!(urls.len(), 4);
    assert_eq!(chain_id(&urls[2]), "0x10f");
    interrupt(child);
    let err = fails(flywheel(&[
        "devnet", "--port", "0", "--chains", "3", "--state", dump_s,
    ]));
    assert!(err.contains("other chains"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn the_zksync_local_layout_serves_its_chains_and_says_what_the_sdk_reads() {
    let (child, table, urls) = start(&["--layout", "zksync-local", "--port", "0", "--autorelay"]);
    common::assert_contains_all(
        &table,
        &[
            "Autorelay: on",
            "6565",
            "6566",
            // The SDK suites' L2 rich key, funded beside the dev accounts.
            "0x36615Cf349d7F6344891B1e7CA7C72883F5dc049",
            "0x7726827caac94a7f9e1b160f7ea819f172f7b6f9d2a97f992c38edeab82d4110",
            "L1_RPC_URL=http://",
            "SRC_L2_RPC=http://",
        ],
    );
    assert_eq!(urls.len(), 4);
    // Port order: L1, Gateway, then the L2s.
    assert_eq!(chain_id(&urls[0]), "0x7a69");
    assert_eq!(chain_id(&urls[1]), "0x1fa");
    assert_eq!(chain_id(&urls[2]), "0x19a5");
    assert_eq!(chain_id(&urls[3]), "0x19a6");
    interrupt(child);
    let err = fails(flywheel(&[
        "devnet",
        "--layout",
        "zksync-local",
        "--chains",
        "2",
    ]));
    assert!(err.contains("give one"), "{err}");
}

#[test]
fn bad_configuration_is_one_error_line() {
    let err = fails(flywheel(&["devnet", "--batch-interval", "0.001"]));
    assert!(err.contains("batch_interval"), "{err}");
    let err = fails(flywheel(&["devnet", "--chains", "0"]));
    assert!(err.contains("between 1 and"), "{err}");
    let dir = temp_dir("cfg");
    let cfg = dir.join("devnet.toml");
    std::fs::write(&cfg, "colour = 1\n").unwrap();
    let err = fails(flywheel(&["devnet", "--config", cfg.to_str().unwrap()]));
    assert!(err.contains("colour"), "{err}");
    let err = fails(flywheel(&[
        "devnet",
        "--config",
        dir.join("none.toml").to_str().unwrap(),
    ]));
    assert!(err.contains("cannot read"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `flywheel bench devnet` prints the bench binary's figures; in JSON each ratio is the HTTP
/// rate over the in-process rate measured in the same run, and the transaction count is
/// bounded.
#[test]
fn bench_devnet_prints_the_figures() {
    let out = flywheel(&["bench", "devnet", "--txs", "20", "--json"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let text = common::stdout(&out);
    let start = text.find('{').unwrap();
    let end = text.rfind('}').unwrap();
    let v = common::json(&text[start..=end]);
    assert_eq!(v["txs"], 20);
    for k in ["transfers", "send_bundle"] {
        let t = &v[k];
        let (rpc, local) = (
            t["rpc_per_sec"].as_f64().unwrap(),
            t["in_process_per_sec"].as_f64().unwrap(),
        );
        assert!(rpc > 0.0 && local > 0.0);
        assert!((t["ratio"].as_f64().unwrap() - rpc / local).abs() < 1e-9);
    }
    assert!(v["startup_ms"].as_f64().unwrap() > 0.0);
    assert!(v["relay_median_ms"].as_f64().unwrap() <= v["relay_max_ms"].as_f64().unwrap());
    let line = fails(flywheel(&["bench", "devnet", "--txs", "0"]));
    assert!(line.contains("--txs"), "{line}");
}

#[cfg(unix)]
#[test]
fn trace_follows_a_relayed_bundle_through_a_running_devnet() {
    use flywheel_devnet::client::call;
    use serde_json::json;
    let (child, _, urls) = start(&["--port", "0", "--chains", "2", "--autorelay"]);
    let (src, dest) = (format!("http://{}", urls[2]), format!("http://{}", urls[3]));
    let dev = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    let data = flywheel_devnet::system::plain_bundle_calldata(
        272,
        alloy_primitives::Address::repeat_byte(0x33),
        vec![],
    );
    let tx = call(
        &src,
        "eth_sendTransaction",
        json!([{"from": dev, "to": flywheel_protocol::chain::INTEROP_CENTER, "data": data}]),
    )
    .unwrap();
    let tx = tx.as_str().unwrap().to_string();
    // The relayer executes it within a few batch intervals.
    let mut text = String::new();
    for _ in 0..100 {
        let out = flywheel(&["devnet", "trace", &tx, "--rpc", &dest]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text = String::from_utf8(out.stdout).unwrap();
        if text.contains("status: executed") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    common::assert_contains_all(
        &text,
        &[
            "status: executed",
            "sent on chain 271",
            "imported the interop root",
            "executed on chain 272",
        ],
    );
    let out = flywheel(&["devnet", "trace", &tx, "--rpc", &src, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "executed");
    interrupt(child);
    let err = fails(flywheel(&["devnet", "trace", "0x12", "--rpc", &src]));
    assert!(err.contains("HASH"), "{err}");
}
