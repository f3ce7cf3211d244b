//! ERC-7930 interoperable addresses: one byte string naming a chain, an account, or both.
//!
//! Layout: `version (2) | chainType (2) | chainReferenceLength (1) | chainReference |
//! addressLength (1) | address`. Interop uses three shapes of it: a destination chain with no
//! address (`sendBundle`'s recipient), an address with no chain (each call's `to`), and a full
//! (chain, address) pair (bundle permissions, message senders).
//!
//! Sources: ERC-7930 (draft, "Interoperable Addresses") for the layout, and the parser the v31
//! contracts vendor, era-contracts@4859b6f:l1-contracts/contracts/vendor/draft-InteroperableAddress.sol
//! (`formatEvmV1`, `parseEvmV1`). [`InteropAddress::decode`] is stricter than that parser; the
//! differences are listed on it and in SOURCES.md.

use alloy_primitives::{Address, Bytes};
use serde::{Deserialize, Serialize};

/// The only ERC-7930 version defined so far (`bytes2(0x0001)` in `formatV1`/`tryParseV1`).
pub const VERSION: u16 = 0x0001;
/// CAIP-350 chain namespace `eip155` (EVM chains), the only one interop accepts
/// (`tryParseEvmV1` requires chain type 0x0000).
pub const CHAIN_TYPE_EIP155: u16 = 0x0000;
/// Version, chain type and the two length bytes: the smallest valid encoding (`tryParseV1`
/// rejects anything shorter than 6 bytes).
pub const MIN_LEN: usize = 6;

/// Why bytes are not a valid (EVM) ERC-7930 address. The vendored parser has a single
/// `InteroperableAddressParsingError(bytes)`; the model names which rule failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Fewer than the 6 fixed bytes.
    #[error("interoperable address too short: {len} bytes, need at least {MIN_LEN}")]
    Truncated {
        /// Bytes given.
        len: usize,
    },
    /// A version other than 0x0001.
    #[error("unsupported ERC-7930 version 0x{version:04x} (only 0x0001)")]
    BadVersion {
        /// Version found.
        version: u16,
    },
    /// A chain namespace other than EIP-155.
    #[error("unsupported chain type 0x{chain_type:04x} (only 0x0000, EIP-155)")]
    UnsupportedChainType {
        /// Chain type found.
        chain_type: u16,
    },
    /// A length byte points past the end of the input.
    #[error("{field} length {declared} overruns the input ({available} bytes left)")]
    LengthOverrun {
        /// `"chain reference"` or `"address"`.
        field: &'static str,
        /// Length declared in the length byte.
        declared: usize,
        /// Bytes actually left.
        available: usize,
    },
    /// Bytes remain after the address.
    #[error("{count} trailing bytes after the interoperable address")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// An EVM address must be 20 bytes (or absent).
    #[error("EVM address must be 0 or 20 bytes, got {len}")]
    BadAddressLength {
        /// Length found.
        len: usize,
    },
    /// The model keeps chain ids in 64 bits (every EIP-155 chain id in use fits); a person's
    /// address may carry at most 8 bytes of chain reference, the contracts' at most 32.
    #[error("chain reference of {len} bytes is larger than a 64-bit chain id")]
    ChainIdTooLarge {
        /// Length of the chain reference.
        len: usize,
    },
    /// A chain reference with leading zero bytes (`0x0001` for chain 1): the contracts'
    /// parser reads it as the same chain, but it does not round-trip, so the strict decoder
    /// people use ([`InteropAddress::decode_canonical`]) refuses it.
    #[error("chain reference 0x{found} is not minimal: chain {chain_id} is written 0x{minimal}")]
    NonMinimalChainReference {
        /// The chain reference as given, hex.
        found: String,
        /// The chain id it reads as.
        chain_id: u64,
        /// Its minimal form, hex.
        minimal: String,
    },
    /// Not hex, or odd length, where hex was expected.
    #[error("invalid hex: {0}")]
    Hex(String),
}

/// A decoded EVM interoperable address. Both parts are optional, as in ERC-7930.
///
/// `chain_id: Some(0)` and `None` both mean "any chain" in permission checks (the wildcard the
/// InteropHandler accepts); they encode differently (`0x00` vs. an empty reference) so both
/// round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InteropAddress {
    /// EIP-155 chain id, if the address names a chain.
    pub chain_id: Option<u64>,
    /// The account, if the address names one.
    pub address: Option<Address>,
}

