//! The results crate's one error type. Each variant names what it is about (the destination
//! flag, the shard folder, the chart), so a front end can print it as one line and choose its
//! own exit code or status.

use std::path::Path;

/// Why results could not be written or read back.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A destination or input the user chose cannot be used: `field` is the flag or the input
    /// concerned (`--out`, `merge`), `message` names the file or folder at fault and why.
    #[error("{field}: {message}")]
    Field {
        /// The flag or input concerned.
        field: String,
        /// What is wrong, naming the file or folder.
        message: String,
    },
    /// Drawing a chart failed (a bug in the renderer, never the data's fault).
    #[error("cannot draw {chart}: {reason}")]
    Chart {
        /// The chart's file name.
        chart: String,
        /// The renderer's error.
        reason: String,
    },
    /// A value could not be written as JSON (never the data's fault either).
    #[error("cannot write output: {0}")]
    Json(#[from] serde_json::Error),
}

impl ReportError {
    /// Builds a [`ReportError::Field`].
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    /// An error about shard folder `dir` (the `merge` input at fault).
    pub fn shard(dir: &Path, message: impl std::fmt::Display) -> Self {
        Self::field("merge", format!("{}: {message}", dir.display()))
    }
}
