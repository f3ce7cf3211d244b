//! `flywheel runs list|show|export|delete|record`: the run store `flywheel serve` uses, from
//! the terminal. `record` runs a scenario as `flywheel run` does and keeps it in the store.

use crate::error::CliError;
use crate::fmt::{Align, Table};
use crate::run_cmd::write_digest;
use crate::scenario_args::{self, Overrides, Progress, Source};
use crate::term::safe;
use clap::{Args, Subcommand};
use flywheel_report::digest::digest;
use flywheel_report::out_dir::OutDir;
use flywheel_server::error::StoreError;
use flywheel_server::exec;
use flywheel_server::store::{self, Part, RunInfo, Store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// `flywheel runs` options.
#[derive(Debug, Args)]
pub struct RunsArgs {
    /// The run store, an SQLite file (created if missing) [default: $XDG_DATA_HOME/flywheel/runs.db,
    /// else ~/.local/share/flywheel/runs.db].
    #[arg(long, value_name = "PATH", global = true)]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    command: RunsCommand,
}

#[derive(Debug, Subcommand)]
enum RunsCommand {
    /// List the stored runs, newest first.
    List {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
    },
    /// A stored run: its scenario, status and summary.
    Show {
        /// The run's id (`flywheel runs list`).
        #[arg(value_parser = run_id)]
        id: i64,
        /// Print the run and its summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a finished run's files (scenario.toml, summary.json, bands.csv, report.html and,
    /// if kept, steps.csv) into DIR, all or nothing.
    Export {
        /// The run's id.
        #[arg(value_parser = run_id)]
        id: i64,
        /// The folder (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Delete a stored run (not one still queued or running).
    Delete {
        /// The run's id.
        #[arg(value_parser = run_id)]
        id: i64,
    },
    /// Run a scenario as `flywheel run` does and record it in the store.
    #[command(after_help = crate::limits::summary())]
    Record(RecordArgs),
}

/// `flywheel runs record` options.
#[derive(Debug, Args)]
struct RecordArgs {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    overrides: Overrides,
    /// Keep the per-step CSV too (every run's days; large for many runs).
    #[arg(long)]
    steps: bool,
}

fn run_id(text: &str) -> Result<i64, String> {
    crate::limits::whole::<i64>(1, i64::MAX as u64)(text)
}

/// The store file: `--db`, else the default location.
pub fn db_path(db: Option<&Path>) -> Result<PathBuf, CliError> {
    match db {
        Some(p) => Ok(p.to_path_buf()),
        None => store::default_path().ok_or_else(|| {
            CliError::field(
                "--db",
                "no default location: neither XDG_DATA_HOME nor HOME is set; give --db PATH",
            )
        }),
    }
}

/// A store error as a CLI error: the user's faults (an unknown id, a run not finished, a bad
/// name) and the store file itself (their `--db`) exit 2.
pub fn store_err(e: StoreError) -> CliError {
    match &e {
        StoreError::Open { .. } | StoreError::Sql(_) | StoreError::Corrupt(_) => {
            CliError::field("--db", e.to_string())
        }
        StoreError::NotFound { .. } | StoreError::NotReady { .. } | StoreError::Busy { .. } => {
            CliError::field("ID", e.to_string())
        }
        StoreError::Invalid { field, .. } => CliError::field(*field, e.to_string()),
    }
}

/// Runs `flywheel runs`.
pub fn run(args: &RunsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = db_path(args.db.as_deref())?;
    let (store, _) = Store::open(&path).map_err(store_err)?;
    match &args.command {
        RunsCommand::List { json } => list(&store, *json, out),
        RunsCommand::Show { id, json } => show(&store, *id, *json, out),
        RunsCommand::Export { id, out: dir } => export(&store, *id, dir, out),
        RunsCommand::Delete { id } => {
            store.delete_run(*id).map_err(store_err)?;
            writeln!(out, "deleted run {id}")?;
            Ok(())
        }
        RunsCommand::Record(a) => record(store, a, out),
    }
}

/// `2026-11-29 18:04` (UTC) from Unix seconds.
pub fn utc(secs: i64) -> String {
    crate::fmt::utc_minute(secs)
}

fn list(store: &Store, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let runs = store.list_runs().map_err(store_err)?;
    if json {
        let text = serde_json::to_string(&runs).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    if runs.is_empty() {
        writeln!(
            out,
            "no stored runs in {}; record one with `flywheel runs record` or `flywheel serve`",
            safe(&store.path().display().to_string())
        )?;
        return Ok(());
    }
    let mut t = Table::new(
        &[
            "id",
            "status",
            "scenario",
            "runs",
            "days",
            "fidelity",
            "seed",
            "created (UTC)",
        ],
        &[
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Left,
            Align::Right,
            Align::Left,
        ],
    );
    for r in &runs {
        t.row(vec![
            r.id.to_string(),
            r.status.as_str().to_string(),
            safe(&r.name).into_owned(),
            r.runs.to_string(),
            r.days.to_string(),
            r.fidelity.clone(),
            r.seed.clone(),
            utc(r.created),
        ]);
    }
    t.write(out)?;
    Ok(())
}

fn show(store: &Store, id: i64, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let info = store.run(id).map_err(store_err)?;
    let summary = match store.part(id, Part::Summary) {
        Ok(text) => Some(
            serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|e| CliError::field("--db", format!("run {id}'s summary: {e}")))?,
        ),
        Err(StoreError::NotReady { .. }) => None,
        Err(e) => return Err(store_err(e)),
    };
    if json {
        let v = serde_json::json!({"run": info, "summary": summary});
        writeln!(out, "{v}")?;
        return Ok(());
    }
    write_info(&info, out)?;
    if let Some(s) = summary {
        let text = serde_json::to_string_pretty(&s).map_err(|e| CliError::Output(e.into()))?;
        // JSON escapes every control character itself.
        writeln!(out, "\nsummary.json:\n{text}")?;
    }
    Ok(())
}

fn write_info(r: &RunInfo, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(out, "run {} — {}", r.id, safe(&r.name))?;
    writeln!(
        out,
        "status {} · runs {} · days {} · fidelity {} · seed {} · flywheel {}",
        r.status.as_str(),
        r.runs,
        r.days,
        r.fidelity,
        r.seed,
        safe(&r.version)
    )?;
    write!(out, "created {} UTC", utc(r.created))?;
    if let Some(f) = r.finished {
        write!(out, " · finished {} UTC", utc(f))?;
    }
    writeln!(
        out,
        " · steps {}",
        if r.has_steps { "kept" } else { "not kept" }
    )?;
    if let Some(e) = &r.error {
        writeln!(out, "error: {}", safe(e))?;
    }
    Ok(())
}

fn export(store: &Store, id: i64, dir: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let info = store.run(id).map_err(store_err)?;
    let mut files = vec![
        ("scenario.toml", Part::Scenario),
        ("summary.json", Part::Summary),
        ("bands.csv", Part::Bands),
        ("report.html", Part::Report),
    ];
    if info.has_steps {
        files.push(("steps.csv", Part::Steps));
    }
    // Read everything first: a run that is not finished writes nothing.
    let texts = files
        .iter()
        .map(|(name, part)| Ok((*name, store.part(id, *part).map_err(store_err)?)))
        .collect::<Result<Vec<_>, CliError>>()?;
    for (name, text) in &texts {
        check_part(name, text)
            .map_err(|e| CliError::field("--db", format!("run {id}'s {name}: {e}")))?;
    }
    let names: Vec<&str> = texts.iter().map(|(n, _)| *n).collect();
    let mut target = OutDir::begin(dir, &names)?;
    for (name, text) in &texts {
        target.write(name, text.as_bytes())?;
    }
    target.commit()?;
    writeln!(
        out,
        "wrote {} of run {id} to {}",
        names.join(", "),
        safe(&dir.display().to_string())
    )?;
    Ok(())
}

/// Checks a stored file before it is exported, as `show` checks the summary: the store is a
/// file anyone can edit, and a corrupt row must not become a results folder that looks whole.
fn check_part(name: &str, text: &str) -> Result<(), String> {
    match name {
        "summary.json" => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) if v.is_object() => Ok(()),
            Ok(_) => Err("not a JSON object".into()),
            Err(e) => Err(e.to_string()),
        },
        "scenario.toml" => flywheel_sim::scenario::Scenario::from_toml(text)
            .map(drop)
            .map_err(|e| e.to_string()),
        "steps.csv" if !text.starts_with(&flywheel_report::steps::header()) => {
            Err("does not start with flywheel's steps header".into())
        }
        _ => Ok(()),
    }
}

fn record(store: Store, a: &RecordArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let loaded = scenario_args::load(&a.source, &a.overrides)?;
    let v = loaded.validate()?;
    let input_err = |e: exec::InputError| {
        let flag = match e.key.as_str() {
            "runs" => "--runs",
            "days" => "--days",
            "steps" => "--steps",
            other => other,
        };
        CliError::field(
            flag,
            format!("{}; limit {}", e.error, e.limit.unwrap_or_default()),
        )
    };
    exec::check_stored_size(&v, a.steps).map_err(input_err)?;
    let r = exec::resolved(v).map_err(input_err)?;
    let id = store.create_run(&exec::new_run(&r)).map_err(store_err)?;
    let path = store.path().to_path_buf();
    let store = Mutex::new(store);
    let s = &r.v.scenario;
    let progress = Progress::new(
        u64::from(s.runs) * u64::from(s.days),
        scenario_args::work(s.runs, s.days, s.fidelity),
        "path-days",
    );
    let outcome = exec::execute(&store, id, &r.v, a.steps, &|p| progress.report(p));
    progress.finish();
    let outcome = outcome.map_err(|e| CliError::field(format!("run {id}"), e))?;
    let note = loaded.horizon_note();
    write_digest(
        &r.v,
        &digest(&r.v, &outcome),
        outcome.runs.len(),
        note.as_deref(),
        out,
    )?;
    writeln!(
        out,
        "\nstored as run {id} in {} (`flywheel runs show {id}`)",
        safe(&path.display().to_string())
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00");
        assert_eq!(utc(1_795_975_440), "2026-11-29 18:04");
    }
}
