//! Parameter sweeps and one-at-a-time sensitivity over a scenario.
//!
//! Why here and not in the CLI: which scenario field a parameter name means, how a value is
//! checked, and how a value is scaled for a tornado are facts about scenarios; the CLI only
//! renders the plain data these helpers return. Cells run one after another, each cell's
//! Monte Carlo in parallel, every cell with the scenario's own seed (common random numbers:
//! cells differ by the parameter only), so results are deterministic.

use crate::ledger::SimError;
use crate::monte_carlo::{simulate, Options, Outcome, Progress};
use crate::process::{PriceModel, TrafficModel};
/// The limits on this module's keys, kept with every other limit of the crate.
pub use crate::scenario::limits::{
    MAX_AXIS_VALUES, MAX_CELLS, MAX_SPREAD, MIN_SPREAD, SPREAD_STEP,
};
use crate::scenario::{
    amount, range, Scenario, ScenarioError, Validated, BPS, MAX_CALLS_PER_DAY,
    MAX_DEMAND_ELASTICITY, MAX_MARGIN, MAX_PRICE_USD, MIN_MARGIN, MIN_PRICE_USD,
};
use crate::summary::quantile_u256;
use alloy_primitives::U256;
use flywheel_protocol::units::format_amount;
use std::sync::Arc;

/// What kind of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A ZK amount (`"5 ZK"`, `"5"`, `"5000000000000000000 wei"`).
    Zk,
    /// Basis points, an integer from 0 to 10,000.
    Bps,
    /// A real number in `[lo, hi]`.
    Real {
        /// Smallest allowed value.
        lo: f64,
        /// Largest allowed value.
        hi: f64,
    },
}

/// A parameter sweeps and the tornado can set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// Name used on the command line.
    pub name: &'static str,
    /// The scenario key it sets (dotted path).
    pub key: &'static str,
    /// Kind of value.
    pub kind: ParamKind,
    /// One line on what it is.
    pub about: &'static str,
    /// The tornado's step for a base of 0, which no factor moves: the arms are
    /// `0 ± spread × step`, clamped to the range (text [`set_param`] accepts). `None`: a base
    /// of 0 is reported as "base 0 — see sweep" instead.
    pub zero_step: Option<&'static str>,
}

/// Every settable parameter, in the tornado's tie-break order.
pub const PARAMS: [Param; 10] = [
    Param {
        name: "gateway_settlement_fee",
        key: "protocol.gateway_settlement_fee",
        kind: ParamKind::Zk,
        about: "Gateway settlement fee per interop call, either fee mode (ZK)",
        // 10 ZK: the seed's "10 ZK per call burned".
        zero_step: Some("10 ZK"),
    },
    Param {
        name: "fixed_interop_fee",
        key: "protocol.fixed_interop_fee",
        kind: ParamKind::Zk,
        about: "fixed ZK interop fee per call (ZK)",
        // 10 ZK: the default fixed fee.
        zero_step: Some("10 ZK"),
    },
    Param {
        name: "fee_flow_threshold",
        key: "protocol.fee_flow_threshold",
        kind: ParamKind::Zk,
        about: "Fee Flow claim price (ZK)",
        // The Era deployment's threshold.
        zero_step: Some("1000000 ZK"),
    },
    Param {
        name: "burn_bps",
        key: "protocol.burn_bps",
        kind: ParamKind::Bps,
        about: "splitter burn share (bps; the rest to staking rewards)",
        // The whole range: ± spread of 100%.
        zero_step: Some("10000"),
    },
    Param {
        name: "fee_flow_revenue_share_bps",
        key: "protocol.fee_flow_revenue_share_bps",
        kind: ParamKind::Bps,
        about: "share of operators' base-token fee revenue sent to Fee Flow (bps; an assumption)",
        // The whole range: ± spread of 100%.
        zero_step: Some("10000"),
    },
    Param {
        name: "calls_per_day",
        key: "traffic.calls_per_day",
        kind: ParamKind::Real {
            lo: 0.0,
            hi: MAX_CALLS_PER_DAY,
        },
        about: "traffic level on day 0 (regimes and CSV traffic are scaled to it)",
        // The seed's baseline traffic.
        zero_step: Some("50000"),
    },
    Param {
        name: "zk_price",
        key: "prices.zk.initial_usd",
        kind: ParamKind::Real {
            lo: MIN_PRICE_USD,
            hi: MAX_PRICE_USD,
        },
        about: "initial ZK price, USD (a CSV price series is scaled to it)",
        // Never 0: prices are at least MIN_PRICE_USD.
        zero_step: None,
    },
    Param {
        name: "margin",
        key: "operators.margin",
        kind: ParamKind::Real {
            lo: MIN_MARGIN,
            hi: MAX_MARGIN,
        },
        about: "operators' margin over the settlement cost (0.1 = 10%)",
        // The default margin.
        zero_step: Some("0.1"),
    },
    Param {
        name: "always_fixed_share",
        key: "users.always_fixed_share",
        kind: ParamKind::Real { lo: 0.0, hi: 1.0 },
        about: "share of calls always paying the fixed ZK fee",
        // The whole range: ± spread of all calls.
        zero_step: Some("1"),
    },
    Param {
        name: "elasticity",
        key: "demand.elasticity",
        kind: ParamKind::Real {
            lo: 0.0,
            hi: MAX_DEMAND_ELASTICITY,
        },
        about:
            "price elasticity of traffic to the all-in cost of a call (0 = traffic ignores price)",
        // Unit elasticity: a 1% dearer call, 1% fewer calls.
        zero_step: Some("1"),
    },
];

