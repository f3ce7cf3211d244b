//! `flywheel._flywheel`: the Python extension behind `import flywheel`. A thin layer over
//! `flywheel-sim` (the simulation) and `flywheel-report` (the results), never a second
//! implementation: scenarios parse and validate through the sim's own code, runs are the
//! sim's Monte Carlo, the steps frame has `steps.csv`'s columns (one definition) and reports
//! are written by `flywheel run --out`'s writer. The Python package (`python/flywheel`) turns
//! the columns returned here into polars frames.

use flywheel_report::steps::{frame, FrameColumn};
use flywheel_report::ReportError;
use flywheel_sim::agents::wei_to_tokens;
use flywheel_sim::engine::StepRecord;
use flywheel_sim::monte_carlo::{simulate, simulate_runs, Options, Outcome, Partial, BANDED};
use flywheel_sim::presets;
use flywheel_sim::resolve::{self, Base, LeftOut, Request};
use flywheel_sim::scenario::{Scenario, ScenarioError, Validated};
use flywheel_sim::summary::fidelity_name;
use flywheel_sim::sweep as grid;
use flywheel_sim::sweep::Axis;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};
use std::path::PathBuf;

create_exception!(
    _flywheel,
    FlywheelError,
    PyException,
    "A simulation failed (a bug or an impossible configuration, not bad input)."
);
create_exception!(
    _flywheel,
    ScenarioValueError,
    PyValueError,
    "A scenario value is missing, malformed or out of range: `.key` names it, `.problem` says what is wrong, with the allowed range and the value found."
);

/// The scenario error as a Python `ScenarioValueError` carrying the key and the problem.
fn scenario_err(py: Python<'_>, e: &ScenarioError) -> PyErr {
    let err = ScenarioValueError::new_err(e.to_string());
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail short of memory
    // exhaustion; if it ever does, the message still names the key.
    let _ = value.setattr("key", e.key.clone());
    let _ = value.setattr("problem", e.problem.clone());
    err
}

/// A report error: a destination the caller chose is a `ValueError`, anything else ours.
fn report_err(e: ReportError) -> PyErr {
    match e {
        ReportError::Field { .. } => PyValueError::new_err(e.to_string()),
        other => FlywheelError::new_err(other.to_string()),
    }
}

/// A scenario: the sim's `Scenario`, the folder its CSV sources load from, and what a
/// shorter horizon left out of it so far.
#[pyclass(module = "flywheel._flywheel", name = "_Scenario", from_py_object)]
#[derive(Clone)]
struct PyScenario {
    inner: Scenario,
    base: Option<PathBuf>,
    left_out: Vec<LeftOut>,
}

/// What a horizon left out, as (key, day) pairs for Python.
fn pairs(left_out: &[LeftOut]) -> Vec<(String, u32)> {
    left_out.iter().map(|l| (l.key.clone(), l.day)).collect()
}

impl PyScenario {
    /// Checks the scenario as a run would, so errors surface where the value was set.
    fn checked(py: Python<'_>, inner: Scenario, base: Option<PathBuf>) -> PyResult<Self> {
        inner.clone().validate().map_err(|e| scenario_err(py, &e))?;
        Ok(Self {
            inner,
            base,
            left_out: Vec::new(),
        })
    }

    /// Reads a base through the sim's resolver (as the CLI and the server do) and checks it.
    fn read(py: Python<'_>, base: Base) -> PyResult<Self> {
        let (s, folder) = resolve::read_base(&base).map_err(|e| scenario_err(py, &e))?;
        Self::checked(py, s, folder)
    }

    /// This scenario as the base of a resolver request.
    fn request(&self) -> Request {
        Request::new(Base::Scenario {
            scenario: Box::new(self.inner.clone()),
            base: self.base.clone(),
        })
    }
}

#[pymethods]
impl PyScenario {
    /// A built-in scenario by name.
    #[staticmethod]
    fn preset(py: Python<'_>, name: &str) -> PyResult<Self> {
        Self::read(py, Base::Preset(name.to_string()))
    }

    /// Parses scenario TOML text; CSV sources load relative to `base` (default: the current
    /// folder).
    #[staticmethod]
    #[pyo3(signature = (text, base=None))]
    fn from_toml(py: Python<'_>, text: &str, base: Option<PathBuf>) -> PyResult<Self> {
        let base = Some(base.unwrap_or_else(|| PathBuf::from(".")));
        Self::read(
            py,
            Base::Toml {
                text: text.to_string(),
                base,
            },
        )
    }