impl InteropAddress {
    /// A (chain, account) pair.
    pub fn new(chain_id: u64, address: Address) -> Self {
        Self {
            chain_id: Some(chain_id),
            address: Some(address),
        }
    }

    /// A chain with no account: the destination form `sendBundle` takes.
    pub fn chain_only(chain_id: u64) -> Self {
        Self {
            chain_id: Some(chain_id),
            address: None,
        }
    }

    /// An account with no chain: the form of each call's `to`.
    pub fn address_only(address: Address) -> Self {
        Self {
            chain_id: None,
            address: Some(address),
        }
    }

    /// Serialises to the ERC-7930 binary form; the chain id uses its minimal big-endian bytes,
    /// and chain 0 one zero byte, as `formatEvmV1` does (`Math.log256(id) + 1` bytes).
    pub fn encode(&self) -> Bytes {
        let chain_ref: Vec<u8> = match self.chain_id {
            None => Vec::new(),
            Some(0) => vec![0],
            Some(id) => {
                let be = id.to_be_bytes();
                let skip = be.iter().take_while(|b| **b == 0).count();
                be[skip..].to_vec()
            }
        };
        let addr: &[u8] = match &self.address {
            Some(a) => a.as_slice(),
            None => &[],
        };
        let mut out = Vec::with_capacity(MIN_LEN + chain_ref.len() + addr.len());
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.extend_from_slice(&CHAIN_TYPE_EIP155.to_be_bytes());
        out.push(chain_ref.len() as u8); // invariant: at most 8 bytes
        out.extend_from_slice(&chain_ref);
        out.push(addr.len() as u8); // invariant: 0 or 20 bytes
        out.extend_from_slice(addr);
        out.into()
    }

    /// Parses the ERC-7930 binary form as the contracts' `parseEvmV1` does, which the
    /// InteropCenter and InteropHandler use
    /// (era-contracts@4859b6f:l1-contracts/contracts/vendor/draft-InteroperableAddress.sol):
    /// version 1, chain type EIP-155, at least 6 bytes, lengths within the input, an address of
    /// 0 or 20 bytes, a chain reference shorter than 33 bytes read as a big-endian number
    /// (leading zero bytes allowed), and bytes after the address ignored.
    ///
    /// Differs from the source in one place: the model keeps chain ids in 64 bits, so a chain
    /// reference whose value does not fit is [`AddressError::ChainIdTooLarge`] (the contracts
    /// would parse it, then find no such chain).
    pub fn decode(bytes: &[u8]) -> Result<Self, AddressError> {
        Self::parse(bytes, false)
    }

    /// The strict reading for people and tools typing an address (`flywheel address decode`):
    /// [`InteropAddress::decode`], and also no bytes after the address
    /// ([`AddressError::TrailingBytes`]) and a minimal chain reference
    /// ([`AddressError::NonMinimalChainReference`]), so that what is accepted re-encodes to the
    /// same bytes. Inside the protocol, parsing follows the contracts.
    pub fn decode_canonical(bytes: &[u8]) -> Result<Self, AddressError> {
        let decoded = Self::parse(bytes, true)?;
        let chain_len = usize::from(bytes[4]); // invariant: parse checked the 6 fixed bytes
        let chain_ref = &bytes[5..5 + chain_len];
        if let Some(chain_id) = decoded.chain_id {
            if chain_len > 1 && chain_ref[0] == 0 {
                let minimal = Self::chain_only(chain_id).encode();
                return Err(AddressError::NonMinimalChainReference {
                    found: alloy_primitives::hex::encode(chain_ref),
                    chain_id,
                    minimal: alloy_primitives::hex::encode(&minimal[5..minimal.len() - 1]),
                });
            }
        }
        Ok(decoded)
    }

