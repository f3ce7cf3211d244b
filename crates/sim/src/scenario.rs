//! Scenario files: the whole experiment as data (TOML), validated with errors that name the
//! key, the allowed range and the value found.
//!
//! Units: token amounts are strings with a unit (`"10 ZK"`, `"0.0001 ETH"`, `"5 wei"`); a
//! bare number means whole tokens of the field's asset. Prices are USD floats (prices drive
//! agents' decisions only; every token amount stays integer wei). Rates are per year; shares
//! are fractions in [0, 1] or basis points where the contracts use basis points.

use crate::process::{PriceModel, TrafficModel};
use alloy_primitives::U256;
use flywheel_protocol::governance::{GovernanceConfig, GovernorKind, UpgradeApproval};
use flywheel_protocol::units::{self, tokens};
use serde::{Deserialize, Serialize};

/// A validation failure: which key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scenario key `{key}`: {problem}")]
pub struct ScenarioError {
    /// Dotted path of the offending key.
    pub key: String,
    /// What is wrong, with the allowed range and the value found.
    pub problem: String,
}

impl ScenarioError {
    pub(crate) fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

/// How finely the protocol is exercised.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Fidelity {
    /// A step's calls go through the fee arithmetic as aggregates: fast, for Monte Carlo.
    #[default]
    Flow,
    /// Every bundle is built, hashed, settled, proven and executed on the protocol model.
    Event,
}

impl std::str::FromStr for Fidelity {
    type Err = ScenarioError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "flow" => Ok(Self::Flow),
            "event" => Ok(Self::Event),
            other => Err(ScenarioError::new(
                "fidelity",
                format!("must be `flow` or `event`, got `{other}`"),
            )),
        }
    }
}

/// A chain's base token, as far as the simulation prices it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum BaseToken {
    /// Ether.
    #[serde(rename = "ETH")]
    Eth,
    /// ZK (a ZK-based chain).
    #[serde(rename = "ZK")]
    Zk,
}

/// One ZK chain settling on Gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainSpec {
    /// Display name.
    #[schemars(extend("x-source" = "assumption"))]
    pub name: String,
    /// Base token.
    #[schemars(extend("x-source" = "assumption"))]
    pub base_token: BaseToken,
    /// Share of all interop calls sent from this chain (shares sum to 1).
    #[schemars(range(min = 0, max = 1), extend("x-unit" = "fraction", "x-step" = 0.05, "x-source" = "assumption"))]
    pub traffic_share: f64,
}

/// How users pick the fee mode of their bundles.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FeeModeChoice {
    /// Whichever is cheaper at today's prices (ties go to the base-token fee).
    #[default]
    Cheapest,
    /// Always the base-token (dynamic) fee.
    Dynamic,
    /// Always the fixed ZK fee.
    Fixed,
}

/// Users: bundling and fee-mode choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Users {
    /// Calls per bundle (every bundle carries this many calls).
    #[schemars(range(min = 1, max = MAX_CALLS_PER_BUNDLE), extend("x-unit" = "calls/bundle", "x-step" = 1, "x-source" = "assumption"))]
    pub calls_per_bundle: u32,
    /// How the rest of the users choose.
    #[schemars(extend("x-source" = "assumption (users' policy)"))]
    pub fee_mode: FeeModeChoice,
    /// Share of calls whose senders always pay the fixed ZK fee (e.g. institutions holding ZK).
    #[schemars(range(min = 0, max = 1), extend("x-unit" = "fraction", "x-step" = 0.05, "x-source" = "assumption"))]
    pub always_fixed_share: f64,
}

impl Default for Users {
    fn default() -> Self {
        Self {
            calls_per_bundle: 1,
            fee_mode: FeeModeChoice::Cheapest,
            always_fixed_share: 0.0,
        }
    }
}

/// How operators set `interopProtocolFee`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OperatorPolicy {
    /// Cover the Gateway settlement fee at today's ZK price, plus a margin.
    #[default]
    Cover,
    /// Charge nothing (operators absorb the settlement fee).
    Zero,
}

/// Operators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Operators {
    /// Fee policy.
    #[schemars(extend("x-source" = "assumption (operators' policy)"))]
    pub policy: OperatorPolicy,
    /// Margin over the settlement cost (0.1 = 10%).
    #[schemars(range(min = MIN_MARGIN, max = MAX_MARGIN), extend("x-unit" = "fraction", "x-step" = 0.05, "x-source" = "assumption (operators' policy)"))]
    pub margin: f64,
    /// ZK each operator holds at genesis to pay settlement fees (whole ZK).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_ZK_WHOLE, "x-step" = 100000, "x-source" = "assumption"))]
    pub zk_treasury: String,
    /// Whether operators buy the ZK they lack for a settlement from the market.
    #[schemars(extend("x-source" = "assumption"))]
    pub buy_zk: bool,
}

impl Default for Operators {
    fn default() -> Self {
        Self {
            policy: OperatorPolicy::Cover,
            margin: 0.1,
            zk_treasury: "1000000 ZK".into(),
            buy_zk: true,
        }
    }
}

/// The Fee Flow claimer: claims when the pool is worth at least the threshold plus gas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Claimer {
    /// Whether anyone claims.
    #[schemars(extend("x-source" = "assumption"))]
    pub enabled: bool,
    /// Gas cost of a claim, USD.
    #[schemars(range(min = 0, max = MAX_GAS_USD), extend("x-unit" = "USD", "x-step" = 1, "x-source" = "assumption"))]
    pub gas_usd: f64,
    /// ZK the claimer holds at genesis (whole ZK).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_ZK_WHOLE, "x-step" = 1000000, "x-source" = "assumption"))]
    pub zk_treasury: String,
    /// Whether a claimer short of the threshold buys the rest from the market (the users'
    /// holdings) — an arbitrageur funds claims from their proceeds. Without it, claims stop
    /// when the treasury runs out.
    #[schemars(extend("x-source" = "assumption"))]
    pub buy_zk: bool,
}

impl Default for Claimer {
    fn default() -> Self {
        Self {
            enabled: true,
            gas_usd: 5.0,
            zk_treasury: "1000000000 ZK".into(),
            buy_zk: true,
        }
    }
}

/// Prices of ZK and ETH in USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Prices {
    /// ZK/USD.
    pub zk: PriceModel,
    /// ETH/USD.
    pub eth: PriceModel,
}

impl Default for Prices {
    fn default() -> Self {
        Self {
            // The seed's market figure (26 May 2026).
            zk: PriceModel::Constant {
                initial_usd: 0.01454,
            },
            eth: PriceModel::Constant {
                initial_usd: 3000.0,
            },
        }
    }
}

