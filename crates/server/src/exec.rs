//! From a request to results: resolving a scenario (a preset, a saved scenario, TOML or JSON,
//! then dotted overrides) through the sim's own reader and validation, executing a stored run
//! (the sim's Monte Carlo, its files written by `flywheel-report` as `flywheel run --out`
//! writes them, kept in the store), and the small synchronous what-if runs behind the
//! dashboard's sliders.

use crate::error::StoreError;
use crate::limits;
use crate::store::{NewRun, Results, Store};
use alloy_primitives::U256;
use flywheel_report::bands::ExactBands;
use flywheel_report::run_files::RunWriter;
use flywheel_sim::agents::wei_to_tokens;
use flywheel_sim::monte_carlo::{simulate, Options, Outcome, Progress, RunTotals};
use flywheel_sim::presets;
use flywheel_sim::resolve::{self, lookup, Base, Request};
use flywheel_sim::scenario::{Fidelity, ScenarioError, Validated};
use flywheel_sim::summary::{fidelity_name, median_run};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::Mutex;

/// A scenario as a request gives it: at most one base (a preset, a saved scenario, TOML text,
/// or a scenario object), then overrides. With no base, the default preset.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInput {
    /// A built-in scenario's name (`GET /api/presets`).
    #[serde(default)]
    pub preset: Option<String>,
    /// A saved scenario's name (`GET /api/scenarios`).
    #[serde(default)]
    pub saved: Option<String>,
    /// Scenario TOML text (CSV sources are not read: give prices and traffic as models).
    #[serde(default)]
    pub toml: Option<String>,
    /// A scenario as a JSON object (the schema at `/api/schema`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub scenario: Option<Value>,
    /// Dotted keys to set, e.g. `{"protocol.burn_bps": 5000, "staking.seasons.0.cap": "20000000 ZK"}`
    /// (an array element by its index: `chains.1.name` or `chains[1].name`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub set: Option<Map<String, Value>>,
    /// Horizon in days (shortening it leaves out what the scenario schedules later, as
    /// `--days` does).
    #[serde(default)]
    pub days: Option<u32>,
    /// Monte Carlo paths.
    #[serde(default)]
    pub runs: Option<u32>,
    /// Base seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// `flow` or `event`.
    #[serde(default)]
    pub fidelity: Option<String>,
}

/// Why an input was refused: the key, the limit and the value, for a 4xx answer.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error, utoipa::ToSchema)]
#[error("{key}: {error}")]
pub struct InputError {
    /// What is wrong, in words.
    pub error: String,
    /// The dotted key or field at fault.
    pub key: String,
    /// The allowed range or form.
    pub limit: Option<String>,
    /// The value found (any JSON value).
    #[schema(value_type = Option<serde_json::Value>)]
    pub value: Option<Value>,
}

impl InputError {
    /// An error about `key`.
    pub fn new(
        key: &str,
        error: impl Into<String>,
        limit: Option<String>,
        value: Option<Value>,
    ) -> Self {
        Self {
            error: error.into(),
            key: key.to_string(),
            limit,
            value,
        }
    }

    /// A scenario error, with the key's documented range from the schema and the value found in
    /// `scenario` (as JSON), when there is one.
    pub fn scenario(e: &ScenarioError, scenario: Option<&Value>) -> Self {
        let schema_key = schema_key_of(&e.key);
        let limit =
            flywheel_sim::schema::key(&schema_key).and_then(|k| match (k.minimum, k.maximum) {
                (Some(lo), Some(hi)) => Some(format!("{lo} to {hi}")),
                (Some(lo), None) => Some(format!("at least {lo}")),
                (None, Some(hi)) => Some(format!("at most {hi}")),
                (None, None) => None,
            });
        let value = scenario.and_then(|s| lookup(s, &e.key)).cloned();
        Self {
            error: e.problem.clone(),
            key: e.key.clone(),
            limit,
            value,
        }
    }
}

