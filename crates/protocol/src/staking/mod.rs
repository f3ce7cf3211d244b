//! ZK staking (TPP-12 "ZKnomics Token Staking") as deployed: Tally/ScopeLift's `Staker`
//! (withtally/staker@2ff8891:src/Staker.sol) with the `StakerCapDeposits` and
//! `StakerDelegateSurrogateVotes` extensions, the `BinaryEligibilityOracleEarningPowerCalculator`
//! ([`earning_power`]), the deployment values of `ZkStaker`
//! (withtally/zkstaker@bff26f8:script/DeployZkStaker.ts), seasons funded by capped minters
//! ([`seasons`]) and the off-chain reward script that mints and notifies ([`policy`]), as an
//! event-sourced state machine.
//!
//! - A deposit has an owner, a delegatee and a claimer; ids increment from 0. Staked ZK sits in a
//!   per-delegatee *surrogate* address that delegates its votes to the delegatee through the
//!   token, so staking never takes voting power away from governance. No lock-up.
//! - Rewards notified by an enabled notifier stream over the reward duration pro rata to
//!   earning power ([`rewards`]); a new notification rolls the unstreamed remainder into a fresh
//!   duration. Staker.sol has no APR ceiling: how much to notify is decided off-chain.
//! - Earning power is the full balance when the delegatee is eligible (or the oracle is stale or
//!   paused), else 0; anyone may *bump* a deposit whose earning power changed, for a tip paid
//!   out of that deposit's unclaimed rewards.
//! - Roles as deployed: the staker's admin, the calculator's owner, the oracle pause guardian
//!   and the claim-fee collector are one Tally-operated safe; the score oracle is its own
//!   account; reward notifiers are whoever the admin enables (the reward script's signer).
//!
//! Like the token, every public method validates first (an `Err` changes nothing, in the staker
//! or the token), then mutates only through [`Staker::apply`]. Token movements go through the
//! `&mut ZkToken` passed in; the returned [`StakingRecord`]s interleave the token's events with
//! the staker's, in order, so the network can log both and replay each to its own machine.
//!
//! Model deviations from the contracts (each keeps the accounting exact): a notifier's tokens are
//! pulled by `notify_reward_amount` instead of pushed beforehand; earning power is not limited to
//! `uint96`; a claim whose payout is 0 records nothing (the contract's checkpoint is
//! economically neutral); the proxy (upgradeable by the Token Governor's timelock) is not
//! modelled.

pub mod actions;
pub mod earning_power;
mod events;
pub mod policy;
pub mod rewards;
pub mod seasons;
#[cfg(test)]
mod tests;

use crate::genesis::account;
use crate::token::{TokenError, TokenEvent, ZkToken};
use crate::units::tokens;
use alloy_primitives::{Address, U256};
use imbl::{OrdMap, OrdSet, Vector};
use serde::{Deserialize, Serialize};

pub use earning_power::{oracle_score, EligibilityOracle, EligibilityParams};
pub use events::{Emitted, StakingError, StakingEvent, StakingRecord};
pub use policy::{RewardScript, ScriptRequest, BASIS_POINTS, SECONDS_PER_YEAR};
pub use rewards::{RewardStream, REWARD_DURATION, SCALE_FACTOR};
pub use seasons::{Season, SeasonPlan};

use rewards::{add, mul, sub};

/// `Staker.DepositIdentifier`: deposits are numbered 0, 1, 2, … in creation order.
pub type DepositId = u64;

/// `Staker.Deposit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    /// Staked ZK, in wei.
    pub balance: U256,
    /// May add, withdraw, change delegatee and claimer, and claim.
    pub owner: Address,
    /// Share of the reward stream; the balance or 0 under the binary eligibility calculator.
    pub earning_power: U256,
    /// Receives the deposit's voting power through its surrogate.
    pub delegatee: Address,
    /// May claim the rewards (as may the owner).
    pub claimer: Address,
    /// Accumulator value when the deposit was last checkpointed.
    pub reward_per_token_checkpoint: U256,
    /// Unclaimed reward at that checkpoint, times [`SCALE_FACTOR`] (sub-wei dust is kept).
    pub scaled_unclaimed_reward_checkpoint: U256,
}

