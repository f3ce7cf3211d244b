//! Governance tests: timing at exact boundary seconds, quorum and threshold at and one wei below,
//! late quorum, fractional votes, veto, cancel, the ZIP's L1 path, atomicity and replay.

use super::*;
use crate::fee_flow::Distributor;
use crate::units::tokens;
use GovernanceError as E;
use ProposalState as S;
use UpgradeState as U;

const ADMIN: Address = Address::repeat_byte(0xad);
const SC: Address = Address::repeat_byte(0x5c);
const GUARD: Address = Address::repeat_byte(0x9a);
/// Holds exactly the proposal threshold.
const P: Address = Address::repeat_byte(1);
/// One wei below the threshold.
const P_LOW: Address = Address::repeat_byte(2);
/// Exactly the quorum.
const Q: Address = Address::repeat_byte(3);
/// One wei below the quorum.
const Q_LOW: Address = Address::repeat_byte(4);
/// A large voter.
const BIG: Address = Address::repeat_byte(5);
/// Never delegated.
const NOBODY: Address = Address::repeat_byte(6);
const T0: u64 = 1_000_000;

fn zk(n: u64) -> U256 {
    tokens(n)
}

fn one() -> U256 {
    U256::from(1u8)
}

struct World {
    gov: Governance,
    gov0: Governance,
    token: ZkToken,
    log: Vec<GovernanceEvent>,
}

impl World {
    fn new() -> Self {
        Self::with(GovernanceConfig::zk_nation(SC, GUARD))
    }

    /// Self-delegated holders (delegation at time 1, long before any proposal).
    fn with(config: GovernanceConfig) -> Self {
        let mut token = ZkToken::new(ADMIN);
        let holdings = [
            (P, zk(21_000_000)),
            (P_LOW, zk(21_000_000) - one()),
            (Q, zk(630_000_000)),
            (Q_LOW, zk(630_000_000) - one()),
            (BIG, zk(2_000_000_000)),
            (NOBODY, zk(5)),
        ];
        for (who, amount) in holdings {
            token.mint_genesis(who, amount).unwrap();
            if who != NOBODY {
                token.delegate(who, who, 1).unwrap();
            }
        }
        let gov = Governance::new(config, T0);
        Self {
            gov0: gov.clone(),
            gov,
            token,
            log: Vec::new(),
        }
    }

    fn ok(&mut self, f: impl FnOnce(&mut Governance, &ZkToken) -> Emitted) {
        let evs = f(&mut self.gov, &self.token).unwrap();
        self.log.extend(evs);
    }

    fn rejects(
        &mut self,
        want: GovernanceError,
        f: impl FnOnce(&mut Governance, &ZkToken) -> Emitted,
    ) {
        let before = self.gov.clone();
        assert_eq!(f(&mut self.gov, &self.token), Err(want));
        assert_eq!(self.gov, before);
    }

    fn rejects_exec(
        &mut self,
        want: GovernanceError,
        f: impl FnOnce(&mut Governance) -> Result<Outcome, GovernanceError>,
    ) {
        let before = self.gov.clone();
        assert_eq!(f(&mut self.gov), Err(want));
        assert_eq!(self.gov, before);
    }

    fn propose(
        &mut self,
        kind: GovernorKind,
        actions: Vec<ProposalAction>,
        now: u64,
    ) -> ProposalId {
        let id = self.gov.next_proposal_id();
        self.ok(|g, t| g.propose(t, kind, P, actions, now));
        id
    }

    fn vote(&mut self, id: ProposalId, who: Address, support: VoteType, now: u64) {
        self.ok(|g, t| g.cast_vote(t, id, who, support, now));
    }

    fn execute(&mut self, id: ProposalId, now: u64) -> Vec<ProposalAction> {
        let out = self.gov.execute(id, now).unwrap();
        self.log.extend(out.events);
        out.actions
    }

    fn execute_upgrade(&mut self, id: ProposalId, now: u64) -> Vec<ProposalAction> {
        let out = self.gov.execute_upgrade(id, now).unwrap();
        self.log.extend(out.events);
        out.actions
    }

    fn state(&self, id: ProposalId, now: u64) -> ProposalState {
        self.gov.state(id, now).unwrap()
    }

    fn assert_replays(&self) {
        let mut g = self.gov0.clone();
        for ev in &self.log {
            g.apply(ev).unwrap();
        }
        assert_eq!(g, self.gov);
    }
}