/// Protocol parameters at genesis (all governance-set in the real system).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Protocol {
    /// `ZK_INTEROP_FEE` per call (ZK).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_FEE_PER_CALL_ZK, "x-step" = 1, "x-source" = "era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol"))]
    pub fixed_interop_fee: String,
    /// `gatewaySettlementFee` per interop call, whatever its fee mode (ZK).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_FEE_PER_CALL_ZK, "x-step" = 1, "x-source" = "assumption: the default 5 ZK is the model's; the contract's gatewaySettlementFee starts at 0 until its owner sets it (era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol)"))]
    pub gateway_settlement_fee: String,
    /// Fee Flow's `bidThreshold`: the ZK a claim pays (ZK). Default 1,000,000 ZK, the Era
    /// deployment's (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_ZK_WHOLE, "x-step" = 100000, "x-source" = "zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol"))]
    pub fee_flow_threshold: String,
    /// Fee Flow's `minBidThreshold` (ZK): thresholds below it are refused, as the contract
    /// refuses them (`FeeFlow_ThresholdBelowMin`). Default 100,000 ZK, the Era deployment's
    /// (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol); lowering it models another
    /// deployment.
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_ZK_WHOLE, "x-step" = 100000, "x-source" = "zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol"))]
    pub fee_flow_min_threshold: String,
    /// Share of operators' base-token fee revenue that they (or Era) choose to send to the Fee
    /// Flow pool, bps. An assumption, not a contract rule: `claimProtocolFees` pays operators
    /// their whole accrual and nothing on chain diverts any of it. ZK-denominated revenue (a
    /// ZK-based chain's base token) is never sent: Fee Flow cannot auction its own bid token.
    #[schemars(range(min = 0, max = BPS), extend("x-unit" = "bps", "x-step" = 100, "x-source" = "assumption"))]
    pub fee_flow_revenue_share_bps: u16,
    /// Splitter burn share, bps; the rest goes to staking rewards.
    #[schemars(range(min = 0, max = BPS), extend("x-unit" = "bps", "x-step" = 100, "x-source" = "zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol"))]
    pub burn_bps: u16,
    /// Every this many days GWAssetTracker's owner withdraws the settlement-fee vault to the
    /// Splitter and calls its `split()` (anyone may; the simulator's sweeper does).
    #[schemars(range(min = 1, max = MAX_SWEEP_EVERY_DAYS), extend("x-unit" = "days", "x-step" = 1, "x-source" = "assumption"))]
    pub sweep_every_days: u32,
    /// ZK supply at genesis (ZK). The seed quotes a 21B total supply.
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_ZK_WHOLE, "x-step" = 1000000000, "x-source" = "zk-governance@b501cc8:l2-contracts/src/ZkTokenV3.sol"))]
    pub genesis_supply: String,
}

impl Default for Protocol {
    fn default() -> Self {
        Self {
            fixed_interop_fee: "10 ZK".into(),
            gateway_settlement_fee: "5 ZK".into(),
            fee_flow_threshold: "1000000 ZK".into(),
            fee_flow_min_threshold: "100000 ZK".into(),
            fee_flow_revenue_share_bps: 0,
            burn_bps: 10_000,
            sweep_every_days: 1,
            genesis_supply: "21000000000 ZK".into(),
        }
    }
}

/// A parameter change governance makes on a given day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamChange {
    /// Day (from 0) the change is proposed (`via = "proposal"`, the default) or made
    /// (`via = "direct"`).
    #[schemars(range(min = 0, max = MAX_DAYS - 1), extend("x-unit" = "day", "x-step" = 1, "x-within-horizon" = true, "x-source" = "assumption"))]
    pub day: u32,
    /// `proposal`: it goes through the governor that may carry it (the settlement fee is
    /// GWAssetTracker's, a protocol upgrade: a ZIP; the Splitter and Fee Flow threshold belong
    /// to the Token Governor's timelock: a TPP) and takes effect after that governor's minimum
    /// latency (voting delay + period + timelock, and for a ZIP the L1 path with Security
    /// Council approval); one proposal goes to one governor, so ZIP and TPP settings need two
    /// changes. `direct`: the role acts the same day (for Fee Flow and the Splitter, their
    /// emergency admin may). A change of `fee_flow_revenue_share_bps` alone is no governance
    /// act: it takes effect on its day either way.
    #[serde(default)]
    #[schemars(extend("x-source" = "zk-governance@58df93f:l2-contracts/src (the governor that may carry each setting)"))]
    pub via: ChangeVia,
    /// New gateway settlement fee (ZK).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_FEE_PER_CALL_ZK, "x-step" = 1, "x-source" = "assumption"))]
    pub gateway_settlement_fee: Option<String>,
    /// New share of base-token fee revenue sent to Fee Flow, bps (an assumption, not a
    /// governance parameter: it cannot share a proposal with governed settings).
    #[schemars(range(min = 0, max = BPS), extend("x-unit" = "bps", "x-step" = 100, "x-source" = "assumption"))]
    pub fee_flow_revenue_share_bps: Option<u16>,
    /// New burn share, bps (the rest to staking rewards).
    #[schemars(range(min = 0, max = BPS), extend("x-unit" = "bps", "x-step" = 100, "x-source" = "assumption"))]
    pub burn_bps: Option<u16>,
    /// New Fee Flow threshold (ZK).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_ZK_WHOLE, "x-step" = 100000, "x-source" = "assumption"))]
    pub fee_flow_threshold: Option<String>,
}

/// How a scheduled change reaches the protocol.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChangeVia {
    /// Through a governance proposal (with its latency).
    #[default]
    Proposal,
    /// Directly by the admin role.
    Direct,
}

/// Governance: scheduled parameter changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Governance {
    /// Changes, applied on their day through governance's own actions.
    pub changes: Vec<ParamChange>,
}

/// One staking season: a capped minter whose MINTER_ROLE the off-chain reward script's signer
/// holds; it mints only what the script asks for (see `staking.target_rate_bps`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeasonSpec {
    /// The minter's cap (ZK).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = 0, "maximum" = MAX_ZK_WHOLE, "x-step" = 1000000, "x-source" = "TPP-12 (seasons of 10M and 25M ZK)"))]
    pub cap: String,
    /// First day of the season.
    #[schemars(range(min = 0, max = MAX_DAYS - 1), extend("x-unit" = "day", "x-step" = 1, "x-within-horizon" = true, "x-source" = "TPP-12"))]
    pub start_day: u32,
    /// Length in days.
    #[schemars(range(min = 1, max = MAX_SEASON_DAYS), extend("x-unit" = "days", "x-step" = 1, "x-source" = "TPP-12 (2 seasons, 6 months total)"))]
    pub days: u32,
}

