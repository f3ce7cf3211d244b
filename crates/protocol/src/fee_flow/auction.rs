//! Fee Flow v1.0 (zk-token-fee-flow@69e8d9a:src/FeeFlow.sol): a fixed-price auction for the
//! whitelisted non-ZK fee tokens pooled in it. Anyone calls `claim(requests)`, pays exactly
//! `bidThreshold` ZK to the destination (the Splitter), which splits at once, and receives the
//! whole balance of every requested token.
//!
//! Tokens are the model's [`AssetId`]s of balances held on Fee Flow's chain (Era). The bid
//! token is ZK, which the model keeps as one canonical ledger ([`crate::token`]); on Era the
//! bridged-ZK asset id ([`crate::genesis::zk`], a ZK-based chain's base token) *is* that token,
//! so Fee Flow's `bid_token` is that asset id: requesting it is `FeeFlow_InvalidFeeToken`, and
//! `recover` of it moves canonical ZK.

use super::{fee_flow_address, splitter_address};
use crate::chain::AssetId;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::Exec;
use crate::units::tokens;
use crate::ChainId;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// `MIN_BID_THRESHOLD` of the Era deployment: 100,000 ZK
/// (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol).
pub fn deployed_min_bid_threshold() -> U256 {
    tokens(100_000)
}

/// `BID_THRESHOLD` of the Era deployment: 1,000,000 ZK
/// (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol).
pub fn deployed_bid_threshold() -> U256 {
    tokens(1_000_000)
}

/// `ClaimRequest { token, minAmountRequested }`: a token to take, and the least balance the
/// claimer accepts (its slippage protection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// The fee token.
    pub token: AssetId,
    /// The claim reverts if Fee Flow holds less (or nothing).
    pub min_amount_requested: U256,
}

/// Fee Flow's custom errors (zk-token-fee-flow@69e8d9a:src/FeeFlow.sol) with the context the
/// model can give, plus one model-only error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeFlowError {
    /// `FeeFlow_InvalidAddress`: a zero destination (or, at initialisation, a zero role).
    #[error("FeeFlow_InvalidAddress: {what} is the zero address")]
    InvalidAddress {
        /// Which address.
        what: &'static str,
    },
    /// `FeeFlow_Unauthorized`: the caller lacks the role the function needs.
    #[error("FeeFlow_Unauthorized: {caller} may not call {function}")]
    Unauthorized {
        /// Who called.
        caller: Address,
        /// The function.
        function: &'static str,
    },
    /// `FeeFlow_InvalidFeeToken`: a request for the bid token (ZK) itself.
    #[error("FeeFlow_InvalidFeeToken: {token} is the bid token")]
    InvalidFeeToken {
        /// The token requested.
        token: AssetId,
    },
    /// `FeeFlow_InsufficientBalance`: Fee Flow holds none of the token, or less than the
    /// request's `minAmountRequested` (a second request for the same token finds it empty).
    #[error("FeeFlow_InsufficientBalance: Fee Flow holds {balance} wei of {token}, the request needs at least {min_amount_requested} (and more than 0)")]
    InsufficientBalance {
        /// The token requested.
        token: AssetId,
        /// What Fee Flow held at that point of the claim.
        balance: U256,
        /// The request's minimum.
        min_amount_requested: U256,
    },
    /// `FeeFlow_ClaimPaused`.
    #[error("FeeFlow_ClaimPaused: claims are paused")]
    ClaimPaused,
    /// `FeeFlow_ThresholdBelowMin`.
    #[error("FeeFlow_ThresholdBelowMin: {threshold} wei is below the minimum {min} wei")]
    ThresholdBelowMin {
        /// The threshold given.
        threshold: U256,
        /// `minBidThreshold`.
        min: U256,
    },
    /// `FeeFlow_TokenNotClaimable`: the token is not on the whitelist.
    #[error("FeeFlow_TokenNotClaimable: {token} is not on the whitelist")]
    TokenNotClaimable {
        /// The token requested.
        token: AssetId,
    },
    /// Model only: `claim` calls `ISplitter(destination).split()`; the model has one Splitter,
    /// so a destination elsewhere stands for an address without the Splitter's code, where the
    /// EVM reverts the call (and so the claim).
    #[error("the destination {destination} is not the Splitter: its split() call reverts")]
    DestinationNotSplitter {
        /// The configured destination.
        destination: Address,
    },
}