fn fee(n: u64) -> ProposalAction {
    ProposalAction::SetGatewaySettlementFee(zk(n))
}

fn season() -> ProposalAction {
    ProposalAction::FundStakingSeason {
        cap: zk(10_000_000),
        start: T0,
        expiry: T0 + 90 * DAY,
        reward_minter: Address::repeat_byte(0x4d),
    }
}

#[test]
fn defaults_match_the_current_deployment() {
    let c = GovernanceConfig::zk_nation(SC, GUARD);
    for kind in GovernorKind::ALL {
        let p = c.params(kind);
        assert_eq!((p.voting_delay, p.voting_period), (3 * DAY, 7 * DAY));
        assert_eq!(p.late_quorum_extension, 2 * DAY);
        assert_eq!(
            (p.proposal_threshold, p.quorum),
            (zk(21_000_000), zk(630_000_000))
        );
    }
    let launch = GovernorParams::at_launch();
    assert_eq!(
        (launch.voting_delay, launch.late_quorum_extension),
        (7 * DAY, 7 * DAY)
    );
    let u = c.upgrade;
    assert_eq!(
        (u.legal_veto_period, u.extended_legal_veto_period),
        (3 * DAY, 7 * DAY)
    );
    assert_eq!((u.wait_or_expire_period, u.upgrade_delay), (30 * DAY, DAY));
    // TPP: 3 + 7 days and a second; ZIP with the Security Council: + 1 + 3 + 1 days.
    let tpp = c.min_latency(GovernorKind::Token, UpgradeApproval::SecurityCouncil);
    assert_eq!(tpp, 10 * DAY + 1);
    let zip = c.min_latency(GovernorKind::Protocol, UpgradeApproval::SecurityCouncil);
    assert_eq!(zip, 15 * DAY + 1);
    let slow = c.min_latency(GovernorKind::Protocol, UpgradeApproval::Guardians);
    assert_eq!(slow, 45 * DAY + 1);
}

#[test]
fn lifecycle_timing_is_exact_at_the_boundaries() {
    let mut config = GovernanceConfig::zk_nation(SC, GUARD);
    config.token.timelock_delay = DAY;
    let mut w = World::with(config);
    let id = w.propose(GovernorKind::Token, vec![season()], T0);
    let start = T0 + 3 * DAY;
    let end = start + 7 * DAY;
    let p = w.gov.proposal(id).unwrap();
    assert_eq!((p.vote_start, p.vote_end, p.created), (start, end, T0));
    assert_eq!(w.state(id, start), S::Pending);
    w.rejects(
        E::WrongState {
            id,
            state: S::Pending,
            needed: "Active",
        },
        |g, t| g.cast_vote(t, id, Q, VoteType::For, start),
    );
    assert_eq!(w.state(id, start + 1), S::Active);
    w.vote(id, BIG, VoteType::For, start + 1);
    // Quorum at start + 1 sets an extension that ends before `end`: no change.
    assert_eq!(w.gov.proposal(id).map(|p| p.deadline()), Some(end));
    w.vote(id, Q, VoteType::Against, end);
    assert_eq!(w.state(id, end), S::Active);
    assert_eq!(w.state(id, end + 1), S::Succeeded);
    w.rejects(
        E::WrongState {
            id,
            state: S::Active,
            needed: "Succeeded",
        },
        |g, _| g.queue(id, end),
    );
    w.ok(|g, _| g.queue(id, end + 1));
    assert_eq!(w.state(id, end + 1), S::Queued);
    let eta = end + 1 + DAY;
    let early = E::WrongState {
        id,
        state: S::Queued,
        needed: "its timelock eta to pass",
    };
    w.rejects_exec(early, |g| g.execute(id, eta - 1));
    assert_eq!(
        w.gov.earliest_effect(id, UpgradeApproval::SecurityCouncil),
        Ok(eta)
    );
    assert_eq!(w.execute(id, eta), vec![season()]);
    assert_eq!(w.state(id, eta), S::Executed);
    let done = E::WrongState {
        id,
        state: S::Executed,
        needed: "Queued",
    };
    w.rejects_exec(done, |g| g.execute(id, eta));
    w.assert_replays();
}