/// Staker settings; defaults are ZkStaker's deployment values
/// (withtally/zkstaker@bff26f8:script/DeployZkStaker.ts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakingParams {
    /// Streaming duration of each notification: `Staker.REWARD_DURATION`, a contract constant
    /// (30 days, [`REWARD_DURATION`]); a parameter here so tests can vary it.
    pub reward_duration: u64,
    /// `maxBumpTip`. Default 5 ZK: `MAX_BUMP_TIP` of DeployZkStaker.ts.
    pub max_bump_tip: U256,
    /// `MAX_CLAIM_FEE` (set once by `initialize`). Default 500 ZK: `MAX_CLAIM_FEE` of
    /// DeployZkStaker.ts.
    pub max_claim_fee: U256,
    /// `claimFeeParameters.feeAmount`, taken from each claim. Default 0: `FEE_AMOUNT` of
    /// DeployZkStaker.ts (no fee at launch).
    pub claim_fee: U256,
    /// `claimFeeParameters.feeCollector`. The deploy script sets the Tally safe
    /// (`FEE_COLLECTOR`); ZERO in `Default` (no fee, no collector).
    pub fee_collector: Address,
    /// `StakerCapDeposits.totalStakeCap`. Default 400,000,000 ZK: `INITIAL_TOTAL_STAKE_CAP` of
    /// DeployZkStaker.ts.
    pub total_stake_cap: U256,
}

impl Default for StakingParams {
    fn default() -> Self {
        Self {
            reward_duration: REWARD_DURATION,
            max_bump_tip: tokens(5),
            max_claim_fee: tokens(500),
            claim_fee: U256::ZERO,
            fee_collector: Address::ZERO,
            total_stake_cap: tokens(400_000_000),
        }
    }
}

/// Everything needed to deploy a staker and its calculator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakerConfig {
    /// The staker contract's address; it holds the reward ZK.
    pub address: Address,
    /// The staker's `admin`: enables reward notifiers, sets the max bump tip, the claim fee,
    /// the stake cap and the calculator.
    pub admin: Address,
    /// The calculator's `owner` (OpenZeppelin `Ownable`): sets the eligibility threshold, the
    /// update-eligibility delay, the score oracle and the pause guardian, and overrides scores.
    pub calculator_owner: Address,
    /// `scoreOracle` of the calculator: posts delegate scores.
    pub score_oracle: Address,
    /// `oraclePauseGuardian` of the calculator: pauses score updates.
    pub oracle_pause_guardian: Address,
    /// Staker settings.
    pub params: StakingParams,
    /// Calculator settings.
    pub eligibility: EligibilityParams,
}

impl StakerConfig {
    /// ZkStaker as deployed (withtally/zkstaker@bff26f8:script/DeployZkStaker.ts) at the model
    /// address `account("staker")`: `STAKER_ADMIN`, `EARNING_POWER_OWNER`,
    /// `ORACLE_PAUSE_GUARDIAN` and `FEE_COLLECTOR` are all the same Tally safe (`tally_safe`);
    /// `SCORE_ORACLE` is `score_oracle`. No reward notifier is enabled at deployment.
    pub fn zk_staker(tally_safe: Address, score_oracle: Address) -> Self {
        Self {
            address: account("staker"),
            admin: tally_safe,
            calculator_owner: tally_safe,
            score_oracle,
            oracle_pause_guardian: tally_safe,
            params: StakingParams {
                fee_collector: tally_safe,
                ..StakingParams::default()
            },
            eligibility: EligibilityParams::default(),
        }
    }
}

/// A staker setting changed by its role (see [`Staker::set_param`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StakerParam {
    /// Staker `setMaxBumpTip` (admin).
    MaxBumpTip(U256),
    /// Staker `setClaimFeeParameters` (admin).
    ClaimFee {
        /// `feeAmount`, wei.
        amount: U256,
        /// `feeCollector`.
        collector: Address,
    },
    /// StakerCapDeposits `setTotalStakeCap` (admin).
    TotalStakeCap(U256),
    /// Calculator `setDelegateeScoreEligibilityThreshold` (owner).
    EligibilityThreshold(u64),
    /// Calculator `setUpdateEligibilityDelay` (owner), seconds.
    UpdateEligibilityDelay(u64),
}

/// Running totals, for the accounting identity
/// `notified = claimed + fees + tips + (ZK still held by the staker)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakingTotals {
    /// Reward ZK that entered the staker through notifications.
    pub notified: U256,
    /// Paid to claimers.
    pub claimed: U256,
    /// Paid to the fee collector.
    pub fees: U256,
    /// Paid to bumpers.
    pub tips: U256,
}

/// A transaction in progress: scratch copies of the staker and the token, and the log so far.
/// Committed only when the whole call succeeds.
pub(crate) struct Tx {
    pub(crate) staker: Staker,
    pub(crate) token: ZkToken,
    pub(crate) out: Vec<StakingRecord>,
}

impl Tx {
    /// Applies and records a staker event.
    pub(crate) fn emit(&mut self, ev: StakingEvent) -> Result<(), StakingError> {
        self.staker.apply_in_place(&ev)?;
        self.out.push(StakingRecord::Staking(ev));
        Ok(())
    }

    /// Records the events of a token call (already applied to `self.token`).
    pub(crate) fn token_events(
        &mut self,
        evs: Result<Vec<TokenEvent>, TokenError>,
    ) -> Result<(), StakingError> {
        self.out.extend(evs?.into_iter().map(StakingRecord::Token));
        Ok(())
    }

