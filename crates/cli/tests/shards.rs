//! Shards for batch systems: `flywheel run --shard I/N --out DIR` and `flywheel merge DIR…`
//! give the outputs of a single-machine run, byte for byte; bad shard specs and bad shard sets
//! are refused with one line and exit 2, writing nothing.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::*;

fn unique(kind: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "flywheel-shard-test-{}-{kind}-{n}",
        std::process::id()
    ))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("dir exists")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("reads"))
        })
        .collect();
    v.sort();
    v
}

/// Runs `args` whole and as `n` shards merged (in reverse order); returns (whole, shard dirs,
/// merged) folders after checking every file and the printed summary are identical.
fn whole_and_merged(args: &[&str], n: u32) -> (PathBuf, Vec<PathBuf>, PathBuf) {
    let whole = unique("whole");
    let table = ok(flywheel(&[args, &["--out", s(&whole)]].concat()));
    let json_whole = ok(flywheel(&[args, &["--json"]].concat()));
    let mut dirs = Vec::new();
    for i in 0..n {
        let d = unique("shard");
        let spec = format!("{i}/{n}");
        let said = ok(flywheel(
            &[args, &["--shard", &spec, "--out", s(&d)]].concat(),
        ));
        assert!(said.starts_with(&format!("shard {spec}: runs ")), "{said}");
        dirs.push(d);
    }
    let merged = unique("merged");
    let mut merge: Vec<&str> = vec!["merge"];
    merge.extend(dirs.iter().rev().map(|d| s(d)));
    let merged_table = ok(flywheel(&[&merge[..], &["--out", s(&merged)]].concat()));
    let merged_json = ok(flywheel(&[&merge[..], &["--json"]].concat()));
    assert_eq!(merged_json, json_whole, "merge --json is run --json");
    assert_eq!(
        merged_table.replace(s(&merged), "DIR"),
        table.replace(s(&whole), "DIR"),
        "merge prints run's table"
    );
    let (a, b) = (files(&whole), files(&merged));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{name} differs between the whole run and the merged shards"
        );
    }
    (whole, dirs, merged)
}

#[test]
fn three_shards_merge_into_the_single_machine_outputs() {
    let (whole, dirs, merged) = whole_and_merged(
        &[
            "run",
            "--preset",
            "v31-baseline",
            "--runs",
            "11",
            "--days",
            "40",
            "--seed",
            "9",
        ],
        3,
    );
    let summary =
        json(&String::from_utf8(std::fs::read(merged.join("summary.json")).unwrap()).unwrap());
    assert_eq!(summary["runs"], 11);
    assert!(std::fs::read(whole.join("bands.csv")).unwrap().len() > 1000);
    // Each shard holds only its own runs' rows: 3, 4 and 4 runs of 40 days, plus the header.
    let rows: Vec<usize> = dirs
        .iter()
        .map(|d| {
            std::fs::read_to_string(d.join("steps.csv"))
                .unwrap()
                .lines()
                .count()
                - 1
        })
        .collect();
    assert_eq!(rows, [3 * 40, 4 * 40, 4 * 40]);
}

#[test]
fn shards_of_prividium_and_priority_scenarios_merge_exactly() {
    whole_and_merged(
        &[
            "run",
            "--preset",
            "prividium-institutions",
            "--runs",
            "5",
            "--days",
            "12",
        ],
        3,
    );
    whole_and_merged(
        &[
            "run",
            "--preset",
            "priority-mode-censorship",
            "--runs",
            "4",
            "--days",
            "25",
        ],
        2,
    );
}

#[test]
fn a_bad_shard_spec_is_one_line_and_exit_2() {
    let out = unique("bad");
    for spec in [
        "3/3",
        "1/0",
        "x",
        "1/",
        "-1/3",
        "0/10001",
        "1/2/3",
        "99999999999/3",
    ] {
        let e = fails(flywheel(&[
            "run",
            "--runs",
            "4",
            "--days",
            "3",
            "--shard",
            spec,
            "--out",
            s(&out),
        ]));
        assert!(e.contains("--shard") && e.contains("I/N"), "{spec}: {e}");
    }
    let e = fails(flywheel(&[
        "run",
        "--runs",
        "2",
        "--days",
        "3",
        "--shard",
        "0/3",
        "--out",
        s(&out),
    ]));
    assert!(e.contains("3 shards for 2 runs"), "{e}");
    let e = fails(flywheel(&[
        "run", "--runs", "4", "--days", "3", "--shard", "0/2",
    ]));
    assert!(e.contains("--out"), "{e}");
    assert!(!out.exists(), "a refused shard writes nothing");
}

