//! From what a front end is given to a scenario ready to validate: a base (a preset, a file,
//! TOML text, a JSON document, or a scenario in hand), then the horizon, dotted overrides,
//! and the run-time values (runs, seed, fidelity). The CLI, the server and the Python package
//! all resolve through [`resolve`], so an input is accepted or refused the same way by each,
//! with the same [`ScenarioError`] (its `key` names the input at fault), and what a shorter
//! horizon leaves out is reported, never silently dropped.
//!
//! Dotted keys name a table member by name and an array element by its index, written either
//! way: `staking.seasons.0.cap` or `staking.seasons[0].cap`. Overrides go through the scenario
//! reader (TOML), so a wrong type or an unknown key is an error naming the key.

use crate::presets;
use crate::scenario::{Fidelity, Scenario, ScenarioError, Validated};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Where a scenario starts from.
#[derive(Debug, Clone)]
pub enum Base {
    /// A built-in scenario by name (errors keyed `preset`).
    Preset(String),
    /// A scenario TOML file; CSV sources load relative to its folder (errors keyed `(file)`
    /// when it cannot be read).
    File(PathBuf),
    /// Scenario TOML text; CSV sources load from `base` when given, and are refused otherwise
    /// (a server reads no file on its own disk).
    Toml {
        /// The text.
        text: String,
        /// Where CSV sources load from.
        base: Option<PathBuf>,
    },
    /// A scenario as a JSON document (the schema's shape), read as TOML would be.
    Json {
        /// The document.
        value: Value,
        /// Where CSV sources load from.
        base: Option<PathBuf>,
    },
    /// A scenario already read (CSV sources, if any, loaded from `base`).
    Scenario {
        /// The scenario (boxed: it is far larger than the other bases).
        scenario: Box<Scenario>,
        /// Where its CSV sources load from.
        base: Option<PathBuf>,
    },
}

/// Everything that makes a scenario: a base, then changes applied in this order: the horizon
/// (`days`), the dotted overrides (`set`, in order), then `runs`, `seed` and `fidelity`.
#[derive(Debug, Clone)]
pub struct Request {
    /// The base.
    pub base: Base,
    /// Horizon in days; a shorter one leaves out what is scheduled from that day on.
    pub days: Option<u32>,
    /// Dotted keys to set, with their values.
    pub set: Vec<(String, Value)>,
    /// Monte Carlo paths.
    pub runs: Option<u32>,
    /// Base seed.
    pub seed: Option<u64>,
    /// `flow` or `event`.
    pub fidelity: Option<String>,
}

impl Request {
    /// A request for `base` unchanged.
    pub fn new(base: Base) -> Self {
        Self {
            base,
            days: None,
            set: Vec::new(),
            runs: None,
            seed: None,
            fidelity: None,
        }
    }
}

/// Something scheduled that a shorter horizon left out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeftOut {
    /// The scenario entry (`governance.changes[2]`, `staking.seasons[1]`).
    pub key: String,
    /// The day it was scheduled for.
    pub day: u32,
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (day {})", self.key, self.day)
    }
}

/// A resolved scenario, not yet validated.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The scenario, every change applied.
    pub scenario: Scenario,
    /// Where its CSV sources load from, if anywhere.
    pub base: Option<PathBuf>,
    /// What the horizon left out, in scenario order.
    pub left_out: Vec<LeftOut>,
}

impl Resolved {
    /// Validates a copy of the scenario.
    pub fn validate(&self) -> Result<Validated, ScenarioError> {
        self.scenario.clone().validate()
    }

    /// What the horizon left out, as one sentence (`--days N leaves out …` in the CLI's
    /// words), if anything.
    pub fn horizon_note(&self) -> Option<String> {
        horizon_note(self.scenario.days, &self.left_out)
    }
}

/// What a horizon of `days` left out, as one sentence, if anything.
pub fn horizon_note(days: u32, left_out: &[LeftOut]) -> Option<String> {
    if left_out.is_empty() {
        return None;
    }
    let items: Vec<String> = left_out.iter().map(ToString::to_string).collect();
    Some(format!(
        "--days {days} leaves out what the scenario schedules from that day on: {}",
        items.join(", ")
    ))
}

/// Resolves `r`; see the module docs. The two steps are [`read_base`] and [`apply`], for a
/// front end that words the base's errors apart from the changes'.
pub fn resolve(r: &Request) -> Result<Resolved, ScenarioError> {
    let (scenario, base) = read_base(&r.base)?;
    apply(scenario, base, r)
}

