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
    /// Base-token fee (`interopProtocolFee × calls`; zero in fixed mode and to L1).
    pub base: U256,
    /// ZK fee (`ZK_INTEROP_FEE × calls` in fixed mode).
    pub zk: U256,
    /// Whether the fixed ZK fee applies.
    pub fixed: bool,
    /// Calls the Gateway settlement fee will charge (dynamic mode, not to L1).
    pub chargeable_calls: u64,
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

/// The fee of `calls` calls: L2→L1 pays nothing; the fixed mode charges ZK per call and is
/// not chargeable at settlement; the default mode charges the base-token fee per call.
#[inline]
pub fn interop_fee(
    s: &FeeSchedule,
    calls: u64,
    use_fixed_fee: bool,
    to_l1: bool,
) -> Result<InteropFee, FeeError> {
    let n = U256::from(calls);
    if to_l1 {
        return Ok(InteropFee {
            base: U256::ZERO,
            zk: U256::ZERO,
            fixed: false,
            chargeable_calls: 0,
        });
    }
    if use_fixed_fee {
        if !s.zk_available {
            return Err(FeeError::ZkNotAvailable);
        }
        let zk = s.zk_fee.checked_mul(n).ok_or(FeeError::Overflow)?;
        return Ok(InteropFee {
            base: U256::ZERO,
            zk,
            fixed: true,
            chargeable_calls: 0,
        });
    }
    let base = s.protocol_fee.checked_mul(n).ok_or(FeeError::Overflow)?;
    Ok(InteropFee {
        base,
        zk: U256::ZERO,
        fixed: false,
        chargeable_calls: calls,
    })
}

/// What a batch with `chargeable_calls` owes Gateway: `gatewaySettlementFee × calls` ZK.
#[inline]
pub fn settlement_fee(
    gateway_settlement_fee: U256,
    chargeable_calls: u64,
) -> Result<U256, FeeError> {
    gateway_settlement_fee
        .checked_mul(U256::from(chargeable_calls))
        .ok_or(FeeError::Overflow)
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
        let d = interop_fee(&sched(), 3, false, false).unwrap();
        assert_eq!(
            (d.base, d.zk, d.chargeable_calls),
            (U256::from(21u8), U256::ZERO, 3)
        );
        let f = interop_fee(&sched(), 3, true, false).unwrap();
        assert_eq!(
            (f.base, f.zk, f.chargeable_calls),
            (U256::ZERO, tokens(30), 0)
        );
        let l1 = interop_fee(&sched(), 3, true, true).unwrap();
        assert_eq!(
            (l1.base, l1.zk, l1.chargeable_calls),
            (U256::ZERO, U256::ZERO, 0)
        );
        let no_zk = FeeSchedule {
            zk_available: false,
            ..sched()
        };
        assert_eq!(
            interop_fee(&no_zk, 1, true, false),
            Err(FeeError::ZkNotAvailable)
        );
        assert_eq!(
            interop_fee(
                &FeeSchedule {
                    protocol_fee: U256::MAX,
                    ..sched()
                },
                2,
                false,
                false
            ),
            Err(FeeError::Overflow)
        );
    }

    #[test]
    fn settlement() {
        assert_eq!(settlement_fee(tokens(10), 5), Ok(tokens(50)));
    }
}
