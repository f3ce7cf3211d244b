//! A Stage 1 chain under censorship: the scenario's optional `[priority_mode]` section adds one
//! ZK chain that settles on L1, with users depositing to it from L1 every day. Its operator
//! processes the deposits until a given day, then censors them (and, if told, raises the L2 gas
//! price as far as the armed chain's bound lets it, once a day). Someone activates priority
//! mode the second the oldest waiting deposit is 4 days old; from then on a rescuer drains the
//! queue through the permissionless validator. Governance proposes a ZIP to deactivate a given
//! number of days later. The chain's users also try to send interop each day, which an
//! L1-settling (and, once armed, L1-bound) chain cannot.
//!
//! One agent ([`PriorityAgent`]) decides, at the same seconds, for both fidelities; a
//! [`PriorityBackend`] carries the decisions out — [`FlowPriority`] with integer bookkeeping
//! that applies the contracts' rules through `flywheel_protocol::priority`'s shared
//! arithmetic, [`EventPriority`] through the protocol's `Network` (every deposit a real
//! `RequestL2Transaction`, every batch a real commit, proof and execution, the deactivation a
//! real ZIP). The run reports, for the chain, each request's delay from request to processing
//! and what its fees and interop did ([`PriorityReport`]); both fidelities give the same
//! report to the wei.
//!
//! One file per job: `scenario` (the section and its validation), `agent` (the decisions),
//! `backend` (what the agent asks of a fidelity), `flow` and `event` (the two fidelities) and
//! `report` (what a run reports). Everything is re-exported here.

/// The limits on this module's keys, kept with every other limit of the crate.
pub use crate::scenario::limits::{
    MAX_DEACTIVATION_ZIP_AFTER_DAYS, MAX_DEPOSITS_PER_DAY, MAX_DEPOSIT_VALUE_ETH,
    MAX_INTEROP_ATTEMPTS_PER_DAY, MAX_L1_GAS_PRICE_GWEI, MAX_L1_TXS_PER_BATCH, MAX_L2_GAS_LIMIT,
    MAX_L2_TXS_PER_BATCH, MAX_OPERATOR_HOUR, MIN_L2_GAS_LIMIT,
};

mod agent;
mod backend;
mod event;
mod flow;
mod report;
mod scenario;

pub use agent::PriorityAgent;
pub use backend::{PriorityBackend, RequestView};
pub use event::{
    chain_config, depositors, rescuer, EventPriority, EventPriorityPlan, PRIORITY_CHAIN_ID,
};
pub use flow::FlowPriority;
pub use report::{summary_json, PriorityReport};
pub use scenario::{PriorityModeSpec, ValidatedPriority};