#[test]
fn quorum_counts_for_votes_exactly_at_and_one_wei_below() {
    let mut w = World::new();
    let at_quorum = w.propose(GovernorKind::Token, vec![], T0);
    let below = w.propose(GovernorKind::Token, vec![], T0);
    let abstain = w.propose(GovernorKind::Token, vec![], T0);
    let tie = w.propose(GovernorKind::Token, vec![], T0);
    let voting = T0 + 3 * DAY + 1;
    w.vote(at_quorum, Q, VoteType::For, voting);
    w.vote(below, Q_LOW, VoteType::For, voting);
    // Abstain does not count towards quorum ("quorum=for").
    w.vote(abstain, Q_LOW, VoteType::For, voting);
    w.vote(abstain, BIG, VoteType::Abstain, voting);
    // Quorum but no majority: For must be strictly above Against.
    w.vote(tie, Q, VoteType::For, voting);
    let split = Ballot {
        against_votes: zk(630_000_000),
        ..Ballot::default()
    };
    w.ok(|g, t| g.cast_vote_fractional(t, tie, BIG, split, voting));
    let after = T0 + 10 * DAY + 1;
    assert_eq!(w.state(at_quorum, after), S::Succeeded);
    assert_eq!(w.state(below, after), S::Defeated);
    assert_eq!(w.state(abstain, after), S::Defeated);
    assert_eq!(w.state(tie, after), S::Defeated);
    // A defeated proposal can neither be queued nor executed.
    let defeated = E::WrongState {
        id: below,
        state: S::Defeated,
        needed: "Succeeded",
    };
    w.rejects(defeated, |g, _| g.queue(below, after));
    let defeated = E::WrongState {
        id: below,
        state: S::Defeated,
        needed: "Queued",
    };
    w.rejects_exec(defeated, |g| g.execute(below, after));
    w.assert_replays();
}

#[test]
fn the_proposal_threshold_reads_votes_one_second_back() {
    let mut w = World::new();
    w.ok(|g, t| g.propose(t, GovernorKind::GovOps, P, vec![], T0));
    let low = E::BelowThreshold {
        proposer: P_LOW,
        votes: zk(21_000_000) - one(),
        threshold: zk(21_000_000),
    };
    w.rejects(low, |g, t| {
        g.propose(t, GovernorKind::GovOps, P_LOW, vec![], T0)
    });
    // Votes delegated at this very second do not count yet.
    let fresh = Address::repeat_byte(0x77);
    w.token.transfer(BIG, fresh, zk(21_000_000), T0).unwrap();
    w.token.delegate(fresh, fresh, T0).unwrap();
    let not_yet = E::BelowThreshold {
        proposer: fresh,
        votes: U256::ZERO,
        threshold: zk(21_000_000),
    };
    w.rejects(not_yet, |g, t| {
        g.propose(t, GovernorKind::GovOps, fresh, vec![], T0)
    });
    w.ok(|g, t| g.propose(t, GovernorKind::GovOps, fresh, vec![], T0 + 1));
    assert_eq!(w.gov.next_proposal_id(), 2);
    w.assert_replays();
}

#[test]
fn late_quorum_extends_voting_once() {
    let mut w = World::new();
    let id = w.propose(GovernorKind::Protocol, vec![fee(1)], T0);
    let end = T0 + 10 * DAY;
    let late = end - 3_600;
    w.vote(id, Q_LOW, VoteType::For, late - 1);
    assert_eq!(w.gov.proposal(id).and_then(|p| p.extended_deadline), None);
    w.vote(id, P, VoteType::For, late);
    let extended = late + 2 * DAY;
    assert_eq!(w.gov.proposal(id).map(|p| p.deadline()), Some(extended));
    assert_eq!(w.state(id, end + 1), S::Active);
    // Later votes, even past the original end, do not extend again.
    w.vote(id, BIG, VoteType::Against, extended);
    assert_eq!(w.gov.proposal(id).map(|p| p.deadline()), Some(extended));
    assert_eq!(w.state(id, extended), S::Active);
    assert_eq!(w.state(id, extended + 1), S::Defeated);
    assert_eq!(
        w.gov.earliest_effect(id, UpgradeApproval::SecurityCouncil),
        Ok(extended + 5 * DAY + 1)
    );
    w.assert_replays();
}

