//! The network: every chain, the ZK token and the clock, behind one `apply(action)`.
//!
//! `Network::apply` opens a checkpoint of the undo journal ([`crate::journal`]), runs the
//! action's handler, and on any error undoes what the journal recorded — so a rejected action
//! changes nothing, however far it got. Handlers change state only by emitting events
//! ([`State::apply_event`]) or through the journaled accessors of the token, staker and
//! governance, which is what makes the event log replayable.
//!
//! One file per job: `state` holds the state and its event reducer, `action` the typed
//! inputs, `exec` an action in progress (the handlers' context) and `dispatch` the router
//! from an action to its handler; this module is the `Network` API over them.

mod action;
mod dispatch;
mod exec;
mod state;
#[cfg(test)]
mod tests;

pub use action::Action;
pub(crate) use exec::{Exec, Live};
pub use state::State;

use crate::chain::{AssetId, Chain, ChainKind};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::fee_flow::{Economy, FeeFlow, FeeTotals};
use crate::genesis::Genesis;
use crate::governance::Governance;
use crate::interop::bundle::SealedBundle;
use crate::interop::recipient::{Code, ExternalRecipients};
use crate::journal::{Checkpoint, Journal};
use crate::settlement::{self, L2Message, MessageInclusionProof};
use crate::staking::Staker;
use crate::token::ZkToken;
use crate::ChainId;
use alloy_primitives::U256;
use imbl::OrdMap;
use std::sync::Arc;

/// The network: state plus the code of contracts deployed on its chains.
#[derive(Debug, Clone)]
pub struct Network {
    state: State,
    code: Arc<Code>,
    /// What the open checkpoints would undo (empty between actions).
    journal: Journal,
}

impl Network {
    /// Builds the genesis state after validating the configuration.
    pub fn new(genesis: &Genesis) -> Result<Self, ProtocolError> {
        Self::with_code(genesis, Code::default())
    }

    /// Builds the genesis state with contracts deployed (interop recipients, indirect-call
    /// targets).
    pub fn with_code(genesis: &Genesis, code: Code) -> Result<Self, ProtocolError> {
        let bad = |m: String| ProtocolError::Genesis(m);
        let mut assets = OrdMap::new();
        for a in &genesis.assets {
            assets.insert(AssetId::native(a.origin_chain, a.token), a.clone());
        }
        let mut chains = OrdMap::new();
        for c in &genesis.chains {
            if chains.contains_key(&c.id) {
                return Err(bad(format!("chain {} is listed twice", c.id)));
            }
            if !assets.contains_key(&c.base_token) {
                return Err(bad(format!(
                    "chain {}'s base token {} is not a listed asset",
                    c.id, c.base_token
                )));
            }
            match (c.kind, c.settlement_layer) {
                (ChainKind::L1, None) => {}
                (ChainKind::L1, Some(_)) => {
                    return Err(bad(format!(
                        "L1 chain {} cannot have a settlement layer",
                        c.id
                    )))
                }
                (_, None) => return Err(bad(format!("chain {} needs a settlement layer", c.id))),
                (_, Some(sl)) if sl == c.id => {
                    return Err(bad(format!("chain {} cannot settle on itself", c.id)))
                }
                _ => {}
            }
            chains.insert(c.id, Chain::new(c.clone(), genesis.zk_interop_fee));
        }
        for c in &genesis.chains {
            if let Some(sl) = c.settlement_layer {
                match chains.get(&sl).map(|s| s.config.kind) {
                    Some(ChainKind::L1) => {}
                    Some(ChainKind::Gateway) if c.kind == ChainKind::ZkChain => {}
                    Some(_) => {
                        return Err(ProtocolError::NotASettlementLayer {
                            chain: c.id,
                            layer: sl,
                        })
                    }
                    None => {
                        return Err(bad(format!("chain {} settles on unknown chain {sl}", c.id)))
                    }
                }
            }
        }
        let mut token = ZkToken::new(genesis.token_admin);
        for (to, amount) in &genesis.zk_allocations {
            token.mint_genesis(*to, *amount)?;
        }
        let f = &genesis.fees;
        if !chains.contains_key(&f.fee_flow_chain) {
            return Err(bad(format!(
                "Fee Flow chain {} is not listed",
                f.fee_flow_chain
            )));
        }
        let splitter = crate::fee_flow::Splitter::initialize(
            f.token_governor_timelock,
            f.emergency_admin,
            U256::from(f.burn_bps),
            &f.distributors,
        )?;
        let fee_flow = FeeFlow::initialize(crate::fee_flow::auction::FeeFlowInit {
            chain: f.fee_flow_chain,
            admin: f.token_governor_timelock,
            emergency_admin: f.emergency_admin,
            bid_token: crate::genesis::zk(),
            min_bid_threshold: f.min_bid_threshold,
            bid_threshold: f.bid_threshold,
            destination: crate::fee_flow::splitter_address(),
            claimable: f.claimable_tokens.clone(),
        })?;
        let economy = Economy {
            governance: f.governance,
            token_governor_timelock: f.token_governor_timelock,
            gateway_settlement_fee: f.gateway_settlement_fee,
            settlement_payers: imbl::OrdSet::new(),
            fee_flow,
            splitter,
            totals: FeeTotals::default(),
        };
        let prividiums = crate::prividium::genesis_state(genesis, &chains)?;
        let state = State {
            time: genesis.start_time,
            token,
            assets,
            chains,
            issued: OrdMap::new(),
            in_flight: OrdMap::new(),
            economy,
            staker: Staker::new(genesis.staking, genesis.start_time),
            governance: Governance::new(genesis.governance, genesis.start_time),
            priority: crate::priority::Diamonds::new(&genesis.chains),
            prividiums,
            bridge: crate::bridge::Bridge::default(),
            retention: genesis.retention,
        };
        Ok(Self {
            state,
            code: Arc::new(code),
            journal: Journal::default(),
        })
    }

