//! The three ZK Nation governors' settings, the L1 protocol-upgrade path's delays, and the
//! end-to-end latency they imply.
//!
//! Current values and their history (every value is a parameter; sources per field):
//!
//! | setting | ZIP (Protocol) | TPP (Token) | GAP (GovOps) |
//! |---|---|---|---|
//! | proposal threshold | 21M ZK | 21M ZK | 21M ZK |
//! | quorum (For votes) | 630M ZK | 630M ZK | 630M ZK |
//! | voting delay | 3 d (7 d until ZIP-5, May 2025) | 3 d (7 d until TPP-14, Nov 2025) | 3 d (7 d until GAP-4, Nov 2025) |
//! | voting period | 7 d | 7 d | 7 d |
//! | late-quorum extension | 2 d (7 d until ZIP-5) | 2 d (7 d until TPP-14) | 2 d (7 d until GAP-4) |
//! | timelock | 0 | 0 (see below) | 0 (see below) |
//! | veto | none on Era; L1 legal veto | Guardians (pending/active) | Guardians (pending/active) |
//!
//! ZIPs then go to Ethereum: ProtocolUpgradeHandler's 3-day legal veto (7 if Guardians extend
//! it), then Security Council approval (ready 1 day later) or Guardian approval (ready 30 + 1
//! days after the veto period), else the upgrade expires 30 days after the veto period.
//!
//! Where each row comes from: the contracts (zk-governance@58df93f) fix the mechanisms and the
//! L1 delays, but not the governors' numbers — their deploy scripts
//! (`l2-contracts/script/DeployZk{Protocol,Token,GovOps}Governor.ts`) hold 15-minute test values.
//! The numbers come from documents: docs.zknation.io "Schedule 1: Standard Governance
//! Procedures" (launch delays and periods, the 0.1% threshold), "ZKsync Proposal Guidelines"
//! (21M ZK threshold and 630M ZK For-vote quorum, stated for every proposal type), ZIP-5, TPP-14
//! and GAP-4 (the shortened delays and extensions). No per-governor on-chain reading was
//! available here; that all three share one threshold and one quorum is what those documents
//! say, and SOURCES.md marks it to confirm against the governors' on-chain settings.

use crate::units::tokens;
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// Seconds in a day.
pub const DAY: u64 = 86_400;

/// Which governor (and so which proposal type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum GovernorKind {
    /// ZkProtocolGovernor: ZKsync Improvement Proposals (protocol upgrades), executed on L1
    /// through the ProtocolUpgradeHandler.
    Protocol,
    /// ZkTokenGovernor: Token Program Proposals (capped minters, token mechanics).
    Token,
    /// ZkGovOpsGovernor: Governance Advisory Proposals (governance procedures and operations).
    GovOps,
}

impl GovernorKind {
    /// All three governors.
    pub const ALL: [GovernorKind; 3] = [Self::Protocol, Self::Token, Self::GovOps];

    /// The proposal type's acronym.
    pub fn proposal_type(self) -> &'static str {
        match self {
            Self::Protocol => "ZIP",
            Self::Token => "TPP",
            Self::GovOps => "GAP",
        }
    }

    /// ZkTokenGovernor and ZkGovOpsGovernor inherit `GovernorGuardianVeto`; ZkProtocolGovernor
    /// does not (zk-governance@58df93f:l2-contracts/src/ZkTokenGovernor.sol,
    /// zk-governance@58df93f:l2-contracts/src/ZkGovOpsGovernor.sol,
    /// zk-governance@58df93f:l2-contracts/src/ZkProtocolGovernor.sol).
    pub fn has_veto_guardian(self) -> bool {
        self != Self::Protocol
    }

    /// Only ZIPs continue to the L1 ProtocolUpgradeHandler, which accepts messages from the
    /// Protocol Governor alone (`startUpgrade` proves a message whose sender is
    /// `L2_PROTOCOL_GOVERNOR`, zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol).
    pub fn goes_through_l1(self) -> bool {
        self == Self::Protocol
    }
}

