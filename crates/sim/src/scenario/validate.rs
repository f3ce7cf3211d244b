//! Validation: every value of a scenario checked against its limit and every amount parsed,
//! into a [`Validated`] scenario the engine runs. Errors name the key, the allowed range and
//! the value found.

use super::error::ScenarioError;
use super::limits::*;
use super::types::{ChangeVia, Scenario};
use alloy_primitives::U256;
use flywheel_protocol::governance::{GovernanceConfig, GovernorKind, UpgradeApproval};
use flywheel_protocol::units::{self, tokens};

/// Parses a token amount field, checking its unit; a ZK amount is at most
/// [`MAX_ZK_AMOUNT`], the token's max supply.
pub fn amount(key: &str, text: &str, unit: &str) -> Result<U256, ScenarioError> {
    let value = amount_any(key, text, unit)?;
    if unit.eq_ignore_ascii_case("ZK") && value > MAX_ZK_AMOUNT {
        return Err(ScenarioError::new(
            key,
            format!(
                "must be at most the ZK max supply, 21,000,000,000 ZK, got {} ZK",
                units::format_amount(value)
            ),
        ));
    }
    Ok(value)
}

/// A per-call fee: a ZK amount of at most [`MAX_FEE_PER_CALL_ZK`].
pub fn fee(key: &str, text: &str) -> Result<U256, ScenarioError> {
    let value = amount(key, text, "ZK")?;
    if value > tokens(MAX_FEE_PER_CALL_ZK) {
        return Err(ScenarioError::new(
            key,
            format!(
                "a fee per call must be at most {MAX_FEE_PER_CALL_ZK} ZK, got {} ZK",
                units::format_amount(value)
            ),
        ));
    }
    Ok(value)
}

fn amount_any(key: &str, text: &str, unit: &str) -> Result<U256, ScenarioError> {
    let trimmed = text.trim();
    if let Some(found) = trimmed.split_whitespace().nth(1).or_else(|| {
        let i = trimmed.find(|c: char| c.is_ascii_alphabetic())?;
        Some(&trimmed[i..])
    }) {
        if !found.eq_ignore_ascii_case(unit) && !found.eq_ignore_ascii_case("wei") {
            return Err(ScenarioError::new(
                key,
                format!("expected an amount in {unit}, got `{text}` (unit {found})"),
            ));
        }
    }
    units::parse_amount(trimmed).map_err(|e| ScenarioError::new(key, e.to_string()))
}

/// Checks that `value` lies in `[lo, hi]`; the error names `key`, the range and the value.
pub fn range(key: &str, value: f64, lo: f64, hi: f64) -> Result<(), ScenarioError> {
    if !value.is_finite() || value < lo || value > hi {
        return Err(ScenarioError::new(
            key,
            format!("must be between {lo} and {hi}, got {}", shown(value)),
        ));
    }
    Ok(())
}

/// A number as people write it: `30`, `0.5`, `1e300` — not the 301 digits `Display` gives
/// `1e300`, nor `1.0` for `1` (the file's own text is gone once parsed; this is its shortest
/// faithful form).
pub fn shown(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.0}")
    } else {
        format!("{x:?}")
    }
}

/// A scenario with every amount parsed and every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The scenario as written.
    pub scenario: Scenario,
    /// Parsed fixed interop fee.
    pub fixed_interop_fee: U256,
    /// Parsed gateway settlement fee.
    pub gateway_settlement_fee: U256,
    /// Parsed Fee Flow threshold.
    pub fee_flow_threshold: U256,
    /// Parsed Fee Flow minimum threshold.
    pub fee_flow_min_threshold: U256,
    /// Parsed genesis supply.
    pub genesis_supply: U256,
    /// Parsed operator treasury.
    pub operator_zk: U256,
    /// Parsed claimer treasury.
    pub claimer_zk: U256,
    /// Parsed changes, sorted by the day they take effect.
    pub changes: Vec<ValidatedChange>,
    /// Parsed initial stake.
    pub initial_stake: U256,
    /// Parsed seasons: (cap, start day, days).
    pub seasons: Vec<(U256, u32, u32)>,
    /// The Stage 1 chain, if the scenario has one.
    pub priority_mode: Option<crate::priority_mode::ValidatedPriority>,
}

