//! Built-in scenarios, shipped as TOML files in `scenarios/` and compiled in, so presets are
//! data a user can copy and edit rather than code.

use crate::scenario::{Scenario, ScenarioError};

/// (name, TOML) of every preset, the default first.
pub const PRESETS: [(&str, &str); 9] = [
    (
        "v31-baseline",
        include_str!("../../../scenarios/v31-baseline.toml"),
    ),
    (
        "seed-conservative",
        include_str!("../../../scenarios/seed-conservative.toml"),
    ),
    (
        "seed-baseline",
        include_str!("../../../scenarios/seed-baseline.toml"),
    ),
    (
        "seed-optimistic",
        include_str!("../../../scenarios/seed-optimistic.toml"),
    ),
    (
        "seed-institutional",
        include_str!("../../../scenarios/seed-institutional.toml"),
    ),
    (
        "fee-flow-share",
        include_str!("../../../scenarios/fee-flow-share.toml"),
    ),
    (
        "institutional-ramp",
        include_str!("../../../scenarios/institutional-ramp.toml"),
    ),
    (
        "priority-mode-censorship",
        include_str!("../../../scenarios/priority-mode-censorship.toml"),
    ),
    (
        "prividium-institutions",
        include_str!("../../../scenarios/prividium-institutions.toml"),
    ),
];

/// The preset the main command runs.
pub const DEFAULT: &str = "v31-baseline";

/// The seed's table: (preset, calls per day, ZK burned per day, ZK burned per year).
pub const SEED_TABLE: [(&str, u64, u64, u64); 4] = [
    ("seed-conservative", 5_000, 50_000, 18_250_000),
    ("seed-baseline", 50_000, 500_000, 182_500_000),
    ("seed-optimistic", 200_000, 2_000_000, 730_000_000),
    ("seed-institutional", 1_000_000, 10_000_000, 3_650_000_000),
];

/// A preset by name.
pub fn preset(name: &str) -> Result<Scenario, ScenarioError> {
    let text = PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
            ScenarioError::new(
                "preset",
                format!("unknown preset `{name}`; known: {}", names.join(", ")),
            )
        })?;
    Scenario::from_toml(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_validates_under_its_own_name() {
        for (name, _) in PRESETS {
            let s = preset(name).unwrap();
            assert_eq!(s.name, name);
            s.validate().unwrap();
        }
        assert!(preset("nope").is_err());
    }
}
