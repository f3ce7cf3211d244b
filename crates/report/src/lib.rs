//! flywheel-report: a run's results, in one place for every front end (the CLI, the server's
//! run store, the Python package). Above the sim and nothing else: it turns a validated
//! scenario, its runs' days and the Monte Carlo's outcome into the per-day steps table, the
//! digest (one run's figures that add up), bands, SVG charts and a self-contained
//! `report.html`, written all or nothing; and it owns the shard file format that lets a run be
//! split across machines and merged back byte for byte.

pub mod bands;
pub mod charts;
pub mod digest;
pub mod error;
pub mod html;
pub mod number;
pub mod out_dir;
pub mod priority;
pub mod proposal;
pub mod proposal_doc;
pub mod run_files;
pub mod shard;
pub mod steps;

pub use error::ReportError;
