//! ZK Nation governance: the three governors on ZKsync Era
//! (zk-governance@58df93f:l2-contracts/src/ZkProtocolGovernor.sol,
//! zk-governance@58df93f:l2-contracts/src/ZkTokenGovernor.sol,
//! zk-governance@58df93f:l2-contracts/src/ZkGovOpsGovernor.sol) and, for ZIPs, the L1
//! ProtocolUpgradeHandler (zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol), as
//! an event-sourced state machine.
//!
//! Each governor is an OpenZeppelin 4.x Governor (the line that still ships
//! `GovernorCompatibilityBravo`, which the counting module imports) with
//! `GovernorCountingFractional` (split and partial votes; quorum counts For votes only; success
//! is For > Against; zk-governance@58df93f:l2-contracts/src/lib/GovernorCountingFractional.sol),
//! `GovernorPreventLateQuorum`, a fixed settable quorum
//! (zk-governance@58df93f:l2-contracts/src/extensions/GovernorSettableFixedQuorum.sol), and a
//! timelock. The Token and GovOps governors add the veto of
//! zk-governance@58df93f:l2-contracts/src/extensions/GovernorGuardianVeto.sol. Votes are the ZK
//! delegated to the voter at the proposal's snapshot ([`ZkToken::get_past_votes`]). The Token
//! and GovOps governors add the Guardians' veto (cancel while pending or active); the Protocol
//! Governor lets a proposer cancel while pending. An executed ZIP travels to L1: a legal veto
//! period, then Security Council approval (ready one day later) or Guardian approval (ready
//! after a 30-day wait), else it expires. Defaults and their sources: [`params`].
//!
//! Executing a proposal releases its typed [`ProposalAction`]s for the network to apply; a
//! defeated, canceled, vetoed or expired proposal never does. Each vote is recorded, so a
//! delegate's participation ("voted in at least 2 of the last 5 proposals", TPP-12) can be
//! computed for staking eligibility ([`Governance::participation`]).
//!
//! Like the token, every method validates first (an `Err` changes nothing) and mutates only
//! through [`Governance::apply`]. Governance reads the token but never changes it.
//!
//! Model notes: the quorum is fixed at submission (the contract looks it up at the snapshot;
//! they differ only if governance changes it during the voting delay, which the model does not
//! do); the Token Governor's propose guardian is not modelled; proposals may carry no action
//! (signalling GAPs; the contract needs one call, typically a no-op).

pub mod calldata;
pub mod execution;
pub mod params;
pub mod proposal;
pub mod proposal_path;
#[cfg(test)]
mod tests;
pub mod timeline;

use crate::token::{TokenError, ZkToken};
use alloy_primitives::{Address, U256};
use imbl::{OrdMap, OrdSet};
use serde::{Deserialize, Serialize};

pub use params::{
    GovernanceConfig, GovernorKind, GovernorParams, UpgradeApproval, UpgradeParams, DAY,
};
pub use proposal::{
    Ballot, Proposal, ProposalAction, ProposalId, ProposalState, UpgradeState, UpgradeStatus,
    VoteType,
};

/// Facts recorded by governance; replaying them with [`Governance::apply`] rebuilds it.
#[allow(missing_docs)] // fields are described by each variant's doc
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GovernanceEvent {
    /// `ProposalCreated`.
    ProposalCreated {
        id: ProposalId,
        governor: GovernorKind,
        proposer: Address,
        actions: Vec<ProposalAction>,
        vote_start: u64,
        vote_end: u64,
        quorum: U256,
        at: u64,
    },
    /// `VoteCast` / `VoteCastWithParams`: `ballot` adds to the tally; `weight` is the voter's
    /// total weight at the snapshot.
    VoteCast {
        id: ProposalId,
        voter: Address,
        ballot: Ballot,
        weight: U256,
        at: u64,
    },
    /// The first vote reaching quorum sets the extended deadline `at + extension`
    /// (`GovernorPreventLateQuorum`); it only moves the deadline if later (then the contract
    /// emits `ProposalExtended`).
    QuorumReached {
        id: ProposalId,
        extended_deadline: u64,
        at: u64,
    },
    /// `ProposalCanceled` by the proposer.
    ProposalCanceled { id: ProposalId, at: u64 },
    /// `ProposalCanceled` by the veto guardian.
    ProposalVetoed {
        id: ProposalId,
        guardian: Address,
        at: u64,
    },
    /// `ProposalQueued` with the timelock's eta.
    ProposalQueued { id: ProposalId, eta: u64, at: u64 },
    /// `ProposalExecuted` on Era. For a ZIP, `upgrade_created` is when the L1
    /// `startUpgrade` takes effect (after the delivery delay).
    ProposalExecuted {
        id: ProposalId,
        upgrade_created: Option<u64>,
        at: u64,
    },
    /// `UpgradeLegalVetoExtended` by the Guardians.
    LegalVetoExtended { id: ProposalId, at: u64 },
    /// `UpgradeApprovedBySecurityCouncil`.
    ApprovedBySecurityCouncil { id: ProposalId, at: u64 },
    /// `UpgradeApprovedByGuardians`.
    ApprovedByGuardians { id: ProposalId, at: u64 },
    /// `UpgradeExecuted` on L1.
    UpgradeExecuted { id: ProposalId, at: u64 },
}