    fn parse(bytes: &[u8], strict: bool) -> Result<Self, AddressError> {
        if bytes.len() < MIN_LEN {
            return Err(AddressError::Truncated { len: bytes.len() });
        }
        let version = u16::from_be_bytes([bytes[0], bytes[1]]);
        if version != VERSION {
            return Err(AddressError::BadVersion { version });
        }
        let chain_type = u16::from_be_bytes([bytes[2], bytes[3]]);
        if chain_type != CHAIN_TYPE_EIP155 {
            return Err(AddressError::UnsupportedChainType { chain_type });
        }
        let chain_len = bytes[4] as usize;
        let rest = &bytes[5..];
        // One more byte (the address length) must follow the chain reference.
        if chain_len + 1 > rest.len() {
            return Err(AddressError::LengthOverrun {
                field: "chain reference",
                declared: chain_len,
                available: rest.len().saturating_sub(1),
            });
        }
        let (chain_ref, rest) = rest.split_at(chain_len);
        let addr_len = rest[0] as usize;
        let rest = &rest[1..];
        if addr_len > rest.len() {
            return Err(AddressError::LengthOverrun {
                field: "address",
                declared: addr_len,
                available: rest.len(),
            });
        }
        if strict && addr_len != rest.len() {
            return Err(AddressError::TrailingBytes {
                count: rest.len() - addr_len,
            });
        }
        if addr_len != 0 && addr_len != 20 {
            return Err(AddressError::BadAddressLength { len: addr_len });
        }
        // `tryParseEvmV1` takes references shorter than 33 bytes; people get at most 8.
        let significant = chain_ref.iter().skip_while(|b| **b == 0).count();
        if chain_len > 32 || (strict && chain_len > 8) || significant > 8 {
            return Err(AddressError::ChainIdTooLarge { len: chain_len });
        }
        let chain_id = (chain_len > 0).then(|| {
            chain_ref
                .iter()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
        });
        let address = (addr_len == 20).then(|| Address::from_slice(&rest[..20]));
        Ok(Self { chain_id, address })
    }

    /// Parses `0x`-prefixed (or bare) hex, then [`InteropAddress::decode`].
    pub fn from_hex(text: &str) -> Result<Self, AddressError> {
        let raw = text.trim();
        let raw = raw.strip_prefix("0x").unwrap_or(raw);
        let bytes =
            alloy_primitives::hex::decode(raw).map_err(|e| AddressError::Hex(e.to_string()))?;
        Self::decode(&bytes)
    }