    /// `_fetchOrDeploySurrogate`: the first stake for a delegatee makes its surrogate delegate.
    fn surrogate_for(&mut self, delegatee: Address, now: u64) -> Result<Address, StakingError> {
        let surrogate = Staker::surrogate(delegatee);
        if self.token.delegates(surrogate) != Some(delegatee) {
            let evs = self.token.delegate(surrogate, delegatee, now);
            self.token_events(evs)?;
        }
        Ok(surrogate)
    }
}

fn nonzero(a: Address, what: &'static str) -> Result<(), StakingError> {
    if a.is_zero() {
        Err(StakingError::ZeroAddress { what })
    } else {
        Ok(())
    }
}

/// The staker: deposits, reward stream, eligibility oracle and seasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staker {
    address: Address,
    admin: Address,
    params: StakingParams,
    clock: u64,
    next_deposit_id: DepositId,
    deposits: OrdMap<DepositId, Deposit>,
    total_staked: U256,
    total_earning_power: U256,
    depositor_staked: OrdMap<Address, U256>,
    depositor_earning_power: OrdMap<Address, U256>,
    stream: RewardStream,
    notifiers: OrdSet<Address>,
    oracle: EligibilityOracle,
    seasons: Vector<Season>,
    totals: StakingTotals,
}

impl Staker {
    /// Deploys a staker and its calculator at `now`.
    pub fn new(config: StakerConfig, now: u64) -> Self {
        Self {
            address: config.address,
            admin: config.admin,
            params: config.params,
            clock: now,
            next_deposit_id: 0,
            deposits: OrdMap::new(),
            total_staked: U256::ZERO,
            total_earning_power: U256::ZERO,
            depositor_staked: OrdMap::new(),
            depositor_earning_power: OrdMap::new(),
            stream: RewardStream::default(),
            notifiers: OrdSet::new(),
            oracle: EligibilityOracle::new(
                config.calculator_owner,
                config.score_oracle,
                config.oracle_pause_guardian,
                config.eligibility,
                now,
            ),
            seasons: Vector::new(),
            totals: StakingTotals::default(),
        }
    }

    // ----- views -----

    /// The staker's address (holds reward ZK; spender of stakers' allowances).
    pub fn address(&self) -> Address {
        self.address
    }
    /// The staker's admin (on mainnet the Tally safe, which also owns the calculator).
    pub fn admin(&self) -> Address {
        self.admin
    }
    /// Current settings.
    pub fn params(&self) -> &StakingParams {
        &self.params
    }
    /// Latest time recorded by an event.
    pub fn clock(&self) -> u64 {
        self.clock
    }
    /// The id the next `stake` will get.
    pub fn next_deposit_id(&self) -> DepositId {
        self.next_deposit_id
    }
    /// A deposit.
    pub fn deposit(&self, id: DepositId) -> Option<&Deposit> {
        self.deposits.get(&id)
    }
    /// All deposits, by id.
    pub fn deposits(&self) -> impl Iterator<Item = (&DepositId, &Deposit)> {
        self.deposits.iter()
    }
    /// `totalStaked`.
    pub fn total_staked(&self) -> U256 {
        self.total_staked
    }
    /// `totalEarningPower`.
    pub fn total_earning_power(&self) -> U256 {
        self.total_earning_power
    }
    /// `depositorTotalStaked`.
    pub fn depositor_total_staked(&self, owner: Address) -> U256 {
        self.depositor_staked
            .get(&owner)
            .copied()
            .unwrap_or_default()
    }
    /// `depositorTotalEarningPower`.
    pub fn depositor_total_earning_power(&self, owner: Address) -> U256 {
        self.depositor_earning_power
            .get(&owner)
            .copied()
            .unwrap_or_default()
    }
    /// The reward stream.
    pub fn stream(&self) -> &RewardStream {
        &self.stream
    }
    /// The eligibility calculator.
    pub fn oracle(&self) -> &EligibilityOracle {
        &self.oracle
    }
    /// `isRewardNotifier`.
    pub fn is_reward_notifier(&self, notifier: Address) -> bool {
        self.notifiers.contains(&notifier)
    }
    /// Accounting totals.
    pub fn totals(&self) -> &StakingTotals {
        &self.totals
    }
    /// `surrogates(delegatee)`: the deterministic model address holding stake delegated to
    /// `delegatee` (the real one is a CREATE2 `DelegationSurrogateVotes`).
    pub fn surrogate(delegatee: Address) -> Address {
        account(&format!("staker-surrogate-{delegatee}"))
    }
    /// `unclaimedReward`: what the deposit could claim at `now` (before any fee).
    pub fn unclaimed_reward(&self, id: DepositId, now: u64) -> U256 {
        self.deposits
            .get(&id)
            .and_then(|d| self.scaled_unclaimed(d, now).ok())
            .map_or(U256::ZERO, |s| s / SCALE_FACTOR)
    }
    /// The annual rate (bps) the current stream pays on the total earning power at `now`; 0
    /// once the stream has ended or when nobody earns. A view for reports: the contract keeps
    /// no such figure and enforces no ceiling on it.
    pub fn current_apr_bps(&self, now: u64) -> U256 {
        if now >= self.stream.reward_end_time || self.total_earning_power.is_zero() {
            return U256::ZERO;
        }
        let num = self
            .stream
            .scaled_reward_rate
            .saturating_mul(U256::from(SECONDS_PER_YEAR * BASIS_POINTS));
        num / self.total_earning_power.saturating_mul(SCALE_FACTOR)
    }

