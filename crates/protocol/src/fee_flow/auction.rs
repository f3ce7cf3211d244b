//! The Fee Flow contract: a fixed-price auction for the pooled non-ZK protocol fees (the
//! Uniswap TokenJar/Releaser pattern adapted to ZK). The claimer pays exactly the threshold
//! in ZK, takes the whole balance of each listed asset, and the ZK goes to the splitter.

use super::{fee_flow_address, splitter_address, Splitter};
use crate::chain::AssetId;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::Exec;
use alloy_primitives::{Address, U256};

impl Exec<'_> {
    /// `claim(nonce, assets, recipient)`. The nonce must equal the current one (a claim
    /// prepared before another claim or a threshold change cannot land); an empty list or an
    /// empty pool is allowed and is the claimer's loss. The claimer must have approved Fee Flow
    /// for the threshold.
    pub(crate) fn claim_fee_flow(
        &mut self,
        claimer: Address,
        nonce: u64,
        assets: &[AssetId],
        recipient: Address,
    ) -> Result<(), ProtocolError> {
        let ff = self.state.economy.fee_flow.clone();
        if ff.paused {
            return Err(ProtocolError::FeeFlowPaused);
        }
        if nonce != ff.nonce {
            return Err(ProtocolError::StaleNonce {
                expected: ff.nonce,
                given: nonce,
            });
        }
        if recipient.is_zero() {
            return Err(ProtocolError::ZeroRecipient);
        }
        for a in assets {
            if !self.state.assets.contains_key(a) {
                return Err(ProtocolError::UnknownAsset(*a));
            }
        }
        let now = self.state.time;
        let pool = fee_flow_address();
        if !ff.threshold.is_zero() {
            let evs = self.state.token.transfer_from(
                pool,
                claimer,
                splitter_address(),
                ff.threshold,
                now,
            )?;
            self.token_events(evs);
        }
        let mut taken = Vec::with_capacity(assets.len());
        for a in assets {
            let amount = self.state.chain(ff.chain)?.balance(*a, pool);
            if !amount.is_zero() {
                self.emit(Event::Transferred {
                    chain: ff.chain,
                    asset: *a,
                    from: pool,
                    to: recipient,
                    amount,
                });
            }
            taken.push((*a, amount));
        }
        self.emit(Event::FeeFlowClaimed {
            claimer,
            recipient,
            nonce,
            paid: ff.threshold,
            assets: taken,
        });
        self.distribute_splitter()
    }

    /// Distributes the splitter's whole ZK balance by its shares: burns the burn share through
    /// the token's public burn, pays recipients.
    pub(crate) fn distribute_splitter(&mut self) -> Result<(), ProtocolError> {
        let splitter = splitter_address();
        let amount = self.state.token.balance_of(splitter);
        if amount.is_zero() {
            return Ok(());
        }
        let now = self.state.time;
        let division = self.state.economy.splitter.divide(amount);
        if !division.burn.is_zero() {
            let evs = self.state.token.burn(splitter, division.burn, now)?;
            self.token_events(evs);
        }
        for (to, v) in &division.payouts {
            if !v.is_zero() {
                let evs = self.state.token.transfer(splitter, *to, *v, now)?;
                self.token_events(evs);
            }
        }
        self.emit(Event::SplitterDistributed {
            amount,
            burned: division.burn,
            payouts: division.payouts,
            retained: division.retained,
        });
        Ok(())
    }

    /// The admin sets the claim price.
    pub(crate) fn set_threshold(
        &mut self,
        caller: Address,
        threshold: U256,
    ) -> Result<(), ProtocolError> {
        self.require_governance(caller)?;
        self.emit(Event::FeeFlowThresholdSet { threshold });
        Ok(())
    }

    /// The emergency admin pauses or unpauses claims.
    pub(crate) fn set_fee_flow_paused(
        &mut self,
        caller: Address,
        paused: bool,
    ) -> Result<(), ProtocolError> {
        let e = &self.state.economy;
        if caller != e.emergency_admin && caller != e.governance {
            return Err(ProtocolError::NotEmergencyAdmin { caller });
        }
        self.emit(Event::FeeFlowPauseSet { paused });
        Ok(())
    }

    /// The admin changes the splitter's shares.
    pub(crate) fn set_splitter(
        &mut self,
        caller: Address,
        burn_bps: u16,
        recipients: Vec<(Address, u16)>,
    ) -> Result<(), ProtocolError> {
        self.require_governance(caller)?;
        let splitter = Splitter::new(burn_bps, recipients)?;
        self.emit(Event::SplitterSharesSet {
            burn_bps: splitter.burn_bps,
            recipients: splitter.recipients,
        });
        Ok(())
    }
}
