//! Scenario files: the whole experiment as data (TOML), validated with errors that name the
//! key, the allowed range and the value found.
//!
//! Units: token amounts are strings with a unit (`"10 ZK"`, `"0.0001 ETH"`, `"5 wei"`); a
//! bare number means whole tokens of the field's asset. Prices are USD floats (prices drive
//! agents' decisions only; every token amount stays integer wei). Rates are per year; shares
//! are fractions in [0, 1] or basis points where the contracts use basis points.
//!
//! One file per job: `types` (what a file says), `read` (TOML text and files in, TOML and
//! JSON out), `validate` (every value checked, every amount parsed), `error` (the key at
//! fault) and [`limits`] (every bound of the sim crate). Everything is re-exported here, so
//! `flywheel_sim::scenario::X` names each of them.

mod error;
pub mod limits;
mod read;
mod types;
mod validate;

pub use error::ScenarioError;
pub use limits::*;
pub use read::{check_regular, not_regular, read_limited};
pub use types::*;
pub use validate::{amount, fee, range, shown, Validated, ValidatedChange};

#[cfg(test)]
mod tests;