    fn scaled_unclaimed(&self, d: &Deposit, now: u64) -> Result<U256, StakingError> {
        let acc = self
            .stream
            .reward_per_token_accumulated(now, self.total_earning_power)?;
        let delta = sub(acc, d.reward_per_token_checkpoint, "accumulator delta")?;
        add(
            d.scaled_unclaimed_reward_checkpoint,
            mul(d.earning_power, delta, "deposit reward")?,
            "deposit reward",
        )
    }

    fn check_now(&self, now: u64) -> Result<(), StakingError> {
        if now < self.clock {
            return Err(StakingError::ClockWentBackwards {
                at: now,
                clock: self.clock,
            });
        }
        Ok(())
    }

    /// `_revertIfNotAdmin`.
    fn only_admin(&self, caller: Address) -> Result<(), StakingError> {
        if caller != self.admin {
            return Err(StakingError::Unauthorized {
                reason: "not admin",
                caller,
            });
        }
        Ok(())
    }

    /// `_revertIfNotDepositOwner`.
    fn owned(&self, caller: Address, id: DepositId) -> Result<Deposit, StakingError> {
        let d = self.existing(id)?;
        if d.owner != caller {
            return Err(StakingError::Unauthorized {
                reason: "not owner",
                caller,
            });
        }
        Ok(d)
    }

    fn existing(&self, id: DepositId) -> Result<Deposit, StakingError> {
        self.deposits
            .get(&id)
            .copied()
            .ok_or(StakingError::UnknownDeposit { deposit: id })
    }

    fn check_cap(&self, amount: U256) -> Result<(), StakingError> {
        let cap = self.params.total_stake_cap;
        if self
            .total_staked
            .checked_add(amount)
            .is_none_or(|t| t > cap)
        {
            return Err(StakingError::CapExceeded {
                amount,
                total_staked: self.total_staked,
                cap,
            });
        }
        Ok(())
    }

    /// Runs `f` on scratch copies and commits both only if it succeeds.
    pub(crate) fn transact(
        &mut self,
        token: &mut ZkToken,
        f: impl FnOnce(&mut Tx) -> Result<(), StakingError>,
    ) -> Emitted {
        let mut tx = Tx {
            staker: self.clone(),
            token: token.clone(),
            out: Vec::new(),
        };
        f(&mut tx)?;
        *self = tx.staker;
        *token = tx.token;
        Ok(tx.out)
    }

    /// Commits staker-only events atomically.
    fn commit(&mut self, events: Vec<StakingEvent>) -> Emitted {
        let mut next = self.clone();
        for ev in &events {
            next.apply_in_place(ev)?;
        }
        *self = next;
        Ok(events.into_iter().map(StakingRecord::Staking).collect())
    }

    // ----- deposits -----

    /// `stake(amount, delegatee, claimer)` by `owner`, who must have approved the staker's
    /// address for `amount`. Creates deposit [`Self::next_deposit_id`]; its earning power comes
    /// from the calculator at once (no grace for a new deposit).
    pub fn stake(
        &mut self,
        token: &mut ZkToken,
        owner: Address,
        amount: U256,
        delegatee: Address,
        claimer: Address,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        nonzero(owner, "depositor")?;
        nonzero(delegatee, "delegatee")?;
        nonzero(claimer, "claimer")?;
        self.check_cap(amount)?;
        let earning_power = self.oracle.earning_power(amount, delegatee, now);
        let (deposit, spender) = (self.next_deposit_id, self.address);
        self.transact(token, |tx| {
            let surrogate = tx.surrogate_for(delegatee, now)?;
            let evs = tx
                .token
                .transfer_from(spender, owner, surrogate, amount, now);
            tx.token_events(evs)?;
            tx.emit(StakingEvent::StakeDeposited {
                deposit,
                owner,
                delegatee,
                claimer,
                amount,
                earning_power,
                at: now,
            })
        })
    }

