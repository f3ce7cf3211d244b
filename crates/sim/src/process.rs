//! Stochastic processes: daily interop traffic and token prices, each advanced by a seeded
//! ChaCha stream so that a (scenario, seed, run) triple always draws the same path.

/// The limits on this module's keys, kept with every other limit of the crate.
pub use crate::scenario::limits::{
    MAX_DRIFT_PER_YEAR, MAX_GROWTH_PER_YEAR, MAX_VOLATILITY_PER_YEAR, MIN_GROWTH_PER_YEAR,
};
use crate::scenario::{
    range, read_limited, ScenarioError, MAX_CALLS_PER_DAY, MAX_CSV_BYTES, MAX_CSV_ROWS, MAX_DAYS,
    MAX_PRICE_USD, MAX_REGIMES, MIN_PRICE_USD,
};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

const DT: f64 = 1.0 / 365.0;

/// One regime of a regime-switching traffic process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Regime {
    /// Calls per day while in this regime.
    #[schemars(range(min = 0, max = MAX_CALLS_PER_DAY), extend("x-unit" = "calls/day", "x-step" = 1000, "x-source" = "assumption"))]
    pub calls_per_day: f64,
    /// Mean stay in days (each day the process moves on with probability 1/mean_days).
    #[schemars(range(min = 1, max = MAX_DAYS), extend("x-unit" = "days", "x-step" = 1, "x-source" = "assumption"))]
    pub mean_days: f64,
}

/// Total interop calls per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum TrafficModel {
    /// The same count every day.
    Constant {
        /// Calls per day.
        #[schemars(range(min = 0, max = MAX_CALLS_PER_DAY), extend("x-unit" = "calls/day", "x-step" = 1000, "x-source" = "assumption"))]
        calls_per_day: f64,
    },
    /// Deterministic compound growth.
    Growth {
        /// Calls on day 0.
        #[schemars(range(min = 0, max = MAX_CALLS_PER_DAY), extend("x-unit" = "calls/day", "x-step" = 1000, "x-source" = "assumption"))]
        calls_per_day: f64,
        /// Growth per year (0.5 = +50%/year).
        #[schemars(range(min = MIN_GROWTH_PER_YEAR, max = MAX_GROWTH_PER_YEAR), extend("x-unit" = "fraction/year", "x-step" = 0.05, "x-source" = "assumption"))]
        growth_per_year: f64,
    },
    /// Geometric Brownian motion of the daily rate.
    Gbm {
        /// Rate on day 0.
        #[schemars(range(min = 0, max = MAX_CALLS_PER_DAY), extend("x-unit" = "calls/day", "x-step" = 1000, "x-source" = "assumption"))]
        calls_per_day: f64,
        /// Drift per year.
        #[schemars(range(min = -MAX_DRIFT_PER_YEAR, max = MAX_DRIFT_PER_YEAR), extend("x-unit" = "fraction/year", "x-step" = 0.05, "x-source" = "assumption"))]
        drift_per_year: f64,
        /// Volatility per year.
        #[schemars(range(min = 0, max = MAX_VOLATILITY_PER_YEAR), extend("x-unit" = "fraction/√year", "x-step" = 0.05, "x-source" = "assumption"))]
        volatility_per_year: f64,
    },
    /// Poisson arrivals around a (growing) mean.
    Poisson {
        /// Mean on day 0.
        #[schemars(range(min = 0, max = MAX_CALLS_PER_DAY), extend("x-unit" = "calls/day", "x-step" = 1000, "x-source" = "assumption"))]
        calls_per_day: f64,
        /// Growth of the mean per year.
        #[serde(default)]
        #[schemars(range(min = MIN_GROWTH_PER_YEAR, max = MAX_GROWTH_PER_YEAR), extend("x-unit" = "fraction/year", "x-step" = 0.05, "x-source" = "assumption"))]
        growth_per_year: f64,
    },
    /// A Markov chain over regimes, visited in order.
    Regimes {
        /// The regimes (at least one).
        regimes: Vec<Regime>,
    },
    /// Observed daily counts from a CSV file (one count per line, optional header); the last
    /// value repeats past the end.
    Csv {
        /// File path (relative to the scenario file).
        #[schemars(extend("x-source" = "input file"))]
        path: String,
        /// Loaded values (filled by [`TrafficModel::load`]).
        #[serde(skip)]
        data: Option<Arc<Vec<f64>>>,
    },
}