    /// Rebuilds a network by folding `events` over the genesis state.
    pub fn replay<'a>(
        genesis: &Genesis,
        code: Code,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Self, ProtocolError> {
        let mut net = Self::with_code(genesis, code)?;
        for ev in events {
            net.state.apply_event(ev)?;
        }
        Ok(net)
    }

    /// The current state (read-only).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The deployed contract code.
    pub fn code(&self) -> &Code {
        &self.code
    }

    /// Applies one action: its events, or a typed error and no change at all.
    pub fn apply(&mut self, action: Action) -> Result<Vec<Event>, ProtocolError> {
        self.apply_inner(action, None, None)
    }

    /// [`Network::apply`] with `external` consulted for call targets that have no protocol
    /// code: contracts that live outside the protocol (the devnet's EVM contracts) receive
    /// their interop calls through it, inside this action, so their failure reverts it.
    pub fn apply_with_external(
        &mut self,
        action: Action,
        external: &mut dyn ExternalRecipients,
    ) -> Result<Vec<Event>, ProtocolError> {
        self.apply_inner(action, Some(external), None)
    }

    /// [`Network::apply_with_external`] for an action that is part of transaction number
    /// `tx_number` of its chain's block: the messages it sends carry that number as their
    /// log leaf's `txNumberInBatch`, so a client that reads it from the sending receipt's
    /// `transactionIndex` (as zksync-js does,
    /// zksync-js@a5f6505:src/core/resources/interop/finalization.ts) proves the right leaf.
    pub fn apply_in_transaction(
        &mut self,
        action: Action,
        tx_number: u16,
        external: Option<&mut dyn ExternalRecipients>,
    ) -> Result<Vec<Event>, ProtocolError> {
        self.apply_inner(action, external, Some(tx_number))
    }

    fn apply_inner(
        &mut self,
        action: Action,
        external: Option<&mut dyn ExternalRecipients>,
        tx_number: Option<u16>,
    ) -> Result<Vec<Event>, ProtocolError> {
        let cp = self.journal.checkpoint();
        let code = Arc::clone(&self.code);
        // Shortens the trait object's lifetime to this call's (a coercion `&mut` allows).
        let external = external.map(|e| -> &mut dyn ExternalRecipients { e });
        let mut exec = Exec {
            state: Live {
                s: &mut self.state,
                j: &mut self.journal,
            },
            code: &code,
            out: Vec::new(),
            external,
            tx_number,
            ahead: Default::default(),
        };
        match exec.dispatch(action) {
            Ok(()) => {
                let out = exec.out;
                self.journal.commit(cp);
                Ok(out)
            }
            Err(e) => {
                drop(exec);
                self.journal.revert(cp, &mut self.state);
                Err(e)
            }
        }
    }

    /// Opens a checkpoint: every change from here on (across any number of actions) can be
    /// undone with [`Network::revert_to`] or kept with [`Network::commit`]. Checkpoints nest
    /// (the devnet opens one per EVM frame); each must be closed, innermost first.
    pub fn checkpoint(&mut self) -> Checkpoint {
        self.journal.checkpoint()
    }

    /// Undoes every change since `cp` (and closes it).
    pub fn revert_to(&mut self, cp: Checkpoint) {
        self.journal.revert(cp, &mut self.state);
    }

    /// Keeps the changes since `cp` (and closes it): the enclosing checkpoint, if any, can
    /// still undo them.
    pub fn commit(&mut self, cp: Checkpoint) {
        self.journal.commit(cp);
    }

    /// The undo journal (empty unless a checkpoint is open).
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The balances changed since `cp` (still open), with their values at `cp`
    /// ([`Journal::balances_changed_since`]).
    pub fn balances_changed_since(&self, cp: &Checkpoint) -> Vec<crate::journal::BalanceChange> {
        self.journal.balances_changed_since(cp)
    }

    /// Builds the inclusion proof of a sent bundle's message against a root `destination`
    /// has imported.
    pub fn prove_bundle(
        &self,
        source: ChainId,
        bundle: &SealedBundle,
        destination: ChainId,
    ) -> Result<MessageInclusionProof, ProtocolError> {
        let src = self.state.chain(source)?;
        let dest = self.state.chain(destination)?;
        let loc = src.outbox.get(&bundle.hash).ok_or_else(|| {
            let why = match self.state.retention {
                crate::genesis::Retention::Full => "was not sent from",
                crate::genesis::Retention::Compact => {
                    "is not waiting for a proof (never sent, or already received) from"
                }
            };
            ProtocolError::ContextMismatch(format!("bundle {} {why} chain {source}", bundle.hash))
        })?;
        let message = L2Message {
            tx_number_in_batch: loc.tx_number,
            sender: crate::chain::INTEROP_CENTER,
            data: bundle.message().into(),
        };
        Ok(settlement::build_proof(
            &self.state.chains,
            source,
            loc.batch,
            u64::from(loc.index),
            message,
            dest,
        )?)
    }
}
