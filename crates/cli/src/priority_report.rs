//! The terminal section `flywheel run` adds for a scenario with a Stage 1 chain
//! (`[priority_mode]`); the section itself is the report's (`flywheel_report::priority`).

use crate::error::CliError;
use crate::fmt::{Align, Table};
use flywheel_sim::monte_carlo::Outcome;
use flywheel_sim::scenario::Validated;
use std::io::Write;

pub use flywheel_report::priority::{duration, section};

/// Writes the Stage 1 section to the terminal, if the scenario has a Stage 1 chain.
pub fn write(v: &Validated, outcome: &Outcome, out: &mut dyn Write) -> Result<(), CliError> {
    let Some((title, rows)) = section(v, outcome) else {
        return Ok(());
    };
    writeln!(out, "\n{title}")?;
    let mut t = Table::new(&["", "value"], &[Align::Left, Align::Right]);
    for r in rows {
        t.row(r);
    }
    t.write(out)?;
    Ok(())
}