/// The staking pilot, modelled in aggregate (see ARCHITECTURE.md): season emissions through
/// capped minters, the splitter's staking share, and a stake that responds to its yield.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StakingSpec {
    /// Whether seasons run at all.
    #[schemars(extend("x-source" = "TPP-12 (the staking pilot)"))]
    pub enabled: bool,
    /// ZK staked at genesis. Default 340M: the pilot's reported stake (review, 29 April 2026).
    #[schemars(extend("x-amount" = true, "x-unit" = "ZK", "minimum" = MIN_INITIAL_STAKE_ZK, "maximum" = MAX_ZK_WHOLE, "x-step" = 1000000, "x-source" = "assumption (the pilot's reported stake, review of 29 April 2026)"))]
    pub initial_stake: String,
    /// Chance that a delegate votes on a given proposal. A deposit earns when its delegate
    /// voted in at least 2 of the last 5 proposals (TPP-12), so the earning share of the stake
    /// is P(Binomial(5, p) ≥ 2).
    #[schemars(range(min = 0, max = 1), extend("x-unit" = "probability", "x-step" = 0.05, "x-source" = "assumption"))]
    pub delegate_vote_probability: f64,
    /// The OFF-CHAIN reward script's target rate, bps a year on the earning stake: its
    /// `--rate` (withtally/zkstaker@bff26f8:script/rewards/RequestMint.ts). Run daily, it mints
    /// through the season's capped minter whatever tops the staker's stream up to this rate.
    /// Staker.sol has no rate ceiling; this is the operator's policy. 0: the script refuses to
    /// run. Default 1,000 (10%): TPP-12's "up to 10%"; the README's examples use 3%.
    #[schemars(range(min = 0, max = BPS), extend("x-unit" = "bps/year", "x-step" = 100, "x-source" = "zkstaker@bff26f8:script/rewards/RequestMint.ts (--rate; TPP-12: up to 10%)"))]
    pub target_rate_bps: u16,
    /// Seasons. Default: TPP-12's 10M ZK then 25M ZK, 90 days each.
    pub seasons: Vec<SeasonSpec>,
    /// Daily stake response to yield: stake grows by `elasticity × (yield − target) / 365` of
    /// itself each day (0 = fixed stake).
    #[schemars(range(min = 0, max = MAX_ELASTICITY), extend("x-unit" = "ratio", "x-step" = 0.5, "x-source" = "assumption"))]
    pub elasticity: f64,
    /// The yield at which stakers neither enter nor leave.
    #[schemars(range(min = 0, max = MAX_TARGET_YIELD), extend("x-unit" = "fraction/year", "x-step" = 0.01, "x-source" = "assumption"))]
    pub target_yield: f64,
}

impl Default for StakingSpec {
    fn default() -> Self {
        Self {
            enabled: false,
            initial_stake: "340000000 ZK".into(),
            delegate_vote_probability: 0.7,
            target_rate_bps: 1_000,
            seasons: vec![
                SeasonSpec {
                    cap: "10000000 ZK".into(),
                    start_day: 0,
                    days: 90,
                },
                SeasonSpec {
                    cap: "25000000 ZK".into(),
                    start_day: 90,
                    days: 90,
                },
            ],
            elasticity: 0.0,
            target_yield: 0.05,
        }
    }
}

/// A whole experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name (shown in reports).
    #[schemars(extend("x-source" = "run setting"))]
    pub name: String,
    /// What it is about.
    #[serde(default)]
    #[schemars(extend("x-source" = "run setting"))]
    pub description: String,
    /// Horizon in days.
    #[serde(default = "default_days")]
    #[schemars(range(min = 1, max = MAX_DAYS), extend("x-unit" = "days", "x-step" = 1, "x-source" = "run setting"))]
    pub days: u32,
    /// Base seed; run `i` uses a stream derived from (seed, i).
    #[serde(default)]
    #[schemars(range(min = 0, max = i64::MAX), extend("x-unit" = "seed", "x-step" = 1, "x-source" = "run setting"))]
    pub seed: u64,
    /// Monte Carlo paths.
    #[serde(default = "default_runs")]
    #[schemars(range(min = 1, max = MAX_RUNS), extend("x-unit" = "runs", "x-step" = 1, "x-source" = "run setting"))]
    pub runs: u32,
    /// Flow or event fidelity.
    #[serde(default)]
    #[schemars(extend("x-source" = "run setting"))]
    pub fidelity: Fidelity,
    /// Total interop calls per day across chains.
    pub traffic: TrafficModel,
    /// Users.
    #[serde(default)]
    pub users: Users,
    /// Chains on Gateway.
    #[serde(default = "default_chains")]
    pub chains: Vec<ChainSpec>,
    /// Prices.
    #[serde(default)]
    pub prices: Prices,
    /// Protocol parameters.
    #[serde(default)]
    pub protocol: Protocol,
    /// Operators.
    #[serde(default)]
    pub operators: Operators,
    /// Fee Flow claimer.
    #[serde(default)]
    pub claimer: Claimer,
    /// Scheduled governance changes.
    #[serde(default)]
    pub governance: Governance,
    /// The staking pilot.
    #[serde(default)]
    pub staking: StakingSpec,
    /// An optional Stage 1 chain on L1 whose operator censors deposits, and the priority mode
    /// that rescues them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_mode: Option<crate::priority_mode::PriorityModeSpec>,
    /// Institutional Prividium chains (off unless institutions are listed).
    #[serde(default)]
    pub prividium: crate::prividium::PrividiumSpec,
}

fn default_days() -> u32 {
    365
}
fn default_runs() -> u32 {
    1
}
fn default_chains() -> Vec<ChainSpec> {
    vec![
        ChainSpec {
            name: "era".into(),
            base_token: BaseToken::Eth,
            traffic_share: 0.6,
        },
        ChainSpec {
            name: "eth-chain".into(),
            base_token: BaseToken::Eth,
            traffic_share: 0.3,
        },
        ChainSpec {
            name: "zk-chain".into(),
            base_token: BaseToken::Zk,
            traffic_share: 0.1,
        },
    ]
}

