//! `flywheel address`: ERC-7930 interoperable addresses to and from hex, so that the
//! addresses bundles carry can be built and read by hand.

use crate::error::CliError;
use crate::parse;
use alloy_primitives::hex;
use clap::Subcommand;
use flywheel_protocol::address::{InteropAddress, CHAIN_TYPE_EIP155, VERSION};
use serde::Serialize;
use std::io::Write;

/// The `address` subcommands.
#[derive(Debug, Subcommand)]
pub enum AddressCommand {
    /// Print the ERC-7930 hex of a chain, an account, or both.
    ///
    /// With only --chain-id it is the destination form `sendBundle` takes; with only
    /// --address it is the form of a call's `to`; with neither, the 6-byte empty address.
    Encode {
        /// EIP-155 chain id: decimal digits, or 0x and hex digits; 0 to 2^64-1.
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        chain_id: Option<String>,
        /// 20-byte account address (0x hex; mixed case must be a valid EIP-55 checksum).
        #[arg(long, value_name = "0xADDRESS", allow_hyphen_values = true)]
        address: Option<String>,
    },
    /// Decode ERC-7930 hex into JSON.
    ///
    /// Strict: only the canonical form is accepted (the chain reference in its minimal
    /// big-endian bytes, nothing after the address), so what decodes re-encodes to the same
    /// hex. Inside the protocol, addresses are read as the contracts read them.
    ///
    /// Prints {"version":1,"chain_type":0,"chain_id":N|null,"address":"0x…"|null} on one line.
    /// The address is lowercase hex (not EIP-55 checksummed) so the output is stable to compare.
    Decode {
        /// The interoperable address as hex (one optional 0x, an even number of digits).
        #[arg(value_name = "0xHEX", allow_hyphen_values = true)]
        hex: String,
    },
}

/// The JSON `address decode` prints; field order is the output's.
#[derive(Debug, Serialize)]
struct Decoded {
    version: u16,
    chain_type: u16,
    chain_id: Option<u64>,
    address: Option<String>,
}

/// Runs an `address` subcommand, writing its one line of output to `out`.
pub fn run(cmd: &AddressCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match cmd {
        AddressCommand::Encode { chain_id, address } => {
            let addr = InteropAddress {
                chain_id: chain_id
                    .as_deref()
                    .map(|c| parse::chain_id("--chain-id", c))
                    .transpose()?,
                address: address
                    .as_deref()
                    .map(|a| parse::address("--address", a))
                    .transpose()?,
            };
            writeln!(out, "{}", hex::encode_prefixed(addr.encode()))?;
        }
        AddressCommand::Decode { hex: text } => {
            let bytes = parse::hex_bytes("", "ERC-7930 address", text)?;
            let addr = InteropAddress::decode_canonical(&bytes)
                .map_err(|e| CliError::bad_value("", "ERC-7930 address", text, e.to_string()))?;
            let decoded = Decoded {
                version: VERSION,
                chain_type: CHAIN_TYPE_EIP155,
                chain_id: addr.chain_id,
                address: addr.address.map(hex::encode_prefixed),
            };
            let json = serde_json::to_string(&decoded)
                .map_err(|e| CliError::Output(std::io::Error::other(e)))?;
            writeln!(out, "{json}")?;
        }
    }
    Ok(())
}
