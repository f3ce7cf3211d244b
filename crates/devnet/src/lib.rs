//! flywheel-devnet: an L1, a Gateway and several ZK chains in one process, each behind its
//! own Ethereum JSON-RPC endpoint, over the protocol crate's state machine.
//!
//! What it is for: letting unmodified Ethereum clients (cast, viem, ethers, web3.py, alloy)
//! drive the flywheel protocol. What it is not: a second implementation of the protocol — every
//! balance a client reads is the protocol [`flywheel_protocol::network::State`]'s.

pub mod accounts;
pub mod bench;
pub mod bridge;
pub mod chain;
pub mod client;
pub mod config;
pub mod contracts;
pub mod dispatch;
pub mod error;
pub mod evm;
pub mod files;
pub mod filters;
pub mod limits;
pub mod node;
pub mod overrides;
pub mod receiver;
pub mod refusals;
pub mod rpc;
pub mod runner;
pub mod server;
pub mod state_file;
pub mod system;
pub mod table;
pub mod trace;
pub mod ws;

pub use config::DevnetConfig;
pub use error::DevnetError;
pub use node::Devnet;
