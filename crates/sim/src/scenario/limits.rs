//! Every limit of the sim crate, in one place: each count, size, amount and price a scenario
//! (or a sweep) controls is bounded here, checked before anything is allocated for it, and
//! named with its limit and the value found when refused. `validate()` and the schema's ranges
//! read the same constants, and `flywheel --help` lists them. The modules they bound re-export
//! theirs, so older paths (`process::MAX_DRIFT_PER_YEAR`) keep working.

use alloy_primitives::U256;

// The scenario file and its top-level keys.

/// Longest horizon, days (a century): keeps runs finite and per-day arrays small.
pub const MAX_DAYS: u32 = 36_500;
/// At most this many runs per invocation.
pub const MAX_RUNS: u32 = 1_000_000;
/// At most this many calls per day.
pub const MAX_CALLS_PER_DAY: f64 = 1e12;
/// Lowest USD price of ZK or ETH, in every price model (constant, GBM and CSV alike): below
/// it, fees in USD underflow to nothing.
pub const MIN_PRICE_USD: f64 = 1e-12;
/// Highest USD price of ZK or ETH, in every price model: above it, the operators' fee in wei
/// (a settlement fee's USD value over the base token's price) leaves the range a `U256`
/// conversion keeps.
pub const MAX_PRICE_USD: f64 = 1e12;
/// Largest scenario file read, bytes (a scenario is a page of TOML; this is a thousand pages).
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;
/// Largest CSV source read, bytes.
pub const MAX_CSV_BYTES: u64 = 4 << 20;
/// Most lines in a CSV source: a header and one value per day of the longest horizon.
pub const MAX_CSV_ROWS: usize = MAX_DAYS as usize + 1;
/// Most chains in a scenario.
pub const MAX_CHAINS: usize = 64;
/// How far the chains' traffic shares may sum from 1: room for the rounding of decimal
/// shares written in a file (`0.1 + 0.2`), not for a share left out.
pub const MAX_SHARE_SUM_ERROR: f64 = 1e-9;
/// Most calls per bundle.
pub const MAX_CALLS_PER_BUNDLE: u32 = 1_000;
/// Most scheduled governance changes.
pub const MAX_CHANGES: usize = 1_000;
/// Most staking seasons.
pub const MAX_SEASONS: usize = 100;
/// Most traffic regimes.
pub const MAX_REGIMES: usize = 100;
/// Smallest aggregate stake when staking is enabled, whole ZK. The simulator models the
/// whole pilot's stake in aggregate; a stake of a few wei would turn the Splitter's staking
/// share into yields of 10^25 a year, which no chart or table can show usefully.
pub const MIN_INITIAL_STAKE_ZK: u64 = 1_000;

/// Largest per-call fee, whole ZK (`protocol.fixed_interop_fee`,
/// `protocol.gateway_settlement_fee` and scheduled settlement fees): a million ZK a call,
/// 100,000 times the seed's 10 ZK. Above it every settlement fails for want of ZK and the run
/// measures nothing; the max-supply bound alone would still let one call cost every token.
pub const MAX_FEE_PER_CALL_ZK: u64 = 1_000_000;

/// Largest ZK amount any key takes: the token's max supply, 21,000,000,000 ZK
/// (zk-governance@b501cc8:l2-contracts/src/ZkTokenV3.sol `_maxSupply`, the protocol's
/// `flywheel_protocol::token::MAX_SUPPLY`). No threshold, treasury, stake or cap can exceed
/// every token that may ever exist.
pub const MAX_ZK_AMOUNT: U256 = flywheel_protocol::token::MAX_SUPPLY;

