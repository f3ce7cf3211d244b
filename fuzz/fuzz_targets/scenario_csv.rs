//! The scenario CSV readers (traffic counts and prices). Properties: nothing panics; what is
//! accepted is non-empty, at most one value per allowed line, and within the model's range.
#![no_main]

use flywheel_sim::process::{parse_csv, price_problem, traffic_problem};
use flywheel_sim::scenario::{MAX_CALLS_PER_DAY, MAX_CSV_ROWS, MAX_PRICE_USD, MIN_PRICE_USD};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(prices) = parse_csv("prices.zk.path", "fuzz.csv", text, price_problem) {
        assert!(!prices.is_empty() && prices.len() <= MAX_CSV_ROWS);
        assert!(prices.iter().all(|p| (MIN_PRICE_USD..=MAX_PRICE_USD).contains(p)));
    }
    if let Ok(counts) = parse_csv("traffic.path", "fuzz.csv", text, traffic_problem) {
        assert!(!counts.is_empty() && counts.len() <= MAX_CSV_ROWS);
        assert!(counts.iter().all(|c| c.is_finite() && (0.0..=MAX_CALLS_PER_DAY).contains(c)));
    }
});
