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

use crate::ledger::SimError;
/// The limits on this module's keys, kept with every other limit of the crate.
pub use crate::scenario::limits::{
    MAX_DEACTIVATION_ZIP_AFTER_DAYS, MAX_DEPOSITS_PER_DAY, MAX_DEPOSIT_VALUE_ETH,
    MAX_INTEROP_ATTEMPTS_PER_DAY, MAX_L1_GAS_PRICE_GWEI, MAX_L1_TXS_PER_BATCH, MAX_L2_GAS_LIMIT,
    MAX_L2_TXS_PER_BATCH, MAX_OPERATOR_HOUR, MIN_L2_GAS_LIMIT,
};
use crate::scenario::{amount, range, ScenarioError, MAX_DAYS};
use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{ChainConfig, ChainKind, DataAvailability, ExecutionEnvironment};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::genesis::{account, eth};
use flywheel_protocol::governance::{GovernanceConfig, GovernorKind, ProposalAction};
use flywheel_protocol::interop::bundle::InteropCallStarter;
use flywheel_protocol::network::{Action, Network};
use flywheel_protocol::priority::fees::{
    self, ChainFeeParams, PubdataPricingMode, TokenMultiplier,
};
use flywheel_protocol::priority::zip::{zip_timeline, ZipActors};
use flywheel_protocol::priority::{Diamond, PriorityAction, PriorityError, PRIORITY_EXPIRATION};
use serde::{Deserialize, Serialize};

const DAY: u64 = 86_400;

/// The `[priority_mode]` section of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PriorityModeSpec {
    /// The chain's name (distinct from the scenario's Gateway chains).
    #[schemars(extend("x-source" = "assumption"))]
    pub chain: String,
    /// Deposits from L1 a day, spread evenly over the day (the first at midnight).
    #[schemars(range(min = 0, max = MAX_DEPOSITS_PER_DAY), extend("x-unit" = "deposits/day", "x-step" = 1, "x-source" = "assumption"))]
    pub deposits_per_day: u32,
    /// ETH each deposit delivers on L2 (its L2 fee comes on top).
    #[schemars(extend("x-amount" = true, "x-unit" = "ETH", "minimum" = 0, "maximum" = MAX_DEPOSIT_VALUE_ETH, "x-step" = 0.1, "x-source" = "assumption"))]
    pub deposit_value: String,
    /// L2 gas limit of a deposit.
    #[schemars(range(min = MIN_L2_GAS_LIMIT, max = MAX_L2_GAS_LIMIT), extend("x-unit" = "gas", "x-step" = 10000, "x-source" = "era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol (DEFAULT_PRIORITY_TX_MAX_GAS_LIMIT bounds it)"))]
    pub l2_gas_limit: u64,
    /// L1 gas price the depositors pay at, gwei.
    #[schemars(range(min = 0, max = MAX_L1_GAS_PRICE_GWEI), extend("x-unit" = "gwei", "x-step" = 1, "x-source" = "assumption"))]
    pub l1_gas_price_gwei: u64,
    /// Hour of the day the operator settles (and, in priority mode, the rescuer drains).
    #[schemars(range(min = 0, max = MAX_OPERATOR_HOUR), extend("x-unit" = "hour of day", "x-step" = 1, "x-source" = "assumption"))]
    pub operator_hour: u32,
    /// L2 transactions in each of the operator's batches.
    #[schemars(range(min = 1, max = MAX_L2_TXS_PER_BATCH), extend("x-unit" = "transactions/batch", "x-step" = 100, "x-source" = "assumption"))]
    pub l2_txs_per_batch: u64,
    /// First day the operator leaves deposits out of its batches.
    #[schemars(range(min = 0, max = MAX_DAYS), extend("x-unit" = "day", "x-step" = 1, "x-within-horizon" = true, "x-source" = "assumption"))]
    pub censor_from_day: u32,
    /// How many days it censors (0: to the end).
    #[schemars(range(min = 0, max = MAX_DAYS), extend("x-unit" = "days", "x-step" = 1, "x-source" = "assumption"))]
    pub censor_days: u32,
    /// Whether, while censoring, the chain admin raises the L2 gas price once a day by as much
    /// as the armed chain's bound allows (×13/10).
    #[schemars(extend("x-source" = "assumption (the admin's policy; the bound is era-contracts@4859b6f's ×13/10)"))]
    pub raise_fees_while_censoring: bool,
    /// Whether the chain admin made the chain a permanent rollup and armed it (right after the
    /// first deposit: arming needs a waiting request).
    #[schemars(extend("x-source" = "assumption"))]
    pub armed: bool,
    /// Whether someone activates priority mode as soon as it is allowed.
    #[schemars(extend("x-source" = "assumption"))]
    pub activate: bool,
    /// Requests per batch the rescuer settles through the permissionless validator.
    #[schemars(range(min = 1, max = MAX_L1_TXS_PER_BATCH), extend("x-unit" = "transactions/batch", "x-step" = 100, "x-source" = "assumption"))]
    pub max_l1_txs_per_batch: u64,
    /// Days after each activation that a deactivation ZIP is proposed (0: never).
    #[schemars(range(min = 0, max = MAX_DEACTIVATION_ZIP_AFTER_DAYS), extend("x-unit" = "days", "x-step" = 1, "x-source" = "assumption"))]
    pub deactivation_zip_after_days: u32,
    /// Interop sends the chain's users try each day (refused: the chain settles on L1).
    #[schemars(range(min = 0, max = MAX_INTEROP_ATTEMPTS_PER_DAY), extend("x-unit" = "sends/day", "x-step" = 1, "x-source" = "assumption"))]
    pub interop_attempts_per_day: u32,
}

