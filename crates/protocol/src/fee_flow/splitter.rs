//! The Splitter (zk-token-fee-flow@69e8d9a:src/Splitter.sol): it holds the ZK that Fee Flow
//! bids (and governance's settlement-fee withdrawals) bring, and `split()` — callable by anyone —
//! burns a share and pays the rest to distributors by *relative* weight.
//!
//! Arithmetic of one split of a balance `amount` (all floors, as the contract's integer
//! division):
//! - `burn = amount × burnBps / 10,000`; `distribute = amount − burn`;
//! - distributor `i` gets `distribute × weight_i / totalWeight` (skipped when zero);
//! - the rounding dust `distribute − Σ shares` is burned with `burn`: `burned = burn + dust`.
//!
//! With no distributors `burnBps` must be 10,000 (everything burns). Configuration follows the
//! contract: `setDistributors` replaces the list (zero address → `Splitter_InvalidAddress`, zero
//! weight → `Splitter_InvalidWeight`, duplicates allowed and each paid, an empty list forces a
//! 100% burn); `setBurnPercentage` refuses more than 10,000 bps, or anything but 10,000 while
//! there are no distributors (`Splitter_InvalidBurnPercentage`). The admin or the emergency admin
//! configure; only the admin recovers tokens.
//!
//! The contract does not refuse its own address as a distributor. Neither does the model: that
//! share is "paid" by a transfer to itself, counted as distributed by the `Split` event, and is
//! still in the balance for the next split. [`SplitOutcome::to_self`] records it so the
//! accounting identity can count it (see ARCHITECTURE.md, "Fees are accounted for").

use super::BPS;
use alloy_primitives::aliases::U96;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// The Splitter's custom errors (zk-token-fee-flow@69e8d9a:src/Splitter.sol), plus the
/// context the model can give about each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitterError {
    /// `Splitter_InvalidAddress`: a zero distributor (or, at initialisation, a zero role).
    #[error("Splitter_InvalidAddress: {what} is the zero address")]
    InvalidAddress {
        /// Which address.
        what: &'static str,
    },
    /// `Splitter_Unauthorized`: the caller lacks the role the function needs.
    #[error("Splitter_Unauthorized: {caller} may not call {function}")]
    Unauthorized {
        /// Who called.
        caller: Address,
        /// The function.
        function: &'static str,
    },
    /// `Splitter_InvalidWeight`: a distributor with weight zero.
    #[error("Splitter_InvalidWeight: distributor {index} has weight 0")]
    InvalidWeight {
        /// Its position in the list.
        index: usize,
    },
    /// `Splitter_InvalidBurnPercentage`: above 10,000 bps, or not 10,000 without distributors.
    #[error("Splitter_InvalidBurnPercentage: {bps} bps (at most 10000, exactly 10000 with {distributors} distributors)")]
    InvalidBurnPercentage {
        /// The value given.
        bps: U256,
        /// Distributors configured at that moment.
        distributors: usize,
    },
}

/// `DistributorConfig { recipient, weight }`: a weight relative to the other distributors'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distributor {
    /// Who receives the share.
    pub recipient: Address,
    /// Relative weight (`uint96`).
    pub weight: U96,
}

impl Distributor {
    /// A distributor with a small weight (convenience for callers with `u64` weights).
    pub fn new(recipient: Address, weight: u64) -> Self {
        Self {
            recipient,
            weight: U96::from(weight),
        }
    }
}

/// The split configuration: burn share and weighted distributors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shares {
    /// `burnBps`, at most 10,000.
    pub burn_bps: u16,
    /// Distributors in order (duplicates allowed).
    pub distributors: Vec<Distributor>,
    /// `totalWeight`: the sum of the weights.
    pub total_weight: U256,
}

impl Default for Shares {
    /// The Era deployment's configuration: 100% burn, no distributors
    /// (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol, `burnBps: 10_000`,
    /// `_getDistributors()` empty).
    fn default() -> Self {
        Self {
            burn_bps: BPS,
            distributors: Vec::new(),
            total_weight: U256::ZERO,
        }
    }
}

/// What one `split()` of a balance does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitOutcome {
    /// ZK burned: the burn share plus the rounding dust.
    pub burned: U256,
    /// ZK paid to distributors (the `Split` event's `distributed`).
    pub distributed: U256,
    /// Each non-zero payment, in distributor order.
    pub payouts: Vec<(Address, U256)>,
    /// Of `distributed`, what was paid to the splitter's own address (so still held).
    pub to_self: U256,
}