#[test]
fn fractional_votes_split_and_accumulate_within_the_weight() {
    let mut w = World::new();
    let id = w.propose(GovernorKind::Token, vec![], T0);
    let at = T0 + 3 * DAY + 1;
    let part = Ballot {
        against_votes: zk(10_000_000),
        for_votes: zk(200_000_000),
        abstain_votes: zk(5_000_000),
    };
    w.ok(|g, t| g.cast_vote_fractional(t, id, Q, part, at));
    // A nominal vote after a partial one is refused.
    let nominal = E::ExceedsWeight {
        id,
        voter: Q,
        weight: zk(630_000_000),
        cast: zk(215_000_000),
        requested: zk(630_000_000),
    };
    w.rejects(nominal, |g, t| g.cast_vote(t, id, Q, VoteType::For, at));
    let too_much = Ballot {
        for_votes: zk(415_000_000) + one(),
        ..Ballot::default()
    };
    let over = E::ExceedsWeight {
        id,
        voter: Q,
        weight: zk(630_000_000),
        cast: zk(215_000_000),
        requested: zk(415_000_000) + one(),
    };
    w.rejects(over, |g, t| g.cast_vote_fractional(t, id, Q, too_much, at));
    let rest = Ballot {
        for_votes: zk(415_000_000),
        ..Ballot::default()
    };
    w.ok(|g, t| g.cast_vote_fractional(t, id, Q, rest, at + 5));
    let tally = w.gov.proposal(id).map(|p| p.tally);
    let want = Ballot {
        against_votes: zk(10_000_000),
        for_votes: zk(615_000_000),
        abstain_votes: zk(5_000_000),
    };
    assert_eq!(tally, Some(want));
    let all = E::AllWeightCast {
        id,
        voter: Q,
        weight: zk(630_000_000),
    };
    w.rejects(all, |g, t| g.cast_vote(t, id, Q, VoteType::For, at + 6));
    w.vote(id, P, VoteType::For, at + 7);
    let twice = E::AllWeightCast {
        id,
        voter: P,
        weight: zk(21_000_000),
    };
    w.rejects(twice, |g, t| {
        g.cast_vote(t, id, P, VoteType::Against, at + 7)
    });
    w.rejects(E::NoWeight { id, voter: NOBODY }, |g, t| {
        g.cast_vote(t, id, NOBODY, VoteType::For, at + 7)
    });
    // 615M + 21M For reaches the 630M quorum.
    assert_eq!(w.state(id, T0 + 10 * DAY + 1), S::Succeeded);
    w.assert_replays();
}

#[test]
fn votes_are_read_at_the_snapshot() {
    let mut w = World::new();
    let id = w.propose(GovernorKind::Token, vec![], T0);
    let snapshot = T0 + 3 * DAY;
    // Q moves its tokens at the snapshot second: its snapshot votes are already 0.
    w.token.transfer(Q, BIG, zk(630_000_000), snapshot).unwrap();
    w.rejects(E::NoWeight { id, voter: Q }, |g, t| {
        g.cast_vote(t, id, Q, VoteType::For, snapshot + 1)
    });
    w.vote(id, BIG, VoteType::For, snapshot + 1);
    assert_eq!(
        w.gov.proposal(id).map(|p| p.tally.for_votes),
        Some(zk(2_630_000_000))
    );
    w.assert_replays();
}

#[test]
fn guardians_veto_tpps_and_gaps_while_pending_or_active() {
    let mut w = World::new();
    let pending = w.propose(GovernorKind::Token, vec![season()], T0);
    let active = w.propose(GovernorKind::GovOps, vec![], T0);
    let passed = w.propose(GovernorKind::Token, vec![season()], T0);
    let zip = w.propose(GovernorKind::Protocol, vec![fee(1)], T0);
    let not_guard = E::Unauthorized {
        caller: P,
        role: "veto guardian",
    };
    w.rejects(not_guard, |g, _| g.veto(P, pending, T0));
    w.ok(|g, _| g.veto(GUARD, pending, T0 + 3 * DAY));
    let voting = T0 + 3 * DAY + 1;
    w.vote(passed, BIG, VoteType::For, voting);
    w.ok(|g, _| g.veto(GUARD, active, T0 + 10 * DAY));
    assert_eq!(w.state(pending, voting), S::Vetoed);
    assert_eq!(w.state(active, T0 + 10 * DAY), S::Vetoed);
    let after = T0 + 10 * DAY + 1;
    let late = E::WrongState {
        id: passed,
        state: S::Succeeded,
        needed: "Pending or Active",
    };
    w.rejects(late, |g, _| g.veto(GUARD, passed, after));
    let no_veto = E::NotSupported {
        id: zip,
        governor: GovernorKind::Protocol,
        what: "a guardian veto",
    };
    w.rejects(no_veto, |g, _| g.veto(GUARD, zip, after));
    let vetoed = E::WrongState {
        id: pending,
        state: S::Vetoed,
        needed: "Succeeded",
    };
    w.rejects(vetoed, |g, _| g.queue(pending, after));
    w.assert_replays();
}