impl Default for PriorityModeSpec {
    fn default() -> Self {
        Self {
            chain: "stage1-chain".into(),
            deposits_per_day: 24,
            deposit_value: "0.5 ETH".into(),
            l2_gas_limit: 300_000,
            l1_gas_price_gwei: 20,
            operator_hour: 12,
            l2_txs_per_batch: 1_000,
            censor_from_day: 30,
            censor_days: 0,
            raise_fees_while_censoring: true,
            armed: true,
            activate: true,
            max_l1_txs_per_batch: 500,
            deactivation_zip_after_days: 10,
            interop_attempts_per_day: 2,
        }
    }
}

/// The section with its amounts parsed and its values checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedPriority {
    /// As written.
    pub spec: PriorityModeSpec,
    /// Parsed deposit value, wei.
    pub deposit_value: U256,
}

impl PriorityModeSpec {
    /// Checks every value; `chains` are the scenario's Gateway chains (names must differ),
    /// `days` its horizon, `users_zk` the ZK the users hold at genesis (they pass the
    /// deactivation ZIP alone, so they need the quorum).
    pub fn validate(
        &self,
        chains: &[String],
        days: u32,
        users_zk: U256,
    ) -> Result<ValidatedPriority, ScenarioError> {
        let k = |f: &str| format!("priority_mode.{f}");
        if self.chain.trim().is_empty() {
            return Err(ScenarioError::new(k("chain"), "must not be empty"));
        }
        if chains.contains(&self.chain) {
            return Err(ScenarioError::new(
                k("chain"),
                format!(
                    "`{}` is already a Gateway chain of the scenario",
                    self.chain
                ),
            ));
        }
        range(
            &k("deposits_per_day"),
            f64::from(self.deposits_per_day),
            0.0,
            f64::from(MAX_DEPOSITS_PER_DAY),
        )?;
        range(
            &k("l2_gas_limit"),
            self.l2_gas_limit as f64,
            MIN_L2_GAS_LIMIT as f64,
            MAX_L2_GAS_LIMIT as f64,
        )?;
        range(
            &k("l1_gas_price_gwei"),
            self.l1_gas_price_gwei as f64,
            0.0,
            MAX_L1_GAS_PRICE_GWEI as f64,
        )?;
        range(
            &k("operator_hour"),
            f64::from(self.operator_hour),
            0.0,
            f64::from(MAX_OPERATOR_HOUR),
        )?;
        range(
            &k("l2_txs_per_batch"),
            self.l2_txs_per_batch as f64,
            1.0,
            MAX_L2_TXS_PER_BATCH as f64,
        )?;
        range(
            &k("censor_from_day"),
            f64::from(self.censor_from_day),
            0.0,
            f64::from(days.min(MAX_DAYS)),
        )?;
        range(
            &k("censor_days"),
            f64::from(self.censor_days),
            0.0,
            f64::from(MAX_DAYS),
        )?;
        range(
            &k("max_l1_txs_per_batch"),
            self.max_l1_txs_per_batch as f64,
            1.0,
            MAX_L1_TXS_PER_BATCH as f64,
        )?;
        range(
            &k("deactivation_zip_after_days"),
            f64::from(self.deactivation_zip_after_days),
            0.0,
            f64::from(MAX_DEACTIVATION_ZIP_AFTER_DAYS),
        )?;
        range(
            &k("interop_attempts_per_day"),
            f64::from(self.interop_attempts_per_day),
            0.0,
            f64::from(MAX_INTEROP_ATTEMPTS_PER_DAY),
        )?;
        let deposit_value = amount(&k("deposit_value"), &self.deposit_value, "ETH")?;
        if deposit_value > flywheel_protocol::units::tokens(MAX_DEPOSIT_VALUE_ETH) {
            return Err(ScenarioError::new(
                k("deposit_value"),
                format!(
                    "must be at most {MAX_DEPOSIT_VALUE_ETH} ETH, got {}",
                    self.deposit_value
                ),
            ));
        }
        let quorum = GovernanceConfig::zk_nation(Address::ZERO, Address::ZERO)
            .params(GovernorKind::Protocol)
            .quorum;
        if self.deactivation_zip_after_days > 0 && users_zk < quorum {
            return Err(ScenarioError::new(
                k("deactivation_zip_after_days"),
                format!(
                    "the deactivation ZIP is passed by the users' votes, which need the {} ZK quorum; users hold {} ZK",
                    flywheel_protocol::units::format_amount(quorum),
                    flywheel_protocol::units::format_amount(users_zk)
                ),
            ));
        }
        Ok(ValidatedPriority {
            spec: self.clone(),
            deposit_value,
        })
    }
}

