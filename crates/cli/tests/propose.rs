// A test crate: `flywheel propose` end to end — its impact equals two `flywheel run`s of the
// base and the changed scenario on the same seeds, its files are written all or nothing, each
// dashboard lever gets a governance path, and bad input is one error line with exit 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_flywheel");

fn flywheel(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn ok_json(args: &[&str]) -> Value {
    let o = flywheel(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("flywheel-propose-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One error line naming `needle`, exit 2, nothing on stdout.
fn refused(args: &[&str], needle: &str) {
    let o = flywheel(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn the_impact_equals_two_runs_of_base_and_changed_on_the_same_seeds() {
    let dir = scratch("runs");
    // The changed scenario as a file beside its base: the preset with two levers moved.
    let shown = flywheel(&["scenario", "show", "v31-baseline", "--resolved"]);
    assert!(shown.status.success());
    let text = String::from_utf8(shown.stdout).unwrap();
    let changed = text
        .replace(
            "gateway_settlement_fee = \"5 ZK\"",
            "gateway_settlement_fee = \"9 ZK\"",
        )
        .replace(
            "fee_flow_threshold = \"1000000 ZK\"",
            "fee_flow_threshold = \"400000 ZK\"",
        );
    assert_ne!(changed, text);
    let file = dir.join("changed.toml");
    std::fs::write(&file, changed).unwrap();
    let f = file.to_str().unwrap();
    let common = ["--runs", "12", "--days", "40", "--seed", "3"];
    let mut args = vec![
        "propose",
        "--base",
        "v31-baseline",
        "--scenario",
        f,
        "--date",
        "2026-12-08",
        "--json",
    ];
    args.extend(common);
    let p = ok_json(&args);
    let mut base_args = vec![
        "run",
        "--preset",
        "v31-baseline",
        "--fidelity",
        "flow",
        "--json",
    ];
    base_args.extend(common);
    let mut changed_args = vec!["run", "--scenario", f, "--fidelity", "flow", "--json"];
    changed_args.extend(common);
    let (b, c) = (ok_json(&base_args), ok_json(&changed_args));
    let impact = &p["impact"][0];
    assert_eq!(impact["scenario_own"], true);
    let row = |name: &str| {
        impact["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["figure"] == name)
            .cloned()
            .unwrap()
    };
    let mut compared = 0;
    for (figure, band) in [
        ("ZK burned", "zk.burned_wei"),
        ("ZK supply at the horizon", "zk.supply_end_wei"),
        ("ZK bid in Fee Flow claims", "zk.auction_paid_wei"),
        ("staking rewards", "zk.staking_rewards_wei"),
        (
            "Splitter distributions (non-burned share)",
            "zk.distributed_wei",
        ),
        ("interop calls", "calls_total"),
        ("Fee Flow claims", "auction.claims"),
    ] {
        let r = row(figure);
        for (side, run) in [("base", &b), ("changed", &c)] {
            for q in ["p5", "p50", "p95"] {
                let want = &run["bands"][band][q];
                let want = want
                    .as_str()
                    .map_or_else(|| want.to_string(), str::to_string);
                assert_eq!(r[side][q].as_str().unwrap(), want, "{figure} {side} {q}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 42);
    // The change moved the burn (the settlement fee is burned), so the comparison means something.
    assert_ne!(row("ZK burned")["difference"]["p50"], "0");
    // Two governors: a ZIP for the settlement fee, a TPP for the threshold.
    let types: Vec<&str> = p["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["ZIP", "TPP"]);
    // The impact is stated at the scenario's own elasticity and two others.
    let e: Vec<f64> = p["impact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["elasticity"].as_f64().unwrap())
        .collect();
    assert_eq!(e, vec![0.0, 0.5, 1.0]);
    // At a positive elasticity the dearer call loses traffic.
    let calls = &p["impact"][2]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["figure"] == "interop calls")
        .unwrap()["difference"]["p50"];
    assert!(calls.as_str().unwrap().starts_with('-'), "{calls}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_dashboard_lever_gets_a_governance_path() {
    // The levers the dashboard's page offers (crates/server/web/app.js), each moved alone.
    let app = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../server/web/app.js"))
        .unwrap();
    let levers: Vec<&str> = app
        .lines()
        .filter_map(|l| l.trim().strip_prefix("{ path: '"))
        .map(|l| l.split('\'').next().unwrap())
        .collect();
    assert_eq!(
        levers,
        flywheel_protocol::governance::proposal_path::DASHBOARD_LEVERS.to_vec()
    );
    let values = [
        "12 ZK",
        "7 ZK",
        "500000 ZK",
        "5000",
        "8000",
        "60000",
        "0.4",
        "0.2",
        "0.02",
        "0.8",
        "12000000 ZK",
        "30000000 ZK",
    ];
    for (key, value) in levers.iter().zip(values) {
        let set = format!("{key}={value}");
        let mut args = vec![
            "propose",
            "--set",
            &set,
            "--runs",
            "2",
            "--days",
            "100",
            "--date",
            "2026-12-08",
            "--json",
        ];
        if *key == "protocol.burn_bps" {
            // Below 100% the Splitter needs somewhere to send the rest.
            args.extend([
                "--distributor",
                "0x00000000000000000000000000000000000000aa",
            ]);
        }
        let p = ok_json(&args);
        let change = &p["changes"][0];
        assert_eq!(change["key"], *key, "{set}");
        let path = &change["path"];
        if path["on_chain"] == true {
            assert!(
                path["governor"].is_string()
                    && path["address"].is_string()
                    && path["address_source"].is_string(),
                "{set}: {path}"
            );
        } else {
            assert!(
                path["kind"].as_str().unwrap().starts_with("not on chain"),
                "{set}: {path}"
            );
            assert!(
                p["proposals"].as_array().unwrap().is_empty(),
                "{set}: no calldata off chain"
            );
        }
    }
}

#[test]
fn out_writes_the_draft_all_or_nothing() {
    let dir = scratch("out");
    let out = dir.join("draft");
    let o = out.to_str().unwrap();
    let args = [
        "propose",
        "--set",
        "protocol.fee_flow_threshold=300000 ZK",
        "--runs",
        "3",
        "--days",
        "15",
        "--date",
        "2026-12-08",
        "--out",
        o,
    ];
    let r = flywheel(&args);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 10);
    assert!(
        names.contains(&"proposal.md".to_string()) && names.contains(&"proposal.json".to_string())
    );
    let md = std::fs::read_to_string(out.join("proposal.md")).unwrap();
    assert!(
        md.contains("## Motivation")
            && md.contains("setBidThreshold(uint256)")
            && md.contains("2026-12-18")
    );
    // The screen shows the same draft.
    assert!(String::from_utf8_lossy(&r.stdout).starts_with(md.lines().next().unwrap()));
    // A refused draft leaves the folder as it was.
    let before = std::fs::read(out.join("proposal.json")).unwrap();
    let bad = [
        "propose",
        "--set",
        "protocol.fee_flow_threshold=50000 ZK",
        "--runs",
        "3",
        "--days",
        "15",
        "--out",
        o,
    ];
    refused(&bad, "protocol.fee_flow_threshold");
    assert_eq!(std::fs::read(out.join("proposal.json")).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_one_line_naming_the_key_the_limit_and_the_value() {
    refused(
        &["propose", "--set", "protocol.burn_bps=20000"],
        "protocol.burn_bps",
    );
    refused(
        &[
            "propose",
            "--set",
            "protocol.burn_bps=9000",
            "--runs",
            "2",
            "--days",
            "5",
        ],
        "needs a distributor",
    );
    refused(
        &[
            "propose",
            "--set",
            "protocol.fee_flow_threshold=1 ZK",
            "--runs",
            "2",
            "--days",
            "5",
        ],
        "FeeFlow_ThresholdBelowMin",
    );
    refused(
        &["propose", "--set", "protocol.no_such_key=1"],
        "protocol.no_such_key",
    );
    refused(&["propose", "--set", "protocol.burn_bps"], "--set");
    refused(
        &["propose", "--runs", "2", "--days", "5"],
        "the changed scenario is the base",
    );
    refused(
        &[
            "propose",
            "--set",
            "protocol.burn_bps=10000",
            "--date",
            "2026-02-30",
        ],
        "--date",
    );
    refused(
        &[
            "propose",
            "--base",
            "no-such-preset",
            "--set",
            "protocol.burn_bps=10000",
        ],
        "--base",
    );
    refused(
        &["propose", "--set", "demand.elasticity=11"],
        "demand.elasticity",
    );
    refused(
        &[
            "propose",
            "--set",
            "protocol.burn_bps=9000",
            "--distributor",
            "0x12",
        ],
        "--distributor",
    );
}

#[test]
fn the_readme_example_is_the_commands_real_output() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let open = "<details><summary>flywheel propose … (the Markdown draft)</summary>\n\n";
    let start = readme.find(open).unwrap() + open.len();
    let end = start + readme[start..].find("\n</details>").unwrap();
    let shown = &readme[start..end];
    // The draft's own "Reproduce" line is the command that printed it.
    let command = shown
        .lines()
        .find(|l| l.starts_with("flywheel propose "))
        .unwrap();
    let args: Vec<String> = command
        .trim_start_matches("flywheel ")
        .split(" --")
        .enumerate()
        .flat_map(|(i, part)| {
            if i == 0 {
                return vec![part.to_string()];
            }
            let (flag, value) = part.split_once(' ').unwrap();
            vec![format!("--{flag}"), value.trim_matches('\'').to_string()]
        })
        .collect();
    let o = Command::new(BIN).args(&args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        shown,
        "README's example is stale: rerun {command}"
    );
}
