//! A governance proposal drafted from a what-if: which changes the changed scenario makes to
//! its base, the governance path and calldata of each (from
//! `flywheel_protocol::governance::{proposal_path, calldata, timeline}`), one proposal per
//! governor with its earliest timeline, and the projected impact — the base and the changed
//! scenario run on the same seeds, at the scenario's own demand elasticity and at two stated
//! others. [`super::proposal_doc`] turns a [`Draft`] into the Markdown draft, `proposal.json`
//! and the files of `--out`.

use crate::ReportError;
use alloy_primitives::{I256, U256};
use flywheel_protocol::governance::calldata::{self, Encoded, GovernorProposal, Inputs};
use flywheel_protocol::governance::proposal_path::{self, Path};
use flywheel_protocol::governance::timeline::{self, Milestone};
use flywheel_protocol::governance::{GovernanceConfig, GovernorKind};
use flywheel_sim::monte_carlo::{simulate, Options, Outcome, Progress, RunTotals};
use flywheel_sim::scenario::{Fidelity, Scenario, Validated};
use serde::Serialize;
use serde_json::Value;

/// Elasticities the impact is also stated at, beside the scenario's own (illustrative values,
/// an assumption: 0.5 — traffic fairly insensitive to cost — and 1.0 — a 1% dearer call loses
/// 1% of calls).
pub const STATED_ELASTICITIES: [f64; 2] = [0.5, 1.0];

/// One key the changed scenario sets differently from the base.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// The dotted key.
    pub key: String,
    /// The base's value (JSON; `null` if absent).
    pub from: Value,
    /// The changed scenario's value.
    pub to: Value,
    /// Its governance path.
    pub path: Path,
    /// The value as the contract takes it (wei or bps), for on-chain levers.
    pub contract_value: Option<U256>,
    /// Its calls, when it has calldata.
    pub encoded: Option<Encoded>,
}

/// One governor's proposal with its timeline.
#[derive(Clone, Debug, Serialize)]
pub struct Drafted {
    /// The title (also the description's first line).
    pub title: String,
    /// What `propose` takes, and the calls behind it.
    pub proposal: GovernorProposal,
    /// The earliest timeline if proposed at the draft's date.
    pub timeline: Vec<Milestone>,
}

/// p5, p50 and p95 of a figure across runs (nearest rank), signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Band {
    /// 5th percentile.
    pub p5: I256,
    /// Median.
    pub p50: I256,
    /// 95th percentile.
    pub p95: I256,
}

/// A figure's base, changed and difference bands.
#[derive(Clone, Debug, Serialize)]
pub struct ImpactRow {
    /// The figure.
    pub figure: &'static str,
    /// `ZK` (values in wei) or `count`.
    pub unit: &'static str,
    /// The base scenario's runs.
    pub base: Band,
    /// The changed scenario's runs.
    pub changed: Band,
    /// Each run's changed minus base figure (same seed), across runs.
    pub difference: Band,
}

/// The impact at one elasticity.
#[derive(Clone, Debug, Serialize)]
pub struct Impact {
    /// `demand.elasticity` in both scenarios.
    pub elasticity: f64,
    /// Whether it is the scenario's own value (else one of [`STATED_ELASTICITIES`]).
    pub scenario_own: bool,
    /// The figures.
    pub rows: Vec<ImpactRow>,
}

/// Everything a proposal draft says.
#[derive(Clone, Debug, Serialize)]
pub struct Draft {
    /// What the base is (`preset v31-baseline`, a file).
    pub base_label: String,
    /// The changes.
    pub changes: Vec<Change>,
    /// One proposal per governor needed (ZIP, TPP, GAP order).
    pub proposals: Vec<Drafted>,
    /// The proposal date, unix seconds.
    pub proposed_at: u64,
    /// Runs, days, seed and fidelity of the impact.
    pub runs: u32,
    /// Horizon.
    pub days: u32,
    /// Base seed.
    pub seed: u64,
    /// The impact at the scenario's own elasticity first, then the stated ones.
    pub impact: Vec<Impact>,
    /// Inputs beyond the scenario (the distributor, the Gateway leg).
    pub inputs: Inputs,
    /// The reference cost of a call at the stated elasticities: the base's day-0 all-in cost,
    /// USD.
    pub stated_reference_cost_usd: f64,
}

