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

/// A request refused before (or instead of) its handler's work: what a browser sends on
/// behalf of another site, a body too large, too slow or not JSON, or a server too busy.
/// Each names the header or field, the limit and the value found (header values shortened).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// HTTP/1.1 requires exactly one Host header.
    #[error("host: must be {allowed}; got {count} Host headers")]
    HostCount {
        /// The Host values this server answers to.
        allowed: String,
        /// How many Host headers came.
        count: usize,
    },
    /// A Host (or a request target's authority) that is not this server's: a DNS-rebinding
    /// page's own name, or another server's.
    #[error("{header}: must be {allowed}; got {value:?}")]
    Host {
        /// `host`, or `request-target` for an absolute URL.
        header: &'static str,
        /// The Host values this server answers to.
        allowed: String,
        /// The value found (shortened).
        value: String,
    },
    /// A write sent by a page of another origin (`origin`) or site (`sec-fetch-site`).
    #[error("{header}: a write must come from {allowed}; got {value:?}")]
    CrossOrigin {
        /// The header: `origin` or `sec-fetch-site`.
        header: &'static str,
        /// What is accepted.
        allowed: String,
        /// The value found (shortened).
        value: String,
    },
    /// A body that is not declared JSON (a form or text/plain POST a page can send without
    /// asking).
    #[error("content-type: must be application/json; got {}", value.as_deref().map_or_else(|| "none".to_string(), |v| format!("{v:?}")))]
    MediaType {
        /// The Content-Type found (shortened), or None without one.
        value: Option<String>,
    },
    /// A body over the limit, as declared in Content-Length or as read.
    #[error("{header}: the body must be at most {limit} bytes; got {value}")]
    TooLarge {
        /// `content-length` when declared, `body` when counted while reading.
        header: &'static str,
        /// The limit, bytes.
        limit: usize,
        /// The size declared, or `more` when counted.
        value: String,
    },
    /// A body not sent in time.
    #[error("body: must arrive within {seconds} s of the headers")]
    BodyTimeout {
        /// The timeout, seconds.
        seconds: f64,
    },
    /// A body the connection failed to deliver.
    #[error("body: cannot be read: {reason}")]
    BodyRead {
        /// Why.
        reason: String,
    },
    /// A JSON object with the same key twice (serde would keep one silently).
    #[error("{path}: a key given twice in one JSON object")]
    DuplicateKey {
        /// The key's dotted path in the body (array elements by index).
        path: String,
        /// The key.
        key: String,
    },
    /// No route at this path.
    #[error("path: no such route {path:?}")]
    NoRoute {
        /// The path (shortened).
        path: String,
    },
    /// A route that does not answer this method.
    #[error("method: {path:?} answers {allow}; got {method}")]
    Method {
        /// The path (shortened).
        path: String,
        /// The methods it answers.
        allow: String,
        /// The method found.
        method: String,
    },
    /// More what-if runs in flight than the server takes.
    #[error("whatif: at most {limit} what-if runs at once; {in_flight} in flight")]
    WhatIfsBusy {
        /// The limit.
        limit: usize,
        /// How many are in flight.
        in_flight: usize,
    },
}