/// The Fee Flow contract's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeFlow {
    /// Chain the contract (and so its pool) lives on: Era.
    pub chain: ChainId,
    /// `DEFAULT_ADMIN_ROLE`: the Token Governor's timelock on Era
    /// (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol `TOKEN_GOVERNOR_TIMELOCK`), so
    /// parameter changes through governance are TPPs.
    pub admin: Address,
    /// `EMERGENCY_ADMIN_ROLE`: may set the threshold, destination, pause and whitelist.
    pub emergency_admin: Address,
    /// `bidToken`: ZK, as the asset id that denotes it on Era (see the module docs).
    pub bid_token: AssetId,
    /// `bidThreshold`: ZK a claim pays.
    pub bid_threshold: U256,
    /// `minBidThreshold`: set once at initialisation; no setter.
    pub min_bid_threshold: U256,
    /// `destination`: where bids go and whose `split()` a claim calls (the Splitter).
    pub destination: Address,
    /// `claimPaused`.
    pub claim_paused: bool,
    /// `claimableTokens`: the whitelist.
    pub claimable: imbl::OrdSet<AssetId>,
}

/// Fee Flow's initial configuration (`initialize`'s arguments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeFlowInit {
    /// Chain it is deployed on.
    pub chain: ChainId,
    /// `_admin`.
    pub admin: Address,
    /// `_emergencyAdmin`.
    pub emergency_admin: Address,
    /// `_bidToken`.
    pub bid_token: AssetId,
    /// `_minBidThreshold`.
    pub min_bid_threshold: U256,
    /// `_bidThreshold`.
    pub bid_threshold: U256,
    /// `_destination`.
    pub destination: Address,
    /// `_claimableTokens`.
    pub claimable: Vec<AssetId>,
}

impl FeeFlow {
    /// `initialize`: the contract's checks in its order. (A zero bid token has no model
    /// counterpart: the bid token is always ZK's asset id.)
    pub fn initialize(init: FeeFlowInit) -> Result<Self, FeeFlowError> {
        for (a, what) in [
            (init.admin, "the admin"),
            (init.emergency_admin, "the emergency admin"),
            (init.destination, "the destination"),
        ] {
            if a.is_zero() {
                return Err(FeeFlowError::InvalidAddress { what });
            }
        }
        if init.bid_threshold < init.min_bid_threshold {
            return Err(FeeFlowError::ThresholdBelowMin {
                threshold: init.bid_threshold,
                min: init.min_bid_threshold,
            });
        }
        Ok(Self {
            chain: init.chain,
            admin: init.admin,
            emergency_admin: init.emergency_admin,
            bid_token: init.bid_token,
            bid_threshold: init.bid_threshold,
            min_bid_threshold: init.min_bid_threshold,
            destination: init.destination,
            claim_paused: false,
            claimable: init.claimable.into_iter().collect(),
        })
    }

    /// `_revertIfNotAdmin`: the admin or the emergency admin.
    pub fn check_admin(&self, caller: Address, function: &'static str) -> Result<(), FeeFlowError> {
        if caller != self.admin && caller != self.emergency_admin {
            return Err(FeeFlowError::Unauthorized { caller, function });
        }
        Ok(())
    }

    /// `_revertIfNotDefaultAdmin`: the admin only.
    pub fn check_default_admin(
        &self,
        caller: Address,
        function: &'static str,
    ) -> Result<(), FeeFlowError> {
        if caller != self.admin {
            return Err(FeeFlowError::Unauthorized { caller, function });
        }
        Ok(())
    }
}