    /// `stakeMore` by the owner (approval needed as for `stake`).
    pub fn stake_more(
        &mut self,
        token: &mut ZkToken,
        caller: Address,
        deposit: DepositId,
        amount: U256,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        let d = self.owned(caller, deposit)?;
        self.check_cap(amount)?;
        let balance = add(d.balance, amount, "deposit balance")?;
        let earning_power = self.oracle.earning_power(balance, d.delegatee, now);
        let spender = self.address;
        self.transact(token, |tx| {
            let surrogate = tx.surrogate_for(d.delegatee, now)?;
            let evs = tx
                .token
                .transfer_from(spender, d.owner, surrogate, amount, now);
            tx.token_events(evs)?;
            tx.emit(StakingEvent::StakeAdded {
                deposit,
                amount,
                earning_power,
                at: now,
            })
        })
    }

    /// `withdraw` by the owner: no lock-up; the surrogate keeps delegating the rest.
    pub fn withdraw(
        &mut self,
        token: &mut ZkToken,
        caller: Address,
        deposit: DepositId,
        amount: U256,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        let d = self.owned(caller, deposit)?;
        let left = d
            .balance
            .checked_sub(amount)
            .ok_or(StakingError::WithdrawExceedsBalance {
                deposit,
                balance: d.balance,
                amount,
            })?;
        let earning_power = self.oracle.earning_power(left, d.delegatee, now);
        self.transact(token, |tx| {
            let evs = tx
                .token
                .transfer(Self::surrogate(d.delegatee), d.owner, amount, now);
            tx.token_events(evs)?;
            tx.emit(StakingEvent::StakeWithdrawn {
                deposit,
                amount,
                earning_power,
                at: now,
            })
        })
    }

    /// `alterDelegatee` by the owner: the whole balance moves to the new delegatee's surrogate.
    pub fn alter_delegatee(
        &mut self,
        token: &mut ZkToken,
        caller: Address,
        deposit: DepositId,
        new_delegatee: Address,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        let d = self.owned(caller, deposit)?;
        nonzero(new_delegatee, "delegatee")?;
        let earning_power = self.oracle.earning_power(d.balance, new_delegatee, now);
        self.transact(token, |tx| {
            let to = tx.surrogate_for(new_delegatee, now)?;
            let evs = tx
                .token
                .transfer(Self::surrogate(d.delegatee), to, d.balance, now);
            tx.token_events(evs)?;
            tx.emit(StakingEvent::DelegateeAltered {
                deposit,
                old_delegatee: d.delegatee,
                new_delegatee,
                earning_power,
                at: now,
            })
        })
    }

    /// `alterClaimer` by the owner; refreshes the earning power like the contract does.
    pub fn alter_claimer(
        &mut self,
        caller: Address,
        deposit: DepositId,
        new_claimer: Address,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        let d = self.owned(caller, deposit)?;
        nonzero(new_claimer, "claimer")?;
        let earning_power = self.oracle.earning_power(d.balance, d.delegatee, now);
        self.commit(vec![StakingEvent::ClaimerAltered {
            deposit,
            old_claimer: d.claimer,
            new_claimer,
            earning_power,
            at: now,
        }])
    }

    /// `claimReward` by the claimer or the owner: pays the whole unclaimed reward (whole wei)
    /// less the claim fee to the caller, refreshes the earning power (without grace).
    pub fn claim_reward(
        &mut self,
        token: &mut ZkToken,
        caller: Address,
        deposit: DepositId,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        let d = self.existing(deposit)?;
        if caller != d.claimer && caller != d.owner {
            return Err(StakingError::Unauthorized {
                reason: "not claimer or owner",
                caller,
            });
        }
        let reward = self.scaled_unclaimed(&d, now)? / SCALE_FACTOR;
        let fee = self.params.claim_fee;
        let payout = reward.checked_sub(fee).ok_or(StakingError::ClaimBelowFee {
            deposit,
            reward,
            fee,
        })?;
        if payout.is_zero() {
            return Ok(Vec::new());
        }
        let earning_power = self.oracle.earning_power(d.balance, d.delegatee, now);
        let (from, collector) = (self.address, self.params.fee_collector);
        self.transact(token, |tx| {
            let evs = tx.token.transfer(from, caller, payout, now);
            tx.token_events(evs)?;
            if !fee.is_zero() {
                let evs = tx.token.transfer(from, collector, fee, now);
                tx.token_events(evs)?;
            }
            tx.emit(StakingEvent::RewardClaimed {
                deposit,
                claimer: caller,
                payout,
                fee,
                earning_power,
                at: now,
            })
        })
    }

