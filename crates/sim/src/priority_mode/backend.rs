//! What the agent asks of a fidelity ([`PriorityBackend`]): the boundary between the one
//! agent and the flow and event backends.

use crate::ledger::SimError;
use alloy_primitives::U256;
use flywheel_protocol::priority::PriorityError;

/// One request as a report needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestView {
    /// Request time.
    pub requested_at: u64,
    /// Processing time.
    pub processed_at: Option<u64>,
    /// Its L2 fee.
    pub fee: U256,
}

/// What the agent asks of a fidelity.
pub trait PriorityBackend {
    /// The clock, seconds.
    fn now(&self) -> u64;
    /// Moves the clock to `t` (not backwards).
    fn advance_to(&mut self, t: u64) -> Result<(), SimError>;
    /// The chain admin makes the chain a permanent rollup.
    fn make_permanent_rollup(&mut self) -> Result<(), SimError>;
    /// The chain admin arms priority mode.
    fn arm(&mut self) -> Result<(), SimError>;
    /// A depositor requests one deposit at today's price.
    fn deposit(&mut self) -> Result<(), SimError>;
    /// The admin raises the minimal L2 gas price as far as the bound allows, if an update is
    /// due; whether it did.
    fn raise_fees(&mut self) -> Result<bool, SimError>;
    /// The reference L2 gas price now.
    fn reference_price(&self) -> U256;
    /// Whether priority mode is active.
    fn activated(&self) -> bool;
    /// When priority mode may be activated, if a request waits.
    fn earliest_activation(&self) -> Option<u64>;
    /// Someone activates priority mode; returns the batches it reverted.
    fn activate(&mut self) -> Result<u64, SimError>;
    /// The operator's daily turn: prove and execute what it committed, then commit a batch
    /// (without deposits when censoring). `false` when priority mode refused it.
    fn operator_turn(&mut self, censoring: bool) -> Result<bool, SimError>;
    /// The rescuer settles every waiting request through the permissionless validator, in
    /// batches of at most `max`; returns the batches.
    fn drain(&mut self, max: u64) -> Result<u64, SimError>;
    /// Step `step` of the deactivation ZIP's timeline ([`zip_timeline`]).
    fn zip_step(&mut self, step: usize) -> Result<(), SimError>;
    /// A user of the chain tries to send interop; `true` when refused for settling on L1.
    fn interop_attempt(&mut self) -> Result<bool, SimError>;
    /// Every request so far.
    fn requests(&self) -> Vec<RequestView>;
    /// Fees of processed requests earned by (operator, rescuer).
    fn fee_split(&self) -> (U256, U256);
}

/// A priority-mode refusal where the agent expected none: the run stops naming `what`.
pub(super) fn protocol(what: &str) -> impl Fn(PriorityError) -> SimError + '_ {
    move |e| SimError::Protocol {
        what: what.to_string(),
        reason: e.to_string(),
    }
}