#[test]
fn zip_proposers_cancel_only_while_pending() {
    let mut w = World::new();
    let zip = w.propose(GovernorKind::Protocol, vec![fee(1)], T0);
    let tpp = w.propose(GovernorKind::Token, vec![], T0);
    let stranger = E::Unauthorized {
        caller: BIG,
        role: "proposer",
    };
    w.rejects(stranger, |g, _| g.cancel(BIG, zip, T0));
    let too_late = E::WrongState {
        id: zip,
        state: S::Active,
        needed: "Pending",
    };
    w.rejects(too_late, |g, _| g.cancel(P, zip, T0 + 3 * DAY + 1));
    let no_cancel = E::NotSupported {
        id: tpp,
        governor: GovernorKind::Token,
        what: "cancel by the proposer",
    };
    w.rejects(no_cancel, |g, _| g.cancel(P, tpp, T0));
    w.ok(|g, _| g.cancel(P, zip, T0 + 3 * DAY));
    assert_eq!(w.state(zip, T0 + 30 * DAY), S::Canceled);
    w.assert_replays();
}

/// Proposes a ZIP at T0, passes it, queues and executes it on Era at the earliest second.
fn zip_on_l1(w: &mut World) -> (ProposalId, u64) {
    let id = w.propose(GovernorKind::Protocol, vec![fee(7)], T0);
    w.vote(id, BIG, VoteType::For, T0 + 3 * DAY + 1);
    let passed = T0 + 10 * DAY + 1;
    w.ok(|g, _| g.queue(id, passed));
    assert!(
        w.execute(id, passed).is_empty(),
        "a ZIP takes effect on L1 only"
    );
    (id, passed)
}

#[test]
fn zip_takes_the_l1_path_with_security_council_approval() {
    let mut w = World::new();
    let (id, sent) = zip_on_l1(&mut w);
    let created = sent + DAY;
    assert_eq!(w.state(id, created - 1), S::Upgrade(U::InFlight));
    assert_eq!(w.state(id, created), S::Upgrade(U::LegalVeto));
    let veto_end = created + 3 * DAY;
    assert_eq!(w.state(id, veto_end - 1), S::Upgrade(U::LegalVeto));
    let early = E::WrongState {
        id,
        state: S::Upgrade(U::LegalVeto),
        needed: "Waiting for approval",
    };
    w.rejects(early, |g, _| {
        g.approve_by_security_council(SC, id, veto_end - 1)
    });
    let not_sc = E::Unauthorized {
        caller: GUARD,
        role: "Security Council",
    };
    w.rejects(not_sc, |g, _| {
        g.approve_by_security_council(GUARD, id, veto_end)
    });
    assert_eq!(w.state(id, veto_end), S::Upgrade(U::Waiting));
    w.ok(|g, _| g.approve_by_security_council(SC, id, veto_end));
    let ready = veto_end + DAY;
    assert_eq!(w.state(id, ready - 1), S::Upgrade(U::ExecutionPending));
    let pending = E::WrongState {
        id,
        state: S::Upgrade(U::ExecutionPending),
        needed: "Ready on L1",
    };
    w.rejects_exec(pending, |g| g.execute_upgrade(id, ready - 1));
    assert_eq!(w.execute_upgrade(id, ready), vec![fee(7)]);
    assert_eq!(w.state(id, ready), S::Executed);
    let min = w
        .gov
        .config()
        .min_latency(GovernorKind::Protocol, UpgradeApproval::SecurityCouncil);
    assert_eq!(ready - T0, min);
    w.assert_replays();
}

