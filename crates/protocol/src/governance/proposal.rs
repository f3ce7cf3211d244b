//! Proposals: typed actions, which governor may carry them, vote tallies and the lifecycle.

use super::params::{GovernorKind, UpgradeParams};
use alloy_primitives::{Address, U256};
use imbl::OrdMap;
use serde::{Deserialize, Serialize};

/// Proposal ids increase from 0 across all three governors, in creation order (model choice:
/// the real ids are hashes; a global order is what "the last 5 proposals" needs).
pub type ProposalId = u64;

/// What a passed proposal does. The governance module only carries and releases them; the
/// network, which owns the fee parameters and the staker, applies them.
///
/// Which governor may carry which (see [`ProposalAction::governors`]):
/// - protocol contract parameters are protocol upgrades → ZIP only: the fixed interop fee (a
///   constant of InteropCenter's code) and the Gateway settlement fee (GWAssetTracker);
/// - Fee Flow and Splitter settings → TPP only: both contracts' admin is the Token Governor's
///   timelock (zk-token-fee-flow@69e8d9a:script/EraFeeFlowDeploy.sol), which only a TPP
///   acts through (their emergency admin may also set them directly, without a proposal);
/// - funding staking seasons (capped minters and the token's MINTER_ROLE) → TPP, since Token
///   Program Proposals are what grant minting rights (docs.zknation.io "TPP FAQ"; TPP-12
///   itself). The staker's own settings are not governance's: its admin, the calculator's
///   owner and the pause guardian are a Tally-operated safe
///   (withtally/zkstaker@bff26f8:script/DeployZkStaker.ts), see `Action::SetStakerParam`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProposalAction {
    /// Set the fixed ZK interop fee per call, wei.
    SetFixedInteropFee(U256),
    /// Set `gatewaySettlementFee`, ZK wei per chargeable call.
    SetGatewaySettlementFee(U256),
    /// Fee Flow `setBidThreshold`, ZK wei.
    SetBidThreshold(U256),
    /// Fee Flow `setDestination`.
    SetFeeFlowDestination(Address),
    /// Fee Flow `setClaimPaused`.
    SetClaimPaused(bool),
    /// Fee Flow `setClaimableToken`.
    SetClaimableToken {
        /// The token.
        token: crate::chain::AssetId,
        /// On the whitelist or not.
        claimable: bool,
    },
    /// Splitter `setBurnPercentage`, bps.
    SetBurnPercentage(U256),
    /// Splitter `setDistributors`.
    SetDistributors(Vec<crate::fee_flow::Distributor>),
    /// Fund a staking season: deploy a capped minter (admin: the timelock), grant it the
    /// token's MINTER_ROLE, and grant its MINTER_ROLE to `reward_minter`.
    FundStakingSeason {
        /// Cap, wei.
        cap: U256,
        /// `START_TIME` (not in the past at execution).
        start: u64,
        /// `EXPIRATION_TIME`, inclusive.
        expiry: u64,
        /// Who may mint through the season's minter (on mainnet the reward script's signer,
        /// through a ZkMinterDelayV1).
        reward_minter: Address,
    },
    /// End Stage 1 priority mode on a chain: the chain type manager's
    /// `deactivatePriorityMode(chainId)`, whose owner is ZK governance on L1
    /// (era-contracts@4859b6f:l1-contracts/contracts/state-transition/ChainTypeManagerBase.sol).
    DeactivatePriorityMode {
        /// The chain.
        chain: crate::ChainId,
    },
    /// Choose the transaction filterer a chain installs when armed (zero: none), through the
    /// chain type manager (`setPriorityModeTransactionFilterer`,
    /// era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-deps/facets/Admin.sol).
    SetPriorityModeTransactionFilterer {
        /// The chain.
        chain: crate::ChainId,
        /// The filterer's address.
        filterer: Address,
    },
}