/// What happened to the Stage 1 chain over a run. Times are seconds; amounts are wei of ETH,
/// its base token; gas prices are the reference L2 gas price the armed bound applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityReport {
    /// Deposits requested.
    pub requests: u64,
    /// Deposits processed on L2.
    pub processed: u64,
    /// Deposits still waiting at the end.
    pub pending: u64,
    /// Median delay from request to processing (nearest rank, processed deposits).
    pub delay_p50_s: u64,
    /// 95th percentile of that delay.
    pub delay_p95_s: u64,
    /// Longest delay of a processed deposit.
    pub delay_max_s: u64,
    /// Mean delay (floored).
    pub delay_mean_s: u64,
    /// Age of the oldest deposit still waiting at the end (0 if none).
    pub oldest_pending_s: u64,
    /// Times priority mode was activated.
    pub activations: u64,
    /// Seconds from the run's start to the first activation.
    pub first_activation_s: Option<u64>,
    /// Times a ZIP deactivated it.
    pub deactivations: u64,
    /// Committed batches the activations reverted.
    pub reverted_batches: u64,
    /// Batches the rescuer settled through the permissionless validator.
    pub validator_batches: u64,
    /// Times the operator tried to settle in priority mode and was refused.
    pub operator_refusals: u64,
    /// Interop sends refused because the chain settles on L1 (`NotInGatewayMode`).
    pub interop_refused: u64,
    /// L2 fees the depositors paid (the base cost of every request).
    pub deposit_fees_wei: U256,
    /// Fees of processed deposits earned by the operator (producer of its batches).
    pub fees_to_operator_wei: U256,
    /// Fees of processed deposits earned by the rescuer (producer of the permissionless ones).
    pub fees_to_rescuer_wei: U256,
    /// Reference L2 gas price at the start.
    pub gas_price_start_wei: U256,
    /// Highest reference L2 gas price over the run.
    pub gas_price_max_wei: U256,
    /// Reference L2 gas price at the end.
    pub gas_price_end_wei: U256,
}

