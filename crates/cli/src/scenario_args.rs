//! What every simulation command shares: choosing a scenario (a preset or a file), the flags
//! that override its values, and a progress bar that appears only for people.

use crate::error::CliError;
use crate::limits;
use clap::Args;
use flywheel_sim::monte_carlo::{simulate, Options, Progress as SimProgress};
use flywheel_sim::presets;
use flywheel_sim::resolve::{self, Base, LeftOut, Request};
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
    /// What a shorter `--days` left out.
    pub left_out: Vec<LeftOut>,
}

impl Loaded {
    /// A line saying what a shorter `--days` left out of the scenario, if anything.
    pub fn horizon_note(&self) -> Option<String> {
        resolve::horizon_note(self.scenario.days, &self.left_out)
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

/// Loads the chosen scenario and applies the overrides, through the sim's resolver (as the
/// server and the Python package do); errors name the flag or the file.
pub fn load(source: &Source, o: &Overrides) -> Result<Loaded, CliError> {
    let (base, origin) = match &source.scenario {
        Some(path) => (Base::File(path.clone()), path.display().to_string()),
        None => (
            Base::Preset(source.preset.as_deref().unwrap_or(presets::DEFAULT).into()),
            String::new(),
        ),
    };
    let (scenario, folder) = resolve::read_base(&base).map_err(|e| match &base {
        Base::File(_) if e.key == "(file)" => CliError::field("--scenario", e.problem),
        Base::File(_) => CliError::Scenario {
            origin: origin.clone(),
            source: e,
        },
        _ => CliError::field("--preset", e.problem),
    })?;
    let request = Request {
        days: o.days,
        runs: o.runs,
        seed: o.seed,
        fidelity: o.fidelity.clone(),
        ..Request::new(base)
    };
    let r = resolve::apply(scenario, folder, &request).map_err(|e| {
        if e.key == "fidelity" {
            CliError::field("--fidelity", e.problem)
        } else {
            CliError::Scenario {
                origin: origin.clone(),
                source: e,
            }
        }
    })?;
    let mut overridden = Vec::new();
    if o.days.is_some() {
        overridden.push(("days", "--days"));
    }
    if o.runs.is_some() {
        overridden.push(("runs", "--runs"));
    }
    Ok(Loaded {
        scenario: r.scenario,
        origin,
        overridden,
        left_out: r.left_out,
    })
}

/// Path-steps below which no bar is drawn (a flow run this size takes well under a second).
const BAR_MIN_WORK: u64 = 2_000_000;

/// Path-steps a run of `runs` × `days` costs, weighting an event day as a whole small job
/// (every bundle of a day through the protocol takes far longer than a flow day: an event
/// job of more than one day always gets a bar).
pub fn work(runs: u32, days: u32, fidelity: Fidelity) -> u64 {
    let w = u64::from(runs) * u64::from(days);
    match fidelity {
        Fidelity::Flow => w,
        Fidelity::Event => w.saturating_mul(BAR_MIN_WORK),
    }
}

/// A progress bar on stderr, only when stderr is a terminal and the job is large: pipes and
/// logs never see control characters. It counts path-days (one run's one day), so a single
/// long run moves it day by day, and its ETA is indicatif's, from the rate so far; its message
/// says how many runs (and grid cells) are done.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar counting to `len` (path-days, or bundles) for a job of `work` path-steps.
    pub fn new(len: u64, work: u64, what: &str) -> Self {
        if !std::io::stderr().is_terminal() || work < BAR_MIN_WORK {
            return Self(None);
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let template = format!(
            "{{spinner}} {{msg}} {{bar:30}} {{percent:>3}}% of the {what} [{{elapsed}} < {{eta}}]"
        );
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

    /// A Monte Carlo's progress: the bar counts its path-days, the message its runs. Workers
    /// report concurrently, so an older count arriving late never moves the bar back.
    pub fn report(&self, p: SimProgress) {
        if let Some(b) = &self.0 {
            if p.days_done > b.position() {
                b.set_position(p.days_done);
            }
            b.set_message(format!("runs {}/{} ·", p.runs_done, p.runs_total));
        }
    }

    /// Cell `index` of `cells` Monte Carlos alike (a sweep's cells, a tornado's arms), those
    /// before it done, and its own progress `p`.
    pub fn report_cell(&self, index: usize, cells: usize, p: SimProgress) {
        if let Some(b) = &self.0 {
            let per = p.days_total;
            b.set_length(per.saturating_mul(cells as u64));
            b.set_position(per.saturating_mul(index as u64) + p.days_done);
            b.set_message(format!(
                "cell {}/{cells} · runs {}/{} ·",
                index + 1,
                p.runs_done,
                p.runs_total
            ));
        }
    }

    /// Starts counting a new phase of `len` units, named `msg`.
    pub fn phase(&self, len: u64, msg: &str) {
        if let Some(b) = &self.0 {
            b.reset();
            b.set_length(len);
            b.set_message(msg.to_owned());
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Event jobs shorter than this many path-days are not calibrated (the calibration costs four
/// of their days, at most 7% of them).
const CALIBRATE_MIN_PATH_DAYS: u64 = 60;

/// Event jobs estimated to take longer than this get a note before they start.
const ESTIMATE_NOTE_SECS: f64 = 60.0;

/// How long an event-mode Monte Carlo of `v` will take, `repeat` times over (a sweep's cells),
/// from a short calibration: one run of the scenario's first day to warm up, then one of its
/// first day and one of its first two, timed here (setup = t1 − per-day, per-day = t2 − t1);
/// runs share the machine's threads. `None` for
/// flow mode, small jobs, or a scenario whose first days cannot run alone.
pub fn event_estimate(v: &Validated, repeat: u64) -> Option<std::time::Duration> {
    let s = &v.scenario;
    let path_days = u64::from(s.runs) * u64::from(s.days) * repeat;
    if s.fidelity != Fidelity::Event || path_days < CALIBRATE_MIN_PATH_DAYS {
        return None;
    }
    let time = |days: u32| -> Option<f64> {
        let mut short = s.clone();
        short.set_horizon(days.min(s.days));
        short.runs = 1;
        let short = short.validate().ok()?;
        let opts = Options {
            runs: 1,
            fidelity: Fidelity::Event,
        };
        let start = std::time::Instant::now();
        simulate(&short, opts, false, |_, _| {}, &|_| {}).ok()?;
        Some(start.elapsed().as_secs_f64())
    };
    // A first, untimed day warms what a long job has warm after its first day (the thread
    // pool, the allocator's pages): timed cold, day one looked like most of two days' cost and
    // the estimate came out at a third of the real time.
    time(1)?;
    let t1 = time(1)?;
    let t2 = time(2)?;
    let per_day = (t2 - t1).max(0.0);
    let setup = (t1 - per_day).max(0.0);
    let per_run = setup + per_day * f64::from(s.days);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let waves = u64::from(s.runs).div_ceil(threads).max(1) * repeat;
    Some(std::time::Duration::from_secs_f64(per_run * waves as f64))
}

/// The note printed before a long event-mode job, if it is one.
pub fn event_estimate_note(v: &Validated, repeat: u64) -> Option<String> {
    let d = event_estimate(v, repeat)?;
    if d.as_secs_f64() <= ESTIMATE_NOTE_SECS {
        return None;
    }
    let secs = d.as_secs();
    let shown = if secs >= 3600 {
        format!("{} h {} min", secs / 3600, secs % 3600 / 60)
    } else {
        format!("{} min {} s", secs / 60, secs % 60)
    };
    Some(format!(
        "note: this event-mode job will take about {shown} (estimated from a calibration run of the scenario's first two days on this machine)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sizeable_event_jobs_are_calibrated() {
        let mut s = presets::preset("seed-conservative").expect("preset");
        s.set_horizon(30);
        s.runs = 2;
        let flow = s.clone().validate().expect("valid");
        assert!(event_estimate(&flow, 1).is_none(), "flow mode needs none");
        s.fidelity = Fidelity::Event;
        let event = s.clone().validate().expect("valid");
        assert!(
            event_estimate(&event, 1).is_some(),
            "60 path-days are calibrated"
        );
        s.runs = 1;
        let small = s.validate().expect("valid");
        assert!(event_estimate(&small, 1).is_none(), "30 path-days are not");
        assert!(event_estimate(&small, 2).is_some(), "twice over, they are");
    }
}
