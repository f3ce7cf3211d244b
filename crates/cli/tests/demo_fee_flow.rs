//! `flywheel demo fee-flow` runs the fee routes end to end and checks its own accounting.

mod common;
use common::flywheel;

#[test]
fn fee_flow_demo_walks_every_route() {
    let out = flywheel(&["demo", "fee-flow"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "settlement fee for 2 chargeable call(s) of era",
        "to Fee Flow (fee switch)",
        "claimed 30 ZK of fixed fees",
        "rejected: stale Fee Flow nonce",
        "Fee Flow claim #1: claimer paid 100 ZK",
        "burned 108)",
        "identities hold",
        "rebuilds the same state",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn fee_flow_demo_json_is_one_event_per_line() {
    let out = flywheel(&["demo", "fee-flow", "--json"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 50);
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).expect("each line is JSON");
        assert!(v.is_object());
    }
}
