//! The layering rules, checked rather than hoped for: which of our crates each crate may depend
//! on (read from `cargo metadata`), that every crate keeps the workspace's lints, and that no
//! source file outgrows one job. ARCHITECTURE.md states the same rules in prose.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each workspace crate and the workspace crates it may depend on (normal and build
/// dependencies; tests and benches may reach further, e.g. the CLI's tests drive the server).
/// The protocol is pure; the sim drives it; results sit above the sim; the surfaces are thin
/// layers; only the CLI, which is every surface's front door, may depend on all of them.
const ALLOWED: &[(&str, &[&str])] = &[
    ("flywheel-protocol", &[]),
    ("flywheel-sim", &["flywheel-protocol"]),
    ("flywheel-report", &["flywheel-sim", "flywheel-protocol"]),
    ("flywheel-devnet", &["flywheel-protocol"]),
    (
        "flywheel-server",
        &["flywheel-sim", "flywheel-report", "flywheel-protocol"],
    ),
    ("flywheel-python", &["flywheel-sim", "flywheel-report"]),
    (
        "flywheel-cli",
        &[
            "flywheel-protocol",
            "flywheel-sim",
            "flywheel-report",
            "flywheel-devnet",
            "flywheel-server",
        ],
    ),
];

/// Source files longer than this do more than one job (tests and generated tables excepted).
const MAX_SOURCE_LINES: usize = 1_200;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

fn metadata() -> Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// Each workspace package: its name, its manifest's folder, and its workspace dependencies
/// that are not dev-dependencies.
fn packages(meta: &Value) -> Vec<(String, PathBuf, Vec<String>)> {
    let members = meta["packages"].as_array().expect("packages");
    let ours: Vec<&str> = members
        .iter()
        .map(|p| p["name"].as_str().expect("a name"))
        .collect();
    members
        .iter()
        .map(|p| {
            let name = p["name"].as_str().expect("a name").to_string();
            let manifest = PathBuf::from(p["manifest_path"].as_str().expect("a manifest"));
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].as_str() != Some("dev"))
                .map(|d| d["name"].as_str().expect("a dependency name").to_string())
                .filter(|d| ours.contains(&d.as_str()))
                .collect();
            let dir = manifest.parent().expect("a folder").to_path_buf();
            (name, dir, deps)
        })
        .collect()
}

/// The forbidden edges among `packages`, as "a → b" lines (and crates the rules do not know).
fn violations(packages: &[(String, PathBuf, Vec<String>)]) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut bad = Vec::new();
    for (name, _, deps) in packages {
        let Some(may) = allowed.get(name.as_str()) else {
            bad.push(format!(
                "{name}: a crate the layering rules do not name (add it to ALLOWED)"
            ));
            continue;
        };
        for d in deps {
            if !may.contains(&d.as_str()) {
                bad.push(format!("{name} → {d}"));
            }
        }
    }
    bad
}

#[test]
fn crates_depend_only_on_the_layers_below_them() {
    let meta = metadata();
    let pkgs = packages(&meta);
    assert!(pkgs.len() >= 6, "workspace crates: {}", pkgs.len());
    let bad = violations(&pkgs);
    assert!(bad.is_empty(), "forbidden dependencies: {bad:#?}");
}

#[test]
fn the_rules_catch_a_forbidden_edge() {
    // The check itself must be able to fail: the protocol reaching up to the sim, and the
    // Python package reaching the CLI (as it once did), are refused.
    let pkgs = vec![
        (
            "flywheel-protocol".to_string(),
            PathBuf::new(),
            vec!["flywheel-sim".to_string()],
        ),
        (
            "flywheel-python".to_string(),
            PathBuf::new(),
            vec!["flywheel-sim".to_string(), "flywheel-cli".to_string()],
        ),
        (
            "flywheel-sim".to_string(),
            PathBuf::new(),
            vec!["flywheel-protocol".to_string()],
        ),
    ];
    assert_eq!(
        violations(&pkgs),
        vec![
            "flywheel-protocol → flywheel-sim".to_string(),
            "flywheel-python → flywheel-cli".to_string()
        ]
    );
}

#[test]
fn every_crate_keeps_the_workspace_lints() {
    for (name, dir, _) in packages(&metadata()) {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("a manifest");
        let lints = manifest
            .split("\n[lints]")
            .nth(1)
            .map(|rest| rest.trim_start().starts_with("workspace = true"));
        assert_eq!(
            lints,
            Some(true),
            "{name}: its Cargo.toml must say [lints] workspace = true"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_file_outgrows_one_job() {
    let mut long = Vec::new();
    for (_, dir, _) in packages(&metadata()) {
        let src = dir.join("src");
        if !src.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for f in files {
            // Test modules in files of their own are exempt.
            if f.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&f).expect("UTF-8 source");
            let lines = text.lines().count();
            if lines > MAX_SOURCE_LINES {
                long.push(format!("{} ({lines} lines)", f.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_SOURCE_LINES} lines (split them by job): {long:#?}"
    );
}
