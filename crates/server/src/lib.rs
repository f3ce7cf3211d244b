//! `flywheel-server`: the run store (SQLite), the HTTP API and the browser dashboard behind
//! `flywheel serve` and `flywheel runs`. A thin layer over `flywheel-sim`: scenarios parse and
//! validate through the sim's own code and runs are the sim's Monte Carlo. The files of a
//! stored run (summary, bands, steps, report) are written by `flywheel-report`, the same
//! writer as `flywheel run --out`.

pub mod api;
pub mod error;
pub mod exec;
pub mod guard;
pub mod limits;
pub mod proposals;
pub mod store;
pub mod web;
