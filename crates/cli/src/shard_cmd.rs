//! `flywheel run --shard I/N --out DIR` and `flywheel merge DIR…`: the arguments and what is
//! printed. The shard file format, the checks of a shard set and the merge itself are
//! `flywheel_report::shard`'s (see there why a merge is exact).

use crate::error::CliError;
use crate::run_cmd;
use crate::scenario_args::{self, Loaded};
use crate::term::safe;
use clap::Args;
use flywheel_report::digest::digest;
use flywheel_report::run_files::summary_text;
use flywheel_report::shard::{self as shard_file, ShardWriter, SHARD_FILE};
use flywheel_sim::monte_carlo::{simulate_runs, Options};
use flywheel_sim::scenario::Validated;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::limits::{MAX_SHARDS, MAX_SHARD_FILE_BYTES};
pub use flywheel_report::shard::Shard;

/// Parses `I/N`: whole numbers, `1 ≤ N ≤ MAX_SHARDS`, `0 ≤ I < N`.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let form =
        format!("must be I/N with N from 1 to {MAX_SHARDS} and I from 0 to N-1 (for example 0/4)");
    let (i, n) = text.split_once('/').ok_or_else(|| form.clone())?;
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (Some(index), Some(count)) = (num(i), num(n)) else {
        return Err(form);
    };
    if count == 0 || count > MAX_SHARDS || index >= count {
        return Err(format!("{form}; got {index}/{count}"));
    }
    Ok(Shard { index, count })
}

/// Runs shard `shard` of the loaded scenario into `dir`: its `steps.csv` rows and `shard.json`.
pub fn run_shard(
    loaded: &Loaded,
    v: &Validated,
    shard: Shard,
    dir: &Path,
    base: Option<PathBuf>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let runs = v.scenario.runs;
    if shard.count > runs {
        return Err(CliError::field(
            "--shard",
            format!(
                "{} shards for {runs} runs would leave a shard empty; use at most {runs}",
                shard.count
            ),
        ));
    }
    let mut writer = ShardWriter::begin(dir, v, shard)?;
    let range = shard.range(runs);
    let opts = Options {
        runs,
        fidelity: v.scenario.fidelity,
    };
    let mine = range.len() as u32;
    let progress = crate::scenario_args::Progress::new(
        u64::from(mine) * u64::from(v.scenario.days),
        crate::scenario_args::work(mine, v.scenario.days, v.scenario.fidelity),
        "path-days",
    );
    let part = simulate_runs(
        v,
        opts,
        range.clone(),
        true,
        |run, steps| writer.on_run(run, steps),
        &|p| progress.report(p),
    );
    progress.finish();
    let part = part?;
    writer.finish(part, base, loaded.horizon_note())?;
    writeln!(
        out,
        "shard {}/{}: runs {}..{} of {runs}; wrote {SHARD_FILE} and steps.csv to {} (merge with `flywheel merge`)",
        shard.index,
        shard.count,
        range.start,
        range.end,
        safe(&dir.display().to_string())
    )?;
    Ok(())
}

/// `flywheel merge` options.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard folders (`flywheel run --shard I/N --out DIR`), every shard once, in any order.
    #[arg(value_name = "DIR", required = true, num_args = 1..=MAX_SHARDS as usize)]
    dirs: Vec<PathBuf>,
    /// Write the single-machine run's files (steps.csv, bands.csv, summary.json, SVG charts,
    /// report.html) into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print only the summary JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Merges shard folders into the outputs of the single-machine run.
pub fn merge_cmd(args: &MergeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let merged = shard_file::merge(&args.dirs)?;
    let (v, outcome, note) = (&merged.v, &merged.outcome, &merged.note);
    let json_text = summary_text(v, outcome)?;
    let digest = digest(v, outcome);
    if let Some(target) = &args.out {
        merged.write(target, &json_text, &digest)?;
    }
    if args.json {
        out.write_all(json_text.as_bytes())?;
    } else {
        run_cmd::write_digest(v, &digest, outcome.runs.len(), note.as_deref(), out)?;
        crate::priority_report::write(v, outcome, out)?;
        crate::prividium_report::write(v, outcome, out)?;
        if let Some(dir) = &args.out {
            run_cmd::write_wrote_line(dir, out)?;
        }
    }
    Ok(())
}

/// Where CSV sources of the chosen scenario load from (a file's folder, made absolute so a
/// merge run elsewhere finds them), or none for a preset.
pub fn base_of(source: &scenario_args::Source) -> Option<PathBuf> {
    source.scenario.as_ref().map(|p| {
        let folder = p.parent().unwrap_or(Path::new("."));
        std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf())
    })
}