// Limits. Every count, size and amount a scenario controls is bounded here (or next to the
// process it belongs to), checked before anything is allocated for it, and named with its
// limit and the value found when refused. `flywheel --help` lists them.

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
/// Largest target yield of stakers (1,000% a year).
pub const MAX_TARGET_YIELD: f64 = 10.0;
/// Longest staking season, days.
pub const MAX_SEASON_DAYS: u32 = 3_650;

/// Parses a token amount field, checking its unit; a ZK amount is at most
/// [`MAX_ZK_AMOUNT`], the token's max supply.
pub fn amount(key: &str, text: &str, unit: &str) -> Result<U256, ScenarioError> {
    let value = amount_any(key, text, unit)?;
    if unit.eq_ignore_ascii_case("ZK") && value > MAX_ZK_AMOUNT {
        return Err(ScenarioError::new(
            key,
            format!(
                "must be at most the ZK max supply, 21,000,000,000 ZK, got {} ZK",
                units::format_amount(value)
            ),
        ));
    }
    Ok(value)
}

/// A per-call fee: a ZK amount of at most [`MAX_FEE_PER_CALL_ZK`].
pub fn fee(key: &str, text: &str) -> Result<U256, ScenarioError> {
    let value = amount(key, text, "ZK")?;
    if value > tokens(MAX_FEE_PER_CALL_ZK) {
        return Err(ScenarioError::new(
            key,
            format!(
                "a fee per call must be at most {MAX_FEE_PER_CALL_ZK} ZK, got {} ZK",
                units::format_amount(value)
            ),
        ));
    }
    Ok(value)
}

fn amount_any(key: &str, text: &str, unit: &str) -> Result<U256, ScenarioError> {
    let trimmed = text.trim();
    if let Some(found) = trimmed.split_whitespace().nth(1).or_else(|| {
        let i = trimmed.find(|c: char| c.is_ascii_alphabetic())?;
        Some(&trimmed[i..])
    }) {
        if !found.eq_ignore_ascii_case(unit) && !found.eq_ignore_ascii_case("wei") {
            return Err(ScenarioError::new(
                key,
                format!("expected an amount in {unit}, got `{text}` (unit {found})"),
            ));
        }
    }
    units::parse_amount(trimmed).map_err(|e| ScenarioError::new(key, e.to_string()))
}

/// Checks that `value` lies in `[lo, hi]`; the error names `key`, the range and the value.
pub fn range(key: &str, value: f64, lo: f64, hi: f64) -> Result<(), ScenarioError> {
    if !value.is_finite() || value < lo || value > hi {
        return Err(ScenarioError::new(
            key,
            format!("must be between {lo} and {hi}, got {}", shown(value)),
        ));
    }
    Ok(())
}

/// A number as people write it: `30`, `0.5`, `1e300` — not the 301 digits `Display` gives
/// `1e300`, nor `1.0` for `1` (the file's own text is gone once parsed; this is its shortest
/// faithful form).
pub fn shown(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.0}")
    } else {
        format!("{x:?}")
    }
}

/// A scenario with every amount parsed and every value checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The scenario as written.
    pub scenario: Scenario,
    /// Parsed fixed interop fee.
    pub fixed_interop_fee: U256,
    /// Parsed gateway settlement fee.
    pub gateway_settlement_fee: U256,
    /// Parsed Fee Flow threshold.
    pub fee_flow_threshold: U256,
    /// Parsed Fee Flow minimum threshold.
    pub fee_flow_min_threshold: U256,
    /// Parsed genesis supply.
    pub genesis_supply: U256,
    /// Parsed operator treasury.
    pub operator_zk: U256,
    /// Parsed claimer treasury.
    pub claimer_zk: U256,
    /// Parsed changes, sorted by the day they take effect.
    pub changes: Vec<ValidatedChange>,
    /// Parsed initial stake.
    pub initial_stake: U256,
    /// Parsed seasons: (cap, start day, days).
    pub seasons: Vec<(U256, u32, u32)>,
    /// The Stage 1 chain, if the scenario has one.
    pub priority_mode: Option<crate::priority_mode::ValidatedPriority>,
}

/// A parameter change with its amounts parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedChange {
    /// Day it takes effect (proposal day + latency for proposals).
    pub day: u32,
    /// Day it was proposed or made.
    pub proposed_day: u32,
    /// The governor that carries it (`None` for direct changes).
    pub governor: Option<flywheel_protocol::governance::GovernorKind>,
    /// New settlement fee.
    pub gateway_settlement_fee: Option<U256>,
    /// New revenue share sent to Fee Flow, bps.
    pub fee_flow_revenue_share_bps: Option<u16>,
    /// New burn share.
    pub burn_bps: Option<u16>,
    /// New threshold.
    pub fee_flow_threshold: Option<U256>,
}

/// The dotted key of the `key = value` line holding byte `offset`, under its nearest
/// `[table]` / `[[array]]` header — so that an error in a value names its key, not the value.
fn key_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let name = if line.trim_start().starts_with('#') {
        String::new()
    } else {
        line.split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .to_string()
    };
    let table = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let key = match (table, name.is_empty()) {
        (Some(t), false) if !line.trim_start().starts_with('[') => format!("{t}.{name}"),
        (Some(t), _) => t,
        (None, false) => name,
        (None, true) => String::new(),
    };
    // A malformed header (`[`, `[""]`) names no key: the error is the file's.
    if key
        .trim_matches(|c: char| c == '.' || c == '"' || c.is_whitespace())
        .is_empty()
    {
        "(file)".into()
    } else {
        key
    }
}

/// The dotted key a deserialisation error is about, read from the parsed document's spans:
/// the innermost key or value whose span holds the error's start — `prices.zk.volatility`,
/// `chains[1].traffic_share`, an inline table's field alike. A `[table]` header's span covers
/// only its header line, so every entry is searched, not only those inside a matching parent.
/// `None` when the text does not parse as TOML at all (the caller falls back to the line).
fn key_of_span(text: &str, span: &std::ops::Range<usize>) -> Option<String> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut best: Option<(usize, String)> = None;
    find_span(doc.get_ref(), "", span.start, &mut best);
    best.map(|(_, k)| k)
}

/// `path.name`, with a name that is not a bare TOML key quoted (`""`, `"a b"`), so that a
/// key made of nothing still shows.
fn join_key(path: &str, name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let name = if bare {
        name.to_string()
    } else {
        format!("{name:?}")
    };
    if path.is_empty() {
        name
    } else {
        format!("{path}.{name}")
    }
}