    /// Reads a scenario file, as `flywheel run --scenario FILE` does.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        Self::read(py, Base::File(path))
    }

    /// Builds a scenario from JSON text (the Python side dumps a dict).
    #[staticmethod]
    #[pyo3(signature = (text, base=None))]
    fn from_json(py: Python<'_>, text: &str, base: Option<PathBuf>) -> PyResult<Self> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Self::read(py, Base::Json { value, base })
    }

    /// The scenario as JSON text (CSV sources by path).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// A copy with dotted keys set, given as JSON text of a {key: value} object, through the
    /// sim's resolver (as the CLI and the server): an array element by its index
    /// (`chains.1.name` or `chains[1].name`). `days` shortens or lengthens the horizon as
    /// `--days` does (what it leaves out is added to `left_out`); every other key goes through
    /// the scenario reader and validation, so an error names the key, the range and the value.
    fn with_json(&self, py: Python<'_>, changes: &str) -> PyResult<Self> {
        let changes: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(changes).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mut r = self.request();
        for (key, value) in changes {
            if key == "days" {
                let days = value
                    .as_u64()
                    .and_then(|d| u32::try_from(d).ok())
                    .ok_or_else(|| {
                        scenario_err(
                            py,
                            &ScenarioError {
                                key: "days".into(),
                                problem: format!("must be a whole number of days, got {value}"),
                            },
                        )
                    })?;
                r.days = Some(days);
            } else {
                r.set.push((key, value));
            }
        }
        let got = resolve::resolve(&r).map_err(|e| scenario_err(py, &e))?;
        let mut out = Self::checked(py, got.scenario, got.base)?;
        out.left_out = self.left_out.iter().cloned().chain(got.left_out).collect();
        Ok(out)
    }

    /// What shorter horizons left out of this scenario so far: (key, day) pairs.
    #[getter]
    fn left_out(&self) -> Vec<(String, u32)> {
        pairs(&self.left_out)
    }

    /// Name.
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// Horizon in days.
    #[getter]
    fn days(&self) -> u32 {
        self.inner.days
    }

    /// Monte Carlo paths.
    #[getter]
    fn runs(&self) -> u32 {
        self.inner.runs
    }

    /// Base seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// The folder CSV sources load from, if any.
    #[getter]
    fn base(&self) -> Option<PathBuf> {
        self.base.clone()
    }

    /// "flow" or "event".
    #[getter]
    fn fidelity(&self) -> &'static str {
        fidelity_name(self.inner.fidelity)
    }
}

/// A finished Monte Carlo: the validated scenario, the outcome and (if kept) every run's days.
#[pyclass(module = "flywheel._flywheel", name = "_Run", frozen)]
struct PyRun {
    v: Validated,
    outcome: Outcome,
    steps: Option<Vec<(u32, Vec<StepRecord>)>>,
    left_out: Vec<LeftOut>,
}

#[pymethods]
impl PyRun {
    /// What the horizon left out of the scenario run: (key, day) pairs.
    #[getter]
    fn left_out(&self) -> Vec<(String, u32)> {
        pairs(&self.left_out)
    }

    /// `summary.json`'s text, as `flywheel run --json` prints it.
    fn summary_json(&self) -> PyResult<String> {
        let s = flywheel_sim::summary::summary(&self.v, self.v.scenario.fidelity, &self.outcome);
        serde_json::to_string(&s).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Bands as columns: day, metric, p5, p50, p95 and rel_error (the bound of their relative
    /// error: 0 where exact), one row per banded day and metric, the sim's banded metrics in
    /// order.
    fn bands_columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (mut day, mut metric, mut p5, mut p50, mut p95, mut err) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for b in &self.outcome.bands {
            for (i, m) in BANDED.iter().enumerate() {
                day.push(b.day);
                metric.push(*m);
                p5.push(b.p5[i]);
                p50.push(b.p50[i]);
                p95.push(b.p95[i]);
                err.push(b.rel_error[i]);
            }
        }
        let d = PyDict::new(py);
        d.set_item("day", day)?;
        d.set_item("metric", metric)?;
        d.set_item("p5", p5)?;
        d.set_item("p50", p50)?;
        d.set_item("p95", p95)?;
        d.set_item("rel_error", err)?;
        Ok(d)
    }

    /// Every run's days as columns (the columns of `steps.csv`, amounts in ZK as floats), or
    /// None when the run did not keep them.
    fn steps_columns<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(all) = &self.steps else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        for (name, col) in frame(all, self.v.genesis_supply) {
            match col {
                FrameColumn::Counts(v) => d.set_item(name, v)?,
                FrameColumn::Floats(v) => d.set_item(name, v)?,
            }
        }
        Ok(Some(d))
    }

