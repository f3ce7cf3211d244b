//! The scenario reader and its validation (`flywheel run --scenario`). Properties: nothing
//! panics; a refusal names a key; a scenario that validates runs (flow fidelity, briefly)
//! without panicking and keeps the ZK supply within its maximum.
#![no_main]

use flywheel_sim::monte_carlo::{simulate, Options};
use flywheel_sim::scenario::{Fidelity, Scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scenario = match Scenario::from_toml(text) {
        Ok(s) => s,
        Err(e) => {
            assert!(!e.key.is_empty());
            return;
        }
    };
    let mut short = scenario.clone();
    short.set_horizon(short.days.min(3));
    short.runs = short.runs.clamp(1, 2);
    short.fidelity = Fidelity::Flow;
    match short.validate() {
        Ok(v) => {
            let opts = Options {
                runs: v.scenario.runs,
                fidelity: Fidelity::Flow,
            };
            if let Ok(out) = simulate(&v, opts, false, |_, _| {}, &|_| {}) {
                for r in &out.runs {
                    assert!(r.totals.supply <= flywheel_protocol::token::MAX_SUPPLY);
                }
            }
        }
        Err(e) => assert!(!e.key.is_empty()),
    }
    let _ = scenario.validate();
});
