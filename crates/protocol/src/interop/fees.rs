//! The fee arithmetic of V31 interop as pure functions: what a batch of calls owes in each
//! mode and what a settling batch owes Gateway. The InteropCenter, the settlement path and the fee routes call these; so does the
//! simulator's flow mode, which is how both fidelities agree to the wei.

use alloy_primitives::U256;

/// Why a fee cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    /// The fixed ZK fee was chosen where ZK is not bridged (`ZKTokenNotAvailable`).
    #[error("ZK is not available on the source chain")]
    ZkNotAvailable,
    /// A product overflowed 256 bits (absurd inputs only).
    #[error("fee overflows 256 bits")]
    Overflow,
}

/// The interop fee of some calls in one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InteropFee {
    /// Base-token fee (`interopProtocolFee × calls`; zero in fixed mode).
    pub base: U256,
    /// ZK fee (`ZK_INTEROP_FEE × calls` in fixed mode).
    pub zk: U256,
    /// Whether the fixed ZK fee applies.
    pub fixed: bool,
}

/// The source chain's fee settings that the fee depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeSchedule {
    /// `interopProtocolFee`, base-token wei per call.
    pub protocol_fee: U256,
    /// `ZK_INTEROP_FEE`, ZK wei per call.
    pub zk_fee: U256,
    /// Whether ZK is bridged to the chain.
    pub zk_available: bool,
}

/// The fee of `calls` calls, one mode for the whole bundle: the fixed mode charges
/// `ZK_INTEROP_FEE` ZK per call and no base-token fee; the default mode charges
/// `interopProtocolFee` base token per call. The fixed mode needs ZK on the chain even for zero
/// calls, as the contract resolves the token before transferring
/// (`InteropCenter._sendBundle` and `_ensureCorrectTotalValue`,
/// `era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol`). Neither mode
/// changes what Gateway charges at settlement: see [`settlement_fee`].
#[inline]
pub fn interop_fee(
    s: &FeeSchedule,
    calls: u64,
    use_fixed_fee: bool,
) -> Result<InteropFee, FeeError> {
    if use_fixed_fee {
        if !s.zk_available {
            return Err(FeeError::ZkNotAvailable);
        }
        let zk = crate::units::mul_u64(s.zk_fee, calls).ok_or(FeeError::Overflow)?;
        return Ok(InteropFee {
            base: U256::ZERO,
            zk,
            fixed: true,
        });
    }
    let base = crate::units::mul_u64(s.protocol_fee, calls).ok_or(FeeError::Overflow)?;
    Ok(InteropFee {
        base,
        zk: U256::ZERO,
        fixed: false,
    })
}

/// What a batch owes Gateway: `gatewaySettlementFee × calls` ZK, where `calls` counts every
/// call of every bundle in the batch, whatever its fee mode (`_handleInteropCenterMessage`
/// returns `calls.length`; `_collectInteropSettlementFee` multiplies,
/// `era-contracts@4859b6f:l1-contracts/contracts/bridge/asset-tracker/GWAssetTracker.sol`).
#[inline]
pub fn settlement_fee(gateway_settlement_fee: U256, calls: u64) -> Result<U256, FeeError> {
    crate::units::mul_u64(gateway_settlement_fee, calls).ok_or(FeeError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::tokens;

    fn sched() -> FeeSchedule {
        FeeSchedule {
            protocol_fee: U256::from(7u8),
            zk_fee: tokens(10),
            zk_available: true,
        }
    }

    #[test]
    fn modes() {
        let d = interop_fee(&sched(), 3, false).unwrap();
        assert_eq!(
            (d.base, d.zk, d.fixed),
            (U256::from(21u8), U256::ZERO, false)
        );
        let f = interop_fee(&sched(), 3, true).unwrap();
        assert_eq!((f.base, f.zk, f.fixed), (U256::ZERO, tokens(30), true));
        let empty = interop_fee(&sched(), 0, true).unwrap();
        assert_eq!((empty.base, empty.zk), (U256::ZERO, U256::ZERO));
        let no_zk = FeeSchedule {
            zk_available: false,
            ..sched()
        };
        assert_eq!(interop_fee(&no_zk, 1, true), Err(FeeError::ZkNotAvailable));
        assert_eq!(
            interop_fee(&no_zk, 0, true),
            Err(FeeError::ZkNotAvailable),
            "the token is resolved even for an empty fixed-fee bundle"
        );
        assert!(interop_fee(&no_zk, 1, false).is_ok());
        assert_eq!(
            interop_fee(
                &FeeSchedule {
                    protocol_fee: U256::MAX,
                    ..sched()
                },
                2,
                false,
            ),
            Err(FeeError::Overflow)
        );
    }

    #[test]
    fn settlement() {
        assert_eq!(settlement_fee(tokens(10), 5), Ok(tokens(50)));
        assert_eq!(settlement_fee(tokens(10), 0), Ok(U256::ZERO));
        assert_eq!(settlement_fee(U256::MAX, 2), Err(FeeError::Overflow));
    }
}
