//! `flywheel devnet`'s files: `--config` and `--state` that are not small regular files, and
//! `--state` / `--dump-state` paths that cannot be written, are each refused at start, quickly,
//! with one error line and exit 2.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "flywheel-cli-devnet-files-{tag}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `flywheel devnet ARGS --port 0`, which must exit within a few seconds (a devnet that
/// started, or a reader blocked on a FIFO, is killed and the test fails); returns the error line.
fn refused(args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flywheel"))
        .arg("devnet")
        .args(args)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{args:?} still running after 20 s: {}",
                common::stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out: Output = child.wait_with_output().unwrap();
    common::fails(out)
}

#[cfg(unix)]
#[test]
fn special_and_oversized_inputs_are_refused() {
    let dir = temp_dir("in");
    let fifo = dir.join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let big = dir.join("big");
    // Sparse: larger than either cap without using the disk.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(flywheel_devnet::limits::MAX_STATE_BYTES + 1)
        .unwrap();
    let (d, f, b) = (
        dir.to_str().unwrap(),
        fifo.to_str().unwrap(),
        big.to_str().unwrap(),
    );
    for flag in ["--config", "--state"] {
        for (path, needle) in [
            ("/dev/zero", "is a character device, not a regular file"),
            (d, "is a directory, not a regular file"),
            (f, "is a FIFO, not a regular file"),
            (b, "more than the limit of"),
        ] {
            let line = refused(&[flag, path]);
            assert!(line.contains(flag), "{line}");
            assert!(line.contains(path), "{line}");
            assert!(line.contains(needle), "{flag} {path}: {line}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unwritable_state_targets_are_refused_at_start() {
    let dir = temp_dir("out");
    let file = dir.join("file");
    std::fs::write(&file, "").unwrap();
    let missing = dir.join("none").join("s.json");
    let under_file = file.join("s.json");
    for flag in ["--dump-state", "--state"] {
        let line = refused(&[flag, missing.to_str().unwrap()]);
        assert!(
            line.contains(flag) && line.contains("does not exist"),
            "{line}"
        );
        let line = refused(&[flag, under_file.to_str().unwrap()]);
        assert!(line.contains("is not a directory"), "{line}");
    }
    let line = refused(&["--dump-state", dir.to_str().unwrap()]);
    assert!(line.contains("is a directory"), "{line}");
    // Nothing was left behind by the checks.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