impl ProposalAction {
    /// The governors allowed to carry this action.
    pub fn governors(&self) -> &'static [GovernorKind] {
        use GovernorKind::*;
        match self {
            Self::SetFixedInteropFee(_) | Self::SetGatewaySettlementFee(_) => &[Protocol],
            Self::SetBidThreshold(_)
            | Self::SetFeeFlowDestination(_)
            | Self::SetClaimPaused(_)
            | Self::SetClaimableToken { .. }
            | Self::SetBurnPercentage(_)
            | Self::SetDistributors(_) => &[Token],
            Self::FundStakingSeason { .. } => &[Token],
            // The chain type manager is owned by the L1 governance a ZIP reaches.
            Self::DeactivatePriorityMode { .. }
            | Self::SetPriorityModeTransactionFilterer { .. } => &[Protocol],
        }
    }

    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SetFixedInteropFee(_) => "SetFixedInteropFee",
            Self::SetGatewaySettlementFee(_) => "SetGatewaySettlementFee",
            Self::SetBidThreshold(_) => "SetBidThreshold",
            Self::SetFeeFlowDestination(_) => "SetFeeFlowDestination",
            Self::SetClaimPaused(_) => "SetClaimPaused",
            Self::SetClaimableToken { .. } => "SetClaimableToken",
            Self::SetBurnPercentage(_) => "SetBurnPercentage",
            Self::SetDistributors(_) => "SetDistributors",
            Self::FundStakingSeason { .. } => "FundStakingSeason",
            Self::DeactivatePriorityMode { .. } => "DeactivatePriorityMode",
            Self::SetPriorityModeTransactionFilterer { .. } => "SetPriorityModeTransactionFilterer",
        }
    }

    /// Rejects actions that could never apply (model choice: a real proposal is arbitrary
    /// calldata that would simply revert at execution; refusing it at `propose` keeps failed
    /// executions out of the model). The network still validates when it applies them.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            // The Splitter's state-free rules, from its own checks (whether a burn share below
            // 100% has distributors to go to depends on the state at execution).
            Self::SetBurnPercentage(bps) if *bps > U256::from(crate::fee_flow::BPS) => {
                Err(format!("burn percentage {bps} bps exceeds 10000"))
            }
            Self::SetDistributors(list) => crate::fee_flow::Shares::default()
                .with_distributors(list)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Self::SetFeeFlowDestination(d) if d.is_zero() => {
                Err("Fee Flow's destination cannot be the zero address".into())
            }
            // ZkCappedMinterV2__InvalidTime refuses start > expiry (equal is allowed); a zero cap
            // is allowed by the contract but funds nothing, so the model refuses it here.
            Self::FundStakingSeason {
                cap, start, expiry, ..
            } if cap.is_zero() || start > expiry => Err(format!(
                "staking season needs a non-zero cap and start <= expiry (cap {cap}, {start}..={expiry})"
            )),
            _ => Ok(()),
        }
    }
}

/// Bravo vote types (`GovernorCompatibilityBravo.VoteType`, the `support` values
/// `GovernorCountingFractional._countVoteNominal` accepts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteType {
    /// 0.
    Against,
    /// 1.
    For,
    /// 2.
    Abstain,
}

/// Vote weights for the three options (`GovernorCountingFractional.ProposalVote`,
/// zk-governance@58df93f:l2-contracts/src/lib/GovernorCountingFractional.sol), wei. The contract
/// stores each as `uint128`; the model keeps `U256` (ZK's 21B × 10^18 fits either).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    /// Against.
    pub against_votes: U256,
    /// For.
    pub for_votes: U256,
    /// Abstain.
    pub abstain_votes: U256,
}

impl Ballot {
    /// All of `weight` on one option (a nominal vote).
    pub fn nominal(support: VoteType, weight: U256) -> Self {
        let mut b = Self::default();
        match support {
            VoteType::Against => b.against_votes = weight,
            VoteType::For => b.for_votes = weight,
            VoteType::Abstain => b.abstain_votes = weight,
        }
        b
    }