fn find_span(
    table: &toml::de::DeTable<'_>,
    path: &str,
    at: usize,
    best: &mut Option<(usize, String)>,
) {
    for (k, v) in table.iter() {
        let key = join_key(path, k.get_ref());
        find_value(v, &key, at, best);
        let ks = k.span();
        if ks.contains(&at) && best.as_ref().is_none_or(|(len, _)| ks.len() < *len) {
            *best = Some((ks.len(), key));
        }
    }
}

fn find_value(
    v: &toml::Spanned<toml::de::DeValue<'_>>,
    key: &str,
    at: usize,
    best: &mut Option<(usize, String)>,
) {
    let vs = v.span();
    if vs.contains(&at) && best.as_ref().is_none_or(|(len, _)| vs.len() < *len) {
        *best = Some((vs.len(), key.to_string()));
    }
    match v.get_ref() {
        toml::de::DeValue::Table(t) => find_span(t, key, at, best),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_value(item, &format!("{key}[{i}]"), at, best);
            }
        }
        _ => {}
    }
}

/// The table a `missing field` error is about: the table (a `[header]`, an inline table or an
/// array's element) whose span is the error's, or the top level.
fn missing_key(text: &str, span: Option<std::ops::Range<usize>>, field: &str) -> String {
    let table = span
        .filter(|s| s.start > 0 || s.end < text.len())
        .and_then(|s| {
            let doc = toml::de::DeTable::parse(text).ok()?;
            let mut found = None;
            find_table(doc.get_ref(), "", &s, &mut found);
            found
        });
    match table {
        Some(t) => format!("{t}.{field}"),
        None => field.to_string(),
    }
}

fn find_table(
    table: &toml::de::DeTable<'_>,
    path: &str,
    span: &std::ops::Range<usize>,
    found: &mut Option<String>,
) {
    fn visit(
        v: &toml::Spanned<toml::de::DeValue<'_>>,
        key: &str,
        span: &std::ops::Range<usize>,
        found: &mut Option<String>,
    ) {
        match v.get_ref() {
            toml::de::DeValue::Table(t) => {
                if v.span() == *span {
                    *found = Some(key.to_string());
                }
                find_table(t, key, span, found);
            }
            toml::de::DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    visit(item, &format!("{key}[{i}]"), span, found);
                }
            }
            _ => {}
        }
    }
    for (k, v) in table.iter() {
        let key = join_key(path, k.get_ref());
        visit(v, &key, span, found);
    }
}

/// Reads at most `limit` bytes of `path` as UTF-8 text; a longer file (or a device that never
/// ends, such as `/dev/zero`) is refused before more than `limit + 1` bytes are read.
pub fn read_limited(path: &std::path::Path, limit: u64) -> Result<String, String> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{} is larger than the {limit}-byte limit",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("{} is not UTF-8 text: {e}", path.display()))
}

