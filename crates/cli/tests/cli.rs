//! The `flywheel` binary as users run it: real processes, real files, checked output, and the
//! error contract (one `error:` line on stderr, empty stdout, non-zero exit).

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flywheel_protocol::event::Event;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::*;

fn flywheel_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flywheel"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("stdin accepts the input");
    child.wait_with_output().expect("the binary finishes")
}

/// A file in the temp dir with a name no other test (or test run) uses.
fn temp_file(contents: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("flywheel-cli-test-{}-{n}.json", std::process::id()));
    std::fs::write(&path, contents).expect("temp dir is writable");
    path
}

const ENSIP25: &str = "0x000100000101148004a169fb4a3325136eb29fa0ceb6d2e539a432";

#[test]
fn address_encode_matches_the_ensip25_example() {
    let out = ok(flywheel(&[
        "address",
        "encode",
        "--chain-id",
        "1",
        "--address",
        "0x8004A169FB4a3325136EB29fA0ceB6D2e539a432",
    ]));
    assert_eq!(out, format!("{ENSIP25}\n"));
}

#[test]
fn address_decode_prints_the_json_form() {
    let out = ok(flywheel(&["address", "decode", ENSIP25]));
    assert_eq!(
        out,
        "{\"version\":1,\"chain_type\":0,\"chain_id\":1,\"address\":\"0x8004a169fb4a3325136eb29fa0ceb6d2e539a432\"}\n"
    );
}

