//! `flywheel interop`: offline computations over interop data, so that a bundle's identities
//! can be checked against a contract, an explorer or another implementation.

use crate::error::CliError;
use crate::parse;
use alloy_primitives::{hex, Address, B256};
use clap::Subcommand;
use flywheel_protocol::interop::bundle::{
    bundle_salt, send_id, BundleAttributes, InteropBundle, InteropCall, SealedBundle,
    INTEROP_VERSION,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{Read, Write};
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

/// The input format, shown by `bundle-hash --help` (kept verbatim: clap re-wraps doc comments).
const BUNDLE_FORMAT: &str = r#"FILE format (a JSON object; use - to read it from stdin):

  {"source_chain_id": 324,
   "destination_chain_id": 325,
   "destination_base_token_asset_id": "0x…32 bytes",
   "sender": "0x…20 bytes", "sender_nonce": 3,   (or "salt": "0x…32 bytes"; not both)
   "calls": [{"to": "0x…", "from": "0x…", "value": "1000", "data": "0x…"}],
   "execution_address": "0x",                   (ERC-7930 hex; "0x" lets anyone execute)
   "unbundler_address": "0x0001…",              (ERC-7930 hex)
   "use_fixed_fee": false}                      (true: the bundle pays the fixed ZK fee)

value is wei as a decimal string (a JSON integer is accepted up to 2^64-1).
The salt is keccak256(sender ‖ uint256 sender_nonce), as the InteropCenter derives it.
Calls are encoded with version 0x01 and shadowAccount false; "calls" may be empty.
The layout is draft-v31's InteropBundle. This is a pure encoder: it checks the shape of each
field, not chain rules (registration, base tokens, L2-to-L2). Unknown keys are an error."#;

/// The input file's top level. Values stay untyped here and are checked field by field, so
/// that an error can name the field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object describing a bundle")]
struct BundleFile {
    source_chain_id: Value,
    destination_chain_id: Value,
    destination_base_token_asset_id: Value,
    #[serde(default)]
    salt: Option<Value>,
    #[serde(default)]
    sender: Option<Value>,
    #[serde(default)]
    sender_nonce: Option<Value>,
    calls: Value,
    execution_address: Value,
    unbundler_address: Value,
    use_fixed_fee: Value,
}

/// One entry of `calls`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object describing a call")]
struct CallFile {
    to: Value,
    from: Value,
    value: Value,
    data: Value,
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
            let (name, text) = read_input(file)?;
            let bundle = parse_bundle(&name, &text)?;
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

/// Reads a file, or stdin for `-`; returns the name to use in errors and the text.
fn read_input(path: &PathBuf) -> Result<(String, String), CliError> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        let name = "<stdin>".to_string();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|source| CliError::Read {
                path: name.clone(),
                source,
            })?;
        Ok((name, text))
    } else {
        let name = path.display().to_string();
        text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
            path: name.clone(),
            source,
        })?;
        Ok((name, text))
    }
}

/// Parses and validates the bundle description; `name` labels whole-file errors.
fn parse_bundle(name: &str, text: &str) -> Result<InteropBundle, CliError> {
    let value: Value = serde_json::from_str(text).map_err(|source| CliError::Json {
        path: name.to_string(),
        source,
    })?;
    if !value.is_object() {
        return Err(CliError::field(
            name,
            "expected a JSON object describing a bundle",
        ));
    }
    let file: BundleFile =
        serde_json::from_value(value).map_err(|e| CliError::field(name, e.to_string()))?;

    let source = parse::json_u64("source_chain_id", &file.source_chain_id)?;
    let destination = parse::json_u64("destination_chain_id", &file.destination_chain_id)?;
    let base_token = parse::b256(
        "destination_base_token_asset_id",
        parse::json_str(
            "destination_base_token_asset_id",
            &file.destination_base_token_asset_id,
        )?,
    )?;
    let salt = salt_of(&file)?;

    // An empty list is a valid bundle: the InteropCenter sends bundles without calls.
    let Value::Array(entries) = &file.calls else {
        return Err(CliError::field("calls", "expected an array of calls"));
    };
    let calls = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| parse_call(&format!("calls[{i}]"), entry))
        .collect::<Result<Vec<_>, _>>()?;

    let exec_text = parse::json_str("execution_address", &file.execution_address)?;
    let (execution, _) = parse::interop_address("execution_address", exec_text, true)?;
    let unbundler_text = parse::json_str("unbundler_address", &file.unbundler_address)?;
    let (unbundler, _) = parse::interop_address("unbundler_address", unbundler_text, false)?;
    let use_fixed_fee = parse::json_bool("use_fixed_fee", &file.use_fixed_fee)?;

    Ok(InteropBundle {
        version: INTEROP_VERSION,
        sourceChainId: alloy_primitives::U256::from(source),
        destinationChainId: alloy_primitives::U256::from(destination),
        destinationBaseTokenAssetId: base_token,
        interopBundleSalt: salt,
        calls,
        bundleAttributes: BundleAttributes {
            executionAddress: execution,
            unbundlerAddress: unbundler,
            useFixedFee: use_fixed_fee,
        },
    })
}

/// The salt: given directly, or derived from the sender and its bundle count — one or the
/// other, since giving both invites them to disagree.
fn salt_of(file: &BundleFile) -> Result<B256, CliError> {
    match (&file.salt, &file.sender, &file.sender_nonce) {
        (Some(salt), None, None) => parse::b256("salt", parse::json_str("salt", salt)?),
        (None, Some(sender), Some(nonce)) => {
            let sender: Address = parse::address("sender", parse::json_str("sender", sender)?)?;
            let nonce = parse::json_u64("sender_nonce", nonce)?;
            Ok(bundle_salt(sender, nonce))
        }
        (Some(_), _, _) => Err(CliError::field(
            "salt",
            "give either \"salt\" or \"sender\" with \"sender_nonce\", not both",
        )),
        (None, Some(_), None) => Err(CliError::field(
            "sender_nonce",
            "missing: \"sender\" needs \"sender_nonce\" to derive the salt",
        )),
        (None, None, Some(_)) => Err(CliError::field(
            "sender",
            "missing: \"sender_nonce\" needs \"sender\" to derive the salt",
        )),
        (None, None, None) => Err(CliError::field(
            "salt",
            "missing: give \"salt\", or \"sender\" with \"sender_nonce\"",
        )),
    }
}

/// One call; `field` is its path (`calls[2]`).
fn parse_call(field: &str, entry: &Value) -> Result<InteropCall, CliError> {
    let call: CallFile =
        CallFile::deserialize(entry).map_err(|e| CliError::field(field, e.to_string()))?;
    let path = |name: &str| format!("{field}.{name}");
    let to = parse::address(&path("to"), parse::json_str(&path("to"), &call.to)?)?;
    let from = parse::address(&path("from"), parse::json_str(&path("from"), &call.from)?)?;
    let value = parse::json_wei(&path("value"), &call.value)?;
    let data = parse::hex_bytes(
        &path("data"),
        "hex",
        parse::json_str(&path("data"), &call.data)?,
    )?;
    Ok(InteropCall {
        version: INTEROP_VERSION,
        shadowAccount: false,
        to,
        from,
        value,
        data: data.into(),
    })
}
