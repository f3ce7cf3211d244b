//! `flywheel scenario show|explain|new`: the scenario schema for people. Everything here reads
//! `flywheel_sim::schema`, generated from the scenario's Rust types, so what these commands say
//! a key means, its unit, range and source, is what validation enforces.

use crate::error::CliError;
use crate::fmt::{Align, Table};
use crate::term::safe;
use clap::{Args, Subcommand};
use flywheel_report::out_dir as files;
use flywheel_sim::presets;
use flywheel_sim::schema::{self, KeyInfo};
use std::io::Write;
use std::path::PathBuf;

/// `flywheel scenario` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Print a preset's TOML (it parses back to the same scenario).
    Show(ShowArgs),
    /// What a scenario key means: its unit, range, default, source and variants; without a
    /// key, the table of every key.
    Explain(ExplainArgs),
    /// Write a commented template: every key of a preset with its meaning, unit and range.
    New(NewArgs),
}

/// `flywheel scenario show` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The preset (`flywheel presets` lists them).
    #[arg(value_name = "NAME")]
    name: String,
    /// Print the resolved scenario instead: every key, defaults filled in.
    #[arg(long)]
    resolved: bool,
}

/// `flywheel scenario explain` options.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A dotted key (`protocol.burn_bps`, `chains[0].traffic_share`); none lists every key.
    #[arg(value_name = "KEY")]
    key: Option<String>,
    /// Print the schema's entries as JSON (one object, or an array of every key).
    #[arg(long)]
    json: bool,
}

/// `flywheel scenario new` options.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The preset to start from [default: v31-baseline].
    #[arg(long, value_name = "NAME")]
    preset: Option<String>,
    /// Write the template to FILE (all or nothing) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs a `flywheel scenario` subcommand.
pub fn run(cmd: &ScenarioCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match cmd {
        ScenarioCommand::Show(a) => show(a, out),
        ScenarioCommand::Explain(a) => explain(a, out),
        ScenarioCommand::New(a) => new(a, out),
    }
}

/// A preset's TOML text, or an error naming the known presets.
fn preset_text(name: &str, flag: &str) -> Result<&'static str, CliError> {
    presets::PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| {
            let known: Vec<&str> = presets::PRESETS.iter().map(|(n, _)| *n).collect();
            CliError::field(
                flag,
                format!("no preset `{}`; known: {}", safe(name), known.join(", ")),
            )
        })
}

fn preset(name: &str, flag: &str) -> Result<flywheel_sim::scenario::Scenario, CliError> {
    preset_text(name, flag)?;
    presets::preset(name).map_err(|e| CliError::Scenario {
        origin: format!("preset {name}"),
        source: e,
    })
}

fn show(a: &ShowArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let text = preset_text(&a.name, "NAME")?;
    if a.resolved {
        let s = preset(&a.name, "NAME")?;
        let toml = s.to_toml().map_err(|e| CliError::Scenario {
            origin: format!("preset {}", a.name),
            source: e,
        })?;
        out.write_all(toml.as_bytes())?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// The lines `explain KEY` prints.
pub fn explain_text(k: &KeyInfo) -> String {
    let mut s = format!("{}\n", k.key);
    for line in k.description.lines() {
        s.push_str(&format!("  {}\n", line.trim()));
    }
    let mut field = |name: &str, value: String| s.push_str(&format!("  {name:<9}{value}\n"));
    field(
        "kind",
        if k.amount {
            "amount (string)".into()
        } else {
            k.kind.clone()
        },
    );
    if let Some(u) = &k.unit {
        field("unit", u.clone());
    }
    if let Some(r) = schema::range_text(k) {
        field("range", r);
    }
    if !k.values.is_empty() {
        field("values", k.values.join(", "));
    }
    if let Some(d) = &k.default {
        field("default", d.to_string());
    }
    if let Some(src) = &k.source {
        field("source", src.clone());
    }
    if !k.variants.is_empty() {
        field("only in", k.variants.join(" | "));
    }
    s
}

fn explain(a: &ExplainArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let Some(wanted) = &a.key else {
        let all = schema::keys();
        if a.json {
            let v = serde_json::to_string_pretty(&all).map_err(|e| CliError::Output(e.into()))?;
            writeln!(out, "{v}")?;
            return Ok(());
        }
        let mut t = Table::new(
            &["key", "unit", "range", "default"],
            &[Align::Left, Align::Left, Align::Left, Align::Left],
        );
        for k in &all {
            let range = match (k.minimum, k.maximum) {
                (Some(lo), Some(hi)) => {
                    format!("{} – {}", schema::number(lo), schema::number(hi))
                }
                _ if !k.values.is_empty() => k.values.join(" | "),
                _ => String::new(),
            };
            let default = match &k.default {
                Some(d) if !d.is_object() && !d.is_array() => d.to_string(),
                _ => String::new(),
            };
            t.row(vec![
                k.key.clone(),
                k.unit.clone().unwrap_or_default(),
                range,
                default,
            ]);
        }
        t.write(out)?;
        writeln!(
            out,
            "\n`flywheel scenario explain KEY` says what a key means, with its source"
        )?;
        return Ok(());
    };
    let Some(k) = schema::lookup(wanted) else {
        let near = schema::nearest(wanted, 3);
        return Err(CliError::field(
            "KEY",
            format!(
                "no scenario key `{}`; nearest: {}",
                safe(wanted),
                near.join(", ")
            ),
        ));
    };
    if a.json {
        let v = serde_json::to_string_pretty(&k).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out, "{v}")?;
    } else {
        out.write_all(explain_text(&k).as_bytes())?;
    }
    Ok(())
}

fn new(a: &NewArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let name = a.preset.as_deref().unwrap_or(presets::DEFAULT);
    let s = preset(name, "--preset")?;
    let title = format!(
        "A flywheel scenario, from the `{name}` preset (`flywheel scenario new --preset {name}`).\n\
         Run it with `flywheel run --scenario FILE`."
    );
    let text = schema::template(&s, &title).map_err(|e| CliError::Scenario {
        origin: format!("preset {name}"),
        source: e,
    })?;
    match &a.out {
        Some(path) => {
            files::write_file(path, text.as_bytes(), "--out")?;
            writeln!(out, "wrote {}", safe(&path.display().to_string()))?;
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(())
}
