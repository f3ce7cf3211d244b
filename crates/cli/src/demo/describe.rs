//! Prose for the staking, governance and vote-delegation events: amounts in ZK (grouped, not
//! wei), moments as UTC dates and lengths as days or hours (not unix seconds), accounts by
//! their devnet names — what people read, where the event's derived Debug form showed raw
//! structs.

use super::Walk;
use crate::fmt::zk_exact;
use alloy_primitives::U256;
use flywheel_protocol::governance::{GovernanceEvent, GovernorKind, ProposalAction};
use flywheel_protocol::staking::StakingEvent;
use flywheel_protocol::token::TokenEvent;

const DAY: u64 = 86_400;

/// `2026-05-28 18:13 UTC` for a unix time (civil-from-days, proleptic Gregorian).
pub fn date(t: u64) -> String {
    format!(
        "{} UTC",
        crate::fmt::utc_minute(i64::try_from(t).unwrap_or(i64::MAX))
    )
}

/// A length of time for people: `90 days`, `2 days 1 h`, `5 min`, `1 s`.
pub fn span(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / DAY,
        seconds % DAY / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} day{}", if d == 1 { "" } else { "s" }));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 && d == 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 && d == 0 && h == 0 {
        parts.push(format!("{s} s"));
    }
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

/// `1,000 ZK` (exact, grouped).
fn zk(wei: U256) -> String {
    format!("{} ZK", zk_exact(wei))
}

/// A governor with the kind of proposal it carries.
fn governor(g: GovernorKind) -> &'static str {
    match g {
        GovernorKind::Protocol => "Protocol Governor (ZIP)",
        GovernorKind::Token => "Token Governor (TPP)",
        GovernorKind::GovOps => "GovOps Governor (GAP)",
    }
}

