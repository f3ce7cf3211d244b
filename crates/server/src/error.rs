//! The server crate's errors. Each names what was wrong; the API turns them into JSON
//! `{error, key, limit, value}` with a 4xx status for the caller's faults and 5xx for ours.

use crate::store::Status;

/// A store operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file cannot be opened or is not a store this flywheel can use.
    #[error("run store {path}: {reason}")]
    Open {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// SQLite failed (disk full, I/O error, a locked file beyond the busy timeout).
    #[error("run store: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A row holds something this flywheel never writes.
    #[error("run store: corrupt row: {0}")]
    Corrupt(String),
    /// No such run or saved scenario.
    #[error("no {what} {id}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id or name.
        id: String,
    },
    /// The run has not produced that file (not done yet, or its steps were not kept).
    #[error("run {id} has no {part} (status {})", status.as_str())]
    NotReady {
        /// The run.
        id: i64,
        /// Its status.
        status: Status,
        /// The file asked for.
        part: &'static str,
    },
    /// The run is queued or running, so it cannot be deleted.
    #[error("run {id} is still queued or running")]
    Busy {
        /// The run.
        id: i64,
    },
    /// An input out of its documented limit.
    #[error("{field}: must be {limit}; got {value}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// The limit.
        limit: String,
        /// The value found (shortened).
        value: String,
    },
}