    /// The weight this ballot uses; `None` on overflow.
    pub fn total(&self) -> Option<U256> {
        self.against_votes
            .checked_add(self.for_votes)?
            .checked_add(self.abstain_votes)
    }

    /// Adds another ballot option by option; `None` on overflow.
    pub fn plus(&self, other: &Ballot) -> Option<Ballot> {
        Some(Ballot {
            against_votes: self.against_votes.checked_add(other.against_votes)?,
            for_votes: self.for_votes.checked_add(other.for_votes)?,
            abstain_votes: self.abstain_votes.checked_add(other.abstain_votes)?,
        })
    }
}

/// Where a ZIP stands on L1 (`ProtocolUpgradeHandler.UpgradeState`,
/// zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol, plus the message's trip;
/// `Expired` and `Done` are [`ProposalState::Expired`] and [`ProposalState::Executed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpgradeState {
    /// Executed on Era; the L2→L1 message is not yet provable on Ethereum.
    InFlight,
    /// `LegalVetoPeriod`: Guardians may veto off-chain or extend the period.
    LegalVeto,
    /// `Waiting` for Security Council or Guardian approval.
    Waiting,
    /// `ExecutionPending`: approved, in the upgrade delay.
    ExecutionPending,
    /// `Ready` to execute.
    Ready,
}

/// The lifecycle (OpenZeppelin 4.x `IGovernor.ProposalState`, with `Vetoed` split from `Canceled`
/// and the ZIP's L1 stages). OpenZeppelin's `Expired` (the grace period of a Compound-style
/// timelock) does not arise with `GovernorTimelockControl`; the model's `Expired` is the L1 one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProposalState {
    /// Until the vote-start snapshot (inclusive).
    Pending,
    /// Voting: after the snapshot, up to the (possibly extended) deadline inclusive.
    Active,
    /// Canceled by its proposer while pending (ZkProtocolGovernor).
    Canceled,
    /// Canceled by the veto guardian while pending or active (ZkTokenGovernor,
    /// ZkGovOpsGovernor); the contract reports `Canceled`, the model keeps the distinction.
    Vetoed,
    /// Voting ended without For ≥ quorum and For > Against.
    Defeated,
    /// Passed, not yet queued.
    Succeeded,
    /// In the timelock.
    Queued,
    /// A ZIP executed on Era, on its way through the L1 ProtocolUpgradeHandler.
    Upgrade(UpgradeState),
    /// A ZIP not approved on L1 within the wait-or-expire period.
    Expired,
    /// Its actions took effect.
    Executed,
}

/// A ZIP's status on L1 (`ProtocolUpgradeHandler.UpgradeStatus`,
/// zk-governance@58df93f:l1-contracts/src/ProtocolUpgradeHandler.sol).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpgradeStatus {
    /// `creationTimestamp`: when `startUpgrade` ran (Era execution + delivery delay).
    pub created: u64,
    /// `guardiansExtendedLegalVeto`.
    pub extended_legal_veto: bool,
    /// `securityCouncilApprovalTimestamp`.
    pub security_council_approved_at: Option<u64>,
    /// `guardiansApproval`.
    pub guardians_approved: bool,
    /// `executed`.
    pub executed: bool,
}

impl UpgradeStatus {
    /// `upgradeState` at `now` (the same order of checks as ProtocolUpgradeHandler's: done,
    /// legal veto, Security Council approval, wait-or-expire, Guardian approval); `None` once
    /// expired.
    pub fn state(&self, now: u64, p: &UpgradeParams) -> Option<UpgradeState> {
        if self.executed {
            return Some(UpgradeState::Ready);
        }
        if now < self.created {
            return Some(UpgradeState::InFlight);
        }
        let legal = if self.extended_legal_veto {
            p.extended_legal_veto_period
        } else {
            p.legal_veto_period
        };
        let veto_end = self.created.saturating_add(legal);
        if now < veto_end {
            return Some(UpgradeState::LegalVeto);
        }
        if let Some(approved) = self.security_council_approved_at {
            return Some(if now >= approved.saturating_add(p.upgrade_delay) {
                UpgradeState::Ready
            } else {
                UpgradeState::ExecutionPending
            });
        }
        let wait_end = veto_end.saturating_add(p.wait_or_expire_period);
        if now >= wait_end {
            if !self.guardians_approved {
                return None;
            }
            return Some(if now >= wait_end.saturating_add(p.upgrade_delay) {
                UpgradeState::Ready
            } else {
                UpgradeState::ExecutionPending
            });
        }
        Some(UpgradeState::Waiting)
    }
}

