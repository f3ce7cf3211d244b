//! The chain type manager, as far as clients read it: the protocol version its chains run.

/// The semantic protocol version `(major, minor, patch)` `getSemverProtocolVersion()`
/// answers: v31, the contracts this model follows (era-contracts@4859b6f, branch draft-v31).
pub const PROTOCOL_VERSION: (u32, u32, u32) = (0, 31, 0);

/// `protocolVersion()`: [`PROTOCOL_VERSION`] packed as `SemVer.packSemVer` packs it
/// (`patch | minor << 32 | major << 64`,
/// era-contracts@4859b6f:l1-contracts/contracts/common/libraries/SemVer.sol).
pub fn packed_protocol_version() -> u128 {
    let (major, minor, patch) = PROTOCOL_VERSION;
    u128::from(patch) | (u128::from(minor) << 32) | (u128::from(major) << 64)
}
