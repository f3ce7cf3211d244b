//! `flywheel demo priority-mode` walks Stage 1 priority mode end to end, and its JSON event log
//! replays to the state the walk reached.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{assert_contains_all, flywheel, ok};
use flywheel_protocol::event::Event;
use flywheel_protocol::genesis::Genesis;
use flywheel_protocol::interop::recipient::Code;
use flywheel_protocol::network::Network;
use flywheel_protocol::priority::PriorityEvent;

#[test]
fn priority_mode_demo_walks_arming_censorship_activation_drain_and_deactivation() {
    let text = ok(flywheel(&["demo", "priority-mode"]));
    assert_contains_all(
        &text,
        &[
            "PriorityModeAllowed (armed, for good)",
            "rejected: not compatible with priority mode",
            "it cannot send interop (and a chain armed for priority mode may never move to Gateway)",
            "rejected: fee change too large",
            "batch 3 committed by operator-l1-chain (0 L1 tx(s), 500 L2 tx(s))",
            "rejected: too early: priority mode may be activated from 1780356400, now is 1780356399",
            "PriorityModeActivated by bob",
            "1 committed batch(es) not yet executed were reverted",
            "rejected: operator-l1-chain is not authorized",
            "rejected: in priority mode a batch holds only L1 transactions",
            "committed by rescuer (2 L1 tx(s), 0 L2 tx(s))",
            "request 1: 2 ETH, waited 4d 00h 00m 00s",
            "PriorityModeDeactivated",
            "priority mode ended 15d 00h 00m 01s after the proposal",
            "rebuilds the same state",
        ],
    );
}

#[test]
fn priority_mode_demo_json_replays_over_the_devnet() {
    let out = ok(flywheel(&["demo", "priority-mode", "--json"]));
    let events: Vec<Event> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is an Event"))
        .collect();
    for wanted in [
        |e: &Event| {
            matches!(
                e,
                Event::Priority(PriorityEvent::PriorityModeActivated { .. })
            )
        },
        |e: &Event| {
            matches!(
                e,
                Event::Priority(PriorityEvent::PriorityModeDeactivated { .. })
            )
        },
    ] {
        assert!(events.iter().any(wanted));
    }
    let net = Network::replay(&Genesis::devnet(), Code::default(), &events).expect("replays");
    let d = net
        .state()
        .priority
        .get(flywheel_protocol::genesis::devnet::L1_CHAIN)
        .unwrap();
    assert_eq!(d.queue_size(), 0, "the queue drained");
    assert!(!d.priority_mode.activated && d.priority_mode.can_be_activated);
}
