//! The `[priority_mode]` section: what a scenario says of the Stage 1 chain, and its
//! validation into a [`ValidatedPriority`].

use super::*;
use crate::scenario::{amount, range, ScenarioError, MAX_DAYS};
use alloy_primitives::{Address, U256};
use flywheel_protocol::governance::{GovernanceConfig, GovernorKind};
use serde::{Deserialize, Serialize};

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
