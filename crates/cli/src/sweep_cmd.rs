//! `flywheel sweep` (a full grid over 1–3 parameters) and `flywheel sensitivity` (a tornado:
//! each parameter down and up by a spread, one at a time). The sim's `sweep` module sets
//! parameters and runs cells; this module parses flags and renders tables, JSON, CSV and SVG.

use crate::error::CliError;
use crate::fmt::{self, Align, Table};
use crate::limits;
use crate::scenario_args::{self, Loaded, Overrides, Progress, Source};
use crate::term::safe;
use alloy_primitives::U256;
use clap::Args;
use flywheel_protocol::units::format_amount;
use flywheel_report::charts;
use flywheel_report::out_dir::OutDir;
use flywheel_sim::agents::wei_to_tokens;
use flywheel_sim::ledger::SimError;
use flywheel_sim::scenario::ScenarioError;
use flywheel_sim::summary::fidelity_name;
use flywheel_sim::sweep::{self, fraction_text, Axis, Medians, Move, PARAMS};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::PathBuf;

/// `flywheel sweep` options.
#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    overrides: Overrides,
    #[arg(long = "param", value_name = "NAME=V1,V2,…", required = true, allow_hyphen_values = true,
          help = param_help())]
    params: Vec<String>,
    /// Write sweep.csv (and heatmap.svg for two parameters) into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the table as JSON.
    #[arg(long)]
    json: bool,
}

/// `flywheel sensitivity` options.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    overrides: Overrides,
    #[arg(long, value_name = "FRACTION", default_value = "0.5", allow_hyphen_values = true, help = limits::spread_help())]
    spread: String,
    /// Write tornado.svg and tornado.csv into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the tornado as JSON.
    #[arg(long)]
    json: bool,
}

/// `--param`'s help, from the parameter table: each name, what it is, and the step the
/// tornado moves it by from a base of 0.
fn param_help() -> String {
    let mut text = format!(
        "A parameter and its values, NAME=V1,V2,… (repeat for 2 or 3 parameters; at most {} values each, {} cells in all). Names (and the step `sensitivity` moves a base of 0 by):",
        limits::MAX_AXIS_VALUES,
        limits::grouped(limits::MAX_CELLS as u64)
    );
    for p in &PARAMS {
        let step = p
            .zero_step
            .map_or("none: \"base 0 — see sweep\"".to_string(), |s| {
                s.to_string()
            });
        text.push_str(&format!("\n  {} — {} (step {step})", p.name, p.about));
    }
    text
}

/// Maps a sweep's scenario error to the flag or key at fault.
fn sweep_error(loaded: &Loaded, e: ScenarioError) -> CliError {
    if e.key == "param" {
        return CliError::field("--param", e.problem);
    }
    if e.key == "spread" {
        return CliError::field("--spread", e.problem);
    }
    if PARAMS.iter().any(|p| p.name == e.key) {
        return CliError::field(format!("--param {}", e.key), e.problem);
    }
    loaded.error(e)
}

fn sim_error(loaded: &Loaded, e: SimError) -> CliError {
    match e {
        SimError::Scenario(s) => sweep_error(loaded, s),
        other => CliError::Sim(other),
    }
}

const FIGURES: [&str; 9] = [
    "annual_burn",
    "burned",
    "calls",
    "supply_end",
    "staking_rewards",
    "settlement_fees",
    "fixed_fees",
    "auction_claims",
    "auction_paid",
];