/// Reads the base: the scenario and where its CSV sources load from.
pub fn read_base(base: &Base) -> Result<(Scenario, Option<PathBuf>), ScenarioError> {
    Ok(match base {
        Base::Preset(name) => (presets::preset(name)?, None),
        Base::File(path) => {
            let s = Scenario::from_file(path)?;
            let folder = path
                .parent()
                .map(|p| {
                    if p.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        p.to_path_buf()
                    }
                })
                .unwrap_or_else(|| PathBuf::from("."));
            (s, Some(folder))
        }
        Base::Toml { text, base } => {
            let mut s = Scenario::from_toml(text)?;
            if let Some(b) = base {
                s.load_files(b)?;
            }
            (s, base.clone())
        }
        Base::Json { value, base } => (from_json(value, base.as_ref())?, base.clone()),
        Base::Scenario { scenario, base } => ((**scenario).clone(), base.clone()),
    })
}

/// Applies `r`'s changes (not its base) to `scenario`, whose CSV sources load from `base`.
pub fn apply(
    mut scenario: Scenario,
    base: Option<PathBuf>,
    r: &Request,
) -> Result<Resolved, ScenarioError> {
    let mut left_out = Vec::new();
    if let Some(d) = r.days {
        left_out = scenario
            .set_horizon(d)
            .into_iter()
            .map(|(key, day)| LeftOut { key, day })
            .collect();
    }
    if !r.set.is_empty() {
        let mut value = serde_json::to_value(&scenario)
            .map_err(|e| ScenarioError::new("scenario", e.to_string()))?;
        for (key, v) in &r.set {
            set_dotted(&mut value, key, v.clone())?;
        }
        scenario = from_json(&value, base.as_ref())?;
    }
    if let Some(n) = r.runs {
        scenario.runs = n;
    }
    if let Some(s) = r.seed {
        scenario.seed = s;
    }
    if let Some(f) = &r.fidelity {
        scenario.fidelity = f
            .parse::<Fidelity>()
            .map_err(|e| ScenarioError::new("fidelity", e.problem))?;
    }
    Ok(Resolved {
        scenario,
        base,
        left_out,
    })
}

/// A JSON scenario through the TOML reader: strict (unknown keys and wrong types are errors
/// naming the key); CSV sources load from `base` when given.
pub fn from_json(value: &Value, base: Option<&PathBuf>) -> Result<Scenario, ScenarioError> {
    let mut value = value.clone();
    // TOML has no null: an absent optional value is simply left out.
    crate::schema::strip_nulls(&mut value);
    if !value.is_object() {
        return Err(ScenarioError::new("scenario", "must be an object"));
    }
    let text = toml::to_string(&value).map_err(|e| {
        ScenarioError::new("scenario", format!("not representable as a scenario: {e}"))
    })?;
    let mut s = Scenario::from_toml(&text)?;
    if let Some(b) = base {
        s.load_files(b)?;
    }
    Ok(s)
}

/// The parts of a dotted key, `a[1].b` read as `a.1.b`.
fn parts(key: &str) -> Vec<String> {
    key.replace('[', ".")
        .replace(']', "")
        .split('.')
        .map(str::to_string)
        .collect()
}

/// Sets a dotted key in a scenario's JSON: tables by name (created when missing), arrays by
/// an index that must exist. Errors are keyed by `key` as given.
pub fn set_dotted(root: &mut Value, key: &str, value: Value) -> Result<(), ScenarioError> {
    let bad = |problem: String| ScenarioError::new(key, problem);
    let wellformed = {
        // `a[1]` must close its bracket and hold digits; `a]` or `a[` are malformed.
        let mut ok = true;
        let mut open = false;
        for c in key.chars() {
            match c {
                '[' if !open => open = true,
                ']' if open => open = false,
                '[' | ']' => ok = false,
                c if open && !c.is_ascii_digit() => ok = false,
                _ => {}
            }
        }
        ok && !open
    };
    let parts = parts(key);
    if !wellformed || parts.iter().any(String::is_empty) {
        return Err(bad("empty part in the dotted key".into()));
    }
    let mut node = root;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let path = || parts[..i].join(".");
        node = match node {
            Value::Array(a) => {
                let idx: usize = part
                    .parse()
                    .map_err(|_| bad(format!("`{}` is a list: index it by number", path())))?;
                let len = a.len();
                let slot = a
                    .get_mut(idx)
                    .ok_or_else(|| bad(format!("`{}` has {len} entries", path())))?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                slot
            }
            Value::Object(m) => {
                if last {
                    m.insert(part.clone(), value);
                    return Ok(());
                }
                m.entry(part.clone())
                    .or_insert_with(|| Value::Object(Map::new()))
            }
            _ => return Err(bad(format!("`{}` is not a table", path()))),
        };
    }
    Ok(())
}