    /// Writes `flywheel run --out`'s files (steps.csv, bands.csv, summary.json, charts,
    /// report.html) into `path`, by the same writer (`flywheel-report`).
    fn report(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let Some(steps) = &self.steps else {
            return Err(PyValueError::new_err(
                "this run did not keep its steps (run(..., steps=False)); run again with steps=True to write a report",
            ));
        };
        py.detach(|| flywheel_report::run_files::write_out(&path, &self.v, &self.outcome, steps))
            .map_err(report_err)
    }
}

/// A whole-number argument (`runs`, `days`, `seed`, a run index). Python's `bool` is an
/// `int`, so pyo3 alone would read `runs=True` as one run: a bool, a negative number, a float
/// or a value past `max` is refused as a `ScenarioValueError` naming the argument.
fn whole(
    py: Python<'_>,
    key: &str,
    v: Option<&Bound<'_, PyAny>>,
    max: u64,
) -> PyResult<Option<u64>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let n = if v.is_instance_of::<PyBool>() {
        None
    } else {
        v.extract::<u64>().ok().filter(|n| *n <= max)
    };
    n.map(Some).ok_or_else(|| {
        let got = v
            .repr()
            .map(|r| r.to_string())
            .unwrap_or_else(|_| "a value that cannot be shown".to_string());
        let e = ScenarioError {
            key: key.to_string(),
            problem: format!("must be a whole number from 0 to {max}, got {got}"),
        };
        scenario_err(py, &e)
    })
}

/// `runs`, `days` and `seed` as given to `run`, `sweep` and the Ray helpers, checked.
fn run_values(
    py: Python<'_>,
    runs: Option<&Bound<'_, PyAny>>,
    days: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Option<u32>, Option<u32>, Option<u64>)> {
    let narrow = |n: Option<u64>| n.and_then(|n| u32::try_from(n).ok());
    Ok((
        narrow(whole(py, "runs", runs, u64::from(u32::MAX))?),
        narrow(whole(py, "days", days, u64::from(u32::MAX))?),
        whole(py, "seed", seed, u64::MAX)?,
    ))
}

/// Applies run-time overrides (the CLI's `--runs`, `--days`, `--seed`, `--fidelity`) through
/// the sim's resolver and validates; also returns everything the horizon left out.
fn overridden(
    py: Python<'_>,
    s: &PyScenario,
    runs: Option<u32>,
    days: Option<u32>,
    seed: Option<u64>,
    fidelity: Option<&str>,
) -> PyResult<(Validated, Vec<LeftOut>)> {
    let r = Request {
        days,
        runs,
        seed,
        fidelity: fidelity.map(str::to_string),
        ..s.request()
    };
    let got = resolve::resolve(&r).map_err(|e| scenario_err(py, &e))?;
    let v = got.validate().map_err(|e| scenario_err(py, &e))?;
    let left_out = s.left_out.iter().cloned().chain(got.left_out).collect();
    Ok((v, left_out))
}

/// Runs a scenario's Monte Carlo with the GIL released.
#[pyfunction]
#[pyo3(signature = (scenario, runs=None, days=None, seed=None, fidelity=None, steps=true))]
fn run(
    py: Python<'_>,
    scenario: &PyScenario,
    runs: Option<Bound<'_, PyAny>>,
    days: Option<Bound<'_, PyAny>>,
    seed: Option<Bound<'_, PyAny>>,
    fidelity: Option<&str>,
    steps: bool,
) -> PyResult<PyRun> {
    let (runs, days, seed) = run_values(py, runs.as_ref(), days.as_ref(), seed.as_ref())?;
    let (v, left_out) = overridden(py, scenario, runs, days, seed, fidelity)?;
    let opts = Options {
        runs: v.scenario.runs,
        fidelity: v.scenario.fidelity,
    };
    let (outcome, kept) = py
        .detach(|| {
            let mut kept = Vec::new();
            let outcome = simulate(
                &v,
                opts,
                steps,
                |run, s| kept.push((run, s.to_vec())),
                &|_| {},
            );
            outcome.map(|o| (o, kept))
        })
        .map_err(|e| FlywheelError::new_err(e.to_string()))?;
    Ok(PyRun {
        v,
        outcome,
        steps: steps.then_some(kept),
        left_out,
    })
}