#[test]
fn a_bad_shard_set_is_refused_and_writes_nothing() {
    let args = ["run", "--runs", "6", "--days", "5"];
    let mut dirs = Vec::new();
    for i in 0..3 {
        let d = unique("set");
        ok(flywheel(
            &[&args[..], &["--shard", &format!("{i}/3"), "--out", s(&d)]].concat(),
        ));
        dirs.push(d);
    }
    let other = unique("other");
    ok(flywheel(&[
        "run",
        "--runs",
        "6",
        "--days",
        "5",
        "--seed",
        "2",
        "--shard",
        "2/3",
        "--out",
        s(&other),
    ]));
    let out = unique("merged");
    let (a, b, c) = (s(&dirs[0]), s(&dirs[1]), s(&dirs[2]));
    for (set, why) in [
        (vec![a, b], "shard 2/3 is missing"),
        (vec![a, b, b, c], "given twice"),
        (vec![a, b, s(&other)], "another scenario"),
        (vec![a, b, "/nonexistent-flywheel-shard"], "shard.json"),
    ] {
        let mut cmd = vec!["merge"];
        cmd.extend(set);
        cmd.extend(["--out", s(&out)]);
        let e = fails(flywheel(&cmd));
        assert!(e.contains(why), "{why}: {e}");
        assert!(!out.exists(), "a refused merge writes nothing");
    }
    // A shard file that was tampered with: a sketch whose total is wrong.
    let text = std::fs::read_to_string(dirs[1].join("shard.json")).unwrap();
    let bad = text.replacen("\"total\":2", "\"total\":3", 1);
    assert_ne!(bad, text);
    std::fs::write(dirs[1].join("shard.json"), bad).unwrap();
    let e = fails(flywheel(&["merge", a, b, c, "--out", s(&out)]));
    assert!(e.contains("shard.json"), "{e}");
    assert!(!out.exists());
    std::fs::write(dirs[1].join("shard.json"), text).unwrap();

    // Totals edited to claim 22B ZK burned (more than was ever minted), the sketches intact.
    let text = std::fs::read_to_string(dirs[2].join("shard.json")).unwrap();
    let burned = text.find("\"burned\":\"").unwrap() + "\"burned\":\"".len();
    let end = burned + text[burned..].find('"').unwrap();
    let claim = "0x4715f935bbeb053bf0000000"; // 22e9 × 1e18 wei
    let bad = format!("{}{claim}{}", &text[..burned], &text[end..]);
    std::fs::write(dirs[2].join("shard.json"), bad).unwrap();
    let e = fails(flywheel(&["merge", a, b, c, "--out", s(&out)]));
    for needle in [
        c,
        "shard.json",
        "totals.burned",
        "22,000,000,000 ZK",
        "exceeds",
    ] {
        assert!(e.contains(needle), "{needle:?} missing from {e}");
    }
    assert!(!out.exists(), "a refused merge writes nothing");

    // steps.csv edited so that a run's last day burns more than its totals say: the rows
    // contradict shard.json and are refused, naming the run and the column.
    let steps_path = dirs[0].join("steps.csv");
    let steps = std::fs::read_to_string(&steps_path).unwrap();
    let last = steps.trim_end().lines().last().unwrap().to_string();
    let mut cells: Vec<String> = last.split(',').map(str::to_string).collect();
    let burned_at = 11; // run,day,calls,bundles,fixed_calls,zk_usd,eth_usd,dynamic_fee_usd,pool_usd,supply_zk,minted_zk,burned_zk
    assert!(steps.starts_with("run,day,calls,bundles,fixed_calls,zk_usd,eth_usd,dynamic_fee_usd,pool_usd,supply_zk,minted_zk,burned_zk,"));
    cells[burned_at] = format!("1{}", cells[burned_at]);
    let edited = steps.replacen(&last, &cells.join(","), 1);
    std::fs::write(&steps_path, edited).unwrap();
    std::fs::write(dirs[2].join("shard.json"), &text).unwrap();
    let e = fails(flywheel(&["merge", a, b, c, "--out", s(&out)]));
    for needle in [a, "steps.csv", "burned_zk", "shard.json's totals"] {
        assert!(e.contains(needle), "{needle:?} missing from {e}");
    }
    assert!(!out.exists(), "a refused merge writes nothing");
}

#[test]
fn shards_of_a_scenario_with_a_csv_source_merge_and_see_a_changed_csv() {
    let dir = unique("csv");
    std::fs::create_dir_all(&dir).unwrap();
    let toml = "name = \"csv\"\ndays = 8\nruns = 5\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 100\n[prices.zk]\nmodel = \"csv\"\npath = \"zk.csv\"\n";
    std::fs::write(dir.join("s.toml"), toml).unwrap();
    std::fs::write(dir.join("zk.csv"), "usd\n0.05\n0.06\n0.04\n0.07\n").unwrap();
    let file = dir.join("s.toml");
    let (_, dirs, _) = whole_and_merged(&["run", "--scenario", s(&file)], 3);
    // The merge revalidates the scenario from its CSV sources: changed data is refused.
    std::fs::write(dir.join("zk.csv"), "usd\n0.05\n0.06\n0.04\n0.08\n").unwrap();
    let out = unique("csv-merged");
    let e = fails(flywheel(&[
        "merge",
        s(&dirs[0]),
        s(&dirs[1]),
        s(&dirs[2]),
        "--out",
        s(&out),
    ]));
    assert!(e.contains("CSV sources changed"), "{e}");
    assert!(!out.exists());
}