    /// `bumpEarningPower` by anyone: applies the calculator's new earning power if it qualifies,
    /// paying `requested_tip` out of the deposit's unclaimed rewards. Staker's rules: the tip is
    /// at most `max_bump_tip`; a bump up needs `unclaimed ≥ tip`; a bump down must leave at
    /// least `max_bump_tip` unclaimed (so a later bump back up can still be paid).
    pub fn bump_earning_power(
        &mut self,
        token: &mut ZkToken,
        bumper: Address,
        deposit: DepositId,
        tip_receiver: Address,
        requested_tip: U256,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        let max_bump_tip = self.params.max_bump_tip;
        if requested_tip > max_bump_tip {
            return Err(StakingError::InvalidTip {
                tip: requested_tip,
                max: max_bump_tip,
            });
        }
        let d = self.existing(deposit)?;
        nonzero(tip_receiver, "tip receiver")?;
        let unclaimed = self.scaled_unclaimed(&d, now)? / SCALE_FACTOR;
        let (new, qualified) = self.oracle.new_earning_power(d.balance, d.delegatee, now);
        if !qualified || new == d.earning_power {
            return Err(StakingError::Unqualified {
                deposit,
                earning_power: new,
            });
        }
        let short = StakingError::InsufficientUnclaimedRewards {
            deposit,
            unclaimed,
            tip: requested_tip,
            max_bump_tip,
        };
        if new > d.earning_power && unclaimed < requested_tip {
            return Err(short);
        }
        if new < d.earning_power
            && unclaimed
                .checked_sub(requested_tip)
                .is_none_or(|left| left < max_bump_tip)
        {
            return Err(short);
        }
        let from = self.address;
        self.transact(token, |tx| {
            let evs = tx.token.transfer(from, tip_receiver, requested_tip, now);
            tx.token_events(evs)?;
            tx.emit(StakingEvent::EarningPowerBumped {
                deposit,
                old_earning_power: d.earning_power,
                new_earning_power: new,
                bumper,
                tip_receiver,
                tip: requested_tip,
                at: now,
            })
        })
    }

    // ----- rewards -----

    /// Checks a notification of `amount` at `now` against `Staker__InvalidRewardRate` and
    /// `Staker__InsufficientRewardBalance` (`balance` = the staker's ZK after the inflow).
    pub(crate) fn check_notification(
        &self,
        amount: U256,
        balance: U256,
        now: u64,
    ) -> Result<(), StakingError> {
        let duration = self.params.reward_duration;
        let mut s = self.stream;
        s.notify(amount, now, duration, self.total_earning_power)?;
        if (s.scaled_reward_rate / SCALE_FACTOR).is_zero() {
            return Err(StakingError::InvalidRewardRate { amount, duration });
        }
        let needed = mul(s.scaled_reward_rate, U256::from(duration), "stream total")?;
        let held = mul(balance, SCALE_FACTOR, "staker balance")?;
        if needed > held {
            return Err(StakingError::InsufficientRewardBalance {
                needed: needed / SCALE_FACTOR,
                balance,
            });
        }
        Ok(())
    }

    /// `notifyRewardAmount` by an enabled notifier: streams `amount`, with any unstreamed
    /// remainder, over a fresh reward duration. Staker.sol has no APR ceiling: the whole amount
    /// is notified (how much to notify is the notifier's decision, see [`policy`]). Model
    /// deviation: the notifier's `amount` is pulled from its balance here instead of being
    /// transferred to the staker beforehand; `notify(0)` (the reward script's way to lower
    /// the rate) moves nothing.
    pub fn notify_reward_amount(
        &mut self,
        token: &mut ZkToken,
        notifier: Address,
        amount: U256,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        if !self.is_reward_notifier(notifier) {
            return Err(StakingError::Unauthorized {
                reason: "not notifier",
                caller: notifier,
            });
        }
        let balance = add(token.balance_of(self.address), amount, "staker balance")?;
        self.check_notification(amount, balance, now)?;
        let to = self.address;
        self.transact(token, |tx| {
            if !amount.is_zero() {
                let evs = tx.token.transfer(notifier, to, amount, now);
                tx.token_events(evs)?;
            }
            tx.emit(StakingEvent::RewardNotified {
                notifier,
                amount,
                at: now,
            })
        })
    }

    // ----- admin -----

    /// `setRewardNotifier`, admin only.
    pub fn set_reward_notifier(
        &mut self,
        caller: Address,
        notifier: Address,
        enabled: bool,
    ) -> Emitted {
        self.only_admin(caller)?;
        self.commit(vec![StakingEvent::RewardNotifierSet { notifier, enabled }])
    }

    /// `setMaxBumpTip`, admin only.
    pub fn set_max_bump_tip(&mut self, caller: Address, tip: U256) -> Emitted {
        self.set_param(caller, StakerParam::MaxBumpTip(tip))
    }

    /// `setClaimFeeParameters`, admin only: at most `max_claim_fee`, and a non-zero fee needs a
    /// collector.
    pub fn set_claim_fee(&mut self, caller: Address, amount: U256, collector: Address) -> Emitted {
        self.set_param(caller, StakerParam::ClaimFee { amount, collector })
    }

    /// `setTotalStakeCap`, admin only (a cap below the current total only blocks new stake).
    pub fn set_total_stake_cap(&mut self, caller: Address, cap: U256) -> Emitted {
        self.set_param(caller, StakerParam::TotalStakeCap(cap))
    }

