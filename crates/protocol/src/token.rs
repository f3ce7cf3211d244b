//! The ZK token (ZKTokenV3 on ZKsync Era) as an event-sourced state machine.
//!
//! Every state change is a [`TokenEvent`] applied by [`ZkToken::apply`], so a run can be
//! audited and replayed bit for bit. Public methods validate first (an `Err` leaves the token
//! untouched), then emit events and mutate only through `apply`. State lives in persistent
//! `imbl` structures so a caller can snapshot the whole token with an O(1) `clone()`.

use std::cmp::Ordering::{Equal, Greater, Less};

use alloy_primitives::{uint, Address, U256};
use imbl::{OrdMap, OrdSet, Vector};
use serde::{Deserialize, Serialize};

/// ZK uses 18 decimals like ETH; every amount in this module is in wei (10^-18 ZK).
pub const DECIMALS: u8 = 18;

/// ZIP-14: ZKTokenV3 exposes the max supply of 21 billion ZK (in wei); enforced on mint.
pub const MAX_SUPPLY: U256 = uint!(21_000_000_000_000_000_000_000_000_000_U256);

/// AccessControl roles of the token that this model needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// BURNER_ROLE: may burn any holder's ZK without an allowance (ZKToken `burn(from, amount)`).
    Burner,
}

/// One ERC20Votes history entry (OpenZeppelin 4.9 `Checkpoint`): the value from `timepoint` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Clock value in seconds: ZKToken overrides ERC20Votes' clock to `block.timestamp`.
    pub timepoint: u64,
    /// Voting power (or, in the total-supply history, the supply) from `timepoint` on.
    pub votes: U256,
}

/// A ZkCappedMinterV2 instance: the only way new ZK enters circulation after genesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CappedMinter {
    /// Lifetime mint limit (`CAP`), in wei.
    pub cap: U256,
    /// Amount minted so far (`minted`), never above `cap`.
    pub minted: U256,
    /// First second at which minting is allowed (`START_TIME`).
    pub start: u64,
    /// First second at which minting is no longer allowed (window is `[start, expiry)`).
    pub expiry: u64,
    /// Pausable state; a paused minter can be unpaused.
    pub paused: bool,
    /// `close()` is permanent: a closed minter never mints again.
    pub closed: bool,
}

/// Facts recorded by the token; replaying them with [`ZkToken::apply`] rebuilds the state.
/// Amounts are in wei and `at` is the clock in seconds.
#[allow(missing_docs)] // fields are described by each variant's doc
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenEvent {
    /// ERC-20 `Transfer`; `from == ZERO` is a mint and `to == ZERO` a burn. Applying it also
    /// moves supply counters and the vote checkpoints of both sides' delegates at `at`.
    Transfer {
        from: Address,
        to: Address,
        amount: U256,
        at: u64,
    },
    /// ERC-20 `Approval`: the allowance becomes `amount`. Also emitted when `transfer_from`
    /// spends a finite allowance (OpenZeppelin 4.9's `_spendAllowance` does), so replay sees it.
    Approval {
        owner: Address,
        spender: Address,
        amount: U256,
    },
    /// ERC20Votes `DelegateChanged`: moves the delegator's balance between delegates at `at`.
    DelegateChanged {
        delegator: Address,
        from_delegate: Address,
        to_delegate: Address,
        at: u64,
    },
    /// ERC20Votes `DelegateVotesChanged`; informational (a no-op in `apply`).
    DelegateVotesChanged {
        delegate: Address,
        previous: U256,
        new: U256,
        at: u64,
    },
    /// AccessControl `RoleGranted`.
    RoleGranted {
        role: Role,
        account: Address,
        sender: Address,
    },
    /// AccessControl `RoleRevoked`.
    RoleRevoked {
        role: Role,
        account: Address,
        sender: Address,
    },
    /// A ZkCappedMinterV2 was deployed and given the token's minter role.
    MinterCreated {
        minter: Address,
        cap: U256,
        start: u64,
        expiry: u64,
    },
    /// The minter was paused (OpenZeppelin `Paused`).
    MinterPaused { minter: Address },
    /// The minter was unpaused (OpenZeppelin `Unpaused`).
    MinterUnpaused { minter: Address },
    /// The minter was closed for good (ZkCappedMinterV2 `Closed`).
    MinterClosed { minter: Address },
    /// ZkCappedMinterV2 `Minted`: records the minter's usage; the supply change itself
    /// comes from the accompanying `Transfer` from ZERO.
    MinterMinted {
        minter: Address,
        to: Address,
        amount: U256,
        at: u64,
    },
}