/// What `execute` returns: the events, and the actions now to be applied by the network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Governance events to log.
    pub events: Vec<GovernanceEvent>,
    /// Actions that take effect now (empty for a ZIP leaving Era, full when it executes on L1).
    pub actions: Vec<ProposalAction>,
}

/// What mutating methods return.
pub type Emitted = Result<Vec<GovernanceEvent>, GovernanceError>;

/// Why a governance call was refused; one variant per rule, naming the values involved.
#[allow(missing_docs)] // fields are the values named in each message
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GovernanceError {
    /// No proposal with this id.
    #[error("unknown proposal {id}")]
    UnknownProposal { id: ProposalId },
    /// OpenZeppelin 4.x `propose`: "Governor: proposer votes below proposal threshold".
    #[error("{proposer} has {votes} wei of votes, below the proposal threshold {threshold} wei")]
    BelowThreshold {
        proposer: Address,
        votes: U256,
        threshold: U256,
    },
    /// The action belongs to another governor.
    #[error("a {governor:?} proposal cannot carry {action}")]
    ActionNotAllowed {
        governor: GovernorKind,
        action: &'static str,
    },
    /// An action that could never apply.
    #[error("invalid {action}: {reason}")]
    InvalidAction {
        action: &'static str,
        reason: String,
    },
    /// The call needs another lifecycle state (OpenZeppelin's "Governor: vote not currently
    /// active", "too late to cancel", "proposal not successful"…, `UncancelableProposalState`,
    /// and the ProtocolUpgradeHandler's state requires).
    #[error("proposal {id} is {state:?}, needs {needed}")]
    WrongState {
        id: ProposalId,
        state: ProposalState,
        needed: &'static str,
    },
    /// "GovernorCountingFractional: no weight" (`_countVote`).
    #[error("{voter} had no votes at proposal {id}'s snapshot")]
    NoWeight { id: ProposalId, voter: Address },
    /// "GovernorCountingFractional: all weight cast" (`_countVote`).
    #[error("{voter} has already cast all {weight} wei of its votes on proposal {id}")]
    AllWeightCast {
        id: ProposalId,
        voter: Address,
        weight: U256,
    },
    /// "GovernorCountingFractional: vote would exceed weight" (`_countVoteNominal` after a
    /// partial vote, or `_countVoteFractional` past the weight).
    #[error("{voter} cannot cast {requested} wei more on proposal {id}: {cast} of {weight} wei already cast")]
    ExceedsWeight {
        id: ProposalId,
        voter: Address,
        weight: U256,
        cast: U256,
        requested: U256,
    },
    /// The caller lacks the role (`GovernorGuardianVeto.Unauthorized()`, "Governor: only
    /// proposer can cancel", or the ProtocolUpgradeHandler's "Only Security Council / guardians
    /// is allowed…" requires).
    #[error("unauthorized: {caller} is not the {role}")]
    Unauthorized { caller: Address, role: &'static str },
    /// A ZIP has no veto guardian; a TPP or GAP has no L1 stage.
    #[error("proposal {id} ({governor:?}) does not support {what}")]
    NotSupported {
        id: ProposalId,
        governor: GovernorKind,
        what: &'static str,
    },
    /// "Legal veto period is already extended" (ProtocolUpgradeHandler `extendLegalVeto`).
    #[error("proposal {id}'s legal veto period is already extended")]
    LegalVetoAlreadyExtended { id: ProposalId },
    /// "Upgrade is already approved by guardians" (ProtocolUpgradeHandler `approveUpgradeGuardians`).
    #[error("proposal {id} is already approved by the Guardians")]
    AlreadyApprovedByGuardians { id: ProposalId },
    /// Time never goes backwards.
    #[error("time {at} is before the governance clock {clock}")]
    ClockWentBackwards { at: u64, clock: u64 },
    /// A replayed event does not fit the state (a corrupted log).
    #[error("replayed event does not fit the governance state: {what}")]
    Mismatch { what: &'static str },
    /// Checked arithmetic failed.
    #[error("arithmetic overflow in {what}")]
    Overflow { what: &'static str },
    /// A vote lookup the token refused.
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// The three governors, their proposals, and the L1 upgrade path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Governance {
    config: GovernanceConfig,
    clock: u64,
    next_id: ProposalId,
    proposals: OrdMap<ProposalId, Proposal>,
}

fn later(a: u64, b: u64, what: &'static str) -> Result<u64, GovernanceError> {
    a.checked_add(b).ok_or(GovernanceError::Overflow { what })
}

impl Governance {
    /// Governance deployed with `config`, clock at `now`.
    pub fn new(config: GovernanceConfig, now: u64) -> Self {
        Self {
            config,
            clock: now,
            next_id: 0,
            proposals: OrdMap::new(),
        }
    }

    // ----- views -----

    /// The configuration.
    pub fn config(&self) -> &GovernanceConfig {
        &self.config
    }
    /// Latest time recorded by an event.
    pub fn clock(&self) -> u64 {
        self.clock
    }
    /// The id the next proposal will get.
    pub fn next_proposal_id(&self) -> ProposalId {
        self.next_id
    }
    /// A proposal.
    pub fn proposal(&self, id: ProposalId) -> Option<&Proposal> {
        self.proposals.get(&id)
    }
    /// All proposals, by id.
    pub fn proposals(&self) -> impl Iterator<Item = &Proposal> {
        self.proposals.values()
    }
    /// A proposal's state at `now`.
    pub fn state(&self, id: ProposalId, now: u64) -> Result<ProposalState, GovernanceError> {
        Ok(self.existing(id)?.state(now, &self.config.upgrade))
    }

    /// Earliest time the proposal's actions can take effect given its current (possibly
    /// extended) deadline, if it passes and, for a ZIP, with the given L1 approval.
    pub fn earliest_effect(
        &self,
        id: ProposalId,
        approval: UpgradeApproval,
    ) -> Result<u64, GovernanceError> {
        let p = self.existing(id)?;
        let after = self.config.after_deadline(p.governor, approval);
        Ok(p.deadline().saturating_add(after))
    }

    /// The delegate's participation score: how many of the last `window` proposals whose
    /// voting has closed by `now` it voted on (TPP-12: eligible with 2 of the last 5; the
    /// window lives in the staker's `EligibilityParams`). Model choice: proposals still pending
    /// or active do not count (a delegate cannot have missed them yet), nor do canceled or
    /// vetoed ones (their vote did not run its course); all three governors count, in creation
    /// order.
    pub fn participation(&self, delegate: Address, window: u64, now: u64) -> u64 {
        let window = usize::try_from(window).unwrap_or(usize::MAX);
        self.proposals
            .values()
            .rev()
            .filter(|p| !p.canceled && !p.vetoed && p.deadline() < now)
            .take(window)
            .filter(|p| p.has_voted(delegate))
            .count() as u64
    }

    /// The proposals the delegate has cast weight on, in creation order.
    pub fn votes_of(&self, delegate: Address) -> Vec<ProposalId> {
        self.proposals
            .values()
            .filter(|p| p.has_voted(delegate))
            .map(|p| p.id)
            .collect()
    }

    /// Everyone who ever cast a vote (the delegates an eligibility oracle scores).
    pub fn voters(&self) -> OrdSet<Address> {
        self.proposals
            .values()
            .flat_map(|p| p.voters.keys().copied())
            .collect()
    }

    fn existing(&self, id: ProposalId) -> Result<&Proposal, GovernanceError> {
        self.proposals
            .get(&id)
            .ok_or(GovernanceError::UnknownProposal { id })
    }

    fn check_now(&self, now: u64) -> Result<(), GovernanceError> {
        if now < self.clock {
            return Err(GovernanceError::ClockWentBackwards {
                at: now,
                clock: self.clock,
            });
        }
        Ok(())
    }

    /// The proposal and its state, after the clock check.
    fn at(&self, id: ProposalId, now: u64) -> Result<(&Proposal, ProposalState), GovernanceError> {
        self.check_now(now)?;
        let p = self.existing(id)?;
        Ok((p, p.state(now, &self.config.upgrade)))
    }

    fn wrong(id: ProposalId, state: ProposalState, needed: &'static str) -> GovernanceError {
        GovernanceError::WrongState { id, state, needed }
    }

    fn commit(&mut self, events: Vec<GovernanceEvent>) -> Emitted {
        let mut next = self.clone();
        for ev in &events {
            next.apply_in_place(ev)?;
        }
        *self = next;
        Ok(events)
    }

    // ----- proposing and voting -----

    /// `propose` to `governor`: the proposer's votes one second ago must reach the threshold,
    /// and every action must belong to this governor and be applicable. Voting starts after
    /// the voting delay (snapshot = now + delay) and ends a voting period later.
    pub fn propose(
        &mut self,
        token: &ZkToken,
        governor: GovernorKind,
        proposer: Address,
        actions: Vec<ProposalAction>,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        for a in &actions {
            if !a.governors().contains(&governor) {
                return Err(GovernanceError::ActionNotAllowed {
                    governor,
                    action: a.name(),
                });
            }
            a.validate()
                .map_err(|reason| GovernanceError::InvalidAction {
                    action: a.name(),
                    reason,
                })?;
        }
        let p = *self.config.params(governor);
        let votes = match now.checked_sub(1) {
            Some(past) => token.get_past_votes(proposer, past, now)?,
            None => U256::ZERO,
        };
        if votes < p.proposal_threshold {
            return Err(GovernanceError::BelowThreshold {
                proposer,
                votes,
                threshold: p.proposal_threshold,
            });
        }
        let vote_start = later(now, p.voting_delay, "vote start")?;
        let vote_end = later(vote_start, p.voting_period, "vote end")?;
        self.commit(vec![GovernanceEvent::ProposalCreated {
            id: self.next_id,
            governor,
            proposer,
            actions,
            vote_start,
            vote_end,
            quorum: p.quorum,
            at: now,
        }])
    }

    /// `castVote`: all of the voter's weight at the snapshot on one option; only if nothing
    /// was cast before.
    pub fn cast_vote(
        &mut self,
        token: &ZkToken,
        id: ProposalId,
        voter: Address,
        support: VoteType,
        now: u64,
    ) -> Emitted {
        self.vote(token, id, voter, None, support, now)
    }

    /// `castVoteWithReasonAndParams` with fractional params: splits weight between Against,
    /// For and Abstain; may be called several times while the total stays within the weight.
    pub fn cast_vote_fractional(
        &mut self,
        token: &ZkToken,
        id: ProposalId,
        voter: Address,
        ballot: Ballot,
        now: u64,
    ) -> Emitted {
        self.vote(token, id, voter, Some(ballot), VoteType::Abstain, now)
    }

    fn vote(
        &mut self,
        token: &ZkToken,
        id: ProposalId,
        voter: Address,
        fractional: Option<Ballot>,
        support: VoteType,
        now: u64,
    ) -> Emitted {
        let (p, state) = self.at(id, now)?;
        if state != ProposalState::Active {
            return Err(Self::wrong(id, state, "Active"));
        }
        let weight = token.get_past_votes(voter, p.vote_start, now)?;
        if weight.is_zero() {
            return Err(GovernanceError::NoWeight { id, voter });
        }
        let cast = p.voters.get(&voter).copied().unwrap_or_default();
        if cast >= weight {
            return Err(GovernanceError::AllWeightCast { id, voter, weight });
        }
        let ballot = match fractional {
            None if !cast.is_zero() => {
                return Err(GovernanceError::ExceedsWeight {
                    id,
                    voter,
                    weight,
                    cast,
                    requested: weight,
                })
            }
            None => Ballot::nominal(support, weight),
            Some(b) => {
                let requested = b
                    .total()
                    .ok_or(GovernanceError::Overflow { what: "ballot" })?;
                if cast.checked_add(requested).is_none_or(|t| t > weight) {
                    return Err(GovernanceError::ExceedsWeight {
                        id,
                        voter,
                        weight,
                        cast,
                        requested,
                    });
                }
                b
            }
        };
        let tally = p
            .tally
            .plus(&ballot)
            .ok_or(GovernanceError::Overflow { what: "tally" })?;
        let mut events = vec![GovernanceEvent::VoteCast {
            id,
            voter,
            ballot,
            weight,
            at: now,
        }];
        if p.extended_deadline.is_none() && tally.for_votes >= p.quorum {
            let extension = self.config.params(p.governor).late_quorum_extension;
            events.push(GovernanceEvent::QuorumReached {
                id,
                extended_deadline: later(now, extension, "extended deadline")?,
                at: now,
            });
        }
        self.commit(events)
    }

    // ----- cancel and veto -----

    /// ZkProtocolGovernor `cancel` (OpenZeppelin 4.x `Governor.cancel`): only the proposer, only
    /// while pending; the state is checked before the caller, as there. The Token and GovOps
    /// governors replace `cancel` with the guardian's veto.
    pub fn cancel(&mut self, caller: Address, id: ProposalId, now: u64) -> Emitted {
        let (p, state) = self.at(id, now)?;
        if p.governor.has_veto_guardian() {
            return Err(GovernanceError::NotSupported {
                id,
                governor: p.governor,
                what: "cancel by the proposer",
            });
        }
        if state != ProposalState::Pending {
            return Err(Self::wrong(id, state, "Pending"));
        }
        if caller != p.proposer {
            return Err(GovernanceError::Unauthorized {
                caller,
                role: "proposer",
            });
        }
        self.commit(vec![GovernanceEvent::ProposalCanceled { id, at: now }])
    }

    /// `GovernorGuardianVeto.cancel`: the Guardians veto a TPP or GAP while pending or active;
    /// the caller is checked before the state, as there
    /// (zk-governance@58df93f:l2-contracts/src/extensions/GovernorGuardianVeto.sol).
    pub fn veto(&mut self, caller: Address, id: ProposalId, now: u64) -> Emitted {
        let (p, state) = self.at(id, now)?;
        if !p.governor.has_veto_guardian() {
            return Err(GovernanceError::NotSupported {
                id,
                governor: p.governor,
                what: "a guardian veto",
            });
        }
        if caller != self.config.guardians {
            return Err(GovernanceError::Unauthorized {
                caller,
                role: "veto guardian",
            });
        }
        if !matches!(state, ProposalState::Pending | ProposalState::Active) {
            return Err(Self::wrong(id, state, "Pending or Active"));
        }
        self.commit(vec![GovernanceEvent::ProposalVetoed {
            id,
            guardian: caller,
            at: now,
        }])
    }

    // ----- timelock and execution -----

    /// `queue` (anyone, `GovernorTimelockControl`): a succeeded proposal enters the timelock;
    /// executable from `eta` = now + the timelock's minimum delay.
    pub fn queue(&mut self, id: ProposalId, now: u64) -> Emitted {
        let (p, state) = self.at(id, now)?;
        if state != ProposalState::Succeeded {
            return Err(Self::wrong(id, state, "Succeeded"));
        }
        let delay = self.config.params(p.governor).timelock_delay;
        let eta = later(now, delay, "timelock eta")?;
        self.commit(vec![GovernanceEvent::ProposalQueued { id, eta, at: now }])
    }

    /// `execute` on Era (anyone), from the timelock's eta on. A TPP or GAP takes effect: its
    /// actions are returned. A ZIP sends its upgrade to L1 and returns no action yet.
    pub fn execute(&mut self, id: ProposalId, now: u64) -> Result<Outcome, GovernanceError> {
        let (p, state) = self.at(id, now)?;
        let eta = match (state, p.eta) {
            (ProposalState::Queued, Some(eta)) => eta,
            _ => return Err(Self::wrong(id, state, "Queued")),
        };
        if now < eta {
            return Err(Self::wrong(id, state, "its timelock eta to pass"));
        }
        let (l1, actions) = if p.governor.goes_through_l1() {
            let created = later(now, self.config.upgrade.l1_delivery_delay, "upgrade start")?;
            (Some(created), Vec::new())
        } else {
            (None, p.actions.clone())
        };
        let events = self.commit(vec![GovernanceEvent::ProposalExecuted {
            id,
            upgrade_created: l1,
            at: now,
        }])?;
        Ok(Outcome { events, actions })
    }

    fn upgrade_stage(
        &self,
        id: ProposalId,
        now: u64,
    ) -> Result<(&Proposal, UpgradeStatus, ProposalState), GovernanceError> {
        let (p, state) = self.at(id, now)?;
        if !p.governor.goes_through_l1() {
            return Err(GovernanceError::NotSupported {
                id,
                governor: p.governor,
                what: "the L1 upgrade path",
            });
        }
        let u = p
            .upgrade
            .ok_or_else(|| Self::wrong(id, state, "execution on Era first"))?;
        Ok((p, u, state))
    }

    /// `extendLegalVeto` by the Guardians during the legal veto period (3 → 7 days), once
    /// (zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol).
    pub fn extend_legal_veto(&mut self, caller: Address, id: ProposalId, now: u64) -> Emitted {
        let (_, u, state) = self.upgrade_stage(id, now)?;
        if caller != self.config.guardians {
            return Err(GovernanceError::Unauthorized {
                caller,
                role: "Guardians",
            });
        }
        if u.extended_legal_veto {
            return Err(GovernanceError::LegalVetoAlreadyExtended { id });
        }
        if state != ProposalState::Upgrade(UpgradeState::LegalVeto) {
            return Err(Self::wrong(id, state, "the legal veto period"));
        }
        self.commit(vec![GovernanceEvent::LegalVetoExtended { id, at: now }])
    }

    /// `approveUpgradeSecurityCouncil` while waiting: ready one upgrade delay later
    /// (zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol).
    pub fn approve_by_security_council(
        &mut self,
        caller: Address,
        id: ProposalId,
        now: u64,
    ) -> Emitted {
        let (_, _, state) = self.upgrade_stage(id, now)?;
        if caller != self.config.security_council {
            return Err(GovernanceError::Unauthorized {
                caller,
                role: "Security Council",
            });
        }
        if state != ProposalState::Upgrade(UpgradeState::Waiting) {
            return Err(Self::wrong(id, state, "Waiting for approval"));
        }
        self.commit(vec![GovernanceEvent::ApprovedBySecurityCouncil {
            id,
            at: now,
        }])
    }

    /// `approveUpgradeGuardians` while waiting: ready one upgrade delay after the 30-day wait
    /// (zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol).
    pub fn approve_by_guardians(&mut self, caller: Address, id: ProposalId, now: u64) -> Emitted {
        let (_, u, state) = self.upgrade_stage(id, now)?;
        if caller != self.config.guardians {
            return Err(GovernanceError::Unauthorized {
                caller,
                role: "Guardians",
            });
        }
        if u.guardians_approved {
            return Err(GovernanceError::AlreadyApprovedByGuardians { id });
        }
        if state != ProposalState::Upgrade(UpgradeState::Waiting) {
            return Err(Self::wrong(id, state, "Waiting for approval"));
        }
        self.commit(vec![GovernanceEvent::ApprovedByGuardians { id, at: now }])
    }

    /// ProtocolUpgradeHandler `execute` (anyone, as the model's upgrades name no executor) once
    /// ready: the ZIP's actions take effect and are returned
    /// (zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol).
    pub fn execute_upgrade(
        &mut self,
        id: ProposalId,
        now: u64,
    ) -> Result<Outcome, GovernanceError> {
        let (p, _, state) = self.upgrade_stage(id, now)?;
        if state != ProposalState::Upgrade(UpgradeState::Ready) {
            return Err(Self::wrong(id, state, "Ready on L1"));
        }
        let actions = p.actions.clone();
        let events = self.commit(vec![GovernanceEvent::UpgradeExecuted { id, at: now }])?;
        Ok(Outcome { events, actions })
    }

    // ----- event application -----

    /// The only code path that mutates governance. Deterministic and atomic: an event that does
    /// not fit the state is refused with the state unchanged. Roles are not re-checked.
    pub fn apply(&mut self, ev: &GovernanceEvent) -> Result<(), GovernanceError> {
        let mut next = self.clone();
        next.apply_in_place(ev)?;
        *self = next;
        Ok(())
    }

    fn tick(&mut self, at: u64) -> Result<(), GovernanceError> {
        self.check_now(at)?;
        self.clock = at;
        Ok(())
    }

    fn update(
        &mut self,
        id: ProposalId,
        at: u64,
        f: impl FnOnce(&mut Proposal) -> Result<(), GovernanceError>,
    ) -> Result<(), GovernanceError> {
        self.tick(at)?;
        let mut p = self.existing(id)?.clone();
        f(&mut p)?;
        self.proposals.insert(id, p);
        Ok(())
    }

    fn apply_in_place(&mut self, ev: &GovernanceEvent) -> Result<(), GovernanceError> {
        use GovernanceEvent as E;
        let upgrade = |p: &mut Proposal| {
            p.upgrade.ok_or(GovernanceError::Mismatch {
                what: "L1 event for a proposal not on L1",
            })
        };
        match ev {
            E::ProposalCreated {
                id,
                governor,
                proposer,
                actions,
                vote_start,
                vote_end,
                quorum,
                at,
            } => {
                if *id != self.next_id {
                    return Err(GovernanceError::Mismatch {
                        what: "proposal id is not the next id",
                    });
                }
                self.tick(*at)?;
                self.proposals.insert(
                    *id,
                    Proposal {
                        id: *id,
                        governor: *governor,
                        proposer: *proposer,
                        actions: actions.clone(),
                        created: *at,
                        vote_start: *vote_start,
                        vote_end: *vote_end,
                        quorum: *quorum,
                        extended_deadline: None,
                        tally: Ballot::default(),
                        voters: OrdMap::new(),
                        canceled: false,
                        vetoed: false,
                        eta: None,
                        executed_at: None,
                        upgrade: None,
                    },
                );
                self.next_id += 1;
                Ok(())
            }
            E::VoteCast {
                id,
                voter,
                ballot,
                at,
                ..
            } => self.update(*id, *at, |p| {
                let used = ballot
                    .total()
                    .ok_or(GovernanceError::Overflow { what: "ballot" })?;
                let cast = p.voters.get(voter).copied().unwrap_or_default();
                let cast = cast.checked_add(used).ok_or(GovernanceError::Overflow {
                    what: "weight cast",
                })?;
                p.voters.insert(*voter, cast);
                p.tally = p
                    .tally
                    .plus(ballot)
                    .ok_or(GovernanceError::Overflow { what: "tally" })?;
                Ok(())
            }),
            E::QuorumReached {
                id,
                extended_deadline,
                at,
            } => self.update(*id, *at, |p| {
                p.extended_deadline = Some(*extended_deadline);
                Ok(())
            }),
            E::ProposalCanceled { id, at } => self.update(*id, *at, |p| {
                p.canceled = true;
                Ok(())
            }),
            E::ProposalVetoed { id, at, .. } => self.update(*id, *at, |p| {
                p.vetoed = true;
                Ok(())
            }),
            E::ProposalQueued { id, eta, at } => self.update(*id, *at, |p| {
                p.eta = Some(*eta);
                Ok(())
            }),
            E::ProposalExecuted {
                id,
                upgrade_created,
                at,
            } => self.update(*id, *at, |p| {
                p.executed_at = Some(*at);
                p.upgrade = upgrade_created.map(|created| UpgradeStatus {
                    created,
                    extended_legal_veto: false,
                    security_council_approved_at: None,
                    guardians_approved: false,
                    executed: false,
                });
                Ok(())
            }),
            E::LegalVetoExtended { id, at } => self.update(*id, *at, |p| {
                let mut u = upgrade(p)?;
                u.extended_legal_veto = true;
                p.upgrade = Some(u);
                Ok(())
            }),
            E::ApprovedBySecurityCouncil { id, at } => self.update(*id, *at, |p| {
                let mut u = upgrade(p)?;
                u.security_council_approved_at = Some(*at);
                p.upgrade = Some(u);
                Ok(())
            }),
            E::ApprovedByGuardians { id, at } => self.update(*id, *at, |p| {
                let mut u = upgrade(p)?;
                u.guardians_approved = true;
                p.upgrade = Some(u);
                Ok(())
            }),
            E::UpgradeExecuted { id, at } => self.update(*id, *at, |p| {
                let mut u = upgrade(p)?;
                u.executed = true;
                p.upgrade = Some(u);
                Ok(())
            }),
        }
    }
}