    /// Changes one setting, checked against the role the contract requires for it: the
    /// staker's admin for the staker's settings, the calculator's owner for the calculator's.
    pub fn set_param(&mut self, caller: Address, param: StakerParam) -> Emitted {
        let event = match param {
            StakerParam::MaxBumpTip(tip) => {
                self.only_admin(caller)?;
                StakingEvent::MaxBumpTipSet { tip }
            }
            StakerParam::ClaimFee { amount, collector } => {
                self.only_admin(caller)?;
                let max = self.params.max_claim_fee;
                if amount > max || (collector.is_zero() && !amount.is_zero()) {
                    return Err(StakingError::InvalidClaimFeeParameters {
                        amount,
                        collector,
                        max,
                    });
                }
                StakingEvent::ClaimFeeSet { amount, collector }
            }
            StakerParam::TotalStakeCap(cap) => {
                self.only_admin(caller)?;
                StakingEvent::TotalStakeCapSet { cap }
            }
            StakerParam::EligibilityThreshold(threshold) => {
                self.only_calculator_owner(caller)?;
                StakingEvent::EligibilityThresholdSet { threshold }
            }
            StakerParam::UpdateEligibilityDelay(delay) => {
                self.only_calculator_owner(caller)?;
                StakingEvent::UpdateEligibilityDelaySet { delay }
            }
        };
        self.commit(vec![event])
    }

    // ----- event application -----

    /// The only code path that mutates the staker. Deterministic and atomic: an event that does
    /// not fit the state is refused with the state unchanged. Authorization is not re-checked.
    pub fn apply(&mut self, ev: &StakingEvent) -> Result<(), StakingError> {
        let mut next = self.clone();
        next.apply_in_place(ev)?;
        *self = next;
        Ok(())
    }

    fn tick(&mut self, at: u64) -> Result<(), StakingError> {
        self.check_now(at)?;
        self.clock = at;
        Ok(())
    }

    /// `_checkpointGlobalReward` + `_checkpointReward(deposit)`; returns the checkpointed deposit.
    fn touch(&mut self, id: DepositId, at: u64) -> Result<Deposit, StakingError> {
        self.tick(at)?;
        self.stream.checkpoint(at, self.total_earning_power)?;
        let mut d = self.existing(id)?;
        d.scaled_unclaimed_reward_checkpoint = self.scaled_unclaimed(&d, at)?;
        d.reward_per_token_checkpoint = self.stream.reward_per_token_checkpoint;
        Ok(d)
    }

    /// Moves the deposit's earning power to `new` in every total and stores the deposit.
    fn settle(&mut self, id: DepositId, mut d: Deposit, new: U256) -> Result<(), StakingError> {
        let old = d.earning_power;
        let shift = |total: U256| -> Result<U256, StakingError> {
            sub(add(total, new, "earning power")?, old, "earning power")
        };
        self.total_earning_power = shift(self.total_earning_power)?;
        let mine = shift(self.depositor_total_earning_power(d.owner))?;
        set_or_remove(&mut self.depositor_earning_power, d.owner, mine);
        d.earning_power = new;
        self.deposits.insert(id, d);
        Ok(())
    }

    fn add_stake(&mut self, owner: Address, amount: U256) -> Result<(), StakingError> {
        self.total_staked = add(self.total_staked, amount, "total staked")?;
        let mine = add(
            self.depositor_total_staked(owner),
            amount,
            "depositor stake",
        )?;
        set_or_remove(&mut self.depositor_staked, owner, mine);
        Ok(())
    }

    fn take_from_unclaimed(d: &mut Deposit, amount: U256) -> Result<(), StakingError> {
        let scaled = mul(amount, SCALE_FACTOR, "scaled payout")?;
        d.scaled_unclaimed_reward_checkpoint = d
            .scaled_unclaimed_reward_checkpoint
            .checked_sub(scaled)
            .ok_or(StakingError::Mismatch {
                what: "payout above the deposit's unclaimed reward",
            })?;
        Ok(())
    }