/// Runs the run indices `start..end` of the Monte Carlo (a task of a distributed run, e.g.
/// on Ray) with the GIL released; returns the mergeable part as JSON text.
#[pyfunction]
#[pyo3(signature = (scenario, start, end, runs=None, days=None, seed=None, fidelity=None))]
#[allow(clippy::too_many_arguments)]
fn run_part(
    py: Python<'_>,
    scenario: &PyScenario,
    start: Bound<'_, PyAny>,
    end: Bound<'_, PyAny>,
    runs: Option<Bound<'_, PyAny>>,
    days: Option<Bound<'_, PyAny>>,
    seed: Option<Bound<'_, PyAny>>,
    fidelity: Option<&str>,
) -> PyResult<String> {
    let (runs, days, seed) = run_values(py, runs.as_ref(), days.as_ref(), seed.as_ref())?;
    let index = |key, v| -> PyResult<u32> {
        let n = whole(py, key, Some(v), u64::from(u32::MAX))?;
        n.and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
            let e = ScenarioError {
                key: key.to_string(),
                problem: format!("must be a whole number from 0 to {}, got None", u32::MAX),
            };
            scenario_err(py, &e)
        })
    };
    let (start, end) = (index("start", &start)?, index("end", &end)?);
    let (v, _) = overridden(py, scenario, runs, days, seed, fidelity)?;
    let n = v.scenario.runs;
    if start > end || end > n {
        return Err(PyValueError::new_err(format!(
            "run range {start}..{end} is not within the {n} runs"
        )));
    }
    let opts = Options {
        runs: n,
        fidelity: v.scenario.fidelity,
    };
    let part = py
        .detach(|| simulate_runs(&v, opts, start..end, false, |_, _| {}, &|_| {}))
        .map_err(|e| FlywheelError::new_err(e.to_string()))?;
    serde_json::to_string(&part).map_err(|e| FlywheelError::new_err(e.to_string()))
}

/// Merges parts (from `run_part`, in any order) into the run of every index: the same
/// summary and bands as `run` on one machine. Every run index must be in exactly one part.
#[pyfunction]
#[pyo3(signature = (scenario, parts, runs=None, days=None, seed=None, fidelity=None))]
fn merge_parts(
    py: Python<'_>,
    scenario: &PyScenario,
    parts: Vec<String>,
    runs: Option<Bound<'_, PyAny>>,
    days: Option<Bound<'_, PyAny>>,
    seed: Option<Bound<'_, PyAny>>,
    fidelity: Option<&str>,
) -> PyResult<PyRun> {
    let (runs, days, seed) = run_values(py, runs.as_ref(), days.as_ref(), seed.as_ref())?;
    let (v, left_out) = overridden(py, scenario, runs, days, seed, fidelity)?;
    let mut all = Partial::empty(v.scenario.days);
    for text in &parts {
        let p: Partial =
            serde_json::from_str(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
        all.merge(&p)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
    }
    let have: Vec<u32> = all.runs.iter().map(|r| r.run).collect();
    if have != (0..v.scenario.runs).collect::<Vec<u32>>() {
        return Err(PyValueError::new_err(format!(
            "the parts hold {} of the {} runs",
            have.len(),
            v.scenario.runs
        )));
    }
    let outcome = all.finish(v.scenario.days);
    Ok(PyRun {
        v,
        outcome,
        steps: None,
        left_out,
    })
}

/// A full grid over 1 to 3 parameters (`flywheel sweep`): `axes` is a list of
/// (parameter, [values as text]). Returns columns: one per parameter (values as given), then
/// the medians of each cell.
#[pyfunction]
#[pyo3(signature = (scenario, axes, runs=None, days=None, seed=None, fidelity=None))]
fn sweep<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    axes: Vec<(String, Vec<String>)>,
    runs: Option<Bound<'_, PyAny>>,
    days: Option<Bound<'_, PyAny>>,
    seed: Option<Bound<'_, PyAny>>,
    fidelity: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let (runs, days, seed) = run_values(py, runs.as_ref(), days.as_ref(), seed.as_ref())?;
    let (parsed, cells) = sweep_grid(py, scenario, &axes, runs, days, seed, fidelity)?;
    let medians = py
        .detach(|| grid::run_grid(&cells, &|_, _| {}))
        .map_err(|e| FlywheelError::new_err(e.to_string()))?;
    let d = PyDict::new(py);
    for (k, a) in parsed.iter().enumerate() {
        let col: Vec<&str> = cells.iter().map(|c| c.values[k].as_str()).collect();
        d.set_item(a.name.as_str(), col)?;
    }
    let zk = |f: &dyn Fn(&grid::Medians) -> alloy_primitives::U256| -> Vec<f64> {
        medians.iter().map(|m| wei_to_tokens(f(m))).collect()
    };
    d.set_item("annual_burn_zk", zk(&|m| m.annual_burn))?;
    d.set_item("burned_zk", zk(&|m| m.burned))?;
    d.set_item("supply_end_zk", zk(&|m| m.supply_end))?;
    d.set_item("staking_rewards_zk", zk(&|m| m.staking_rewards))?;
    d.set_item("settlement_fees_zk", zk(&|m| m.settlement_fees))?;
    d.set_item("fixed_fees_zk", zk(&|m| m.fixed_fees))?;
    d.set_item("auction_paid_zk", zk(&|m| m.auction_paid))?;
    d.set_item(
        "calls",
        medians.iter().map(|m| m.calls).collect::<Vec<u64>>(),
    )?;
    d.set_item(
        "auction_claims",
        medians
            .iter()
            .map(|m| m.auction_claims)
            .collect::<Vec<u64>>(),
    )?;
    // Exact annual burn in wei, as text (beyond 64 bits).
    d.set_item(
        "annual_burn_wei",
        medians
            .iter()
            .map(|m| m.annual_burn.to_string())
            .collect::<Vec<String>>(),
    )?;
    Ok(d)
}