impl Scenario {
    /// Parses TOML text (unknown and duplicate keys are errors).
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        if text.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::new(
                "(file)",
                format!(
                    "{} bytes is larger than the {MAX_SCENARIO_BYTES}-byte limit",
                    text.len()
                ),
            ));
        }
        toml::from_str(text).map_err(|e| {
            let msg = e.message().replace('\n', " ");
            if let Some(field) = msg
                .strip_prefix("missing field `")
                .and_then(|m| m.strip_suffix('`'))
            {
                return ScenarioError::new(
                    missing_key(text, e.span(), field),
                    "missing (required)",
                );
            }
            let mut key = e
                .span()
                .map(|span| key_of_span(text, &span).unwrap_or_else(|| key_at(text, span.start)))
                .unwrap_or_else(|| "(file)".into());
            // Inside a tagged table (`traffic`, `prices.zk`) serde reports an unknown field at
            // the table: name the field itself.
            if let Some(field) = msg
                .strip_prefix("unknown field `")
                .and_then(|m| m.split('`').next())
            {
                let named = join_key("", field);
                if !key.ends_with(&format!(".{named}")) && key != named {
                    key = join_key(if key == "(file)" { "" } else { &key }, field);
                }
            }
            ScenarioError::new(key, msg)
        })
    }

    /// The whole scenario as JSON, every default filled in (unset optional keys left out):
    /// what a report records as its input.
    pub fn to_json(&self) -> Result<serde_json::Value, ScenarioError> {
        let mut v = serde_json::to_value(self)
            .map_err(|e| ScenarioError::new("(file)", format!("cannot serialise: {e}")))?;
        crate::schema::strip_nulls(&mut v);
        Ok(v)
    }

    /// The whole scenario as TOML, every default filled in; it parses back to `self` (CSV
    /// sources by their paths).
    pub fn to_toml(&self) -> Result<String, ScenarioError> {
        toml::to_string(&self.to_json()?)
            .map_err(|e| ScenarioError::new("(file)", format!("cannot write TOML: {e}")))
    }

    /// Reads a scenario file (at most [`MAX_SCENARIO_BYTES`]): parses it and loads the CSV
    /// sources it names, relative to the file's folder.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ScenarioError> {
        let text = read_limited(path, MAX_SCENARIO_BYTES)
            .map_err(|problem| ScenarioError::new("(file)", problem))?;
        let mut s = Self::from_toml(&text)?;
        let base = path.parent().unwrap_or(std::path::Path::new("."));
        s.load_files(base)?;
        Ok(s)
    }

    /// Loads every CSV source the scenario names, relative to `base`.
    pub fn load_files(&mut self, base: &std::path::Path) -> Result<(), ScenarioError> {
        self.traffic.load("traffic", base)?;
        self.prices.zk.load("prices.zk", base)?;
        self.prices.eth.load("prices.eth", base)?;
        crate::prividium::load_files(self, base)
    }

    /// Checks every value and parses every amount.
    pub fn validate(self) -> Result<Validated, ScenarioError> {
        if self.name.trim().is_empty() {
            return Err(ScenarioError::new("name", "must not be empty"));
        }
        range("days", f64::from(self.days), 1.0, f64::from(MAX_DAYS))?;
        range("runs", f64::from(self.runs), 1.0, f64::from(MAX_RUNS))?;
        self.traffic.validate("traffic")?;
        range(
            "users.calls_per_bundle",
            f64::from(self.users.calls_per_bundle),
            1.0,
            f64::from(MAX_CALLS_PER_BUNDLE),
        )?;
        range(
            "users.always_fixed_share",
            self.users.always_fixed_share,
            0.0,
            1.0,
        )?;
        if self.chains.is_empty() {
            return Err(ScenarioError::new("chains", "at least one chain is needed"));
        }
        if self.chains.len() > MAX_CHAINS {
            return Err(ScenarioError::new(
                "chains",
                format!("at most {MAX_CHAINS} chains, got {}", self.chains.len()),
            ));
        }
        let mut share = 0.0;
        for (i, c) in self.chains.iter().enumerate() {
            range(
                &format!("chains[{i}].traffic_share"),
                c.traffic_share,
                0.0,
                1.0,
            )?;
            if self.chains[..i].iter().any(|o| o.name == c.name) {
                return Err(ScenarioError::new(
                    format!("chains[{i}].name"),
                    format!("`{}` is listed twice", c.name),
                ));
            }
            share += c.traffic_share;
        }
        if (share - 1.0).abs() > 1e-9 {
            return Err(ScenarioError::new(
                "chains.traffic_share",
                format!("shares must sum to 1, got {share}"),
            ));
        }
        self.prices.zk.validate("prices.zk")?;
        self.prices.eth.validate("prices.eth")?;
        let p = &self.protocol;
        range(
            "protocol.fee_flow_revenue_share_bps",
            f64::from(p.fee_flow_revenue_share_bps),
            0.0,
            f64::from(BPS),
        )?;
        let min_threshold = amount(
            "protocol.fee_flow_min_threshold",
            &p.fee_flow_min_threshold,
            "ZK",
        )?;
        let threshold = amount("protocol.fee_flow_threshold", &p.fee_flow_threshold, "ZK")?;
        let below_min = |key: String, t: U256| {
            ScenarioError::new(
                key,
                format!(
                    "{} ZK is below Fee Flow's minimum bid threshold {} ZK (FeeFlow_ThresholdBelowMin; lower `protocol.fee_flow_min_threshold` to model another deployment)",
                    units::format_amount(t),
                    units::format_amount(min_threshold)
                ),
            )
        };
        if threshold < min_threshold {
            return Err(below_min("protocol.fee_flow_threshold".into(), threshold));
        }
        range(
            "protocol.burn_bps",
            f64::from(p.burn_bps),
            0.0,
            f64::from(BPS),
        )?;
        range(
            "protocol.sweep_every_days",
            f64::from(p.sweep_every_days),
            1.0,
            f64::from(MAX_SWEEP_EVERY_DAYS),
        )?;
        range(
            "operators.margin",
            self.operators.margin,
            MIN_MARGIN,
            MAX_MARGIN,
        )?;
        range("claimer.gas_usd", self.claimer.gas_usd, 0.0, MAX_GAS_USD)?;
        let supply = amount("protocol.genesis_supply", &p.genesis_supply, "ZK")?;
        if supply > flywheel_protocol::token::MAX_SUPPLY {
            return Err(ScenarioError::new(
                "protocol.genesis_supply",
                "must not exceed the 21,000,000,000 ZK max supply",
            ));
        }
        if self.governance.changes.len() > MAX_CHANGES {
            return Err(ScenarioError::new(
                "governance.changes",
                format!(
                    "at most {MAX_CHANGES} changes, got {}",
                    self.governance.changes.len()
                ),
            ));
        }
        let mut changes = Vec::with_capacity(self.governance.changes.len());
        for (i, c) in self.governance.changes.iter().enumerate() {
            let k = |f: &str| format!("governance.changes[{i}].{f}");
            if c.day >= self.days {
                return Err(after_horizon(k("day"), c.day, self.days));
            }
            if let Some(v) = c.fee_flow_revenue_share_bps {
                range(
                    &k("fee_flow_revenue_share_bps"),
                    f64::from(v),
                    0.0,
                    f64::from(BPS),
                )?;
            }
            if let Some(v) = c.burn_bps {
                range(&k("burn_bps"), f64::from(v), 0.0, f64::from(BPS))?;
            }
            let zip = c.gateway_settlement_fee.is_some();
            let tpp = c.burn_bps.is_some() || c.fee_flow_threshold.is_some();
            let governor = match c.via {
                ChangeVia::Direct => None,
                ChangeVia::Proposal if zip && tpp => {
                    return Err(ScenarioError::new(
                        k("via"),
                        "one proposal goes to one governor: gateway_settlement_fee is a ZIP's, burn_bps and fee_flow_threshold a TPP's; schedule them as two changes",
                    ))
                }
                ChangeVia::Proposal if (zip || tpp) && c.fee_flow_revenue_share_bps.is_some() => {
                    return Err(ScenarioError::new(
                        k("fee_flow_revenue_share_bps"),
                        "is an assumption about who sends revenue to Fee Flow, not a governance parameter: schedule it in a change of its own",
                    ))
                }
                ChangeVia::Proposal if zip => Some(GovernorKind::Protocol),
                ChangeVia::Proposal if tpp => Some(GovernorKind::Token),
                ChangeVia::Proposal => None,
            };
            let latency_days = governor.map_or(0, |g| {
                let config = GovernanceConfig::zk_nation(Default::default(), Default::default());
                let secs = config.min_latency(g, UpgradeApproval::SecurityCouncil);
                u32::try_from(secs.div_ceil(86_400)).unwrap_or(u32::MAX)
            });
            changes.push(ValidatedChange {
                day: c.day.saturating_add(latency_days),
                proposed_day: c.day,
                governor,
                gateway_settlement_fee: c
                    .gateway_settlement_fee
                    .as_deref()
                    .map(|t| fee(&k("gateway_settlement_fee"), t))
                    .transpose()?,
                fee_flow_revenue_share_bps: c.fee_flow_revenue_share_bps,
                burn_bps: c.burn_bps,
                fee_flow_threshold: match c.fee_flow_threshold.as_deref() {
                    Some(t) => {
                        let t = amount(&k("fee_flow_threshold"), t, "ZK")?;
                        if t < min_threshold {
                            return Err(below_min(k("fee_flow_threshold"), t));
                        }
                        Some(t)
                    }
                    None => None,
                },
            });
        }
        changes.sort_by_key(|c| c.day);
        let operator_zk = amount("operators.zk_treasury", &self.operators.zk_treasury, "ZK")?;
        let claimer_zk = amount("claimer.zk_treasury", &self.claimer.zk_treasury, "ZK")?;
        let treasuries = operator_zk
            .checked_mul(U256::from(self.chains.len()))
            .and_then(|v| v.checked_add(claimer_zk))
            .unwrap_or(U256::MAX);
        if treasuries > supply {
            return Err(ScenarioError::new(
                "operators.zk_treasury",
                "`operators.zk_treasury` for each chain plus `claimer.zk_treasury` exceed `protocol.genesis_supply`",
            ));
        }
        let st = &self.staking;
        range(
            "staking.delegate_vote_probability",
            st.delegate_vote_probability,
            0.0,
            1.0,
        )?;
        range(
            "staking.target_rate_bps",
            f64::from(st.target_rate_bps),
            0.0,
            f64::from(BPS),
        )?;
        range("staking.elasticity", st.elasticity, 0.0, MAX_ELASTICITY)?;
        range(
            "staking.target_yield",
            st.target_yield,
            0.0,
            MAX_TARGET_YIELD,
        )?;
        let initial_stake = amount("staking.initial_stake", &st.initial_stake, "ZK")?;
        if initial_stake > supply {
            return Err(ScenarioError::new(
                "staking.initial_stake",
                "exceeds `protocol.genesis_supply`",
            ));
        }
        if st.enabled && initial_stake < tokens(MIN_INITIAL_STAKE_ZK) {
            return Err(ScenarioError::new(
                "staking.initial_stake",
                format!(
                    "must be at least {MIN_INITIAL_STAKE_ZK} ZK when staking is enabled (the whole pilot's stake), got {} ZK",
                    units::format_amount(initial_stake)
                ),
            ));
        }
        if st.seasons.len() > MAX_SEASONS {
            return Err(ScenarioError::new(
                "staking.seasons",
                format!("at most {MAX_SEASONS} seasons, got {}", st.seasons.len()),
            ));
        }
        let mut seasons = Vec::with_capacity(st.seasons.len());
        for (i, season) in st.seasons.iter().enumerate() {
            let k = |f: &str| format!("staking.seasons[{i}].{f}");
            range(
                &k("days"),
                f64::from(season.days),
                1.0,
                f64::from(MAX_SEASON_DAYS),
            )?;
            if st.enabled && season.start_day >= self.days {
                return Err(after_horizon(k("start_day"), season.start_day, self.days));
            }
            range(
                &k("start_day"),
                f64::from(season.start_day),
                0.0,
                f64::from(MAX_DAYS - 1),
            )?;
            seasons.push((
                amount(&k("cap"), &season.cap, "ZK")?,
                season.start_day,
                season.days,
            ));
        }
        let names: Vec<String> = self.chains.iter().map(|c| c.name.clone()).collect();
        let priority_mode = self
            .priority_mode
            .as_ref()
            .map(|p| p.validate(&names, self.days, supply - treasuries))
            .transpose()?;
        crate::prividium::validate(&self, operator_zk, claimer_zk)?;
        Ok(Validated {
            priority_mode,
            initial_stake,
            seasons,
            fixed_interop_fee: fee("protocol.fixed_interop_fee", &p.fixed_interop_fee)?,
            gateway_settlement_fee: fee(
                "protocol.gateway_settlement_fee",
                &p.gateway_settlement_fee,
            )?,
            fee_flow_threshold: threshold,
            fee_flow_min_threshold: min_threshold,
            genesis_supply: supply,
            operator_zk,
            claimer_zk,
            changes,
            scenario: self,
        })
    }
}