impl Shares {
    /// The shares after `setDistributors(list)`: validates the list as the contract does and
    /// forces a 100% burn when it is empty. Returns the new shares and whether the burn share
    /// was forced (the contract then also emits `BurnPercentageSet`).
    pub fn with_distributors(&self, list: &[Distributor]) -> Result<(Self, bool), SplitterError> {
        let mut total = U256::ZERO;
        for (index, d) in list.iter().enumerate() {
            if d.recipient.is_zero() {
                return Err(SplitterError::InvalidAddress {
                    what: "a distributor",
                });
            }
            if d.weight.is_zero() {
                return Err(SplitterError::InvalidWeight { index });
            }
            // invariant: a sum of at most 2^64 values below 2^96 stays far below 2^256.
            total += U256::from(d.weight);
        }
        let forced = list.is_empty() && self.burn_bps != BPS;
        Ok((
            Self {
                burn_bps: if list.is_empty() { BPS } else { self.burn_bps },
                distributors: list.to_vec(),
                total_weight: total,
            },
            forced,
        ))
    }

    /// Checks `setBurnPercentage(bps)` against these shares; returns the value as bps.
    pub fn check_burn_percentage(&self, bps: U256) -> Result<u16, SplitterError> {
        let bad = || SplitterError::InvalidBurnPercentage {
            bps,
            distributors: self.distributors.len(),
        };
        let value = u16::try_from(bps)
            .ok()
            .filter(|v| *v <= BPS)
            .ok_or_else(bad)?;
        if self.distributors.is_empty() && value != BPS {
            return Err(bad());
        }
        Ok(value)
    }

    /// Splits `amount` (the splitter's balance) as `split()` does; `splitter` is the
    /// splitter's own address, to tell self-payments apart. `None` only if a product overflows
    /// 256 bits, which the contract would revert on and which ZK's 21B supply cap rules out.
    #[inline]
    pub fn split(&self, amount: U256, splitter: Address) -> Option<SplitOutcome> {
        let burn = crate::units::mul_div_floor(amount, u64::from(self.burn_bps), u64::from(BPS))?;
        let distribute = amount.checked_sub(burn)?;
        let mut payouts = Vec::with_capacity(self.distributors.len());
        let (mut distributed, mut to_self) = (U256::ZERO, U256::ZERO);
        if !self.total_weight.is_zero() {
            for d in &self.distributors {
                let share = distribute.checked_mul(U256::from(d.weight))? / self.total_weight;
                if !share.is_zero() {
                    payouts.push((d.recipient, share));
                    distributed += share;
                    if d.recipient == splitter {
                        to_self += share;
                    }
                }
            }
        }
        // invariant: weights sum to total_weight, so Σ floor(share) ≤ distribute.
        let dust = distribute - distributed;
        Some(SplitOutcome {
            burned: burn + dust,
            distributed,
            payouts,
            to_self,
        })
    }
}

/// The Splitter contract's state: its two roles and its shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Splitter {
    /// `DEFAULT_ADMIN_ROLE`: configures, recovers, upgrades. On Era the Token Governor's
    /// timelock (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol `TOKEN_GOVERNOR_TIMELOCK`).
    pub admin: Address,
    /// `EMERGENCY_ADMIN_ROLE`: configures without governance delay, cannot recover.
    pub emergency_admin: Address,
    /// Burn share and distributors.
    pub shares: Shares,
}

impl Splitter {
    /// `initialize(admin, emergencyAdmin, token, burnBps, distributors)`: the role checks, then
    /// `setDistributors`, then `setBurnPercentage`, in the contract's order.
    pub fn initialize(
        admin: Address,
        emergency_admin: Address,
        burn_bps: U256,
        distributors: &[Distributor],
    ) -> Result<Self, SplitterError> {
        if admin.is_zero() {
            return Err(SplitterError::InvalidAddress { what: "the admin" });
        }
        if emergency_admin.is_zero() {
            return Err(SplitterError::InvalidAddress {
                what: "the emergency admin",
            });
        }
        // The contract's storage starts at burnBps 0; setDistributors may force it to 10,000.
        let start = Shares {
            burn_bps: 0,
            ..Shares::default()
        };
        let (mut shares, _) = start.with_distributors(distributors)?;
        shares.burn_bps = shares.check_burn_percentage(burn_bps)?;
        Ok(Self {
            admin,
            emergency_admin,
            shares,
        })
    }

    /// `_revertIfNotAdmin`: the admin or the emergency admin.
    pub fn check_admin(
        &self,
        caller: Address,
        function: &'static str,
    ) -> Result<(), SplitterError> {
        if caller != self.admin && caller != self.emergency_admin {
            return Err(SplitterError::Unauthorized { caller, function });
        }
        Ok(())
    }

    /// `_revertIfNotDefaultAdmin`: the admin only.
    pub fn check_default_admin(
        &self,
        caller: Address,
        function: &'static str,
    ) -> Result<(), SplitterError> {
        if caller != self.admin {
            return Err(SplitterError::Unauthorized { caller, function });
        }
        Ok(())
    }
}

