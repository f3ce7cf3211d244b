//! `flywheel run`: one scenario through the Monte Carlo, summarised for people (a table), for
//! tools (`--json`), and as files (`--out`: per-step CSV, bands, summary, charts, a report).
//!
//! `flywheel presets` lists the built-in scenarios.

use crate::error::CliError;
use crate::fmt::{Align, Table};
use crate::scenario_args::{self, Overrides, Progress, Source};
use crate::term::safe;
use clap::Args;
use flywheel_report::digest::{digest, Digest, SeedCheck};
use flywheel_report::run_files::{summary_text, RunWriter, CHARTS};
use flywheel_sim::monte_carlo::{simulate, Options};
use flywheel_sim::presets;
use flywheel_sim::scenario::{Fidelity, Validated};
use flywheel_sim::summary::fidelity_name;
use std::io::Write;
use std::path::PathBuf;

/// `flywheel run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    overrides: Overrides,
    /// Write steps.csv, bands.csv, summary.json, SVG charts and report.html into DIR
    /// (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print only the summary JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Run only shard I of N (0-based) of the run indices, for batch systems: writes
    /// shard.json and the shard's steps.csv into --out DIR; `flywheel merge` joins the shards
    /// into the files of a single-machine run.
    #[arg(long, value_name = "I/N", value_parser = crate::shard_cmd::parse_shard,
          allow_hyphen_values = true, requires = "out", conflicts_with = "json")]
    shard: Option<crate::shard_cmd::Shard>,
}

/// `flywheel presets` options.
#[derive(Debug, Args)]
pub struct PresetsArgs {
    /// Print the list as JSON.
    #[arg(long)]
    json: bool,
}

/// Lists the presets.
pub fn presets_cmd(args: &PresetsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut list = Vec::new();
    for (name, _) in presets::PRESETS {
        let s = presets::preset(name).map_err(|e| CliError::Scenario {
            origin: format!("preset {name}"),
            source: e,
        })?;
        list.push(s);
    }
    if args.json {
        let items: Vec<serde_json::Value> = list
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "description": s.description,
                    "days": s.days,
                    "runs": s.runs,
                    "default": s.name == presets::DEFAULT,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::Value::Array(items))?;
        return Ok(());
    }
    let mut t = Table::new(
        &["preset", "days", "runs", "description"],
        &[Align::Left, Align::Right, Align::Right, Align::Left],
    );
    for s in &list {
        let name = if s.name == presets::DEFAULT {
            format!("{} (default)", s.name)
        } else {
            s.name.clone()
        };
        t.row(vec![
            name,
            s.days.to_string(),
            s.runs.to_string(),
            s.description.clone(),
        ]);
    }
    t.write(out)?;
    writeln!(
        out,
        "\nrun one with `flywheel run --preset NAME`; make your own with `flywheel scenario new --preset NAME --out FILE`"
    )?;
    Ok(())
}

/// Writes the digest as terminal tables.
pub fn write_digest(
    v: &Validated,
    d: &Digest,
    runs: usize,
    note: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let s = &v.scenario;
    writeln!(out, "{} — {}", safe(&s.name), safe(&s.description))?;
    writeln!(
        out,
        "runs {} · days {} · fidelity {} · seed {}\n",
        runs,
        s.days,
        fidelity_name(s.fidelity),
        s.seed
    )?;
    if let Some(note) = note {
        writeln!(out, "{note}\n")?;
    }
    let value = d.value_header();
    let mut t = if runs > 1 {
        Table::new(
            &["", &value, Digest::RANGE_HEADER],
            &[Align::Left, Align::Right, Align::Right],
        )
    } else {
        Table::new(&["", &value], &[Align::Left, Align::Right])
    };
    for r in &d.rows {
        let mut cells = vec![r.label.to_string(), r.median.clone()];
        if let Some(range) = &r.range {
            cells.push(range.clone());
        }
        t.row(cells);
    }
    t.write(out)?;
    writeln!(out, "{}", d.note())?;
    if let Some(c) = &d.seed {
        writeln!(
            out,
            "\nseed table check ({}; simulated values exact)",
            c.preset
        )?;
        let mut t = Table::new(
            &SeedCheck::HEADER,
            &[
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Left,
            ],
        );
        t.row(c.cells());
        t.write(out)?;
    }
    Ok(())
}

/// Runs `flywheel run`.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let loaded = scenario_args::load(&args.source, &args.overrides)?;
    let v = loaded.validate()?;
    if let (Some(shard), Some(dir)) = (args.shard, &args.out) {
        let base = crate::shard_cmd::base_of(&args.source);
        return crate::shard_cmd::run_shard(&loaded, &v, shard, dir, base, out);
    }
    let s = &v.scenario;
    let opts = Options {
        runs: s.runs,
        fidelity: s.fidelity,
    };
    if s.fidelity == Fidelity::Event && s.runs > 1 {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} runs at event fidelity are slow (every bundle goes through the protocol model); --fidelity flow gives the same totals far faster",
            s.runs
        );
    }
    let mut writer = match &args.out {
        Some(dir) => Some(RunWriter::begin(dir, &v)?),
        None => None,
    };
    if let Some(note) = scenario_args::event_estimate_note(&v, 1) {
        let _ = writeln!(std::io::stderr(), "{note}");
    }
    let progress = Progress::new(
        u64::from(s.runs) * u64::from(s.days),
        scenario_args::work(s.runs, s.days, s.fidelity),
        "path-days",
    );
    let outcome = simulate(
        &v,
        opts,
        writer.is_some(),
        |run, steps| {
            if let Some(w) = writer.as_mut() {
                w.on_run(run, steps);
            }
        },
        &|p| progress.report(p),
    );
    progress.finish();
    let outcome = outcome?;
    let json_text = summary_text(&v, &outcome)?;
    let digest = digest(&v, &outcome);
    if let Some(w) = writer {
        w.finish_with(&outcome, &json_text, &digest)?;
    }
    if args.json {
        out.write_all(json_text.as_bytes())?;
    } else {
        let note = loaded.horizon_note();
        write_digest(&v, &digest, outcome.runs.len(), note.as_deref(), out)?;
        crate::priority_report::write(&v, &outcome, out)?;
        crate::prividium_report::write(&v, &outcome, out)?;
        if let Some(dir) = &args.out {
            write_wrote_line(dir, out)?;
        }
    }
    Ok(())
}

/// The closing line of a run (or merge) that wrote `--out`.
pub fn write_wrote_line(dir: &std::path::Path, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "\nwrote steps.csv, bands.csv, summary.json, {} and report.html to {}",
        CHARTS.map(|c| c.0).join(", "),
        safe(&dir.display().to_string())
    )?;
    Ok(())
}
