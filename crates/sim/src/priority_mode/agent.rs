//! The scenario's agents around the Stage 1 chain ([`PriorityAgent`]): one set of decisions
//! at fixed seconds of each day, carried out by either fidelity's backend.

use super::report::quantile;
use super::*;
use crate::ledger::SimError;
use alloy_primitives::{Address, U256};
use flywheel_protocol::governance::GovernanceConfig;
use flywheel_protocol::priority::zip::{zip_timeline, ZipActors};

const DAY: u64 = 86_400;

/// The scenario's agents around the Stage 1 chain: depositors, operator, admin, activator,
/// rescuer and governance, deciding at fixed seconds of each day.
#[derive(Debug, Clone)]
pub struct PriorityAgent {
    spec: ValidatedPriority,
    t0: u64,
    report: PriorityReport,
    /// Times of the pending deactivation ZIP's steps, and the next step.
    zip: Option<(Vec<u64>, usize)>,
    /// A ZIP to propose at this time.
    zip_due: Option<u64>,
    armed: bool,
}

/// Order of steps that fall on the same second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Zip(usize),
    Deposit,
    Operator,
    Interop,
}

impl PriorityAgent {
    /// The agents of `spec`, starting at `t0` (the network's genesis time).
    pub fn new(spec: ValidatedPriority, t0: u64) -> Self {
        Self {
            spec,
            t0,
            report: PriorityReport::default(),
            zip: None,
            zip_due: None,
            armed: false,
        }
    }

    /// Genesis-time set-up: the admin makes the chain a permanent rollup (when it will arm).
    pub fn setup(&mut self, b: &mut dyn PriorityBackend) -> Result<(), SimError> {
        let price = b.reference_price();
        self.report.gas_price_start_wei = price;
        self.report.gas_price_max_wei = price;
        if self.spec.spec.armed {
            b.make_permanent_rollup()?;
        }
        Ok(())
    }

    fn censoring(&self, day: u32) -> bool {
        let s = &self.spec.spec;
        day >= s.censor_from_day && (s.censor_days == 0 || day - s.censor_from_day < s.censor_days)
    }

    /// The timeline's times of a ZIP proposed at `at` (they depend on the governance
    /// settings only).
    fn zip_times(at: u64) -> Vec<u64> {
        let config = GovernanceConfig::zk_nation(Address::ZERO, Address::ZERO);
        let actors = ZipActors {
            proposer: Address::ZERO,
            security_council: Address::ZERO,
        };
        zip_timeline(&config, actors, 0, Vec::new(), at)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    /// Activates priority mode at the second it becomes allowed, if that is not after `until`,
    /// and lets the rescuer drain at once.
    fn activate_if_due(&mut self, b: &mut dyn PriorityBackend, until: u64) -> Result<(), SimError> {
        if !self.spec.spec.activate || !self.armed || b.activated() {
            return Ok(());
        }
        let Some(earliest) = b.earliest_activation() else {
            return Ok(());
        };
        if earliest > until {
            return Ok(());
        }
        b.advance_to(earliest.max(b.now()))?;
        self.report.reverted_batches += b.activate()?;
        self.report.activations += 1;
        if self.report.first_activation_s.is_none() {
            self.report.first_activation_s = Some(b.now() - self.t0);
        }
        self.report.validator_batches += b.drain(self.spec.spec.max_l1_txs_per_batch)?;
        let after = u64::from(self.spec.spec.deactivation_zip_after_days);
        if after > 0 && self.zip.is_none() && self.zip_due.is_none() {
            self.zip_due = Some(b.now() + after * DAY);
        }
        Ok(())
    }

    /// Runs day `day`: its steps in time order, with an activation wherever it falls due.
    pub fn day(&mut self, day: u32, b: &mut dyn PriorityBackend) -> Result<(), SimError> {
        let s = self.spec.spec.clone();
        let start = self.t0 + u64::from(day) * DAY;
        let end = start + DAY;
        let mut steps: Vec<(u64, Step)> = Vec::new();
        let n = u64::from(s.deposits_per_day);
        for i in 0..n {
            steps.push((start + i * DAY / n, Step::Deposit));
        }
        let hour = start + u64::from(s.operator_hour) * 3_600;
        steps.push((hour, Step::Operator));
        steps.push((hour, Step::Interop));
        if let Some(at) = self.zip_due.filter(|t| *t < end) {
            self.zip = Some((Self::zip_times(at.max(start)), 0));
            self.zip_due = None;
        }
        if let Some((times, next)) = &self.zip {
            for (k, t) in times.iter().enumerate().skip(*next) {
                if *t < end {
                    steps.push((*t, Step::Zip(k)));
                }
            }
        }
        steps.sort();
        let censoring = self.censoring(day);
        for (t, step) in steps {
            self.activate_if_due(b, t)?;
            b.advance_to(t.max(b.now()))?;
            match step {
                Step::Deposit => {
                    b.deposit()?;
                    if s.armed && !self.armed {
                        b.arm()?;
                        self.armed = true;
                    }
                }
                Step::Operator => {
                    if censoring && s.raise_fees_while_censoring && b.raise_fees()? {
                        let p = b.reference_price();
                        self.report.gas_price_max_wei = self.report.gas_price_max_wei.max(p);
                    }
                    if b.activated() {
                        if !b.operator_turn(censoring)? {
                            self.report.operator_refusals += 1;
                        }
                        self.report.validator_batches += b.drain(s.max_l1_txs_per_batch)?;
                    } else {
                        b.operator_turn(censoring)?;
                    }
                }
                Step::Interop => {
                    for _ in 0..s.interop_attempts_per_day {
                        if b.interop_attempt()? {
                            self.report.interop_refused += 1;
                        }
                    }
                }
                Step::Zip(k) => {
                    b.zip_step(k)?;
                    if let Some((times, next)) = &mut self.zip {
                        *next = k + 1;
                        if *next == times.len() {
                            self.zip = None;
                            self.report.deactivations += 1;
                        }
                    }
                }
            }
        }
        self.activate_if_due(b, end - 1)
    }

    /// The report as of now.
    pub fn report(&self, b: &dyn PriorityBackend) -> PriorityReport {
        let mut r = self.report;
        let requests = b.requests();
        let now = b.now();
        let mut delays: Vec<u64> = requests
            .iter()
            .filter_map(|q| q.processed_at.map(|p| p - q.requested_at))
            .collect();
        delays.sort_unstable();
        r.requests = requests.len() as u64;
        r.processed = delays.len() as u64;
        r.pending = r.requests - r.processed;
        r.delay_p50_s = quantile(&delays, 0.5);
        r.delay_p95_s = quantile(&delays, 0.95);
        r.delay_max_s = delays.last().copied().unwrap_or(0);
        r.delay_mean_s = if delays.is_empty() {
            0
        } else {
            delays.iter().sum::<u64>() / delays.len() as u64
        };
        r.oldest_pending_s = requests
            .iter()
            .find(|q| q.processed_at.is_none())
            .map_or(0, |q| now - q.requested_at);
        r.deposit_fees_wei = requests.iter().fold(U256::ZERO, |a, q| a + q.fee);
        (r.fees_to_operator_wei, r.fees_to_rescuer_wei) = b.fee_split();
        r.gas_price_end_wei = b.reference_price();
        r
    }
}
