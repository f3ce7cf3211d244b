//! What every simulation command shares: choosing a scenario (a preset or a file), the flags
//! that override its values, and a progress bar that appears only for people.

use crate::error::CliError;
use crate::limits;
use clap::Args;
use flywheel_sim::presets;
use flywheel_sim::scenario::{Fidelity, Scenario, ScenarioError, Validated};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Which scenario to run.
#[derive(Debug, Clone, Args)]
pub struct Source {
    /// A built-in scenario (`flywheel presets` lists them) [default: v31-baseline].
    #[arg(long, value_name = "NAME", conflicts_with = "scenario")]
    pub preset: Option<String>,
    /// A scenario TOML file; CSV sources it names load relative to it.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

/// Values that replace the scenario's own before it is validated.
#[derive(Debug, Clone, Args)]
pub struct Overrides {
    /// Horizon in days.
    #[arg(long, value_name = "N", allow_negative_numbers = true, help = limits::days_help(),
          value_parser = limits::whole::<u32>(1, limits::MAX_DAYS.into()))]
    pub days: Option<u32>,
    /// Monte Carlo paths.
    #[arg(long, value_name = "N", allow_negative_numbers = true, help = limits::runs_help(),
          value_parser = limits::whole::<u32>(1, limits::MAX_RUNS.into()))]
    pub runs: Option<u32>,
    /// Base seed (run i draws from a stream derived from seed and i).
    #[arg(long, value_name = "N", allow_negative_numbers = true, help = limits::seed_help(),
          value_parser = limits::whole::<u64>(0, u64::MAX))]
    pub seed: Option<u64>,
    /// Flow (aggregate fee arithmetic, fast) or event (every bundle through the protocol).
    #[arg(long, value_name = "MODE", value_parser = ["flow", "event"])]
    pub fidelity: Option<String>,
}

/// A loaded scenario and where it came from (for error messages).
pub struct Loaded {
    /// The scenario, overrides applied, not yet validated.
    pub scenario: Scenario,
    /// The file path, or empty for a preset.
    pub origin: String,
    overridden: Vec<(&'static str, &'static str)>,
    /// What a shorter `--days` left out: (key, day).
    left_out: Vec<(String, u32)>,
}

impl Loaded {
    /// A line saying what a shorter `--days` left out of the scenario, if anything.
    pub fn horizon_note(&self) -> Option<String> {
        if self.left_out.is_empty() {
            return None;
        }
        let items: Vec<String> = self
            .left_out
            .iter()
            .map(|(k, day)| format!("{k} (day {day})"))
            .collect();
        Some(format!(
            "--days {} leaves out what the scenario schedules from that day on: {}",
            self.scenario.days,
            items.join(", ")
        ))
    }

    /// Validates, naming the flag when an overridden value is the one out of range.
    pub fn validate(&self) -> Result<Validated, CliError> {
        self.scenario.clone().validate().map_err(|e| self.error(e))
    }

    /// Turns a scenario error into a CLI error naming the flag or the file.
    pub fn error(&self, e: ScenarioError) -> CliError {
        if let Some((_, flag)) = self.overridden.iter().find(|(k, _)| *k == e.key) {
            return CliError::field(*flag, e.problem);
        }
        CliError::Scenario {
            origin: self.origin.clone(),
            source: e,
        }
    }
}

/// Loads the chosen scenario and applies the overrides.
pub fn load(source: &Source, o: &Overrides) -> Result<Loaded, CliError> {
    let (mut scenario, origin) = match &source.scenario {
        Some(path) => {
            let origin = path.display().to_string();
            let s = Scenario::from_file(path).map_err(|e| {
                if e.key == "(file)" {
                    CliError::field("--scenario", e.problem)
                } else {
                    CliError::Scenario {
                        origin: origin.clone(),
                        source: e,
                    }
                }
            })?;
            (s, origin)
        }
        None => {
            let name = source.preset.as_deref().unwrap_or(presets::DEFAULT);
            let s = presets::preset(name).map_err(|e| CliError::field("--preset", e.problem))?;
            (s, String::new())
        }
    };
    let mut overridden = Vec::new();
    let mut left_out = Vec::new();
    if let Some(d) = o.days {
        left_out = scenario.set_horizon(d);
        overridden.push(("days", "--days"));
    }
    if let Some(r) = o.runs {
        scenario.runs = r;
        overridden.push(("runs", "--runs"));
    }
    if let Some(s) = o.seed {
        scenario.seed = s;
    }
    if let Some(f) = &o.fidelity {
        scenario.fidelity = f
            .parse::<Fidelity>()
            .map_err(|e| CliError::field("--fidelity", e.problem))?;
    }
    Ok(Loaded {
        scenario,
        origin,
        overridden,
        left_out,
    })
}

/// The fidelity's name as in files.
pub fn fidelity_name(f: Fidelity) -> &'static str {
    match f {
        Fidelity::Flow => "flow",
        Fidelity::Event => "event",
    }
}

/// Path-steps below which no bar is drawn (a flow run this size takes well under a second).
const BAR_MIN_WORK: u64 = 2_000_000;

/// Path-steps a run of `runs` × `days` costs, weighting event days as a thousand flow days.
pub fn work(runs: u32, days: u32, fidelity: Fidelity) -> u64 {
    let w = u64::from(runs) * u64::from(days);
    match fidelity {
        Fidelity::Flow => w,
        Fidelity::Event => w.saturating_mul(1000),
    }
}

/// A progress bar on stderr, only when stderr is a terminal and the job is large: pipes and
/// logs never see control characters.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar counting to `len` (runs, cells) for a job of `work` path-steps.
    pub fn new(len: u64, work: u64, what: &str) -> Self {
        if !std::io::stderr().is_terminal() || work < BAR_MIN_WORK {
            return Self(None);
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let template =
            format!("{{spinner}} {what} {{bar:40}} {{pos}}/{{len}} [{{elapsed}} < {{eta}}]");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Self(Some(bar))
    }

    /// Sets how many are done.
    pub fn set(&self, done: u64) {
        if let Some(b) = &self.0 {
            b.set_position(done);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