impl Walk<'_> {
    /// One line about a vote-delegation or minter-state token event, or `None` for the
    /// others (described in `mod.rs`).
    pub(super) fn describe_votes(&self, ev: &TokenEvent) -> Option<String> {
        Some(match ev {
            TokenEvent::DelegateChanged {
                delegator,
                from_delegate,
                to_delegate,
                ..
            } => {
                let from = if from_delegate.is_zero() {
                    String::new()
                } else {
                    format!(" (was {})", self.name(*from_delegate))
                };
                format!(
                    "ZK: {} delegates its votes to {}{from}",
                    self.name(*delegator),
                    self.name(*to_delegate)
                )
            }
            TokenEvent::DelegateVotesChanged {
                delegate,
                previous,
                new,
                ..
            } => format!(
                "ZK: {}'s voting power {} → {}",
                self.name(*delegate),
                zk(*previous),
                zk(*new)
            ),
            TokenEvent::MinterPaused { minter, account } => {
                format!("{}: paused by {}", self.name(*minter), self.name(*account))
            }
            TokenEvent::MinterUnpaused { minter, account } => {
                format!(
                    "{}: unpaused by {}",
                    self.name(*minter),
                    self.name(*account)
                )
            }
            TokenEvent::MinterClosed { minter, closer } => format!(
                "{}: closed for good by {}",
                self.name(*minter),
                self.name(*closer)
            ),
            _ => return None,
        })
    }

    /// One line about what a proposal would do.
    fn describe_action(&self, a: &ProposalAction) -> String {
        match a {
            ProposalAction::SetFixedInteropFee(fee) => format!("fixed interop fee {}", zk(*fee)),
            ProposalAction::SetGatewaySettlementFee(fee) => {
                format!("gateway settlement fee {} per call", zk(*fee))
            }
            ProposalAction::SetBidThreshold(t) => format!("Fee Flow bid threshold {}", zk(*t)),
            ProposalAction::SetFeeFlowDestination(to) => {
                format!("Fee Flow destination {}", self.name(*to))
            }
            ProposalAction::SetClaimPaused(p) => {
                format!("Fee Flow claims {}", if *p { "paused" } else { "unpaused" })
            }
            ProposalAction::SetClaimableToken { token, claimable } => format!(
                "Fee Flow whitelist: {} {}",
                self.asset_symbol(*token),
                if *claimable { "claimable" } else { "removed" }
            ),
            ProposalAction::SetBurnPercentage(bps) => {
                format!("Splitter burn share {}%", fmt_bps(*bps))
            }
            ProposalAction::SetDistributors(list) => {
                let names: Vec<String> = list
                    .iter()
                    .map(|d| format!("{} (weight {})", self.name(d.recipient), d.weight))
                    .collect();
                format!("Splitter distributors: {}", names.join(", "))
            }
            ProposalAction::FundStakingSeason {
                cap,
                start,
                expiry,
                reward_minter,
            } => format!(
                "fund a staking season: a capped minter of {}, minting {} → {} ({}), for {}",
                zk(*cap),
                date(*start),
                date(*expiry),
                span(expiry.saturating_sub(*start).saturating_add(1)),
                self.name(*reward_minter)
            ),
            ProposalAction::DeactivatePriorityMode { chain } => {
                format!("deactivate priority mode on chain {chain}")
            }
            ProposalAction::SetPriorityModeTransactionFilterer { chain, filterer } => format!(
                "priority-mode transaction filterer of chain {chain}: {}",
                self.name(*filterer)
            ),
        }
    }

    /// One line about a governance event.
    pub(super) fn describe_governance(&self, ev: &GovernanceEvent) -> String {
        match ev {
            GovernanceEvent::ProposalCreated {
                id,
                governor: g,
                proposer,
                actions,
                vote_start,
                vote_end,
                quorum,
                at,
            } => {
                let what: Vec<String> = actions.iter().map(|a| self.describe_action(a)).collect();
                format!(
                    "{}: {} proposed #{id} — {}; voting {} → {} (in {}, for {}), quorum {} For",
                    governor(*g),
                    self.name(*proposer),
                    what.join("; "),
                    date(*vote_start),
                    date(*vote_end),
                    span(vote_start.saturating_sub(*at)),
                    span(vote_end.saturating_sub(*vote_start)),
                    zk(*quorum)
                )
            }
            GovernanceEvent::VoteCast {
                id,
                voter,
                ballot,
                weight,
                ..
            } => format!(
                "{} votes on #{id} with {}: For {} · Against {} · Abstain {}",
                self.name(*voter),
                zk(*weight),
                zk(ballot.for_votes),
                zk(ballot.against_votes),
                zk(ballot.abstain_votes)
            ),
            GovernanceEvent::QuorumReached {
                id,
                extended_deadline,
                at,
            } => format!(
                "#{id} reached quorum; voting can run until {} ({} from now, the late-quorum extension)",
                date(*extended_deadline),
                span(extended_deadline.saturating_sub(*at))
            ),
            GovernanceEvent::ProposalCanceled { id, .. } => format!("#{id} canceled"),
            GovernanceEvent::ProposalVetoed { id, guardian, .. } => {
                format!("#{id} vetoed by {}", self.name(*guardian))
            }
            GovernanceEvent::ProposalQueued { id, eta, at } => format!(
                "#{id} queued in the timelock; executable from {} (in {})",
                date(*eta),
                span(eta.saturating_sub(*at))
            ),
            GovernanceEvent::ProposalExecuted {
                id,
                upgrade_created,
                ..
            } => match upgrade_created {
                Some(upgrade) => {
                    format!("#{id} executed: protocol upgrade {upgrade} starts its L1 path")
                }
                None => format!("#{id} executed"),
            },
            GovernanceEvent::LegalVetoExtended { id, .. } => {
                format!("#{id}: the legal veto period is extended")
            }
            GovernanceEvent::ApprovedBySecurityCouncil { id, .. } => {
                format!("#{id}: approved by the Security Council")
            }
            GovernanceEvent::ApprovedByGuardians { id, .. } => {
                format!("#{id}: approved by the Guardians")
            }
            GovernanceEvent::UpgradeExecuted { id, .. } => {
                format!("#{id}: the protocol upgrade executed on L1")
            }
        }
    }

    /// One line about a staking event.
    pub(super) fn describe_staking(&self, ev: &StakingEvent) -> String {
        match ev {
            StakingEvent::StakeDeposited {
                deposit,
                owner,
                delegatee,
                claimer,
                amount,
                earning_power,
                ..
            } => format!(
                "Staker: deposit {deposit} of {} by {}, votes to {}, rewards claimed by {}, earning power {}",
                zk(*amount),
                self.name(*owner),
                self.name(*delegatee),
                self.name(*claimer),
                zk_exact(*earning_power)
            ),
            StakingEvent::StakeAdded {
                deposit, amount, earning_power, ..
            } => format!(
                "Staker: {} added to deposit {deposit}, earning power {}",
                zk(*amount),
                zk_exact(*earning_power)
            ),
            StakingEvent::StakeWithdrawn {
                deposit, amount, earning_power, ..
            } => format!(
                "Staker: {} withdrawn from deposit {deposit}, earning power {}",
                zk(*amount),
                zk_exact(*earning_power)
            ),
            StakingEvent::DelegateeAltered {
                deposit,
                old_delegatee,
                new_delegatee,
                ..
            } => format!(
                "Staker: deposit {deposit} now votes through {} (was {})",
                self.name(*new_delegatee),
                self.name(*old_delegatee)
            ),
            StakingEvent::ClaimerAltered {
                deposit,
                old_claimer,
                new_claimer,
                ..
            } => format!(
                "Staker: deposit {deposit}'s rewards now go to {} (was {})",
                self.name(*new_claimer),
                self.name(*old_claimer)
            ),
            StakingEvent::RewardClaimed {
                deposit,
                claimer,
                payout,
                fee,
                ..
            } => format!(
                "Staker: {} claimed {} from deposit {deposit}{}",
                self.name(*claimer),
                zk(*payout),
                if fee.is_zero() {
                    String::new()
                } else {
                    format!(" (claim fee {})", zk(*fee))
                }
            ),
            StakingEvent::EarningPowerBumped {
                deposit,
                old_earning_power,
                new_earning_power,
                bumper,
                tip,
                ..
            } => format!(
                "Staker: {} bumped deposit {deposit}'s earning power {} → {} (tip {})",
                self.name(*bumper),
                zk_exact(*old_earning_power),
                zk_exact(*new_earning_power),
                zk(*tip)
            ),
            StakingEvent::RewardNotified { notifier, amount, .. } => format!(
                "Staker: {} notified {} of rewards, streamed over 30 days",
                self.name(*notifier),
                zk(*amount)
            ),
            StakingEvent::RewardNotifierSet { notifier, enabled } => format!(
                "Staker: {} {} notify rewards",
                self.name(*notifier),
                if *enabled { "may" } else { "may no longer" }
            ),
            StakingEvent::MaxBumpTipSet { tip } => format!("Staker: max bump tip {}", zk(*tip)),
            StakingEvent::ClaimFeeSet { amount, collector } => format!(
                "Staker: claim fee {} to {}",
                zk(*amount),
                self.name(*collector)
            ),
            StakingEvent::TotalStakeCapSet { cap } => {
                format!("Staker: total stake cap {}", zk(*cap))
            }
            StakingEvent::DelegateeScoreUpdated {
                delegatee,
                old_score,
                new_score,
                ..
            } => format!(
                "eligibility oracle: {}'s score {old_score} → {new_score}",
                self.name(*delegatee)
            ),
            StakingEvent::OraclePosted { at } => {
                format!("eligibility oracle: scores posted at {}", date(*at))
            }
            StakingEvent::DelegateeScoreLockSet { delegatee, locked } => format!(
                "eligibility oracle: {}'s score {}",
                self.name(*delegatee),
                if *locked { "locked" } else { "unlocked" }
            ),
            StakingEvent::OraclePausedSet { paused } => format!(
                "eligibility oracle {} (full earning power while paused)",
                if *paused { "paused" } else { "unpaused" }
            ),
            StakingEvent::EligibilityThresholdSet { threshold } => {
                format!("eligibility threshold set to score {threshold}")
            }
            StakingEvent::UpdateEligibilityDelaySet { delay } => {
                format!("eligibility update delay set to {}", span(*delay))
            }
            StakingEvent::ScoreOracleSet { oracle } => {
                format!("score oracle set to {}", self.name(*oracle))
            }
            StakingEvent::OraclePauseGuardianSet { guardian } => {
                format!("oracle pause guardian set to {}", self.name(*guardian))
            }
            StakingEvent::SeasonFunded {
                season,
                minter,
                cap,
                start,
                expiry,
            } => format!(
                "staking season {} funded: {} mints up to {} from {} to {} ({})",
                season + 1,
                self.name(*minter),
                zk(*cap),
                date(*start),
                date(*expiry),
                span(expiry.saturating_sub(*start).saturating_add(1))
            ),
        }
    }
}

/// Basis points as a percentage: `5000` → `50`, `125` → `1.25`.
fn fmt_bps(bps: U256) -> String {
    let b = u64::try_from(bps).unwrap_or(u64::MAX);
    if b.is_multiple_of(100) {
        (b / 100).to_string()
    } else {
        format!("{}.{:02}", b / 100, b % 100)
            .trim_end_matches('0')
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_spans_and_shares_read_as_people_write_them() {
        assert_eq!(date(1_780_000_000), "2026-05-28 20:26 UTC");
        assert_eq!(date(0), "1970-01-01 00:00 UTC");
        assert_eq!(span(90 * DAY), "90 days");
        assert_eq!(span(DAY + 3600), "1 day 1 h");
        assert_eq!(span(60), "1 min");
        assert_eq!(span(1), "1 s");
        assert_eq!(fmt_bps(U256::from(5000)), "50");
        assert_eq!(fmt_bps(U256::from(125)), "1.25");
        assert_eq!(fmt_bps(U256::from(150)), "1.5");
    }
}
