//! The run store's file writer: the files of a stored run (`summary.json`, `bands.csv`,
//! `steps.csv`, `report.html` and the charts) are exactly those of `flywheel run --out`,
//! written by the same code while the runs stream by. `flywheel serve` and `flywheel runs
//! record` hand this to `flywheel-server`, which depends on no CLI code.

use crate::error::one_line;
use crate::files::OutDir;
use crate::run_cmd::{digest, write_files, Collector, OUT_FILES};
use flywheel_server::exec::{Render, Sink};
use flywheel_sim::engine::StepRecord;
use flywheel_sim::monte_carlo::Outcome;
use flywheel_sim::scenario::Validated;
use flywheel_sim::summary::summary;
use std::path::Path;

/// `flywheel run --out`'s writer as the store's [`Render`].
pub struct CliRender;

struct CliSink<'a> {
    dir: OutDir,
    collector: Collector,
    v: &'a Validated,
}

impl Render for CliRender {
    fn start<'a>(&'a self, dir: &Path, v: &'a Validated) -> Result<Box<dyn Sink + 'a>, String> {
        let mut out = OutDir::begin(dir, &OUT_FILES).map_err(|e| one_line(&e))?;
        let collector = Collector::new(&mut out, v).map_err(|e| one_line(&e))?;
        Ok(Box::new(CliSink {
            dir: out,
            collector,
            v,
        }))
    }
}

impl Sink for CliSink<'_> {
    fn on_run(&mut self, run: u32, steps: &[StepRecord]) {
        self.collector.on_run(run, steps);
    }

    fn finish(self: Box<Self>, outcome: &Outcome) -> Result<(), String> {
        let CliSink {
            mut dir,
            collector,
            v,
        } = *self;
        let json = serde_json::to_string_pretty(&summary(v, v.scenario.fidelity, outcome))
            .map_err(|e| e.to_string())?;
        let d = digest(v, outcome);
        write_files(&mut dir, v, outcome, collector, &format!("{json}\n"), &d)
            .map_err(|e| one_line(&e))?;
        dir.commit().map_err(|e| one_line(&e))
    }
}
