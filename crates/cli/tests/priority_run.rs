//! `flywheel run` on the censorship preset prints and emits the Stage 1 chain's report; a
//! scenario without a Stage 1 chain has none.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{flywheel, json, ok};

#[test]
fn the_censorship_preset_reports_delays_activations_and_fees() {
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "run",
            "--preset",
            "priority-mode-censorship",
            "--days",
            "40",
            "--runs",
            "1",
        ];
        a.extend_from_slice(extra);
        a
    };
    let text = ok(flywheel(&args(&[])));
    for needle in [
        "Stage 1 chain stage1-chain (settles on L1; armed, operator censors days 20–49",
        "delay: max",
        "4d 00h 00m 00s",
        "first activation",
        "after 23d 12h 30m 00s",
        "interop sends refused (NotInGatewayMode)",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let flow = json(&ok(flywheel(&args(&["--json"]))));
    let event = json(&ok(flywheel(&args(&["--json", "--fidelity", "event"]))));
    let p = &flow["priority_mode"];
    assert_eq!(
        p, &event["priority_mode"],
        "both fidelities report the same"
    );
    assert_eq!(p["requests"], 40 * 48);
    assert_eq!(p["delay_max_s"], 4 * 86_400);
    assert_eq!(p["activations"], 1);
    assert_eq!(p["interop_refused"], 80);
    assert!(p["fees_to_rescuer_wei"].as_str().is_some_and(|s| s != "0"));
    let dir = std::env::temp_dir().join(format!("flywheel-priority-run-{}", std::process::id()));
    let dir_arg = dir.to_string_lossy().to_string();
    let mut with_out = args(&[]);
    with_out.extend(["--out", dir_arg.as_str()]);
    ok(flywheel(&with_out));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html written");
    assert!(
        html.contains("<h2>Stage 1 chain stage1-chain"),
        "the report has the section"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let plain = json(&ok(flywheel(&[
        "run",
        "--preset",
        "v31-baseline",
        "--days",
        "2",
        "--runs",
        "1",
        "--json",
    ])));
    assert!(plain.get("priority_mode").is_none());
}
