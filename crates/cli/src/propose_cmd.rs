//! `flywheel propose`: a governance proposal drafted from changes to a base scenario — the
//! governance path and calldata of each change, each governor's timeline and the projected
//! impact on the same seeds (`flywheel_report::proposal`), printed as the Markdown draft, as
//! `proposal.json` with `--json`, and written all or nothing with `--out DIR`.

use crate::error::CliError;
use crate::limits;
use crate::term::safe;
use clap::Args;
use flywheel_protocol::governance::calldata::Inputs;
use flywheel_report::proposal::{draft, simulate_pairs};
use flywheel_report::proposal_doc;
use flywheel_sim::presets;
use flywheel_sim::resolve::{self, Base, Request};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

/// `flywheel propose` options.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// The base: a built-in scenario's name or a scenario TOML file [default: v31-baseline].
    #[arg(long, value_name = "PRESET|FILE")]
    base: Option<String>,
    /// The changed scenario as a file (beside the base): every key it sets differently is a
    /// change. Without it, the changed scenario is the base with the --set changes.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// A change, as a dotted scenario key and its value (`protocol.burn_bps=8000`,
    /// `protocol.fee_flow_threshold="500000 ZK"`); repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Horizon in days.
    #[arg(long, value_name = "N", allow_negative_numbers = true, help = limits::days_help(),
          value_parser = limits::whole::<u32>(1, limits::MAX_DAYS.into()))]
    days: Option<u32>,
    /// Monte Carlo paths of each scenario (the same seeds for both).
    #[arg(long, value_name = "N", allow_negative_numbers = true, help = limits::runs_help(),
          value_parser = limits::whole::<u32>(1, limits::MAX_RUNS.into()))]
    runs: Option<u32>,
    /// Base seed.
    #[arg(long, value_name = "N", allow_negative_numbers = true, help = limits::seed_help(),
          value_parser = limits::whole::<u64>(0, u64::MAX))]
    seed: Option<u64>,
    /// The day the proposal is made (UTC, YYYY-MM-DD), from which the timeline counts
    /// [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// The recipient of the Splitter's non-burned share: needed to lower `protocol.burn_bps`
    /// below 10000 (Era's Splitter has no distributors).
    #[arg(long, value_name = "ADDRESS")]
    distributor: Option<String>,
    /// Write proposal.md, proposal.json and the charts of both scenarios into DIR (all or
    /// nothing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print proposal.json instead of the Markdown draft.
    #[arg(long)]
    json: bool,
}

/// `KEY=VALUE` → the key and a JSON value: a number or `true`/`false` as such, anything else
/// as text (`500000 ZK`).
pub fn parse_set(arg: &str) -> Result<(String, Value), CliError> {
    let (k, v) = arg.split_once('=').ok_or_else(|| {
        CliError::bad_value(
            "--set",
            "KEY=VALUE",
            arg,
            "expected a dotted key, `=`, and a value",
        )
    })?;
    let key = k.trim();
    if key.is_empty() {
        return Err(CliError::bad_value(
            "--set",
            "KEY=VALUE",
            arg,
            "the key is empty",
        ));
    }
    let v = v.trim();
    let value = match serde_json::from_str::<Value>(v) {
        Ok(x @ (Value::Number(_) | Value::Bool(_) | Value::String(_))) => x,
        _ => Value::String(v.to_string()),
    };
    Ok((key.to_string(), value))
}

/// `YYYY-MM-DD` → unix seconds at 00:00 UTC.
pub fn parse_date(text: &str) -> Result<u64, CliError> {
    flywheel_protocol::governance::timeline::parse_date(text)
        .map_err(|why| CliError::bad_value("--date", "date", text, why))
}

fn today() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    now - now % 86_400
}

fn base_of(name: &str) -> Base {
    if presets::PRESETS.iter().any(|(n, _)| *n == name) {
        Base::Preset(name.into())
    } else {
        Base::File(PathBuf::from(name))
    }
}

/// A scenario error as the CLI reports it: a base that cannot be read names its flag, any
/// other names the file (if any) and the dotted key.
fn scenario_err(b: &Base) -> impl Fn(flywheel_sim::scenario::ScenarioError) -> CliError + '_ {
    move |e| {
        let (flag, origin) = match b {
            Base::File(p) => (
                if e.key == "(file)" {
                    "--scenario/--base"
                } else {
                    ""
                },
                p.display().to_string(),
            ),
            _ => (if e.key == "preset" { "--base" } else { "" }, String::new()),
        };
        if flag.is_empty() {
            CliError::Scenario { origin, source: e }
        } else {
            CliError::field(flag, e.problem)
        }
    }
}

