//! The section a run's report adds for a scenario with a Stage 1 chain (`[priority_mode]`):
//! how long its deposits waited, what priority mode did, and what happened to its fees and
//! interop. Medians across runs (the chain's agents draw nothing random, so every run tells
//! the same story unless the scenario changes that).

use crate::number as fmt;
use alloy_primitives::U256;
use flywheel_protocol::units::format_amount;
use flywheel_sim::monte_carlo::Outcome;
use flywheel_sim::priority_mode::PriorityReport;
use flywheel_sim::scenario::Validated;
use flywheel_sim::summary::quantile_u256;

/// `3d 04h 05m 06s` (days omitted when zero).
pub fn duration(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
    );
    if d > 0 {
        format!("{d}d {h:02}h {m:02}m {s:02}s")
    } else {
        format!("{h:02}h {m:02}m {s:02}s")
    }
}

/// The median across runs of one figure.
fn median(reports: &[PriorityReport], f: impl Fn(&PriorityReport) -> U256) -> U256 {
    let mut v: Vec<U256> = reports.iter().map(f).collect();
    quantile_u256(&mut v, 0.5)
}

/// The section's title and (label, value) rows, if the scenario has a Stage 1 chain.
pub fn section(v: &Validated, outcome: &Outcome) -> Option<(String, Vec<Vec<String>>)> {
    let p = v.priority_mode.as_ref()?;
    let reports: Vec<PriorityReport> = outcome.runs.iter().filter_map(|r| r.priority).collect();
    if reports.is_empty() {
        return None;
    }
    let m = |f: &dyn Fn(&PriorityReport) -> U256| median(&reports, f);
    let n = |f: &dyn Fn(&PriorityReport) -> u64| {
        u64::try_from(m(&|r| U256::from(f(r)))).unwrap_or(u64::MAX)
    };
    let secs = |f: &dyn Fn(&PriorityReport) -> u64| duration(n(f));
    let eth = |w: U256| format!("{} ETH", format_amount(w));
    let gwei = |w: U256| format!("{} gwei", format_amount(w * U256::from(1_000_000_000u64)));
    let s = &p.spec;
    let title = format!(
        "Stage 1 chain {} (settles on L1; {}{}; median over runs)",
        s.chain,
        if s.armed { "armed" } else { "not armed" },
        if s.censor_days == 0 {
            format!(", operator censors from day {}", s.censor_from_day)
        } else {
            format!(
                ", operator censors days {}–{}",
                s.censor_from_day,
                s.censor_from_day + s.censor_days - 1
            )
        }
    );
    let first = {
        let mut v: Vec<U256> = reports
            .iter()
            .filter_map(|r| r.first_activation_s.map(U256::from))
            .collect();
        (v.len() * 2 > reports.len())
            .then(|| u64::try_from(quantile_u256(&mut v, 0.5)).unwrap_or(u64::MAX))
    };
    let rows: Vec<(&str, String)> = vec![
        (
            "deposits requested / processed / waiting",
            format!(
                "{} / {} / {}",
                fmt::count(n(&|r| r.requests)),
                fmt::count(n(&|r| r.processed)),
                fmt::count(n(&|r| r.pending))
            ),
        ),
        (
            "delay request → processing: median",
            secs(&|r| r.delay_p50_s),
        ),
        ("delay: p95", secs(&|r| r.delay_p95_s)),
        ("delay: max", secs(&|r| r.delay_max_s)),
        ("delay: mean", secs(&|r| r.delay_mean_s)),
        (
            "oldest deposit still waiting",
            secs(&|r| r.oldest_pending_s),
        ),
        (
            "priority mode activations / deactivations (ZIP)",
            format!("{} / {}", n(&|r| r.activations), n(&|r| r.deactivations)),
        ),
        (
            "first activation",
            first.map_or_else(|| "never".into(), |t| format!("after {}", duration(t))),
        ),
        (
            "batches reverted by activation",
            fmt::count(n(&|r| r.reverted_batches)),
        ),
        (
            "batches settled by the permissionless validator",
            fmt::count(n(&|r| r.validator_batches)),
        ),
        (
            "operator settlements refused in priority mode",
            fmt::count(n(&|r| r.operator_refusals)),
        ),
        (
            "interop sends refused (NotInGatewayMode)",
            fmt::count(n(&|r| r.interop_refused)),
        ),
        (
            "L2 fees paid by depositors",
            eth(m(&|r| r.deposit_fees_wei)),
        ),
        (
            "  of which earned by the operator",
            eth(m(&|r| r.fees_to_operator_wei)),
        ),
        (
            "  of which earned by the rescuer",
            eth(m(&|r| r.fees_to_rescuer_wei)),
        ),
        (
            "reference L2 gas price start / max / end",
            format!(
                "{} / {} / {}",
                gwei(m(&|r| r.gas_price_start_wei)),
                gwei(m(&|r| r.gas_price_max_wei)),
                gwei(m(&|r| r.gas_price_end_wei))
            ),
        ),
    ];
    let rows = rows
        .into_iter()
        .map(|(label, value)| vec![label.to_string(), value])
        .collect();
    Some((title, rows))
}

/// Adds the Stage 1 section to a report page (before its end), if the scenario has one.
pub fn add_to_html(html: &mut String, v: &Validated, outcome: &Outcome) {
    let Some((title, rows)) = section(v, outcome) else {
        return;
    };
    let block = format!(
        "<h2>{}</h2>\n{}",
        crate::html::escape(&title),
        crate::html::table(&["", "value"], &rows)
    );
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, &block),
        None => html.push_str(&block),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_days_hours_minutes_seconds() {
        assert_eq!(super::duration(0), "00h 00m 00s");
        assert_eq!(super::duration(4 * 86_400), "4d 00h 00m 00s");
        assert_eq!(super::duration(86_400 + 3_661), "1d 01h 01m 01s");
    }
}