#[test]
fn chain_only_address_only_and_empty_round_trip() {
    let chain = ok(flywheel(&["address", "encode", "--chain-id", "324"]));
    assert_eq!(chain.trim(), "0x0001000002014400");
    let v = json(&ok(flywheel(&["address", "decode", chain.trim()])));
    assert_eq!(v["chain_id"], 324);
    assert!(v["address"].is_null());

    let a = format!("0x{}", "11".repeat(20));
    let addr = ok(flywheel(&["address", "encode", "--address", &a]));
    assert_eq!(addr.trim(), format!("0x000100000014{}", "11".repeat(20)));
    let v = json(&ok(flywheel(&["address", "decode", addr.trim()])));
    assert!(v["chain_id"].is_null());
    assert_eq!(v["address"], a.as_str());

    let empty = ok(flywheel(&["address", "encode"]));
    assert_eq!(empty.trim(), "0x000100000000");
    let v = json(&ok(flywheel(&["address", "decode", empty.trim()])));
    assert_eq!(
        v,
        json(r#"{"version":1,"chain_type":0,"chain_id":null,"address":null}"#)
    );
}

#[test]
fn address_decode_rejects_malformed_input() {
    for (input, needle) in [
        ("0x0001000001", "too short"),
        ("0x000200000000", "version"),
        ("0x000100000000ff", "trailing"),
        ("0xzz", "hex"),
        ("0x000", "hex"),
        ("0x0001000005010200", "overruns"),
        ("0x0001000000021111", "0 or 20 bytes"),
    ] {
        let err = fails(flywheel(&["address", "decode", input]));
        assert!(err.contains(needle), "{input}: {err}");
        assert!(err.contains(input), "the error quotes the input: {err}");
    }
}

#[test]
fn address_encode_rejects_bad_flags() {
    let err = fails(flywheel(&["address", "encode", "--address", "0x12"]));
    assert!(
        err.starts_with("error: --address: invalid address \"0x12\""),
        "{err}"
    );
    let err = fails(flywheel(&["address", "encode", "--chain-id", "twelve"]));
    assert!(err.contains("--chain-id"), "{err}");
    // A mixed-case address with a broken EIP-55 checksum is a typo, not an address.
    let err = fails(flywheel(&[
        "address",
        "encode",
        "--address",
        "0x8004a169FB4a3325136EB29fA0ceB6D2e539a432",
    ]));
    assert!(err.contains("checksum"), "{err}");
}

fn hex_repeat(byte: &str, n: usize) -> String {
    format!("0x{}", byte.repeat(n))
}

/// The vector bundle: 324 → 325 (base token asset id 0x5b…5b), sender 0xaa…aa nonce 3, two
/// calls, base-token fee mode.
fn vector_bundle() -> Value {
    let aa = hex_repeat("aa", 20);
    serde_json::json!({
        "source_chain_id": 324,
        "destination_chain_id": 325,
        "destination_base_token_asset_id": hex_repeat("5b", 32),
        "use_fixed_fee": false,
        "sender": aa,
        "sender_nonce": 3,
        "calls": [
            {"to": hex_repeat("10", 20), "from": aa, "value": "0", "data": "0x000000"},
            {"to": hex_repeat("11", 20), "from": aa, "value": "1000", "data": hex_repeat("01", 34)}
        ],
        "execution_address": "0x",
        "unbundler_address": format!("0x0001000002014414{}", "aa".repeat(20)),
    })
}

fn bundle_hash_of(bundle: &Value) -> Output {
    let path = temp_file(&bundle.to_string());
    let out = flywheel(&["interop", "bundle-hash", path.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&path);
    out
}

// Computed outside this crate with Python eth_abi 6.0.0 and eth_hash 0.8.0 (the encoder of
// tests/eth_abi_bundle_hash.py), for the vector bundle and for it with "use_fixed_fee": true.
const VECTOR_HASH: &str = "0xeaf57051bc64146a0eb8a492a580af4f41da243203a2349397114ceb5328064a";
const VECTOR_SEND_ID_1: &str = "0x5368292591994e959a6d93ed8984b1b18587ba95e9eddda0ee3bc4ae48e2a9b9";
const VECTOR_FIXED_HASH: &str =
    "0x7e66a65c9e1ff38fa5756456258f772bfb1296609502c0eef076b0087f15bb77";

#[test]
fn bundle_hash_matches_the_independent_vector() {
    let out = json(&ok(bundle_hash_of(&vector_bundle())));
    let obj = out.as_object().expect("an object");
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let mut expected = vec![
        "interop_bundle_salt",
        "encoded_bundle",
        "bundle_hash",
        "message",
        "send_ids",
    ];
    expected.sort_unstable();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected);

    assert_eq!(out["bundle_hash"], VECTOR_HASH);
    assert_eq!(out["send_ids"][1], VECTOR_SEND_ID_1);
    assert_eq!(out["send_ids"].as_array().map(Vec::len), Some(2));
    let encoded = out["encoded_bundle"].as_str().expect("hex string");
    assert_eq!(encoded.len(), 2 + 2 * 1088, "1088-byte encoding");
    let message = out["message"].as_str().expect("hex string");
    assert_eq!(message, format!("0x01{}", &encoded[2..]));
    for field in ["interop_bundle_salt", "bundle_hash"] {
        let v = out[field].as_str().expect("hex string");
        assert!(v.starts_with("0x") && v.len() == 66, "{field}: {v}");
        assert_eq!(v, v.to_lowercase());
    }
}

#[test]
fn bundle_hash_reads_the_fee_mode_and_the_base_token_asset_id() {
    let mut fixed = vector_bundle();
    fixed["use_fixed_fee"] = Value::from(true);
    let out = json(&ok(bundle_hash_of(&fixed)));
    assert_eq!(out["bundle_hash"], VECTOR_FIXED_HASH);
    let mut other_base = vector_bundle();
    other_base["destination_base_token_asset_id"] = Value::from(hex_repeat("5c", 32));
    let out = json(&ok(bundle_hash_of(&other_base)));
    assert_ne!(out["bundle_hash"], VECTOR_HASH);
    // The asset id is in the encoding, as the fourth head word of the bundle tuple.
    let encoded = out["encoded_bundle"].as_str().expect("hex string");
    assert_eq!(&encoded[2 + 64 * 4..2 + 64 * 5], "5c".repeat(32));
}

#[test]
fn bundle_hash_accepts_an_empty_call_list() {
    let mut empty = vector_bundle();
    empty["calls"] = Value::Array(vec![]);
    let out = json(&ok(bundle_hash_of(&empty)));
    assert_eq!(out["send_ids"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_direct_salt_gives_the_same_hash_as_sender_and_nonce() {
    let derived = json(&ok(bundle_hash_of(&vector_bundle())));
    let salt = derived["interop_bundle_salt"].clone();
    let mut direct = vector_bundle();
    let obj = direct.as_object_mut().expect("an object");
    obj.remove("sender");
    obj.remove("sender_nonce");
    obj.insert("salt".into(), salt);
    let out = json(&ok(bundle_hash_of(&direct)));
    assert_eq!(out, derived);
    assert_eq!(out["bundle_hash"], VECTOR_HASH);
}

#[test]
fn bundle_hash_reads_stdin_and_accepts_integer_values() {
    let mut b = vector_bundle();
    b["calls"][1]["value"] = Value::from(1000u64);
    let out = json(&ok(flywheel_stdin(
        &["interop", "bundle-hash", "-"],
        &b.to_string(),
    )));
    assert_eq!(out["bundle_hash"], VECTOR_HASH);
}

#[test]
fn bundle_hash_rejects_bad_files() {
    let mut unknown = vector_bundle();
    unknown["colour"] = Value::from("blue");
    let err = fails(bundle_hash_of(&unknown));
    assert!(err.contains("unknown field `colour`"), "{err}");

    let mut unknown_in_call = vector_bundle();
    unknown_in_call["calls"][0]["gas"] = Value::from(1);
    let err = fails(bundle_hash_of(&unknown_in_call));
    assert!(
        err.starts_with("error: calls[0]: unknown field `gas`"),
        "{err}"
    );

    let mut both = vector_bundle();
    both["salt"] = Value::from(hex_repeat("00", 32));
    let err = fails(bundle_hash_of(&both));
    assert!(err.contains("salt") && err.contains("not both"), "{err}");

    let mut neither = vector_bundle();
    let obj = neither.as_object_mut().expect("an object");
    obj.remove("sender");
    obj.remove("sender_nonce");
    let err = fails(bundle_hash_of(&neither));
    assert!(err.starts_with("error: salt: missing"), "{err}");

    for bad in ["1.5", "-1", "", "0x10", "1 ETH"] {
        let mut b = vector_bundle();
        b["calls"][1]["value"] = Value::from(bad);
        let err = fails(bundle_hash_of(&b));
        assert!(
            err.starts_with("error: calls[1].value: invalid wei amount"),
            "{err}"
        );
    }

    let mut short_to = vector_bundle();
    short_to["calls"][0]["to"] = Value::from("0x12");
    let err = fails(bundle_hash_of(&short_to));
    assert!(
        err.starts_with("error: calls[0].to: invalid address \"0x12\""),
        "{err}"
    );

    let mut odd_data = vector_bundle();
    odd_data["calls"][0]["data"] = Value::from("0x123");
    let err = fails(bundle_hash_of(&odd_data));
    assert!(err.starts_with("error: calls[0].data:"), "{err}");

    let mut bad_salt = vector_bundle();
    let obj = bad_salt.as_object_mut().expect("an object");
    obj.remove("sender");
    obj.remove("sender_nonce");
    obj.insert("salt".into(), Value::from("0x1234"));
    let err = fails(bundle_hash_of(&bad_salt));
    assert!(err.starts_with("error: salt:"), "{err}");

    let mut bad_unbundler = vector_bundle();
    bad_unbundler["unbundler_address"] = Value::from("0x0001000000021111");
    let err = fails(bundle_hash_of(&bad_unbundler));
    assert!(err.starts_with("error: unbundler_address:"), "{err}");

    let mut empty_unbundler = vector_bundle();
    empty_unbundler["unbundler_address"] = Value::from("0x");
    let err = fails(bundle_hash_of(&empty_unbundler));
    assert!(err.starts_with("error: unbundler_address:"), "{err}");

    let mut bad_exec = vector_bundle();
    bad_exec["execution_address"] = Value::from("0x0001");
    let err = fails(bundle_hash_of(&bad_exec));
    assert!(err.starts_with("error: execution_address:"), "{err}");

    let mut missing = vector_bundle();
    missing.as_object_mut().expect("an object").remove("calls");
    let err = fails(bundle_hash_of(&missing));
    assert!(err.contains("missing field `calls`"), "{err}");

    let mut negative = vector_bundle();
    negative["source_chain_id"] = Value::from(-1);
    let err = fails(bundle_hash_of(&negative));
    assert!(err.starts_with("error: source_chain_id:"), "{err}");

    for key in ["destination_base_token_asset_id", "use_fixed_fee"] {
        let mut missing = vector_bundle();
        missing.as_object_mut().expect("an object").remove(key);
        let err = fails(bundle_hash_of(&missing));
        assert!(err.contains(&format!("missing field `{key}`")), "{err}");
    }
    for bad in [
        Value::from("0x1234"),
        Value::from(hex_repeat("zz", 32)),
        Value::from(5),
    ] {
        let mut b = vector_bundle();
        b["destination_base_token_asset_id"] = bad;
        let err = fails(bundle_hash_of(&b));
        assert!(
            err.starts_with("error: destination_base_token_asset_id:"),
            "{err}"
        );
    }
    for bad in [Value::from("true"), Value::from(1), Value::Null] {
        let mut b = vector_bundle();
        b["use_fixed_fee"] = bad;
        let err = fails(bundle_hash_of(&b));
        assert!(
            err.starts_with("error: use_fixed_fee: expected true or false"),
            "{err}"
        );
    }
}

#[test]
fn bundle_hash_rejects_unreadable_input() {
    let path = std::env::temp_dir().join(format!(
        "flywheel-cli-test-{}-does-not-exist.json",
        std::process::id()
    ));
    let path = path.to_str().expect("utf-8 path");
    let err = fails(flywheel(&["interop", "bundle-hash", path]));
    assert!(
        err.starts_with("error: cannot read") && err.contains(path),
        "{err}"
    );

    let err = fails(flywheel_stdin(
        &["interop", "bundle-hash", "-"],
        "{\"calls\": [\n",
    ));
    assert!(err.contains("malformed JSON"), "{err}");

    let err = fails(flywheel_stdin(&["interop", "bundle-hash", "-"], "[1, 2]"));
    assert!(err.contains("JSON object"), "{err}");
}

#[test]
fn demo_interop_walks_all_three_parts() {
    let out = ok(flywheel(&["demo", "interop"]));
    assert!(
        out.contains("bundle 0x") && out.contains("executed"),
        "{out}"
    );
    assert!(out.contains("FullyExecuted"), "{out}");
    assert!(out.contains("3 ETH"), "amounts are human-readable");
    assert!(out.contains("chained delivery complete"), "{out}");
    assert!(out.contains("carol on era: 5 ETH"), "{out}");
    assert!(out.contains("Cancelled"), "{out}");
    assert!(out.contains("refund"), "{out}");
    assert!(
        out.contains("rejected: bob"),
        "the non-unbundler is refused"
    );
    assert!(out.contains("rebuilds the same state"), "{out}");
}

#[test]
fn demo_interop_json_is_one_event_per_line() {
    let out = ok(flywheel(&["demo", "interop", "--json"]));
    let mut events = Vec::new();
    for line in out.lines() {
        let v = json(line);
        assert!(v.is_object(), "{line}");
        let event: Event = serde_json::from_value(v).expect("each line is an Event");
        events.push(event);
    }
    assert!(events.len() > 30, "{} events", events.len());
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::BundleExecuted { .. })));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::CallProcessed {
            status: flywheel_protocol::chain::CallStatus::Cancelled,
            ..
        }
    )));
}

#[test]
fn help_and_version_work() {
    let help = ok(flywheel(&["--help"]));
    for cmd in ["address", "interop", "demo"] {
        assert!(help.contains(cmd), "{help}");
    }
    let version = ok(flywheel(&["--version"]));
    assert!(version.starts_with("flywheel "), "{version}");
    let decode_help = ok(flywheel(&["address", "decode", "--help"]));
    assert!(decode_help.contains("lowercase"), "{decode_help}");
}

#[test]
fn clap_usage_errors_exit_2() {
    let out = flywheel(&["address", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).starts_with("error:"));
}