#[test]
fn zip_without_the_security_council_waits_for_the_guardians() {
    let mut w = World::new();
    let (id, sent) = zip_on_l1(&mut w);
    let created = sent + DAY;
    // The Guardians extend the legal veto to 7 days, once.
    w.ok(|g, _| g.extend_legal_veto(GUARD, id, created));
    w.rejects(E::LegalVetoAlreadyExtended { id }, |g, _| {
        g.extend_legal_veto(GUARD, id, created)
    });
    let veto_end = created + 7 * DAY;
    assert_eq!(w.state(id, veto_end - 1), S::Upgrade(U::LegalVeto));
    w.ok(|g, _| g.approve_by_guardians(GUARD, id, veto_end));
    w.rejects(E::AlreadyApprovedByGuardians { id }, |g, _| {
        g.approve_by_guardians(GUARD, id, veto_end)
    });
    let wait_end = veto_end + 30 * DAY;
    assert_eq!(w.state(id, wait_end - 1), S::Upgrade(U::Waiting));
    assert_eq!(w.state(id, wait_end), S::Upgrade(U::ExecutionPending));
    let ready = wait_end + DAY;
    assert_eq!(w.state(id, ready), S::Upgrade(U::Ready));
    assert_eq!(w.execute_upgrade(id, ready), vec![fee(7)]);
    let min = w
        .gov
        .config()
        .min_latency(GovernorKind::Protocol, UpgradeApproval::Guardians);
    // The extension added 4 days to the minimum.
    assert_eq!(ready - T0, min + 4 * DAY);
    w.assert_replays();
}

#[test]
fn an_unapproved_zip_expires_and_never_takes_effect() {
    let mut w = World::new();
    let (id, sent) = zip_on_l1(&mut w);
    let expiry = sent + DAY + 3 * DAY + 30 * DAY;
    assert_eq!(w.state(id, expiry - 1), S::Upgrade(U::Waiting));
    assert_eq!(w.state(id, expiry), S::Expired);
    let expired = E::WrongState {
        id,
        state: S::Expired,
        needed: "Waiting for approval",
    };
    w.rejects(expired, |g, _| {
        g.approve_by_security_council(SC, id, expiry)
    });
    let expired = E::WrongState {
        id,
        state: S::Expired,
        needed: "Ready on L1",
    };
    w.rejects_exec(expired, |g| g.execute_upgrade(id, expiry));
    let tpp = w.propose(GovernorKind::Token, vec![], expiry);
    let no_l1 = E::NotSupported {
        id: tpp,
        governor: GovernorKind::Token,
        what: "the L1 upgrade path",
    };
    w.rejects(no_l1, |g, _| g.approve_by_guardians(GUARD, tpp, expiry));
    w.assert_replays();
}

#[test]
fn actions_belong_to_their_governor() {
    let mut w = World::new();
    let not_tpp = E::ActionNotAllowed {
        governor: GovernorKind::Token,
        action: "SetFixedInteropFee",
    };
    w.rejects(not_tpp, |g, t| {
        g.propose(
            t,
            GovernorKind::Token,
            P,
            vec![ProposalAction::SetFixedInteropFee(zk(5))],
            T0,
        )
    });
    let not_zip = E::ActionNotAllowed {
        governor: GovernorKind::Protocol,
        action: "FundStakingSeason",
    };
    w.rejects(not_zip, |g, t| {
        g.propose(t, GovernorKind::Protocol, P, vec![season()], T0)
    });
    let bad_split = ProposalAction::SetDistributors(vec![Distributor::new(Address::ZERO, 1)]);
    let invalid = E::InvalidAction {
        action: "SetDistributors",
        reason: "Splitter_InvalidAddress: a distributor is the zero address".into(),
    };
    w.rejects(invalid, |g, t| {
        g.propose(t, GovernorKind::Token, P, vec![bad_split], T0)
    });
    let shares =
        ProposalAction::SetDistributors(vec![Distributor::new(Address::repeat_byte(9), 1)]);
    // The Splitter's and Fee Flow's admin is the Token Governor's timelock: TPPs only.
    let not_gap = E::ActionNotAllowed {
        governor: GovernorKind::GovOps,
        action: "SetDistributors",
    };
    w.rejects(not_gap, |g, t| {
        g.propose(t, GovernorKind::GovOps, P, vec![shares.clone()], T0)
    });
    w.propose(
        GovernorKind::Token,
        vec![
            shares,
            ProposalAction::SetBurnPercentage(U256::from(5_000u16)),
        ],
        T0,
    );
    // ZkCappedMinterV2 accepts start == expiry but not start > expiry.
    let backwards = ProposalAction::FundStakingSeason {
        cap: zk(1),
        start: T0 + 1,
        expiry: T0,
        reward_minter: Q,
    };
    assert!(backwards.validate().is_err());
    let one_second = ProposalAction::FundStakingSeason {
        cap: zk(1),
        start: T0,
        expiry: T0,
        reward_minter: Q,
    };
    assert_eq!(one_second.validate(), Ok(()));
    assert!(ProposalAction::SetBurnPercentage(U256::from(10_001u16))
        .validate()
        .is_err());
    assert_eq!(
        ProposalAction::SetBidThreshold(zk(1)).governors(),
        &[GovernorKind::Token]
    );
    w.assert_replays();
}