/// A day at or after the horizon: nothing scheduled then can happen within the run.
fn after_horizon(key: String, day: u32, days: u32) -> ScenarioError {
    ScenarioError::new(
        key,
        format!(
            "day {day} is not within the horizon of {days} days (`days`; days 0 to {})",
            days.saturating_sub(1)
        ),
    )
}

impl Scenario {
    /// Sets the horizon to `days`, as `--days` does. When that shortens it, the governance
    /// changes and staking seasons scheduled on or after the new horizon are dropped: they
    /// could not happen within the run, and nothing before their day depends on them, so the
    /// days simulated are the same as the first `days` of the full scenario. Returns what was
    /// dropped (their keys and days), for the report.
    pub fn set_horizon(&mut self, days: u32) -> Vec<(String, u32)> {
        let mut dropped = Vec::new();
        if days < self.days {
            let mut i = 0;
            self.governance.changes.retain(|c| {
                let keep = c.day < days;
                if !keep {
                    dropped.push((format!("governance.changes[{i}]"), c.day));
                }
                i += 1;
                keep
            });
            let mut i = 0;
            self.staking.seasons.retain(|season| {
                let keep = season.start_day < days;
                if !keep {
                    dropped.push((format!("staking.seasons[{i}]"), season.start_day));
                }
                i += 1;
                keep
            });
        }
        self.days = days;
        dropped
    }
}

