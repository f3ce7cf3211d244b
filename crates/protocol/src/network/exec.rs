//! An action in progress: the journaled view of the state its handlers write through
//! ([`Live`]) and the handlers' context ([`Exec`]) that emits events and records them.

use super::State;
use crate::chain::AssetId;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::governance::Governance;
use crate::interop::recipient::{Code, ExternalRecipients};
use crate::journal::{Checkpoint, Journal, Section, Undo};
use crate::merkle::LogsTree;
use crate::staking::Staker;
use crate::token::ZkToken;
use crate::ChainId;
use alloy_primitives::{Address, U256};

/// The state of an action in progress: readable as a `State`; written only through methods
/// that journal what they overwrite.
pub(crate) struct Live<'a> {
    pub(super) s: &'a mut State,
    pub(super) j: &'a mut Journal,
}

impl std::ops::Deref for Live<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        self.s
    }
}

impl Live<'_> {
    /// The ZK token, to call one of its state-changing methods (its pre-image journaled).
    pub(crate) fn token_mut(&mut self) -> &mut ZkToken {
        let s = &*self.s;
        self.j
            .section(Section::Token, || Undo::Token(Box::new(s.token.clone())));
        &mut self.s.token
    }

    /// Governance (its pre-image journaled), beside the token it reads votes from.
    pub(crate) fn governance_mut(&mut self) -> (&mut Governance, &ZkToken) {
        let s = &*self.s;
        self.j.section(Section::Governance, || {
            Undo::Governance(Box::new(s.governance.clone()))
        });
        (&mut self.s.governance, &self.s.token)
    }

    /// The staker and the token it moves ZK with (both pre-images journaled).
    pub(crate) fn staker_mut(&mut self) -> (&mut Staker, &mut ZkToken) {
        let s = &*self.s;
        self.j
            .section(Section::Staker, || Undo::Staker(Box::new(s.staker.clone())));
        self.j
            .section(Section::Token, || Undo::Token(Box::new(s.token.clone())));
        (&mut self.s.staker, &mut self.s.token)
    }

    /// Opens a nested checkpoint inside the action in progress (a delivered call's external
    /// frame, see [`crate::interop::recipient::RecipientContext::checkpoint`]).
    pub(crate) fn checkpoint(&mut self) -> Checkpoint {
        self.j.checkpoint()
    }

    /// Undoes the changes since `cp` and closes it.
    pub(crate) fn revert_to(&mut self, cp: Checkpoint) {
        self.j.revert(cp, self.s);
    }

    /// Keeps the changes since `cp` in the enclosing scope and closes it.
    pub(crate) fn commit(&mut self, cp: Checkpoint) {
        self.j.commit(cp);
    }

    /// The undo journal of the action in progress (read-only).
    pub(crate) fn journal(&self) -> &Journal {
        self.j
    }

    /// Applies an event, journaling what it overwrites.
    pub(crate) fn apply_with(
        &mut self,
        event: &Event,
        prebuilt: Option<LogsTree>,
    ) -> Result<(), ProtocolError> {
        self.s.apply_with(event, prebuilt, self.j)
    }
}

/// One action in progress: the state it mutates through events, and the events so far.
pub(crate) struct Exec<'a> {
    pub(crate) state: Live<'a>,
    pub(crate) code: &'a Code,
    pub(crate) out: Vec<Event>,
    /// Code outside the protocol, for call targets without protocol code.
    pub(crate) external: Option<&'a mut dyn ExternalRecipients>,
    /// The enclosing transaction's number, for the messages sent (see
    /// [`Network::apply_in_transaction`](super::Network::apply_in_transaction)).
    pub(crate) tx_number: Option<u16>,
    /// The enclosing batch's pre-computed hashing for the action being dispatched.
    pub(crate) ahead: crate::interop::handler::Ahead,
}

impl Exec<'_> {
    /// Applies and records an event.
    pub(crate) fn emit(&mut self, event: Event) {
        // invariant: only token and batch events can fail to apply; token events are recorded
        // through `token_events` and batches are sealed with a prebuilt tree.
        let _ = self.state.apply_with(&event, None);
        self.out.push(event);
    }

    /// Records token events the token has already applied.
    pub(crate) fn token_events(&mut self, events: Vec<crate::token::TokenEvent>) {
        self.out.extend(events.into_iter().map(Event::Token));
    }

    pub(crate) fn require_balance(
        &self,
        chain: ChainId,
        asset: AssetId,
        account: Address,
        needed: U256,
    ) -> Result<(), ProtocolError> {
        let balance = self.state.chain(chain)?.balance(asset, account);
        if balance < needed {
            return Err(ProtocolError::InsufficientBalance(Box::new(
                crate::error::Shortfall {
                    chain,
                    asset,
                    account,
                    balance,
                    needed,
                },
            )));
        }
        Ok(())
    }
}
