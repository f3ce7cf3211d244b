//! The simulation commands as users run them: `run`, `presets`, `sweep`, `sensitivity` and
//! `bench`, through the real binary, with small horizons so the suite stays quick in debug.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::U256;
use serde_json::Value;
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::*;

fn unique(kind: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "flywheel-sim-test-{}-{kind}-{n}",
        std::process::id()
    ))
}

/// A scenario file in a fresh temp folder.
fn scenario_file(toml: &str) -> PathBuf {
    let dir = unique("scenario");
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    let path = dir.join("scenario.toml");
    std::fs::write(&path, toml).expect("temp dir is writable");
    path
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn wei(v: &Value) -> U256 {
    let s = v.as_str().expect("wei as a decimal string");
    U256::from_str_radix(s, 10).expect("decimal wei")
}

/// 182,500,000 ZK in wei: the seed's Baseline row for a year.
const SEED_BASELINE_WEI: &str = "182500000000000000000000000";

#[test]
fn seed_baseline_burns_the_seed_figure_exactly() {
    let v = json(&ok(flywheel(&[
        "run",
        "--preset",
        "seed-baseline",
        "--json",
    ])));
    assert_eq!(v["zk"]["burned_wei"], SEED_BASELINE_WEI);
    assert_eq!(v["scenario"], "seed-baseline");
    assert_eq!(v["runs"], 1);
    assert_eq!(v["days"], 365);
    assert_eq!(v["fidelity"], "flow");
    assert!(v.get("bands").is_none(), "no bands for one run");
    for key in [
        "supply_start_wei",
        "supply_end_wei",
        "minted_wei",
        "burned_wei",
        "distributed_wei",
        "fixed_fees_wei",
        "settlement_fees_wei",
        "auction_paid_wei",
        "staking_rewards_wei",
    ] {
        assert!(v["zk"][key].is_string(), "{key}");
    }
    assert!(v["auction"]["claims"].is_u64());

    let table = ok(flywheel(&["run", "--preset", "seed-baseline"]));
    assert!(table.contains("ZK burned"), "{table}");
    assert!(table.contains("182,500,000"), "{table}");
    assert!(table.contains("seed table check"), "{table}");
    assert!(table.contains("500,000"), "{table}");
    assert!(table.contains('✓') && !table.contains('✗'), "{table}");
}

#[test]
fn every_seed_preset_matches_its_row() {
    for preset in ["seed-conservative", "seed-optimistic", "seed-institutional"] {
        let table = ok(flywheel(&["run", "--preset", preset, "--days", "10"]));
        assert!(
            table.contains('✓') && !table.contains('✗'),
            "{preset}: {table}"
        );
    }
}

fn read_dir_sorted(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("out dir exists")
        .map(|e| {
            let e = e.expect("dir entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("file reads"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn monte_carlo_bands_files_and_determinism() {
    let args = ["run", "--runs", "20", "--days", "60"];
    let out = ok(flywheel(&[&args[..], &["--json"]].concat()));
    let v = json(&out);
    assert_eq!(v["runs"], 20);
    let bands = v["bands"].as_object().expect("bands with 20 runs");
    assert!(bands.contains_key("zk.burned_wei"), "{bands:?}");
    for (name, b) in bands {
        let (p5, p50, p95) = if b["p5"].is_string() {
            (wei(&b["p5"]), wei(&b["p50"]), wei(&b["p95"]))
        } else {
            let n = |k: &str| U256::from(b[k].as_u64().expect("a count"));
            (n("p5"), n("p50"), n("p95"))
        };
        assert!(p5 <= p50 && p50 <= p95, "{name}: {b}");
    }

    let (a, b) = (unique("out-a"), unique("out-b"));
    let text = ok(flywheel(&[&args[..], &["--out", path_str(&a)]].concat()));
    assert!(text.contains("p5 – p95"), "{text}");
    ok(flywheel(&[&args[..], &["--out", path_str(&b)]].concat()));
    let (fa, fb) = (read_dir_sorted(&a), read_dir_sorted(&b));
    let names: Vec<&str> = fa.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "auction_claims.svg",
            "bands.csv",
            "cumulative_burn.svg",
            "daily_burn.svg",
            "report.html",
            "staking_rewards.svg",
            "staking_yield.svg",
            "steps.csv",
            "summary.json",
            "supply.svg",
        ],
        "no temporary files are left behind"
    );
    assert_eq!(fa.len(), fb.len());
    for ((na, ba), (nb, bb)) in fa.iter().zip(&fb) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between identical runs");
    }
    let file = |name: &str| -> String {
        let bytes = &fa.iter().find(|(n, _)| n == name).expect("file exists").1;
        String::from_utf8(bytes.clone()).expect("utf-8 file")
    };

    assert_eq!(
        file("summary.json"),
        out,
        "summary.json is the --json output"
    );

    let steps = file("steps.csv");
    let mut lines = steps.lines();
    assert_eq!(
        lines.next(),
        Some("run,day,calls,bundles,fixed_calls,zk_usd,eth_usd,dynamic_fee_usd,pool_usd,supply_zk,minted_zk,burned_zk,daily_burn_zk,distributed_zk,fixed_fees_zk,settlement_fees_zk,auction_paid_zk,auction_claims,failed_settlements,staking_rewards_zk")
    );
    assert_eq!(lines.clone().count(), 20 * 60, "one row per run × day");
    let last: Vec<&str> = steps.lines().last().expect("rows").split(',').collect();
    assert_eq!((last[0], last[1]), ("19", "59"));
    assert_eq!(last.len(), 20);

    let bands_csv = file("bands.csv");
    assert!(bands_csv.starts_with("day,metric,p5,p50,p95,rel_error\n"));
    assert!(bands_csv.contains("\n59,cumulative_burn_zk,"));

    let html = file("report.html");
    assert!(html.contains("v31-baseline"));
    assert!(html.contains("ZK burned"));
    for chart in [
        "supply.svg",
        "daily_burn.svg",
        "cumulative_burn.svg",
        "auction_claims.svg",
        "staking_rewards.svg",
        "staking_yield.svg",
    ] {
        let svg = file(chart);
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{chart}"
        );
        assert!(
            svg.contains("<path") || svg.contains("<polyline"),
            "{chart}"
        );
        assert!(svg.contains("<polygon"), "{chart} has a p5–p95 band");
    }
    assert_eq!(html.matches("<svg").count(), 6, "every chart inline");
    assert!(file("staking_rewards.svg").contains("staking rewards (ZK)"));
    for external in ["http://", "https://", "src=", "<script"] {
        assert!(!html.contains(external), "report.html holds {external}");
    }
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn a_single_run_charts_lines_without_bands() {
    let dir = unique("single");
    ok(flywheel(&[
        "run",
        "--preset",
        "seed-baseline",
        "--days",
        "30",
        "--out",
        path_str(&dir),
    ]));
    let svg = std::fs::read_to_string(dir.join("cumulative_burn.svg")).expect("chart written");
    assert!(svg.contains("<polyline"));
    assert!(!svg.contains("<polygon"), "no band for one run");
    let steps = std::fs::read_to_string(dir.join("steps.csv")).expect("steps written");
    assert_eq!(steps.lines().count(), 31);
    assert!(
        steps
            .lines()
            .nth(30)
            .expect("day 29")
            .contains(",15000000,"),
        "exact cumulative burn after 30 days"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The example: a single deterministic run's bands are its exact values — day 364's
/// cumulative burn is the seed's 182,500,000 ZK (a sketch read 183.5M), the supply never
/// above the 21B cap — and say so (error 0); several runs that differ carry the sketch's bound.
#[test]
fn bands_are_exact_where_runs_agree_and_state_their_error_elsewhere() {
    let dir = unique("exact-bands");
    ok(flywheel(&[
        "run",
        "--preset",
        "seed-baseline",
        "--out",
        path_str(&dir),
    ]));
    let csv = std::fs::read_to_string(dir.join("bands.csv")).expect("bands written");
    let row = |day: u32, metric: &str| -> Vec<f64> {
        let prefix = format!("{day},{metric},");
        let line = csv
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {prefix} row"));
        line.split(',')
            .skip(2)
            .map(|x| x.parse().expect("a number"))
            .collect()
    };
    assert_eq!(
        row(364, "cumulative_burn_zk"),
        vec![182_500_000.0; 3]
            .into_iter()
            .chain([0.0])
            .collect::<Vec<_>>()
    );
    assert_eq!(
        row(364, "daily_burn_zk"),
        vec![500_000.0, 500_000.0, 500_000.0, 0.0]
    );
    for line in csv.lines().skip(1).filter(|l| l.contains(",supply_zk,")) {
        let cells: Vec<f64> = line
            .split(',')
            .skip(2)
            .map(|x| x.parse().expect("num"))
            .collect();
        assert!(
            cells[..3].iter().all(|v| *v <= 21e9),
            "above the cap: {line}"
        );
        assert_eq!(cells[3], 0.0, "one run is exact: {line}");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report");
    assert!(
        html.contains("exact"),
        "the report says the bands are exact"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let many = unique("sketched-bands");
    ok(flywheel(&[
        "run",
        "--preset",
        "v31-baseline",
        "--runs",
        "30",
        "--days",
        "20",
        "--out",
        path_str(&many),
    ]));
    let csv = std::fs::read_to_string(many.join("bands.csv")).expect("bands written");
    let errors: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().expect("cell").parse().expect("num"))
        .collect();
    assert!(
        errors.iter().any(|e| *e > 0.0),
        "differing runs are sketched"
    );
    assert!(errors.iter().all(|e| *e <= 1.0 / 128.0 + 1e-12));
    let html = std::fs::read_to_string(many.join("report.html")).expect("report");
    assert!(html.contains("0.78%"), "the report states the bound");
    let _ = std::fs::remove_dir_all(&many);
}

const VALID: &str = "name = \"custom\"\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 10\n";

#[test]
fn malformed_scenarios_name_the_key() {
    for (extra, key) in [
        ("colour = \"blue\"\n", "colour"),
        (
            "[protocol]\ngateway_settlement_fee = \"10 ETH\"\n",
            "protocol.gateway_settlement_fee",
        ),
        ("[protocol]\nburn_bps = 20000\n", "protocol.burn_bps"),
    ] {
        // Top-level keys must precede the tables.
        let text = if extra.starts_with('[') {
            format!("{VALID}{extra}")
        } else {
            format!("{extra}{VALID}")
        };
        let path = scenario_file(&text);
        let err = fails(flywheel(&["run", "--scenario", path_str(&path)]));
        assert!(err.contains(key), "{key}: {err}");
        let _ = std::fs::remove_dir_all(path.parent().expect("folder"));
    }
    let err = fails(flywheel(&[
        "run",
        "--scenario",
        "/nonexistent/flywheel.toml",
    ]));
    assert!(
        err.contains("--scenario") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn bad_flags_name_the_flag() {
    let err = fails(flywheel(&["run", "--preset", "nope"]));
    assert!(
        err.contains("--preset") && err.contains("seed-baseline"),
        "{err}"
    );
    let err = fails(flywheel(&["run", "--fidelity", "sideways"]));
    assert!(
        err.contains("--fidelity") && err.contains("sideways"),
        "{err}"
    );
    let err = fails(flywheel(&["run", "--days", "0"]));
    assert!(err.contains("--days"), "{err}");
    let err = fails(flywheel(&["run", "--runs", "many"]));
    assert!(err.contains("--runs"), "{err}");
    let err = fails(flywheel(&[
        "run",
        "--preset",
        "seed-baseline",
        "--scenario",
        "x.toml",
    ]));
    assert!(
        err.contains("--preset") || err.contains("--scenario"),
        "{err}"
    );
}

/// A small scenario that exercises every route: fixed and dynamic fees, a 60/40 splitter,
/// half the base-token revenue sent to Fee Flow, and Fee Flow claims (at a threshold far below
/// the deployed minimum, so the minimum is lowered too).
const SMALL: &str = "name = \"small\"\nseed = 5\n\
     [traffic]\nmodel = \"poisson\"\ncalls_per_day = 40\n\
     [users]\ncalls_per_bundle = 2\nalways_fixed_share = 0.25\n\
     [protocol]\nburn_bps = 6000\nfee_flow_threshold = \"10 ZK\"\nfee_flow_min_threshold = \"10 ZK\"\n\
     fee_flow_revenue_share_bps = 5000\n\
     [claimer]\ngas_usd = 0.0\n";

#[test]
fn event_fidelity_matches_flow_totals_exactly() {
    let path = scenario_file(SMALL);
    let run = |fidelity: &str| {
        json(&ok(flywheel(&[
            "run",
            "--scenario",
            path_str(&path),
            "--fidelity",
            fidelity,
            "--days",
            "3",
            "--runs",
            "1",
            "--json",
        ])))
    };
    let (event, flow) = (run("event"), run("flow"));
    assert_eq!(event["fidelity"], "event");
    assert_eq!(event["zk"], flow["zk"]);
    assert_eq!(event["calls_total"], flow["calls_total"]);
    assert_eq!(event["bundles_total"], flow["bundles_total"]);
    assert_eq!(event["auction"], flow["auction"]);
    assert_ne!(flow["zk"]["burned_wei"], "0", "the scenario burns");
    let _ = std::fs::remove_dir_all(path.parent().expect("folder"));
}

#[test]
fn event_fidelity_with_many_runs_warns() {
    let path = scenario_file(SMALL);
    let out = flywheel(&[
        "run",
        "--scenario",
        path_str(&path),
        "--fidelity",
        "event",
        "--days",
        "1",
        "--runs",
        "2",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("warning:"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);
    assert_eq!(json(&stdout(&out))["runs"], 2);
    let _ = std::fs::remove_dir_all(path.parent().expect("folder"));
}

#[test]
fn presets_lists_every_preset_and_marks_the_default() {
    let out = ok(flywheel(&["presets"]));
    for name in [
        "v31-baseline",
        "seed-conservative",
        "seed-baseline",
        "seed-optimistic",
        "seed-institutional",
        "fee-flow-share",
        "institutional-ramp",
        "priority-mode-censorship",
        "prividium-institutions",
    ] {
        assert!(out.contains(name), "{name}: {out}");
    }
    assert!(out.contains("v31-baseline (default)"), "{out}");
    let list = json(&ok(flywheel(&["presets", "--json"])));
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), flywheel_sim::presets::PRESETS.len());
    assert_eq!(list.iter().filter(|p| p["default"] == true).count(), 1);
}

#[test]
fn sweep_two_params_writes_a_heatmap_and_the_table() {
    let dir = unique("sweep");
    let args = [
        "sweep",
        "--preset",
        "seed-baseline",
        "--param",
        "burn_bps=5000,10000",
        "--param",
        "gateway_settlement_fee=5,10",
        "--days",
        "10",
        "--runs",
        "2",
    ];
    let out = ok(flywheel(&[&args[..], &["--out", path_str(&dir)]].concat()));
    assert!(out.contains("annual burn"), "{out}");
    assert!(
        out.contains("182,500,000"),
        "10 ZK × 50,000 calls × 365: {out}"
    );
    assert!(out.contains("91,250,000"), "half burned: {out}");
    let svg = std::fs::read_to_string(dir.join("heatmap.svg")).expect("heatmap written");
    assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{svg}");
    assert!(svg.contains("182.5M"), "values printed in the cells");
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).expect("csv written");
    assert_eq!(csv.lines().count(), 5);
    assert!(csv.starts_with("burn_bps,gateway_settlement_fee,annual_burn_zk,"));
    assert!(csv.contains("\n10000,10,182500000,"), "{csv}");

    let v = json(&ok(flywheel(&[&args[..], &["--json"]].concat())));
    let cells = v["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 4);
    assert_eq!(cells[3]["params"]["burn_bps"], "10000");
    assert_eq!(cells[3]["annual_burn_wei"], SEED_BASELINE_WEI);

    let err = fails(flywheel(&["sweep", "--param", "colour=1,2"]));
    assert!(err.contains("--param") && err.contains("burn_bps"), "{err}");
    let err = fails(flywheel(&["sweep", "--param", "burn_bps=1,20000"]));
    assert!(err.contains("--param burn_bps"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sensitivity_prints_a_sorted_tornado() {
    let dir = unique("tornado");
    let args = ["sensitivity", "--runs", "3", "--days", "20"];
    let out = ok(flywheel(&[&args[..], &["--out", path_str(&dir)]].concat()));
    assert!(out.contains("swing"), "{out}");
    assert!(out.contains("gateway_settlement_fee"), "{out}");
    let svg = std::fs::read_to_string(dir.join("tornado.svg")).expect("tornado written");
    assert!(svg.starts_with("<svg") && svg.contains("<rect"));
    let v = json(&ok(flywheel(
        &[&args[..], &["--json", "--spread", "0.25"]].concat(),
    )));
    let bars = v["bars"].as_array().expect("bars");
    // One bar per parameter, demand's elasticity among them.
    assert_eq!(bars.len(), 10);
    assert!(
        bars.iter().any(|b| b.to_string().contains("elasticity")),
        "{v}"
    );
    let swings: Vec<U256> = bars.iter().map(|b| wei(&b["swing_wei"])).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    assert!(swings[0] > U256::ZERO);
    let err = fails(flywheel(&["sensitivity", "--spread", "0"]));
    assert!(err.contains("--spread"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_prints_both_figures() {
    let v = json(&ok(flywheel(&[
        "bench",
        "--runs",
        "10",
        "--days",
        "30",
        "--bundles",
        "200",
        "--json",
    ])));
    assert!(v["flow_path_steps_per_sec"].as_f64().expect("flow rate") > 0.0);
    assert!(v["event_bundles_per_sec"].as_f64().expect("event rate") > 0.0);
    assert_eq!(v["event_bundles"], 200);
    assert_eq!(v["targets"]["flow_path_steps_per_sec"], 7_300_000.0);
    let err = fails(flywheel(&["bench", "--bundles", "0"]));
    assert!(err.contains("--bundles"), "{err}");
}

#[test]
fn help_lists_the_simulation_commands() {
    let help = ok(flywheel(&["--help"]));
    for cmd in ["run", "presets", "sweep", "sensitivity", "bench"] {
        assert!(help.contains(cmd), "{help}");
    }
    let run_help = ok(flywheel(&["run", "--help"]));
    for flag in [
        "--preset",
        "--scenario",
        "--days",
        "--runs",
        "--seed",
        "--fidelity",
        "--out",
        "--json",
    ] {
        assert!(run_help.contains(flag), "{flag}: {run_help}");
    }
}

/// A saved summary and report can be audited and re-run: they carry the resolved scenario
/// (which parses back to what ran, `--days` and `--seed` applied), the seed, the fidelity
/// and the version.
#[test]
fn summary_and_report_state_their_inputs() {
    let dir = unique("inputs");
    ok(flywheel(&[
        "run",
        "--preset",
        "fee-flow-share",
        "--runs",
        "3",
        "--days",
        "12",
        "--seed",
        "99",
        "--out",
        path_str(&dir),
    ]));
    let summary = json(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"));
    let inputs = &summary["inputs"];
    assert_eq!(inputs["seed"], 99);
    assert_eq!(inputs["fidelity"], "flow");
    assert_eq!(inputs["version"], env!("CARGO_PKG_VERSION"));
    let text = inputs["scenario_toml"].as_str().expect("TOML text");
    let ran = flywheel_sim::scenario::Scenario::from_toml(text).expect("parses back");
    let mut want = flywheel_sim::presets::preset("fee-flow-share").expect("preset");
    want.set_horizon(12);
    want.runs = 3;
    want.seed = 99;
    assert_eq!(ran, want);
    let from_json: flywheel_sim::scenario::Scenario =
        serde_json::from_value(inputs["scenario"].clone()).expect("the JSON form too");
    assert_eq!(from_json, want);
    let median = &summary["median_run"];
    assert!(median["run"].as_u64().is_some_and(|r| r < 3));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report");
    assert_contains_all(
        &html,
        &[
            "seed 99",
            "fidelity flow",
            env!("CARGO_PKG_VERSION"),
            "burn_bps = 10000",
            "Where the ZK goes",
            "median-burn run (#",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}
