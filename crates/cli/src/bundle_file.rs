//! The bundle description `flywheel interop bundle-hash` reads: a JSON object, read strictly
//! (every key known and given once, every value checked and quoted back as written), turned
//! into the draft-v31 `InteropBundle`.

use crate::error::CliError;
use crate::json::{self, Object};
use crate::parse;
use alloy_primitives::{Address, B256, U256};
use flywheel_protocol::interop::bundle::{
    bundle_salt, BundleAttributes, InteropBundle, InteropCall, INTEROP_VERSION,
};
use serde_json::value::RawValue;

/// The input format, shown by `bundle-hash --help` (kept verbatim: clap re-wraps doc comments).
pub const BUNDLE_FORMAT: &str = r#"FILE format (a JSON object; use - to read it from stdin):

  {"source_chain_id": 324,
   "destination_chain_id": 325,
   "destination_base_token_asset_id": "0x…32 bytes",
   "sender": "0x…20 bytes", "sender_nonce": 3,   (or "salt": "0x…32 bytes"; not both)
   "calls": [{"to": "0x…", "from": "0x…", "value": "1000", "data": "0x…"}],
   "execution_address": "0x",                   (ERC-7930 hex; "0x" lets anyone execute)
   "unbundler_address": "0x0001…",              (ERC-7930 hex)
   "use_fixed_fee": false}                      (true: the bundle pays the fixed ZK fee)

value is wei as a decimal string (a JSON integer is accepted up to 2^64-1).
Hex is one optional 0x and an even number of hex digits. Every key must be known and given
once. The file (or stdin) may be at most 16 MiB.
The salt is keccak256(sender ‖ uint256 sender_nonce), as the InteropCenter derives it.
Calls are encoded with version 0x01 and shadowAccount false; "calls" may be empty.
The layout is draft-v31's InteropBundle. This is a pure encoder: it checks the shape of each
field, not chain rules (registration, base tokens, L2-to-L2). ERC-7930 attributes are read as
the contracts read them and hashed as given."#;

const BUNDLE_KEYS: [&str; 10] = [
    "source_chain_id",
    "destination_chain_id",
    "destination_base_token_asset_id",
    "salt",
    "sender",
    "sender_nonce",
    "calls",
    "execution_address",
    "unbundler_address",
    "use_fixed_fee",
];
const CALL_KEYS: [&str; 4] = ["to", "from", "value", "data"];