/// Whole tokens, for defaults written in code.
pub fn zk(n: u64) -> U256 {
    tokens(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str =
        "name = \"t\"\ndays = 30\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 10\n";

    fn with(extra: &str) -> Result<Validated, ScenarioError> {
        Scenario::from_toml(&format!("{BASE}{extra}"))?.validate()
    }

    #[test]
    fn zk_amounts_are_at_most_the_max_supply() {
        let e = with("[protocol]\nfixed_interop_fee = \"21000000001 ZK\"\n").unwrap_err();
        assert_eq!(e.key, "protocol.fixed_interop_fee");
        assert!(
            e.problem.contains("21,000,000,000 ZK") && e.problem.contains("21000000001"),
            "{e}"
        );
        let digits = format!(
            "[protocol]\ngateway_settlement_fee = \"1{} ZK\"\n",
            "0".repeat(50)
        );
        let e = with(&digits).unwrap_err();
        assert_eq!(e.key, "protocol.gateway_settlement_fee");
        let e = with("[protocol]\ngateway_settlement_fee = \"21000000000 ZK\"\n").unwrap_err();
        assert!(e.problem.contains("at most 1000000 ZK"), "{e}");
        assert!(with("[protocol]\ngateway_settlement_fee = \"1000000 ZK\"\n").is_ok());
        let e = with("[protocol]\nfee_flow_threshold = \"21000000001 ZK\"\n").unwrap_err();
        assert_eq!(e.key, "protocol.fee_flow_threshold");
        let e = with("[protocol]\nfixed_interop_fee = \"1e50 ZK\"\n").unwrap_err();
        assert!(e.problem.contains("exponents"), "{e}");
        let e = with("[protocol]\nfixed_interop_fee = \"inf ZK\"\n").unwrap_err();
        assert!(e.problem.contains("not a finite number"), "{e}");
    }

    #[test]
    fn nothing_is_scheduled_after_the_horizon() {
        let e = with("[[governance.changes]]\nday = 30\nburn_bps = 5000\n").unwrap_err();
        assert_eq!(e.key, "governance.changes[0].day");
        assert!(e.problem.contains("horizon of 30 days"), "{e}");
        assert!(
            with("[[governance.changes]]\nday = 29\nvia = \"direct\"\nburn_bps = 5000\n").is_ok()
        );
        let season = "[staking]\nenabled = true\nseasons = [{ cap = \"1 ZK\", start_day = 0, days = 5 }, { cap = \"1 ZK\", start_day = 30, days = 5 }]\n";
        let e = with(season).unwrap_err();
        assert_eq!(e.key, "staking.seasons[1].start_day");
        // Disabled staking does not run its seasons: the defaults (days 0 and 90) are fine.
        assert!(with("[staking]\nenabled = false\n").is_ok());
    }

    #[test]
    fn shortening_the_horizon_drops_only_what_it_cannot_reach() {
        let mut s = Scenario::from_toml(&format!(
            "{}[[governance.changes]]\nday = 10\nvia = \"direct\"\nburn_bps = 5000\n[[governance.changes]]\nday = 20\nvia = \"direct\"\nburn_bps = 4000\n[staking]\nenabled = true\n",
            BASE.replace("days = 30", "days = 365")
        ))
        .unwrap();
        assert!(s.clone().validate().is_ok());
        let dropped = s.set_horizon(15);
        assert_eq!(
            dropped,
            vec![
                ("governance.changes[1]".to_string(), 20),
                ("staking.seasons[1]".to_string(), 90)
            ]
        );
        let v = s.validate().unwrap();
        assert_eq!(v.changes.len(), 1);
        assert_eq!(v.seasons.len(), 1);
    }

    #[test]
    fn a_tiny_stake_is_refused_when_staking_runs() {
        let e = with("[staking]\nenabled = true\ninitial_stake = \"1 wei\"\n").unwrap_err();
        assert_eq!(e.key, "staking.initial_stake");
        assert!(e.problem.contains("at least 1000 ZK"), "{e}");
        assert!(with("[staking]\nenabled = false\ninitial_stake = \"1 wei\"\n").is_ok());
    }

    #[test]
    fn parse_errors_name_the_key_not_a_comment() {
        let e = Scenario::from_toml("# a comment\nname = \"x\"\n").unwrap_err();
        assert_eq!(e.key, "traffic", "{e}");
        assert!(e.problem.contains("missing"), "{e}");
        let e = Scenario::from_toml(
            "# a comment\n[traffic]\nmodel = \"constant\"\ncalls_per_day = 1\n",
        )
        .unwrap_err();
        assert_eq!(e.key, "name", "{e}");
        let e = Scenario::from_toml(&format!("{BASE}[protocol]\nburn_bps = 1\nburn_bps = 2\n"))
            .unwrap_err();
        assert!(e.key.contains("burn_bps"), "{e}");
        assert!(e.problem.contains("duplicate"), "{e}");
        let e = Scenario::from_toml(&format!("name = \"a\"\nname = \"b\"\n{}", &BASE[10..]))
            .unwrap_err();
        assert_eq!(e.key, "name", "{e}");
    }

    #[test]
    fn parse_errors_name_the_exact_dotted_key() {
        let key = |extra: &str| {
            Scenario::from_toml(&format!("{BASE}{extra}"))
                .unwrap_err()
                .key
        };
        // An unknown key in a nested table is blamed on that table, not on the one before.
        assert_eq!(
            key("[prices.zk]\nmodel = \"constant\"\ninitial_usd = 1.0\nvolatility = 2\n"),
            "prices.zk.volatility"
        );
        assert_eq!(
            key("[prices.zk]\nmodel = \"constant\"\ninitial_usd = \"a\"\n"),
            "prices.zk"
        );
        // Arrays of tables: the element's index.
        let a = "[[chains]]\nname = \"a\"\nbase_token = \"ETH\"\ntraffic_share = 0.5\n";
        let b = |rest: &str| key(&format!("{a}[[chains]]\nname = \"b\"\n{rest}"));
        assert_eq!(
            b("base_token = \"DOGE\"\ntraffic_share = 0.5\n"),
            "chains[1].base_token"
        );
        assert_eq!(b("traffic_share = 0.5\n"), "chains[1].base_token");
        assert_eq!(
            b("base_token = \"ETH\"\ntraffic_share = 0.5\nshare = 1\n"),
            "chains[1].share"
        );
        assert_eq!(
            b("base_token = \"ETH\"\ntraffic_share = 0.5e\n"),
            "chains.traffic_share",
            "a syntax error falls back to the line's key"
        );
        // Inline tables and arrays of inline tables.
        assert_eq!(
            key("[staking]\nseasons = [{ cap = \"1 ZK\", start_day = 0, days = 5 }, { cap = \"1 ZK\", start_day = -1, days = 5 }]\n"),
            "staking.seasons[1].start_day"
        );
        assert_eq!(
            key("[staking]\nseasons = [{ cap = \"1 ZK\", start_day = 0 }]\n"),
            "staking.seasons[0].days"
        );
        let top = |extra: &str| {
            Scenario::from_toml(&format!("{extra}{BASE}"))
                .unwrap_err()
                .key
        };
        assert_eq!(
            top("operators = { margin = 0.1, buy = true }\n"),
            "operators.buy"
        );
        assert_eq!(
            top("prices = { zk = { model = \"gbm\", initial_usd = 1.0, drift_per_year = 0.0 } }\n"),
            "prices.zk.volatility_per_year"
        );
        assert_eq!(
            key("[[governance.changes]]\nday = 1\n[[governance.changes]]\nday = 2\nburn_bps = 70000\n"),
            "governance.changes[1].burn_bps"
        );
        // Top-level keys keep their plain names.
        assert_eq!(top("runs = -1\n"), "runs");
    }

    #[test]
    fn oversized_scenarios_are_refused_before_parsing() {
        let text = format!("{BASE}#{}\n", "x".repeat(MAX_SCENARIO_BYTES as usize));
        let e = Scenario::from_toml(&text).unwrap_err();
        assert!(e.problem.contains("limit"), "{e}");
    }

    #[test]
    fn numbers_are_shown_as_written() {
        assert_eq!(shown(30.0), "30");
        assert_eq!(shown(0.5), "0.5");
        assert_eq!(shown(1e300), "1e300");
        assert_eq!(shown(-1e-300), "-1e-300");
        assert_eq!(shown(f64::NAN), "NaN");
        let big = BASE.replace("calls_per_day = 10", "calls_per_day = 1e300");
        let e = Scenario::from_toml(&big).unwrap().validate().unwrap_err();
        assert!(e.problem.ends_with("got 1e300"), "{e}");
    }

    #[test]
    fn reads_stop_at_the_limit() {
        let e = read_limited(std::path::Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(e.contains("1024-byte limit"), "{e}");
    }
}
