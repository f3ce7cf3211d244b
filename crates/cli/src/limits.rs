//! Every limit on what a user gives `flywheel`, in one place: the simulator's (re-exported from
//! `flywheel_sim`, where scenarios are validated) and the command line's own. Each is checked
//! before anything is allocated for the value it bounds, refused with a one-line error naming
//! the flag or key, the limit and the value, and shown in `--help` ([`summary`]).

pub use flywheel_sim::scenario::{
    MAX_CALLS_PER_BUNDLE, MAX_CALLS_PER_DAY, MAX_CHAINS, MAX_CHANGES, MAX_CSV_BYTES, MAX_CSV_ROWS,
    MAX_DAYS, MAX_FEE_PER_CALL_ZK, MAX_PRICE_USD, MAX_REGIMES, MAX_RUNS, MAX_SCENARIO_BYTES,
    MAX_SEASONS, MIN_INITIAL_STAKE_ZK, MIN_PRICE_USD,
};
pub use flywheel_sim::sweep::{MAX_AXIS_VALUES, MAX_CELLS, MAX_SPREAD, MIN_SPREAD, SPREAD_STEP};

/// Largest bundle description `interop bundle-hash` reads, from a file or stdin, bytes: room
/// for megabytes of calldata, while `/dev/zero` or an endless pipe is cut off at once.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;
/// Most parameters in one sweep.
pub const MAX_SWEEP_PARAMS: usize = 3;
/// Most event-mode bundles `flywheel bench` sends: the per-bundle state (handler statuses,
/// logs trees) of ten million bundles fits the machine's memory.
pub const MAX_BENCH_BUNDLES: usize = 10_000_000;

/// Most shards `flywheel run --shard I/N` splits runs into (a shard holds at least one run;
/// this also bounds `flywheel merge`'s folders).
pub const MAX_SHARDS: u32 = 10_000;
/// Largest `shard.json` `flywheel merge` reads: sketches of at most 400 banded days, a few
/// numbers per run, and run 0's days.
pub const MAX_SHARD_FILE_BYTES: u64 = flywheel_report::shard::MAX_SHARD_FILE_BYTES;

/// A clap value parser for a whole number from `lo` to `hi`: digits only (a `-1` reaches it
/// and is refused by name, instead of being taken for an unknown flag), and an error that
/// states the limits.
pub fn whole<T>(lo: u64, hi: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync
where
    T: TryFrom<u64>,
{
    move |text: &str| {
        let limits = format!("a whole number from {} to {}", grouped(lo), grouped(hi));
        let n = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse::<u64>().ok()
        } else {
            None
        };
        match n {
            Some(n) if (lo..=hi).contains(&n) => {
                T::try_from(n).map_err(|_| format!("must be {limits}"))
            }
            Some(_) => Err(format!("must be {limits}; {text} is out of range")),
            None => Err(format!("must be {limits}")),
        }
    }
}

/// `1234567` → `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in MiB for help text (`16 MiB`).
fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

/// Help of the simulation commands' `--days`.
pub fn days_help() -> String {
    format!(
        "Horizon in days, 1 to {}. Shorter than the scenario's own, it leaves out the governance changes and staking seasons scheduled from that day on (they could not happen in time)",
        grouped(MAX_DAYS.into())
    )
}

/// Help of the simulation commands' `--runs`.
pub fn runs_help() -> String {
    format!("Monte Carlo paths, 1 to {}", grouped(MAX_RUNS.into()))
}

/// Help of `bench --days`.
pub fn bench_days_help() -> String {
    format!("Days per flow-mode path, 1 to {}", grouped(MAX_DAYS.into()))
}

/// Help of `bench --runs`.
pub fn bench_runs_help() -> String {
    format!(
        "Flow-mode Monte Carlo paths, 1 to {}",
        grouped(MAX_RUNS.into())
    )
}

/// Help of `--seed`.
pub fn seed_help() -> String {
    "Base seed, 0 to 18,446,744,073,709,551,615 (run i draws from a stream derived from seed and i)"
        .to_string()
}

/// Help of `bench --bundles`.
pub fn bundles_help() -> String {
    format!(
        "Event-mode bundles sent, settled, proven and executed, 1 to {}",
        grouped(MAX_BENCH_BUNDLES as u64)
    )
}

/// Help of `sensitivity --spread`.
pub fn spread_help() -> String {
    format!(
        "Move each parameter down and up by this fraction (0.5: ×0.5 and ×1.5), from {MIN_SPREAD} to {MAX_SPREAD} in steps of {SPREAD_STEP}; clamped to each parameter's range. A parameter at 0 moves by the fraction of its step instead (see `flywheel sweep --help`)"
    )
}

