//! `flywheel run --preset prividium-institutions`: the Prividiums' share of calls, fees and
//! burn, in the table and in `--json`, exact and adding up; other presets show no such part.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use alloy_primitives::U256;
use common::{flywheel, json, ok};

#[test]
fn the_prividium_preset_reports_its_shares_in_both_outputs() {
    let args = [
        "run",
        "--preset",
        "prividium-institutions",
        "--days",
        "60",
        "--runs",
        "3",
    ];
    let text = ok(flywheel(&args));
    assert!(
        text.contains("Prividium chains (bank-a, asset-manager-b, bank-c, custodian-d)"),
        "{text}"
    );
    for row in ["calls", "fixed ZK fees", "settlement fees", "ZK burned"] {
        assert!(
            text.lines().any(|l| l.starts_with(row) && l.ends_with('%')),
            "{row}: {text}"
        );
    }
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let v = json(&ok(flywheel(&with_json)));
    let figures = v["prividium"]["figures"].as_object().expect("figures");
    let n = |f: &serde_json::Value, k: &str| f[k].as_str().unwrap().parse::<U256>().unwrap();
    for (name, f) in figures {
        assert_eq!(n(f, "prividium") + n(f, "public"), n(f, "total"), "{name}");
    }
    let calls = &figures["calls"];
    assert!(n(calls, "prividium") > U256::ZERO && n(calls, "public") > U256::ZERO);
    // Every institution is named, joined or not (two have joined by day 60).
    assert_eq!(v["prividium"]["institutions"].as_array().unwrap().len(), 4);
}

#[test]
fn presets_without_institutions_have_no_prividium_part() {
    let text = ok(flywheel(&[
        "run",
        "--preset",
        "seed-baseline",
        "--days",
        "3",
    ]));
    assert!(!text.contains("Prividium"), "{text}");
    let v = json(&ok(flywheel(&[
        "run",
        "--preset",
        "seed-baseline",
        "--days",
        "3",
        "--json",
    ])));
    assert!(v.get("prividium").is_none());
}