/// One governor's settings (OpenZeppelin 4.x `GovernorSettings`, `GovernorPreventLateQuorum`,
/// `GovernorTimelockControl` with its `TimelockController`, and
/// zk-governance@58df93f:l2-contracts/src/extensions/GovernorSettableFixedQuorum.sol), as the
/// three governors in zk-governance@58df93f:l2-contracts/src/ compose them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovernorParams {
    /// `votingDelay`, seconds from proposal to the vote-start snapshot.
    pub voting_delay: u64,
    /// `votingPeriod`, seconds of voting after the snapshot.
    pub voting_period: u64,
    /// `proposalThreshold`: votes (at the previous second) a proposer needs, wei.
    pub proposal_threshold: U256,
    /// `quorum`: a fixed amount of For votes, wei (not a fraction of supply:
    /// `GovernorSettableFixedQuorum`, counted as "quorum=for" by `GovernorCountingFractional`,
    /// zk-governance@58df93f:l2-contracts/src/lib/GovernorCountingFractional.sol).
    pub quorum: U256,
    /// `lateQuorumVoteExtension`: voting stays open at least this long after quorum is reached.
    pub late_quorum_extension: u64,
    /// The timelock's `getMinDelay`, seconds between queue and execution.
    pub timelock_delay: u64,
}

/// 0.1% of the 21B ZK that may ever exist: docs.zknation.io "Schedule 1: Standard Governance
/// Procedures" §3.2.1 for the Protocol Governor; docs.zknation.io "ZKsync Proposal Guidelines"
/// give the same 0.1% / 21M ZK threshold for every proposal. Not read from the governors'
/// on-chain settings (to confirm per governor).
pub fn default_proposal_threshold() -> U256 {
    tokens(21_000_000)
}

/// 3% of 21B ZK in For votes: docs.zknation.io "ZKsync Proposal Guidelines" (a quorum of 3%, 630
/// million ZK, of voting power in support); the TEST-TPP veto rehearsal (June 2025) shows
/// 68.63M For + 561.37M "votes to quorum" = 630M, abstain not counted. Not read from the
/// governors' on-chain settings (to confirm per governor).
pub fn default_quorum() -> U256 {
    tokens(630_000_000)
}

impl GovernorParams {
    /// Settings shared by the three governors today. Voting delay 3 days and late-quorum
    /// extension 2 days: ZIP-5 (May 2025) for the Protocol Governor, TPP-14 and GAP-4 (Nov 2025)
    /// for the Token and GovOps Governors. Voting period 7 days: docs.zknation.io "Schedule 1:
    /// Standard Governance Procedures", and the forum post "Understanding the Voting Extension"
    /// ("the original 7 day voting period" for ZIPs, TPPs and GAPs). Timelock 0: the only
    /// on-record value found is the `minDelay` 0 that the deploy scripts pass to each governor's
    /// `TimelockController` (zk-governance@58df93f:l2-contracts/script/DeployZkProtocolGovernor.ts,
    /// zk-governance@58df93f:l2-contracts/script/DeployZkTokenGovernor.ts,
    /// zk-governance@58df93f:l2-contracts/script/DeployZkGovOpsGovernor.ts — scripts whose other
    /// values are test values); ZIP delays live on L1. Model choice for all three, to confirm
    /// on-chain (`getMinDelay`): the forum mentions a "timelock period" during which Guardians
    /// may still act.
    pub fn current() -> Self {
        Self {
            voting_delay: 3 * DAY,
            voting_period: 7 * DAY,
            proposal_threshold: default_proposal_threshold(),
            quorum: default_quorum(),
            late_quorum_extension: 2 * DAY,
            timelock_delay: 0,
        }
    }

    /// The launch settings (September 2024, docs.zknation.io "Schedule 1: Standard Governance
    /// Procedures" §3.3: a seven-day vote delay): 7-day voting delay and 7-day late-quorum
    /// extension, before ZIP-5, TPP-14 and GAP-4 shortened them.
    pub fn at_launch() -> Self {
        Self {
            voting_delay: 7 * DAY,
            late_quorum_extension: 7 * DAY,
            ..Self::current()
        }
    }
}