/// A USD price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum PriceModel {
    /// Fixed.
    Constant {
        /// Price, USD.
        #[schemars(range(min = MIN_PRICE_USD, max = MAX_PRICE_USD), extend("x-unit" = "USD", "x-step" = 0.001, "x-source" = "assumption"))]
        initial_usd: f64,
    },
    /// Geometric Brownian motion.
    Gbm {
        /// Price on day 0, USD.
        #[schemars(range(min = MIN_PRICE_USD, max = MAX_PRICE_USD), extend("x-unit" = "USD", "x-step" = 0.001, "x-source" = "assumption"))]
        initial_usd: f64,
        /// Drift per year.
        #[schemars(range(min = -MAX_DRIFT_PER_YEAR, max = MAX_DRIFT_PER_YEAR), extend("x-unit" = "fraction/year", "x-step" = 0.05, "x-source" = "assumption"))]
        drift_per_year: f64,
        /// Volatility per year.
        #[schemars(range(min = 0, max = MAX_VOLATILITY_PER_YEAR), extend("x-unit" = "fraction/√year", "x-step" = 0.05, "x-source" = "assumption"))]
        volatility_per_year: f64,
    },
    /// Observed daily prices from a CSV file; the last value repeats past the end.
    Csv {
        /// File path (relative to the scenario file).
        #[schemars(extend("x-source" = "input file"))]
        path: String,
        /// Loaded values.
        #[serde(skip)]
        data: Option<Arc<Vec<f64>>>,
    },
}

/// The error of a CSV model whose file was never loaded.
fn not_loaded(key: &str) -> ScenarioError {
    ScenarioError::new(format!("{key}.path"), "the CSV file was not loaded")
}

/// Loads a CSV source into `data`, refusing any value `bad` describes.
fn load_into(
    data: &mut Option<Arc<Vec<f64>>>,
    key: &str,
    base: &Path,
    path: &str,
    bad: impl Fn(f64) -> Option<String>,
) -> Result<(), ScenarioError> {
    let key = format!("{key}.path");
    let full = base.join(path);
    let text = read_limited(&full, MAX_CSV_BYTES).map_err(|p| ScenarioError::new(&key, p))?;
    *data = Some(parse_csv(&key, &full.display().to_string(), &text, bad)?);
    Ok(())
}

/// Parses a CSV series: the last cell of each line is the day's value; blank lines are
/// skipped; a first line that is not a number is a header. At most [`MAX_CSV_ROWS`] lines and
/// [`MAX_CSV_BYTES`] bytes; values finite and ≥ 0, and refused where `bad` says why
/// ([`price_problem`], [`traffic_problem`]). `origin` names the file in errors, which quote
/// the line and the cell as written.
pub fn parse_csv(
    key: &str,
    origin: &str,
    text: &str,
    bad: impl Fn(f64) -> Option<String>,
) -> Result<Arc<Vec<f64>>, ScenarioError> {
    if text.len() as u64 > MAX_CSV_BYTES {
        return Err(ScenarioError::new(
            key,
            format!("{origin} is larger than the {MAX_CSV_BYTES}-byte limit"),
        ));
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i >= MAX_CSV_ROWS {
            return Err(ScenarioError::new(
                key,
                format!(
                    "{origin}: more than {MAX_CSV_ROWS} lines (a header and one value per day of the longest horizon)"
                ),
            ));
        }
        let cell = line.split(',').next_back().unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let at =
            |problem: String| ScenarioError::new(key, format!("{origin}:{}: {problem}", i + 1));
        match cell.parse::<f64>() {
            Ok(v) if !v.is_finite() || v < 0.0 => {
                return Err(at(format!("value {} must be finite and >= 0", quote(cell))))
            }
            Ok(v) => match bad(v) {
                Some(problem) => return Err(at(format!("value {}: {problem}", quote(cell)))),
                None => out.push(v),
            },
            Err(_) if i == 0 => {} // header
            Err(_) => return Err(at(format!("`{}` is not a number", quote(cell)))),
        }
    }
    if out.is_empty() {
        return Err(ScenarioError::new(key, format!("{origin} holds no values")));
    }
    Ok(Arc::new(out))
}

