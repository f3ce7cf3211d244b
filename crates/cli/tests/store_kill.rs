//! The run store survives `kill -9`: a `flywheel runs record` killed mid-run leaves its run
//! marked interrupted at the next open, and a run finished before is intact.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "server")]

use flywheel_server::store::{Part, Status, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn flywheel() -> Command {
    Command::new(env!("CARGO_BIN_EXE_flywheel"))
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flywheel-kill-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn record(db: &Path, args: &[&str]) -> Command {
    let mut c = flywheel();
    c.args(["runs", "--db"]).arg(db).arg("record").args(args);
    c
}

#[test]
fn a_run_killed_mid_way_is_marked_interrupted_and_finished_runs_are_intact() {
    let dir = scratch("sigkill");
    let db = dir.join("runs.db");
    let done = record(&db, &["--runs", "3", "--days", "20", "--steps"])
        .output()
        .expect("flywheel runs record");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let (summary, steps) = {
        let (s, _) = Store::open(&db).expect("open");
        (
            s.part(1, Part::Summary).expect("summary"),
            s.part(1, Part::Steps).expect("steps"),
        )
    };

    // A long run (about half a minute in a debug build), killed as soon as it is running.
    let mut child = record(&db, &["--runs", "540", "--days", "3650"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    loop {
        let (s, marked) = Store::open(&db).expect("open beside the live run");
        assert_eq!(marked, 0, "a live process's run is not interrupted");
        if let Ok(info) = s.run(2) {
            if info.status == Status::Running {
                break;
            }
            assert_eq!(info.status, Status::Queued, "{info:?}");
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the long run ended before it could be killed"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "never running");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
    let status = child.wait().expect("wait");
    assert!(!status.success());

    let (s, marked) = Store::open(&db).expect("reopen");
    assert_eq!(marked, 1);
    let killed = s.run(2).expect("run 2");
    assert_eq!(killed.status, Status::Interrupted);
    assert!(killed.error.as_deref().unwrap_or("").contains("stopped"));
    let first = s.run(1).expect("run 1");
    assert_eq!(first.status, Status::Done);
    assert_eq!(s.part(1, Part::Summary).expect("summary"), summary);
    assert_eq!(s.part(1, Part::Steps).expect("steps"), steps);
    // The dead process's scratch folder is gone; only the live store's lock remains.
    let left: Vec<String> = std::fs::read_dir(dir.join("runs.db.work"))
        .expect("work folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    drop(s);

    // The CLI sees the same.
    let out = flywheel()
        .args(["runs", "--db"])
        .arg(&db)
        .args(["list"])
        .output()
        .expect("list");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("interrupted") && text.contains("done"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn runs_commands_refuse_bad_input_with_one_line_and_exit_2() {
    let dir = scratch("bad");
    let db = dir.join("runs.db");
    for args in [
        vec!["show", "7"],
        vec!["show", "0"],
        vec!["delete", "-1"],
        vec!["export", "3", "--out", "x"],
        vec!["record", "--runs", "1000", "--days", "3650"],
    ] {
        let out = flywheel()
            .args(["runs", "--db"])
            .arg(&db)
            .args(&args)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{err}");
    }
    // Nothing was recorded by the refusals.
    let (s, _) = Store::open(&db).expect("open");
    assert!(s.list_runs().expect("list").is_empty());
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_refuses_a_corrupt_stored_row_and_writes_nothing() {
    let dir = scratch("corrupt");
    let db = dir.join("runs.db");
    let done = record(&db, &["--runs", "2", "--days", "5"])
        .output()
        .expect("flywheel runs record");
    assert!(done.status.success());
    let conn = rusqlite::Connection::open(&db).expect("open the store");
    conn.execute("UPDATE runs SET summary = '{\"runs\": 2' WHERE id = 1", [])
        .expect("corrupt the row");
    drop(conn);
    let target = dir.join("exported");
    let out = flywheel()
        .args(["runs", "--db"])
        .arg(&db)
        .args(["export", "1", "--out"])
        .arg(&target)
        .output()
        .expect("export");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: --db: run 1's summary.json: "),
        "{err}"
    );
    assert!(!target.exists(), "nothing written");
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("exported"))
        .collect();
    left.sort();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_prints_its_address_answers_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = scratch("serve");
    let mut child = flywheel()
        .args(["serve", "--port", "0", "--db"])
        .arg(dir.join("runs.db"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    write!(
        s,
        "GET /api/presets HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.200}");
    assert!(answer.contains("v31-baseline"));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(killed.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "still serving");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
