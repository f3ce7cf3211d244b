//! Invariant checks shared by the property-test files: each panics with a message naming the
//! broken identity.

// Each test crate uses its own subset of these.
#![allow(dead_code)]

use alloy_primitives::{Address, U256};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::network::State;
use flywheel_protocol::token::MAX_SUPPLY;
use std::collections::BTreeSet;

/// ZK supply never exceeds the 21B cap.
pub fn assert_zk_supply_within_cap(s: &State) {
    let supply = s.token.total_supply();
    assert!(
        supply <= MAX_SUPPLY,
        "ZK total supply {supply} exceeds MAX_SUPPLY {MAX_SUPPLY}"
    );
}

/// ZK supply equals the sum of the balances of every address that ever held ZK.
pub fn assert_zk_supply_is_sum_of_balances(s: &State, holders: &BTreeSet<Address>) {
    let sum = holders
        .iter()
        .fold(U256::ZERO, |acc, a| acc + s.token.balance_of(*a));
    assert_eq!(
        s.token.total_supply(),
        sum,
        "ZK total supply != sum of balances of {} holders",
        holders.len()
    );
}

/// minted − burned = supply.
pub fn assert_zk_minted_minus_burned_is_supply(s: &State) {
    let t = &s.token;
    assert_eq!(
        t.minted_total().checked_sub(t.burned_total()),
        Some(t.total_supply()),
        "minted {} - burned {} != supply {}",
        t.minted_total(),
        t.burned_total(),
        t.total_supply()
    );
}

/// Interop conserves value: per asset, balances + in flight = issued.
pub fn assert_interop_conserves_value(s: &State) {
    for asset in s.assets.keys() {
        let on_chains = s.total_balance(*asset);
        let in_flight = s.in_flight.get(asset).copied().unwrap_or_default();
        let issued = s.issued.get(asset).copied().unwrap_or_default();
        assert_eq!(
            on_chains.checked_add(in_flight),
            Some(issued),
            "asset {asset}: balances {on_chains} + in flight {in_flight} != issued {issued}"
        );
    }
}

/// A failed action leaves the state exactly as it was.
pub fn assert_failed_action_changed_nothing(
    before: &State,
    after: &State,
    action: &str,
    error: &ProtocolError,
) {
    assert!(
        before == after,
        "a failed action changed the state.\naction: {action}\nerror: {error}"
    );
}
