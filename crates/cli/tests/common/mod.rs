//! Helpers shared by the binary's test files: run `flywheel`, and check the output contract
//! (success: stdout only; failure: exit 2, empty stdout, one `error:` line).

// Each test crate uses its own subset of these.
#![allow(dead_code)]

use serde_json::Value;
use std::process::{Command, Output};

/// Runs the binary with `args`.
pub fn flywheel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flywheel"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

/// Succeeded, with nothing on stderr; returns stdout.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        stderr(&out)
    );
    assert_eq!(stderr(&out), "", "no stderr on success");
    stdout(&out)
}

/// Failed with status 2, empty stdout and exactly one `error:` line; returns that line.
pub fn fails(out: Output) -> String {
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), "", "no stdout on error");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err:?}");
    assert!(err.starts_with("error: "), "{err:?}");
    assert!(!err.contains("panicked"), "{err:?}");
    err.trim_end().to_string()
}

/// Parses JSON output.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text.trim()).expect("valid JSON")
}

/// Every needle appears in `text` (the whole text is shown when one is missing).
pub fn assert_contains_all(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}