/// Leaves of a JSON document as dotted keys (array elements as `a.1`).
fn leaves(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&key, x, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaves(&format!("{prefix}.{i}"), x, out);
            }
            if a.is_empty() {
                out.push((prefix.to_string(), v.clone()));
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

/// The keys `changed` sets differently from `base` (names and descriptions aside), in key
/// order.
pub fn diff(
    base: &Scenario,
    changed: &Scenario,
) -> Result<Vec<(String, Value, Value)>, ReportError> {
    let json = |s: &Scenario| {
        s.to_json()
            .map_err(|e| ReportError::field(e.key.clone(), e.problem))
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    leaves("", &json(base)?, &mut a);
    leaves("", &json(changed)?, &mut b);
    let amap: std::collections::BTreeMap<_, _> = a.into_iter().collect();
    let bmap: std::collections::BTreeMap<_, _> = b.into_iter().collect();
    let mut keys: Vec<&String> = amap.keys().chain(bmap.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter(|k| *k != "name" && *k != "description")
        .filter_map(|k| {
            let (x, y) = (
                amap.get(k).cloned().unwrap_or(Value::Null),
                bmap.get(k).cloned().unwrap_or(Value::Null),
            );
            (x != y).then(|| (k.clone(), x, y))
        })
        .collect())
}

/// The value a contract takes for an on-chain key of a validated scenario (wei for amounts,
/// bps for shares), or `None` for other keys.
pub fn contract_value(key: &str, v: &Validated) -> Option<U256> {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["protocol", "fixed_interop_fee"] => Some(v.fixed_interop_fee),
        ["protocol", "gateway_settlement_fee"] => Some(v.gateway_settlement_fee),
        ["protocol", "fee_flow_threshold"] => Some(v.fee_flow_threshold),
        ["protocol", "fee_flow_min_threshold"] => Some(v.fee_flow_min_threshold),
        ["protocol", "burn_bps"] => Some(U256::from(v.scenario.protocol.burn_bps)),
        ["staking", "seasons", i, "cap"] => i
            .parse::<usize>()
            .ok()
            .and_then(|i| v.seasons.get(i))
            .map(|s| s.0),
        _ => None,
    }
}

/// A readable value for titles: ZK amounts as `500,000 ZK`, the rest as written.
fn shown(key: &str, value: &Value, v: &Validated) -> String {
    match (contract_value(key, v), key.ends_with("_bps")) {
        (Some(w), false) => format!("{} ZK", crate::number::zk_exact(w)),
        (Some(w), true) => format!("{w} bps"),
        _ => match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
    }
}

/// The changes, each with its path and calldata; values a target would refuse are errors
/// naming the key.
pub fn changes(
    base: &Validated,
    changed: &Validated,
    inputs: &Inputs,
) -> Result<Vec<Change>, ReportError> {
    let mut out = Vec::new();
    for (key, from, to) in diff(&base.scenario, &changed.scenario)? {
        let path = proposal_path::path(&key);
        let value = contract_value(&key, changed);
        let encoded = match value {
            Some(w) => calldata::encode(&key, w, inputs)
                .map_err(|e| ReportError::field(key.clone(), e.to_string()))?,
            None => None,
        };
        out.push(Change {
            key,
            from,
            to,
            path,
            contract_value: value,
            encoded,
        });
    }
    if out.is_empty() {
        return Err(ReportError::field(
            "set",
            "the changed scenario is the base: give at least one change (--set KEY=VALUE or a scenario file)",
        ));
    }
    Ok(out)
}

/// One proposal per governor the changes need, each titled and described by its own changes,
/// with its timeline from `proposed_at`.
pub fn proposals(
    changes: &[Change],
    changed: &Validated,
    proposed_at: u64,
    inputs: &Inputs,
) -> Vec<Drafted> {
    let cfg = GovernanceConfig::zk_nation(
        alloy_primitives::Address::ZERO,
        alloy_primitives::Address::ZERO,
    );
    let mut out = Vec::new();
    for governor in GovernorKind::ALL {
        let mine: Vec<&Change> = changes
            .iter()
            .filter(|c| c.encoded.as_ref().is_some_and(|e| e.governor == governor))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let what: Vec<String> = mine
            .iter()
            .map(|c| {
                let name = match c.path {
                    Path::OnChain(o) => format!(
                        "{} {}",
                        o.contract,
                        o.function.split('(').next().unwrap_or("")
                    ),
                    Path::NotOnChain { .. } => c.key.clone(),
                };
                format!("{name} to {}", shown(&c.key, &c.to, changed))
            })
            .collect();
        let title = format!("[{}] {}", governor.proposal_type(), what.join("; "));
        let mut description = format!("# {title}\n\n");
        for c in &mine {
            description.push_str(&format!(
                "- `{}`: {} → {}\n",
                c.key,
                match &c.from {
                    Value::String(s) => s.clone(),
                    o => o.to_string(),
                },
                match &c.to {
                    Value::String(s) => s.clone(),
                    o => o.to_string(),
                }
            ));
        }
        description.push_str("\nDrafted with flywheel; the forum post holds the motivation, the projected impact and its assumptions.\n");
        let encoded: Vec<Encoded> = mine.iter().filter_map(|c| c.encoded.clone()).collect();
        let built = calldata::build(&encoded, &description, inputs);
        for proposal in built {
            out.push(Drafted {
                title: title.clone(),
                timeline: timeline::timeline(&cfg, proposal.governor, proposed_at),
                proposal,
            });
        }
    }
    out
}

/// The figures compared, each read from one run's totals.
pub const FIGURES: [(&str, &str); 8] = [
    ("ZK burned", "ZK"),
    ("ZK supply at the horizon", "ZK"),
    ("Fee Flow claims", "count"),
    ("ZK bid in Fee Flow claims", "ZK"),
    ("staking rewards", "ZK"),
    (
        "operators' net margin, ZK leg (fixed fees in − settlement fees out)",
        "ZK",
    ),
    ("interop calls", "count"),
    ("Splitter distributions (non-burned share)", "ZK"),
];

fn signed(x: U256) -> I256 {
    I256::try_from(x).unwrap_or(I256::MAX)
}

/// Figure `i` of [`FIGURES`] for one run.
pub fn figure(i: usize, r: &RunTotals) -> I256 {
    let t = &r.totals;
    match i {
        0 => signed(t.burned),
        1 => signed(t.supply),
        2 => I256::try_from(t.auction_claims).unwrap_or(I256::MAX),
        3 => signed(t.auction_paid),
        4 => signed(t.staking_rewards),
        5 => signed(t.fixed_fees).saturating_sub(signed(t.settlement_fees)),
        6 => I256::try_from(r.calls).unwrap_or(I256::MAX),
        _ => signed(t.distributed),
    }
}

fn band(mut values: Vec<I256>) -> Band {
    let mut q = |p| flywheel_sim::summary::quantile(&mut values, p).unwrap_or(I256::ZERO);
    Band {
        p5: q(0.05),
        p50: q(0.5),
        p95: q(0.95),
    }
}

/// The impact rows of two outcomes of the same runs (paired by run index).
pub fn impact_rows(base: &Outcome, changed: &Outcome) -> Vec<ImpactRow> {
    FIGURES
        .iter()
        .enumerate()
        .map(|(i, (name, unit))| {
            let b: Vec<I256> = base.runs.iter().map(|r| figure(i, r)).collect();
            let c: Vec<I256> = changed.runs.iter().map(|r| figure(i, r)).collect();
            let d: Vec<I256> = base
                .runs
                .iter()
                .zip(&changed.runs)
                .map(|(x, y)| figure(i, y).saturating_sub(figure(i, x)))
                .collect();
            ImpactRow {
                figure: name,
                unit,
                base: band(b),
                changed: band(c),
                difference: band(d),
            }
        })
        .collect()
}

/// The elasticities of the impact: the scenario's own, then the stated ones it is not.
pub fn elasticities(own: f64) -> Vec<(f64, bool)> {
    let mut out = vec![(own, true)];
    out.extend(
        STATED_ELASTICITIES
            .iter()
            .filter(|e| **e != own)
            .map(|e| (*e, false)),
    );
    out
}

fn with_elasticity(v: &Validated, e: f64, reference: f64) -> Result<Validated, ReportError> {
    let mut s = v.scenario.clone();
    s.demand.elasticity = e;
    s.demand.reference_cost_usd = reference;
    s.validate()
        .map_err(|e| ReportError::field(e.key.clone(), e.problem))
}

/// Runs the base and the changed scenario (flow fidelity, `runs` runs each, the same seeds) at
/// each elasticity; the outcomes at the scenario's own elasticity come first. At the stated
/// elasticities both scenarios' reference cost is the base's all-in cost of a call on day 0
/// ([`flywheel_sim::demand::first_day_cost`]): the base's traffic starts as drawn, and a
/// change that makes calls dearer loses some from day 0. `progress` hears every simulation's
/// progress in turn.
pub fn simulate_pairs(
    base: &Validated,
    changed: &Validated,
    runs: u32,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<(f64, bool, Outcome, Outcome)>, ReportError> {
    let opts = Options {
        runs,
        fidelity: Fidelity::Flow,
    };
    let sim_err =
        |e: flywheel_sim::ledger::SimError| ReportError::field("simulation", e.to_string());
    let mut out = Vec::new();
    for (e, own) in elasticities(base.scenario.demand.elasticity) {
        let (b, c) = if own {
            (base.clone(), changed.clone())
        } else {
            let reference = flywheel_sim::demand::first_day_cost(base);
            (
                with_elasticity(base, e, reference)?,
                with_elasticity(changed, e, reference)?,
            )
        };
        let ob = simulate(&b, opts, false, |_, _| {}, progress).map_err(sim_err)?;
        let oc = simulate(&c, opts, false, |_, _| {}, progress).map_err(sim_err)?;
        out.push((e, own, ob, oc));
    }
    Ok(out)
}

/// The whole draft, from the two validated scenarios and their simulated pairs.
#[allow(clippy::too_many_arguments)]
pub fn draft(
    base_label: &str,
    base: &Validated,
    changed: &Validated,
    pairs: &[(f64, bool, Outcome, Outcome)],
    proposed_at: u64,
    inputs: Inputs,
) -> Result<Draft, ReportError> {
    let changes = changes(base, changed, &inputs)?;
    let proposals = proposals(&changes, changed, proposed_at, &inputs);
    let impact = pairs
        .iter()
        .map(|(e, own, b, c)| Impact {
            elasticity: *e,
            scenario_own: *own,
            rows: impact_rows(b, c),
        })
        .collect();
    Ok(Draft {
        base_label: base_label.to_string(),
        changes,
        proposals,
        proposed_at,
        runs: pairs.first().map_or(0, |p| p.2.runs.len() as u32),
        days: changed.scenario.days,
        seed: changed.scenario.seed,
        impact,
        inputs,
        stated_reference_cost_usd: flywheel_sim::demand::first_day_cost(base),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flywheel_sim::presets::preset;

    fn validated(s: Scenario) -> Validated {
        s.validate().unwrap()
    }

    #[test]
    fn the_diff_names_each_changed_leaf() {
        let base = preset("v31-baseline").unwrap();
        let mut changed = base.clone();
        changed.protocol.burn_bps = 8_000;
        changed.protocol.fee_flow_threshold = "500000 ZK".into();
        changed.name = "other".into();
        let d = diff(&base, &changed).unwrap();
        let keys: Vec<&str> = d.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(
            keys,
            vec!["protocol.burn_bps", "protocol.fee_flow_threshold"]
        );
    }

    #[test]
    fn a_threshold_and_a_settlement_fee_need_two_proposals() {
        let base = validated(preset("v31-baseline").unwrap());
        let mut s = base.scenario.clone();
        s.protocol.fee_flow_threshold = "500000 ZK".into();
        s.protocol.gateway_settlement_fee = "7 ZK".into();
        s.traffic = flywheel_sim::process::TrafficModel::Constant {
            calls_per_day: 1234.0,
        };
        let changed = validated(s);
        let inputs = Inputs::default();
        let c = changes(&base, &changed, &inputs).unwrap();
        let p = proposals(&c, &changed, 0, &inputs);
        let kinds: Vec<_> = p.iter().map(|d| d.proposal.governor).collect();
        assert_eq!(kinds, vec![GovernorKind::Protocol, GovernorKind::Token]);
        assert!(
            p[1].title
                .starts_with("[TPP] FeeFlow setBidThreshold to 500,000 ZK"),
            "{}",
            p[1].title
        );
        // The traffic change is listed, with no calldata.
        assert!(c
            .iter()
            .any(|c| c.key.starts_with("traffic") && c.encoded.is_none()));
    }

    #[test]
    fn no_change_and_refused_values_are_errors_naming_the_key() {
        let base = validated(preset("v31-baseline").unwrap());
        let e = changes(&base, &base, &Inputs::default()).unwrap_err();
        assert!(e.to_string().starts_with("set:"), "{e}");
        let mut s = base.scenario.clone();
        s.protocol.burn_bps = 9_000;
        let e = changes(&base, &validated(s), &Inputs::default()).unwrap_err();
        assert!(e.to_string().starts_with("protocol.burn_bps:"), "{e}");
    }

    #[test]
    fn the_difference_band_pairs_runs_by_seed() {
        let base = validated(preset("v31-baseline").unwrap());
        let o = simulate(
            &base,
            Options {
                runs: 5,
                fidelity: Fidelity::Flow,
            },
            false,
            |_, _| {},
            &|_| {},
        )
        .unwrap();
        let rows = impact_rows(&o, &o);
        for r in rows {
            assert_eq!(r.base, r.changed);
            assert_eq!(
                r.difference,
                Band {
                    p5: I256::ZERO,
                    p50: I256::ZERO,
                    p95: I256::ZERO
                }
            );
        }
    }
}
