//! The splitter: routes incoming ZK by governance-set shares — a burn share and a list of
//! (recipient, share) pairs, in basis points summing to 10,000. At launch: 100% burn.
//!
//! Rounding: each recipient gets `floor(amount × share / 10,000)`; the burn takes the rest, so
//! rounding dust is burned. With a burn share of zero the dust stays in the splitter and is
//! part of the next distribution: it is never lost.

use super::BPS;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// Why shares are invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitterError {
    /// Shares must sum to exactly 10,000 bps.
    #[error("splitter shares sum to {sum} bps, must be exactly 10000")]
    BadSum {
        /// The sum given.
        sum: u32,
    },
    /// A recipient twice, the zero address, or a zero share.
    #[error("invalid splitter recipient {recipient}: {reason}")]
    BadRecipient {
        /// The recipient.
        recipient: Address,
        /// Why.
        reason: &'static str,
    },
}

/// Burn share and recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Splitter {
    /// Share burned, in bps.
    pub burn_bps: u16,
    /// Other recipients and their shares, in bps.
    pub recipients: Vec<(Address, u16)>,
}

impl Default for Splitter {
    /// The launch configuration: burn everything.
    fn default() -> Self {
        Self {
            burn_bps: BPS,
            recipients: Vec::new(),
        }
    }
}

/// How one distribution divides an amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Division {
    /// ZK to burn.
    pub burn: U256,
    /// ZK to each recipient.
    pub payouts: Vec<(Address, U256)>,
    /// ZK left in the splitter (only with a zero burn share).
    pub retained: U256,
}

impl Splitter {
    /// Validated shares.
    pub fn new(burn_bps: u16, recipients: Vec<(Address, u16)>) -> Result<Self, SplitterError> {
        let sum = u32::from(burn_bps) + recipients.iter().map(|(_, s)| u32::from(*s)).sum::<u32>();
        if sum != u32::from(BPS) {
            return Err(SplitterError::BadSum { sum });
        }
        for (i, (r, share)) in recipients.iter().enumerate() {
            let bad = |reason| SplitterError::BadRecipient {
                recipient: *r,
                reason,
            };
            if r.is_zero() {
                return Err(bad("zero address"));
            }
            if *share == 0 {
                return Err(bad("zero share"));
            }
            if *r == super::splitter_address() {
                // A payout to itself would count as distributed while still held.
                return Err(bad("the splitter itself"));
            }
            if recipients[..i].iter().any(|(o, _)| o == r) {
                return Err(bad("listed twice"));
            }
        }
        Ok(Self {
            burn_bps,
            recipients,
        })
    }

    /// Divides `amount` by the shares (see the module docs for where dust goes).
    #[inline]
    pub fn divide(&self, amount: U256) -> Division {
        // invariant: shares are at most 10,000 bps, so no product overflows what `amount` bounds.
        let payouts: Vec<(Address, U256)> = self
            .recipients
            .iter()
            .map(|(r, s)| {
                (
                    *r,
                    crate::units::mul_div_floor(amount, u64::from(*s), u64::from(BPS))
                        .unwrap_or_default(),
                )
            })
            .collect();
        let paid = payouts.iter().fold(U256::ZERO, |acc, (_, v)| acc + *v);
        let rest = amount - paid; // invariant: floors of shares summing to ≤ 100% never exceed amount
        if self.burn_bps > 0 {
            Division {
                burn: rest,
                payouts,
                retained: U256::ZERO,
            }
        } else {
            Division {
                burn: U256::ZERO,
                payouts,
                retained: rest,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn launch_config_burns_everything() {
        let d = Splitter::default().divide(U256::from(12345u64));
        assert_eq!(
            d,
            Division {
                burn: U256::from(12345u64),
                payouts: vec![],
                retained: U256::ZERO
            }
        );
    }

    #[test]
    fn half_burn_half_staking_puts_dust_in_the_burn() {
        let r = Address::repeat_byte(1);
        let s = Splitter::new(5_000, vec![(r, 5_000)]).unwrap();
        let d = s.divide(U256::from(11u8));
        assert_eq!(d.payouts, vec![(r, U256::from(5u8))]);
        assert_eq!(d.burn, U256::from(6u8));
    }

    #[test]
    fn zero_burn_share_retains_dust() {
        let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
        let s = Splitter::new(0, vec![(a, 3_333), (b, 6_667)]).unwrap();
        let d = s.divide(U256::from(10u8));
        assert_eq!(d.payouts, vec![(a, U256::from(3u8)), (b, U256::from(6u8))]);
        assert_eq!((d.burn, d.retained), (U256::ZERO, U256::from(1u8)));
    }

    #[test]
    fn invalid_shares_are_rejected() {
        let a = Address::repeat_byte(1);
        assert_eq!(
            Splitter::new(9_000, vec![]),
            Err(SplitterError::BadSum { sum: 9_000 })
        );
        assert!(matches!(
            Splitter::new(5_000, vec![(a, 2_500), (a, 2_500)]),
            Err(SplitterError::BadRecipient { .. })
        ));
        assert!(matches!(
            Splitter::new(5_000, vec![(Address::ZERO, 5_000)]),
            Err(SplitterError::BadRecipient { .. })
        ));
        assert!(matches!(
            Splitter::new(10_000, vec![(a, 0)]),
            Err(SplitterError::BadRecipient { .. })
        ));
    }

    proptest! {
        #[test]
        fn division_conserves_the_amount(burn in 0u16..=10_000, cut in 0u16..=10_000, amount in any::<u128>()) {
            let rest = BPS - burn;
            let first = cut.min(rest);
            let mut recipients = vec![];
            if first > 0 { recipients.push((Address::repeat_byte(1), first)); }
            if rest - first > 0 { recipients.push((Address::repeat_byte(2), rest - first)); }
            let s = Splitter::new(burn, recipients).unwrap();
            let amount = U256::from(amount);
            let d = s.divide(amount);
            let paid = d.payouts.iter().fold(U256::ZERO, |a, (_, v)| a + *v);
            prop_assert_eq!(d.burn + paid + d.retained, amount);
            prop_assert!(d.retained.is_zero() || burn == 0);
        }
    }
}
