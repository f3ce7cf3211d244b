//! Parsers for the values users type or put in files. Each takes the name of the field it is
//! parsing so that its error can say where the bad value was. They are strict: one optional
//! `0x`, no signs, no spaces, nothing a reader could take two ways.

use crate::error::CliError;
use alloy_primitives::{hex, Address, Bytes, B256};
use flywheel_protocol::address::InteropAddress;

/// Hex: one optional `0x`, then an even number of hex digits (`0x` alone is no bytes).
/// `0x0x…`, spaces, signs and odd lengths are refused, naming the field.
pub fn hex_bytes(field: &str, kind: &'static str, text: &str) -> Result<Vec<u8>, CliError> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let bad = |reason: String| CliError::bad_value(field, kind, text, reason);
    if digits.starts_with("0x") || digits.starts_with("0X") {
        return Err(bad("a doubled 0x prefix: give one 0x at most".into()));
    }
    if let Some((i, c)) = digits.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        let at = text.len() - digits.len() + i + 1;
        return Err(bad(format!(
            "{} at position {at} is not a hex digit",
            crate::term::safe(&format!("{c:?}"))
        )));
    }
    if digits.len() % 2 == 1 {
        return Err(bad(format!(
            "odd number of hex digits ({}): each byte is two digits",
            digits.len()
        )));
    }
    hex::decode(digits).map_err(|e| bad(format!("not hex: {e}")))
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
    let digits = text.strip_prefix("0x").unwrap_or(text);
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

/// ERC-7930 hex inside a bundle, validated with [`InteropAddress::decode`], the contracts'
/// reading. The bytes are returned as given (not re-encoded): a bundle hashes its attribute
/// bytes verbatim, and the InteropCenter takes attribute bytes as the sender wrote them.
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

/// A chain id typed on the command line: decimal digits, or `0x` and hex digits; nothing
/// else (no sign, no spaces, no second prefix), and at most 2^64-1.
pub fn chain_id(field: &str, text: &str) -> Result<u64, CliError> {
    let bad = |reason: &str| CliError::bad_value(field, "chain id", text, reason);
    let (digits, radix) = match text.strip_prefix("0x") {
        Some(h) => (h, 16),
        None => (text, 10),
    };
    let is_digit = |c: char| c.is_digit(radix);
    if digits.is_empty() || !digits.chars().all(is_digit) {
        return Err(bad(if radix == 16 {
            "expected 0x and hex digits only"
        } else {
            "expected decimal digits, or 0x and hex digits"
        }));
    }
    u64::from_str_radix(digits, radix).map_err(|_| bad("larger than 2^64-1"))
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
    fn hex_takes_one_prefix_and_whole_bytes() {
        assert_eq!(hex_bytes("f", "hex", "0x").unwrap(), Vec::<u8>::new());
        assert_eq!(hex_bytes("f", "hex", "0xabCD").unwrap(), vec![0xab, 0xcd]);
        assert_eq!(hex_bytes("f", "hex", "abcd").unwrap(), vec![0xab, 0xcd]);
        for (text, needle) in [
            ("0x0x12", "doubled 0x"),
            ("0x0X12", "doubled 0x"),
            ("0x123", "odd number"),
            (" 0x12", "position 1"),
            ("0x12 ", "position 5"),
            ("0xzz", "'z' at position 3"),
            ("0x\u{1b}1", "'\\u{1b}'"),
        ] {
            let e = hex_bytes("calls[0].data", "hex", text)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("calls[0].data: "), "{e}");
            assert!(e.contains(needle), "{text}: {e}");
        }
        assert!(address("--address", &format!("0x0x{}", "11".repeat(20))).is_err());
    }

    #[test]
    fn chain_ids_are_decimal_or_0x_hex_only() {
        assert_eq!(chain_id("c", "324").unwrap(), 324);
        assert_eq!(chain_id("c", "0x144").unwrap(), 324);
        assert_eq!(chain_id("c", "18446744073709551615").unwrap(), u64::MAX);
        for bad in [
            "0x+1",
            "+1",
            "-1",
            "",
            "0x",
            " 1",
            "1 ",
            "0x0x1",
            "1e3",
            "0X1",
            "ff",
            "18446744073709551616",
        ] {
            let e = chain_id("--chain-id", bad).unwrap_err().to_string();
            assert!(e.starts_with("--chain-id: "), "{bad}: {e}");
        }
    }
}
