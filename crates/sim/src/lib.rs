//! flywheel-sim: scenarios and Monte Carlo over the flywheel protocol model.
//!
//! What it is for: turning a scenario (traffic, prices, agents, parameters — data, in TOML)
//! into reproducible paths of the protocol, at two fidelities that share the protocol's fee
//! arithmetic, and into quantile bands over many seeded paths.
//! What it is not: the protocol itself (`flywheel-protocol`) or its presentation
//! (`flywheel-report` writes the steps table, bands, charts and reports; the front ends print).

pub mod agents;
pub mod bench;
pub mod demand;
pub mod engine;
pub mod event_ledger;
pub mod ledger;
pub mod monte_carlo;
pub mod presets;
pub mod priority_mode;
pub mod prividium;
pub mod process;
pub mod resolve;
pub mod scenario;
pub mod schema;
pub mod sketch;
pub mod summary;
pub mod sweep;

/// Where the splitter's non-burn share goes in simulations: the staking rewards pot.
pub fn staking_rewards_address() -> alloy_primitives::Address {
    static ADDRESS: std::sync::OnceLock<alloy_primitives::Address> = std::sync::OnceLock::new();
    *ADDRESS.get_or_init(|| flywheel_protocol::genesis::account("staking-rewards"))
}

/// The off-chain reward script's signer in simulations: it holds the season minters'
/// MINTER_ROLE (withtally/zkstaker@bff26f8:script/rewards/README.md).
pub fn reward_script_signer() -> alloy_primitives::Address {
    static ADDRESS: std::sync::OnceLock<alloy_primitives::Address> = std::sync::OnceLock::new();
    *ADDRESS.get_or_init(|| flywheel_protocol::genesis::account("reward-script"))
}
