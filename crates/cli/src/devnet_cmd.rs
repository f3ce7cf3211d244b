//! `flywheel devnet`: L1, Gateway and L2 chains in one process, each behind an Ethereum
//! JSON-RPC endpoint (crates/devnet). This module only turns flags into the devnet's
//! configuration.

use crate::error::CliError;
use clap::Args;
use flywheel_devnet::config::{DevnetConfig, LayoutPreset, Overrides};
use flywheel_devnet::runner::{self, Persistence};
use std::io::Write;
use std::path::PathBuf;

/// `flywheel devnet` options. Defaults: L1 31337, Gateway 506 and L2s 271, 272 (ETH-based) and
/// 273 (ZK-based) on ports 8545…8549, automine, a batch every 0.1 s, autorelay off.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DevnetArgs {
    /// Tools for a running devnet.
    #[command(subcommand)]
    tool: Option<DevnetTool>,
    /// A named layout: "zksync-local" is ZKsync's local setup as the zksync-js examples and
    /// suites expect it (L1 31337 on 8545, L2s 6565 and 6566 on 3050 and 3051, Gateway 506 on
    /// 3052, the local rich wallets funded, a non-zero interop protocol fee).
    #[arg(long, value_name = "NAME", value_parser = ["default", "zksync-local"])]
    layout: Option<String>,
    /// Number of L2 chains settling on Gateway (1 to 32).
    #[arg(long, value_name = "N")]
    chains: Option<usize>,
    /// First port: the L1 listens on P, Gateway on P+1, the L2s on P+2… (overriding the
    /// layout's and the file's ports); 0 picks free ports.
    #[arg(long, value_name = "P")]
    port: Option<u16>,
    /// TOML file: layout, port, block_time, batch_interval, autorelay, genesis_time, [l1] and
    /// [gateway] chain_id/port, [[chains]] chain_id/name/base_token ("ETH" or "ZK")/port/
    /// interop_protocol_fee (wei per call).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Seconds between blocks; absent or 0: a block per transaction (automine).
    #[arg(long, value_name = "S")]
    block_time: Option<f64>,
    /// Seconds between batches (at least 0.01).
    #[arg(long, value_name = "S")]
    batch_interval: Option<f64>,
    /// Execute every bundle on its destination automatically, with the devnet's relayer (off by
    /// default: clients such as the SDK's finalize execute bundles themselves).
    #[arg(long)]
    autorelay: bool,
    /// Load the state from FILE if it exists, and write it there on exit.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Write the state to FILE on exit (atomically).
    #[arg(long, value_name = "FILE")]
    dump_state: Option<PathBuf>,
}

/// Tools that talk to a running devnet.
#[derive(Debug, clap::Subcommand)]
pub enum DevnetTool {
    /// Trace a bundle on every chain it touched: sent, settled in which batches, root
    /// imported, verified, executed or unbundled and by whom, and each refused attempt with
    /// the contract's error (the devnet's flywheel_traceBundle method).
    Trace(TraceArgs),
}

/// `flywheel devnet trace` options.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// A bundle hash, or the hash of a transaction that sent one or called the InteropHandler
    /// with one (on any chain of the devnet).
    #[arg(value_name = "HASH")]
    hash: String,
    /// Any chain's URL of the running devnet.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8545")]
    rpc: String,
    /// Print the trace as JSON.
    #[arg(long)]
    json: bool,
}

fn trace(args: &TraceArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let hash: alloy_primitives::B256 = args.hash.parse().map_err(|_| {
        CliError::field(
            "HASH",
            format!(
                "{:?} is not a 32-byte hex hash (0x + 64 hex digits)",
                args.hash
            ),
        )
    })?;
    let t =
        flywheel_devnet::client::call(&args.rpc, "flywheel_traceBundle", serde_json::json!([hash]))
            .map_err(|e| CliError::field("--rpc", e.to_string()))?;
    if args.json {
        let doc = serde_json::to_string_pretty(&t).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out, "{doc}")?;
    } else {
        write!(out, "{}", flywheel_devnet::trace::render(&t))?;
    }
    Ok(())
}

/// Runs `flywheel devnet` until Ctrl-C, or one of its tools.
pub fn run(args: &DevnetArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(DevnetTool::Trace(t)) = &args.tool {
        return trace(t, out);
    }
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
    let layout = args
        .layout
        .as_deref()
        .map(LayoutPreset::parse)
        .transpose()
        .map_err(|e| CliError::field("--layout", e.to_string()))?;
    let overrides = Overrides {
        layout,
        chains: args.chains,
        port: args.port,
        block_time: args.block_time,
        batch_interval: args.batch_interval,
        autorelay: args.autorelay,
    };
    let origin = args
        .config
        .as_ref()
        .map_or_else(|| "devnet".to_string(), |p| p.display().to_string());
    let config = DevnetConfig::build(text.as_deref(), &overrides)
        .map_err(|e| CliError::field(&origin, e.to_string()))?;
    let layout_given = args.chains.is_some()
        || args.layout.is_some()
        || text.as_deref().is_some_and(|t| {
            ["[[chains]]", "[l1]", "[gateway]", "layout"]
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