impl From<StoreError> for InputError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid {
                field,
                limit,
                value,
            } => Self::new(
                field,
                format!("must be {limit}"),
                Some(limit),
                Some(Value::String(value)),
            ),
            other => Self::new("store", other.to_string(), None, None),
        }
    }
}

/// `chains[2].traffic_share` or `staking.seasons.0.cap` → the schema's `chains[].traffic_share`.
fn schema_key_of(key: &str) -> String {
    let mut out = String::new();
    for part in key.split('.') {
        let (name, indexed) = match part.find('[') {
            Some(i) => (&part[..i], true),
            None => (part, false),
        };
        if name.chars().all(|c| c.is_ascii_digit()) && !name.is_empty() {
            out.push_str("[]");
            continue;
        }
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(name);
        if indexed {
            out.push_str("[]");
        }
    }
    out
}

/// Something scheduled that a shorter horizon (`days`) left out of the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LeftOut {
    /// The scenario entry (`governance.changes[2]`, `staking.seasons[1]`).
    pub key: String,
    /// The day it was scheduled for (on or after the horizon).
    pub day: u32,
}

/// A scenario ready to run: the sim's validated scenario and its resolved TOML.
#[derive(Debug)]
pub struct Resolved {
    /// Validated, overrides applied.
    pub v: Validated,
    /// The resolved scenario as TOML (what the store keeps and `Download TOML` gives).
    pub toml: String,
    /// What a shorter `days` left out of the scenario (empty when nothing was).
    pub left_out: Vec<LeftOut>,
}

/// The scenario a request names, overrides applied, validated: the sim's resolver (as the CLI
/// and the Python package use it), its errors given the key, the limit and the value found.
/// `store` is needed only for a `saved` base.
pub fn resolve(input: &ScenarioInput, store: Option<&Store>) -> Result<Resolved, InputError> {
    let bases = [
        input.preset.is_some(),
        input.saved.is_some(),
        input.toml.is_some(),
        input.scenario.is_some(),
    ];
    if bases.iter().filter(|b| **b).count() > 1 {
        return Err(InputError::new(
            "preset",
            "give at most one of preset, saved, toml and scenario",
            Some("at most one base".into()),
            None,
        ));
    }
    let base = if let Some(t) = &input.toml {
        Base::Toml {
            text: t.clone(),
            base: None,
        }
    } else if let Some(v) = &input.scenario {
        Base::Json {
            value: v.clone(),
            base: None,
        }
    } else if let Some(name) = &input.saved {
        let store =
            store.ok_or_else(|| InputError::new("saved", "no run store is open", None, None))?;
        let text = store.scenario(name).map_err(|e| match e {
            StoreError::NotFound { .. } => InputError::new(
                "saved",
                format!("no saved scenario `{name}`"),
                None,
                Some(Value::String(name.clone())),
            ),
            other => other.into(),
        })?;
        Base::Toml { text, base: None }
    } else {
        Base::Preset(input.preset.as_deref().unwrap_or(presets::DEFAULT).into())
    };
    let set = input.set.clone().unwrap_or_default();
    if set.len() > limits::MAX_OVERRIDES {
        return Err(InputError::new(
            "set",
            "too many overrides",
            Some(format!("at most {} keys", limits::MAX_OVERRIDES)),
            Some(Value::from(set.len())),
        ));
    }
    let (scenario, folder) = resolve::read_base(&base).map_err(|e| match &base {
        Base::Preset(name) => {
            InputError::new("preset", e.problem, None, Some(Value::String(name.clone())))
        }
        Base::Json { value, .. } => json_error(&e, Some(value)),
        _ => InputError::scenario(&e, None),
    })?;
    let request = Request {
        days: input.days,
        set: set.clone().into_iter().collect(),
        runs: input.runs,
        seed: input.seed,
        fidelity: input.fidelity.clone(),
        ..Request::new(base)
    };
    let r = resolve::apply(scenario, folder, &request).map_err(|e| {
        if e.key == "fidelity" {
            if let Some(f) = &input.fidelity {
                return InputError::new(
                    "fidelity",
                    e.problem,
                    Some("flow or event".into()),
                    Some(Value::String(f.clone())),
                );
            }
        }
        if let Some(v) = set.get(&e.key) {
            // A key set here: its value is the one given.
            let mut err = InputError::scenario(&e, None);
            err.value = Some(v.clone());
            return err;
        }
        json_error(&e, None)
    })?;
    let json = serde_json::to_value(&r.scenario).ok();
    let v = r
        .validate()
        .map_err(|e| InputError::scenario(&e, json.as_ref()))?;
    let mut out = resolved(v)?;
    out.left_out = r
        .left_out
        .into_iter()
        .map(|l| LeftOut {
            key: l.key,
            day: l.day,
        })
        .collect();
    Ok(out)
}