/// The names of [`PARAMS`], comma-separated (for help and errors).
pub fn param_names() -> String {
    PARAMS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

/// Looks a parameter up by name; unknown names get an error listing the known ones.
pub fn param(name: &str) -> Result<&'static Param, ScenarioError> {
    PARAMS.iter().find(|p| p.name == name).ok_or_else(|| {
        ScenarioError::new(
            name,
            format!("unknown parameter `{name}`; known: {}", param_names()),
        )
    })
}

/// A parameter's value, parsed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Zk(U256),
    Bps(u16),
    Real(f64),
}

impl Value {
    /// Text that [`set_param`] accepts back unchanged (exact for amounts).
    fn text(self) -> String {
        match self {
            Self::Zk(w) => format!("{} ZK", format_amount(w)),
            Self::Bps(b) => b.to_string(),
            // Twelve significant digits: `0.075`, not the `0.07500000000000001` of 0.05 × 1.5.
            Self::Real(x) => format!("{x:.11e}").parse::<f64>().unwrap_or(x).to_string(),
        }
    }
}

fn parse_value(p: &Param, text: &str) -> Result<Value, ScenarioError> {
    let t = text.trim();
    match p.kind {
        ParamKind::Zk => amount(p.name, t, "ZK").map(Value::Zk),
        ParamKind::Bps => match t.parse::<u16>() {
            Ok(b) if b <= BPS => Ok(Value::Bps(b)),
            _ => Err(ScenarioError::new(
                p.name,
                format!("expected whole basis points from 0 to {BPS}, got `{t}`"),
            )),
        },
        ParamKind::Real { lo, hi } => {
            let x = t
                .parse::<f64>()
                .map_err(|_| ScenarioError::new(p.name, format!("expected a number, got `{t}`")))?;
            range(p.name, x, lo, hi)?;
            Ok(Value::Real(x))
        }
    }
}

/// Scales a CSV series so its first value becomes `level`.
fn rescale(
    name: &str,
    data: &mut Option<Arc<Vec<f64>>>,
    level: f64,
    max: f64,
) -> Result<(), ScenarioError> {
    let values = data.as_ref().ok_or_else(|| {
        ScenarioError::new(
            name,
            "the scenario's CSV series is not loaded, cannot scale it",
        )
    })?;
    let first = values.first().copied().unwrap_or(0.0);
    if first <= 0.0 {
        return Err(ScenarioError::new(
            name,
            "the CSV series starts at 0, so it cannot be scaled to a level",
        ));
    }
    let f = level / first;
    let scaled: Vec<f64> = values.iter().map(|v| v * f).collect();
    if let Some(v) = scaled.iter().find(|v| !v.is_finite() || **v > max) {
        return Err(ScenarioError::new(
            name,
            format!("scaling the CSV series gives {v}, above {max}"),
        ));
    }
    *data = Some(Arc::new(scaled));
    Ok(())
}

