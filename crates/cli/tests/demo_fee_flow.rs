//! `flywheel demo fee-flow` runs the fee routes end to end and checks its own accounting.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{assert_contains_all, flywheel, ok};

#[test]
fn fee_flow_demo_walks_every_route() {
    let text = ok(flywheel(&["demo", "fee-flow"]));
    assert_contains_all(
        &text,
        &[
            "settlement fee for 5 interop call(s) of era",
            "rejected: FeeFlow_Unauthorized: alice may not call setBidThreshold",
            "rejected: FeeFlow_ThresholdBelowMin",
            "claimed its whole base-token fee accrual, 0.002 ETH, for operator-era",
            "claimed 30 ZK of fixed fees",
            "era: operator-era → FeeFlow 0.001 ETH",
            "rejected: InvalidFeeRecipient",
            "the Splitter holds 14 ZK until someone calls split()",
            "rejected: FeeFlow_InsufficientBalance: Fee Flow holds 1000000000000000 wei of ETH, the request needs at least 1000000000000001",
            "nothing changed: the claimer still holds 150000 ZK, the pool 0.001 ETH, the Splitter 14 ZK",
            "rejected: FeeFlow_InvalidFeeToken: ZK is the bid token",
            "rejected: FeeFlow_ClaimPaused",
            "Splitter split 100014 ZK: burned 100014 ZK, distributed 0 ZK",
            "Fee Flow Claimed: claimer bid 100000 ZK for ETH (at least 0.001)",
            "burned 100014)",
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