/// A JSON scenario's error: its shape (`scenario`), or a key of it with the value found.
fn json_error(e: &ScenarioError, value: Option<&Value>) -> InputError {
    if e.key == "scenario" {
        let limit = (e.problem == "must be an object").then(|| "a scenario object".to_string());
        return InputError::new("scenario", e.problem.clone(), limit, None);
    }
    InputError::scenario(e, value)
}

/// A validated scenario with its TOML (as the store keeps it).
pub fn resolved(v: Validated) -> Result<Resolved, InputError> {
    let toml = toml::to_string(&v.scenario).map_err(|e| {
        InputError::new(
            "scenario",
            format!("cannot be written as TOML: {e}"),
            None,
            None,
        )
    })?;
    Ok(Resolved {
        v,
        toml,
        left_out: Vec::new(),
    })
}

/// Checks a stored run's size: runs × days within [`limits::MAX_FLOW_PATH_DAYS`] (flow) or
/// [`limits::MAX_EVENT_PATH_DAYS`] (event), and within [`limits::MAX_STEPS_PATH_DAYS`] when its
/// steps are kept.
pub fn check_stored_size(v: &Validated, keep_steps: bool) -> Result<(), InputError> {
    let s = &v.scenario;
    let work = u64::from(s.runs) * u64::from(s.days);
    if keep_steps && work > limits::MAX_STEPS_PATH_DAYS {
        return Err(InputError::new(
            "steps",
            "too many runs × days to keep every step",
            Some(format!(
                "runs × days at most {} with steps kept",
                limits::MAX_STEPS_PATH_DAYS
            )),
            Some(Value::from(work)),
        ));
    }
    let cap = match s.fidelity {
        Fidelity::Flow => limits::MAX_FLOW_PATH_DAYS,
        Fidelity::Event => limits::MAX_EVENT_PATH_DAYS,
    };
    if work > cap {
        return Err(InputError::new(
            "runs",
            format!(
                "runs × days is too large for a stored {} run",
                fidelity_name(s.fidelity)
            ),
            Some(format!("runs × days at most {cap}")),
            Some(Value::from(work)),
        ));
    }
    Ok(())
}

/// The store's record of a run about to start.
pub fn new_run(r: &Resolved) -> NewRun {
    let s = &r.v.scenario;
    NewRun {
        name: s.name.clone(),
        scenario: r.toml.clone(),
        seed: s.seed,
        runs: s.runs,
        days: s.days,
        fidelity: fidelity_name(s.fidelity).to_string(),
    }
}

