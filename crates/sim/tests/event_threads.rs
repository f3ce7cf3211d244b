//! Event mode on several threads: a day's executions (and large logs trees) are hashed in
//! parallel inside the protocol, then applied in order. Every output is byte-identical to a
//! one-thread run, whatever the thread count.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flywheel_sim::engine::run_path;
use flywheel_sim::event_ledger::EventLedger;
use flywheel_sim::scenario::Scenario;

/// Two chains sending to each other, 2,500 single-call bundles a day: each settlement proves
/// and executes a batch of hundreds of bundles, above the parallel threshold.
const BUSY: &str = r#"
name = "busy"
days = 3
seed = 11

[traffic]
model = "poisson"
calls_per_day = 2500

[users]
calls_per_bundle = 1
fee_mode = "cheapest"
always_fixed_share = 0.3

[protocol]
gateway_settlement_fee = "1 ZK"

[claimer]
gas_usd = 0.0

[[chains]]
name = "era"
base_token = "ETH"
traffic_share = 0.6

[[chains]]
name = "zkchain"
base_token = "ZK"
traffic_share = 0.4
"#;

fn run(threads: usize) -> (String, String) {
    let v = Scenario::from_toml(BUSY).unwrap().validate().unwrap();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| {
            let mut steps = Vec::new();
            let mut ledger = EventLedger::new(&v).unwrap();
            let totals = run_path(&v, &mut ledger, 0, |s| steps.push(*s)).unwrap();
            let state = format!("{:?}", ledger.network().state());
            (format!("{steps:?} {totals:?}"), state)
        })
}

#[test]
fn event_mode_is_byte_identical_on_any_thread_count() {
    let one = run(1);
    assert!(one.0.contains("bundles"), "the run produced records");
    for threads in [2, 4] {
        let many = run(threads);
        assert!(many.0 == one.0, "records differ on {threads} threads");
        assert!(many.1 == one.1, "final state differs on {threads} threads");
    }
}