impl Exec<'_> {
    /// `claim(requests)`, in the contract's order: paused? → pull `bidThreshold` ZK from the
    /// caller to the destination (the token's allowance and balance errors propagate) →
    /// `split()` on the destination → for each request: not the bid token, whitelisted, a
    /// non-zero balance of at least its minimum, then the whole balance to the caller. Any
    /// failure reverts everything before it. An empty list pays and takes nothing.
    pub(crate) fn claim_fee_flow(
        &mut self,
        caller: Address,
        requests: &[ClaimRequest],
    ) -> Result<(), ProtocolError> {
        let ff = self.state.economy.fee_flow.clone();
        if ff.claim_paused {
            return Err(FeeFlowError::ClaimPaused.into());
        }
        let now = self.state.time;
        let evs = self.state.token_mut().transfer_from(
            fee_flow_address(),
            caller,
            ff.destination,
            ff.bid_threshold,
            now,
        )?;
        self.token_events(evs);
        if ff.destination != splitter_address() {
            return Err(FeeFlowError::DestinationNotSplitter {
                destination: ff.destination,
            }
            .into());
        }
        self.split()?;
        let pool = fee_flow_address();
        for r in requests {
            if r.token == ff.bid_token {
                return Err(FeeFlowError::InvalidFeeToken { token: r.token }.into());
            }
            if !ff.claimable.contains(&r.token) {
                return Err(FeeFlowError::TokenNotClaimable { token: r.token }.into());
            }
            let balance = self.state.chain(ff.chain)?.balance(r.token, pool);
            if balance.is_zero() || balance < r.min_amount_requested {
                return Err(FeeFlowError::InsufficientBalance {
                    token: r.token,
                    balance,
                    min_amount_requested: r.min_amount_requested,
                }
                .into());
            }
            self.emit(Event::Transferred {
                chain: ff.chain,
                asset: r.token,
                from: pool,
                to: caller,
                amount: balance,
            });
        }
        self.emit(Event::FeeFlowClaimed {
            claimer: caller,
            requests: requests.to_vec(),
            bid_amount: ff.bid_threshold,
        });
        Ok(())
    }

    /// `setBidThreshold` (admin or emergency admin); not below `minBidThreshold`.
    pub(crate) fn set_bid_threshold(
        &mut self,
        caller: Address,
        threshold: U256,
    ) -> Result<(), ProtocolError> {
        let ff = &self.state.economy.fee_flow;
        ff.check_admin(caller, "setBidThreshold")?;
        if threshold < ff.min_bid_threshold {
            return Err(FeeFlowError::ThresholdBelowMin {
                threshold,
                min: ff.min_bid_threshold,
            }
            .into());
        }
        let old = ff.bid_threshold;
        self.emit(Event::BidThresholdSet {
            old,
            new: threshold,
        });
        Ok(())
    }

    /// `setDestination` (admin or emergency admin); not the zero address.
    pub(crate) fn set_fee_flow_destination(
        &mut self,
        caller: Address,
        destination: Address,
    ) -> Result<(), ProtocolError> {
        let ff = &self.state.economy.fee_flow;
        ff.check_admin(caller, "setDestination")?;
        if destination.is_zero() {
            return Err(FeeFlowError::InvalidAddress {
                what: "the destination",
            }
            .into());
        }
        let old = ff.destination;
        self.emit(Event::FeeFlowDestinationSet {
            old,
            new: destination,
        });
        Ok(())
    }

    /// `setClaimPaused` (admin or emergency admin).
    pub(crate) fn set_claim_paused(
        &mut self,
        caller: Address,
        paused: bool,
    ) -> Result<(), ProtocolError> {
        self.state
            .economy
            .fee_flow
            .check_admin(caller, "setClaimPaused")?;
        self.emit(Event::ClaimPausedSet { paused });
        Ok(())
    }

    /// `setClaimableToken` (admin or emergency admin). Any token may be listed, even ZK's
    /// asset id; a claim of it still reverts with `FeeFlow_InvalidFeeToken`.
    pub(crate) fn set_claimable_token(
        &mut self,
        caller: Address,
        token: AssetId,
        claimable: bool,
    ) -> Result<(), ProtocolError> {
        self.state
            .economy
            .fee_flow
            .check_admin(caller, "setClaimableToken")?;
        self.emit(Event::ClaimableTokenSet { token, claimable });
        Ok(())
    }

    /// `recover(token, to, amount)` (admin only): a plain transfer out of Fee Flow; the
    /// token's own errors propagate.
    pub(crate) fn recover_fee_flow(
        &mut self,
        caller: Address,
        token: AssetId,
        to: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        self.state
            .economy
            .fee_flow
            .check_default_admin(caller, "recover")?;
        self.transfer_on_fee_flow_chain(token, fee_flow_address(), to, amount)?;
        self.emit(Event::FeeFlowRecovered { token, to, amount });
        Ok(())
    }

    /// An ERC-20 `transfer` by a contract on Fee Flow's chain: ZK's asset id moves canonical
    /// ZK; any other asset moves that chain's balance.
    pub(crate) fn transfer_on_fee_flow_chain(
        &mut self,
        token: AssetId,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        let ff = &self.state.economy.fee_flow;
        let (chain, zk) = (ff.chain, ff.bid_token);
        if token == zk {
            let now = self.state.time;
            let evs = self.state.token_mut().transfer(from, to, amount, now)?;
            self.token_events(evs);
        } else {
            self.require_balance(chain, token, from, amount)?;
            self.emit(Event::Transferred {
                chain,
                asset: token,
                from,
                to,
                amount,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init() -> FeeFlowInit {
        FeeFlowInit {
            chain: 324,
            admin: Address::repeat_byte(0xa),
            emergency_admin: Address::repeat_byte(0xe),
            bid_token: crate::genesis::zk(),
            min_bid_threshold: deployed_min_bid_threshold(),
            bid_threshold: deployed_bid_threshold(),
            destination: splitter_address(),
            claimable: vec![crate::genesis::eth()],
        }
    }

    #[test]
    fn initialize_checks_roles_destination_then_threshold() {
        let ff = FeeFlow::initialize(init()).unwrap();
        assert_eq!(ff.bid_threshold, tokens(1_000_000));
        assert!(ff.claimable.contains(&crate::genesis::eth()) && !ff.claim_paused);
        for (what, f) in [
            (
                "the admin",
                (|i: &mut FeeFlowInit| i.admin = Address::ZERO) as fn(&mut _),
            ),
            ("the emergency admin", |i| i.emergency_admin = Address::ZERO),
            ("the destination", |i| i.destination = Address::ZERO),
        ] {
            let mut i = init();
            f(&mut i);
            // A zero address wins over a threshold below the minimum, as in the contract.
            i.bid_threshold = U256::ZERO;
            assert_eq!(
                FeeFlow::initialize(i),
                Err(FeeFlowError::InvalidAddress { what })
            );
        }
        let low = FeeFlowInit {
            bid_threshold: tokens(99_999),
            ..init()
        };
        assert_eq!(
            FeeFlow::initialize(low),
            Err(FeeFlowError::ThresholdBelowMin {
                threshold: tokens(99_999),
                min: tokens(100_000)
            })
        );
    }

    #[test]
    fn the_emergency_admin_configures_but_only_the_admin_recovers() {
        let ff = FeeFlow::initialize(init()).unwrap();
        let (admin, em, x) = (ff.admin, ff.emergency_admin, Address::repeat_byte(1));
        assert!(ff.check_admin(admin, "f").is_ok() && ff.check_admin(em, "f").is_ok());
        assert_eq!(
            ff.check_admin(x, "f"),
            Err(FeeFlowError::Unauthorized {
                caller: x,
                function: "f"
            })
        );
        assert!(ff.check_default_admin(admin, "recover").is_ok());
        assert_eq!(
            ff.check_default_admin(em, "recover"),
            Err(FeeFlowError::Unauthorized {
                caller: em,
                function: "recover"
            })
        );
    }
}