/// A scratch folder for one run's files, removed when dropped (a killed process's is removed
/// by the next [`Store::open`]).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn locked(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    // A panic while holding the lock leaves SQLite consistent (its own transactions), so a
    // poisoned lock is still usable.
    store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs stored run `id` (queued in `store` by this store's owner): marks it running,
/// simulates, writes its files (those of `flywheel run --out`), and stores them (the steps only if `keep_steps`),
/// or marks it failed with the reason. `progress` is told the runs and path-days done. The
/// store is locked only to change the run's row, never while simulating.
pub fn execute(
    store: &Mutex<Store>,
    id: i64,
    v: &Validated,
    keep_steps: bool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Outcome, String> {
    let dir = {
        let s = locked(store);
        s.start_run(id).map_err(|e| e.to_string())?;
        s.scratch(id)
    };
    let result = dir
        .map_err(|e| e.to_string())
        .and_then(|dir| simulate_into_files(dir, v, keep_steps, progress));
    match result {
        Ok((outcome, files)) => {
            locked(store)
                .finish_run(id, &files)
                .map_err(|e| e.to_string())?;
            Ok(outcome)
        }
        Err(e) => {
            // The run stays failed with its reason; a store error here is reported instead.
            locked(store)
                .fail_run(id, &e)
                .map_err(|se| format!("{e}; and then {se}"))?;
            Err(e)
        }
    }
}

fn simulate_into_files(
    dir: PathBuf,
    v: &Validated,
    keep_steps: bool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Outcome, Results), String> {
    let scratch = Scratch(dir);
    let mut writer = RunWriter::begin(&scratch.0, v).map_err(|e| e.to_string())?;
    let opts = Options {
        runs: v.scenario.runs,
        fidelity: v.scenario.fidelity,
    };
    let outcome = simulate(
        v,
        opts,
        true,
        |run, steps| writer.on_run(run, steps),
        progress,
    )
    .map_err(|e| format!("simulation failed: {e}"))?;
    writer.finish(&outcome).map_err(|e| e.to_string())?;
    let read = |name: &str| {
        std::fs::read_to_string(scratch.0.join(name))
            .map_err(|e| format!("cannot read the run's {name}: {e}"))
    };
    let files = Results {
        summary: read("summary.json")?,
        bands: read("bands.csv")?,
        steps: if keep_steps {
            Some(read("steps.csv")?)
        } else {
            None
        },
        report: read("report.html")?,
    };
    Ok((outcome, files))
}

/// One progress report of a stored run, as the API streams it. The one place that turns the
/// sim's progress callback into what clients see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProgressEvent {
    /// Runs finished.
    pub runs_done: u64,
    /// Runs in all.
    pub runs_total: u64,
    /// Path-days simulated (every day of every run counts one), for per-day progress.
    pub days_done: u64,
    /// Path-days in all: runs × days.
    pub days_total: u64,
}

/// The progress event for the sim's report.
pub fn progress_event(p: Progress) -> ProgressEvent {
    ProgressEvent {
        runs_done: p.runs_done,
        runs_total: p.runs_total,
        days_done: p.days_done,
        days_total: p.days_total,
    }
}

/// The progress of a run of `v` that has done `runs_done` whole runs (before it starts, and
/// when it ends).
pub fn progress_at(runs_done: u64, v: &Validated) -> ProgressEvent {
    let days = u64::from(v.scenario.days);
    ProgressEvent {
        runs_done,
        runs_total: u64::from(v.scenario.runs),
        days_done: runs_done.saturating_mul(days),
        days_total: u64::from(v.scenario.runs).saturating_mul(days),
    }
}

/// p5, median and p95 of one series on each banded day.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Band {
    /// 5th percentile per day.
    pub p5: Vec<f64>,
    /// Median per day.
    pub p50: Vec<f64>,
    /// 95th percentile per day.
    pub p95: Vec<f64>,
}

/// Where the ZK of one run went, for the flow diagram (ZK, not wei).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Flows {
    /// The run these figures are from: the median run by ZK burned (one run, so they add up).
    pub run: u32,
    /// Fixed interop fees, paid to operators.
    pub fixed_fees: f64,
    /// Gateway settlement fees, withdrawn to the Splitter.
    pub settlement_fees: f64,
    /// ZK bidders paid for Fee Flow claims, into the Splitter.
    pub auction_paid: f64,
    /// Burned (the Splitter's burn share and dust).
    pub burned: f64,
    /// Paid by the Splitter to stakers.
    pub distributed: f64,
    /// Minted by the staking seasons' capped minters.
    pub minted: f64,
    /// Staking rewards paid (the Splitter's share plus what was minted).
    pub staking_rewards: f64,
}

