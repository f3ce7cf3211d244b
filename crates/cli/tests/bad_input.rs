//! Issue 13's bad inputs, one test per case: each is refused with exit status 2, exactly one
//! `error:` line on stderr naming the flag or key (with the limit and the value where there is
//! one), nothing on stdout, no panic, and no file changed — the folders involved are listed,
//! hidden files included, before and after. A few cases are not errors but output that was
//! misleading; their tests check the output instead.
//!
//! The disk-full and read-only cases mount small tmpfs file systems, which needs root; CI runs
//! as root. The same partial-write failure is also produced without a mount, with a file-size
//! limit (`ulimit -f`), so it is exercised on any machine.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flywheel_sim::resolve::{self, Base, Request};

mod common;
use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_flywheel");

/// A fresh, empty folder for one test.
fn scratch(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "flywheel-bad-input-{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Every path under `dir` (hidden ones too) with its contents (folders: empty).
fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .display()
                .to_string();
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs `flywheel args` with `cwd` as its working folder and checks the bad-input contract:
/// exit 2, one `error:` line, empty stdout, and `cwd` (and `watch`, if given) unchanged.
/// Returns the error line.
fn refused_in(cwd: &Path, watch: Option<&Path>, args: &[&str]) -> String {
    let before = (listing(cwd), watch.map(listing));
    let out = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs");
    let line = fails(out);
    let after = (listing(cwd), watch.map(listing));
    assert_eq!(before, after, "files changed by {args:?}");
    line
}

/// [`refused_in`] a fresh folder.
fn refused(args: &[&str]) -> String {
    let cwd = scratch("cwd");
    let line = refused_in(&cwd, None, args);
    let _ = std::fs::remove_dir_all(&cwd);
    line
}

/// The error line names every needle.
fn names(line: &str, needles: &[&str]) {
    for n in needles {
        assert!(line.contains(n), "{n:?} missing from {line:?}");
    }
}

/// A scenario file (and its folder) from TOML text.
fn scenario(toml: &str) -> (PathBuf, PathBuf) {
    let dir = scratch("scenario");
    let path = dir.join("s.toml");
    std::fs::write(&path, toml).expect("temp dir is writable");
    (dir, path)
}

const SMALL: &str =
    "name = \"small\"\ndays = 30\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 100\n";

fn refused_scenario(toml: &str, extra: &[&str]) -> String {
    let (dir, path) = scenario(toml);
    let mut args = vec!["run", "--scenario", s(&path)];
    args.extend_from_slice(extra);
    let line = refused_in(&dir, None, &args);
    let _ = std::fs::remove_dir_all(&dir);
    line
}

// ---- A crash ----

#[test]
fn bench_runs_are_limited_before_anything_is_allocated() {
    let line = refused(&[
        "bench",
        "--runs",
        "4294967295",
        "--days",
        "1",
        "--bundles",
        "1",
    ]);
    names(&line, &["--runs", "1,000,000", "4294967295"]);
    let line = refused(&["bench", "--bundles", "18446744073709551615"]);
    names(&line, &["--bundles", "10,000,000"]);
    let line = refused(&["bench", "--days", "0"]);
    names(&line, &["--days", "36,500"]);
    let line = refused(&["run", "--runs", "4294967295"]);
    names(&line, &["--runs", "1,000,000", "4294967295"]);
}

// ---- Partial output ----

/// A mounted tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, options: &str) -> Self {
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs", s(at)])
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "mounting a tmpfs at {} needs root (CI and the project's machines run as root)",
            at.display()
        );
        Self(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A run whose files take a few hundred KB.
const RUN: [&str; 7] = [
    "run",
    "--preset",
    "seed-baseline",
    "--days",
    "365",
    "--runs",
    "3",
];

#[test]
fn a_full_disk_leaves_no_half_set_and_no_temp_files() {
    let root = scratch("full");
    // The output folder itself is a 64 KiB file system (an existing, empty folder).
    let target = root.join("out");
    std::fs::create_dir(&target).expect("mkdir");
    let disk = Tmpfs::mount(&target, "size=64k");
    let line = refused_in(
        &root,
        Some(&target),
        &[&RUN[..], &["--out", s(&target)]].concat(),
    );
    names(&line, &["--out", "No space left on device"]);
    assert!(
        !line.contains(".tmp") && !line.contains("flywheel-tmp"),
        "{line}"
    );
    assert!(listing(&target).is_empty());
    drop(disk);

    // The folder to create lives on a full file system.
    let parent = root.join("small");
    std::fs::create_dir(&parent).expect("mkdir");
    let disk = Tmpfs::mount(&parent, "size=64k");
    let fresh = parent.join("results");
    let line = refused_in(
        &root,
        Some(&parent),
        &[&RUN[..], &["--out", s(&fresh)]].concat(),
    );
    names(&line, &["--out", "No space left on device"]);
    assert!(listing(&parent).is_empty(), "no folder, no staging left");
    drop(disk);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_file_size_limit_mid_write_leaves_the_previous_results_intact() {
    // No mount needed: `ulimit -f` makes writes past 8 KiB fail (SIGXFSZ ignored, so the
    // write returns EFBIG), after some files were already complete.
    let root = scratch("fsize");
    let target = root.join("out");
    std::fs::create_dir(&target).expect("mkdir");
    std::fs::write(target.join("steps.csv"), b"previous results").expect("write");
    std::fs::write(target.join("notes.txt"), b"the user's own file").expect("write");
    let mut shell = format!("ulimit -f 16; trap '' XFSZ; exec {BIN}");
    for a in RUN.iter().chain(&["--out", s(&target)]) {
        shell.push_str(&format!(" '{a}'"));
    }
    let before = listing(&root);
    let out = Command::new("sh")
        .args(["-c", &shell])
        .current_dir(&root)
        .output()
        .expect("sh runs");
    let line = fails(out);
    names(&line, &["--out", "File too large"]);
    assert_eq!(
        listing(&root),
        before,
        "previous results and the user's file untouched"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_name_taken_by_a_folder_is_found_before_running() {
    let root = scratch("clash");
    let target = root.join("out");
    std::fs::create_dir_all(target.join("report.html")).expect("mkdir");
    std::fs::write(target.join("steps.csv"), b"previous").expect("write");
    let line = refused_in(&root, None, &[&RUN[..], &["--out", s(&target)]].concat());
    names(&line, &["--out", "report.html", "is not a file"]);
    for cmd in [
        vec!["sweep", "--param", "burn_bps=1,2"],
        vec!["sensitivity", "--days", "1", "--runs", "1"],
    ] {
        let taken = if cmd[0] == "sweep" {
            "sweep.csv"
        } else {
            "tornado.csv"
        };
        std::fs::create_dir_all(target.join(taken)).expect("mkdir");
        let line = refused_in(&root, None, &[&cmd[..], &["--out", s(&target)]].concat());
        names(&line, &["--out", taken, "is not a file"]);
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_read_only_folder_is_bad_input_and_names_the_folder() {
    let root = scratch("ro");
    let target = root.join("out");
    std::fs::create_dir(&target).expect("mkdir");
    // Root ignores permission bits; a read-only file system stops even root.
    let ro = Tmpfs::mount(&target, "ro,size=64k");
    let line = refused_in(
        &root,
        Some(&target),
        &[&RUN[..], &["--out", s(&target)]].concat(),
    );
    names(
        &line,
        &[
            "--out",
            "cannot write in",
            s(&target),
            "Read-only file system",
        ],
    );
    assert!(!line.contains("tmp-"), "no hidden temp name: {line}");
    drop(ro);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn out_naming_a_file_says_it_is_not_a_folder() {
    let root = scratch("outfile");
    let file = root.join("results.txt");
    std::fs::write(&file, b"x").expect("write");
    let line = refused_in(&root, None, &["run", "--days", "2", "--out", s(&file)]);
    names(&line, &["--out", "is not a folder", "results.txt"]);
    assert!(!line.contains("File exists"), "{line}");
    let _ = std::fs::remove_dir_all(&root);
}

// ---- Unbounded reads ----

#[test]
fn bundle_hash_refuses_dev_zero_before_reading() {
    let line = refused(&["interop", "bundle-hash", "/dev/zero"]);
    names(
        &line,
        &["/dev/zero", "not a regular file (a character device)"],
    );
}

#[test]
fn a_folder_a_fifo_or_a_device_is_refused_from_its_metadata() {
    let root = scratch("special");
    let fifo = root.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    // A shard folder whose shard.json is a FIFO: opening it would wait for a writer forever.
    let shard = root.join("shard");
    std::fs::create_dir(&shard).expect("mkdir");
    let shard_fifo = shard.join("shard.json");
    assert!(Command::new("mkfifo")
        .arg(&shard_fifo)
        .status()
        .expect("mkfifo")
        .success());
    for (path, kind) in [
        (root.as_path(), "a folder"),
        (fifo.as_path(), "a FIFO"),
        (Path::new("/dev/zero"), "a character device"),
    ] {
        let p = s(path);
        let started = std::time::Instant::now();
        let line = refused(&["run", "--scenario", p]);
        names(
            &line,
            &["--scenario", p, &format!("not a regular file ({kind})")],
        );
        let line = refused(&["interop", "bundle-hash", p]);
        names(&line, &[p, &format!("not a regular file ({kind})")]);
        let csv = format!("name = \"z\"\n[traffic]\nmodel = \"csv\"\npath = \"{p}\"\n");
        let line = refused_scenario(&csv, &[]);
        names(
            &line,
            &["traffic.path", p, &format!("not a regular file ({kind})")],
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{kind}: not quick"
        );
    }
    let line = refused(&["merge", s(&shard)]);
    names(
        &line,
        &["merge", "shard.json", "not a regular file (a FIFO)"],
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn bundle_hash_stops_reading_an_endless_stdin() {
    let mut child = Command::new(BIN)
        .args(["interop", "bundle-hash", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("piped");
    // `yes`: write until the reader goes away.
    let feeder = std::thread::spawn(move || {
        let chunk = b"y\n".repeat(1 << 15);
        while stdin.write_all(&chunk).is_ok() {}
    });
    let out = child.wait_with_output().expect("the binary finishes");
    feeder
        .join()
        .expect("the feeder stops once the pipe closes");
    let line = fails(out);
    names(&line, &["<stdin>", "16777216-byte input limit"]);
}

#[test]
fn a_wrong_type_in_the_traffic_table_names_its_key() {
    let line = refused_scenario(
        "name = \"z\"\n[traffic]\nmodel = \"constant\"\ncalls_per_day = \"lots\"\n",
        &[],
    );
    names(&line, &["scenario key `traffic.calls_per_day`", "\"lots\""]);
}

#[test]
fn a_csv_source_on_dev_zero_is_refused() {
    for key in ["traffic", "prices.zk"] {
        let body = if key == "traffic" {
            "name = \"z\"\n[traffic]\nmodel = \"csv\"\npath = \"/dev/zero\"\n".to_string()
        } else {
            format!("{SMALL}[prices.zk]\nmodel = \"csv\"\npath = \"/dev/zero\"\n")
        };
        let line = refused_scenario(&body, &[]);
        names(
            &line,
            &[
                &format!("{key}.path"),
                "/dev/zero",
                "not a regular file (a character device)",
            ],
        );
    }
}

// ---- Nonsense accepted silently ----

fn hex40() -> String {
    "8004A169FB4a3325136EB29fA0ceB6D2e539a432".to_string()
}

#[test]
fn a_doubled_0x_is_refused_everywhere() {
    let line = refused(&[
        "address",
        "decode",
        "0x0x000100000101148004a169fb4a3325136eb29fa0ceb6d2e539a432",
    ]);
    names(&line, &["doubled 0x"]);
    let line = refused(&[
        "address",
        "encode",
        "--address",
        &format!("0x0x{}", hex40()),
    ]);
    names(&line, &["--address", "doubled 0x"]);
    let mut b = bundle();
    b["calls"][0]["data"] = "0x0x12".into();
    names(
        &bundle_refused(&b.to_string()),
        &["calls[0].data", "doubled 0x", "0x0x12"],
    );
    let mut b = bundle();
    b["sender"] = format!("0x0x{}", hex40()).into();
    names(&bundle_refused(&b.to_string()), &["sender", "doubled 0x"]);
}

#[test]
fn a_non_minimal_chain_reference_does_not_decode() {
    let line = refused(&["address", "decode", "0x0001000002000100"]);
    names(
        &line,
        &[
            "0x0001000002000100",
            "not minimal",
            "chain 1 is written 0x01",
        ],
    );
}

#[test]
fn chain_ids_take_no_sign_or_second_prefix() {
    for bad in ["0x+1", "+1", "-1", "0x0x1", "1e3"] {
        let line = refused(&["address", "encode", "--chain-id", bad]);
        names(&line, &["--chain-id", bad]);
    }
}

fn bundle() -> serde_json::Value {
    serde_json::json!({
        "source_chain_id": 324,
        "destination_chain_id": 325,
        "destination_base_token_asset_id": format!("0x{}", "11".repeat(32)),
        "sender": format!("0x{}", "22".repeat(20)),
        "sender_nonce": 0,
        "calls": [{"to": format!("0x{}", "33".repeat(20)), "from": format!("0x{}", "44".repeat(20)), "value": "1", "data": "0x"}],
        "execution_address": "0x",
        "unbundler_address": format!("0x000100000014{}", "55".repeat(20)),
        "use_fixed_fee": false
    })
}

fn bundle_refused(text: &str) -> String {
    let dir = scratch("bundle");
    let path = dir.join("b.json");
    std::fs::write(&path, text).expect("write");
    let line = refused_in(&dir, None, &["interop", "bundle-hash", s(&path)]);
    let _ = std::fs::remove_dir_all(&dir);
    line
}

#[test]
fn duplicate_json_keys_are_refused() {
    assert!(ok(flywheel_in_file(&bundle().to_string())).contains("bundle_hash"));
    let text = bundle().to_string().replacen(
        "\"source_chain_id\":324",
        "\"source_chain_id\":324,\"source_chain_id\":1",
        1,
    );
    names(
        &bundle_refused(&text),
        &["duplicate field `source_chain_id`"],
    );
    let text =
        bundle()
            .to_string()
            .replacen("\"value\":\"1\"", "\"value\":\"1\",\"value\":\"2\"", 1);
    names(
        &bundle_refused(&text),
        &["calls[0]", "duplicate field `value`"],
    );
}

fn flywheel_in_file(text: &str) -> Output {
    let dir = scratch("bundle-ok");
    let path = dir.join("b.json");
    std::fs::write(&path, text).expect("write");
    let out = flywheel(&["interop", "bundle-hash", s(&path)]);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn csv_prices_outside_the_price_range_are_refused() {
    let dir = scratch("csv");
    std::fs::write(dir.join("zk.csv"), "day,price\n0,0.01\n1,1e300\n").expect("write");
    let path = dir.join("s.toml");
    std::fs::write(
        &path,
        format!("{SMALL}[prices.zk]\nmodel = \"csv\"\npath = \"zk.csv\"\n"),
    )
    .expect("write");
    let line = refused_in(&dir, None, &["run", "--scenario", s(&path)]);
    names(
        &line,
        &["prices.zk.path", "zk.csv:3", "1e300", "1000000000000"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn amounts_above_the_supply_are_refused() {
    let line = refused_scenario(
        &format!(
            "{SMALL}[protocol]\nfixed_interop_fee = \"1{} ZK\"\n",
            "0".repeat(50)
        ),
        &[],
    );
    names(
        &line,
        &[
            "protocol.fixed_interop_fee",
            "21,000,000,000 ZK",
            "max supply",
        ],
    );
    let line = refused_scenario(
        &format!("{SMALL}[protocol]\ngateway_settlement_fee = \"21000000000 ZK\"\n"),
        &[],
    );
    names(
        &line,
        &[
            "protocol.gateway_settlement_fee",
            "1000000 ZK",
            "21000000000 ZK",
        ],
    );
    let line = refused_scenario(
        &format!("{SMALL}[claimer]\nzk_treasury = \"30000000000 ZK\"\n"),
        &[],
    );
    names(&line, &["claimer.zk_treasury", "max supply"]);
}

#[test]
fn a_season_after_the_horizon_is_refused() {
    let toml = format!("{SMALL}[staking]\nenabled = true\nseasons = [{{ cap = \"1 ZK\", start_day = 40, days = 10 }}]\n");
    let line = refused_scenario(&toml, &[]);
    names(
        &line,
        &[
            "staking.seasons[0].start_day",
            "day 40",
            "horizon of 30 days",
        ],
    );
}

#[test]
fn a_wei_sized_stake_is_refused() {
    let toml = format!("{SMALL}[staking]\nenabled = true\ninitial_stake = \"1 wei\"\n");
    let line = refused_scenario(&toml, &[]);
    names(
        &line,
        &[
            "staking.initial_stake",
            "at least 1000 ZK",
            "0.000000000000000001 ZK",
        ],
    );
}

#[test]
fn a_spread_of_1e_300_is_refused() {
    let line = refused(&["sensitivity", "--spread", "1e-300"]);
    names(&line, &["--spread", "0.01", "1e-300"]);
    let line = refused(&["sensitivity", "--spread", "0.999999"]);
    names(&line, &["--spread", "4 decimal places", "0.999999"]);
}

// ---- A misleading tornado ----

#[test]
fn a_zero_settlement_fee_moves_by_its_step_and_leads_the_tornado() {
    let (dir, path) = scenario(
        "name = \"zero-fee\"\ndays = 3\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 50000\n\
         [users]\nfee_mode = \"dynamic\"\n[protocol]\ngateway_settlement_fee = \"0 ZK\"\n[claimer]\nenabled = false\n",
    );
    let out = ok(flywheel(&[
        "sensitivity",
        "--scenario",
        s(&path),
        "--runs",
        "1",
    ]));
    assert!(out.contains("×0.5 and ×1.5 (±50%"), "{out}");
    let first = out
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .expect("a first bar");
    assert!(
        first.contains("gateway_settlement_fee") && first.contains("0 (step 10 ZK)"),
        "{out}"
    );
    // 50,000 calls × 5 ZK a day, burned, over a year: 91,250,000 ZK.
    assert!(first.contains("91,250,000"), "{first}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Raw terminal output ----

#[test]
fn control_characters_in_a_scenario_name_are_escaped() {
    let (dir, path) = scenario(
        "name = \"evil\\u001b[2J\\nforged line\"\ndescription = \"bell\\u0007\"\ndays = 2\n\
         [traffic]\nmodel = \"constant\"\ncalls_per_day = 1\n",
    );
    let out = ok(flywheel(&["run", "--scenario", s(&path)]));
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(
        out.starts_with("evil\\e[2J\\nforged line — bell\\u{7}\n"),
        "{out:?}"
    );
    let out = ok(flywheel(&[
        "sweep",
        "--scenario",
        s(&path),
        "--param",
        "burn_bps=1",
    ]));
    assert!(!out.contains('\u{1b}'), "{out:?}");
    // And in an error quoting the text.
    let line = refused(&["address", "decode", "0x\u{1b}[31m"]);
    assert!(!line.contains('\u{1b}'), "{line:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Unclear messages ----

#[test]
fn amounts_say_what_is_wrong() {
    let line = refused_scenario(
        &format!("{SMALL}[protocol]\nfixed_interop_fee = \"inf ZK\"\n"),
        &[],
    );
    names(
        &line,
        &["protocol.fixed_interop_fee", "not a finite number"],
    );
    assert!(!line.contains("empty amount"), "{line}");
    let line = refused_scenario(
        &format!("{SMALL}[protocol]\nfixed_interop_fee = \"1e30 ZK\"\n"),
        &[],
    );
    names(
        &line,
        &["protocol.fixed_interop_fee", "exponents are not supported"],
    );
    assert!(!line.contains("letters only"), "{line}");
}

#[test]
fn large_json_integers_are_quoted_as_written() {
    let text = bundle().to_string().replacen(
        "\"source_chain_id\":324",
        "\"source_chain_id\":18446744073709551616",
        1,
    );
    names(
        &bundle_refused(&text),
        &["source_chain_id", "\"18446744073709551616\""],
    );
    let text =
        bundle()
            .to_string()
            .replacen("\"value\":\"1\"", "\"value\":100000000000000000000000", 1);
    let line = bundle_refused(&text);
    names(&line, &["calls[0].value", "\"100000000000000000000000\""]);
    assert!(!line.contains("e+") && !line.contains("e23"), "{line}");
}

#[test]
fn negative_values_name_the_flag() {
    for args in [
        vec!["run", "--seed", "-1"],
        vec!["run", "--runs", "-1"],
        vec!["sweep", "--days", "-1", "--param", "burn_bps=1"],
        vec!["bench", "--runs", "-1"],
    ] {
        let line = refused(&args);
        names(&line, &[args[1], "'-1'", "whole number"]);
    }
}

#[test]
fn a_preset_shortened_by_days_says_what_it_left_out() {
    let out = ok(flywheel(&[
        "run",
        "--preset",
        "fee-flow-share",
        "--days",
        "30",
        "--runs",
        "2",
    ]));
    assert!(
        out.contains("--days 30 leaves out")
            && out.contains("governance.changes[0] (day 90)")
            && out.contains("governance.changes[1] (day 180)"),
        "{out}"
    );
    // It is the sim's resolver's note, as the server and Python report the same entries.
    let mut request = Request::new(Base::Preset("fee-flow-share".into()));
    request.days = Some(30);
    let resolved = resolve::resolve(&request).expect("resolves");
    let note = resolved.horizon_note().expect("something left out");
    assert!(out.contains(&note), "{out}\n{note}");
    // In a file, a change after the file's own horizon is an error naming the key.
    let toml = format!("{SMALL}[[governance.changes]]\nday = 90\nburn_bps = 5000\n");
    let line = refused_scenario(&toml, &[]);
    names(
        &line,
        &["governance.changes[0].day", "day 90", "horizon of 30 days"],
    );
}

#[test]
fn a_missing_field_is_named_not_the_first_comment() {
    let line = refused_scenario("# my scenario\n# second comment\nname = \"x\"\n", &[]);
    names(&line, &["`traffic`", "missing"]);
    assert!(!line.contains("# my scenario"), "{line}");
    let line = refused_scenario(
        "# my scenario\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 1\n",
        &[],
    );
    names(&line, &["`name`", "missing"]);
}

#[test]
fn duplicate_toml_keys_are_refused() {
    let line = refused_scenario(
        &format!("{SMALL}[protocol]\nburn_bps = 1\nburn_bps = 2\n"),
        &[],
    );
    names(&line, &["burn_bps", "duplicate"]);
}

/// Every command path, for the help checks.
const COMMANDS: [&[&str]; 14] = [
    &[],
    &["address"],
    &["address", "encode"],
    &["address", "decode"],
    &["interop"],
    &["interop", "bundle-hash"],
    &["demo"],
    &["demo", "governance"],
    &["run"],
    &["presets"],
    &["sweep"],
    &["sensitivity"],
    &["bench"],
    &["demo", "interop"],
];

#[test]
fn dash_h_and_help_describe_every_command_alike() {
    for cmd in COMMANDS {
        let short = ok(flywheel(&[cmd, &["-h"][..]].concat()));
        let long = ok(flywheel(&[cmd, &["--help"][..]].concat()));
        assert_eq!(short, long, "{cmd:?}");
    }
}

#[test]
fn help_states_the_limits() {
    let top = ok(flywheel(&["--help"]));
    names(
        &top,
        &[
            "Limits",
            "1,000,000",
            "36,500",
            "10,000 cells",
            "16 MiB",
            "21,000,000,000 ZK",
        ],
    );
    for (cmd, needles) in [
        (
            "run",
            &["--runs <N>", "1 to 1,000,000", "1 to 36,500", "Limits"][..],
        ),
        ("sweep", &["Limits", "10,000 cells"]),
        ("sensitivity", &["--spread", "from 0.01 to 1", "Limits"]),
        (
            "bench",
            &["1 to 1,000,000", "1 to 36,500", "1 to 10,000,000"],
        ),
    ] {
        names(&ok(flywheel(&[cmd, "--help"])), needles);
    }
    names(
        &ok(flywheel(&["interop", "bundle-hash", "--help"])),
        &["16 MiB"],
    );
    names(&ok(flywheel(&["address", "encode", "--help"])), &["2^64-1"]);
}

#[test]
fn help_to_a_full_device_is_an_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists");
    let out = Command::new(BIN)
        .arg("--help")
        .stdout(full)
        .output()
        .expect("the binary runs");
    // Like any failed output (`presets > /dev/full`): exit 1, not 0, one line.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    names(
        &err,
        &["error: cannot write output", "No space left on device"],
    );
}

#[test]
fn the_governance_demo_prints_zk_and_dates() {
    let out = ok(flywheel(&["demo", "governance"]));
    for line in out.lines() {
        assert!(
            !line.contains(" {") && !line.contains("})"),
            "a Debug struct: {line}"
        );
        // A unix time (17…… seconds) or a wei amount (19+ digits) printed raw.
        let long_digits = line
            .split(|c: char| !c.is_ascii_digit())
            .any(|run| run.len() >= 10);
        let decimal = line.contains('.');
        assert!(!long_digits || decimal, "raw seconds or wei: {line}");
    }
    names(
        &out,
        &[
            "UTC",
            "voting power",
            "proposed #0",
            "90 days",
            "ZK of rewards",
        ],
    );
}
