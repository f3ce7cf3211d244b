//! The staker's events (its replayable log), the records interleaving them with the token's,
//! and its errors.

use super::DepositId;
use crate::token::{TokenError, TokenEvent};
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// Facts recorded by the staker; replaying them with [`Staker::apply`] rebuilds it. `at` is the
/// time in seconds; amounts and earning power are in wei.
#[allow(missing_docs)] // fields are described by each variant's doc
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StakingEvent {
    /// `StakeDeposited` for a new deposit (with its `ClaimerAltered`/`DelegateeAltered` from 0).
    StakeDeposited {
        deposit: DepositId,
        owner: Address,
        delegatee: Address,
        claimer: Address,
        amount: U256,
        earning_power: U256,
        at: u64,
    },
    /// `StakeDeposited` for `stakeMore`: `amount` added, new earning power.
    StakeAdded {
        deposit: DepositId,
        amount: U256,
        earning_power: U256,
        at: u64,
    },
    /// `StakeWithdrawn`: `amount` back to the owner, new earning power.
    StakeWithdrawn {
        deposit: DepositId,
        amount: U256,
        earning_power: U256,
        at: u64,
    },
    /// `DelegateeAltered`: the stake moved to the new delegatee's surrogate.
    DelegateeAltered {
        deposit: DepositId,
        old_delegatee: Address,
        new_delegatee: Address,
        earning_power: U256,
        at: u64,
    },
    /// `ClaimerAltered`.
    ClaimerAltered {
        deposit: DepositId,
        old_claimer: Address,
        new_claimer: Address,
        earning_power: U256,
        at: u64,
    },
    /// `RewardClaimed`: `payout` to the claimer and `fee` to the collector, both taken from the
    /// deposit's unclaimed rewards.
    RewardClaimed {
        deposit: DepositId,
        claimer: Address,
        payout: U256,
        fee: U256,
        earning_power: U256,
        at: u64,
    },
    /// `EarningPowerBumped`: `tip` from the deposit's unclaimed rewards to `tip_receiver`.
    EarningPowerBumped {
        deposit: DepositId,
        old_earning_power: U256,
        new_earning_power: U256,
        bumper: Address,
        tip_receiver: Address,
        tip: U256,
        at: u64,
    },
    /// `RewardNotified(amount, notifier)`: `amount` starts streaming with the remainder over a
    /// fresh reward duration.
    RewardNotified {
        notifier: Address,
        amount: U256,
        at: u64,
    },
    /// `RewardNotifierSet`.
    RewardNotifierSet { notifier: Address, enabled: bool },
    /// `MaxBumpTipSet`.
    MaxBumpTipSet { tip: U256 },
    /// `ClaimFeeParametersSet`.
    ClaimFeeSet { amount: U256, collector: Address },
    /// `TotalStakeCapSet`.
    TotalStakeCapSet { cap: U256 },
    /// Calculator `DelegateeScoreUpdated`.
    DelegateeScoreUpdated {
        delegatee: Address,
        old_score: u64,
        new_score: u64,
        at: u64,
    },
    /// The score oracle posted (`lastOracleUpdateTime = at`), even an empty batch.
    OraclePosted { at: u64 },
    /// Calculator `DelegateeScoreLockStatusSet`.
    DelegateeScoreLockSet { delegatee: Address, locked: bool },
    /// Calculator `OraclePausedStatusUpdated`.
    OraclePausedSet { paused: bool },
    /// Calculator `DelegateeEligibilityThresholdScoreSet`.
    EligibilityThresholdSet { threshold: u64 },
    /// Calculator `UpdateEligibilityDelaySet`.
    UpdateEligibilityDelaySet { delay: u64 },
    /// Calculator `ScoreOracleSet`.
    ScoreOracleSet { oracle: Address },
    /// Calculator `OraclePauseGuardianSet`.
    OraclePauseGuardianSet { guardian: Address },
    /// Model bookkeeping, not a contract event: governance funded staking season `season`
    /// through the capped minter `minter` (see [`super::seasons`]).
    SeasonFunded {
        season: u32,
        minter: Address,
        cap: U256,
        start: u64,
        expiry: u64,
    },
}

/// One entry of a staker call's log: a staker fact or a token fact, in the order they happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StakingRecord {
    /// Apply with [`Staker::apply`].
    Staking(StakingEvent),
    /// Apply with [`ZkToken::apply`].
    Token(TokenEvent),
}

/// What every mutating method returns: the log, or why nothing changed.
pub type Emitted = Result<Vec<StakingRecord>, StakingError>;