#[test]
fn participation_counts_the_last_closed_proposals() {
    let mut w = World::new();
    // Six proposals a day apart; Q votes on the 1st, 2nd and 6th.
    let mut ids = Vec::new();
    for k in 0..6u64 {
        ids.push(w.propose(GovernorKind::GovOps, vec![], T0 + k * DAY));
    }
    for (k, id) in ids.iter().enumerate() {
        let opens = T0 + k as u64 * DAY + 3 * DAY + 1;
        if [0, 1, 5].contains(&k) {
            w.vote(*id, Q, VoteType::For, opens.max(w.gov.clock()));
        }
    }
    // A seventh, vetoed, proposal is ignored.
    let vetoed = w.propose(GovernorKind::GovOps, vec![], T0 + 8 * DAY + 1);
    w.ok(|g, _| g.veto(GUARD, vetoed, T0 + 8 * DAY + 1));
    // While all are still open nothing counts.
    assert_eq!(w.gov.participation(Q, 5, T0 + 9 * DAY), 0);
    let closed = T0 + 30 * DAY;
    // The last five closed are ids 1..=5: Q voted on ids 1 and 5, so it is eligible (2 of 5).
    assert_eq!(w.gov.participation(Q, 5, closed), 2);
    assert_eq!(w.gov.participation(Q, 2, closed), 1);
    assert_eq!(w.gov.participation(Q, 6, closed), 3);
    assert_eq!(w.gov.votes_of(Q), vec![ids[0], ids[1], ids[5]]);
    assert!(w.gov.voters().contains(&Q));
    w.assert_replays();
}

#[test]
fn rejected_calls_change_nothing_and_apply_checks_events() {
    let mut w = World::new();
    w.rejects(E::UnknownProposal { id: 4 }, |g, _| g.queue(4, T0));
    let back = E::ClockWentBackwards {
        at: T0 - 1,
        clock: T0,
    };
    w.rejects(back, |g, t| {
        g.propose(t, GovernorKind::Token, P, vec![], T0 - 1)
    });
    // With no voting delay the snapshot is the proposal's own second: still Pending then, so a
    // vote never reads the token's present (which the token would refuse as a future lookup).
    let mut config = GovernanceConfig::zk_nation(SC, GUARD);
    config.gov_ops.voting_delay = 0;
    let mut z = World::with(config);
    let id = z.propose(GovernorKind::GovOps, vec![], T0 + 10);
    assert_eq!(z.state(id, T0 + 10), S::Pending);
    z.rejects(
        E::WrongState {
            id,
            state: S::Pending,
            needed: "Active",
        },
        |g, t| g.cast_vote(t, id, Q, VoteType::For, T0 + 10),
    );
    let future = crate::token::TokenError::FutureLookup {
        timepoint: T0 + 10,
        now: T0 + 10,
    };
    assert_eq!(z.token.get_past_votes(Q, T0 + 10, T0 + 10), Err(future));
    z.vote(id, Q, VoteType::For, T0 + 11);
    let mut g = w.gov.clone();
    let bad = GovernanceEvent::ProposalCreated {
        id: 3,
        governor: GovernorKind::Token,
        proposer: P,
        actions: vec![],
        vote_start: T0,
        vote_end: T0,
        quorum: U256::ZERO,
        at: T0,
    };
    let mismatch = E::Mismatch {
        what: "proposal id is not the next id",
    };
    assert_eq!(g.apply(&bad), Err(mismatch));
    assert_eq!(
        g.apply(&GovernanceEvent::UpgradeExecuted { id: 0, at: T0 }),
        Err(E::UnknownProposal { id: 0 })
    );
    assert_eq!(g, w.gov);
    z.assert_replays();
}