/// At most 40 characters of a cell, for an error message.
fn quote(cell: &str) -> String {
    if cell.chars().count() > 40 {
        let mut short: String = cell.chars().take(40).collect();
        short.push('…');
        short
    } else {
        cell.to_string()
    }
}

fn csv_at(data: &Option<Arc<Vec<f64>>>, day: u32) -> f64 {
    data.as_ref()
        .and_then(|d| d.get(day as usize).or_else(|| d.last()).copied())
        .unwrap_or(0.0)
}

impl TrafficModel {
    pub(crate) fn validate(&self, key: &str) -> Result<(), ScenarioError> {
        let rate = |k: &str, v: f64| range(&format!("{key}.{k}"), v, 0.0, MAX_CALLS_PER_DAY);
        match self {
            Self::Constant { calls_per_day } => rate("calls_per_day", *calls_per_day),
            Self::Growth {
                calls_per_day,
                growth_per_year,
            }
            | Self::Poisson {
                calls_per_day,
                growth_per_year,
            } => {
                rate("calls_per_day", *calls_per_day)?;
                range(
                    &format!("{key}.growth_per_year"),
                    *growth_per_year,
                    MIN_GROWTH_PER_YEAR,
                    MAX_GROWTH_PER_YEAR,
                )
            }
            Self::Gbm {
                calls_per_day,
                drift_per_year,
                volatility_per_year,
            } => {
                rate("calls_per_day", *calls_per_day)?;
                range(
                    &format!("{key}.drift_per_year"),
                    *drift_per_year,
                    -MAX_DRIFT_PER_YEAR,
                    MAX_DRIFT_PER_YEAR,
                )?;
                range(
                    &format!("{key}.volatility_per_year"),
                    *volatility_per_year,
                    0.0,
                    MAX_VOLATILITY_PER_YEAR,
                )
            }
            Self::Regimes { regimes } => {
                if regimes.is_empty() {
                    return Err(ScenarioError::new(
                        format!("{key}.regimes"),
                        "at least one regime is needed",
                    ));
                }
                if regimes.len() > MAX_REGIMES {
                    return Err(ScenarioError::new(
                        format!("{key}.regimes"),
                        format!("at most {MAX_REGIMES} regimes, got {}", regimes.len()),
                    ));
                }
                for (i, r) in regimes.iter().enumerate() {
                    rate(&format!("regimes[{i}].calls_per_day"), r.calls_per_day)?;
                    range(
                        &format!("{key}.regimes[{i}].mean_days"),
                        r.mean_days,
                        1.0,
                        f64::from(MAX_DAYS),
                    )?;
                }
                Ok(())
            }
            Self::Csv { data: None, .. } => Err(not_loaded(key)),
            Self::Csv { .. } => Ok(()),
        }
    }

    /// Reads a CSV source (paths relative to `base`); other models are unchanged.
    pub fn load(&mut self, key: &str, base: &Path) -> Result<(), ScenarioError> {
        if let Self::Csv { path, data } = self {
            load_into(data, key, base, path, traffic_problem)?;
        }
        Ok(())
    }
}

