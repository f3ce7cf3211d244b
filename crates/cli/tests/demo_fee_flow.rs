//! `flywheel demo fee-flow` runs the fee routes end to end and checks its own accounting.

mod common;
use common::{assert_contains_all, flywheel, ok};

#[test]
fn fee_flow_demo_walks_every_route() {
    let text = ok(flywheel(&["demo", "fee-flow"]));
    assert_contains_all(
        &text,
        &[
            "settlement fee for 5 interop call(s) of era",
            "to Fee Flow (fee switch)",
            "claimed 30 ZK of fixed fees",
            "rejected: stale Fee Flow nonce",
            "Fee Flow claim #1: claimer paid 100 ZK",
            "burned 114)",
            "identities hold",
            "rebuilds the same state",
        ],
    );
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
