//! Every limit on what the devnet accepts (its configuration, JSON-RPC requests, log queries
//! and the bench), in one place. Each is checked before work starts and refused with an error
//! naming the key or parameter, the limit and the value.

use std::time::Duration;

/// Most blocks one `eth_getLogs` scans (a wider range is refused, as public nodes do).
pub const MAX_LOG_RANGE: u64 = 100_000;

/// Most L2 chains one devnet runs (each has its own port and state).
pub const MAX_L2_COUNT: usize = 32;

/// Shortest batch interval accepted.
pub const MIN_BATCH_INTERVAL: Duration = Duration::from_millis(10);

/// Longest block or batch interval accepted (one day).
pub const MAX_INTERVAL: Duration = Duration::from_secs(86_400);

/// Most transactions per throughput run: enough for a steady rate, bounded so a run cannot
/// fill the memory with blocks.
pub const MAX_TXS: u64 = 100_000;

/// Largest request body accepted, in bytes (5 MiB, geth's HTTP limit): room for a batch of
/// contract deployments, small enough that one request cannot exhaust memory.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// Most calls in one batch request (as geth's default `BatchRequestLimit`).
pub const MAX_BATCH: usize = 1000;

/// Largest `devnet.toml` read, in bytes (1 MiB: a few hundred bytes per chain, at most
/// [`MAX_L2_COUNT`] chains).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Largest `--state` file read, in bytes (256 MiB): room for long sessions' logs and blocks,
/// bounded so a wrong path (a disk image, `/dev/zero`) is refused before it is read.
pub const MAX_STATE_BYTES: u64 = 256 * 1024 * 1024;

/// Most accounts one `eth_call` / `eth_estimateGas` may override (each override is looked up
/// on every account access of the call).
pub const MAX_OVERRIDE_ACCOUNTS: usize = 1000;

/// Most blocks one `eth_feeHistory` reports (geth's cap); a larger `blockCount` is clamped to
/// it, as geth does.
pub const MAX_FEE_HISTORY_BLOCKS: u64 = 1024;

/// Most reward percentiles one `eth_feeHistory` takes (geth's query limit).
pub const MAX_REWARD_PERCENTILES: usize = 100;

/// Most filters installed at once on one chain (`eth_newFilter`, `eth_newBlockFilter`): a
/// client that installs and never uninstalls cannot grow the devnet's memory without bound.
pub const MAX_FILTERS: usize = 1000;

/// A filter not polled for this long is removed (geth's timeout, 5 minutes).
pub const FILTER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How long `flywheel devnet trace` waits to connect, send and read an answer.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Most WebSocket connections open at once on one chain; a further upgrade is answered with
/// HTTP 503 naming the limit.
pub const MAX_WS_CONNECTIONS: usize = 256;

/// Most subscriptions one WebSocket connection holds (`eth_subscribe` beyond it is refused
/// with an error naming the limit).
pub const MAX_WS_SUBSCRIPTIONS: usize = 100;

/// Largest WebSocket message or frame accepted, in bytes: the HTTP body limit
/// ([`MAX_BODY_BYTES`]). A larger one closes the connection (close code 1009).
pub const MAX_WS_MESSAGE_BYTES: usize = MAX_BODY_BYTES;

/// How often a WebSocket connection with subscriptions looks for new blocks.
pub const WS_POLL: Duration = Duration::from_millis(20);
