//! `flywheel demo governance`: stake, delegate, vote, execute, and earn only behind an active
//! delegate.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{assert_contains_all, flywheel, ok};

#[test]
fn governance_demo_changes_the_splitter_and_pays_only_active_delegation() {
    let text = ok(flywheel(&["demo", "governance"]));
    assert_contains_all(
        &text,
        &[
            "tally of proposal 1: For 701000000 · Against 0 · Abstain 0",
            "states: seasons TPP Succeeded, Splitter TPP Succeeded",
            "new splitter shares apply from 2026-06-07 20:27 UTC: 50% burn, 50% staking rewards",
            "participation in the last 5 proposals: alice 2, bob 0",
            "rejected: deposit 1 does not qualify for a bump",
            "dave (delegate bob: inactive): claimed 0 ZK",
            "reward script (off-chain, --rate=10): the stored rate reads 0.00%, below 10%: mint",
            "season-1 minter: Minted",
            "rejected: AccessControl: account keeper is missing role MINTER_ROLE on capped minter season-1 minter",
            "the stored rate reads 10.00%, within 0.01 points of 10%: no action",
            "== Season 2: realised reward rates ==",
            "rebuilds the same state",
        ],
    );
    let carol = text
        .lines()
        .find(|l| l.contains("carol (delegate alice: active)"))
        .expect("carol's line");
    let rate: f64 = carol
        .rsplit("= ")
        .next()
        .and_then(|r| r.split('%').next())
        .and_then(|r| r.parse().ok())
        .expect("a rate");
    assert!(
        rate > 3.0 && rate <= 10.0,
        "carol's realised rate {rate}% is within the pilot's 3–10% band"
    );
}