impl PriorityReport {
    /// Every figure by name, as integers (`first_activation_s` is absent when priority mode
    /// never activated).
    pub fn figures(&self) -> Vec<(&'static str, U256)> {
        let u = |x: u64| U256::from(x);
        let mut v = vec![
            ("requests", u(self.requests)),
            ("processed", u(self.processed)),
            ("pending", u(self.pending)),
            ("delay_p50_s", u(self.delay_p50_s)),
            ("delay_p95_s", u(self.delay_p95_s)),
            ("delay_max_s", u(self.delay_max_s)),
            ("delay_mean_s", u(self.delay_mean_s)),
            ("oldest_pending_s", u(self.oldest_pending_s)),
            ("activations", u(self.activations)),
            ("deactivations", u(self.deactivations)),
            ("reverted_batches", u(self.reverted_batches)),
            ("validator_batches", u(self.validator_batches)),
            ("operator_refusals", u(self.operator_refusals)),
            ("interop_refused", u(self.interop_refused)),
            ("deposit_fees_wei", self.deposit_fees_wei),
            ("fees_to_operator_wei", self.fees_to_operator_wei),
            ("fees_to_rescuer_wei", self.fees_to_rescuer_wei),
            ("gas_price_start_wei", self.gas_price_start_wei),
            ("gas_price_max_wei", self.gas_price_max_wei),
            ("gas_price_end_wei", self.gas_price_end_wei),
        ];
        if let Some(t) = self.first_activation_s {
            v.push(("first_activation_s", u(t)));
        }
        v
    }
}

/// The summary's `priority_mode` object: the median across runs of each figure (wei as
/// decimal strings, counts and seconds as numbers), or `None` without a Stage 1 chain.
pub fn summary_json(reports: &[PriorityReport]) -> Option<serde_json::Value> {
    let first = reports.first()?;
    let mut out = serde_json::Map::new();
    for (name, _) in first.figures() {
        let mut values: Vec<U256> = reports
            .iter()
            .filter_map(|r| {
                r.figures()
                    .into_iter()
                    .find(|(n, _)| *n == name)
                    .map(|f| f.1)
            })
            .collect();
        let median = crate::summary::quantile_u256(&mut values, 0.5);
        let value = if name.ends_with("_wei") {
            serde_json::json!(median.to_string())
        } else {
            serde_json::json!(u64::try_from(median).unwrap_or(u64::MAX))
        };
        out.insert(name.to_string(), value);
    }
    Some(serde_json::Value::Object(out))
}

/// Nearest-rank quantile of sorted values.
fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

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

// ---------------------------------------------------------------- flow fidelity

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