impl PriceModel {
    pub(crate) fn validate(&self, key: &str) -> Result<(), ScenarioError> {
        match self {
            Self::Constant { initial_usd } => range(
                &format!("{key}.initial_usd"),
                *initial_usd,
                MIN_PRICE_USD,
                MAX_PRICE_USD,
            ),
            Self::Gbm {
                initial_usd,
                drift_per_year,
                volatility_per_year,
            } => {
                range(
                    &format!("{key}.initial_usd"),
                    *initial_usd,
                    MIN_PRICE_USD,
                    MAX_PRICE_USD,
                )?;
                range(
                    &format!("{key}.drift_per_year"),
                    *drift_per_year,
                    -MAX_DRIFT_PER_YEAR,
                    MAX_DRIFT_PER_YEAR,
                )?;
                range(
                    &format!("{key}.volatility_per_year"),
                    *volatility_per_year,
                    0.0,
                    MAX_VOLATILITY_PER_YEAR,
                )
            }
            Self::Csv { data: None, .. } => Err(not_loaded(key)),
            Self::Csv { .. } => Ok(()),
        }
    }

    /// Reads a CSV source (paths relative to `base`); other models are unchanged. Prices
    /// must lie in [[`MIN_PRICE_USD`], [`MAX_PRICE_USD`]], as the other price models' do.
    pub fn load(&mut self, key: &str, base: &Path) -> Result<(), ScenarioError> {
        if let Self::Csv { path, data } = self {
            load_into(data, key, base, path, price_problem)?;
        }
        Ok(())
    }
}

/// Why a CSV price cannot be used, if it cannot.
pub fn price_problem(v: f64) -> Option<String> {
    (!(MIN_PRICE_USD..=MAX_PRICE_USD).contains(&v)).then(|| {
        format!(
            "a price must lie in [{MIN_PRICE_USD}, {MAX_PRICE_USD}] USD, as in every price model"
        )
    })
}

/// Why a CSV traffic count cannot be used, if it cannot.
pub fn traffic_problem(v: f64) -> Option<String> {
    (v > MAX_CALLS_PER_DAY)
        .then(|| format!("a count must be at most {MAX_CALLS_PER_DAY} calls a day"))
}

/// A traffic path being drawn.
#[derive(Debug, Clone)]
pub struct TrafficPath {
    model: TrafficModel,
    level: f64,
    regime: usize,
    day: u32,
}

impl TrafficPath {
    /// Starts the path on day 0.
    pub fn new(model: &TrafficModel) -> Self {
        let level = match model {
            TrafficModel::Constant { calls_per_day }
            | TrafficModel::Growth { calls_per_day, .. }
            | TrafficModel::Gbm { calls_per_day, .. }
            | TrafficModel::Poisson { calls_per_day, .. } => *calls_per_day,
            TrafficModel::Regimes { regimes } => regimes.first().map_or(0.0, |r| r.calls_per_day),
            TrafficModel::Csv { .. } => 0.0,
        };
        Self {
            model: model.clone(),
            level,
            regime: 0,
            day: 0,
        }
    }