/// The L1 path of a ZIP (zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol, whose
/// `upgradeState` the model's [`super::proposal::UpgradeStatus::state`] follows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeParams {
    /// From execution on Era to `startUpgrade` on L1: the batch holding the L2→L1 message must
    /// be executed on Ethereum first. Model choice: 1 day, a round upper figure for Era's
    /// commit-prove-execute latency (not a governance parameter; scenarios vary it).
    pub l1_delivery_delay: u64,
    /// `STANDARD_LEGAL_VETO_PERIOD()` = 3 days (ProtocolUpgradeHandler.sol).
    pub legal_veto_period: u64,
    /// `EXTENDED_LEGAL_VETO_PERIOD` = 7 days, when the Guardians extend it (`extendLegalVeto`,
    /// once, during the legal veto period; ProtocolUpgradeHandler.sol).
    pub extended_legal_veto_period: u64,
    /// `UPGRADE_WAIT_OR_EXPIRE_PERIOD` = 30 days: without Security Council approval the upgrade
    /// expires this long after the veto period unless the Guardians approved, in which case it
    /// waits this long (ProtocolUpgradeHandler.sol).
    pub wait_or_expire_period: u64,
    /// `UPGRADE_DELAY_PERIOD()` = 1 day between approval and execution (ProtocolUpgradeHandler.sol).
    pub upgrade_delay: u64,
}

impl Default for UpgradeParams {
    fn default() -> Self {
        Self {
            l1_delivery_delay: DAY,
            legal_veto_period: 3 * DAY,
            extended_legal_veto_period: 7 * DAY,
            wait_or_expire_period: 30 * DAY,
            upgrade_delay: DAY,
        }
    }
}

/// Who approves a ZIP on L1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpgradeApproval {
    /// `approveUpgradeSecurityCouncil` (only while `Waiting`): ready one upgrade delay after the
    /// approval.
    SecurityCouncil,
    /// `approveUpgradeGuardians` (once, only while `Waiting`): ready one upgrade delay after the
    /// 30-day wait.
    Guardians,
}

/// The whole governance configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovernanceConfig {
    /// ZkProtocolGovernor (ZIPs).
    pub protocol: GovernorParams,
    /// ZkTokenGovernor (TPPs).
    pub token: GovernorParams,
    /// ZkGovOpsGovernor (GAPs).
    pub gov_ops: GovernorParams,
    /// The ZIP's L1 path.
    pub upgrade: UpgradeParams,
    /// The Security Council multisig (approves ZIPs on L1).
    pub security_council: Address,
    /// The Guardians multisig: `VETO_GUARDIAN` of the Token and GovOps Governors (ZIP-5
    /// redeployed them to point at the new Guardians) and the Guardians of the L1 path.
    pub guardians: Address,
}

impl GovernanceConfig {
    /// Today's ZK Nation settings with the given multisigs.
    pub fn zk_nation(security_council: Address, guardians: Address) -> Self {
        Self {
            protocol: GovernorParams::current(),
            token: GovernorParams::current(),
            gov_ops: GovernorParams::current(),
            upgrade: UpgradeParams::default(),
            security_council,
            guardians,
        }
    }

    /// One governor's settings.
    pub fn params(&self, kind: GovernorKind) -> &GovernorParams {
        match kind {
            GovernorKind::Protocol => &self.protocol,
            GovernorKind::Token => &self.token,
            GovernorKind::GovOps => &self.gov_ops,
        }
    }

    /// Seconds from a proposal's voting end (deadline) to the earliest moment its actions can
    /// take effect: queue one second after the deadline, wait the timelock, and for a ZIP the
    /// L1 path with the given approval (the standard legal veto period, approval at its end).
    pub fn after_deadline(&self, kind: GovernorKind, approval: UpgradeApproval) -> u64 {
        let mut t = 1u64.saturating_add(self.params(kind).timelock_delay);
        if kind.goes_through_l1() {
            let u = &self.upgrade;
            t = t
                .saturating_add(u.l1_delivery_delay)
                .saturating_add(u.legal_veto_period)
                .saturating_add(u.upgrade_delay);
            if approval == UpgradeApproval::Guardians {
                t = t.saturating_add(u.wait_or_expire_period);
            }
        }
        t
    }

    /// End-to-end minimum latency from `propose` to effect, with no late-quorum extension:
    /// voting delay + voting period + [`Self::after_deadline`].
    pub fn min_latency(&self, kind: GovernorKind, approval: UpgradeApproval) -> u64 {
        let p = self.params(kind);
        p.voting_delay
            .saturating_add(p.voting_period)
            .saturating_add(self.after_deadline(kind, approval))
    }
}