fn protocol(what: &str) -> impl Fn(PriorityError) -> SimError + '_ {
    move |e| SimError::Protocol {
        what: what.to_string(),
        reason: e.to_string(),
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

// ---------------------------------------------------------------- event fidelity

/// Chain id of the Stage 1 chain in event fidelity.
pub const PRIORITY_CHAIN_ID: u64 = 400;

/// The Stage 1 chain's genesis entry: a ZKsync OS rollup on L1 with ETH as its base token.
pub fn chain_config(spec: &ValidatedPriority, l1: u64) -> ChainConfig {
    let name = &spec.spec.chain;
    ChainConfig {
        id: PRIORITY_CHAIN_ID,
        name: name.clone(),
        kind: ChainKind::ZkChain,
        base_token: eth(),
        settlement_layer: Some(l1),
        zk_token_available: true,
        operator: account(&format!("operator-{name}")),
        admin: account(&format!("admin-{name}")),
        execution: ExecutionEnvironment::ZksyncOs,
        data_availability: DataAvailability::Rollup,
    }
}

/// The depositors' account (funded on L1).
pub fn depositors() -> Address {
    account("depositors")
}

/// Who activates priority mode and runs the permissionless validator.
pub fn rescuer() -> Address {
    account("stage1-rescuer")
}

/// The accounts and plan of the Stage 1 chain in event fidelity.
#[derive(Debug, Clone)]
pub struct EventPriorityPlan {
    spec: ValidatedPriority,
    admin: Address,
    operator: Address,
    /// Who proposes and passes the deactivation ZIP.
    voter: Address,
    /// Where the chain's users try to send interop.
    interop_destination: u64,
    /// The deactivation ZIP's actions, once proposed.
    zip: Vec<Action>,
}

impl EventPriorityPlan {
    /// The plan for `spec`; `voter` holds the users' ZK, `interop_destination` is a Gateway
    /// chain.
    pub fn new(spec: ValidatedPriority, voter: Address, interop_destination: u64) -> Self {
        let name = spec.spec.chain.clone();
        Self {
            spec,
            admin: account(&format!("admin-{name}")),
            operator: account(&format!("operator-{name}")),
            voter,
            interop_destination,
            zip: Vec::new(),
        }
    }

    /// Actions that prepare the network at genesis: fund the depositors on L1 and let the
    /// voter delegate its votes to itself.
    pub fn setup_actions(&self, l1: u64) -> Vec<Action> {
        let mut v = vec![Action::Fund {
            chain: l1,
            asset: eth(),
            to: depositors(),
            amount: U256::from(10u8).pow(U256::from(40u8)),
        }];
        if self.spec.spec.deactivation_zip_after_days > 0 {
            v.push(Action::ZkDelegate {
                delegator: self.voter,
                delegatee: self.voter,
            });
        }
        v
    }
}

/// Event fidelity: the agent's calls as actions on the protocol's network.
pub struct EventPriority<'a> {
    /// The network.
    pub net: &'a mut Network,
    /// The plan.
    pub plan: &'a mut EventPriorityPlan,
}

impl EventPriority<'_> {
    fn apply(&mut self, what: &str, action: Action) -> Result<(), SimError> {
        self.net
            .apply(action)
            .map(|_| ())
            .map_err(|e| SimError::Protocol {
                what: what.to_string(),
                reason: e.to_string(),
            })
    }

    fn p(&mut self, what: &str, action: PriorityAction) -> Result<(), SimError> {
        self.apply(what, Action::Priority(action))
    }

    fn d(&self) -> Result<&Diamond, SimError> {
        self.net
            .state()
            .priority
            .get(PRIORITY_CHAIN_ID)
            .map_err(|e| SimError::Protocol {
                what: "the Stage 1 chain".into(),
                reason: e.to_string(),
            })
    }
}