/// The limits of the run store and `flywheel serve`'s API, for `--help`.
#[cfg(feature = "server")]
fn server_summary() -> String {
    use flywheel_server::limits as l;
    format!(
        "
  run store          saved names 1 to {name} characters; stored runs at most {flow} runs x days
                     (flow) or {event} (event), {steps} with steps kept; at most {active}
                     queued or running per server
  serve API          bodies {body}; what-if runs flow only, at most {wr} runs, {wd} days and
                     {wpd} runs x days; at most {ov} dotted overrides",
        name = l::MAX_NAME_CHARS,
        flow = grouped(l::MAX_FLOW_PATH_DAYS),
        event = grouped(l::MAX_EVENT_PATH_DAYS),
        steps = grouped(l::MAX_STEPS_PATH_DAYS),
        active = l::MAX_ACTIVE_RUNS,
        body = mib(l::MAX_BODY_BYTES as u64),
        wr = grouped(l::MAX_WHATIF_RUNS.into()),
        wd = grouped(l::MAX_WHATIF_DAYS.into()),
        wpd = grouped(l::MAX_WHATIF_PATH_DAYS),
        ov = l::MAX_OVERRIDES,
    )
}

#[cfg(not(feature = "server"))]
fn server_summary() -> String {
    String::new()
}

/// The limits section of `flywheel --help` and of the simulation commands' help.
pub fn summary() -> String {
    let mut s = core_summary();
    s.push_str(&server_summary());
    s
}

fn core_summary() -> String {
    format!(
        "Limits (anything larger is refused with an error naming it):
  --runs             1 to {runs} Monte Carlo paths (scenario key `runs` too)
  --days             1 to {days} days (scenario key `days` too)
  --seed             0 to 2^64-1
  sweep              1 to {params} --param, at most {axis} values each, {cells} cells in all
  --spread           {min_spread} to {max_spread}, in steps of {step}
  --shard I/N        N from 1 to {shards} and at most the runs; merge reads shard.json up to {shard_file}
  bench              --runs as above, --bundles 1 to {bundles}
  bundle-hash input  {input}, from a file or stdin
  scenario file      {scenario}; CSV sources {csv} and {rows} lines each
  ZK amounts         at most the 21,000,000,000 ZK max supply (thresholds, treasuries,
                     stakes, caps); fees at most {fee} ZK a call; a stake of at least
                     {stake} ZK when staking is enabled
  prices             {min_price} to {max_price} USD, in every price model including CSV
  traffic            at most {calls} calls a day, {per_bundle} calls per bundle
  scenario lists     {chains} chains, {changes} governance changes, {seasons} staking seasons,
                     {regimes} traffic regimes; changes and seasons within the horizon",
        runs = grouped(MAX_RUNS.into()),
        days = grouped(MAX_DAYS.into()),
        params = MAX_SWEEP_PARAMS,
        axis = MAX_AXIS_VALUES,
        cells = grouped(MAX_CELLS as u64),
        min_spread = MIN_SPREAD,
        max_spread = MAX_SPREAD,
        step = SPREAD_STEP,
        shards = grouped(MAX_SHARDS.into()),
        shard_file = mib(MAX_SHARD_FILE_BYTES),
        bundles = grouped(MAX_BENCH_BUNDLES as u64),
        input = mib(MAX_INPUT_BYTES),
        scenario = mib(MAX_SCENARIO_BYTES),
        csv = mib(MAX_CSV_BYTES),
        rows = grouped(MAX_CSV_ROWS as u64),
        stake = grouped(MIN_INITIAL_STAKE_ZK),
        fee = grouped(MAX_FEE_PER_CALL_ZK),
        min_price = MIN_PRICE_USD,
        max_price = grouped(MAX_PRICE_USD as u64),
        calls = grouped(MAX_CALLS_PER_DAY as u64),
        per_bundle = grouped(MAX_CALLS_PER_BUNDLE.into()),
        chains = MAX_CHAINS,
        changes = grouped(MAX_CHANGES as u64),
        seasons = MAX_SEASONS,
        regimes = MAX_REGIMES,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_states_each_limit() {
        let s = summary();
        for needle in [
            grouped(MAX_RUNS.into()),
            grouped(MAX_DAYS.into()),
            grouped(MAX_CELLS as u64),
            grouped(MAX_SHARDS.into()),
            "256 MiB".into(),
            grouped(MAX_BENCH_BUNDLES as u64),
            "16 MiB".into(),
            "1 MiB".into(),
            "4 MiB".into(),
            grouped(MAX_CSV_ROWS as u64),
            "0.000000000001".into(),
            "1,000,000,000,000 USD".into(),
        ] {
            assert!(s.contains(&needle), "{needle} in {s}");
        }
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(999), "999");
    }
}
