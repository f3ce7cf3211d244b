//! Request limits of the query methods, as geth applies them: `eth_feeHistory`'s reward
//! percentiles and block count, and the installed filters (a cap per chain, and expiry of a
//! filter nobody polls). A refused request changes nothing.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flywheel_devnet::config::Layout;
use flywheel_devnet::limits::{MAX_FEE_HISTORY_BLOCKS, MAX_FILTERS, MAX_REWARD_PERCENTILES};
use flywheel_devnet::rpc::{INVALID_PARAMS, SERVER_ERROR};
use flywheel_devnet::Devnet;
use serde_json::{json, Value};
use std::time::Duration;

mod common;
use common::{ok, rpc};

const L2: usize = 2;

fn devnet() -> Devnet {
    Devnet::new(Layout::with_l2s(1), 1_700_000_000).unwrap()
}

fn number(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

#[test]
fn fee_history_percentiles_are_checked_and_the_count_clamped() {
    let mut d = devnet();
    for _ in 0..MAX_FEE_HISTORY_BLOCKS + 5 {
        ok(&mut d, L2, "evm_mine", json!([]));
    }
    let head = number(&ok(&mut d, L2, "eth_blockNumber", json!([])));
    let h = ok(
        &mut d,
        L2,
        "eth_feeHistory",
        json!(["0x1000", "latest", [0, 10, 50, 50, 100]]),
    );
    assert_eq!(number(&h["oldestBlock"]), head + 1 - MAX_FEE_HISTORY_BLOCKS);
    let rewards = h["reward"].as_array().unwrap();
    assert_eq!(rewards.len() as u64, MAX_FEE_HISTORY_BLOCKS);
    assert_eq!(rewards[0].as_array().unwrap().len(), 5);
    let full: Vec<f64> = (0..MAX_REWARD_PERCENTILES).map(|i| i as f64).collect();
    ok(&mut d, L2, "eth_feeHistory", json!(["0x2", "latest", full]));
    let too_many: Vec<f64> = (0..=MAX_REWARD_PERCENTILES)
        .map(|i| i as f64 / 2.0)
        .collect();
    let state = d.network().state().clone();
    for (pc, needle) in [
        (json!(too_many), "at most 100 entries, got 101"),
        (json!([-1]), "entry 0 is -1, outside [0, 100]"),
        (json!([10, 100.5]), "entry 1 is 100.5, outside [0, 100]"),
        (json!([10, 50, 20]), "entry 2 (20) is below entry 1 (50)"),
        (json!(["10"]), "rewardPercentiles"),
    ] {
        let e = rpc(&mut d, L2, "eth_feeHistory", json!(["0x2", "latest", pc])).unwrap_err();
        assert_eq!(e.code, INVALID_PARAMS, "{pc}: {e:?}");
        assert!(e.message.contains("rewardPercentiles"), "{}", e.message);
        assert!(e.message.contains(needle), "{pc}: {}", e.message);
    }
    assert_eq!(d.network().state(), &state);
    assert_eq!(number(&ok(&mut d, L2, "eth_blockNumber", json!([]))), head);
}

#[test]
fn installed_filters_are_capped_per_chain() {
    let mut d = devnet();
    let ids: Vec<Value> = (0..MAX_FILTERS)
        .map(|i| {
            let m = if i % 2 == 0 {
                "eth_newBlockFilter"
            } else {
                "eth_newFilter"
            };
            let p = if i % 2 == 0 { json!([]) } else { json!([{}]) };
            ok(&mut d, L2, m, p)
        })
        .collect();
    let count = d.node(L2).unwrap().filters.len();
    assert_eq!(count, MAX_FILTERS);
    for (m, p) in [
        ("eth_newBlockFilter", json!([])),
        ("eth_newFilter", json!([{}])),
    ] {
        let e = rpc(&mut d, L2, m, p).unwrap_err();
        assert_eq!(e.code, SERVER_ERROR, "{e:?}");
        assert!(e.message.contains("at most 1000"), "{}", e.message);
    }
    assert_eq!(d.node(L2).unwrap().filters.len(), MAX_FILTERS);
    // The cap is per chain, and uninstalling frees a place.
    ok(&mut d, 0, "eth_newBlockFilter", json!([]));
    assert_eq!(ok(&mut d, L2, "eth_uninstallFilter", json!([ids[0]])), true);
    let fresh = ok(&mut d, L2, "eth_newBlockFilter", json!([]));
    assert_eq!(
        ok(&mut d, L2, "eth_getFilterChanges", json!([fresh])),
        json!([])
    );
}

#[test]
fn a_filter_nobody_polls_expires() {
    let mut d = devnet();
    let timeout = Duration::from_secs(2);
    d.set_filter_timeout(timeout);
    let idle = ok(&mut d, L2, "eth_newBlockFilter", json!([]));
    let logs = ok(&mut d, L2, "eth_newFilter", json!([{}]));
    let polled = ok(&mut d, L2, "eth_newBlockFilter", json!([]));
    std::thread::sleep(timeout * 3 / 5);
    ok(&mut d, L2, "evm_mine", json!([]));
    assert_eq!(
        ok(&mut d, L2, "eth_getFilterChanges", json!([polled]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    ok(&mut d, L2, "eth_getFilterLogs", json!([logs]));
    std::thread::sleep(timeout * 3 / 5);
    // `idle` was last touched 1.2 timeouts ago; the other two 0.6.
    let e = rpc(&mut d, L2, "eth_getFilterChanges", json!([idle])).unwrap_err();
    assert_eq!(e.code, SERVER_ERROR);
    assert!(e.message.contains("filter not found"), "{}", e.message);
    assert_eq!(ok(&mut d, L2, "eth_uninstallFilter", json!([idle])), false);
    assert_eq!(
        ok(&mut d, L2, "eth_getFilterChanges", json!([polled])),
        json!([])
    );
    ok(&mut d, L2, "eth_getFilterChanges", json!([logs]));
    assert_eq!(d.node(L2).unwrap().filters.len(), 2);
}