fn current(s: &Scenario, p: &Param) -> Result<Value, ScenarioError> {
    let zk = |text: &str| amount(p.key, text, "ZK").map(Value::Zk);
    match p.name {
        "gateway_settlement_fee" => zk(&s.protocol.gateway_settlement_fee),
        "fixed_interop_fee" => zk(&s.protocol.fixed_interop_fee),
        "fee_flow_threshold" => zk(&s.protocol.fee_flow_threshold),
        "burn_bps" => Ok(Value::Bps(s.protocol.burn_bps)),
        "fee_flow_revenue_share_bps" => Ok(Value::Bps(s.protocol.fee_flow_revenue_share_bps)),
        "calls_per_day" => Ok(Value::Real(match &s.traffic {
            TrafficModel::Constant { calls_per_day }
            | TrafficModel::Growth { calls_per_day, .. }
            | TrafficModel::Gbm { calls_per_day, .. }
            | TrafficModel::Poisson { calls_per_day, .. } => *calls_per_day,
            TrafficModel::Regimes { regimes } => regimes.first().map_or(0.0, |r| r.calls_per_day),
            TrafficModel::Csv { data, .. } => data
                .as_ref()
                .and_then(|d| d.first().copied())
                .unwrap_or(0.0),
        })),
        "zk_price" => Ok(Value::Real(match &s.prices.zk {
            PriceModel::Constant { initial_usd } | PriceModel::Gbm { initial_usd, .. } => {
                *initial_usd
            }
            PriceModel::Csv { data, .. } => data
                .as_ref()
                .and_then(|d| d.first().copied())
                .unwrap_or(0.0),
        })),
        "margin" => Ok(Value::Real(s.operators.margin)),
        "always_fixed_share" => Ok(Value::Real(s.users.always_fixed_share)),
        "elasticity" => Ok(Value::Real(s.demand.elasticity)),
        other => Err(ScenarioError::new(
            other,
            "parameter has no getter (a bug in flywheel-sim)",
        )),
    }
}

/// The parameter's current value in the scenario, as text [`set_param`] accepts.
pub fn get_param(s: &Scenario, name: &str) -> Result<String, ScenarioError> {
    current(s, param(name)?).map(Value::text)
}

/// Sets parameter `name` (one of [`PARAMS`]) to `value` in the scenario, checking the value
/// against the parameter's unit and range. Amounts are stored exactly (`"<n> ZK"`).
pub fn set_param(s: &mut Scenario, name: &str, value: &str) -> Result<(), ScenarioError> {
    let p = param(name)?;
    let v = parse_value(p, value)?;
    match (p.name, v) {
        ("gateway_settlement_fee", v @ Value::Zk(_)) => {
            s.protocol.gateway_settlement_fee = v.text()
        }
        ("fixed_interop_fee", v @ Value::Zk(_)) => s.protocol.fixed_interop_fee = v.text(),
        ("fee_flow_threshold", v @ Value::Zk(_)) => s.protocol.fee_flow_threshold = v.text(),
        ("burn_bps", Value::Bps(b)) => s.protocol.burn_bps = b,
        ("fee_flow_revenue_share_bps", Value::Bps(b)) => s.protocol.fee_flow_revenue_share_bps = b,
        ("calls_per_day", Value::Real(x)) => match &mut s.traffic {
            TrafficModel::Constant { calls_per_day }
            | TrafficModel::Growth { calls_per_day, .. }
            | TrafficModel::Gbm { calls_per_day, .. }
            | TrafficModel::Poisson { calls_per_day, .. } => *calls_per_day = x,
            TrafficModel::Regimes { regimes } => {
                let first = regimes.first().map_or(0.0, |r| r.calls_per_day);
                if first <= 0.0 {
                    return Err(ScenarioError::new(
                        name,
                        "the first traffic regime is 0 calls/day, so regimes cannot be scaled",
                    ));
                }
                let f = x / first;
                for r in regimes.iter_mut() {
                    r.calls_per_day *= f;
                }
                if let Some(r) = regimes.iter().find(|r| r.calls_per_day > MAX_CALLS_PER_DAY) {
                    return Err(ScenarioError::new(
                        name,
                        format!(
                            "scaling the regimes gives {} calls/day, above {MAX_CALLS_PER_DAY}",
                            r.calls_per_day
                        ),
                    ));
                }
            }
            TrafficModel::Csv { data, .. } => rescale(name, data, x, MAX_CALLS_PER_DAY)?,
        },
        ("zk_price", Value::Real(x)) => match &mut s.prices.zk {
            PriceModel::Constant { initial_usd } | PriceModel::Gbm { initial_usd, .. } => {
                *initial_usd = x;
            }
            PriceModel::Csv { data, .. } => rescale(name, data, x, MAX_PRICE_USD)?,
        },
        ("margin", Value::Real(x)) => s.operators.margin = x,
        ("always_fixed_share", Value::Real(x)) => s.users.always_fixed_share = x,
        ("elasticity", Value::Real(x)) => s.demand.elasticity = x,
        _ => {
            return Err(ScenarioError::new(
                name,
                "parameter has no setter (a bug in flywheel-sim)",
            ))
        }
    }
    Ok(())
}