/// A parameter change with its amounts parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedChange {
    /// Day it takes effect (proposal day + latency for proposals).
    pub day: u32,
    /// Day it was proposed or made.
    pub proposed_day: u32,
    /// The governor that carries it (`None` for direct changes).
    pub governor: Option<flywheel_protocol::governance::GovernorKind>,
    /// New settlement fee.
    pub gateway_settlement_fee: Option<U256>,
    /// New revenue share sent to Fee Flow, bps.
    pub fee_flow_revenue_share_bps: Option<u16>,
    /// New burn share.
    pub burn_bps: Option<u16>,
    /// New threshold.
    pub fee_flow_threshold: Option<U256>,
}

impl Scenario {
    /// Checks every value and parses every amount.
    pub fn validate(self) -> Result<Validated, ScenarioError> {
        if self.name.trim().is_empty() {
            return Err(ScenarioError::new("name", "must not be empty"));
        }
        range("days", f64::from(self.days), 1.0, f64::from(MAX_DAYS))?;
        range("runs", f64::from(self.runs), 1.0, f64::from(MAX_RUNS))?;
        self.traffic.validate("traffic")?;
        range(
            "users.calls_per_bundle",
            f64::from(self.users.calls_per_bundle),
            1.0,
            f64::from(MAX_CALLS_PER_BUNDLE),
        )?;
        range(
            "users.always_fixed_share",
            self.users.always_fixed_share,
            0.0,
            1.0,
        )?;
        if self.chains.is_empty() {
            return Err(ScenarioError::new("chains", "at least one chain is needed"));
        }
        if self.chains.len() > MAX_CHAINS {
            return Err(ScenarioError::new(
                "chains",
                format!("at most {MAX_CHAINS} chains, got {}", self.chains.len()),
            ));
        }
        let mut share = 0.0;
        for (i, c) in self.chains.iter().enumerate() {
            range(
                &format!("chains[{i}].traffic_share"),
                c.traffic_share,
                0.0,
                1.0,
            )?;
            if self.chains[..i].iter().any(|o| o.name == c.name) {
                return Err(ScenarioError::new(
                    format!("chains[{i}].name"),
                    format!("`{}` is listed twice", c.name),
                ));
            }
            share += c.traffic_share;
        }
        if (share - 1.0).abs() > MAX_SHARE_SUM_ERROR {
            return Err(ScenarioError::new(
                "chains.traffic_share",
                format!("shares must sum to 1, got {share}"),
            ));
        }
        self.prices.zk.validate("prices.zk")?;
        self.prices.eth.validate("prices.eth")?;
        let p = &self.protocol;
        range(
            "protocol.fee_flow_revenue_share_bps",
            f64::from(p.fee_flow_revenue_share_bps),
            0.0,
            f64::from(BPS),
        )?;
        let min_threshold = amount(
            "protocol.fee_flow_min_threshold",
            &p.fee_flow_min_threshold,
            "ZK",
        )?;
        let threshold = amount("protocol.fee_flow_threshold", &p.fee_flow_threshold, "ZK")?;
        let below_min = |key: String, t: U256| {
            ScenarioError::new(
                key,
                format!(
                    "{} ZK is below Fee Flow's minimum bid threshold {} ZK (FeeFlow_ThresholdBelowMin; lower `protocol.fee_flow_min_threshold` to model another deployment)",
                    units::format_amount(t),
                    units::format_amount(min_threshold)
                ),
            )
        };
        if threshold < min_threshold {
            return Err(below_min("protocol.fee_flow_threshold".into(), threshold));
        }
        range(
            "protocol.burn_bps",
            f64::from(p.burn_bps),
            0.0,
            f64::from(BPS),
        )?;
        range(
            "protocol.sweep_every_days",
            f64::from(p.sweep_every_days),
            1.0,
            f64::from(MAX_SWEEP_EVERY_DAYS),
        )?;
        range(
            "operators.margin",
            self.operators.margin,
            MIN_MARGIN,
            MAX_MARGIN,
        )?;
        range("claimer.gas_usd", self.claimer.gas_usd, 0.0, MAX_GAS_USD)?;
        let supply = amount("protocol.genesis_supply", &p.genesis_supply, "ZK")?;
        if supply > flywheel_protocol::token::MAX_SUPPLY {
            return Err(ScenarioError::new(
                "protocol.genesis_supply",
                "must not exceed the 21,000,000,000 ZK max supply",
            ));
        }
        if self.governance.changes.len() > MAX_CHANGES {
            return Err(ScenarioError::new(
                "governance.changes",
                format!(
                    "at most {MAX_CHANGES} changes, got {}",
                    self.governance.changes.len()
                ),
            ));
        }
        let mut changes = Vec::with_capacity(self.governance.changes.len());
        for (i, c) in self.governance.changes.iter().enumerate() {
            let k = |f: &str| format!("governance.changes[{i}].{f}");
            if c.day >= self.days {
                return Err(after_horizon(k("day"), c.day, self.days));
            }
            if let Some(v) = c.fee_flow_revenue_share_bps {
                range(
                    &k("fee_flow_revenue_share_bps"),
                    f64::from(v),
                    0.0,
                    f64::from(BPS),
                )?;
            }
            if let Some(v) = c.burn_bps {
                range(&k("burn_bps"), f64::from(v), 0.0, f64::from(BPS))?;
            }
            let zip = c.gateway_settlement_fee.is_some();
            let tpp = c.burn_bps.is_some() || c.fee_flow_threshold.is_some();
            let governor = match c.via {
                ChangeVia::Direct => None,
                ChangeVia::Proposal if zip && tpp => {
                    return Err(ScenarioError::new(
                        k("via"),
                        "one proposal goes to one governor: gateway_settlement_fee is a ZIP's, burn_bps and fee_flow_threshold a TPP's; schedule them as two changes",
                    ))
                }
                ChangeVia::Proposal if (zip || tpp) && c.fee_flow_revenue_share_bps.is_some() => {
                    return Err(ScenarioError::new(
                        k("fee_flow_revenue_share_bps"),
                        "is an assumption about who sends revenue to Fee Flow, not a governance parameter: schedule it in a change of its own",
                    ))
                }
                ChangeVia::Proposal if zip => Some(GovernorKind::Protocol),
                ChangeVia::Proposal if tpp => Some(GovernorKind::Token),
                ChangeVia::Proposal => None,
            };
            let latency_days = governor.map_or(0, |g| {
                let config = GovernanceConfig::zk_nation(Default::default(), Default::default());
                let secs = config.min_latency(g, UpgradeApproval::SecurityCouncil);
                u32::try_from(secs.div_ceil(86_400)).unwrap_or(u32::MAX)
            });
            changes.push(ValidatedChange {
                day: c.day.saturating_add(latency_days),
                proposed_day: c.day,
                governor,
                gateway_settlement_fee: c
                    .gateway_settlement_fee
                    .as_deref()
                    .map(|t| fee(&k("gateway_settlement_fee"), t))
                    .transpose()?,
                fee_flow_revenue_share_bps: c.fee_flow_revenue_share_bps,
                burn_bps: c.burn_bps,
                fee_flow_threshold: match c.fee_flow_threshold.as_deref() {
                    Some(t) => {
                        let t = amount(&k("fee_flow_threshold"), t, "ZK")?;
                        if t < min_threshold {
                            return Err(below_min(k("fee_flow_threshold"), t));
                        }
                        Some(t)
                    }
                    None => None,
                },
            });
        }
        changes.sort_by_key(|c| c.day);
        let operator_zk = amount("operators.zk_treasury", &self.operators.zk_treasury, "ZK")?;
        let claimer_zk = amount("claimer.zk_treasury", &self.claimer.zk_treasury, "ZK")?;
        let treasuries = operator_zk
            .checked_mul(U256::from(self.chains.len()))
            .and_then(|v| v.checked_add(claimer_zk))
            .unwrap_or(U256::MAX);
        if treasuries > supply {
            return Err(ScenarioError::new(
                "operators.zk_treasury",
                "`operators.zk_treasury` for each chain plus `claimer.zk_treasury` exceed `protocol.genesis_supply`",
            ));
        }
        let st = &self.staking;
        range(
            "staking.delegate_vote_probability",
            st.delegate_vote_probability,
            0.0,
            1.0,
        )?;
        range(
            "staking.target_rate_bps",
            f64::from(st.target_rate_bps),
            0.0,
            f64::from(BPS),
        )?;
        range("staking.elasticity", st.elasticity, 0.0, MAX_ELASTICITY)?;
        self.demand.validate()?;
        range(
            "staking.target_yield",
            st.target_yield,
            0.0,
            MAX_TARGET_YIELD,
        )?;
        let initial_stake = amount("staking.initial_stake", &st.initial_stake, "ZK")?;
        if initial_stake > supply {
            return Err(ScenarioError::new(
                "staking.initial_stake",
                "exceeds `protocol.genesis_supply`",
            ));
        }
        if st.enabled && initial_stake < tokens(MIN_INITIAL_STAKE_ZK) {
            return Err(ScenarioError::new(
                "staking.initial_stake",
                format!(
                    "must be at least {MIN_INITIAL_STAKE_ZK} ZK when staking is enabled (the whole pilot's stake), got {} ZK",
                    units::format_amount(initial_stake)
                ),
            ));
        }
        if st.seasons.len() > MAX_SEASONS {
            return Err(ScenarioError::new(
                "staking.seasons",
                format!("at most {MAX_SEASONS} seasons, got {}", st.seasons.len()),
            ));
        }
        let mut seasons = Vec::with_capacity(st.seasons.len());
        for (i, season) in st.seasons.iter().enumerate() {
            let k = |f: &str| format!("staking.seasons[{i}].{f}");
            range(
                &k("days"),
                f64::from(season.days),
                1.0,
                f64::from(MAX_SEASON_DAYS),
            )?;
            if st.enabled && season.start_day >= self.days {
                return Err(after_horizon(k("start_day"), season.start_day, self.days));
            }
            range(
                &k("start_day"),
                f64::from(season.start_day),
                0.0,
                f64::from(MAX_DAYS - 1),
            )?;
            seasons.push((
                amount(&k("cap"), &season.cap, "ZK")?,
                season.start_day,
                season.days,
            ));
        }
        let names: Vec<String> = self.chains.iter().map(|c| c.name.clone()).collect();
        let priority_mode = self
            .priority_mode
            .as_ref()
            .map(|p| p.validate(&names, self.days, supply - treasuries))
            .transpose()?;
        crate::prividium::validate(&self, operator_zk, claimer_zk)?;
        Ok(Validated {
            priority_mode,
            initial_stake,
            seasons,
            fixed_interop_fee: fee("protocol.fixed_interop_fee", &p.fixed_interop_fee)?,
            gateway_settlement_fee: fee(
                "protocol.gateway_settlement_fee",
                &p.gateway_settlement_fee,
            )?,
            fee_flow_threshold: threshold,
            fee_flow_min_threshold: min_threshold,
            genesis_supply: supply,
            operator_zk,
            claimer_zk,
            changes,
            scenario: self,
        })
    }
}

/// A day at or after the horizon: nothing scheduled then can happen within the run.
fn after_horizon(key: String, day: u32, days: u32) -> ScenarioError {
    ScenarioError::new(
        key,
        format!(
            "day {day} is not within the horizon of {days} days (`days`; days 0 to {})",
            days.saturating_sub(1)
        ),
    )
}