/// A governance change and when it took effect.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    /// Day it took effect.
    pub day: u32,
    /// Day it was proposed or made.
    pub proposed_day: u32,
    /// The governor that carried it (`ZIP`, `TPP`, `GAP`), or `direct`.
    pub via: String,
    /// What changed.
    pub what: String,
}

/// What a what-if run returns: the summary, exact daily bands and the flows.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WhatIf {
    /// `summary.json`, as `flywheel run --json` prints it.
    #[schema(value_type = Object)]
    pub summary: Value,
    /// The banded days.
    pub days: Vec<u32>,
    /// ZK supply, ZK.
    pub supply: Band,
    /// ZK burned that day, ZK.
    pub daily_burn: Band,
    /// ZK burned since genesis, ZK.
    pub cumulative_burn: Band,
    /// Where ZK went in the median run.
    pub flows: Flows,
    /// Governance changes and staking seasons, by the day they took effect.
    pub timeline: Vec<TimelineEntry>,
    /// The resolved scenario, TOML.
    pub toml: String,
    /// What a shorter `days` left out of the scenario (empty when nothing was).
    pub left_out: Vec<LeftOut>,
    /// Time spent simulating, milliseconds.
    pub elapsed_ms: f64,
}

/// Checks a what-if run's limits: flow fidelity, at most [`limits::MAX_WHATIF_RUNS`] paths,
/// [`limits::MAX_WHATIF_DAYS`] days and [`limits::MAX_WHATIF_PATH_DAYS`] runs × days.
pub fn check_whatif(v: &Validated) -> Result<(), InputError> {
    let s = &v.scenario;
    if s.fidelity != Fidelity::Flow {
        return Err(InputError::new(
            "fidelity",
            "what-if runs are flow fidelity only",
            Some("flow".into()),
            Some(Value::String("event".into())),
        ));
    }
    if s.runs > limits::MAX_WHATIF_RUNS {
        return Err(InputError::new(
            "runs",
            "too many paths for a what-if run",
            Some(format!("1 to {}", limits::MAX_WHATIF_RUNS)),
            Some(Value::from(s.runs)),
        ));
    }
    let work = u64::from(s.runs) * u64::from(s.days);
    if work > limits::MAX_WHATIF_PATH_DAYS {
        return Err(InputError::new(
            "runs",
            "runs × days is too large for a what-if run",
            Some(format!(
                "runs × days at most {}",
                limits::MAX_WHATIF_PATH_DAYS
            )),
            Some(Value::from(work)),
        ));
    }
    if s.days > limits::MAX_WHATIF_DAYS {
        return Err(InputError::new(
            "days",
            "too long for a what-if run",
            Some(format!("1 to {}", limits::MAX_WHATIF_DAYS)),
            Some(Value::from(s.days)),
        ));
    }
    Ok(())
}

/// Runs a small flow-mode Monte Carlo and returns its summary, the exact p5/p50/p95 of supply,
/// daily and cumulative burn on each banded day (`flywheel_report::bands::ExactBands`: not
/// sketches), and the median run's flows.
pub fn what_if(r: &Resolved) -> Result<WhatIf, String> {
    let v = &r.v;
    let started = std::time::Instant::now();
    let mut exact = ExactBands::new(v.scenario.days, v.scenario.runs);
    let opts = Options {
        runs: v.scenario.runs,
        fidelity: Fidelity::Flow,
    };
    let outcome = simulate(v, opts, true, |_, steps| exact.on_run(steps), &|_| {})
        .map_err(|e| format!("simulation failed: {e}"))?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    let (days, bands) = exact.finish();
    let bands = bands.map(|b| Band {
        p5: b.p5,
        p50: b.p50,
        p95: b.p95,
    });
    let [supply, daily_burn, cumulative_burn] = bands;
    Ok(WhatIf {
        summary: flywheel_sim::summary::summary(v, Fidelity::Flow, &outcome),
        days,
        supply,
        daily_burn,
        cumulative_burn,
        flows: flows(&outcome.runs),
        timeline: timeline(v),
        toml: r.toml.clone(),
        left_out: r.left_out.clone(),
        elapsed_ms,
    })
}