impl Value {
    fn is_zero(self) -> bool {
        match self {
            Self::Zk(w) => w.is_zero(),
            Self::Bps(b) => b == 0,
            Self::Real(x) => x == 0.0,
        }
    }

    /// `self + sign × step × spread` for a zero base, clamped to the parameter's range.
    fn step(p: &Param, step: Self, spread: f64, up: bool) -> Self {
        match scale(p, step, spread) {
            moved if up => moved,
            Self::Zk(_) => Self::Zk(U256::ZERO),
            Self::Bps(_) => Self::Bps(0),
            Self::Real(x) => match p.kind {
                ParamKind::Real { lo, hi } => Self::Real((-x).clamp(lo, hi)),
                _ => Self::Real(-x),
            },
        }
    }
}

/// `value × factor`, clamped to the parameter's range; amounts stay integer wei.
fn scale(p: &Param, v: Value, factor: f64) -> Value {
    match (v, p.kind) {
        (Value::Zk(w), _) => {
            // The factor as parts per billion keeps amounts exact for ordinary spreads.
            let ppb = (factor.max(0.0) * 1e9).round() as u64;
            Value::Zk(w.saturating_mul(U256::from(ppb)) / U256::from(1_000_000_000u64))
        }
        (Value::Bps(b), _) => {
            Value::Bps((f64::from(b) * factor).round().clamp(0.0, f64::from(BPS)) as u16)
        }
        (Value::Real(x), ParamKind::Real { lo, hi }) => Value::Real((x * factor).clamp(lo, hi)),
        (Value::Real(x), _) => Value::Real(x * factor),
    }
}

/// The figures a sweep cell or tornado arm reports: medians across runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Medians {
    /// Burned over the horizon scaled to 365 days (wei).
    pub annual_burn: U256,
    /// Burned over the horizon (wei).
    pub burned: U256,
    /// Calls over the horizon.
    pub calls: u64,
    /// ZK supply at the end (wei).
    pub supply_end: U256,
    /// Staking rewards paid (wei).
    pub staking_rewards: U256,
    /// Gateway settlement fees paid (wei).
    pub settlement_fees: U256,
    /// Fixed interop fees paid (wei).
    pub fixed_fees: U256,
    /// Fee Flow claims.
    pub auction_claims: u64,
    /// ZK paid for Fee Flow claims (wei): what the auction sent to the Splitter.
    pub auction_paid: U256,
}

/// Medians of an outcome's runs over a horizon of `days`.
pub fn medians(outcome: &Outcome, days: u32) -> Medians {
    let col = |f: &dyn Fn(&crate::monte_carlo::RunTotals) -> U256| -> U256 {
        let mut v: Vec<U256> = outcome.runs.iter().map(f).collect();
        quantile_u256(&mut v, 0.5)
    };
    let as_u64 = |x: U256| u64::try_from(x).unwrap_or(u64::MAX);
    let burned = col(&|r| r.totals.burned);
    Medians {
        annual_burn: annualise(burned, days),
        burned,
        calls: as_u64(col(&|r| U256::from(r.calls))),
        supply_end: col(&|r| r.totals.supply),
        staking_rewards: col(&|r| r.totals.staking_rewards),
        settlement_fees: col(&|r| r.totals.settlement_fees),
        fixed_fees: col(&|r| r.totals.fixed_fees),
        auction_claims: as_u64(col(&|r| U256::from(r.totals.auction_claims))),
        auction_paid: col(&|r| r.totals.auction_paid),
    }
}