#[test]
fn serde_round_trips_and_messages_name_values() {
    let mut w = World::new();
    let id = w.propose(GovernorKind::Protocol, vec![fee(3)], T0);
    w.vote(id, BIG, VoteType::For, T0 + 3 * DAY + 1);
    let json = serde_json::to_string(&w.gov).unwrap();
    assert_eq!(serde_json::from_str::<Governance>(&json).unwrap(), w.gov);
    let json = serde_json::to_string(&w.log).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<GovernanceEvent>>(&json).unwrap(),
        w.log
    );
    let e = E::WrongState {
        id: 2,
        state: S::Upgrade(U::Waiting),
        needed: "Ready on L1",
    };
    assert_eq!(
        e.to_string(),
        "proposal 2 is Upgrade(Waiting), needs Ready on L1"
    );
    let e = E::BelowThreshold {
        proposer: P,
        votes: U256::from(1u8),
        threshold: U256::from(2u8),
    };
    assert_eq!(
        e.to_string(),
        format!("{P} has 1 wei of votes, below the proposal threshold 2 wei")
    );
}

#[test]
fn a_passed_tpp_funds_a_season_and_votes_drive_staking_eligibility() {
    use crate::staking::{oracle_score, SeasonPlan, Staker, StakerConfig};
    use crate::token::MinterRole;
    let oracle = Address::repeat_byte(0x0c);
    let signer = Address::repeat_byte(0x4d);
    let mut w = World::new();
    let mut staker = Staker::new(StakerConfig::zk_staker(GUARD, oracle), T0);
    // Five GAPs: Q votes on two (ids 1 and 2), Q_LOW on one. With the TPP, ids 1..=5 are the
    // last five proposals once voting closes.
    let gaps: Vec<_> = (0..5)
        .map(|_| w.propose(GovernorKind::GovOps, vec![], T0))
        .collect();
    // A TPP funding a season passes and executes; the network applies its action.
    let plan = SeasonPlan {
        cap: zk(10_000_000),
        start: T0 + 20 * DAY,
        expiry: T0 + 110 * DAY,
    };
    let funding = ProposalAction::FundStakingSeason {
        cap: plan.cap,
        start: plan.start,
        expiry: plan.expiry,
        reward_minter: signer,
    };
    let tpp = w.propose(GovernorKind::Token, vec![funding], T0 + 1);
    let voting = T0 + 3 * DAY + 1;
    for id in &gaps[1..3] {
        w.vote(*id, Q, VoteType::For, voting);
    }
    w.vote(gaps[4], Q_LOW, VoteType::Against, voting);
    w.vote(tpp, BIG, VoteType::For, voting + 1);
    let passed = T0 + 10 * DAY + 2;
    w.ok(|g, _| g.queue(tpp, passed));
    for action in w.execute(tpp, passed) {
        if let ProposalAction::FundStakingSeason {
            cap,
            start,
            expiry,
            reward_minter,
        } = action
        {
            let plan = SeasonPlan { cap, start, expiry };
            staker
                .fund_season(&mut w.token, ADMIN, plan, reward_minter, passed)
                .unwrap();
        }
    }
    assert_eq!(staker.season(0).map(|s| s.cap), Some(zk(10_000_000)));
    let minter = w.token.minter(Staker::season_minter(0)).cloned().unwrap();
    assert_eq!(minter.holders(MinterRole::Minter), vec![signer]);
    // The oracle posts a binary score: 1 for a voter on at least 2 of the last 5 proposals.
    let rule = staker.oracle().params;
    let scores: Vec<_> = w
        .gov
        .voters()
        .into_iter()
        .map(|d| {
            let votes = w.gov.participation(d, rule.window, passed);
            (d, oracle_score(votes, rule.min_votes))
        })
        .collect();
    staker
        .update_delegatee_scores(oracle, &scores, passed)
        .unwrap();
    assert!(staker.oracle().is_eligible(Q));
    assert_eq!(staker.oracle().score(Q), 1);
    assert!(!staker.oracle().is_eligible(Q_LOW));
    // BIG voted only on the TPP, which is among the last five closed: one vote is not enough.
    assert_eq!(staker.oracle().score(BIG), 0);
    w.assert_replays();
}
