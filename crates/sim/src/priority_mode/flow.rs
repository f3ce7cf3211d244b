//! Flow fidelity's Stage 1 chain ([`FlowPriority`]): integer bookkeeping under the
//! contracts' rules, sharing `flywheel_protocol::priority::fees` with the real diamond.

use super::backend::protocol;
use super::*;
use crate::ledger::SimError;
use alloy_primitives::U256;
use flywheel_protocol::priority::fees::{
    self, ChainFeeParams, PubdataPricingMode, TokenMultiplier,
};
use flywheel_protocol::priority::PRIORITY_EXPIRATION;

#[derive(Debug, Clone)]
struct FlowRequest {
    requested_at: u64,
    fee: U256,
    processed_at: Option<u64>,
}

/// Flow fidelity: the Stage 1 chain's queue, batches and fee parameters as plain integers,
/// advanced by the contracts' rules (the checks the agent's calls can meet) and
/// `flywheel_protocol::priority::fees`' arithmetic.
#[derive(Debug, Clone)]
pub struct FlowPriority {
    now: u64,
    gas_limit: u64,
    l1_gas_price: U256,
    queue: Vec<FlowRequest>,
    unprocessed: usize,
    /// Deposits each committed batch processes, and whether the rescuer produced it.
    batches: Vec<(u64, bool)>,
    verified: usize,
    executed: usize,
    armed: bool,
    permanent: bool,
    activated: bool,
    params: ChainFeeParams,
    last_update: u64,
    to_operator: U256,
    to_rescuer: U256,
}

impl FlowPriority {
    /// The chain at genesis (`t0`), as [`flywheel_protocol::priority::Diamond::new`] starts it.
    pub fn new(spec: &ValidatedPriority, t0: u64) -> Self {
        Self {
            now: t0,
            gas_limit: spec.spec.l2_gas_limit,
            l1_gas_price: U256::from(spec.spec.l1_gas_price_gwei) * U256::from(1_000_000_000u64),
            queue: Vec::new(),
            unprocessed: 0,
            batches: Vec::new(),
            verified: 0,
            executed: 0,
            armed: false,
            permanent: false,
            activated: false,
            params: ChainFeeParams::defaults(PubdataPricingMode::Rollup),
            last_update: 0,
            to_operator: U256::ZERO,
            to_rescuer: U256::ZERO,
        }
    }

    fn queue_size(&self) -> u64 {
        (self.queue.len() - self.unprocessed) as u64
    }

    fn committed_l1(&self) -> u64 {
        self.batches[self.executed..].iter().map(|b| b.0).sum()
    }

    fn execute_next(&mut self) {
        let (l1, rescuer) = self.batches[self.executed];
        for _ in 0..l1 {
            let r = &mut self.queue[self.unprocessed];
            r.processed_at = Some(self.now);
            if rescuer {
                self.to_rescuer += r.fee;
            } else {
                self.to_operator += r.fee;
            }
            self.unprocessed += 1;
        }
        self.executed += 1;
    }
}

impl PriorityBackend for FlowPriority {
    fn now(&self) -> u64 {
        self.now
    }

    fn advance_to(&mut self, t: u64) -> Result<(), SimError> {
        self.now = self.now.max(t);
        Ok(())
    }

    fn make_permanent_rollup(&mut self) -> Result<(), SimError> {
        self.permanent = true;
        Ok(())
    }

    fn arm(&mut self) -> Result<(), SimError> {
        self.armed = true;
        Ok(())
    }

    fn deposit(&mut self) -> Result<(), SimError> {
        let (_, fee) = fees::request_base_cost(
            &self.params,
            TokenMultiplier::ONE,
            self.l1_gas_price,
            self.gas_limit,
        )
        .map_err(protocol("deposit"))?;
        // Deposits mint exactly value + fee: they never fail on L2 and refund nothing, so only
        // the fee matters to the report.
        self.queue.push(FlowRequest {
            requested_at: self.now,
            fee,
            processed_at: None,
        });
        Ok(())
    }

    fn raise_fees(&mut self) -> Result<bool, SimError> {
        if self.last_update != 0 && self.now < self.last_update + fees::PRICE_UPDATE_INTERVAL {
            return Ok(false);
        }
        let Some(minimal) = fees::max_minimal_gas_price_raise(
            &self.params,
            TokenMultiplier::ONE,
            self.queue_size(),
        ) else {
            return Ok(false);
        };
        self.params.minimal_l2_gas_price = minimal;
        self.last_update = self.now;
        Ok(true)
    }

    fn reference_price(&self) -> U256 {
        fees::reference_l2_gas_price(&self.params, TokenMultiplier::ONE).unwrap_or_default()
    }

    fn activated(&self) -> bool {
        self.activated
    }

    fn earliest_activation(&self) -> Option<u64> {
        self.queue
            .get(self.unprocessed)
            .map(|r| r.requested_at + PRIORITY_EXPIRATION)
    }

    fn activate(&mut self) -> Result<u64, SimError> {
        if !self.armed || !self.permanent || self.activated {
            return Err(SimError::Protocol {
                what: "activate priority mode".into(),
                reason: "not allowed".into(),
            });
        }
        let reverted = (self.batches.len() - self.executed) as u64;
        self.batches.truncate(self.executed);
        self.verified = self.executed;
        self.activated = true;
        Ok(reverted)
    }

    fn operator_turn(&mut self, censoring: bool) -> Result<bool, SimError> {
        if self.activated {
            return Ok(false);
        }
        self.verified = self.batches.len();
        while self.executed < self.verified {
            self.execute_next();
        }
        let l1 = if censoring {
            0
        } else {
            self.queue_size() - self.committed_l1()
        };
        self.batches.push((l1, false));
        Ok(true)
    }

    fn drain(&mut self, max: u64) -> Result<u64, SimError> {
        let mut batches = 0;
        loop {
            let waiting = self.queue_size() - self.committed_l1();
            if waiting == 0 {
                return Ok(batches);
            }
            self.batches.push((waiting.min(max), true));
            self.verified += 1;
            self.execute_next();
            batches += 1;
        }
    }

    fn zip_step(&mut self, step: usize) -> Result<(), SimError> {
        if step + 1 == ZIP_STEPS {
            if !self.activated {
                return Err(SimError::Protocol {
                    what: "deactivate priority mode".into(),
                    reason: "not in priority mode".into(),
                });
            }
            self.activated = false;
        }
        Ok(())
    }

    fn interop_attempt(&mut self) -> Result<bool, SimError> {
        // The chain settles on L1 for the whole run: `NotInGatewayMode`.
        Ok(true)
    }

    fn requests(&self) -> Vec<RequestView> {
        self.queue
            .iter()
            .map(|r| RequestView {
                requested_at: r.requested_at,
                processed_at: r.processed_at,
                fee: r.fee,
            })
            .collect()
    }

    fn fee_split(&self) -> (U256, U256) {
        (self.to_operator, self.to_rescuer)
    }
}

/// Steps of a ZIP's timeline (propose, vote, queue, execute, approve, execute on L1).
const ZIP_STEPS: usize = 6;
