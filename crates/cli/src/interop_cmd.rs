//! `flywheel interop`: offline computations over interop data, so that a bundle's identities
//! can be checked against a contract, an explorer or another implementation.

use crate::bundle_file::{self, BUNDLE_FORMAT};
use crate::error::CliError;
use crate::{input, limits};
use alloy_primitives::hex;
use clap::Subcommand;
use flywheel_protocol::interop::bundle::{send_id, SealedBundle};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// The `interop` subcommands.
#[derive(Debug, Subcommand)]
pub enum InteropCommand {
    /// Compute a bundle's salt, encoding, hash, L2→L1 message and ERC-7786 send ids.
    ///
    /// Prints one line of JSON:
    /// {"interop_bundle_salt","encoded_bundle","bundle_hash","message","send_ids"}, all 0x hex.
    #[command(after_long_help = BUNDLE_FORMAT)]
    BundleHash {
        /// The bundle description (JSON), or - for stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// What `bundle-hash` prints; field order is the output's.
#[derive(Debug, Serialize)]
struct BundleHashOutput {
    interop_bundle_salt: String,
    encoded_bundle: String,
    bundle_hash: String,
    message: String,
    send_ids: Vec<String>,
}

/// Runs an `interop` subcommand.
pub fn run(cmd: &InteropCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match cmd {
        InteropCommand::BundleHash { file } => {
            let (name, bytes) = input::read(file, limits::MAX_INPUT_BYTES)?;
            let bundle = bundle_file::parse_bundle(&name, &bytes)?;
            let sealed = SealedBundle::new(bundle)
                .map_err(|e| CliError::field(name.as_str(), e.to_string()))?;
            let output = BundleHashOutput {
                interop_bundle_salt: hex::encode_prefixed(sealed.bundle.interopBundleSalt),
                encoded_bundle: hex::encode_prefixed(&sealed.encoded),
                bundle_hash: hex::encode_prefixed(sealed.hash),
                message: hex::encode_prefixed(sealed.message()),
                send_ids: (0..sealed.bundle.calls.len())
                    .map(|i| hex::encode_prefixed(send_id(&sealed.hash, i)))
                    .collect(),
            };
            let json = serde_json::to_string(&output)
                .map_err(|e| CliError::Output(std::io::Error::other(e)))?;
            writeln!(out, "{json}")?;
        }
    }
    Ok(())
}