/// What every mutating method returns: the emitted events, or why nothing changed.
pub type Emitted = Result<Vec<TokenEvent>, TokenError>;

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
    /// ZIP-14 max supply would be exceeded.
    #[error("mint of {amount} wei would exceed max supply {max} (supply {supply})")]
    ExceedsMaxSupply {
        amount: U256,
        supply: U256,
        max: U256,
    },
    /// OpenZeppelin 4.9 "ERC20: ... the zero address" (transfer, mint, burn, approve); also a
    /// zero delegator, minter or burner, which the model cannot attribute to a real caller.
    #[error("the zero address is not allowed as {what}")]
    ZeroAddress { what: &'static str },
    /// "ERC20Votes: future lookup": history is only final strictly before `now`.
    #[error("timepoint {timepoint} is not in the past (now {now})")]
    FutureLookup { timepoint: u64, now: u64 },
    /// Block timestamps never decrease, and checkpoint histories must stay sorted.
    #[error("time {at} is before the token clock {clock}")]
    ClockWentBackwards { at: u64, clock: u64 },
    /// AccessControl "is missing role" for admin-only actions.
    #[error("unauthorized: {caller} is not the role admin {admin}")]
    Unauthorized { caller: Address, admin: Address },
    /// AccessControl "is missing role" for BURNER_ROLE.
    #[error("{caller} lacks the BURNER role")]
    MissingBurnerRole { caller: Address },
    /// A minter already exists at this address.
    #[error("minter {minter} already exists")]
    MinterExists { minter: Address },
    /// No minter at this address.
    #[error("unknown minter {minter}")]
    UnknownMinter { minter: Address },
    /// ZkCappedMinterV2__InvalidTime.
    #[error("invalid minter window: start {start} must be before expiry {expiry}")]
    InvalidMinterWindow { start: u64, expiry: u64 },
    /// A minter with a zero cap could never mint.
    #[error("minter {minter} must have a non-zero cap")]
    ZeroCap { minter: Address },
    /// Pausable: mint or pause while paused.
    #[error("minter {minter} is paused")]
    MinterPaused { minter: Address },
    /// Pausable: unpause while not paused.
    #[error("minter {minter} is not paused")]
    MinterNotPaused { minter: Address },
    /// ZkCappedMinterV2__ContractClosed.
    #[error("minter {minter} is closed")]
    MinterClosed { minter: Address },
    /// ZkCappedMinterV2__NotStarted.
    #[error("minter {minter} starts at {start}, now {now}")]
    MinterNotStarted {
        minter: Address,
        start: u64,
        now: u64,
    },
    /// ZkCappedMinterV2__Expired.
    #[error("minter {minter} expired at {expiry}, now {now}")]
    MinterExpired {
        minter: Address,
        expiry: u64,
        now: u64,
    },
    /// ZkCappedMinterV2__CapExceeded.
    #[error("minter {minter} has minted {minted} wei of cap {cap}, cannot mint {amount} more")]
    MinterCapExceeded {
        minter: Address,
        minted: U256,
        amount: U256,
        cap: U256,
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

/// Index of the first checkpoint for which `pred` is false (slice `partition_point` for
/// a persistent vector): a binary search, as in ERC20Votes' `_checkpointsLookup`.
fn partition_point(ckpts: &Vector<Checkpoint>, pred: impl Fn(&Checkpoint) -> bool) -> usize {
    match ckpts.binary_search_by(|c| if pred(c) { Less } else { Greater }) {
        Ok(i) | Err(i) => i,
    }
}

/// Value in force at `timepoint`: the last checkpoint at or before it, 0 if none.
fn lookup(ckpts: &Vector<Checkpoint>, timepoint: u64) -> U256 {
    let idx = partition_point(ckpts, |c| c.timepoint <= timepoint);
    idx.checked_sub(1)
        .and_then(|i| ckpts.get(i))
        .map_or(U256::ZERO, |c| c.votes)
}

/// Latest value of a history, 0 if empty.
fn latest(ckpts: &Vector<Checkpoint>) -> U256 {
    ckpts.last().map_or(U256::ZERO, |c| c.votes)
}

/// ERC20Votes `_writeCheckpoint`: a change at the last checkpoint's timepoint updates it in
/// place; an older timepoint is refused so the history stays sorted for binary search.
fn push(ckpts: &mut Vector<Checkpoint>, at: u64, votes: U256) -> Result<(), TokenError> {
    if let Some(last) = ckpts.back_mut() {
        match last.timepoint.cmp(&at) {
            Greater => {
                return Err(TokenError::ClockWentBackwards {
                    at,
                    clock: last.timepoint,
                })
            }
            Equal => {
                last.votes = votes;
                return Ok(());
            }
            Less => {}
        }
    }
    ckpts.push_back(Checkpoint {
        timepoint: at,
        votes,
    });
    Ok(())
}

/// A `Transfer` event (mint if `from` is ZERO, burn if `to` is ZERO).
fn xfer(from: Address, to: Address, amount: U256, at: u64) -> TokenEvent {
    TokenEvent::Transfer {
        from,
        to,
        amount,
        at,
    }
}

fn nonzero(a: Address, what: &'static str) -> Result<(), TokenError> {
    if a.is_zero() {
        Err(TokenError::ZeroAddress { what })
    } else {
        Ok(())
    }
}

fn add(a: U256, b: U256, what: &'static str) -> Result<U256, TokenError> {
    a.checked_add(b)
        .ok_or(TokenError::ArithmeticOverflow { what })
}

fn sub(a: U256, b: U256, what: &'static str) -> Result<U256, TokenError> {
    a.checked_sub(b)
        .ok_or(TokenError::ArithmeticOverflow { what })
}

/// The ZK token: ERC-20 + ERC20Votes + BURNER role + capped minters, event-sourced.
/// `Default` is a token whose role admin is ZERO (nobody can mint or grant roles).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkToken {
    role_admin: Address,
    clock: u64,
    balances: OrdMap<Address, U256>,
    allowances: OrdMap<Address, OrdMap<Address, U256>>,
    delegates: OrdMap<Address, Address>,
    vote_checkpoints: OrdMap<Address, Vector<Checkpoint>>,
    supply_checkpoints: Vector<Checkpoint>,
    burners: OrdSet<Address>,
    minters: OrdMap<Address, CappedMinter>,
    total_supply: U256,
    minted_total: U256,
    burned_total: U256,
}

impl ZkToken {
    /// An empty token whose `role_admin` (DEFAULT_ADMIN_ROLE holder, the governance timelock
    /// on mainnet) manages the BURNER role and the capped minters. The clock starts at 0.
    pub fn new(role_admin: Address) -> Self {
        Self {
            role_admin,
            ..Self::default()
        }
    }

    // ----- views -----

    /// The admin that may grant roles and manage minters.
    pub fn role_admin(&self) -> Address {
        self.role_admin
    }
    /// Latest time recorded by an event; calls with an earlier `now` are refused.
    pub fn clock(&self) -> u64 {
        self.clock
    }
    /// ERC-20 `totalSupply`.
    pub fn total_supply(&self) -> U256 {
        self.total_supply
    }
    /// Everything ever minted (genesis + minters), for supply accounting.
    pub fn minted_total(&self) -> U256 {
        self.minted_total
    }
    /// Everything ever burned; `minted_total - burned_total == total_supply`.
    pub fn burned_total(&self) -> U256 {
        self.burned_total
    }
    /// ERC-20 `balanceOf`.
    pub fn balance_of(&self, account: Address) -> U256 {
        self.balances.get(&account).copied().unwrap_or_default()
    }
    /// ERC-20 `allowance`.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.allowances
            .get(&owner)
            .and_then(|m| m.get(&spender))
            .copied()
            .unwrap_or_default()
    }
    /// ERC20Votes `delegates`: `None` until the account delegates (its balance then has no votes).
    pub fn delegates(&self, account: Address) -> Option<Address> {
        self.delegates.get(&account).copied()
    }
    /// Whether `account` holds BURNER_ROLE.
    pub fn is_burner(&self, account: Address) -> bool {
        self.burners.contains(&account)
    }
    /// The capped minter at `minter`, if created.
    pub fn minter(&self, minter: Address) -> Option<&CappedMinter> {
        self.minters.get(&minter)
    }
    /// ERC20Votes `getVotes`: current voting power delegated to `account`.
    pub fn get_votes(&self, account: Address) -> U256 {
        self.vote_checkpoints
            .get(&account)
            .map_or(U256::ZERO, latest)
    }
    /// ERC20Votes `getPastVotes`: votes at the end of `timepoint`, which must be before `now`.
    pub fn get_past_votes(
        &self,
        account: Address,
        timepoint: u64,
        now: u64,
    ) -> Result<U256, TokenError> {
        if timepoint >= now {
            return Err(TokenError::FutureLookup { timepoint, now });
        }
        Ok(self
            .vote_checkpoints
            .get(&account)
            .map_or(U256::ZERO, |c| lookup(c, timepoint)))
    }
    /// ERC20Votes `getPastTotalSupply`: supply at the end of `timepoint` (before `now`).
    pub fn get_past_total_supply(&self, timepoint: u64, now: u64) -> Result<U256, TokenError> {
        if timepoint >= now {
            return Err(TokenError::FutureLookup { timepoint, now });
        }
        Ok(lookup(&self.supply_checkpoints, timepoint))
    }
    /// ERC20Votes `checkpoints(account, i)` for all `i`: the vote history of a delegate.
    pub fn checkpoints(&self, account: Address) -> Vec<Checkpoint> {
        self.vote_checkpoints
            .get(&account)
            .map_or_else(Vec::new, |c| c.iter().copied().collect())
    }
    /// The total-supply history that `get_past_total_supply` searches.
    pub fn total_supply_checkpoints(&self) -> Vec<Checkpoint> {
        self.supply_checkpoints.iter().copied().collect()
    }

    fn delegate_of(&self, account: Address) -> Address {
        self.delegates
            .get(&account)
            .copied()
            .unwrap_or(Address::ZERO)
    }

    fn check_now(&self, now: u64) -> Result<(), TokenError> {
        if now < self.clock {
            return Err(TokenError::ClockWentBackwards {
                at: now,
                clock: self.clock,
            });
        }
        Ok(())
    }

    fn check_balance(&self, account: Address, needed: U256) -> Result<(), TokenError> {
        let balance = self.balance_of(account);
        if balance < needed {
            return Err(TokenError::InsufficientBalance {
                account,
                balance,
                needed,
            });
        }
        Ok(())
    }

    fn check_mint(&self, amount: U256) -> Result<U256, TokenError> {
        let supply = self.total_supply;
        supply
            .checked_add(amount)
            .filter(|s| *s <= MAX_SUPPLY)
            .ok_or(TokenError::ExceedsMaxSupply {
                amount,
                supply,
                max: MAX_SUPPLY,
            })
    }

    fn only_admin(&self, caller: Address) -> Result<(), TokenError> {
        if caller != self.role_admin {
            return Err(TokenError::Unauthorized {
                caller,
                admin: self.role_admin,
            });
        }
        Ok(())
    }

    fn existing_minter(&self, minter: Address) -> Result<CappedMinter, TokenError> {
        self.minters
            .get(&minter)
            .copied()
            .ok_or(TokenError::UnknownMinter { minter })
    }

    fn open_minter(&self, caller: Address, minter: Address) -> Result<CappedMinter, TokenError> {
        self.only_admin(caller)?;
        let m = self.existing_minter(minter)?;
        if m.closed {
            return Err(TokenError::MinterClosed { minter });
        }
        Ok(m)
    }

    // ----- ERC-20 -----

    /// Mints the initial distribution (the real token's `initialize` mint); respects MAX_SUPPLY.
    /// It is stamped with the current clock, 0 right after construction.
    pub fn mint_genesis(&mut self, to: Address, amount: U256) -> Emitted {
        nonzero(to, "mint recipient")?;
        self.check_mint(amount)?;
        self.commit(vec![xfer(Address::ZERO, to, amount, self.clock)])
    }

    /// ERC-20 `transfer`; moves votes between the two sides' delegates.
    pub fn transfer(&mut self, from: Address, to: Address, amount: U256, now: u64) -> Emitted {
        self.check_now(now)?;
        nonzero(from, "transfer sender")?;
        nonzero(to, "transfer recipient")?;
        self.check_balance(from, amount)?;
        self.commit(vec![xfer(from, to, amount, now)])
    }

    /// ERC-20 `approve`; U256::MAX is an infinite allowance.
    pub fn approve(&mut self, owner: Address, spender: Address, amount: U256) -> Emitted {
        nonzero(owner, "approver")?;
        nonzero(spender, "spender")?;
        self.commit(vec![TokenEvent::Approval {
            owner,
            spender,
            amount,
        }])
    }

    /// ERC-20 `transferFrom`: spends the allowance first (unless infinite), then transfers.
    pub fn transfer_from(
        &mut self,
        spender: Address,
        from: Address,
        to: Address,
        amount: U256,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        nonzero(spender, "spender")?;
        nonzero(from, "transfer sender")?;
        nonzero(to, "transfer recipient")?;
        let allowance = self.allowance(from, spender);
        let mut events = Vec::with_capacity(2);
        if allowance != U256::MAX {
            let remaining =
                allowance
                    .checked_sub(amount)
                    .ok_or(TokenError::InsufficientAllowance {
                        owner: from,
                        spender,
                        allowance,
                        needed: amount,
                    })?;
            events.push(TokenEvent::Approval {
                owner: from,
                spender,
                amount: remaining,
            });
        }
        self.check_balance(from, amount)?;
        events.push(xfer(from, to, amount, now));
        self.commit(events)
    }

    /// ZKTokenV3 public `burn`: any holder destroys its own ZK.
    pub fn burn(&mut self, holder: Address, amount: U256, now: u64) -> Emitted {
        self.check_now(now)?;
        nonzero(holder, "burn holder")?;
        self.check_balance(holder, amount)?;
        self.commit(vec![xfer(holder, Address::ZERO, amount, now)])
    }

    /// ZKToken `burn(from, amount)` restricted to BURNER_ROLE; needs no allowance.
    pub fn burn_from(
        &mut self,
        caller: Address,
        account: Address,
        amount: U256,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        if !self.is_burner(caller) {
            return Err(TokenError::MissingBurnerRole { caller });
        }
        nonzero(account, "burn holder")?;
        self.check_balance(account, amount)?;
        self.commit(vec![xfer(account, Address::ZERO, amount, now)])
    }

    // ----- ERC20Votes -----

    /// ERC20Votes `delegate`: the delegator's whole balance (now and future) counts as votes of
    /// `delegatee`; delegating to ZERO removes the votes (OpenZeppelin allows it).
    pub fn delegate(&mut self, delegator: Address, delegatee: Address, now: u64) -> Emitted {
        self.check_now(now)?;
        nonzero(delegator, "delegator")?;
        let from_delegate = self.delegate_of(delegator);
        self.commit(vec![TokenEvent::DelegateChanged {
            delegator,
            from_delegate,
            to_delegate: delegatee,
            at: now,
        }])
    }

    // ----- roles -----

    /// AccessControl `grantRole(BURNER_ROLE, account)`; a no-op without event if already held.
    pub fn grant_burner(&mut self, caller: Address, account: Address) -> Emitted {
        self.only_admin(caller)?;
        nonzero(account, "burner")?;
        if self.is_burner(account) {
            return Ok(Vec::new());
        }
        self.commit(vec![TokenEvent::RoleGranted {
            role: Role::Burner,
            account,
            sender: caller,
        }])
    }

    /// AccessControl `revokeRole(BURNER_ROLE, account)`; a no-op without event if not held.
    pub fn revoke_burner(&mut self, caller: Address, account: Address) -> Emitted {
        self.only_admin(caller)?;
        if !self.is_burner(account) {
            return Ok(Vec::new());
        }
        self.commit(vec![TokenEvent::RoleRevoked {
            role: Role::Burner,
            account,
            sender: caller,
        }])
    }

    // ----- ZkCappedMinterV2 -----

    /// Deploys a ZkCappedMinterV2 (and grants it the token's MINTER_ROLE), admin only.
    pub fn create_minter(
        &mut self,
        caller: Address,
        minter: Address,
        cap: U256,
        start: u64,
        expiry: u64,
    ) -> Emitted {
        self.only_admin(caller)?;
        nonzero(minter, "minter")?;
        if self.minters.contains_key(&minter) {
            return Err(TokenError::MinterExists { minter });
        }
        if start >= expiry {
            return Err(TokenError::InvalidMinterWindow { start, expiry });
        }
        if cap.is_zero() {
            return Err(TokenError::ZeroCap { minter });
        }
        self.commit(vec![TokenEvent::MinterCreated {
            minter,
            cap,
            start,
            expiry,
        }])
    }

    /// ZkCappedMinterV2 `mint`: open, unpaused, in `[start, expiry)`, within cap and MAX_SUPPLY.
    pub fn minter_mint(&mut self, minter: Address, to: Address, amount: U256, now: u64) -> Emitted {
        self.check_now(now)?;
        let m = self.existing_minter(minter)?;
        if m.closed {
            return Err(TokenError::MinterClosed { minter });
        }
        if m.paused {
            return Err(TokenError::MinterPaused { minter });
        }
        nonzero(to, "mint recipient")?;
        if now < m.start {
            return Err(TokenError::MinterNotStarted {
                minter,
                start: m.start,
                now,
            });
        }
        if now >= m.expiry {
            return Err(TokenError::MinterExpired {
                minter,
                expiry: m.expiry,
                now,
            });
        }
        if m.minted.checked_add(amount).is_none_or(|t| t > m.cap) {
            return Err(TokenError::MinterCapExceeded {
                minter,
                minted: m.minted,
                amount,
                cap: m.cap,
            });
        }
        self.check_mint(amount)?;
        self.commit(vec![
            xfer(Address::ZERO, to, amount, now),
            TokenEvent::MinterMinted {
                minter,
                to,
                amount,
                at: now,
            },
        ])
    }

    /// Pausable `pause`, admin only; refused if closed or already paused.
    pub fn pause_minter(&mut self, caller: Address, minter: Address) -> Emitted {
        if self.open_minter(caller, minter)?.paused {
            return Err(TokenError::MinterPaused { minter });
        }
        self.commit(vec![TokenEvent::MinterPaused { minter }])
    }

    /// Pausable `unpause`, admin only; refused if closed or not paused.
    pub fn unpause_minter(&mut self, caller: Address, minter: Address) -> Emitted {
        if !self.open_minter(caller, minter)?.paused {
            return Err(TokenError::MinterNotPaused { minter });
        }
        self.commit(vec![TokenEvent::MinterUnpaused { minter }])
    }

    /// ZkCappedMinterV2 `close`, admin only: permanent, even for a paused minter.
    pub fn close_minter(&mut self, caller: Address, minter: Address) -> Emitted {
        self.open_minter(caller, minter)?;
        self.commit(vec![TokenEvent::MinterClosed { minter }])
    }

    // ----- event application -----

    /// Applies the events on a snapshot, appending an informational `DelegateVotesChanged` for
    /// each delegate whose votes changed (as ERC20Votes emits them), then swaps the snapshot in.
    fn commit(&mut self, core: Vec<TokenEvent>) -> Emitted {
        let mut next = self.clone();
        let mut out = Vec::with_capacity(core.len() + 2);
        for ev in core {
            let (at, parties) = match ev {
                TokenEvent::Transfer { from, to, at, .. } => {
                    (at, [next.delegate_of(from), next.delegate_of(to)])
                }
                TokenEvent::DelegateChanged {
                    from_delegate,
                    to_delegate,
                    at,
                    ..
                } => (at, [from_delegate, to_delegate]),
                _ => (0, [Address::ZERO; 2]),
            };
            let before = parties.map(|d| (d, next.get_votes(d)));
            next.apply(&ev)?;
            out.push(ev);
            for (delegate, previous) in before {
                let new = next.get_votes(delegate);
                if !delegate.is_zero() && new != previous {
                    let info = TokenEvent::DelegateVotesChanged {
                        delegate,
                        previous,
                        new,
                        at,
                    };
                    next.apply(&info)?;
                    out.push(info);
                }
            }
        }
        *self = next;
        Ok(out)
    }

    /// The only code path that mutates the token. Deterministic, and atomic: an event that would
    /// break an invariant (overdraft, max supply, time going backwards, a stale delegate) is
    /// refused with the state unchanged. Authorization is not re-checked: events are facts
    /// already validated by the method that emitted them.
    pub fn apply(&mut self, ev: &TokenEvent) -> Result<(), TokenError> {
        let mut next = self.clone();
        next.apply_in_place(ev)?;
        *self = next;
        Ok(())
    }

    fn apply_in_place(&mut self, ev: &TokenEvent) -> Result<(), TokenError> {
        match *ev {
            TokenEvent::Transfer {
                from,
                to,
                amount,
                at,
            } => {
                self.tick(at)?;
                if from.is_zero() && to.is_zero() {
                    return Err(TokenError::ZeroAddress {
                        what: "both transfer sides",
                    });
                }
                if from.is_zero() {
                    self.total_supply = self.check_mint(amount)?;
                    self.minted_total = add(self.minted_total, amount, "minted total")?;
                    push(&mut self.supply_checkpoints, at, self.total_supply)?;
                } else {
                    self.check_balance(from, amount)?;
                    let left = self.balance_of(from).saturating_sub(amount);
                    self.set_balance(from, left);
                }
                if to.is_zero() {
                    self.total_supply = sub(self.total_supply, amount, "total supply")?;
                    self.burned_total = add(self.burned_total, amount, "burned total")?;
                    push(&mut self.supply_checkpoints, at, self.total_supply)?;
                } else {
                    let credited = add(self.balance_of(to), amount, "balance")?;
                    self.set_balance(to, credited);
                }
                self.move_votes(self.delegate_of(from), self.delegate_of(to), amount, at)
            }
            TokenEvent::Approval {
                owner,
                spender,
                amount,
            } => {
                let mut inner = self.allowances.get(&owner).cloned().unwrap_or_default();
                if amount.is_zero() {
                    inner.remove(&spender);
                } else {
                    inner.insert(spender, amount);
                }
                if inner.is_empty() {
                    self.allowances.remove(&owner);
                } else {
                    self.allowances.insert(owner, inner);
                }
                Ok(())
            }
            TokenEvent::DelegateChanged {
                delegator,
                from_delegate,
                to_delegate,
                at,
            } => {
                self.tick(at)?;
                let actual = self.delegate_of(delegator);
                if actual != from_delegate {
                    return Err(TokenError::DelegateMismatch {
                        delegator,
                        recorded: from_delegate,
                        actual,
                    });
                }
                if to_delegate.is_zero() {
                    self.delegates.remove(&delegator);
                } else {
                    self.delegates.insert(delegator, to_delegate);
                }
                self.move_votes(from_delegate, to_delegate, self.balance_of(delegator), at)
            }
            TokenEvent::DelegateVotesChanged { .. } => Ok(()),
            TokenEvent::RoleGranted {
                role: Role::Burner,
                account,
                ..
            } => {
                self.burners.insert(account);
                Ok(())
            }
            TokenEvent::RoleRevoked {
                role: Role::Burner,
                account,
                ..
            } => {
                self.burners.remove(&account);
                Ok(())
            }
            TokenEvent::MinterCreated {
                minter,
                cap,
                start,
                expiry,
            } => {
                if self.minters.contains_key(&minter) {
                    return Err(TokenError::MinterExists { minter });
                }
                let m = CappedMinter {
                    cap,
                    minted: U256::ZERO,
                    start,
                    expiry,
                    paused: false,
                    closed: false,
                };
                self.minters.insert(minter, m);
                Ok(())
            }
            TokenEvent::MinterPaused { minter } => self.update_minter(minter, |m| m.paused = true),
            TokenEvent::MinterUnpaused { minter } => {
                self.update_minter(minter, |m| m.paused = false)
            }
            TokenEvent::MinterClosed { minter } => self.update_minter(minter, |m| m.closed = true),
            TokenEvent::MinterMinted {
                minter, amount, at, ..
            } => {
                self.tick(at)?;
                let mut m = self.existing_minter(minter)?;
                m.minted = m.minted.checked_add(amount).filter(|t| *t <= m.cap).ok_or(
                    TokenError::MinterCapExceeded {
                        minter,
                        minted: m.minted,
                        amount,
                        cap: m.cap,
                    },
                )?;
                self.minters.insert(minter, m);
                Ok(())
            }
        }
    }

    fn tick(&mut self, at: u64) -> Result<(), TokenError> {
        self.check_now(at)?;
        self.clock = at;
        Ok(())
    }

    fn set_balance(&mut self, account: Address, balance: U256) {
        if balance.is_zero() {
            self.balances.remove(&account);
        } else {
            self.balances.insert(account, balance);
        }
    }

    fn update_minter(
        &mut self,
        minter: Address,
        f: impl FnOnce(&mut CappedMinter),
    ) -> Result<(), TokenError> {
        let mut m = self.existing_minter(minter)?;
        f(&mut m);
        self.minters.insert(minter, m);
        Ok(())
    }

    /// ERC20Votes `_moveVotingPower`: nothing moves if both sides are the same or amount is 0.
    fn move_votes(
        &mut self,
        src: Address,
        dst: Address,
        amount: U256,
        at: u64,
    ) -> Result<(), TokenError> {
        if src == dst || amount.is_zero() {
            return Ok(());
        }
        if !src.is_zero() {
            let votes = sub(self.get_votes(src), amount, "delegate votes")?;
            self.write_votes(src, at, votes)?;
        }
        if !dst.is_zero() {
            let votes = add(self.get_votes(dst), amount, "delegate votes")?;
            self.write_votes(dst, at, votes)?;
        }
        Ok(())
    }

    fn write_votes(&mut self, delegate: Address, at: u64, votes: U256) -> Result<(), TokenError> {
        let mut ckpts = self
            .vote_checkpoints
            .get(&delegate)
            .cloned()
            .unwrap_or_default();
        push(&mut ckpts, at, votes)?;
        self.vote_checkpoints.insert(delegate, ckpts);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use TokenError as E;
    use TokenEvent as Ev;

    const ADMIN: Address = Address::repeat_byte(0xad);
    const A: Address = Address::repeat_byte(1);
    const B: Address = Address::repeat_byte(2);
    const C: Address = Address::repeat_byte(3);
    const Z: Address = Address::ZERO;

    fn w(n: u64) -> U256 {
        U256::from(n)
    }

    /// A token with 1000 wei minted to A at genesis (clock 0).
    fn token() -> ZkToken {
        let mut t = ZkToken::new(ADMIN);
        t.mint_genesis(A, w(1000)).unwrap();
        t
    }

    /// `f` must fail with exactly `want` and leave the token equal to its snapshot.
    fn rejects(t: &mut ZkToken, want: TokenError, f: impl FnOnce(&mut ZkToken) -> Emitted) {
        let before = t.clone();
        assert_eq!(f(t), Err(want));
        assert_eq!(*t, before);
    }

    // Short constructors keep the expected values on one line each.
    fn low(account: Address, balance: u64, needed: u64) -> TokenError {
        let (balance, needed) = (w(balance), w(needed));
        E::InsufficientBalance {
            account,
            balance,
            needed,
        }
    }
    fn zero(what: &'static str) -> TokenError {
        E::ZeroAddress { what }
    }
    fn unauthorized(caller: Address) -> TokenError {
        E::Unauthorized {
            caller,
            admin: ADMIN,
        }
    }
    fn over_max(amount: U256, supply: U256) -> TokenError {
        E::ExceedsMaxSupply {
            amount,
            supply,
            max: MAX_SUPPLY,
        }
    }
    fn over_cap(minter: Address, minted: u64, amount: U256, cap: u64) -> TokenError {
        let (minted, cap) = (w(minted), w(cap));
        E::MinterCapExceeded {
            minter,
            minted,
            amount,
            cap,
        }
    }
    fn dvc(delegate: Address, previous: u64, new: u64, at: u64) -> TokenEvent {
        let (previous, new) = (w(previous), w(new));
        Ev::DelegateVotesChanged {
            delegate,
            previous,
            new,
            at,
        }
    }
    fn changed(
        delegator: Address,
        from_delegate: Address,
        to_delegate: Address,
        at: u64,
    ) -> TokenEvent {
        Ev::DelegateChanged {
            delegator,
            from_delegate,
            to_delegate,
            at,
        }
    }
    fn approval(owner: Address, spender: Address, amount: u64) -> TokenEvent {
        let amount = w(amount);
        Ev::Approval {
            owner,
            spender,
            amount,
        }
    }
    fn minted(minter: Address, to: Address, amount: u64, at: u64) -> TokenEvent {
        let amount = w(amount);
        Ev::MinterMinted {
            minter,
            to,
            amount,
            at,
        }
    }
    fn ckpt(timepoint: u64, votes: u64) -> Checkpoint {
        let votes = w(votes);
        Checkpoint { timepoint, votes }
    }

    #[test]
    fn max_supply_is_21_billion_zk() {
        let wei_per_zk = U256::from(10u64).pow(U256::from(DECIMALS));
        assert_eq!(MAX_SUPPLY, w(21_000_000_000) * wei_per_zk);
    }

    #[test]
    fn transfers_move_balances_and_rejections_change_nothing() {
        let mut t = token();
        assert_eq!(t.transfer(A, B, w(300), 5), Ok(vec![xfer(A, B, w(300), 5)]));
        assert_eq!((t.balance_of(A), t.balance_of(B)), (w(700), w(300)));
        assert_eq!((t.total_supply(), t.clock()), (w(1000), 5));
        t.transfer(A, A, w(700), 5).unwrap();
        assert_eq!(t.balance_of(A), w(700));
        rejects(&mut t, low(A, 700, 701), |t| t.transfer(A, B, w(701), 5));
        rejects(&mut t, zero("transfer recipient"), |t| {
            t.transfer(A, Z, w(1), 5)
        });
        rejects(&mut t, zero("transfer sender"), |t| {
            t.transfer(Z, B, w(0), 5)
        });
        let want = E::ClockWentBackwards { at: 4, clock: 5 };
        rejects(&mut t, want, |t| t.transfer(A, B, w(1), 4));
    }

    #[test]
    fn allowances_are_spent_unless_infinite() {
        let mut t = token();
        assert_eq!(t.approve(A, B, w(100)), Ok(vec![approval(A, B, 100)]));
        let (allowance, needed) = (w(100), w(101));
        let want = E::InsufficientAllowance {
            owner: A,
            spender: B,
            allowance,
            needed,
        };
        rejects(&mut t, want, |t| t.transfer_from(B, A, C, needed, 1));
        let evs = t.transfer_from(B, A, C, w(40), 1);
        assert_eq!(evs, Ok(vec![approval(A, B, 60), xfer(A, C, w(40), 1)]));
        assert_eq!((t.allowance(A, B), t.balance_of(C)), (w(60), w(40)));
        t.approve(A, B, U256::MAX).unwrap();
        assert_eq!(
            t.transfer_from(B, A, C, w(500), 2),
            Ok(vec![xfer(A, C, w(500), 2)])
        );
        assert_eq!(t.allowance(A, B), U256::MAX);
        rejects(&mut t, low(A, 460, 461), |t| {
            t.transfer_from(B, A, C, w(461), 2)
        });
        rejects(&mut t, zero("spender"), |t| t.approve(A, Z, w(1)));
        rejects(&mut t, zero("approver"), |t| t.approve(Z, A, w(1)));
        t.approve(A, B, w(0)).unwrap();
        assert_eq!(t.allowance(A, B), w(0));
        assert!(t.allowances.is_empty());
    }

    #[test]
    fn votes_count_only_after_delegation() {
        let mut t = token();
        assert_eq!(t.get_votes(A), w(0));
        assert_eq!(
            t.delegate(A, A, 1),
            Ok(vec![changed(A, Z, A, 1), dvc(A, 0, 1000, 1)])
        );
        t.transfer(A, B, w(400), 2).unwrap();
        assert_eq!((t.get_votes(A), t.get_votes(B)), (w(600), w(0)));
        t.delegate(B, C, 3).unwrap();
        assert_eq!((t.get_votes(C), t.delegates(B)), (w(400), Some(C)));
        let want = vec![changed(A, A, C, 4), dvc(A, 600, 0, 4), dvc(C, 400, 1000, 4)];
        assert_eq!(t.delegate(A, C, 4), Ok(want));
        assert_eq!(t.delegate(A, C, 5), Ok(vec![changed(A, C, C, 5)]));
        assert_eq!(t.transfer(B, A, w(0), 5), Ok(vec![xfer(B, A, w(0), 5)]));
        t.delegate(B, Z, 5).unwrap();
        assert_eq!((t.get_votes(C), t.delegates(B)), (w(600), None));
        rejects(&mut t, zero("delegator"), |t| t.delegate(Z, A, 5));
    }

    #[test]
    fn past_votes_follow_checkpoints() {
        let mut t = token();
        t.delegate(A, A, 10).unwrap();
        t.transfer(A, B, w(100), 20).unwrap();
        t.delegate(B, A, 30).unwrap();
        t.transfer(B, C, w(50), 40).unwrap();
        let history = [
            (9, 0),
            (10, 1000),
            (15, 1000),
            (20, 900),
            (29, 900),
            (30, 1000),
            (40, 950),
        ];
        for (at, votes) in history {
            assert_eq!(t.get_past_votes(A, at, 41), Ok(w(votes)), "at {at}");
        }
        assert_eq!(t.get_past_votes(B, 35, 41), Ok(w(0)));
        let future = |timepoint| Err(E::FutureLookup { timepoint, now: 41 });
        assert_eq!(t.get_past_votes(A, 41, 41), future(41));
        assert_eq!(t.get_past_votes(A, 50, 41), future(50));
        let want = vec![ckpt(10, 1000), ckpt(20, 900), ckpt(30, 1000), ckpt(40, 950)];
        assert_eq!(t.checkpoints(A), want);
    }

    #[test]
    fn same_timepoint_updates_last_checkpoint_in_place() {
        let mut t = token();
        t.delegate(A, A, 7).unwrap();
        t.transfer(A, B, w(1), 7).unwrap();
        t.transfer(A, B, w(2), 7).unwrap();
        assert_eq!(t.checkpoints(A), vec![ckpt(7, 997)]);
        t.transfer(A, B, w(3), 8).unwrap();
        assert_eq!(t.checkpoints(A), vec![ckpt(7, 997), ckpt(8, 994)]);
        // A self-transfer moves no votes, so it writes no checkpoint (OZ `_moveDelegateVotes`).
        t.transfer(A, A, w(5), 9).unwrap();
        assert_eq!(t.checkpoints(A), vec![ckpt(7, 997), ckpt(8, 994)]);
    }

    #[test]
    fn past_total_supply_tracks_mints_and_burns() {
        let mut t = token();
        t.create_minter(ADMIN, C, w(500), 5, 100).unwrap();
        t.minter_mint(C, B, w(200), 10).unwrap();
        t.burn(A, w(50), 20).unwrap();
        for (at, supply) in [(0, 1000), (9, 1000), (10, 1200), (19, 1200), (20, 1150)] {
            assert_eq!(t.get_past_total_supply(at, 21), Ok(w(supply)), "at {at}");
        }
        let want = Err(E::FutureLookup {
            timepoint: 21,
            now: 21,
        });
        assert_eq!(t.get_past_total_supply(21, 21), want);
        assert_eq!((t.minted_total(), t.burned_total()), (w(1200), w(50)));
        assert_eq!(t.total_supply_checkpoints().len(), 3);
    }

    #[test]
    fn holders_burn_their_own_balance() {
        let mut t = token();
        t.delegate(A, A, 1).unwrap();
        assert_eq!(
            t.burn(A, w(100), 2),
            Ok(vec![xfer(A, Z, w(100), 2), dvc(A, 1000, 900, 2)])
        );
        let counters = (t.total_supply(), t.burned_total(), t.get_votes(A));
        assert_eq!(counters, (w(900), w(100), w(900)));
        rejects(&mut t, low(A, 900, 901), |t| t.burn(A, w(901), 2));
        rejects(&mut t, zero("burn holder"), |t| t.burn(Z, w(0), 2));
    }

    #[test]
    fn burn_from_needs_the_burner_role() {
        let mut t = token();
        let missing = E::MissingBurnerRole { caller: B };
        rejects(&mut t, missing.clone(), |t| t.burn_from(B, A, w(1), 1));
        rejects(&mut t, unauthorized(B), |t| t.grant_burner(B, B));
        let granted = Ev::RoleGranted {
            role: Role::Burner,
            account: B,
            sender: ADMIN,
        };
        assert_eq!(t.grant_burner(ADMIN, B), Ok(vec![granted]));
        assert_eq!(t.grant_burner(ADMIN, B), Ok(vec![]));
        t.burn_from(B, A, w(10), 1).unwrap();
        assert_eq!((t.balance_of(A), t.total_supply()), (w(990), w(990)));
        rejects(&mut t, low(A, 990, 991), |t| t.burn_from(B, A, w(991), 1));
        rejects(&mut t, zero("burn holder"), |t| t.burn_from(B, Z, w(0), 1));
        rejects(&mut t, unauthorized(A), |t| t.revoke_burner(A, B));
        let revoked = Ev::RoleRevoked {
            role: Role::Burner,
            account: B,
            sender: ADMIN,
        };
        assert_eq!(t.revoke_burner(ADMIN, B), Ok(vec![revoked]));
        assert!(!t.is_burner(B));
        rejects(&mut t, missing, |t| t.burn_from(B, A, w(1), 1));
    }

    #[test]
    fn minter_window_is_start_inclusive_expiry_exclusive() {
        let mut t = ZkToken::new(ADMIN);
        let created = Ev::MinterCreated {
            minter: C,
            cap: w(100),
            start: 10,
            expiry: 20,
        };
        assert_eq!(t.create_minter(ADMIN, C, w(100), 10, 20), Ok(vec![created]));
        let want = E::MinterNotStarted {
            minter: C,
            start: 10,
            now: 9,
        };
        rejects(&mut t, want, |t| t.minter_mint(C, A, w(1), 9));
        let evs = t.minter_mint(C, A, w(1), 10);
        assert_eq!(evs, Ok(vec![xfer(Z, A, w(1), 10), minted(C, A, 1, 10)]));
        t.minter_mint(C, A, w(1), 19).unwrap();
        let want = E::MinterExpired {
            minter: C,
            expiry: 20,
            now: 20,
        };
        rejects(&mut t, want, |t| t.minter_mint(C, A, w(1), 20));
        assert_eq!(t.minter(C).map(|m| m.minted), Some(w(2)));
        rejects(&mut t, E::UnknownMinter { minter: B }, |t| {
            t.minter_mint(B, A, w(1), 19)
        });
        rejects(&mut t, zero("mint recipient"), |t| {
            t.minter_mint(C, Z, w(1), 19)
        });
    }

    #[test]
    fn minter_cap_is_a_lifetime_limit() {
        let mut t = ZkToken::new(ADMIN);
        t.create_minter(ADMIN, C, w(100), 0, 1000).unwrap();
        t.minter_mint(C, A, w(60), 1).unwrap();
        rejects(&mut t, over_cap(C, 60, w(41), 100), |t| {
            t.minter_mint(C, A, w(41), 2)
        });
        let want = over_cap(C, 60, U256::MAX, 100);
        rejects(&mut t, want, |t| t.minter_mint(C, A, U256::MAX, 2));
        t.minter_mint(C, B, w(40), 2).unwrap();
        rejects(&mut t, over_cap(C, 100, w(1), 100), |t| {
            t.minter_mint(C, A, w(1), 3)
        });
        assert_eq!(t.total_supply(), w(100));
    }

    #[test]
    fn minter_pause_unpause_and_permanent_close() {
        let mut t = ZkToken::new(ADMIN);
        t.create_minter(ADMIN, C, w(100), 0, 1000).unwrap();
        rejects(&mut t, unauthorized(A), |t| t.pause_minter(A, C));
        assert_eq!(
            t.pause_minter(ADMIN, C),
            Ok(vec![Ev::MinterPaused { minter: C }])
        );
        let paused = E::MinterPaused { minter: C };
        rejects(&mut t, paused.clone(), |t| t.minter_mint(C, A, w(1), 1));
        rejects(&mut t, paused, |t| t.pause_minter(ADMIN, C));
        rejects(&mut t, unauthorized(A), |t| t.unpause_minter(A, C));
        assert_eq!(
            t.unpause_minter(ADMIN, C),
            Ok(vec![Ev::MinterUnpaused { minter: C }])
        );
        rejects(&mut t, E::MinterNotPaused { minter: C }, |t| {
            t.unpause_minter(ADMIN, C)
        });
        t.minter_mint(C, A, w(1), 1).unwrap();
        t.pause_minter(ADMIN, C).unwrap();
        rejects(&mut t, unauthorized(A), |t| t.close_minter(A, C));
        assert_eq!(
            t.close_minter(ADMIN, C),
            Ok(vec![Ev::MinterClosed { minter: C }])
        );
        let closed = E::MinterClosed { minter: C };
        rejects(&mut t, closed.clone(), |t| t.minter_mint(C, A, w(1), 2));
        rejects(&mut t, closed.clone(), |t| t.unpause_minter(ADMIN, C));
        rejects(&mut t, closed.clone(), |t| t.pause_minter(ADMIN, C));
        rejects(&mut t, closed, |t| t.close_minter(ADMIN, C));
        rejects(&mut t, E::UnknownMinter { minter: B }, |t| {
            t.close_minter(ADMIN, B)
        });
    }

    #[test]
    fn create_minter_validates_its_parameters() {
        let mut t = ZkToken::new(ADMIN);
        rejects(&mut t, unauthorized(A), |t| {
            t.create_minter(A, C, w(1), 0, 1)
        });
        rejects(&mut t, zero("minter"), |t| {
            t.create_minter(ADMIN, Z, w(1), 0, 1)
        });
        let want = E::InvalidMinterWindow {
            start: 5,
            expiry: 5,
        };
        rejects(&mut t, want, |t| t.create_minter(ADMIN, C, w(1), 5, 5));
        rejects(&mut t, E::ZeroCap { minter: C }, |t| {
            t.create_minter(ADMIN, C, w(0), 0, 1)
        });
        t.create_minter(ADMIN, C, w(1), 0, 1).unwrap();
        rejects(&mut t, E::MinterExists { minter: C }, |t| {
            t.create_minter(ADMIN, C, w(1), 0, 1)
        });
    }

    #[test]
    fn max_supply_caps_genesis_and_minters() {
        let mut t = ZkToken::new(ADMIN);
        let too_much = MAX_SUPPLY + w(1);
        rejects(&mut t, over_max(too_much, w(0)), |t| {
            t.mint_genesis(A, too_much)
        });
        rejects(&mut t, over_max(U256::MAX, w(0)), |t| {
            t.mint_genesis(A, U256::MAX)
        });
        rejects(&mut t, zero("mint recipient"), |t| t.mint_genesis(Z, w(1)));
        t.mint_genesis(A, MAX_SUPPLY - w(1)).unwrap();
        t.create_minter(ADMIN, C, w(10), 0, 100).unwrap();
        let want = over_max(w(2), MAX_SUPPLY - w(1));
        rejects(&mut t, want, |t| t.minter_mint(C, B, w(2), 1));
        t.minter_mint(C, B, w(1), 1).unwrap();
        assert_eq!(t.total_supply(), MAX_SUPPLY);
    }

    #[test]
    fn apply_refuses_inconsistent_events_atomically() {
        let mut t = token();
        t.delegate(A, A, 5).unwrap();
        let cases = [
            (xfer(B, C, w(1), 5), low(B, 0, 1)),
            (
                xfer(A, B, w(1), 4),
                E::ClockWentBackwards { at: 4, clock: 5 },
            ),
            (xfer(Z, Z, w(1), 5), zero("both transfer sides")),
            (xfer(Z, A, MAX_SUPPLY, 5), over_max(MAX_SUPPLY, w(1000))),
            (
                changed(A, B, C, 5),
                E::DelegateMismatch {
                    delegator: A,
                    recorded: B,
                    actual: A,
                },
            ),
            (minted(C, A, 1, 5), E::UnknownMinter { minter: C }),
            (
                Ev::MinterClosed { minter: C },
                E::UnknownMinter { minter: C },
            ),
        ];
        for (ev, err) in cases {
            let before = t.clone();
            assert_eq!(t.apply(&ev), Err(err));
            assert_eq!(t, before);
        }
        let before = t.clone();
        assert_eq!(t.apply(&dvc(A, 0, 5, 9)), Ok(()));
        assert_eq!(t, before);
    }

    #[test]
    fn error_messages_name_the_values() {
        let msg = format!("insufficient ZK balance: {A} has 1 wei, needs 2 wei");
        assert_eq!(low(A, 1, 2).to_string(), msg);
        assert_eq!(
            E::MissingBurnerRole { caller: B }.to_string(),
            format!("{B} lacks the BURNER role")
        );
        let e = E::FutureLookup {
            timepoint: 5,
            now: 4,
        };
        assert_eq!(e.to_string(), "timepoint 5 is not in the past (now 4)");
        let msg = format!("mint of 3 wei would exceed max supply {MAX_SUPPLY} (supply 1)");
        assert_eq!(over_max(w(3), w(1)).to_string(), msg);
    }

    #[test]
    fn snapshots_serde_and_replay_reproduce_the_token() {
        let mut t = ZkToken::new(ADMIN);
        let mut log = t.mint_genesis(A, w(1000)).unwrap();
        let snapshot = t.clone();
        log.extend(t.delegate(A, B, 3).unwrap());
        log.extend(t.approve(A, C, w(10)).unwrap());
        log.extend(t.transfer_from(C, A, B, w(5), 4).unwrap());
        log.extend(t.grant_burner(ADMIN, C).unwrap());
        log.extend(t.burn_from(C, B, w(5), 6).unwrap());
        log.extend(t.create_minter(ADMIN, C, w(9), 6, 9).unwrap());
        log.extend(t.minter_mint(C, A, w(9), 7).unwrap());
        assert_eq!(snapshot.balance_of(A), w(1000));
        assert_ne!(snapshot, t);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<ZkToken>(&json).unwrap(), t);
        let json = serde_json::to_string(&log).unwrap();
        assert_eq!(serde_json::from_str::<Vec<TokenEvent>>(&json).unwrap(), log);
        let mut fresh = ZkToken::new(ADMIN);
        for ev in &log {
            fresh.apply(ev).unwrap();
        }
        assert_eq!(fresh, t);
    }

    type Step = (u8, usize, usize, usize, usize, u64, u64);

    fn who(i: usize) -> Address {
        [ADMIN, A, B, C, Z][i % 5]
    }

    fn amount(i: usize) -> U256 {
        let zk = U256::from(10u64).pow(U256::from(DECIMALS));
        [
            w(0),
            w(1),
            w(7),
            w(1000),
            zk,
            MAX_SUPPLY / w(2),
            MAX_SUPPLY,
            U256::MAX,
        ][i % 8]
    }

    /// Runs one random operation; admin calls come from ADMIN 3 times in 5 and minters are
    /// mostly C, so both successes and every kind of failure are frequent.
    fn run(t: &mut ZkToken, (k, a, b, c, x, s, l): Step, now: u64) -> Emitted {
        let admin = if a < 3 { ADMIN } else { who(a) };
        let (m, ma) = ([C, C, B, Z, A][b % 5], [C, C, B, Z, A][a % 5]);
        let (a, b, c, x) = (who(a), who(b), who(c), amount(x));
        let small = x % w(2000);
        match k {
            0 => t.mint_genesis(a, x),
            1 => t.transfer(a, b, small, now),
            2 => t.approve(a, b, x),
            3 => t.transfer_from(a, b, c, small, now),
            4 => t.delegate(a, b, now),
            5 => t.burn(a, small, now),
            6 => t.burn_from(a, b, small, now),
            7 => t.grant_burner(admin, b),
            8 => t.revoke_burner(admin, b),
            9 => t.create_minter(admin, m, x, now + s, now + s + l),
            10 => t.minter_mint(ma, c, x % w(3000), now),
            11 => t.pause_minter(admin, m),
            12 => t.unpause_minter(admin, m),
            _ => t.close_minter(admin, m),
        }
    }

    fn check_invariants(t: &ZkToken) -> Result<(), TestCaseError> {
        let supply = t.total_supply();
        prop_assert!(supply <= MAX_SUPPLY);
        prop_assert_eq!(t.balances.values().sum::<U256>(), supply);
        prop_assert_eq!(t.minted_total() - t.burned_total(), supply);
        let last = t
            .total_supply_checkpoints()
            .last()
            .map_or(w(0), |c| c.votes);
        prop_assert_eq!(last, supply);
        let mut delegated: BTreeMap<Address, U256> = BTreeMap::new();
        for (holder, delegate) in t.delegates.iter() {
            *delegated.entry(*delegate).or_default() += t.balance_of(*holder);
        }
        for (delegate, votes) in &delegated {
            prop_assert_eq!(t.get_votes(*delegate), *votes);
        }
        let all_votes: U256 = t.vote_checkpoints.keys().map(|d| t.get_votes(*d)).sum();
        prop_assert_eq!(all_votes, delegated.values().sum::<U256>());
        for m in t.minters.values() {
            prop_assert!(m.minted <= m.cap);
        }
        Ok(())
    }

    fn step() -> impl Strategy<Value = (Step, u64, bool)> {
        let op = (
            0u8..14,
            0..5usize,
            0..5usize,
            0..5usize,
            0..8usize,
            0u64..4,
            0u64..5,
        );
        (op, 0u64..3, prop::bool::weighted(0.1))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn random_runs_keep_invariants_and_replay(steps in prop::collection::vec(step(), 1..60)) {
            let mut t = ZkToken::new(ADMIN);
            // A minter that exists from the start, so minting often gets past "unknown minter".
            let (mut now, mut log) = (0u64, t.create_minter(ADMIN, C, w(5000), 0, 40).unwrap());
            for (op, dt, stale) in steps {
                now += dt;
                let before = t.clone();
                match run(&mut t, op, if stale { now.saturating_sub(2) } else { now }) {
                    Ok(evs) => {
                        let mut replay = before;
                        for ev in &evs {
                            prop_assert_eq!(replay.apply(ev), Ok(()));
                        }
                        prop_assert_eq!(&replay, &t);
                        log.extend(evs);
                    }
                    Err(_) => prop_assert_eq!(&t, &before),
                }
                check_invariants(&t)?;
            }
            let mut fresh = ZkToken::new(ADMIN);
            for ev in &log {
                prop_assert_eq!(fresh.apply(ev), Ok(()));
            }
            prop_assert_eq!(fresh, t);
        }
    }
}