/// [`MAX_ZK_AMOUNT`] in whole ZK: the bound the schema states for ZK amount keys (amount keys
/// give their `minimum`/`maximum` in whole units of their `x-unit`).
pub const MAX_ZK_WHOLE: u64 = 21_000_000_000;
/// Basis points in a whole: a share in bps lies in [0, 10,000] (the Splitter refuses more,
/// `Splitter_InvalidBurnPercentage`: zk-token-fee-flow@69e8d9a:src/Splitter.sol).
pub const BPS: u16 = 10_000;
/// Longest gap between settlement-fee sweeps, days (ten years).
pub const MAX_SWEEP_EVERY_DAYS: u32 = 3_650;
/// Operators' margin over the settlement cost: from giving it all away (-1) to a 100-fold.
pub const MIN_MARGIN: f64 = -1.0;
/// See [`MIN_MARGIN`].
pub const MAX_MARGIN: f64 = 100.0;
/// Largest gas cost of a Fee Flow claim, USD.
pub const MAX_GAS_USD: f64 = 1e9;
/// Largest stake response to yield (`staking.elasticity`).
pub const MAX_ELASTICITY: f64 = 100.0;
/// Largest price elasticity of interop traffic (`demand.elasticity`).
pub const MAX_DEMAND_ELASTICITY: f64 = 10.0;
/// Largest target yield of stakers (1,000% a year).
pub const MAX_TARGET_YIELD: f64 = 10.0;
/// Longest staking season, days.
pub const MAX_SEASON_DAYS: u32 = 3_650;

// Traffic and price processes (`process`).

/// Lowest growth a year of a traffic model (-99%: traffic never reaches zero by growth).
pub const MIN_GROWTH_PER_YEAR: f64 = -0.99;
/// Highest growth a year of a traffic model (a 101-fold a year).
pub const MAX_GROWTH_PER_YEAR: f64 = 100.0;
/// Largest drift a year of a GBM, either sign.
pub const MAX_DRIFT_PER_YEAR: f64 = 10.0;
/// Largest volatility a year of a GBM.
pub const MAX_VOLATILITY_PER_YEAR: f64 = 10.0;

// The `[priority_mode]` section (`priority_mode`).

/// Most deposits a day.
pub const MAX_DEPOSITS_PER_DAY: u32 = 10_000;
/// Largest value a deposit delivers, whole ETH.
pub const MAX_DEPOSIT_VALUE_ETH: u64 = 1_000_000;
/// Smallest L2 gas limit of a deposit (a plain transfer's 21,000).
pub const MIN_L2_GAS_LIMIT: u64 = 21_000;
/// Largest L2 gas limit of a deposit: a new chain's `priorityTxMaxGasLimit`,
/// `DEFAULT_PRIORITY_TX_MAX_GAS_LIMIT` = 72,000,000
/// (era-contracts@4859b6f:l1-contracts/contracts/common/Config.sol).
pub const MAX_L2_GAS_LIMIT: u64 = 72_000_000;
/// Highest L1 gas price, gwei.
pub const MAX_L1_GAS_PRICE_GWEI: u64 = 100_000;
/// Last hour of a day.
pub const MAX_OPERATOR_HOUR: u32 = 23;
/// Most L2 transactions in an operator's batch.
pub const MAX_L2_TXS_PER_BATCH: u64 = 1_000_000;
/// Most requests the rescuer settles per batch.
pub const MAX_L1_TXS_PER_BATCH: u64 = 100_000;
/// Longest wait before a deactivation ZIP, days.
pub const MAX_DEACTIVATION_ZIP_AFTER_DAYS: u32 = 3_650;
/// Most interop sends the chain's users try a day.
pub const MAX_INTEROP_ATTEMPTS_PER_DAY: u32 = 1_000;

// The `[prividium]` section (`prividium`).

/// Most permissioned users of an institution.
pub const MAX_USERS: u32 = 1_000;
/// At most this many institutions.
pub const MAX_INSTITUTIONS: usize = 64;

// Sweeps and tornadoes (`sweep`).

/// At most this many values per axis.
pub const MAX_AXIS_VALUES: usize = 100;
/// At most this many cells per grid.
pub const MAX_CELLS: usize = 10_000;
/// Smallest `--spread`: 1%. Below it, the tornado's arms differ from the base by less than
/// the Monte Carlo's own noise between cells is worth reading.
pub const MIN_SPREAD: f64 = 0.01;
/// Largest `--spread`: 100% (the low arm at 0, the high arm at twice the base).
pub const MAX_SPREAD: f64 = 1.0;
/// Finest `--spread`: 0.0001 (one basis point), so that the factors print exactly
/// (`×0.5 and ×1.5`, never `×1.9999989999999999`).
pub const SPREAD_STEP: f64 = 0.0001;

// Monte Carlo output (`monte_carlo`).

/// At most this many banded days per run (charts need no more); days are sampled evenly and
/// the last day is always included.
pub const MAX_BANDED_DAYS: u32 = 400;
