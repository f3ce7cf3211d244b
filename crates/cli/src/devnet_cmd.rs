//! `flywheel devnet`: L1, Gateway and L2 chains in one process, each behind an Ethereum
//! JSON-RPC endpoint (crates/devnet). This module only turns flags into the devnet's
//! configuration.

use crate::error::CliError;
use clap::Args;
use flywheel_devnet::config::{DevnetConfig, Overrides};
use flywheel_devnet::runner::{self, Persistence};
use std::io::Write;
use std::path::PathBuf;

/// `flywheel devnet` options. Defaults: L1 31337, Gateway 506 and L2s 271, 272 (ETH-based) and
/// 273 (ZK-based) on ports 8545…8549, automine, a batch every 0.1 s, relaying on.
#[derive(Debug, Args)]
pub struct DevnetArgs {
    /// Number of L2 chains settling on Gateway (1 to 32).
    #[arg(long, value_name = "N")]
    chains: Option<usize>,
    /// First port: the L1 listens on P, Gateway on P+1, the L2s on P+2…; 0 picks free ports.
    #[arg(long, value_name = "P")]
    port: Option<u16>,
    /// TOML file: port, block_time, batch_interval, relay, genesis_time, [l1] and [gateway]
    /// chain_id, [[chains]] chain_id/name/base_token ("ETH" or "ZK").
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Seconds between blocks; absent or 0: a block per transaction (automine).
    #[arg(long, value_name = "S")]
    block_time: Option<f64>,
    /// Seconds between batches (at least 0.01).
    #[arg(long, value_name = "S")]
    batch_interval: Option<f64>,
    /// Do not relay bundles to their destinations automatically.
    #[arg(long)]
    no_relay: bool,
    /// Load the state from FILE if it exists, and write it there on exit.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Write the state to FILE on exit (atomically).
    #[arg(long, value_name = "FILE")]
    dump_state: Option<PathBuf>,
}

/// Runs `flywheel devnet` until Ctrl-C.
pub fn run(args: &DevnetArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let text = match &args.config {
        Some(p) => Some(flywheel_devnet::files::read_config(p).map_err(|source| {
            CliError::field(
                "devnet",
                flywheel_devnet::DevnetError::File {
                    flag: "--config",
                    path: p.clone(),
                    source,
                }
                .to_string(),
            )
        })?),
        None => None,
    };
    let overrides = Overrides {
        chains: args.chains,
        port: args.port,
        block_time: args.block_time,
        batch_interval: args.batch_interval,
        no_relay: args.no_relay,
    };
    let origin = args
        .config
        .as_ref()
        .map_or_else(|| "devnet".to_string(), |p| p.display().to_string());
    let config = DevnetConfig::build(text.as_deref(), &overrides)
        .map_err(|e| CliError::field(&origin, e.to_string()))?;
    let layout_given = args.chains.is_some()
        || text.as_deref().is_some_and(|t| {
            ["[[chains]]", "[l1]", "[gateway]"]
                .iter()
                .any(|k| t.contains(k))
        });
    let files = Persistence {
        state: args.state.clone(),
        dump_state: args.dump_state.clone(),
        layout_given,
    };
    runner::run(&config, &files, out).map_err(|e| CliError::field("devnet", e.to_string()))
}