impl crate::network::Exec<'_> {
    /// `split()` (anyone): pays each distributor its share, burns the rest through the
    /// token's public burn, and emits `Split`. A zero balance is a no-op without an event.
    pub(crate) fn split(&mut self) -> Result<(), crate::error::ProtocolError> {
        let splitter = super::splitter_address();
        let amount = self.state.token.balance_of(splitter);
        if amount.is_zero() {
            return Ok(());
        }
        let now = self.state.time;
        let out = self
            .state
            .economy
            .splitter
            .shares
            .split(amount, splitter)
            .ok_or(crate::error::ProtocolError::Overflow("split"))?;
        for (to, share) in &out.payouts {
            let evs = self
                .state
                .token_mut()
                .transfer(splitter, *to, *share, now)?;
            self.token_events(evs);
        }
        if !out.burned.is_zero() {
            let evs = self.state.token_mut().burn(splitter, out.burned, now)?;
            self.token_events(evs);
        }
        self.emit(crate::event::Event::Split {
            amount,
            burned: out.burned,
            distributed: out.distributed,
            to_self: out.to_self,
        });
        Ok(())
    }

    /// `setBurnPercentage` (admin or emergency admin).
    pub(crate) fn set_burn_percentage(
        &mut self,
        caller: Address,
        bps: U256,
    ) -> Result<(), crate::error::ProtocolError> {
        let s = &self.state.economy.splitter;
        s.check_admin(caller, "setBurnPercentage")?;
        let new = s.shares.check_burn_percentage(bps)?;
        let old = s.shares.burn_bps;
        self.emit(crate::event::Event::BurnPercentageSet { old, new });
        Ok(())
    }

    /// `setDistributors` (admin or emergency admin): replaces the list; an empty list forces
    /// the burn share to 100% (with its own `BurnPercentageSet`, emitted first as the contract
    /// does).
    pub(crate) fn set_distributors(
        &mut self,
        caller: Address,
        distributors: Vec<Distributor>,
    ) -> Result<(), crate::error::ProtocolError> {
        let s = &self.state.economy.splitter;
        s.check_admin(caller, "setDistributors")?;
        let (_, forced) = s.shares.with_distributors(&distributors)?;
        if forced {
            let old = s.shares.burn_bps;
            self.emit(crate::event::Event::BurnPercentageSet { old, new: BPS });
        }
        self.emit(crate::event::Event::DistributorsSet { distributors });
        Ok(())
    }

    /// `recover(token, to, amount)` (admin only): a plain transfer out of the Splitter; the
    /// token's own errors propagate.
    pub(crate) fn recover_splitter(
        &mut self,
        caller: Address,
        token: crate::chain::AssetId,
        to: Address,
        amount: U256,
    ) -> Result<(), crate::error::ProtocolError> {
        self.state
            .economy
            .splitter
            .check_default_admin(caller, "recover")?;
        self.transfer_on_fee_flow_chain(token, super::splitter_address(), to, amount)?;
        self.emit(crate::event::Event::SplitterRecovered { token, to, amount });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ME: Address = Address::repeat_byte(0x5b);

    fn shares(burn_bps: u16, list: &[Distributor]) -> Shares {
        let (mut s, _) = Shares::default().with_distributors(list).unwrap();
        s.burn_bps = s.check_burn_percentage(U256::from(burn_bps)).unwrap();
        s
    }

    #[test]
    fn launch_config_burns_everything() {
        let d = Shares::default().split(U256::from(12345u64), ME).unwrap();
        assert_eq!(
            d,
            SplitOutcome {
                burned: U256::from(12345u64),
                distributed: U256::ZERO,
                payouts: vec![],
                to_self: U256::ZERO,
            }
        );
    }

    #[test]
    fn burn_is_floored_and_dust_is_burned() {
        let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
        // 11 wei at 50%: burn floor(5.5) = 5, distribute 6 by weights 1:2 → 2 and 4, no dust.
        let s = shares(5_000, &[Distributor::new(a, 1), Distributor::new(b, 2)]);
        let d = s.split(U256::from(11u8), ME).unwrap();
        assert_eq!(d.payouts, vec![(a, U256::from(2u8)), (b, U256::from(4u8))]);
        assert_eq!(
            (d.burned, d.distributed),
            (U256::from(5u8), U256::from(6u8))
        );
        // 10 wei, no burn share, weights 1:1:1 → 3 each, 1 wei of dust burned.
        let c = Address::repeat_byte(3);
        let s = shares(
            0,
            &[
                Distributor::new(a, 7),
                Distributor::new(b, 7),
                Distributor::new(c, 7),
            ],
        );
        let d = s.split(U256::from(10u8), ME).unwrap();
        assert_eq!(d.distributed, U256::from(9u8));
        assert_eq!(d.burned, U256::from(1u8), "the dust is burned");
    }

    #[test]
    fn weights_are_relative_and_duplicates_are_each_paid() {
        let a = Address::repeat_byte(1);
        let s = shares(0, &[Distributor::new(a, 3), Distributor::new(a, 1)]);
        let d = s.split(U256::from(100u8), ME).unwrap();
        assert_eq!(
            d.payouts,
            vec![(a, U256::from(75u8)), (a, U256::from(25u8))]
        );
        let big = U96::MAX;
        let s = shares(
            0,
            &[
                Distributor {
                    recipient: a,
                    weight: big,
                },
                Distributor {
                    recipient: ME,
                    weight: big,
                },
            ],
        );
        let d = s.split(U256::from(9u8), ME).unwrap();
        assert_eq!(
            (d.distributed, d.to_self, d.burned),
            (U256::from(8u8), U256::from(4u8), U256::from(1u8))
        );
    }

    #[test]
    fn configuration_follows_the_contract() {
        let a = Address::repeat_byte(1);
        let none = Shares::default();
        let bad = |bps: u64, n| SplitterError::InvalidBurnPercentage {
            bps: U256::from(bps),
            distributors: n,
        };
        assert_eq!(
            none.check_burn_percentage(U256::from(9_999u16)),
            Err(bad(9_999, 0))
        );
        assert_eq!(
            none.check_burn_percentage(U256::from(10_000u16)),
            Ok(10_000)
        );
        let one = shares(10_000, &[Distributor::new(a, 1)]);
        assert_eq!(
            one.check_burn_percentage(U256::from(10_001u16)),
            Err(bad(10_001, 1))
        );
        assert_eq!(
            one.check_burn_percentage(U256::MAX),
            Err(SplitterError::InvalidBurnPercentage {
                bps: U256::MAX,
                distributors: 1
            })
        );
        assert_eq!(one.check_burn_percentage(U256::ZERO), Ok(0));
        assert_eq!(
            none.with_distributors(&[Distributor::new(Address::ZERO, 1)]),
            Err(SplitterError::InvalidAddress {
                what: "a distributor"
            })
        );
        assert_eq!(
            none.with_distributors(&[Distributor::new(a, 1), Distributor::new(a, 0)]),
            Err(SplitterError::InvalidWeight { index: 1 })
        );
        // Clearing the list forces a 100% burn, and says so.
        let half = shares(5_000, &[Distributor::new(a, 1)]);
        let (cleared, forced) = half.with_distributors(&[]).unwrap();
        assert!(forced);
        assert_eq!(cleared, Shares::default());
        let (_, forced) = Shares::default().with_distributors(&[]).unwrap();
        assert!(!forced);
    }

    #[test]
    fn initialize_checks_roles_then_distributors_then_burn() {
        let (admin, em) = (Address::repeat_byte(0xa), Address::repeat_byte(0xe));
        let ok = Splitter::initialize(admin, em, U256::from(10_000u16), &[]).unwrap();
        assert_eq!(ok.shares, Shares::default());
        assert_eq!(
            Splitter::initialize(Address::ZERO, em, U256::from(10_000u16), &[]),
            Err(SplitterError::InvalidAddress { what: "the admin" })
        );
        assert_eq!(
            Splitter::initialize(admin, Address::ZERO, U256::from(10_000u16), &[]),
            Err(SplitterError::InvalidAddress {
                what: "the emergency admin"
            })
        );
        assert_eq!(
            Splitter::initialize(admin, em, U256::from(5_000u16), &[]),
            Err(SplitterError::InvalidBurnPercentage {
                bps: U256::from(5_000u16),
                distributors: 0
            })
        );
    }

    proptest! {
        #[test]
        fn a_split_conserves_the_amount(
            burn in 0u16..=10_000,
            weights in proptest::collection::vec(1u64..=u64::MAX, 0..5),
            self_at in proptest::option::of(0usize..5),
            amount in any::<u128>(),
        ) {
            let list: Vec<Distributor> = weights
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let who = if self_at == Some(i) { ME } else { Address::repeat_byte(i as u8 + 1) };
                    Distributor::new(who, *w)
                })
                .collect();
            let burn = if list.is_empty() { 10_000 } else { burn };
            let s = shares(burn, &list);
            let amount = U256::from(amount);
            let d = s.split(amount, ME).unwrap();
            let paid = d.payouts.iter().fold(U256::ZERO, |a, (_, v)| a + *v);
            prop_assert_eq!(paid, d.distributed);
            prop_assert_eq!(d.burned + d.distributed, amount);
            prop_assert!(d.to_self <= d.distributed);
            // The burn share is exactly the floor, plus dust below the number of distributors.
            let floor = amount * U256::from(burn) / U256::from(10_000u16);
            prop_assert!(d.burned >= floor);
            prop_assert!(d.burned - floor <= U256::from(list.len().max(1) - 1));
        }
    }
}
