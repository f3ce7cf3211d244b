//! The `[prividium]` section: the institutions a scenario lists, their validation and CSV
//! sources, and where each ledger chain's traffic goes.

use super::*;
use crate::process::TrafficModel;
use crate::scenario::{range, BaseToken, Scenario, ScenarioError};
use alloy_primitives::U256;
use serde::{Deserialize, Serialize};

/// Institutions running Prividium chains (none by default: the section is off).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PrividiumSpec {
    /// The institutions, each with its own Prividium chain.
    pub institutions: Vec<InstitutionSpec>,
}

fn default_users() -> u32 {
    10
}

fn default_base() -> BaseToken {
    BaseToken::Eth
}

/// One institution and its Prividium.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionSpec {
    /// Display name (also its chain's name; unique among chains and institutions).
    #[schemars(extend("x-source" = "assumption"))]
    pub name: String,
    /// The Prividium's base token (default ETH).
    #[serde(default = "default_base")]
    #[schemars(extend("x-source" = "assumption"))]
    pub base_token: BaseToken,
    /// Day (from 0) the institution joins; it sends nothing before (never, past the horizon).
    #[schemars(range(min = 0, max = crate::scenario::MAX_DAYS), extend("x-unit" = "day", "x-step" = 1, "x-source" = "assumption"))]
    pub join_day: u32,
    /// Its interop calls per day, counted from its join day.
    pub traffic: TrafficModel,
    /// Share of its calls on the fixed ZK fee (institutions holding ZK); the rest pay the
    /// base-token fee.
    #[schemars(range(min = 0, max = 1), extend("x-unit" = "fraction", "x-step" = 0.05, "x-source" = "assumption"))]
    pub fixed_fee_share: f64,
    /// Where its bundles go: a scenario chain's or another institution's name.
    #[schemars(extend("x-source" = "assumption"))]
    pub destination: String,
    /// Its permissioned users; bundles are sent by each in turn (default 10).
    #[serde(default = "default_users")]
    #[schemars(range(min = 1, max = MAX_USERS), extend("x-unit" = "users", "x-step" = 1, "x-source" = "assumption"))]
    pub users: u32,
}

/// Checks the section (dotted keys: `prividium.institutions[i].field`) and that the operators'
/// treasuries, institutions' operators included, fit the genesis supply.
pub fn validate(s: &Scenario, operator_zk: U256, claimer_zk: U256) -> Result<(), ScenarioError> {
    let list = &s.prividium.institutions;
    if list.len() > MAX_INSTITUTIONS {
        return Err(ScenarioError::new(
            "prividium.institutions",
            format!(
                "at most {MAX_INSTITUTIONS} institutions, got {}",
                list.len()
            ),
        ));
    }
    if s.chains.len() + list.len() > MAX_INSTITUTIONS {
        return Err(ScenarioError::new(
            "prividium.institutions",
            format!(
                "at most 64 chains with the institutions', got {} + {}",
                s.chains.len(),
                list.len()
            ),
        ));
    }
    for (i, inst) in list.iter().enumerate() {
        let k = |f: &str| format!("prividium.institutions[{i}].{f}");
        if inst.name.trim().is_empty() {
            return Err(ScenarioError::new(k("name"), "must not be empty"));
        }
        let taken = s.chains.iter().any(|c| c.name == inst.name)
            || list[..i].iter().any(|o| o.name == inst.name);
        if taken {
            return Err(ScenarioError::new(
                k("name"),
                format!(
                    "`{}` is already a chain's or an institution's name",
                    inst.name
                ),
            ));
        }
        // A join day past the horizon is allowed: the institution never joins (so a shorter
        // `--days` keeps a preset valid).
        range(
            &k("join_day"),
            f64::from(inst.join_day),
            0.0,
            f64::from(crate::scenario::MAX_DAYS),
        )?;
        inst.traffic.validate(&k("traffic"))?;
        range(&k("fixed_fee_share"), inst.fixed_fee_share, 0.0, 1.0)?;
        range(
            &k("users"),
            f64::from(inst.users),
            1.0,
            f64::from(MAX_USERS),
        )?;
        if destination_index(s, &inst.destination).is_none() {
            let names: Vec<&str> = s
                .chains
                .iter()
                .map(|c| c.name.as_str())
                .chain(list.iter().map(|o| o.name.as_str()))
                .collect();
            return Err(ScenarioError::new(
                k("destination"),
                format!(
                    "`{}` is not a chain or institution; known: {}",
                    inst.destination,
                    names.join(", ")
                ),
            ));
        }
    }
    let chains = s.chains.len() + list.len();
    let held = operator_zk
        .checked_mul(U256::from(chains))
        .and_then(|v| v.checked_add(claimer_zk))
        .unwrap_or(U256::MAX);
    let supply =
        crate::scenario::amount("protocol.genesis_supply", &s.protocol.genesis_supply, "ZK")?;
    if held > supply {
        return Err(ScenarioError::new(
            "operators.zk_treasury",
            format!(
                "`operators.zk_treasury` for each of {chains} operators plus `claimer.zk_treasury` exceed `protocol.genesis_supply`"
            ),
        ));
    }
    Ok(())
}

/// Loads the CSV traffic sources of the institutions, relative to `base`.
pub fn load_files(s: &mut Scenario, base: &std::path::Path) -> Result<(), ScenarioError> {
    for (i, inst) in s.prividium.institutions.iter_mut().enumerate() {
        inst.traffic
            .load(&format!("prividium.institutions[{i}].traffic"), base)?;
    }
    Ok(())
}

/// The ledger index of a chain or institution by name: public chains first, then
/// institutions.
pub(super) fn destination_index(s: &Scenario, name: &str) -> Option<usize> {
    s.chains.iter().position(|c| c.name == name).or_else(|| {
        s.prividium
            .institutions
            .iter()
            .position(|o| o.name == name)
            .map(|j| s.chains.len() + j)
    })
}

/// Base tokens of every ledger chain: the scenario's chains, then the institutions'.
pub fn bases(s: &Scenario) -> Vec<BaseToken> {
    s.chains
        .iter()
        .map(|c| c.base_token)
        .chain(s.prividium.institutions.iter().map(|i| i.base_token))
        .collect()
}