    /// Calls on the current day; advances to the next.
    pub fn next(&mut self, rng: &mut ChaCha8Rng) -> u64 {
        let t = f64::from(self.day);
        let calls = match &self.model {
            TrafficModel::Constant { calls_per_day } => *calls_per_day,
            TrafficModel::Growth {
                calls_per_day,
                growth_per_year,
            } => calls_per_day * (1.0 + growth_per_year).powf(t * DT),
            TrafficModel::Gbm {
                drift_per_year,
                volatility_per_year,
                ..
            } => {
                let now = self.level;
                let z: f64 = StandardNormal.sample(rng);
                let (mu, s) = (*drift_per_year, *volatility_per_year);
                self.level = (now * ((mu - 0.5 * s * s) * DT + s * DT.sqrt() * z).exp())
                    .min(MAX_CALLS_PER_DAY);
                now
            }
            TrafficModel::Poisson {
                calls_per_day,
                growth_per_year,
            } => {
                let mean = calls_per_day * (1.0 + growth_per_year).powf(t * DT);
                if mean > 0.0 {
                    Poisson::new(mean).map(|p| p.sample(rng)).unwrap_or(mean)
                } else {
                    0.0
                }
            }
            TrafficModel::Regimes { regimes } => {
                let r = &regimes[self.regime % regimes.len()];
                let now = r.calls_per_day;
                if rng.random::<f64>() < 1.0 / r.mean_days {
                    self.regime = (self.regime + 1) % regimes.len();
                }
                now
            }
            TrafficModel::Csv { data, .. } => csv_at(data, self.day),
        };
        self.day += 1;
        calls.round().clamp(0.0, MAX_CALLS_PER_DAY) as u64
    }
}

/// A price path being drawn.
#[derive(Debug, Clone)]
pub struct PricePath {
    model: PriceModel,
    price: f64,
    day: u32,
}

impl PricePath {
    /// Starts the path on day 0.
    pub fn new(model: &PriceModel) -> Self {
        let price = match model {
            PriceModel::Constant { initial_usd } | PriceModel::Gbm { initial_usd, .. } => {
                *initial_usd
            }
            PriceModel::Csv { data, .. } => csv_at(data, 0),
        };
        Self {
            model: model.clone(),
            price,
            day: 0,
        }
    }

    /// Price on the current day, without advancing.
    pub fn current(&self) -> f64 {
        self.price
    }

    /// Price on the current day; advances to the next.
    pub fn next(&mut self, rng: &mut ChaCha8Rng) -> f64 {
        let now = match &self.model {
            PriceModel::Constant { initial_usd } => *initial_usd,
            PriceModel::Gbm {
                drift_per_year,
                volatility_per_year,
                ..
            } => {
                let now = self.price;
                let z: f64 = StandardNormal.sample(rng);
                let (mu, s) = (*drift_per_year, *volatility_per_year);
                self.price = (now * ((mu - 0.5 * s * s) * DT + s * DT.sqrt() * z).exp())
                    .clamp(MIN_PRICE_USD, MAX_PRICE_USD);
                now
            }
            PriceModel::Csv { data, .. } => csv_at(data, self.day),
        };
        self.day += 1;
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn csv_series_are_bounded_and_checked() {
        let ok = parse_csv("k", "f.csv", "day,price\n0,1.5\n\n1,2\n", price_problem).unwrap();
        assert_eq!(*ok, vec![1.5, 2.0]);
        let e = parse_csv("k", "f.csv", "1e300\n", price_problem).unwrap_err();
        assert!(
            e.problem.contains("f.csv:1") && e.problem.contains("1e300"),
            "{e}"
        );
        assert!(e.problem.contains("[0.000000000001, 1000000000000]"), "{e}");
        let e = parse_csv("k", "f.csv", "0\n", price_problem).unwrap_err();
        assert!(e.problem.contains("price"), "{e}");
        let e = parse_csv("k", "f.csv", "2e12\n", traffic_problem).unwrap_err();
        assert!(e.problem.contains("at most"), "{e}");
        let e = parse_csv("k", "f.csv", "h\n1\nx\n", traffic_problem).unwrap_err();
        assert!(
            e.problem.contains("f.csv:3") && e.problem.contains("`x`"),
            "{e}"
        );
        let e = parse_csv("k", "f.csv", "1\n-1\n", traffic_problem).unwrap_err();
        assert!(e.problem.contains("f.csv:2"), "{e}");
        let e = parse_csv("k", "f.csv", "header only\n", traffic_problem).unwrap_err();
        assert!(e.problem.contains("no values"), "{e}");
        let rows = "1\n".repeat(MAX_CSV_ROWS + 1);
        let e = parse_csv("k", "f.csv", &rows, traffic_problem).unwrap_err();
        assert!(e.problem.contains("more than"), "{e}");
        assert!(parse_csv("k", "f.csv", &"1\n".repeat(MAX_CSV_ROWS), traffic_problem).is_ok());
        let big = " ".repeat(MAX_CSV_BYTES as usize + 1);
        let e = parse_csv("k", "f.csv", &big, traffic_problem).unwrap_err();
        assert!(e.problem.contains("byte limit"), "{e}");
    }

    fn draw(model: &TrafficModel, seed: u64, days: usize) -> Vec<u64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut p = TrafficPath::new(model);
        (0..days).map(|_| p.next(&mut rng)).collect()
    }

