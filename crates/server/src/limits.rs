//! Every limit on what the run store, `flywheel runs` and the HTTP API accept, in one place.
//! Each is checked before work starts and refused with an error naming the field, the limit
//! and the value.

pub use flywheel_sim::scenario::MAX_SCENARIO_BYTES;

/// Longest saved scenario name, characters (names appear in URLs and file names).
pub const MAX_NAME_CHARS: usize = 64;
/// Largest flow-mode stored run, runs × days: a few seconds on two cores in a release build.
pub const MAX_FLOW_PATH_DAYS: u64 = 2_000_000;
/// Largest stored run whose per-step CSV is kept, runs × days: about 40 MB of CSV in one row.
pub const MAX_STEPS_PATH_DAYS: u64 = 200_000;
/// Largest event-mode stored run, runs × days (every bundle goes through the protocol model,
/// about a thousand times the work of a flow day).
pub const MAX_EVENT_PATH_DAYS: u64 = 2_000;
/// Most paths of a what-if run (the synchronous endpoint behind the dashboard's sliders).
pub const MAX_WHATIF_RUNS: u32 = 1_000;
/// Longest horizon of a what-if run, days.
pub const MAX_WHATIF_DAYS: u32 = 3_650;
/// Most path-days (runs × days) of a what-if run: five times the dashboard's 200 × 365, so
/// one request never holds a core for long.
pub const MAX_WHATIF_PATH_DAYS: u64 = 400_000;
/// Most paths of a proposal's impact (`POST /api/proposals`): it runs the base and the
/// changed scenario at three elasticities, six Monte Carlos.
pub const MAX_PROPOSAL_RUNS: u32 = 500;
/// Most path-days (runs × days) of each of a proposal's six Monte Carlos: six together are
/// 1.5 times a largest what-if run, and the dashboard's 200 × 365 fits.
pub const MAX_PROPOSAL_PATH_DAYS: u64 = 100_000;
/// Most stored runs queued or running in one server at once; more are refused with 429.
pub const MAX_ACTIVE_RUNS: usize = 16;
/// Largest request body, bytes: a scenario at its limit, escaped as a JSON string, with room.
pub const MAX_BODY_BYTES: usize = 3 * MAX_SCENARIO_BYTES as usize;
/// Most dotted overrides in one request.
pub const MAX_OVERRIDES: usize = 256;
/// Most what-if runs in flight at once (computing or waiting for one of the
/// [`MAX_WHATIFS_COMPUTING`] slots); more are refused with 429 instead of queueing without end.
pub const MAX_WHATIFS_IN_FLIGHT: usize = 8;
/// What-if runs computing at once (each is already parallel across cores).
pub const MAX_WHATIFS_COMPUTING: usize = 2;
/// Most open connections; the server stops accepting until one closes. Each costs a file
/// descriptor and a few KiB, and idle ones close after [`HEADER_READ_TIMEOUT`]: room for a thousand
/// idle or slow clients with a normal request still served meanwhile.
pub const MAX_CONNECTIONS: usize = 4_096;
/// Time a client has to send a request's headers, from its connection opening or from the end
/// of the previous response on a kept-alive connection: an idle or slow connection is closed
/// after it, so idle connections cannot pile up.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Time a client has to send a whole request body once its headers are in: 3 MiB at 50 KB/s.
pub const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Longest header value quoted back in an error, characters.
pub const MAX_QUOTED_CHARS: usize = 80;

/// How long `flywheel serve` waits for a client (tests shorten them to see them act).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// See [`HEADER_READ_TIMEOUT`].
    pub header: std::time::Duration,
    /// See [`BODY_READ_TIMEOUT`].
    pub body: std::time::Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header: HEADER_READ_TIMEOUT,
            body: BODY_READ_TIMEOUT,
        }
    }
}
/// The largest seed: the scenario schema's maximum (a TOML integer is signed 64-bit).
pub const MAX_SEED: u64 = i64::MAX as u64;