/// One proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Id (global creation order).
    pub id: ProposalId,
    /// Governor it was submitted to.
    pub governor: GovernorKind,
    /// Proposer.
    pub proposer: Address,
    /// Actions released on execution.
    pub actions: Vec<ProposalAction>,
    /// Submission time.
    pub created: u64,
    /// `proposalSnapshot` (vote start): votes are read at this time.
    pub vote_start: u64,
    /// Deadline before any late-quorum extension.
    pub vote_end: u64,
    /// Quorum in force for it (fixed at submission; see the module docs).
    pub quorum: U256,
    /// `_extendedDeadlines`: set by the first vote that reaches quorum.
    pub extended_deadline: Option<u64>,
    /// Vote totals.
    pub tally: Ballot,
    /// Weight each voter has cast so far (`voteWeightCast`).
    pub voters: OrdMap<Address, U256>,
    /// Canceled by its proposer.
    pub canceled: bool,
    /// Vetoed by the guardian.
    pub vetoed: bool,
    /// Timelock eta, once queued.
    pub eta: Option<u64>,
    /// When it was executed on Era.
    pub executed_at: Option<u64>,
    /// A ZIP's L1 status, once executed on Era.
    pub upgrade: Option<UpgradeStatus>,
}

impl Proposal {
    /// `proposalDeadline`: the later of the original and the extended deadline.
    pub fn deadline(&self) -> u64 {
        self.vote_end.max(self.extended_deadline.unwrap_or(0))
    }

    /// `_quorumReached`: For votes only ("quorum=for"), `quorum <= forVotes`
    /// (GovernorCountingFractional.sol).
    pub fn quorum_reached(&self) -> bool {
        self.tally.for_votes >= self.quorum
    }

    /// `_voteSucceeded`: strictly more For than Against (GovernorCountingFractional.sol).
    pub fn vote_succeeded(&self) -> bool {
        self.tally.for_votes > self.tally.against_votes
    }

    /// `hasVoted`: some weight cast (GovernorCountingFractional.sol).
    pub fn has_voted(&self, voter: Address) -> bool {
        self.voters.get(&voter).is_some_and(|w| !w.is_zero())
    }

    /// `state(proposalId)` at `now` (OpenZeppelin 4.9 Governor + GovernorTimelockControl, and the
    /// ProtocolUpgradeHandler for ZIPs).
    pub fn state(&self, now: u64, upgrade: &UpgradeParams) -> ProposalState {
        let done = match self.upgrade {
            Some(u) => u.executed,
            None => self.executed_at.is_some(),
        };
        if done {
            return ProposalState::Executed;
        }
        if self.vetoed {
            return ProposalState::Vetoed;
        }
        if self.canceled {
            return ProposalState::Canceled;
        }
        if now <= self.vote_start {
            return ProposalState::Pending;
        }
        if now <= self.deadline() {
            return ProposalState::Active;
        }
        if !(self.quorum_reached() && self.vote_succeeded()) {
            return ProposalState::Defeated;
        }
        if let Some(u) = self.upgrade {
            return u
                .state(now, upgrade)
                .map_or(ProposalState::Expired, ProposalState::Upgrade);
        }
        if self.eta.is_some() {
            return ProposalState::Queued;
        }
        ProposalState::Succeeded
    }
}
