//! The ERC-7930 decoders: the protocol's (the contracts' reading) and the strict one `flywheel
//! address decode` uses, plus the CLI's hex and chain-id parsers. Properties: nothing panics;
//! what the strict decoder accepts re-encodes to the same bytes and agrees with the loose one;
//! whatever the loose one accepts re-encodes to a canonical form both accept.
#![no_main]

use flywheel_cli::parse;
use flywheel_protocol::address::InteropAddress;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let loose = InteropAddress::decode(data);
    if let Ok(a) = InteropAddress::decode_canonical(data) {
        assert_eq!(a.encode().as_ref(), data, "canonical bytes round-trip");
        assert_eq!(loose, Ok(a), "the strict reading agrees with the contracts'");
    }
    if let Ok(a) = loose {
        let canonical = a.encode();
        assert_eq!(InteropAddress::decode(&canonical), Ok(a));
        assert_eq!(InteropAddress::decode_canonical(&canonical), Ok(a));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = parse::hex_bytes("f", "hex", text) {
            // One optional 0x and hex digits only: the bytes print back to the same digits.
            let digits = text.strip_prefix("0x").unwrap_or(text);
            assert_eq!(alloy_hex(&bytes), digits.to_ascii_lowercase());
        }
        if let Ok(id) = parse::chain_id("f", text) {
            // Decimal digits, or 0x and hex digits: nothing else, and the value they spell.
            let (digits, radix) = text.strip_prefix("0x").map_or((text, 10), |h| (h, 16));
            assert!(!digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)));
            assert_eq!(u128::from_str_radix(digits, radix).ok(), Some(u128::from(id)));
        }
        let _ = parse::interop_address("f", text, true);
        let _ = parse::address("f", text);
    }
});

fn alloy_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