/// Parses a bundle description; `name` labels whole-file errors.
pub fn parse_bundle(name: &str, bytes: &[u8]) -> Result<InteropBundle, CliError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| CliError::field(name, format!("not UTF-8 text: {e}")))?;
    let file = Object::parse(text).map_err(|source| CliError::Json {
        path: name.to_string(),
        source,
    })?;
    check_keys(&file, &BUNDLE_KEYS, name)?;
    let get = |key: &str| {
        file.get(key)
            .ok_or_else(|| CliError::field(name, format!("missing field `{key}`")))
    };

    let source = json_u64("source_chain_id", get("source_chain_id")?)?;
    let destination = json_u64("destination_chain_id", get("destination_chain_id")?)?;
    let base_token = parse::b256(
        "destination_base_token_asset_id",
        &json_str(
            "destination_base_token_asset_id",
            get("destination_base_token_asset_id")?,
        )?,
    )?;
    let salt = salt_of(&file)?;

    // An empty list is a valid bundle: the InteropCenter sends bundles without calls.
    let calls_raw = get("calls")?;
    let entries = json::array(calls_raw).ok_or_else(|| {
        CliError::field(
            "calls",
            format!("expected an array of calls, got {}", json::kind(calls_raw)),
        )
    })?;
    let calls = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| parse_call(&format!("calls[{i}]"), entry))
        .collect::<Result<Vec<_>, _>>()?;

    let exec_text = json_str("execution_address", get("execution_address")?)?;
    let (execution, _) = parse::interop_address("execution_address", &exec_text, true)?;
    let unbundler_text = json_str("unbundler_address", get("unbundler_address")?)?;
    let (unbundler, _) = parse::interop_address("unbundler_address", &unbundler_text, false)?;
    let use_fixed_fee = json_bool("use_fixed_fee", get("use_fixed_fee")?)?;

    Ok(InteropBundle {
        version: INTEROP_VERSION,
        sourceChainId: U256::from(source),
        destinationChainId: U256::from(destination),
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

/// Every key known and none repeated; `object` names the object (the file, `calls[0]`).
fn check_keys(object: &Object<'_>, known: &[&str], name: &str) -> Result<(), CliError> {
    if let Some(key) = object.repeated_key() {
        return Err(CliError::field(
            name,
            format!("duplicate field `{key}`: each key may appear once"),
        ));
    }
    if let Some((key, _)) = object.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        return Err(CliError::field(
            name,
            format!(
                "unknown field `{key}`; expected one of: {}",
                known.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The salt: given directly, or derived from the sender and its bundle count — one or the
/// other, since giving both invites them to disagree.
fn salt_of(file: &Object<'_>) -> Result<B256, CliError> {
    match (
        file.get("salt"),
        file.get("sender"),
        file.get("sender_nonce"),
    ) {
        (Some(salt), None, None) => parse::b256("salt", &json_str("salt", salt)?),
        (None, Some(sender), Some(nonce)) => {
            let sender: Address = parse::address("sender", &json_str("sender", sender)?)?;
            let nonce = json_u64("sender_nonce", nonce)?;
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
fn parse_call(field: &str, entry: &RawValue) -> Result<InteropCall, CliError> {
    let call = Object::parse(entry.get()).map_err(|_| {
        CliError::field(
            field,
            format!(
                "expected a JSON object describing a call, got {}",
                json::kind(entry)
            ),
        )
    })?;
    check_keys(&call, &CALL_KEYS, field)?;
    let path = |name: &str| format!("{field}.{name}");
    let get = |key: &str| {
        call.get(key)
            .ok_or_else(|| CliError::field(field, format!("missing field `{key}`")))
    };
    let to = parse::address(&path("to"), &json_str(&path("to"), get("to")?)?)?;
    let from = parse::address(&path("from"), &json_str(&path("from"), get("from")?)?)?;
    let value = json_wei(&path("value"), get("value")?)?;
    let data = parse::hex_bytes(
        &path("data"),
        "hex",
        &json_str(&path("data"), get("data")?)?,
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

/// A JSON number's text if `raw` is one.
fn number(raw: &RawValue) -> Option<&str> {
    (json::kind(raw) == "a number").then(|| raw.get().trim())
}

/// A non-negative JSON integer that fits 64 bits (chain ids, nonces), quoted as written when
/// it does not.
pub fn json_u64(field: &str, raw: &RawValue) -> Result<u64, CliError> {
    match number(raw) {
        Some(text) => text.parse::<u64>().map_err(|_| {
            CliError::bad_value(
                field,
                "integer",
                text,
                "expected an integer from 0 to 2^64-1",
            )
        }),
        None => Err(CliError::field(
            field,
            format!("expected an integer, got {}", json::kind(raw)),
        )),
    }
}

/// A JSON boolean (`true` or `false`, not a string or number).
pub fn json_bool(field: &str, raw: &RawValue) -> Result<bool, CliError> {
    match raw.get().trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(CliError::field(
            field,
            format!("expected true or false, got {}", json::kind(raw)),
        )),
    }
}

/// A JSON string (hex fields).
pub fn json_str(field: &str, raw: &RawValue) -> Result<String, CliError> {
    if json::kind(raw) != "a string" {
        return Err(CliError::field(
            field,
            format!("expected a \"0x…\" string, got {}", json::kind(raw)),
        ));
    }
    serde_json::from_str(raw.get()).map_err(|e| CliError::field(field, e.to_string()))
}

/// An amount of wei: a decimal string (any size up to 2^256-1) or a JSON integer (up to
/// 2^64-1, as larger JSON numbers lose precision in most tools); quoted as written.
pub fn json_wei(field: &str, raw: &RawValue) -> Result<U256, CliError> {
    let kind = "wei amount";
    if let Some(text) = number(raw) {
        return text.parse::<u64>().map(U256::from).map_err(|_| {
            CliError::bad_value(
                field,
                kind,
                text,
                "a JSON number must be an integer from 0 to 2^64-1; write larger amounts as a decimal string",
            )
        });
    }
    if json::kind(raw) != "a string" {
        return Err(CliError::field(
            field,
            format!("expected a decimal string of wei, got {}", json::kind(raw)),
        ));
    }
    let s: String =
        serde_json::from_str(raw.get()).map_err(|e| CliError::field(field, e.to_string()))?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CliError::bad_value(
            field,
            kind,
            &s,
            "expected a decimal integer of wei (digits only)",
        ));
    }
    U256::from_str_radix(&s, 10)
        .map_err(|_| CliError::bad_value(field, kind, &s, "exceeds 2^256-1 wei"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn wei_accepts_strings_and_small_integers() {
        assert_eq!(json_wei("v", &raw("\"1000\"")).ok(), Some(U256::from(1000)));
        assert_eq!(json_wei("v", &raw("7")).ok(), Some(U256::from(7)));
        for bad in ["\"1.5\"", "\"-1\"", "\"\"", "-1", "1.5", "null"] {
            assert!(json_wei("v", &raw(bad)).is_err(), "{bad}");
        }
        assert!(json_wei("v", &raw(&format!("\"{}\"", "9".repeat(80)))).is_err());
    }

    #[test]
    fn the_format_states_the_input_limit() {
        let mib = crate::limits::MAX_INPUT_BYTES >> 20;
        assert!(BUNDLE_FORMAT.contains(&format!("at most {mib} MiB")));
    }

    #[test]
    fn large_numbers_are_quoted_as_written() {
        let e = json_u64("source_chain_id", &raw("18446744073709551616")).unwrap_err();
        assert!(e.to_string().contains("\"18446744073709551616\""), "{e}");
        let e = json_wei("calls[0].value", &raw("1e30")).unwrap_err();
        assert!(e.to_string().contains("\"1e30\""), "{e}");
        let e = json_wei("calls[0].value", &raw("100000000000000000000000")).unwrap_err();
        assert!(
            e.to_string().contains("\"100000000000000000000000\""),
            "{e}"
        );
    }
}
