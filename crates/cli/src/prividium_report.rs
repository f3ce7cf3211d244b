//! The Prividium part of `flywheel run`'s terminal summary: the institutions' share of calls,
//! fees and burn, exact, from one run (the median-burn run when there are several) so that the
//! Prividiums' and the public chains' figures add up to the totals.

use crate::error::CliError;
use crate::fmt::{self, Align, Table};
use alloy_primitives::U256;
use flywheel_sim::monte_carlo::Outcome;
use flywheel_sim::prividium::{representative, rows, share_bps};
use flywheel_sim::scenario::Validated;
use std::io::Write;

/// `12.34%` from basis points.
fn percent(bps: u64) -> String {
    format!("{}.{:02}%", bps / 100, bps % 100)
}

/// Writes the table when the scenario has institutions; nothing otherwise.
pub fn write(v: &Validated, outcome: &Outcome, out: &mut dyn Write) -> Result<(), CliError> {
    let institutions = &v.scenario.prividium.institutions;
    if institutions.is_empty() {
        return Ok(());
    }
    let Some(r) = representative(&outcome.runs) else {
        return Ok(());
    };
    let names: Vec<&str> = institutions.iter().map(|i| i.name.as_str()).collect();
    writeln!(
        out,
        "\nPrividium chains ({}): share of calls, fees and burn — run {}{} (exact; burn attributed by the fees behind it)",
        names.join(", "),
        r.run,
        if outcome.runs.len() > 1 {
            ", the median-burn run"
        } else {
            ""
        }
    )?;
    let mut t = Table::new(
        &[
            "",
            "Prividiums",
            "public chains",
            "total",
            "Prividium share",
        ],
        &[
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
    );
    for (name, p, q, a) in rows(&r.prividium) {
        let text = |w: U256| {
            if matches!(name, "calls" | "fixed-fee calls" | "bundles") {
                fmt::count(u64::try_from(w).unwrap_or(u64::MAX))
            } else {
                fmt::zk_exact(w)
            }
        };
        t.row(vec![
            name.to_string(),
            text(p),
            text(q),
            text(a),
            percent(share_bps(p, a)),
        ]);
    }
    t.write(out)?;
    Ok(())
}
