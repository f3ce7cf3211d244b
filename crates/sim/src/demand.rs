//! Demand that answers price: the day's drawn traffic scaled by a constant-elasticity response
//! to the all-in cost of a call in USD,
//! `calls × (cost / reference_cost_usd)^(−elasticity)`, rounded to the nearest call.
//!
//! The elasticity is a scenario key (`demand.elasticity`); its default, 0, is exogenous traffic
//! and leaves the draw untouched (no floating-point step at all), so every preset runs as
//! before. The response is applied in the engine at the one place a day's traffic is drawn,
//! which both fidelities share, so they still agree to the wei.

use crate::scenario::limits::{
    MAX_CALLS_PER_DAY, MAX_DEMAND_ELASTICITY, MAX_PRICE_USD, MIN_PRICE_USD,
};
use crate::scenario::{range, FeeModeChoice, ScenarioError, Users};
use serde::{Deserialize, Serialize};

/// How traffic answers the cost of a call (`[demand]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Demand {
    /// Price elasticity of interop traffic: a call costing 1% more than the reference cost
    /// brings about `elasticity`% fewer calls (constant elasticity). 0 = traffic ignores price.
    #[schemars(range(min = 0, max = MAX_DEMAND_ELASTICITY), extend("x-unit" = "ratio", "x-step" = 0.1, "x-source" = "assumption"))]
    pub elasticity: f64,
    /// The all-in cost of a call (USD) at which the traffic model's draw holds unchanged.
    /// Default 0.1454 USD: the fixed 10 ZK fee at the seed's ZK price of 0.01454 USD.
    #[schemars(range(min = MIN_PRICE_USD, max = MAX_PRICE_USD), extend("x-unit" = "USD/call", "x-step" = 0.01, "x-source" = "assumption: 10 ZK at the seed's 0.01454 USD (26 May 2026)"))]
    pub reference_cost_usd: f64,
}

impl Default for Demand {
    fn default() -> Self {
        Self {
            elasticity: 0.0,
            reference_cost_usd: 0.1454,
        }
    }
}

impl Demand {
    /// Whether this is the default (left out of written scenarios, so files and summaries of
    /// scenarios that do not use it are unchanged).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Checks the keys' ranges.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        range(
            "demand.elasticity",
            self.elasticity,
            0.0,
            MAX_DEMAND_ELASTICITY,
        )?;
        range(
            "demand.reference_cost_usd",
            self.reference_cost_usd,
            MIN_PRICE_USD,
            MAX_PRICE_USD,
        )
    }

    /// The day's calls after the response to a call's cost; `cost` is computed only when the
    /// elasticity is not 0 (then `calls` is returned as drawn). A cost below
    /// [`MIN_PRICE_USD`] counts as that floor, and the result is at most
    /// [`MAX_CALLS_PER_DAY`].
    pub fn respond(&self, calls: u64, cost: impl FnOnce() -> f64) -> u64 {
        if self.elasticity == 0.0 || calls == 0 {
            return calls;
        }
        let c = cost();
        let c = if c.is_finite() {
            c.max(MIN_PRICE_USD)
        } else {
            MAX_PRICE_USD
        };
        let factor = (c / self.reference_cost_usd).powf(-self.elasticity);
        let x = (calls as f64 * factor).clamp(0.0, MAX_CALLS_PER_DAY);
        // Round half up; a non-negative value below 2^53 converts exactly.
        (x + 0.5) as u64
    }
}

/// The all-in cost of a call in USD that users face on a day, averaged over the chains by
/// their traffic shares: calls that always pay the fixed fee pay it, the others pay what their
/// fee-mode choice picks (the fixed fee, the chain's base-token fee, or the cheaper) — the
/// same choice [`crate::agents::fixed_calls`] makes.
pub fn call_cost_usd(users: &Users, shares: &[f64], dynamic_usd: &[f64], fixed_usd: f64) -> f64 {
    let sticky = users.always_fixed_share;
    shares
        .iter()
        .zip(dynamic_usd)
        .map(|(share, dynamic)| {
            let chosen = match users.fee_mode {
                FeeModeChoice::Fixed => fixed_usd,
                FeeModeChoice::Dynamic => *dynamic,
                FeeModeChoice::Cheapest => {
                    if fixed_usd < *dynamic {
                        fixed_usd
                    } else {
                        *dynamic
                    }
                }
            };
            share * (sticky * fixed_usd + (1.0 - sticky) * chosen)
        })
        .sum()
}