/// The value at a dotted key (`a.b`, `a[1].b` or `a.1.b`) of a JSON document, if any.
pub fn lookup<'a>(root: &'a Value, key: &str) -> Option<&'a Value> {
    let mut node = root;
    for part in parts(key) {
        node = match (node, part.parse::<usize>()) {
            (Value::Array(a), Ok(i)) => a.get(i)?,
            _ => node.get(part.as_str())?,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_set(base: Base, set: &[(&str, Value)]) -> Result<Resolved, ScenarioError> {
        let mut r = Request::new(base);
        r.set = set
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        resolve(&r)
    }

    fn preset() -> Base {
        Base::Preset("v31-baseline".into())
    }

    #[test]
    fn array_elements_are_set_by_index_written_either_way() {
        for key in ["staking.seasons.1.cap", "staking.seasons[1].cap"] {
            let r = with_set(preset(), &[(key, json!("1 ZK"))]).expect(key);
            assert_eq!(r.scenario.staking.seasons[1].cap, "1 ZK", "{key}");
            r.validate().expect("valid");
        }
        let a = with_set(preset(), &[("staking.seasons.1.cap", json!("7 ZK"))]).expect("dots");
        let b = with_set(preset(), &[("staking.seasons[1].cap", json!("7 ZK"))]).expect("index");
        assert_eq!(a.scenario, b.scenario);
    }

    #[test]
    fn refusals_name_the_key_as_given() {
        for (key, value, problem) in [
            ("staking.seasons.9.cap", json!("1 ZK"), "has"),
            ("staking.seasons[9].cap", json!("1 ZK"), "has"),
            ("staking.seasons.x.cap", json!("1 ZK"), "index it by number"),
            ("protocol..burn_bps", json!(1), "empty part"),
            ("protocol.burn_bps[", json!(1), "empty part"),
            ("name.x", json!(1), "not a table"),
        ] {
            let e = with_set(preset(), &[(key, value)]).expect_err(key);
            assert_eq!(e.key, key);
            assert!(e.problem.contains(problem), "{key}: {}", e.problem);
        }
        // Through the reader: an unknown key or a wrong type names the key.
        let e = with_set(preset(), &[("protocol.nope", json!(1))]).expect_err("unknown");
        assert!(e.key.starts_with("protocol"), "{e:?}");
        // Through validation: the value out of range.
        let r = with_set(preset(), &[("protocol.burn_bps", json!(20000))]).expect("reads");
        assert_eq!(r.validate().expect_err("range").key, "protocol.burn_bps");
    }

    #[test]
    fn run_time_values_and_the_base_are_checked_with_their_keys() {
        let e = resolve(&Request::new(Base::Preset("nope".into()))).expect_err("preset");
        assert_eq!(e.key, "preset");
        let mut r = Request::new(preset());
        r.fidelity = Some("fast".into());
        assert_eq!(resolve(&r).expect_err("fidelity").key, "fidelity");
        r.fidelity = Some("event".into());
        r.runs = Some(3);
        r.seed = Some(9);
        let s = resolve(&r).expect("resolves").scenario;
        assert_eq!((s.fidelity, s.runs, s.seed), (Fidelity::Event, 3, 9));
        let e = resolve(&Request::new(Base::Json {
            value: json!([1]),
            base: None,
        }))
        .expect_err("not an object");
        assert_eq!(e.key, "scenario");
    }

    #[test]
    fn a_shorter_horizon_reports_what_it_leaves_out() {
        let base = Base::Toml {
            text: "name = \"t\"\ndays = 100\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 10\n[staking]\nenabled = true\nseasons = [{ cap = \"1 ZK\", start_day = 0, days = 10 }, { cap = \"1 ZK\", start_day = 50, days = 10 }]\n".into(),
            base: None,
        };
        let mut r = Request::new(base);
        r.days = Some(40);
        let got = resolve(&r).expect("resolves");
        assert_eq!(
            got.left_out,
            vec![LeftOut {
                key: "staking.seasons[1]".into(),
                day: 50
            }]
        );
        assert_eq!(
            got.horizon_note().as_deref(),
            Some("--days 40 leaves out what the scenario schedules from that day on: staking.seasons[1] (day 50)")
        );
        r.days = Some(60);
        assert!(resolve(&r).expect("resolves").left_out.is_empty());
    }

    #[test]
    fn lookup_reads_either_spelling() {
        let v = json!({"a": [{"b": 1}, {"b": 2}]});
        assert_eq!(lookup(&v, "a.1.b"), Some(&json!(2)));
        assert_eq!(lookup(&v, "a[1].b"), Some(&json!(2)));
        assert_eq!(lookup(&v, "a[2].b"), None);
    }
}