    #[test]
    fn deterministic_models() {
        assert_eq!(
            draw(
                &TrafficModel::Constant {
                    calls_per_day: 5000.0
                },
                1,
                3
            ),
            vec![5000; 3]
        );
        let g = draw(
            &TrafficModel::Growth {
                calls_per_day: 1000.0,
                growth_per_year: 1.0,
            },
            1,
            366,
        );
        assert_eq!(g[0], 1000);
        assert_eq!(g[365], 2000, "doubles in a year");
    }

    #[test]
    fn stochastic_models_are_reproducible_by_seed() {
        let m = TrafficModel::Gbm {
            calls_per_day: 50_000.0,
            drift_per_year: 0.2,
            volatility_per_year: 0.8,
        };
        assert_eq!(draw(&m, 7, 100), draw(&m, 7, 100));
        assert_ne!(draw(&m, 7, 100), draw(&m, 8, 100));
        let p = TrafficModel::Poisson {
            calls_per_day: 100.0,
            growth_per_year: 0.0,
        };
        let v = draw(&p, 3, 2000);
        let mean = v.iter().sum::<u64>() as f64 / v.len() as f64;
        assert!((mean - 100.0).abs() < 2.0, "Poisson mean {mean}");
    }

    #[test]
    fn regimes_switch() {
        let m = TrafficModel::Regimes {
            regimes: vec![
                Regime {
                    calls_per_day: 10.0,
                    mean_days: 5.0,
                },
                Regime {
                    calls_per_day: 1000.0,
                    mean_days: 5.0,
                },
            ],
        };
        let v = draw(&m, 1, 200);
        assert!(v.contains(&10) && v.contains(&1000));
    }

    #[test]
    fn gbm_price_stays_positive_and_constant_is_constant() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut p = PricePath::new(&PriceModel::Gbm {
            initial_usd: 0.01454,
            drift_per_year: 0.0,
            volatility_per_year: 2.0,
        });
        assert_eq!(p.next(&mut rng), 0.01454);
        assert!((0..1000).all(|_| p.next(&mut rng) > 0.0));
        let mut c = PricePath::new(&PriceModel::Constant { initial_usd: 3.0 });
        assert_eq!(c.next(&mut rng), 3.0);
    }

    #[test]
    fn csv_loading_reports_the_line() {
        let dir = std::env::temp_dir().join(format!("flywheel-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ok.csv"), "day,calls\n0,10\n1,20\n").unwrap();
        std::fs::write(dir.join("bad.csv"), "calls\n10\nabc\n").unwrap();
        let mut ok = TrafficModel::Csv {
            path: "ok.csv".into(),
            data: None,
        };
        ok.load("traffic", &dir).unwrap();
        assert_eq!(draw(&ok, 0, 4), vec![10, 20, 20, 20]);
        let mut bad = TrafficModel::Csv {
            path: "bad.csv".into(),
            data: None,
        };
        let err = bad.load("traffic", &dir).unwrap_err();
        assert!(err.problem.contains(":3:"), "{err}");
        let mut missing = TrafficModel::Csv {
            path: "nope.csv".into(),
            data: None,
        };
        assert!(missing.load("traffic", &dir).is_err());
    }
}