/// The all-in cost of a call on a scenario's day 0 (its initial prices and genesis fees), as
/// the engine computes it that day: the natural reference for comparing scenarios, so that
/// traffic starts as drawn in the base and a dearer call in a changed scenario loses calls.
pub fn first_day_cost(v: &crate::scenario::Validated) -> f64 {
    let s = &v.scenario;
    let zk = crate::process::PricePath::new(&s.prices.zk).current();
    let eth = crate::process::PricePath::new(&s.prices.eth).current();
    let quote = |base_usd: f64| {
        let fee = crate::agents::operator_fee(
            s.operators.policy,
            s.operators.margin,
            v.gateway_settlement_fee,
            zk,
            base_usd,
        );
        crate::agents::wei_to_tokens(fee) * base_usd
    };
    let dynamic: Vec<f64> = s
        .chains
        .iter()
        .map(|c| match c.base_token {
            crate::scenario::BaseToken::Eth => quote(eth),
            crate::scenario::BaseToken::Zk => quote(zk),
        })
        .collect();
    let shares: Vec<f64> = s.chains.iter().map(|c| c.traffic_share).collect();
    let fixed_usd = crate::agents::wei_to_tokens(v.fixed_interop_fee) * zk;
    call_cost_usd(&s.users, &shares, &dynamic, fixed_usd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_leaves_traffic_as_drawn_without_computing_a_cost() {
        let d = Demand::default();
        assert_eq!(
            d.respond(12_345, || unreachable!("no cost at elasticity 0")),
            12_345
        );
    }

    #[test]
    fn a_dearer_call_loses_traffic_by_the_elasticity() {
        let d = Demand {
            elasticity: 1.0,
            reference_cost_usd: 0.1,
        };
        assert_eq!(d.respond(10_000, || 0.1), 10_000);
        assert_eq!(d.respond(10_000, || 0.2), 5_000);
        assert_eq!(d.respond(10_000, || 0.05), 20_000);
        let half = Demand {
            elasticity: 0.5,
            ..d
        };
        assert_eq!(half.respond(10_000, || 0.4), 5_000);
        // A free call is floored, and the result capped.
        assert_eq!(d.respond(10_000, || 0.0), MAX_CALLS_PER_DAY as u64);
    }

    #[test]
    fn the_cost_follows_the_users_fee_choice() {
        let users = Users {
            always_fixed_share: 0.5,
            fee_mode: FeeModeChoice::Cheapest,
            ..Users::default()
        };
        // Fixed 1 USD, dynamic 0.2 and 3 USD on two chains of shares 0.75 / 0.25.
        let c = call_cost_usd(&users, &[0.75, 0.25], &[0.2, 3.0], 1.0);
        let want = 0.75 * (0.5 + 0.5 * 0.2) + 0.25 * (0.5 + 0.5 * 1.0);
        assert!((c - want).abs() < 1e-12, "{c} {want}");
    }

    #[test]
    fn at_the_first_day_cost_day_0_traffic_is_the_draw() {
        use crate::engine::run_path;
        use crate::ledger::FlowLedger;
        let v = crate::presets::preset("v31-baseline")
            .unwrap()
            .validate()
            .unwrap();
        let mut s = v.scenario.clone();
        s.demand = Demand {
            elasticity: 1.0,
            reference_cost_usd: first_day_cost(&v),
        };
        s.set_horizon(5);
        let elastic = s.validate().unwrap();
        let mut base = v.scenario.clone();
        base.set_horizon(5);
        let base = base.validate().unwrap();
        let calls = |v: &crate::scenario::Validated| {
            let mut c = Vec::new();
            run_path(v, &mut FlowLedger::new(v), 0, |r| c.push(r.calls)).unwrap();
            c
        };
        let (a, b) = (calls(&base), calls(&elastic));
        assert_eq!(
            a[0], b[0],
            "day 0 answers a cost equal to the reference: no change"
        );
        assert_ne!(a, b, "later days answer the prices' moves");
    }

    #[test]
    fn ranges_are_checked_by_key() {
        let bad = Demand {
            elasticity: MAX_DEMAND_ELASTICITY + 1.0,
            ..Demand::default()
        };
        assert_eq!(bad.validate().unwrap_err().key, "demand.elasticity");
        let bad = Demand {
            reference_cost_usd: 0.0,
            ..Demand::default()
        };
        assert_eq!(bad.validate().unwrap_err().key, "demand.reference_cost_usd");
    }
}
