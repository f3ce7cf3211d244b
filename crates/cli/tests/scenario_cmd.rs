//! `flywheel scenario show|explain|new`, through the real binary: what they print is the
//! schema's, and what they write parses back to the scenario it came from.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flywheel_sim::presets;
use flywheel_sim::scenario::Scenario;

mod common;
use common::*;

#[test]
fn show_prints_each_preset_as_toml_that_parses_back_to_it() {
    for (name, _) in presets::PRESETS {
        let want = presets::preset(name).expect("presets parse");
        let text = ok(flywheel(&["scenario", "show", name]));
        assert_eq!(Scenario::from_toml(&text).expect("parses"), want, "{name}");
        let resolved = ok(flywheel(&["scenario", "show", name, "--resolved"]));
        assert_eq!(
            Scenario::from_toml(&resolved).expect("parses"),
            want,
            "{name}"
        );
        assert!(
            resolved.contains("fee_flow_min_threshold"),
            "defaults are filled in"
        );
    }
    let e = fails(flywheel(&["scenario", "show", "no-such-preset"]));
    assert_contains_all(&e, &["no-such-preset", "v31-baseline"]);
}

#[test]
fn explain_gives_meaning_unit_range_default_and_source() {
    let text = ok(flywheel(&["scenario", "explain", "protocol.burn_bps"]));
    assert_contains_all(
        &text,
        &[
            "Splitter burn share",
            "unit     bps",
            "0 to 10000 bps",
            "default  10000",
            "zk-token-fee-flow@69e8d9a",
        ],
    );
    // Indices are accepted; variants are named.
    let text = ok(flywheel(&[
        "scenario",
        "explain",
        "prices.zk.volatility_per_year",
    ]));
    assert_contains_all(&text, &["model = \"gbm\"", "fraction/√year"]);
    let text = ok(flywheel(&[
        "scenario",
        "explain",
        "chains[1].traffic_share",
    ]));
    assert!(text.starts_with("chains[].traffic_share\n"), "{text}");
    let amount = ok(flywheel(&[
        "scenario",
        "explain",
        "protocol.fixed_interop_fee",
    ]));
    assert_contains_all(&amount, &["amount", "0 to 1000000 ZK", "InteropCenter.sol"]);
    let one = json(&ok(flywheel(&[
        "scenario",
        "explain",
        "users.fee_mode",
        "--json",
    ])));
    assert_eq!(
        one["values"],
        serde_json::json!(["cheapest", "dynamic", "fixed"])
    );
    // No key: every key, one per row.
    let all = ok(flywheel(&["scenario", "explain"]));
    let keys = flywheel_sim::schema::keys();
    for k in &keys {
        assert!(all.contains(&format!("\n{}", k.key)), "{} missing", k.key);
    }
    let listed = json(&ok(flywheel(&["scenario", "explain", "--json"])));
    assert_eq!(listed.as_array().map(Vec::len), Some(keys.len()));
    // An unknown key: one line, exit 2, the nearest keys.
    let e = fails(flywheel(&["scenario", "explain", "protocol.burn"]));
    assert_contains_all(&e, &["protocol.burn", "nearest", "protocol.burn_bps"]);
}

#[test]
fn new_writes_a_commented_template_that_parses_back_to_the_preset() {
    let dir = std::env::temp_dir().join(format!("flywheel-scenario-new-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for name in [
        "v31-baseline",
        "prividium-institutions",
        "priority-mode-censorship",
    ] {
        let path = dir.join(format!("{name}.toml"));
        let p = path.to_str().expect("utf-8");
        let said = ok(flywheel(&["scenario", "new", "--preset", name, "--out", p]));
        assert!(said.contains("wrote"), "{said}");
        let text = std::fs::read_to_string(&path).expect("written");
        assert_eq!(
            Scenario::from_toml(&text).expect("the template parses"),
            presets::preset(name).expect("preset"),
            "{name}"
        );
        assert!(text.contains("# Splitter burn share"), "keys are explained");
        assert_eq!(
            ok(flywheel(&["scenario", "new", "--preset", name])),
            text,
            "stdout and the file agree"
        );
    }
    // A destination that cannot be written: one line, exit 2, nothing left behind.
    let missing = dir.join("no/such/folder/t.toml");
    let e = fails(flywheel(&[
        "scenario",
        "new",
        "--out",
        missing.to_str().expect("utf-8"),
    ]));
    assert!(e.contains("--out"), "{e}");
    let e = fails(flywheel(&["scenario", "new", "--preset", "nope"]));
    assert!(e.contains("--preset"), "{e}");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("listing")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no hidden temporaries left");
    let _ = std::fs::remove_dir_all(&dir);
}