    /// Whether `self`, used as a permission, admits the concrete `(chain_id, address)`:
    /// the accounts must be equal and the chain must match unless `self` names no chain or
    /// chain 0 (the wildcard). `parseEvmV1` yields chain id 0 for an empty reference, and the
    /// InteropHandler accepts a chain id of 0 or the expected chain
    /// (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropHandler.sol).
    pub fn permits(&self, chain_id: u64, address: Address) -> bool {
        let chain_ok = matches!(self.chain_id, None | Some(0)) || self.chain_id == Some(chain_id);
        chain_ok && self.address == Some(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex};
    use proptest::prelude::*;

    #[test]
    fn encodes_the_ensip25_example() {
        let a = InteropAddress::new(1, address!("8004A169FB4a3325136EB29fA0ceB6D2e539a432"));
        assert_eq!(
            hex::encode(a.encode()),
            "000100000101148004a169fb4a3325136eb29fa0ceb6d2e539a432"
        );
        assert_eq!(InteropAddress::decode(&a.encode()), Ok(a));
    }

    #[test]
    fn chain_only_and_address_only_forms() {
        let chain = InteropAddress::chain_only(324);
        assert_eq!(
            hex::encode(chain.encode()),
            "00010000020144".to_string() + "00"
        );
        let addr = InteropAddress::address_only(Address::repeat_byte(0x11));
        assert_eq!(
            hex::encode(addr.encode()),
            format!("000100000014{}", "11".repeat(20))
        );
        assert_eq!(InteropAddress::decode(&chain.encode()), Ok(chain));
        assert_eq!(InteropAddress::decode(&addr.encode()), Ok(addr));
        let empty = InteropAddress {
            chain_id: None,
            address: None,
        };
        assert_eq!(empty.encode().len(), MIN_LEN);
    }

    #[test]
    fn rejects_malformed_input() {
        use AddressError::*;
        let d = |h: &str| InteropAddress::from_hex(h);
        assert_eq!(d("0x0001000001"), Err(Truncated { len: 5 }));
        assert_eq!(
            d("0x00020000 0000".replace(' ', "").as_str()),
            Err(BadVersion { version: 2 })
        );
        assert_eq!(
            d("0x000100010000"),
            Err(UnsupportedChainType { chain_type: 1 })
        );
        assert!(matches!(
            d("0x0001000005010200"),
            Err(LengthOverrun {
                field: "chain reference",
                ..
            })
        ));
        assert!(matches!(
            d("0x00010000000511"),
            Err(LengthOverrun {
                field: "address",
                ..
            })
        ));
        let strict = |h: &str| InteropAddress::decode_canonical(&hex::decode(h).unwrap());
        assert_eq!(strict("0x000100000000ff"), Err(TrailingBytes { count: 1 }));
        // The contracts' `parseEvmV1` ignores bytes after the address.
        assert_eq!(
            d("0x000100000000ff"),
            Ok(InteropAddress {
                chain_id: None,
                address: None
            })
        );
        assert_eq!(d("0x0001000000021111"), Err(BadAddressLength { len: 2 }));
        assert_eq!(
            d("0x0001000009010203040506070809 00"
                .replace(' ', "")
                .as_str()),
            Err(ChainIdTooLarge { len: 9 })
        );
        // Up to 32 bytes of reference are the contracts' reading (leading zeros allowed); a
        // person's address may carry 8 at most.
        let padded = format!("0x00010000 20 {}01 00", "00".repeat(31)).replace(' ', "");
        assert_eq!(d(&padded), Ok(InteropAddress::chain_only(1)));
        assert_eq!(strict(&padded), Err(ChainIdTooLarge { len: 32 }));
        let too_long = format!("0x00010000 21 {}01 00", "00".repeat(32)).replace(' ', "");
        assert_eq!(d(&too_long), Err(ChainIdTooLarge { len: 33 }));
        assert!(matches!(d("0xzz"), Err(Hex(_))));
    }

    #[test]
    fn canonical_decoding_refuses_leading_zero_bytes() {
        let bytes = hex::decode("0x0001000002000100").unwrap();
        assert_eq!(
            InteropAddress::decode(&bytes),
            Ok(InteropAddress::chain_only(1)),
            "the contracts' reading"
        );
        assert_eq!(
            InteropAddress::decode_canonical(&bytes),
            Err(AddressError::NonMinimalChainReference {
                found: "0001".into(),
                chain_id: 1,
                minimal: "01".into()
            })
        );
        let zero_twice = hex::decode("0x00010000020000 00".replace(' ', "")).unwrap();
        assert!(InteropAddress::decode_canonical(&zero_twice).is_err());
        for a in [
            InteropAddress::chain_only(0),
            InteropAddress::chain_only(256),
            InteropAddress::address_only(Address::repeat_byte(1)),
        ] {
            assert_eq!(InteropAddress::decode_canonical(&a.encode()), Ok(a));
        }
    }

    #[test]
    fn wildcard_chain_permits_any_chain() {
        let who = Address::repeat_byte(7);
        assert!(InteropAddress::new(0, who).permits(5, who));
        assert!(InteropAddress::address_only(who).permits(5, who));
        assert!(InteropAddress::new(5, who).permits(5, who));
        assert!(!InteropAddress::new(6, who).permits(5, who));
        assert!(!InteropAddress::new(0, who).permits(5, Address::repeat_byte(8)));
        assert!(!InteropAddress::chain_only(5).permits(5, who));
    }

    proptest! {
        #[test]
        fn round_trips(chain in proptest::option::of(any::<u64>()), addr in proptest::option::of(any::<[u8; 20]>())) {
            let a = InteropAddress { chain_id: chain, address: addr.map(Address::from) };
            prop_assert_eq!(InteropAddress::decode(&a.encode()), Ok(a));
        }

        #[test]
        fn canonical_decoding_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(a) = InteropAddress::decode_canonical(&bytes) {
                prop_assert_eq!(a.encode().to_vec(), bytes);
            }
        }

        #[test]
        fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(a) = InteropAddress::decode(&bytes) {
                // Canonical forms re-encode to the same bytes; a non-minimal chain reference
                // (leading zero bytes) decodes to the same chain and re-encodes minimally.
                prop_assert_eq!(InteropAddress::decode(&a.encode()), Ok(a));
            }
        }
    }
}
