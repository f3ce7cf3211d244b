//! Why a ZK token operation was refused: one [`TokenError`] variant per contract rule, naming
//! the values involved.

use alloy_primitives::{Address, U256};

/// Why a token operation was refused; one variant per rule, naming the values involved.
#[allow(missing_docs)] // fields are the values named in each message
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// OpenZeppelin 4.9 "ERC20: transfer/burn amount exceeds balance".
    #[error("insufficient ZK balance: {account} has {balance} wei, needs {needed} wei")]
    InsufficientBalance {
        account: Address,
        balance: U256,
        needed: U256,
    },
    /// OpenZeppelin 4.9 "ERC20: insufficient allowance".
    #[error(
        "insufficient allowance: {owner} lets {spender} spend {allowance} wei, needs {needed} wei"
    )]
    InsufficientAllowance {
        owner: Address,
        spender: Address,
        allowance: U256,
        needed: U256,
    },
    /// ERC20Votes "total supply risks overflowing votes" with ZkTokenV3's 21B `_maxSupply`.
    #[error("mint of {amount} wei would exceed max supply {max} (supply {supply})")]
    ExceedsMaxSupply {
        amount: U256,
        supply: U256,
        max: U256,
    },
    /// OpenZeppelin 4.9 "ERC20: ... the zero address" (transfer, mint, burn, approve); also a
    /// zero delegator or minter address, which the model cannot attribute to a real contract.
    #[error("the zero address is not allowed as {what}")]
    ZeroAddress { what: &'static str },
    /// "ERC20Votes: future lookup": history is only final strictly before `now`.
    #[error("timepoint {timepoint} is not in the past (now {now})")]
    FutureLookup { timepoint: u64, now: u64 },
    /// Block timestamps never decrease, and checkpoint histories must stay sorted.
    #[error("time {at} is before the token clock {clock}")]
    ClockWentBackwards { at: u64, clock: u64 },
    /// The token's OpenZeppelin 4.9 AccessControl revert "AccessControl: account … is missing
    /// role …" (`role` is the contract's constant name).
    #[error("AccessControl: account {account} is missing role {role} on the ZK token")]
    MissingRole {
        account: Address,
        role: &'static str,
    },
    /// The same AccessControl revert from a capped minter.
    #[error("AccessControl: account {account} is missing role {role} on capped minter {minter}")]
    MinterMissingRole {
        minter: Address,
        account: Address,
        role: &'static str,
    },
    /// `ZkCappedMinterV2__CannotGrantDefaultAdmin`: the admin role is never granted again.
    #[error("capped minter {minter}: DEFAULT_ADMIN_ROLE cannot be granted")]
    MinterCannotGrantDefaultAdmin { minter: Address },
    /// A minter already exists at this address (a CREATE2 collision: the deployment reverts).
    #[error("minter {minter} already exists")]
    MinterExists { minter: Address },
    /// No minter at this address.
    #[error("unknown minter {minter}")]
    UnknownMinter { minter: Address },
    /// `ZkCappedMinterV2__InvalidTime`: the start is after the expiry, or in the past.
    #[error("invalid minter window: start {start}, expiry {expiry}, now {now} (need now <= start <= expiry)")]
    MinterInvalidTime { start: u64, expiry: u64, now: u64 },
    /// OpenZeppelin 4.9 "Pausable: paused" (mint or pause while paused).
    #[error("minter {minter} is paused")]
    MinterPaused { minter: Address },
    /// OpenZeppelin 4.9 "Pausable: not paused" (unpause while not paused).
    #[error("minter {minter} is not paused")]
    MinterNotPaused { minter: Address },
    /// `ZkCappedMinterV2__ContractClosed`.
    #[error("minter {minter} is closed")]
    MinterClosed { minter: Address },
    /// `ZkCappedMinterV2__NotStarted`.
    #[error("minter {minter} starts at {start}, now {now}")]
    MinterNotStarted {
        minter: Address,
        start: u64,
        now: u64,
    },
    /// `ZkCappedMinterV2__Expired`: strictly after the (inclusive) expiration time.
    #[error("minter {minter} expired after {expiry}, now {now}")]
    MinterExpired {
        minter: Address,
        expiry: u64,
        now: u64,
    },
    /// `ZkCappedMinterV2__CapExceeded(minter, amount)`, whose `minter` field is the caller
    /// (`caller` here; `minter` is the contract); `minted` gives the context (the cap is in
    /// the minter's state).
    #[error("capped minter {minter} has already minted {minted} wei of its cap: {caller} cannot mint {amount} more")]
    MinterCapExceeded {
        minter: Address,
        caller: Address,
        amount: U256,
        minted: U256,
    },
    /// A replayed `DelegateChanged` does not match the delegator's current delegate.
    #[error("delegate mismatch for {delegator}: event says {recorded}, state has {actual}")]
    DelegateMismatch {
        delegator: Address,
        recorded: Address,
        actual: Address,
    },
    /// Checked arithmetic failed (Solidity's panic 0x11).
    #[error("arithmetic overflow in {what}")]
    ArithmeticOverflow { what: &'static str },
}