/// Why a staker operation was refused; one variant per rule, naming the values involved. The
/// contract errors are withtally/staker@2ff8891:src/Staker.sol, src/extensions/StakerCapDeposits.sol
/// and src/calculators/BinaryEligibilityOracleEarningPowerCalculator.sol (whose `Ownable` is
/// OpenZeppelin 5's: `OwnableUnauthorizedAccount`).
#[allow(missing_docs)] // fields are the values named in each message
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StakingError {
    /// `Staker__Unauthorized(reason, caller)`; `reason` is the contract's code ("not admin",
    /// "not owner", "not notifier", "not claimer or owner").
    #[error("Staker__Unauthorized: {reason} ({caller})")]
    Unauthorized {
        reason: &'static str,
        caller: Address,
    },
    /// `BinaryEligibilityOracleEarningPowerCalculator__Unauthorized(reason, caller)` ("not
    /// oracle", "not oracle pause guardian").
    #[error("calculator unauthorized: {reason} ({caller})")]
    CalculatorUnauthorized {
        reason: &'static str,
        caller: Address,
    },
    /// OpenZeppelin `Ownable.OwnableUnauthorizedAccount`: only the calculator's owner may.
    #[error("OwnableUnauthorizedAccount: {account} is not the calculator's owner")]
    OwnableUnauthorizedAccount { account: Address },
    /// `Staker__InvalidAddress`.
    #[error("the zero address is not allowed as {what}")]
    ZeroAddress { what: &'static str },
    /// No deposit with this id.
    #[error("unknown deposit {deposit}")]
    UnknownDeposit { deposit: DepositId },
    /// Withdrawing more than the balance (the contract's underflow revert).
    #[error("deposit {deposit} holds {balance} wei, cannot withdraw {amount} wei")]
    WithdrawExceedsBalance {
        deposit: DepositId,
        balance: U256,
        amount: U256,
    },
    /// `StakerCapDeposits__CapExceeded`.
    #[error("staking {amount} wei would bring the total staked {total_staked} wei over the cap {cap} wei")]
    CapExceeded {
        amount: U256,
        total_staked: U256,
        cap: U256,
    },
    /// `Staker__InvalidRewardRate`: the new rate would stream less than 1 wei a second.
    #[error("reward rate would be below 1 wei/s: notifying {amount} wei over {duration} s")]
    InvalidRewardRate { amount: U256, duration: u64 },
    /// `Staker__InsufficientRewardBalance`.
    #[error("insufficient reward balance: the stream needs {needed} wei, the staker holds {balance} wei")]
    InsufficientRewardBalance { needed: U256, balance: U256 },
    /// `Staker__InvalidTip`.
    #[error("requested tip {tip} wei exceeds the max bump tip {max} wei")]
    InvalidTip { tip: U256, max: U256 },
    /// `Staker__Unqualified`.
    #[error(
        "deposit {deposit} does not qualify for a bump (would-be earning power {earning_power})"
    )]
    Unqualified {
        deposit: DepositId,
        earning_power: U256,
    },
    /// `Staker__InsufficientUnclaimedRewards`.
    #[error("deposit {deposit} has {unclaimed} wei unclaimed: too little for a {tip} wei tip (max bump tip {max_bump_tip} wei)")]
    InsufficientUnclaimedRewards {
        deposit: DepositId,
        unclaimed: U256,
        tip: U256,
        max_bump_tip: U256,
    },
    /// `Staker__InvalidClaimFeeParameters`.
    #[error(
        "claim fee {amount} wei to {collector} is invalid (max {max} wei, collector must be set)"
    )]
    InvalidClaimFeeParameters {
        amount: U256,
        collector: Address,
        max: U256,
    },
    /// A claim whose reward is below the fee (the contract's underflow revert).
    #[error("deposit {deposit} earned {reward} wei, less than the {fee} wei claim fee")]
    ClaimBelowFee {
        deposit: DepositId,
        reward: U256,
        fee: U256,
    },
    /// Calculator `__DisallowedWhilePaused`.
    #[error("the eligibility oracle is paused")]
    OraclePaused,
    /// Calculator `__DelegateeScoreLocked`.
    #[error("the score of {delegatee} is locked")]
    ScoreLocked { delegatee: Address },
    /// Time never goes backwards.
    #[error("time {at} is before the staker clock {clock}")]
    ClockWentBackwards { at: u64, clock: u64 },
    /// A replayed event does not fit the state (a corrupted log).
    #[error("replayed event does not fit the staker state: {what}")]
    Mismatch { what: &'static str },
    /// Checked arithmetic failed.
    #[error("arithmetic overflow in {what}")]
    Overflow { what: &'static str },
    /// The token refused a movement (balance, allowance, minter window, max supply…).
    #[error(transparent)]
    Token(#[from] TokenError),
}