/// A sweep's axes parsed and its grid built on the overridden scenario: every cell set and
/// validated, none run. Shared by `sweep` and `sweep_check`.
fn sweep_grid(
    py: Python<'_>,
    scenario: &PyScenario,
    axes: &[(String, Vec<String>)],
    runs: Option<u32>,
    days: Option<u32>,
    seed: Option<u64>,
    fidelity: Option<&str>,
) -> PyResult<(Vec<Axis>, Vec<grid::Cell>)> {
    let base = overridden(py, scenario, runs, days, seed, fidelity)?
        .0
        .scenario;
    let mut parsed = Vec::with_capacity(axes.len());
    for (name, values) in axes {
        let a = Axis::parse(&format!("{name}={}", values.join(",")))
            .map_err(|e| scenario_err(py, &e))?;
        parsed.push(a);
    }
    let cells = grid::grid(&base, &parsed).map_err(|e| scenario_err(py, &e))?;
    Ok((parsed, cells))
}

/// A preset as listed: (name, description, days, runs, is default).
type PresetRow = (String, String, u32, u32, bool);

/// Checks a sweep's grid (every cell set and validated) without running it; returns the
/// number of cells. A distributed sweep calls it before sending any task.
#[pyfunction]
#[pyo3(signature = (scenario, axes, runs=None, days=None, seed=None, fidelity=None))]
fn sweep_check(
    py: Python<'_>,
    scenario: &PyScenario,
    axes: Vec<(String, Vec<String>)>,
    runs: Option<u32>,
    days: Option<u32>,
    seed: Option<u64>,
    fidelity: Option<&str>,
) -> PyResult<usize> {
    let (_, cells) = sweep_grid(py, scenario, &axes, runs, days, seed, fidelity)?;
    Ok(cells.len())
}

/// The built-in scenarios.
#[pyfunction]
fn presets_list(py: Python<'_>) -> PyResult<Vec<PresetRow>> {
    let mut out = Vec::new();
    for (name, _) in presets::PRESETS {
        let s = presets::preset(name).map_err(|e| scenario_err(py, &e))?;
        let default = s.name == presets::DEFAULT;
        out.push((s.name, s.description, s.days, s.runs, default));
    }
    Ok(out)
}

#[pymodule]
fn _flywheel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScenario>()?;
    m.add_class::<PyRun>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(run_part, m)?)?;
    m.add_function(wrap_pyfunction!(merge_parts, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_check, m)?)?;
    m.add_function(wrap_pyfunction!(presets_list, m)?)?;
    m.add("FlywheelError", m.py().get_type::<FlywheelError>())?;
    m.add(
        "ScenarioValueError",
        m.py().get_type::<ScenarioValueError>(),
    )?;
    m.add("BANDED", BANDED.to_vec())?;
    Ok(())
}