/// The figures of a cell: (name, amount in wei or `None` for a count, count).
fn figures(m: &Medians) -> [(&'static str, Option<U256>, u64); 9] {
    [
        (FIGURES[0], Some(m.annual_burn), 0),
        (FIGURES[1], Some(m.burned), 0),
        (FIGURES[2], None, m.calls),
        (FIGURES[3], Some(m.supply_end), 0),
        (FIGURES[4], Some(m.staking_rewards), 0),
        (FIGURES[5], Some(m.settlement_fees), 0),
        (FIGURES[6], Some(m.fixed_fees), 0),
        (FIGURES[7], None, m.auction_claims),
        (FIGURES[8], Some(m.auction_paid), 0),
    ]
}

/// Runs `flywheel sweep`.
pub fn sweep_cmd(args: &SweepArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let loaded = scenario_args::load(&args.source, &args.overrides)?;
    let base = loaded.validate()?;
    if args.params.len() > 3 {
        return Err(CliError::field(
            "--param",
            format!("a sweep takes 1 to 3 parameters, got {}", args.params.len()),
        ));
    }
    let axes = args
        .params
        .iter()
        .map(|p| Axis::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            if PARAMS.iter().any(|p| p.name == e.key) {
                CliError::field(format!("--param {}", e.key), e.problem)
            } else {
                CliError::field("--param", e.problem)
            }
        })?;
    let cells = sweep::grid(&loaded.scenario, &axes).map_err(|e| sweep_error(&loaded, e))?;
    let out_names: &[&str] = if axes.len() == 2 {
        &["sweep.csv", "heatmap.svg"]
    } else {
        &["sweep.csv"]
    };
    let mut out_dir = match &args.out {
        Some(dir) => Some(OutDir::begin(dir, out_names)?),
        None => None,
    };
    let s = &base.scenario;
    if let Some(note) = scenario_args::event_estimate_note(&base, cells.len() as u64) {
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    let per_cell = u64::from(s.runs) * u64::from(s.days);
    let progress = Progress::new(
        per_cell.saturating_mul(cells.len() as u64),
        scenario_args::work(s.runs, s.days, s.fidelity).saturating_mul(cells.len() as u64),
        "grid's path-days",
    );
    let results = sweep::run_grid(&cells, &|i, p| progress.report_cell(i, cells.len(), p));
    progress.finish();
    let results = results.map_err(|e| sim_error(&loaded, e))?;
    let names: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();

    if let Some(mut dir) = out_dir.take() {
        let mut csv = names.join(",");
        for f in FIGURES {
            let unit = if matches!(f, "calls" | "auction_claims") {
                ""
            } else {
                "_zk"
            };
            csv.push_str(&format!(",{f}{unit}"));
        }
        csv.push('\n');
        for (c, m) in cells.iter().zip(&results) {
            csv.push_str(&c.values.join(","));
            for (_, wei, n) in figures(m) {
                match wei {
                    Some(w) => csv.push_str(&format!(",{}", format_amount(w))),
                    None => csv.push_str(&format!(",{n}")),
                }
            }
            csv.push('\n');
        }
        dir.write("sweep.csv", csv.as_bytes())?;
        if axes.len() == 2 {
            let (nx, ny) = (axes[0].values.len(), axes[1].values.len());
            let z: Vec<Vec<f64>> = (0..nx)
                .map(|i| {
                    (0..ny)
                        .map(|j| wei_to_tokens(results[i * ny + j].annual_burn))
                        .collect()
                })
                .collect();
            let title = format!(
                "{}: median annual burn (ZK/year), {} runs × {} days",
                s.name, s.runs, s.days
            );
            let svg = charts::heatmap(
                "heatmap.svg",
                &charts::Heatmap {
                    title: &title,
                    x: (&axes[0].name, &axes[0].values),
                    y: (&axes[1].name, &axes[1].values),
                    z: &z,
                },
            )?;
            dir.write("heatmap.svg", svg.as_bytes())?;
        }
        dir.commit()?;
    }

    if args.json {
        let cells_json: Vec<Value> = cells
            .iter()
            .zip(&results)
            .map(|(c, m)| {
                let mut params = Map::new();
                for (n, v) in names.iter().zip(&c.values) {
                    params.insert((*n).to_string(), json!(v));
                }
                let mut o = Map::new();
                o.insert("params".into(), Value::Object(params));
                for (f, wei, n) in figures(m) {
                    match wei {
                        Some(w) => o.insert(format!("{f}_wei"), json!(w.to_string())),
                        None => o.insert(f.to_string(), json!(n)),
                    };
                }
                Value::Object(o)
            })
            .collect();
        let doc = json!({
            "scenario": s.name,
            "seed": s.seed,
            "runs": s.runs,
            "days": s.days,
            "fidelity": fidelity_name(s.fidelity),
            "params": names,
            "cells": cells_json,
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| CliError::Output(e.into()))?
        )?;
        return Ok(());
    }

    writeln!(
        out,
        "{} — sweep of {} ({} cells; medians over {} runs × {} days, fidelity {}, seed {})\n",
        safe(&s.name),
        names.join(" × "),
        cells.len(),
        s.runs,
        s.days,
        fidelity_name(s.fidelity),
        s.seed
    )?;
    if let Some(note) = loaded.horizon_note() {
        writeln!(out, "{note}\n")?;
    }
    let mut header: Vec<&str> = names.clone();
    header.extend([
        "annual burn (ZK/yr)",
        "burned (ZK)",
        "calls",
        "supply end (ZK)",
        "staking rewards (ZK)",
        "settlement fees (ZK)",
        "fixed fees (ZK)",
        "claims",
        "auction paid (ZK)",
    ]);
    let mut align = vec![Align::Right; header.len()];
    align[..names.len()].fill(Align::Left);
    let mut t = Table::new(&header, &align);
    for (c, m) in cells.iter().zip(&results) {
        let mut row = c.values.clone();
        for (_, wei, n) in figures(m) {
            row.push(match wei {
                Some(w) => fmt::zk(w),
                None => fmt::count(n),
            });
        }
        t.row(row);
    }
    t.write(out)?;
    if let Some(dir) = &args.out {
        let extra = if axes.len() == 2 {
            " and heatmap.svg"
        } else {
            ""
        };
        writeln!(
            out,
            "\nwrote sweep.csv{extra} to {}",
            safe(&dir.display().to_string())
        )?;
    }
    Ok(())
}

/// `--spread` as typed: a fraction within the limits ([`sweep::check_spread`]).
fn parse_spread(text: &str) -> Result<f64, CliError> {
    let value = text.trim().parse::<f64>().map_err(|_| {
        CliError::bad_value(
            "--spread",
            "fraction",
            text,
            format!(
                "expected a number from {} to {}",
                limits::MIN_SPREAD,
                limits::MAX_SPREAD
            ),
        )
    })?;
    sweep::check_spread(value)
        .map_err(|e| CliError::field("--spread", e.problem.replace(&format!("{value}"), text)))?;
    Ok(value)
}

/// A bar's move for files: (`relative` | `step` | `not_moved`, the step or "").
fn move_parts(m: &Move) -> (&'static str, String) {
    match m {
        Move::Relative => ("relative", String::new()),
        Move::Step(step) => ("step", step.clone()),
        Move::NotMoved => ("not_moved", String::new()),
    }
}

/// Runs `flywheel sensitivity`.
pub fn sensitivity_cmd(args: &SensitivityArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let spread = parse_spread(&args.spread)?;
    let loaded = scenario_args::load(&args.source, &args.overrides)?;
    let base = loaded.validate()?;
    let mut out_dir = match &args.out {
        Some(dir) => Some(OutDir::begin(dir, &["tornado.csv", "tornado.svg"])?),
        None => None,
    };
    let s = &base.scenario;
    let arms = 1 + 2 * PARAMS.len() as u64;
    if let Some(note) = scenario_args::event_estimate_note(&base, arms) {
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    let progress = Progress::new(
        arms * u64::from(s.runs) * u64::from(s.days),
        scenario_args::work(s.runs, s.days, s.fidelity).saturating_mul(arms),
        "tornado's path-days",
    );
    let result = sweep::tornado(&loaded.scenario, spread, &|i, total, p| {
        progress.report_cell(i, total, p)
    });
    progress.finish();
    let t = result.map_err(|e| sim_error(&loaded, e))?;

    if let Some(mut dir) = out_dir.take() {
        let mut csv = String::from(
            "param,base_value,low_value,high_value,low_annual_burn_zk,high_annual_burn_zk,swing_zk,moved,zero_step\n",
        );
        for b in &t.bars {
            let (moved, step) = move_parts(&b.moved);
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{moved},{step}\n",
                b.param,
                b.base_value,
                b.low_value,
                b.high_value,
                format_amount(b.low_burn),
                format_amount(b.high_burn),
                format_amount(b.swing())
            ));
        }
        dir.write("tornado.csv", csv.as_bytes())?;
        let bars: Vec<charts::Bar<'_>> = t
            .bars
            .iter()
            .map(|b| charts::Bar {
                label: b.param,
                low: wei_to_tokens(b.low_burn),
                high: wei_to_tokens(b.high_burn),
            })
            .collect();
        let title = format!(
            "{}: sensitivity of median annual burn (±{}%)",
            s.name,
            fraction_text(spread * 100.0)
        );
        let svg = charts::tornado(
            "tornado.svg",
            &title,
            "median annual burn (ZK/year)",
            wei_to_tokens(t.base_burn),
            &bars,
            spread,
        )?;
        dir.write("tornado.svg", svg.as_bytes())?;
        dir.commit()?;
    }

    if args.json {
        let bars: Vec<Value> = t
            .bars
            .iter()
            .map(|b| {
                let (moved, step) = move_parts(&b.moved);
                json!({
                    "param": b.param,
                    "moved": moved,
                    "zero_step": (!step.is_empty()).then_some(step),
                    "base_value": b.base_value,
                    "low_value": b.low_value,
                    "high_value": b.high_value,
                    "low_annual_burn_wei": b.low_burn.to_string(),
                    "high_annual_burn_wei": b.high_burn.to_string(),
                    "swing_wei": b.swing().to_string(),
                })
            })
            .collect();
        let doc = json!({
            "scenario": s.name,
            "seed": s.seed,
            "runs": s.runs,
            "days": s.days,
            "fidelity": fidelity_name(s.fidelity),
            "spread": t.spread,
            "base_annual_burn_wei": t.base_burn.to_string(),
            "bars": bars,
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| CliError::Output(e.into()))?
        )?;
        return Ok(());
    }

    writeln!(
        out,
        "{} — sensitivity of median annual burn, each parameter ×{} and ×{} (±{}%; a parameter at 0 moves by ±{}% of its step) ({} runs × {} days, fidelity {}, seed {})",
        safe(&s.name),
        fraction_text(1.0 - spread),
        fraction_text(1.0 + spread),
        fraction_text(spread * 100.0),
        fraction_text(spread * 100.0),
        s.runs,
        s.days,
        fidelity_name(s.fidelity),
        s.seed
    )?;
    writeln!(out, "base: {} ZK/year\n", fmt::zk(t.base_burn))?;
    if let Some(note) = loaded.horizon_note() {
        writeln!(out, "{note}\n")?;
    }
    let mut table = Table::new(
        &[
            "#",
            "parameter",
            "base",
            "low",
            "burn at low (ZK/yr)",
            "high",
            "burn at high (ZK/yr)",
            "swing (ZK/yr)",
        ],
        &[
            Align::Right,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for (i, b) in t.bars.iter().enumerate() {
        let row = match &b.moved {
            Move::NotMoved => vec![
                (i + 1).to_string(),
                b.param.to_string(),
                "0".into(),
                "—".into(),
                "—".into(),
                "—".into(),
                "—".into(),
                "base 0 — see sweep".into(),
            ],
            moved => vec![
                (i + 1).to_string(),
                b.param.to_string(),
                match moved {
                    Move::Step(step) => format!("0 (step {step})"),
                    _ => b.base_value.clone(),
                },
                b.low_value.clone(),
                fmt::zk(b.low_burn),
                b.high_value.clone(),
                fmt::zk(b.high_burn),
                fmt::zk(b.swing()),
            ],
        };
        table.row(row);
    }
    table.write(out)?;
    if let Some(dir) = &args.out {
        writeln!(
            out,
            "\nwrote tornado.svg and tornado.csv to {}",
            safe(&dir.display().to_string())
        )?;
    }
    Ok(())
}
