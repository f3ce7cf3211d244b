//! Institutional Prividium chains in the simulator: an optional `[prividium]` section lists
//! institutions, each a Prividium on Gateway that joins on a given day, whose permissioned users
//! send interop traffic to a named chain, a share of it on the fixed ZK fee. Without the section
//! nothing changes: the public chains draw the same random numbers and give the same figures.
//!
//! Both fidelities carry the institutions' traffic: flow mode as aggregates, event mode through
//! each Prividium's sequencer (every bundle admitted and judged against its users' roles and
//! routes, and logged). The [`Book`] attributes the run's calls, fees and burn to the
//! Prividium chains and to the public ones from what the engine decided and what the ledger
//! reported, identically in both fidelities, with integer arithmetic; the two groups always sum
//! to the run's totals.
//!
//! Burn attribution is a **model choice** (the contracts burn pooled ZK, not per-chain ZK):
//! - a settlement-fee sweep's burn goes to the groups in proportion to the settlement fees each
//!   paid into the vault since the previous sweep (the Prividiums' part rounded down, the
//!   public chains' the rest);
//! - a Fee Flow claim buys the whole pool for one price, so its burn goes to the groups in
//!   proportion to the calls whose base-token fees reached the pool since the previous claim
//!   (a chain's calls count when its operator's claim moved fees into the pool).
//!
//! One file per job: `scenario` (the section and its validation), `book` (the attribution
//! both fidelities share), `event` (the event ledger's genesis, setup and bundles) and
//! `report` (what reports show). Everything is re-exported here.

/// The limits on this module's keys, kept with every other limit of the crate.
pub use crate::scenario::limits::{MAX_INSTITUTIONS, MAX_USERS};

mod book;
mod event;
mod report;
mod scenario;

pub use book::{Book, GroupFigures, Shares};
pub use event::{bundle_actions, genesis_chains, setup_actions, user};
pub use report::{representative, rows, share_bps, summary};
pub use scenario::{bases, load_files, validate, InstitutionSpec, PrividiumSpec};
