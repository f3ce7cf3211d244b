//! Every preset's `run --out` files, for a fixed seed, runs and days, are byte-identical to the
//! fixtures in `tests/fixtures/outputs/` (generated before the results moved to their own
//! crate, issue 18, and kept as the outputs restructurings and speed-ups must not change).
//!
//! `FLYWHEEL_BLESS=1 cargo test -p flywheel-cli --test outputs` rewrites the fixtures: do that
//! only for a change that means to alter the outputs, and say so in its commit.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

mod common;
use common::*;

/// The files compared: all a run writes but the SVG charts (the report inlines them).
const FILES: [&str; 4] = ["summary.json", "bands.csv", "steps.csv", "report.html"];

/// One case: a preset, its fidelity, runs, days and seed.
struct Case {
    preset: &'static str,
    fidelity: &'static str,
    runs: u32,
    days: u32,
}

const SEED: &str = "7";

fn cases() -> Vec<Case> {
    // Every preset in flow mode; the two lightest also in event mode (the proven path).
    let presets = ok(flywheel(&["presets", "--json"]));
    let list = json(&presets);
    let names: Vec<String> = list
        .as_array()
        .expect("a list of presets")
        .iter()
        .map(|p| p["name"].as_str().expect("a name").to_string())
        .collect();
    assert!(names.len() >= 9, "presets: {names:?}");
    let mut v: Vec<Case> = names
        .iter()
        .map(|n| Case {
            preset: Box::leak(n.clone().into_boxed_str()),
            fidelity: "flow",
            runs: 3,
            days: 30,
        })
        .collect();
    // (Censorship starts on day 20 of that preset; the institutions' preset is busier.)
    for (preset, days) in [
        ("priority-mode-censorship", 30),
        ("prividium-institutions", 4),
    ] {
        v.push(Case {
            preset,
            fidelity: "event",
            runs: 2,
            days,
        });
    }
    v
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/outputs")
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("flywheel-outputs-{}-{name}", std::process::id()))
}

#[test]
fn every_preset_writes_the_fixture_bytes() {
    let bless = std::env::var_os("FLYWHEEL_BLESS").is_some();
    let mut differ = Vec::new();
    for c in cases() {
        let name = format!("{}-{}", c.preset, c.fidelity);
        let out = scratch(&name);
        let _ = std::fs::remove_dir_all(&out);
        let (runs, days) = (c.runs.to_string(), c.days.to_string());
        let run = flywheel(&[
            "run",
            "--preset",
            c.preset,
            "--fidelity",
            c.fidelity,
            "--runs",
            &runs,
            "--days",
            &days,
            "--seed",
            SEED,
            "--out",
            out.to_str().expect("utf-8 path"),
        ]);
        // Event mode warns on stderr that it is slow; only success matters here.
        assert!(run.status.success(), "{name}: {}", stderr(&run));
        let want_dir = fixtures().join(&name);
        for file in FILES {
            let got = std::fs::read(out.join(file)).expect("the run wrote it");
            let path = want_dir.join(file);
            if bless {
                std::fs::create_dir_all(&want_dir).expect("fixture dir");
                std::fs::write(&path, &got).expect("fixture written");
                continue;
            }
            let want =
                std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
            if got != want {
                differ.push(format!("{name}/{file}"));
            }
        }
        std::fs::remove_dir_all(&out).expect("scratch removed");
    }
    assert!(
        differ.is_empty(),
        "outputs differ from the fixtures: {differ:?}"
    );
}
