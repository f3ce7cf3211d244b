//! Parsers for the values users type or put in files. Each takes the name of the field it is
//! parsing so that its error can say where the bad value was.

use crate::error::CliError;
use alloy_primitives::{hex, Address, Bytes, B256, U256};
use flywheel_protocol::address::InteropAddress;
use serde_json::Value;

/// Hex with or without `0x`; an even number of digits. `0x` alone is the empty byte string.
pub fn hex_bytes(field: &str, kind: &'static str, text: &str) -> Result<Vec<u8>, CliError> {
    hex::decode(strip_0x(text))
        .map_err(|e| CliError::bad_value(field, kind, text, format!("not hex: {e}")))
}

/// The hex digits of `text`: trimmed, without one leading `0x`/`0X`.
fn strip_0x(text: &str) -> &str {
    let t = text.trim();
    t.strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t)
}

/// A 20-byte EVM address. Mixed-case input must carry a valid EIP-55 checksum, as wallets
/// require: a wrong checksum is almost always a typo.
pub fn address(field: &str, text: &str) -> Result<Address, CliError> {
    let bytes = hex_bytes(field, "address", text)?;
    if bytes.len() != 20 {
        return Err(CliError::bad_value(
            field,
            "address",
            text,
            format!("expected 20 bytes (40 hex digits), got {}", bytes.len()),
        ));
    }
    let addr = Address::from_slice(&bytes);
    let digits = strip_0x(text);
    let has_upper = digits.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = digits.chars().any(|c| c.is_ascii_lowercase());
    if has_upper && has_lower && addr.to_checksum(None).trim_start_matches("0x") != digits {
        return Err(CliError::bad_value(
            field,
            "address",
            text,
            format!("bad EIP-55 checksum (expected {})", addr.to_checksum(None)),
        ));
    }
    Ok(addr)
}

/// A 32-byte word (salt, hash).
pub fn b256(field: &str, text: &str) -> Result<B256, CliError> {
    let bytes = hex_bytes(field, "32-byte hex", text)?;
    if bytes.len() != 32 {
        return Err(CliError::bad_value(
            field,
            "32-byte hex",
            text,
            format!("expected 32 bytes (64 hex digits), got {}", bytes.len()),
        ));
    }
    Ok(B256::from_slice(&bytes))
}

/// ERC-7930 hex, validated with [`InteropAddress::decode`]. The bytes are returned as given
/// (not re-encoded): a bundle hashes its attribute bytes verbatim.
pub fn interop_address(
    field: &str,
    text: &str,
    allow_empty: bool,
) -> Result<(Bytes, Option<InteropAddress>), CliError> {
    let kind = "ERC-7930 address";
    let bytes = hex_bytes(field, kind, text)?;
    if bytes.is_empty() {
        if allow_empty {
            return Ok((Bytes::new(), None));
        }
        return Err(CliError::bad_value(field, kind, text, "must not be empty"));
    }
    let decoded = InteropAddress::decode(&bytes)
        .map_err(|e| CliError::bad_value(field, kind, text, e.to_string()))?;
    Ok((bytes.into(), Some(decoded)))
}

/// A chain id typed on the command line: decimal, or hex with `0x`.
pub fn chain_id(field: &str, text: &str) -> Result<u64, CliError> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse::<u64>(),
    };
    parsed.map_err(|e| {
        CliError::bad_value(
            field,
            "chain id",
            text,
            format!("expected an integer from 0 to 2^64-1 ({e})"),
        )
    })
}

/// A non-negative JSON integer that fits 64 bits (chain ids, nonces).
pub fn json_u64(field: &str, value: &Value) -> Result<u64, CliError> {
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(|| {
            CliError::bad_value(
                field,
                "integer",
                &n.to_string(),
                "expected an integer from 0 to 2^64-1",
            )
        }),
        other => Err(CliError::field(
            field,
            format!("expected an integer, got {}", type_name(other)),
        )),
    }
}

/// A JSON boolean (`true` or `false`, not a string or number).
pub fn json_bool(field: &str, value: &Value) -> Result<bool, CliError> {
    value.as_bool().ok_or_else(|| {
        CliError::field(
            field,
            format!("expected true or false, got {}", type_name(value)),
        )
    })
}

/// A JSON string (hex fields).
pub fn json_str<'v>(field: &str, value: &'v Value) -> Result<&'v str, CliError> {
    value.as_str().ok_or_else(|| {
        CliError::field(
            field,
            format!("expected a \"0x…\" string, got {}", type_name(value)),
        )
    })
}

/// An amount of wei: a decimal string (any size up to 2^256-1) or a JSON integer (up to
/// 2^64-1, as larger JSON numbers lose precision in most tools).
pub fn json_wei(field: &str, value: &Value) -> Result<U256, CliError> {
    let kind = "wei amount";
    match value {
        Value::String(s) => {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(CliError::bad_value(
                    field,
                    kind,
                    s,
                    "expected a decimal integer of wei (digits only)",
                ));
            }
            U256::from_str_radix(s, 10)
                .map_err(|_| CliError::bad_value(field, kind, s, "exceeds 2^256-1 wei"))
        }
        Value::Number(n) => n.as_u64().map(U256::from).ok_or_else(|| {
            CliError::bad_value(
                field,
                kind,
                &n.to_string(),
                "a JSON number must be an integer from 0 to 2^64-1; write larger amounts as a decimal string",
            )
        }),
        other => Err(CliError::field(
            field,
            format!(
                "expected a decimal string of wei, got {}",
                type_name(other)
            ),
        )),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_check_mixed_case_checksums() {
        let good = "0x8004A169FB4a3325136EB29fA0ceB6D2e539a432";
        assert!(address("a", good).is_ok());
        assert!(address("a", &good.to_lowercase()).is_ok());
        assert!(address("a", &good.to_uppercase().replace("0X", "0x")).is_ok());
        let bad = "0x8004a169FB4a3325136EB29fA0ceB6D2e539a432";
        assert!(address("a", bad).is_err());
        assert!(address("a", "0x12").is_err());
    }

    #[test]
    fn wei_accepts_strings_and_small_integers() {
        assert_eq!(
            json_wei("v", &Value::from("1000")).ok(),
            Some(U256::from(1000))
        );
        assert_eq!(json_wei("v", &Value::from(7u64)).ok(), Some(U256::from(7)));
        assert!(json_wei("v", &Value::from("1.5")).is_err());
        assert!(json_wei("v", &Value::from("-1")).is_err());
        assert!(json_wei("v", &Value::from("")).is_err());
        assert!(json_wei("v", &Value::from(-1)).is_err());
        assert!(json_wei("v", &Value::from(1.5)).is_err());
        assert!(json_wei("v", &Value::from("9".repeat(80))).is_err());
        assert!(json_wei("v", &Value::Null).is_err());
    }
}