/// `amount` over `days` scaled to 365 days (floor, exact integer arithmetic).
pub fn annualise(amount: U256, days: u32) -> U256 {
    if days == 0 {
        return U256::ZERO;
    }
    amount.saturating_mul(U256::from(365u32)) / U256::from(days)
}

/// Runs one validated scenario's Monte Carlo (its own runs and fidelity) and returns medians;
/// `progress` as [`simulate`]'s.
pub fn run_medians(
    v: &Validated,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Medians, SimError> {
    let opts = Options {
        runs: v.scenario.runs,
        fidelity: v.scenario.fidelity,
    };
    let out = simulate(v, opts, false, |_, _| {}, progress)?;
    Ok(medians(&out, v.scenario.days))
}

/// One axis of a sweep grid: a parameter and the values it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// Parameter name (one of [`PARAMS`]).
    pub name: String,
    /// Values as typed (each checked by [`set_param`]).
    pub values: Vec<String>,
}

impl Axis {
    /// Parses `NAME=V1,V2,…`.
    pub fn parse(spec: &str) -> Result<Self, ScenarioError> {
        let (name, values) = spec.split_once('=').ok_or_else(|| {
            ScenarioError::new(
                spec.trim(),
                "expected NAME=V1,V2,… (for example burn_bps=5000,10000)",
            )
        })?;
        let name = name.trim();
        let p = param(name)?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) {
            return Err(ScenarioError::new(name, "empty value in the list"));
        }
        if values.len() > MAX_AXIS_VALUES {
            return Err(ScenarioError::new(
                name,
                format!("at most {MAX_AXIS_VALUES} values, got {}", values.len()),
            ));
        }
        for v in &values {
            parse_value(p, v)?;
        }
        Ok(Self {
            name: name.to_string(),
            values,
        })
    }
}

/// A grid cell ready to run: its parameter values (as typed) and its validated scenario.
#[derive(Debug, Clone)]
pub struct Cell {
    /// One value per axis, in axis order.
    pub values: Vec<String>,
    /// The scenario with those values set.
    pub scenario: Validated,
}

/// Expands the full grid over `axes` (the first axis varies slowest), setting and validating
/// every cell before anything runs, so a bad value fails fast.
pub fn grid(base: &Scenario, axes: &[Axis]) -> Result<Vec<Cell>, ScenarioError> {
    if axes.is_empty() || axes.len() > 3 {
        return Err(ScenarioError::new(
            "param",
            format!("a sweep takes 1 to 3 parameters, got {}", axes.len()),
        ));
    }
    for (i, a) in axes.iter().enumerate() {
        if axes[..i].iter().any(|b| b.name == a.name) {
            return Err(ScenarioError::new(a.name.clone(), "parameter given twice"));
        }
    }
    let total = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
        .unwrap_or(usize::MAX);
    if total > MAX_CELLS {
        return Err(ScenarioError::new(
            "param",
            format!("at most {MAX_CELLS} cells, the grid has {total}"),
        ));
    }
    let mut cells = Vec::with_capacity(total);
    for i in 0..total {
        let mut rest = i;
        let mut idx = vec![0; axes.len()];
        for (k, a) in axes.iter().enumerate().rev() {
            idx[k] = rest % a.values.len();
            rest /= a.values.len();
        }
        let mut s = base.clone();
        let mut values = Vec::with_capacity(axes.len());
        for (a, &j) in axes.iter().zip(&idx) {
            set_param(&mut s, &a.name, &a.values[j])?;
            values.push(a.values[j].clone());
        }
        cells.push(Cell {
            values,
            scenario: s.validate()?,
        });
    }
    Ok(cells)
}

/// Runs every cell in order (each cell's Monte Carlo in parallel); `progress` is told the
/// index of the cell running (the cells before it are done) and how far that cell has got.
pub fn run_grid(
    cells: &[Cell],
    progress: &(dyn Fn(usize, Progress) + Sync),
) -> Result<Vec<Medians>, SimError> {
    let mut out = Vec::with_capacity(cells.len());
    for (i, c) in cells.iter().enumerate() {
        out.push(run_medians(&c.scenario, &|p| progress(i, p))?);
    }
    Ok(out)
}

