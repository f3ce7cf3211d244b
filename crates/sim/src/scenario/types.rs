//! The scenario types: what a scenario file says, with each key's default and, in its
//! schema attributes, its range, unit and source.

use super::error::ScenarioError;
use super::limits::*;
use crate::process::{PriceModel, TrafficModel};
use alloy_primitives::U256;
use flywheel_protocol::units::tokens;
use serde::{Deserialize, Serialize};

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
    /// How traffic answers the cost of a call (off by default: elasticity 0). Left out of
    /// written scenarios while at its default, so they read as before.
    #[serde(default, skip_serializing_if = "crate::demand::Demand::is_default")]
    pub demand: crate::demand::Demand,
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