fn quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-=/:".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Runs `flywheel propose`.
pub fn run(args: &ProposeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let base_name = args
        .base
        .clone()
        .unwrap_or_else(|| presets::DEFAULT.to_string());
    let base = base_of(&base_name);
    let set: Vec<(String, Value)> = args
        .set
        .iter()
        .map(|s| parse_set(s))
        .collect::<Result<_, _>>()?;
    let request = |b: Base, set: Vec<(String, Value)>| Request {
        days: args.days,
        runs: args.runs,
        seed: args.seed,
        fidelity: Some("flow".into()),
        set,
        ..Request::new(b)
    };
    let base_v = resolve::resolve(&request(base.clone(), Vec::new()))
        .map_err(scenario_err(&base))?
        .validate()
        .map_err(scenario_err(&base))?;
    let changed_base = match &args.scenario {
        Some(p) => Base::File(p.clone()),
        None => base.clone(),
    };
    let changed_v = resolve::resolve(&request(changed_base.clone(), set))
        .map_err(scenario_err(&changed_base))?
        .validate()
        .map_err(scenario_err(&changed_base))?;
    let distributor = match &args.distributor {
        Some(a) => Some(crate::parse::address("--distributor", a)?),
        None => None,
    };
    let inputs = Inputs {
        distributor,
        gateway_leg: None,
    };
    let proposed_at = match &args.date {
        Some(d) => parse_date(d)?,
        None => today(),
    };
    // Refuse what cannot be drafted before simulating.
    flywheel_report::proposal::changes(&base_v, &changed_v, &inputs)?;
    let runs = base_v.scenario.runs;
    let pairs = simulate_pairs(&base_v, &changed_v, runs, &|_| {})?;
    let label = match &base {
        Base::Preset(n) => format!("preset {n}"),
        _ => format!("scenario file {base_name}"),
    };
    let d = draft(&label, &base_v, &changed_v, &pairs, proposed_at, inputs)?;
    let mut command = format!("flywheel propose --base {}", quote(&base_name));
    if let Some(p) = &args.scenario {
        command.push_str(&format!(" --scenario {}", quote(&p.display().to_string())));
    }
    for s in &args.set {
        command.push_str(&format!(" --set {}", quote(s)));
    }
    command.push_str(&format!(
        " --runs {} --days {} --seed {} --date {}",
        d.runs,
        d.days,
        d.seed,
        &flywheel_protocol::governance::timeline::utc(proposed_at)[..10]
    ));
    if let Some(a) = distributor {
        command.push_str(&format!(" --distributor {a}"));
    }
    let md = proposal_doc::markdown(&d, &command, &proposal_doc::assumptions(&base_v.scenario));
    let json_text = format!(
        "{}\n",
        serde_json::to_string_pretty(&proposal_doc::json(&d, &command))
            .map_err(|e| CliError::Output(e.into()))?
    );
    if let (Some(dir), Some((_, _, b, c))) = (&args.out, pairs.first()) {
        proposal_doc::write(dir, &md, &json_text, b, c)?;
    }
    if args.json {
        out.write_all(json_text.as_bytes())?;
    } else {
        // Line by line: the terminal gets the text's own newlines, its control characters escaped.
        for line in md.lines() {
            writeln!(out, "{}", safe(line))?;
        }
        if let Some(dir) = &args.out {
            writeln!(
                out,
                "\nwrote {} to {}",
                proposal_doc::files().join(", "),
                safe(&dir.display().to_string())
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values_read_as_numbers_or_text() {
        assert_eq!(
            parse_set("protocol.burn_bps=8000").unwrap(),
            ("protocol.burn_bps".into(), serde_json::json!(8000))
        );
        assert_eq!(
            parse_set("protocol.fee_flow_threshold=500000 ZK")
                .unwrap()
                .1,
            serde_json::json!("500000 ZK")
        );
        assert!(parse_set("protocol.burn_bps").is_err());
        assert!(parse_set("=5").is_err());
    }

    #[test]
    fn dates_are_whole_utc_days() {
        assert_eq!(parse_date("2026-12-08").unwrap(), 20_795 * 86_400);
        for bad in ["2026-02-30", "26-12-08", "2026/12/08", "1969-12-31", "x"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