/// Checks a spread: in [[`MIN_SPREAD`], [`MAX_SPREAD`]] and a whole number of
/// [`SPREAD_STEP`]s.
pub fn check_spread(spread: f64) -> Result<(), ScenarioError> {
    if !(MIN_SPREAD..=MAX_SPREAD).contains(&spread) {
        return Err(ScenarioError::new(
            "spread",
            format!("must be from {MIN_SPREAD} to {MAX_SPREAD} (1% to 100%), got {spread}"),
        ));
    }
    let steps = spread / SPREAD_STEP;
    if (steps - steps.round()).abs() > 1e-6 {
        return Err(ScenarioError::new(
            "spread",
            format!("at most 4 decimal places (steps of {SPREAD_STEP}), got {spread}"),
        ));
    }
    Ok(())
}

/// A fraction of at most 4 decimals as text without float noise: `0.5`, `1.25`, `0.0001`.
pub fn fraction_text(x: f64) -> String {
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".into()
    } else {
        text.to_string()
    }
}

/// How a tornado bar's parameter was moved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    /// `× (1 − spread)` and `× (1 + spread)`.
    Relative,
    /// A base of 0: `0 ± spread × step` ([`Param::zero_step`]).
    Step(String),
    /// A base of 0 with no step (or one the scenario cannot take): not moved; "base 0 — see
    /// sweep". Such bars come last.
    NotMoved,
}

/// One tornado bar: a parameter moved down and up by the spread, the others at base.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TornadoBar {
    /// Parameter name.
    pub param: &'static str,
    /// Base value (text).
    pub base_value: String,
    /// How the arms were chosen.
    pub moved: Move,
    /// Value of the low arm (clamped to the parameter's range).
    pub low_value: String,
    /// Value of the high arm (clamped).
    pub high_value: String,
    /// Median annual burn with the low value (wei).
    pub low_burn: U256,
    /// Median annual burn with the high value (wei).
    pub high_burn: U256,
}

impl TornadoBar {
    /// |high − low| annual burn: the bar's length, by which bars are sorted.
    pub fn swing(&self) -> U256 {
        if self.high_burn > self.low_burn {
            self.high_burn - self.low_burn
        } else {
            self.low_burn - self.high_burn
        }
    }
}

/// A one-at-a-time sensitivity analysis of median annual burn.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Tornado {
    /// The spread used (0.5 = ×0.5 and ×1.5).
    pub spread: f64,
    /// Median annual burn at the base scenario (wei).
    pub base_burn: U256,
    /// One bar per parameter, largest swing first (ties in [`PARAMS`] order), the bars not
    /// moved last.
    pub bars: Vec<TornadoBar>,
}

