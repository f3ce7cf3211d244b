//! Why the devnet could not start, load or save. (Errors of single requests are JSON-RPC
//! errors, `rpc::RpcError`, and never stop the server.)

use std::path::PathBuf;

/// A failure of the devnet as a whole.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The configuration (file or command line) is invalid; the message names the key.
    #[error("config: {0}")]
    Config(String),
    /// A port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A state file could not be read or is not one this version wrote.
    #[error("state file {path}: {message}")]
    StateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file named on the command line cannot be used: not a regular file, too large, or a
    /// state cannot be written where asked.
    #[error("{flag} {}: {source}", path.display())]
    File {
        /// The flag that named it (`--config`, `--state`, `--dump-state`).
        flag: &'static str,
        /// The path as given.
        path: PathBuf,
        /// What is wrong.
        source: crate::files::FileError,
    },
    /// The protocol refused the genesis or a replayed event (a state file that does not fit).
    #[error("protocol: {0}")]
    Protocol(#[from] flywheel_protocol::error::ProtocolError),
    /// A dev account could not be derived.
    #[error("dev accounts: {0}")]
    Accounts(String),
    /// A JSON-RPC call to a running devnet failed (`flywheel devnet trace --rpc URL`).
    #[error("{url}: {message}")]
    Rpc {
        /// The endpoint.
        url: String,
        /// What went wrong, or the node's error message.
        message: String,
    },
    /// Any other I/O failure (the runtime, the terminal).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