fn flows(runs: &[RunTotals]) -> Flows {
    let Some(r) = median_run(runs) else {
        return Flows {
            run: 0,
            fixed_fees: 0.0,
            settlement_fees: 0.0,
            auction_paid: 0.0,
            burned: 0.0,
            distributed: 0.0,
            minted: 0.0,
            staking_rewards: 0.0,
        };
    };
    let t = &r.totals;
    Flows {
        run: r.run,
        fixed_fees: wei_to_tokens(t.fixed_fees),
        settlement_fees: wei_to_tokens(t.settlement_fees),
        auction_paid: wei_to_tokens(t.auction_paid),
        burned: wei_to_tokens(t.burned),
        distributed: wei_to_tokens(t.distributed),
        minted: wei_to_tokens(t.minted.saturating_sub(r.supply_start)),
        staking_rewards: wei_to_tokens(t.staking_rewards),
    }
}

fn zk_text(w: U256) -> String {
    format!("{} ZK", flywheel_sim::agents::wei_to_tokens(w))
}

/// The governance changes (by the day each took effect) and the staking seasons.
pub fn timeline(v: &Validated) -> Vec<TimelineEntry> {
    let mut out: Vec<TimelineEntry> = v
        .changes
        .iter()
        .map(|c| {
            let mut what = Vec::new();
            if let Some(x) = c.gateway_settlement_fee {
                what.push(format!("settlement fee → {}", zk_text(x)));
            }
            if let Some(x) = c.fee_flow_threshold {
                what.push(format!("Fee Flow threshold → {}", zk_text(x)));
            }
            if let Some(x) = c.burn_bps {
                what.push(format!("burn share → {x} bps"));
            }
            if let Some(x) = c.fee_flow_revenue_share_bps {
                what.push(format!("revenue share to Fee Flow → {x} bps"));
            }
            TimelineEntry {
                day: c.day,
                proposed_day: c.proposed_day,
                via: c
                    .governor
                    .map_or_else(|| "direct".to_string(), |g| format!("{g:?}")),
                what: what.join(", "),
            }
        })
        .collect();
    if v.scenario.staking.enabled {
        for (i, (cap, start, days)) in v.seasons.iter().enumerate() {
            out.push(TimelineEntry {
                day: *start,
                proposed_day: *start,
                via: "staking season".into(),
                what: format!(
                    "season {} opens: cap {} over {days} days",
                    i + 1,
                    zk_text(*cap)
                ),
            });
        }
    }
    out.sort_by_key(|e| e.day);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(set: Value) -> ScenarioInput {
        ScenarioInput {
            set: set.as_object().cloned(),
            runs: Some(8),
            days: Some(120),
            ..Default::default()
        }
    }

    #[test]
    fn overrides_reach_the_scenario_and_errors_name_key_limit_and_value() {
        let r = resolve(
            &input(json!({"protocol.burn_bps": 5000, "staking.seasons.1.cap": "1 ZK"})),
            None,
        )
        .unwrap();
        assert_eq!(r.v.scenario.protocol.burn_bps, 5000);
        assert_eq!(r.v.scenario.staking.seasons[1].cap, "1 ZK");
        assert!(r.toml.contains("burn_bps = 5000"));
        let e = resolve(&input(json!({"protocol.burn_bps": 20000})), None).unwrap_err();
        assert_eq!(e.key, "protocol.burn_bps");
        assert_eq!(e.value, Some(json!(20000)));
        let e = resolve(&input(json!({"protocol.nope": 1})), None).unwrap_err();
        assert!(e.key.starts_with("protocol"), "{e:?}");
        let e = resolve(&input(json!({"staking.seasons.9.cap": "1 ZK"})), None).unwrap_err();
        assert_eq!(e.key, "staking.seasons.9.cap");
        let e = resolve(
            &ScenarioInput {
                preset: Some("nope".into()),
                ..Default::default()
            },
            None,
        )
        .unwrap_err();
        assert_eq!((e.key.as_str(), e.value), ("preset", Some(json!("nope"))));
        assert_eq!(
            schema_key_of("staking.seasons.0.cap"),
            "staking.seasons[].cap"
        );
        assert_eq!(
            schema_key_of("chains[2].traffic_share"),
            "chains[].traffic_share"
        );
    }

    #[test]
    fn array_overrides_and_the_horizon_resolve_as_the_sims_resolver_does() {
        for key in ["chains.1.name", "chains[1].name"] {
            let r = resolve(&input(json!({key: "other"})), None).unwrap();
            assert_eq!(r.v.scenario.chains[1].name, "other", "{key}");
            let mut req = Request::new(Base::Preset(presets::DEFAULT.into()));
            req.days = Some(120);
            req.runs = Some(8);
            req.set = vec![(key.into(), json!("other"))];
            let sim = resolve::resolve(&req).unwrap().validate().unwrap();
            assert_eq!(sim, r.v, "{key}: the CLI's and Python's resolver agree");
        }
        let e = resolve(&input(json!({"chains[9].name": "x"})), None).unwrap_err();
        assert_eq!(e.key, "chains[9].name");
        let r = resolve(
            &ScenarioInput {
                preset: Some("fee-flow-share".into()),
                days: Some(30),
                ..Default::default()
            },
            None,
        )
        .unwrap();
        let keys: Vec<(&str, u32)> = r.left_out.iter().map(|l| (l.key.as_str(), l.day)).collect();
        assert_eq!(
            keys,
            [
                ("governance.changes[0]", 90),
                ("governance.changes[1]", 180),
                ("staking.seasons[1]", 90)
            ]
        );
    }

    #[test]
    fn what_if_bands_are_ordered_and_move_with_the_burn_share() {
        let full = what_if(&resolve(&input(json!({})), None).unwrap()).unwrap();
        let half =
            what_if(&resolve(&input(json!({"protocol.burn_bps": 5000})), None).unwrap()).unwrap();
        assert_eq!(full.days.len(), 120);
        for b in [&full.supply, &full.daily_burn, &full.cumulative_burn] {
            for i in 0..b.p50.len() {
                assert!(b.p5[i] <= b.p50[i] && b.p50[i] <= b.p95[i]);
            }
        }
        let last = full.days.len() - 1;
        assert!(full.cumulative_burn.p50[last] > half.cumulative_burn.p50[last]);
        // The flows are one run's, so the Splitter's outflow never exceeds its inflow.
        let f = &full.flows;
        assert!(f.burned + f.distributed <= f.settlement_fees + f.auction_paid + 1e-6);
        assert_eq!(full.summary["runs"], json!(8));
    }

    #[test]
    fn what_if_limits_are_enforced() {
        let mut i = input(json!({}));
        i.runs = Some(limits::MAX_WHATIF_RUNS + 1);
        let e = check_whatif(&resolve(&i, None).unwrap().v).unwrap_err();
        assert_eq!(e.key, "runs");
        i.runs = Some(1);
        i.fidelity = Some("event".into());
        assert_eq!(
            check_whatif(&resolve(&i, None).unwrap().v).unwrap_err().key,
            "fidelity"
        );
    }
}
