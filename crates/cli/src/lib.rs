//! What `flywheel` reads from users, as a library: the error type, the value parsers (hex,
//! addresses, chain ids, wei), bounded reads of files and stdin, the strict JSON reader and
//! the bundle description reader, the limits, and terminal-safe text. The binary
//! (`src/main.rs`) uses these, and so do the fuzz targets in `/fuzz`, which therefore exercise
//! exactly the code users reach.

pub mod bundle_file;
pub mod error;
pub mod input;
pub mod json;
pub mod limits;
pub mod parse;
pub mod term;