impl PriorityBackend for EventPriority<'_> {
    fn now(&self) -> u64 {
        self.net.state().time
    }

    fn advance_to(&mut self, t: u64) -> Result<(), SimError> {
        let now = self.now();
        if t > now {
            self.apply("advance time", Action::AdvanceTime { seconds: t - now })?;
        }
        Ok(())
    }

    fn make_permanent_rollup(&mut self) -> Result<(), SimError> {
        let caller = self.plan.admin;
        self.p(
            "make permanent rollup",
            PriorityAction::MakePermanentRollup {
                chain: PRIORITY_CHAIN_ID,
                caller,
            },
        )
    }

    fn arm(&mut self) -> Result<(), SimError> {
        let caller = self.plan.admin;
        self.p(
            "arm priority mode",
            PriorityAction::PermanentlyAllowPriorityMode {
                chain: PRIORITY_CHAIN_ID,
                caller,
            },
        )
    }

    fn deposit(&mut self) -> Result<(), SimError> {
        let s = &self.plan.spec;
        let l1_gas_price = U256::from(s.spec.l1_gas_price_gwei) * U256::from(1_000_000_000u64);
        let (gas_limit, value) = (s.spec.l2_gas_limit, s.deposit_value);
        let d = self.d()?;
        let (_, cost) =
            fees::request_base_cost(&d.fee_params, d.multiplier, l1_gas_price, gas_limit)
                .map_err(protocol("deposit"))?;
        self.p(
            "deposit",
            PriorityAction::RequestL2Transaction {
                chain: PRIORITY_CHAIN_ID,
                sender: depositors(),
                contract_l2: depositors(),
                l2_value: value,
                calldata: Bytes::new(),
                l2_gas_limit: gas_limit,
                mint_value: value + cost,
                refund_recipient: Address::ZERO,
                l1_gas_price,
            },
        )
    }

    fn raise_fees(&mut self) -> Result<bool, SimError> {
        let d = self.d()?;
        let last = d.last_fee_params_update.max(d.last_multiplier_update);
        if last != 0 && self.now() < last + fees::PRICE_UPDATE_INTERVAL {
            return Ok(false);
        }
        let Some(minimal) =
            fees::max_minimal_gas_price_raise(&d.fee_params, d.multiplier, d.queue_size())
        else {
            return Ok(false);
        };
        let params = ChainFeeParams {
            minimal_l2_gas_price: minimal,
            ..d.fee_params
        };
        let caller = self.plan.admin;
        self.p(
            "raise fees",
            PriorityAction::ChangeFeeParams {
                chain: PRIORITY_CHAIN_ID,
                caller,
                params,
            },
        )?;
        Ok(true)
    }

    fn reference_price(&self) -> U256 {
        self.d()
            .ok()
            .and_then(|d| fees::reference_l2_gas_price(&d.fee_params, d.multiplier).ok())
            .unwrap_or_default()
    }

    fn activated(&self) -> bool {
        self.d().is_ok_and(|d| d.priority_mode.activated)
    }

    fn earliest_activation(&self) -> Option<u64> {
        self.d().ok().and_then(Diamond::earliest_activation)
    }

    fn activate(&mut self) -> Result<u64, SimError> {
        let d = self.d()?;
        let reverted = d.total_committed() - d.total_executed;
        self.p(
            "activate priority mode",
            PriorityAction::ActivatePriorityMode {
                chain: PRIORITY_CHAIN_ID,
                caller: rescuer(),
            },
        )?;
        Ok(reverted)
    }

    fn operator_turn(&mut self, censoring: bool) -> Result<bool, SimError> {
        let operator = self.plan.operator;
        let d = self.d()?;
        let chain = PRIORITY_CHAIN_ID;
        if !d.priority_mode.activated {
            let (to_prove, to_execute) = (
                d.total_committed() - d.total_verified,
                d.total_committed() - d.total_executed,
            );
            if to_prove > 0 {
                self.p(
                    "operator proves",
                    PriorityAction::ProveBatches {
                        chain,
                        caller: operator,
                        count: to_prove,
                    },
                )?;
            }
            if to_execute > 0 {
                self.p(
                    "operator executes",
                    PriorityAction::ExecuteBatches {
                        chain,
                        caller: operator,
                        count: to_execute,
                    },
                )?;
            }
        }
        let d = self.d()?;
        let skip = d.committed_l1_txs();
        let l1 = if censoring { 0 } else { d.queue_size() - skip };
        let hash = d.priority_operations_hash(skip, l1);
        let commit = Action::Priority(PriorityAction::CommitBatch {
            chain,
            caller: operator,
            l1_txs: l1,
            l2_txs: self.plan.spec.spec.l2_txs_per_batch,
            priority_operations_hash: hash,
        });
        match self.net.apply(commit) {
            Ok(_) => Ok(true),
            Err(ProtocolError::Priority(e))
                if *e
                    == PriorityError::Unauthorized {
                        chain,
                        caller: operator,
                    } =>
            {
                Ok(false)
            }
            Err(e) => Err(SimError::Protocol {
                what: "operator commits".into(),
                reason: e.to_string(),
            }),
        }
    }

    fn drain(&mut self, max: u64) -> Result<u64, SimError> {
        let mut batches = 0;
        loop {
            let d = self.d()?;
            let skip = d.committed_l1_txs();
            let waiting = d.queue_size() - skip;
            if waiting == 0 {
                return Ok(batches);
            }
            let n = waiting.min(max);
            let hash = d.priority_operations_hash(skip, n);
            self.p(
                "permissionless settlement",
                PriorityAction::SettlePermissionless {
                    chain: PRIORITY_CHAIN_ID,
                    caller: rescuer(),
                    l1_txs: n,
                    l2_txs: 0,
                    priority_operations_hash: hash,
                },
            )?;
            batches += 1;
        }
    }

    fn zip_step(&mut self, step: usize) -> Result<(), SimError> {
        if step == 0 {
            let state = self.net.state();
            let config = *state.governance.config();
            let actors = ZipActors {
                proposer: self.plan.voter,
                security_council: config.security_council,
            };
            let id = state.governance.next_proposal_id();
            let actions = vec![ProposalAction::DeactivatePriorityMode {
                chain: PRIORITY_CHAIN_ID,
            }];
            self.plan.zip = zip_timeline(&config, actors, id, actions, self.now())
                .into_iter()
                .map(|(_, a)| a)
                .collect();
        }
        let action = self
            .plan
            .zip
            .get(step)
            .cloned()
            .ok_or_else(|| SimError::Protocol {
                what: "deactivation ZIP".into(),
                reason: format!("no step {step}"),
            })?;
        self.apply("deactivation ZIP", action)
    }

    fn interop_attempt(&mut self) -> Result<bool, SimError> {
        let send = Action::SendBundle {
            chain: PRIORITY_CHAIN_ID,
            sender: depositors(),
            destination: InteropAddress::chain_only(self.plan.interop_destination).encode(),
            starters: vec![InteropCallStarter {
                to: InteropAddress::address_only(depositors()).encode(),
                data: Bytes::new(),
                call_attributes: vec![],
            }],
            attributes: vec![],
            value: U256::ZERO,
        };
        match self.net.apply(send) {
            Err(ProtocolError::NotInGatewayMode { chain }) if chain == PRIORITY_CHAIN_ID => {
                Ok(true)
            }
            Ok(_) => Ok(false),
            Err(e) => Err(SimError::Protocol {
                what: "interop from the Stage 1 chain".into(),
                reason: e.to_string(),
            }),
        }
    }

    fn requests(&self) -> Vec<RequestView> {
        self.d()
            .map(|d| {
                d.queue
                    .iter()
                    .map(|op| RequestView {
                        requested_at: op.requested_at,
                        processed_at: op.processed_at,
                        fee: op.fee(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn fee_split(&self) -> (U256, U256) {
        // The operator and the rescuer hold ETH on the chain only from the fees they earned.
        self.net
            .state()
            .chain(PRIORITY_CHAIN_ID)
            .map(|c| {
                (
                    c.balance(eth(), self.plan.operator),
                    c.balance(eth(), rescuer()),
                )
            })
            .unwrap_or_default()
    }
}
