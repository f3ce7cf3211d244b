//! `flywheel demo prividium`: a denied call, an approval, an audit export, and a disclosure
//! verified then tampered with; its JSON log replays over the Prividium devnet.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{assert_contains_all, flywheel, ok};
use flywheel_protocol::event::Event;
use flywheel_protocol::interop::recipient::Code;
use flywheel_protocol::network::Network;
use flywheel_protocol::prividium::{Change, Decision};

#[test]
fn prividium_demo_denies_approves_exports_and_discloses() {
    let text = ok(flywheel(&["demo", "prividium"]));
    assert_contains_all(
        &text,
        &[
            "permanent-rollup capable: false",
            "rejected: TransactionNotAllowed: the filterer of chain 280 refused alice",
            "rejected: AlreadyWhitelisted(bank-ops)",
            "denied: needs one of the roles [trader]",
            "denied: mallory is not a registered user — decided by admission (user registry)",
            "rejected: chain 280 is a Prividium: transactions go through its sequencer's admission",
            "denied: no role of the caller may send interop to chain 270",
            "held as request 1: nothing moved",
            "denied: only carol may decide this transfer",
            "audit #23: carol approval.approve: request 1 approved — named approver carol",
            "answer: 211 ETH",
            "gateway: operator-prividium paid 2 ZK settlement fee for 1 interop call(s) of prividium",
            "era: bundle",
            "28 entries (5 denials)",
            "verified — alice sent 250 ETH to bob in batch 1",
            "the same proof claiming 1 wei more",
            "single-byte alterations is rejected",
            "rebuilds the same state",
        ],
    );
}

#[test]
fn prividium_demo_json_replays_over_the_prividium_devnet() {
    let out = ok(flywheel(&["demo", "prividium", "--json"]));
    let events: Vec<Event> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is an Event"))
        .collect();
    let net = Network::replay(
        &flywheel_protocol::prividium::devnet(),
        Code::default(),
        &events,
    )
    .expect("the log replays");
    let p = &net.state().prividiums[&flywheel_protocol::prividium::DEVNET_PRIVIDIUM];
    let denials = p
        .audit
        .iter()
        .filter(|e| matches!(e.decision, Decision::Denied(_)))
        .count();
    assert_eq!(denials, 5);
    assert!(p
        .audit
        .iter()
        .any(|e| matches!(e.decision, Decision::Approved { request: 1 })));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Prividium(p) if matches!(p.change, Change::TransactionsCommitted { .. })
    )));
    // The replayed state still discloses: the proof verifies against its L1.
    let proof = net
        .state()
        .disclose(flywheel_protocol::prividium::DEVNET_PRIVIDIUM, 5)
        .unwrap();
    let l1 = net.state().l1().unwrap();
    flywheel_protocol::prividium::disclosure::verify(l1, &proof).unwrap();
}

#[test]
fn prividium_demo_writes_its_audit_export() {
    let dir = std::env::temp_dir().join(format!("flywheel-prividium-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    ok(flywheel(&[
        "demo",
        "prividium",
        "--out",
        dir.to_str().unwrap(),
    ]));
    let jsonl = std::fs::read_to_string(dir.join("audit.jsonl")).unwrap();
    let csv = std::fs::read_to_string(dir.join("audit.csv")).unwrap();
    assert_eq!(jsonl.lines().count(), 28);
    assert_eq!(csv.lines().count(), 29, "a header and 28 rows");
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["decision"].is_string() && v["rule"].is_string());
    }
    assert!(csv.starts_with(
        "seq,time,chain,caller,request,contract,selector,detail,decision,reason,rule\n"
    ));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");
    let _ = std::fs::remove_dir_all(&dir);
}
