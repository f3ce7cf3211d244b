//! What `flywheel` reads from users, as a library: the error type, the value parsers (hex,
//! addresses, chain ids, wei), bounded reads of files and stdin, the strict JSON reader and
//! the bundle description reader, the limits, and terminal-safe text. The binary
//! (`src/main.rs`) uses these, and so do the fuzz targets in `/fuzz`, which therefore exercise
//! exactly the code users reach. The simulation commands (`run`, `sweep`, `merge`) are here
//! too; the files and report they write are `flywheel-report`'s.

pub mod bundle_file;
pub mod error;
pub mod fmt;
pub mod input;
pub mod json;
pub mod limits;
pub mod parse;
pub mod priority_report;
pub mod prividium_report;
pub mod propose_cmd;
pub mod run_cmd;
#[cfg(feature = "server")]
pub mod runs_cmd;
pub mod scenario_args;
pub mod scenario_cmd;
#[cfg(feature = "server")]
pub mod serve_cmd;
pub mod shard_cmd;
pub mod sweep_cmd;
pub mod term;