/// Moves each parameter of [`PARAMS`] down and up by `spread` one at a time — by
/// `× (1 ± spread)`, or `0 ± spread × step` from a base of 0 — and runs the Monte Carlo at each;
/// `progress(index, total, p)` is told which of the `total` Monte Carlos is running (those
/// before it are done) and how far it has got. `spread` is checked by [`check_spread`].
pub fn tornado(
    base: &Scenario,
    spread: f64,
    progress: &(dyn Fn(usize, usize, Progress) + Sync),
) -> Result<Tornado, SimError> {
    check_spread(spread)?;
    // Validate every arm before running any.
    let base_v = base.clone().validate()?;
    type Arm = (String, Option<Validated>);
    let mut arms: Vec<(&Param, String, Move, Arm, Arm)> = Vec::with_capacity(PARAMS.len());
    for p in &PARAMS {
        let now = current(base, p)?;
        let arm = |v: Value| -> Result<Arm, ScenarioError> {
            let text = v.text();
            if text == now.text() {
                return Ok((text, None));
            }
            let mut s = base.clone();
            set_param(&mut s, p.name, &text)?;
            Ok((text, Some(s.validate()?)))
        };
        let unmoved = || (now.text(), None);
        if !now.is_zero() {
            let low = arm(scale(p, now, 1.0 - spread))?;
            let high = arm(scale(p, now, 1.0 + spread))?;
            arms.push((p, now.text(), Move::Relative, low, high));
            continue;
        }
        let step = p.zero_step.and_then(|t| parse_value(p, t).ok());
        let moved = step.map(|step| {
            let low = arm(Value::step(p, step, spread, false))?;
            let high = arm(Value::step(p, step, spread, true))?;
            Ok::<_, ScenarioError>((low, high))
        });
        match (step, moved) {
            // A scenario that cannot take the step (a CSV series starting at 0 cannot be
            // scaled to a level) leaves the parameter unmoved, as if it had none.
            (Some(step), Some(Ok((low, high)))) => {
                arms.push((p, now.text(), Move::Step(step.text()), low, high))
            }
            _ => arms.push((p, now.text(), Move::NotMoved, unmoved(), unmoved())),
        }
    }
    let total = 1 + arms
        .iter()
        .map(|(.., l, h)| usize::from(l.1.is_some()) + usize::from(h.1.is_some()))
        .sum::<usize>();
    let mut done = 0;
    let base_burn = run_medians(&base_v, &|p| progress(0, total, p))?.annual_burn;
    done += 1;
    let mut bars = Vec::with_capacity(arms.len());
    for (p, base_value, moved, (low_value, low_v), (high_value, high_v)) in arms {
        let mut burn = |v: Option<Validated>| -> Result<U256, SimError> {
            match v {
                None => Ok(base_burn),
                Some(v) => {
                    let index = done;
                    let b = run_medians(&v, &|p| progress(index, total, p))?.annual_burn;
                    done += 1;
                    Ok(b)
                }
            }
        };
        let low_burn = burn(low_v)?;
        let high_burn = burn(high_v)?;
        bars.push(TornadoBar {
            param: p.name,
            base_value,
            moved,
            low_value,
            high_value,
            low_burn,
            high_burn,
        });
    }
    bars.sort_by_key(|b| (b.moved == Move::NotMoved, std::cmp::Reverse(b.swing())));
    Ok(Tornado {
        spread,
        base_burn,
        bars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::preset;

    #[test]
    fn set_then_get_round_trips_every_parameter() {
        let mut s = preset("v31-baseline").unwrap();
        for (name, value, want) in [
            ("gateway_settlement_fee", "7.5", "7.5 ZK"),
            ("fixed_interop_fee", "3 ZK", "3 ZK"),
            ("fee_flow_threshold", "250000", "250000 ZK"),
            ("burn_bps", "5000", "5000"),
            ("fee_flow_revenue_share_bps", "2500", "2500"),
            ("calls_per_day", "1234", "1234"),
            ("zk_price", "0.02", "0.02"),
            ("margin", "0.25", "0.25"),
            ("always_fixed_share", "0.5", "0.5"),
        ] {
            set_param(&mut s, name, value).unwrap();
            assert_eq!(get_param(&s, name).unwrap(), want, "{name}");
        }
        s.validate().unwrap();
    }

    #[test]
    fn bad_values_and_names_are_errors_naming_the_parameter() {
        let mut s = preset("v31-baseline").unwrap();
        let e = set_param(&mut s, "colour", "1").unwrap_err();
        assert!(e.problem.contains("burn_bps"), "{e}");
        let e = set_param(&mut s, "burn_bps", "10001").unwrap_err();
        assert_eq!(e.key, "burn_bps");
        let e = set_param(&mut s, "gateway_settlement_fee", "1 ETH").unwrap_err();
        assert_eq!(e.key, "gateway_settlement_fee");
        assert!(set_param(&mut s, "margin", "nan").is_err());
        assert!(set_param(&mut s, "always_fixed_share", "1.5").is_err());
        assert!(Axis::parse("burn_bps").is_err());
        assert!(Axis::parse("burn_bps=1,,2").is_err());
        assert_eq!(
            Axis::parse("burn_bps=1, 2").unwrap().values,
            vec!["1".to_string(), "2".to_string()]
        );
    }

    #[test]
    fn regimes_scale_to_the_level() {
        let mut s = preset("institutional-ramp").unwrap();
        set_param(&mut s, "calls_per_day", "100000").unwrap();
        match &s.traffic {
            TrafficModel::Regimes { regimes } => {
                assert_eq!(regimes[0].calls_per_day, 100_000.0);
                assert_eq!(regimes[2].calls_per_day, 2_000_000.0);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn grid_is_row_major_and_validated() {
        let base = preset("seed-baseline").unwrap();
        let axes = [
            Axis::parse("burn_bps=5000,10000").unwrap(),
            Axis::parse("calls_per_day=1,2,3").unwrap(),
        ];
        let cells = grid(&base, &axes).unwrap();
        assert_eq!(cells.len(), 6);
        assert_eq!(cells[1].values, vec!["5000", "2"]);
        assert_eq!(cells[3].values, vec!["10000", "1"]);
        assert!(grid(&base, &[]).is_err());
    }

    #[test]
    fn scaling_clamps_and_keeps_amounts_exact() {
        let p = param("burn_bps").unwrap();
        assert_eq!(scale(p, Value::Bps(10_000), 1.5), Value::Bps(10_000));
        let p = param("gateway_settlement_fee").unwrap();
        let five = amount("x", "5 ZK", "ZK").unwrap();
        assert_eq!(scale(p, Value::Zk(five), 0.5).text(), "2.5 ZK");
        let p = param("always_fixed_share").unwrap();
        assert_eq!(scale(p, Value::Real(0.8), 1.5), Value::Real(1.0));
    }

    #[test]
    fn spreads_are_bounded_and_print_exactly() {
        for bad in [0.0, 1e-300, 0.005, 1.0001, 2.0, f64::NAN, 0.12345] {
            assert_eq!(check_spread(bad).unwrap_err().key, "spread", "{bad}");
        }
        for good in [0.01, 0.5, 0.0125, 1.0, 0.9999] {
            assert!(check_spread(good).is_ok(), "{good}");
        }
        assert_eq!(fraction_text(1.0 + 0.9999), "1.9999");
        assert_eq!(fraction_text(1.0 - 0.5), "0.5");
        assert_eq!(fraction_text(1.0 - 1.0), "0");
        assert_eq!(fraction_text(2.0), "2");
    }

    #[test]
    fn a_zero_base_moves_by_its_step_and_drives_the_tornado() {
        let mut s = preset("seed-baseline").unwrap();
        s.days = 2;
        set_param(&mut s, "gateway_settlement_fee", "0").unwrap();
        let seen = std::sync::Mutex::new(Vec::new());
        let t = tornado(&s, 0.5, &|i, total, p| {
            seen.lock().unwrap().push((i, total, p))
        })
        .unwrap();
        // Every Monte Carlo of the tornado reports, by index, and each finishes.
        let seen = seen.into_inner().unwrap();
        let total = seen[0].1;
        assert!((2..=1 + 2 * PARAMS.len()).contains(&total), "{total}");
        for i in 0..total {
            let last = seen
                .iter()
                .filter(|x| x.0 == i)
                .map(|x| x.2)
                .max_by_key(|p| p.days_done);
            assert!(last.is_some_and(|p| p.fraction() == 1.0), "arm {i}");
        }
        let fee = &t.bars[0];
        assert_eq!(fee.param, "gateway_settlement_fee", "{:?}", t.bars);
        assert_eq!(fee.moved, Move::Step("10 ZK".into()));
        assert_eq!(
            (fee.low_value.as_str(), fee.high_value.as_str()),
            ("0 ZK", "5 ZK")
        );
        // 50,000 calls a day × 5 ZK, all burned, over a year.
        assert_eq!(fee.swing(), crate::scenario::zk(50_000 * 5 * 365));
        // A parameter with no step at 0 would be reported, not moved; zk_price is never 0, and
        // margin at 0 moves both ways (its range includes negative margins).
        set_param(&mut s, "margin", "0").unwrap();
        let t = tornado(&s, 0.5, &|_, _, _| {}).unwrap();
        let margin = t.bars.iter().find(|b| b.param == "margin").unwrap();
        assert_eq!(
            (margin.low_value.as_str(), margin.high_value.as_str()),
            ("-0.05", "0.05")
        );
        assert!(t.bars.iter().all(|b| b.moved != Move::NotMoved));
        assert!(tornado(&s, 1e-300, &|_, _, _| {}).is_err());
    }

    #[test]
    fn seed_baseline_medians_annualise_the_burn() {
        let mut s = preset("seed-baseline").unwrap();
        s.days = 5;
        let m = run_medians(&s.validate().unwrap(), &|_| {}).unwrap();
        assert_eq!(m.burned, crate::scenario::zk(2_500_000));
        assert_eq!(m.annual_burn, crate::scenario::zk(182_500_000));
    }
}
