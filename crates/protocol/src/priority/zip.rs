//! The fastest path of a ZIP through governance, as a timeline of ordinary actions: propose,
//! one For vote just after the snapshot, queue after the deadline, execute on Era, Security
//! Council approval as soon as the legal veto period ends, execution on L1 once ready. The
//! demo, the tests and the simulator's event fidelity deactivate priority mode through it; the
//! flow fidelity needs only its last time, which is `GovernanceConfig::min_latency` after the
//! proposal.

use crate::governance::{
    GovernanceConfig, GovernorKind, ProposalAction, UpgradeApproval, VoteType,
};
use crate::network::Action;
use alloy_primitives::Address;

/// Who takes part: the proposer votes For with enough weight to pass alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipActors {
    /// Proposer and voter (needs the threshold at `proposed_at − 1` and the quorum at the
    /// snapshot).
    pub proposer: Address,
    /// The Security Council that approves on L1.
    pub security_council: Address,
}

/// The ZIP `id` carrying `actions`, proposed at `proposed_at`: each step with the second it
/// becomes possible, in order. The last step's time is when the actions take effect.
pub fn zip_timeline(
    config: &GovernanceConfig,
    actors: ZipActors,
    id: u64,
    actions: Vec<ProposalAction>,
    proposed_at: u64,
) -> Vec<(u64, Action)> {
    let p = config.params(GovernorKind::Protocol);
    let u = &config.upgrade;
    let vote_start = proposed_at.saturating_add(p.voting_delay);
    let vote_at = vote_start.saturating_add(1);
    // GovernorPreventLateQuorum: the vote reaching quorum may push the deadline out.
    let deadline = vote_start
        .saturating_add(p.voting_period)
        .max(vote_at.saturating_add(p.late_quorum_extension));
    let queue_at = deadline.saturating_add(1);
    let execute_at = queue_at.saturating_add(p.timelock_delay);
    let approve_at = execute_at
        .saturating_add(u.l1_delivery_delay)
        .saturating_add(u.legal_veto_period);
    let upgrade_at = approve_at.saturating_add(u.upgrade_delay);
    vec![
        (
            proposed_at,
            Action::Propose {
                governor: GovernorKind::Protocol,
                proposer: actors.proposer,
                actions,
            },
        ),
        (
            vote_at,
            Action::CastVote {
                id,
                voter: actors.proposer,
                support: VoteType::For,
            },
        ),
        (queue_at, Action::QueueProposal { id }),
        (execute_at, Action::ExecuteProposal { id }),
        (
            approve_at,
            Action::ApproveUpgrade {
                caller: actors.security_council,
                id,
                by: UpgradeApproval::SecurityCouncil,
            },
        ),
        (upgrade_at, Action::ExecuteUpgrade { id }),
    ]
}
