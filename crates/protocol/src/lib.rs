//! flywheel-protocol: a deterministic state machine of ZKsync V31 interop and the ZK token
//! economy.
//!
//! What it is for: applying typed actions to a multi-chain network and returning the events
//! they emit, exactly and reproducibly (integer wei, no clocks, no randomness, no I/O).
//! What it is not: a simulator (that is `flywheel-sim`) or a user interface (`flywheel-cli`).

pub mod address;
pub mod bridge;
pub mod chain;
pub mod error;
pub mod event;
pub mod fee_flow;
pub mod genesis;
pub mod governance;
pub mod interop;
pub mod journal;
pub mod merkle;
pub mod network;
pub mod priority;
pub mod prividium;
pub mod relayer;
pub mod settlement;
pub mod staking;
pub mod statuses;
pub mod token;
pub mod units;
pub mod workload;

/// EIP-155 chain id. The model keeps chain ids in 64 bits; every chain id in use fits.
pub type ChainId = u64;