    pub(crate) fn apply_in_place(&mut self, ev: &StakingEvent) -> Result<(), StakingError> {
        use StakingEvent as E;
        match *ev {
            E::StakeDeposited {
                deposit,
                owner,
                delegatee,
                claimer,
                amount,
                earning_power,
                at,
            } => {
                if deposit != self.next_deposit_id {
                    return Err(StakingError::Mismatch {
                        what: "deposit id is not the next id",
                    });
                }
                self.tick(at)?;
                self.stream.checkpoint(at, self.total_earning_power)?;
                self.add_stake(owner, amount)?;
                let d = Deposit {
                    balance: amount,
                    owner,
                    earning_power: U256::ZERO,
                    delegatee,
                    claimer,
                    reward_per_token_checkpoint: self.stream.reward_per_token_checkpoint,
                    scaled_unclaimed_reward_checkpoint: U256::ZERO,
                };
                self.next_deposit_id += 1;
                self.settle(deposit, d, earning_power)
            }
            E::StakeAdded {
                deposit,
                amount,
                earning_power,
                at,
            } => {
                let mut d = self.touch(deposit, at)?;
                d.balance = add(d.balance, amount, "deposit balance")?;
                self.add_stake(d.owner, amount)?;
                self.settle(deposit, d, earning_power)
            }
            E::StakeWithdrawn {
                deposit,
                amount,
                earning_power,
                at,
            } => {
                let mut d = self.touch(deposit, at)?;
                d.balance = sub(d.balance, amount, "deposit balance")?;
                self.total_staked = sub(self.total_staked, amount, "total staked")?;
                let mine = sub(
                    self.depositor_total_staked(d.owner),
                    amount,
                    "depositor stake",
                )?;
                set_or_remove(&mut self.depositor_staked, d.owner, mine);
                self.settle(deposit, d, earning_power)
            }
            E::DelegateeAltered {
                deposit,
                new_delegatee,
                earning_power,
                at,
                ..
            } => {
                let mut d = self.touch(deposit, at)?;
                d.delegatee = new_delegatee;
                self.settle(deposit, d, earning_power)
            }
            E::ClaimerAltered {
                deposit,
                new_claimer,
                earning_power,
                at,
                ..
            } => {
                let mut d = self.touch(deposit, at)?;
                d.claimer = new_claimer;
                self.settle(deposit, d, earning_power)
            }
            E::RewardClaimed {
                deposit,
                payout,
                fee,
                earning_power,
                at,
                ..
            } => {
                let mut d = self.touch(deposit, at)?;
                Self::take_from_unclaimed(&mut d, add(payout, fee, "claim")?)?;
                self.totals.claimed = add(self.totals.claimed, payout, "claimed total")?;
                self.totals.fees = add(self.totals.fees, fee, "fee total")?;
                self.settle(deposit, d, earning_power)
            }
            E::EarningPowerBumped {
                deposit,
                old_earning_power,
                new_earning_power,
                tip,
                at,
                ..
            } => {
                let mut d = self.touch(deposit, at)?;
                if d.earning_power != old_earning_power {
                    return Err(StakingError::Mismatch {
                        what: "bumped deposit's earning power",
                    });
                }
                Self::take_from_unclaimed(&mut d, tip)?;
                self.totals.tips = add(self.totals.tips, tip, "tip total")?;
                self.settle(deposit, d, new_earning_power)
            }
            E::RewardNotified { amount, at, .. } => {
                self.tick(at)?;
                self.stream.notify(
                    amount,
                    at,
                    self.params.reward_duration,
                    self.total_earning_power,
                )?;
                self.totals.notified = add(self.totals.notified, amount, "notified total")?;
                Ok(())
            }
            E::RewardNotifierSet { notifier, enabled } => {
                if enabled {
                    self.notifiers.insert(notifier);
                } else {
                    self.notifiers.remove(&notifier);
                }
                Ok(())
            }
            E::MaxBumpTipSet { tip } => {
                self.params.max_bump_tip = tip;
                Ok(())
            }
            E::ClaimFeeSet { amount, collector } => {
                self.params.claim_fee = amount;
                self.params.fee_collector = collector;
                Ok(())
            }
            E::TotalStakeCapSet { cap } => {
                self.params.total_stake_cap = cap;
                Ok(())
            }
            E::DelegateeScoreUpdated {
                delegatee,
                new_score,
                at,
                ..
            } => {
                self.tick(at)?;
                self.oracle.record_score(delegatee, new_score, at);
                Ok(())
            }
            E::OraclePosted { at } => {
                self.tick(at)?;
                self.oracle.last_update = at;
                Ok(())
            }
            E::DelegateeScoreLockSet { delegatee, locked } => {
                self.oracle.set_lock(delegatee, locked);
                Ok(())
            }
            E::OraclePausedSet { paused } => {
                self.oracle.paused = paused;
                Ok(())
            }
            E::EligibilityThresholdSet { threshold } => {
                self.oracle.params.threshold = threshold;
                Ok(())
            }
            E::UpdateEligibilityDelaySet { delay } => {
                self.oracle.params.update_eligibility_delay = delay;
                Ok(())
            }
            E::OraclePauseGuardianSet { guardian } => {
                self.oracle.pause_guardian = guardian;
                Ok(())
            }
            E::ScoreOracleSet { oracle } => {
                self.oracle.score_oracle = oracle;
                Ok(())
            }
            E::SeasonFunded { .. } => self.apply_season(ev),
        }
    }
}

fn set_or_remove(map: &mut OrdMap<Address, U256>, key: Address, value: U256) {
    if value.is_zero() {
        map.remove(&key);
    } else {
        map.insert(key, value);
    }
}
