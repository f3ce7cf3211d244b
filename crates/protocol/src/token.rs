//! The ZK token (ZKTokenV3 on ZKsync Era) as an event-sourced state machine.
//!
//! Every state change is a [`TokenEvent`] applied by [`ZkToken::apply`], so a run can be
//! audited and replayed bit for bit. Public methods validate first (an `Err` leaves the token
//! untouched), then emit events and mutate only through `apply`. State lives in persistent
//! `imbl` structures so a caller can snapshot the whole token with an O(1) `clone()`.

use std::cmp::Ordering;

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

/// One entry of an OpenZeppelin `Checkpoints.Trace208` history: the value from `timepoint` on.
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
    /// spends a finite allowance (as OpenZeppelin 4.x did), so replay sees the decrease.
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

/// Why a token operation was refused; one variant per rule, naming the values involved.
#[allow(missing_docs)] // fields are the values named in each message
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// ERC20InsufficientBalance.
    #[error("insufficient ZK balance: {account} has {balance} wei, needs {needed} wei")]
    InsufficientBalance {
        account: Address,
        balance: U256,
        needed: U256,
    },
    /// ERC20InsufficientAllowance.
    #[error("insufficient allowance: {spender} may spend {allowance} wei of {owner}, needs {needed} wei")]
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
    /// ERC20InvalidSender/Receiver/Approver/Spender and ERC20Votes' zero delegator.
    #[error("the zero address is not allowed as {what}")]
    ZeroAddress { what: &'static str },
    /// ERC5805FutureLookup: history is only defined strictly before `now`.
    #[error("timepoint {timepoint} is not in the past (now {now})")]
    FutureLookup { timepoint: u64, now: u64 },
    /// Time went backwards (Checkpoints' CheckpointUnorderedInsertion).
    #[error("time {at} is before the token clock {clock}")]
    ClockWentBackwards { at: u64, clock: u64 },
    /// AccessControlUnauthorizedAccount for admin-only actions.
    #[error("unauthorized: {caller} is not the role admin {admin}")]
    Unauthorized { caller: Address, admin: Address },
    /// AccessControlUnauthorizedAccount for BURNER_ROLE.
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
    /// Pausable EnforcedPause (mint or pause while paused).
    #[error("minter {minter} is paused")]
    MinterPaused { minter: Address },
    /// Pausable ExpectedPause (unpause while not paused).
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
/// a persistent vector): a binary search, as in OpenZeppelin's `upperLookupRecent`.
fn partition_point(ckpts: &Vector<Checkpoint>, pred: impl Fn(&Checkpoint) -> bool) -> usize {
    match ckpts.binary_search_by(|c| {
        if pred(c) {
            Ordering::Less
        } else {
            Ordering::Greater
        }
    }) {
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

/// OpenZeppelin `Checkpoints._insert`: same timepoint updates in place, older is refused.
fn push(ckpts: &mut Vector<Checkpoint>, at: u64, votes: U256) -> Result<(), TokenError> {
    if let Some(last) = ckpts.back_mut() {
        match last.timepoint.cmp(&at) {
            Ordering::Greater => {
                return Err(TokenError::ClockWentBackwards {
                    at,
                    clock: last.timepoint,
                })
            }
            Ordering::Equal => {
                last.votes = votes;
                return Ok(());
            }
            Ordering::Less => {}
        }
    }
    ckpts.push_back(Checkpoint {
        timepoint: at,
        votes,
    });
    Ok(())
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

/// The ZK token: ERC-20 + ERC20Votes + BURNER role + capped minters, event-sourced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
            clock: 0,
            balances: OrdMap::new(),
            allowances: OrdMap::new(),
            delegates: OrdMap::new(),
            vote_checkpoints: OrdMap::new(),
            supply_checkpoints: Vector::new(),
            burners: OrdSet::new(),
            minters: OrdMap::new(),
            total_supply: U256::ZERO,
            minted_total: U256::ZERO,
            burned_total: U256::ZERO,
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
    pub fn mint_genesis(
        &mut self,
        to: Address,
        amount: U256,
    ) -> Result<Vec<TokenEvent>, TokenError> {
        nonzero(to, "mint recipient")?;
        self.check_mint(amount)?;
        self.commit(vec![TokenEvent::Transfer {
            from: Address::ZERO,
            to,
            amount,
            at: self.clock,
        }])
    }

    /// ERC-20 `transfer`; moves votes between the two sides' delegates.
    pub fn transfer(
        &mut self,
        from: Address,
        to: Address,
        amount: U256,
        now: u64,
    ) -> Result<Vec<TokenEvent>, TokenError> {
        self.check_now(now)?;
        nonzero(from, "transfer sender")?;
        nonzero(to, "transfer recipient")?;
        self.check_balance(from, amount)?;
        self.commit(vec![TokenEvent::Transfer {
            from,
            to,
            amount,
            at: now,
        }])
    }

    /// ERC-20 `approve`; U256::MAX is an infinite allowance.
    pub fn approve(
        &mut self,
        owner: Address,
        spender: Address,
        amount: U256,
    ) -> Result<Vec<TokenEvent>, TokenError> {
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
    ) -> Result<Vec<TokenEvent>, TokenError> {
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
        events.push(TokenEvent::Transfer {
            from,
            to,
            amount,
            at: now,
        });
        self.commit(events)
    }

    /// ZKTokenV3 public `burn`: any holder destroys its own ZK.
    pub fn burn(
        &mut self,
        holder: Address,
        amount: U256,
        now: u64,
    ) -> Result<Vec<TokenEvent>, TokenError> {
        self.check_now(now)?;
        nonzero(holder, "burn holder")?;
        self.check_balance(holder, amount)?;
        self.commit(vec![TokenEvent::Transfer {
            from: holder,
            to: Address::ZERO,
            amount,
            at: now,
        }])
    }

    /// ZKToken `burn(from, amount)` restricted to BURNER_ROLE; needs no allowance.
    pub fn burn_from(
        &mut self,
        caller: Address,
        account: Address,
        amount: U256,
        now: u64,
    ) -> Result<Vec<TokenEvent>, TokenError> {
        self.check_now(now)?;
        if !self.is_burner(caller) {
            return Err(TokenError::MissingBurnerRole { caller });
        }
        nonzero(account, "burn holder")?;
        self.check_balance(account, amount)?;
        self.commit(vec![TokenEvent::Transfer {
            from: account,
            to: Address::ZERO,
            amount,
            at: now,
        }])
    }

    // ----- ERC20Votes -----

    /// ERC20Votes `delegate`: the delegator's whole balance (now and future) counts as votes of
    /// `delegatee`; delegating to ZERO removes the votes (OpenZeppelin allows it).
    pub fn delegate(
        &mut self,
        delegator: Address,
        delegatee: Address,
        now: u64,
    ) -> Result<Vec<TokenEvent>, TokenError> {
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
    pub fn grant_burner(
        &mut self,
        caller: Address,
        account: Address,
    ) -> Result<Vec<TokenEvent>, TokenError> {
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
    pub fn revoke_burner(
        &mut self,
        caller: Address,
        account: Address,
    ) -> Result<Vec<TokenEvent>, TokenError> {
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
    ) -> Result<Vec<TokenEvent>, TokenError> {
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

    /// ZkCappedMinterV2 `mint`: open, unpaused, inside `[start, expiry)`, within cap and MAX_SUPPLY.
    pub fn minter_mint(
        &mut self,
        minter: Address,
        to: Address,
        amount: U256,
        now: u64,
    ) -> Result<Vec<TokenEvent>, TokenError> {
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
            TokenEvent::Transfer {
                from: Address::ZERO,
                to,
                amount,
                at: now,
            },
            TokenEvent::MinterMinted {
                minter,
                to,
                amount,
                at: now,
            },
        ])
    }

    /// Pausable `pause`, admin only; refused if closed or already paused.
    pub fn pause_minter(
        &mut self,
        caller: Address,
        minter: Address,
    ) -> Result<Vec<TokenEvent>, TokenError> {
        if self.open_minter(caller, minter)?.paused {
            return Err(TokenError::MinterPaused { minter });
        }
        self.commit(vec![TokenEvent::MinterPaused { minter }])
    }

    /// Pausable `unpause`, admin only; refused if closed or not paused.
    pub fn unpause_minter(
        &mut self,
        caller: Address,
        minter: Address,
    ) -> Result<Vec<TokenEvent>, TokenError> {
        if !self.open_minter(caller, minter)?.paused {
            return Err(TokenError::MinterNotPaused { minter });
        }
        self.commit(vec![TokenEvent::MinterUnpaused { minter }])
    }

    /// ZkCappedMinterV2 `close`, admin only: permanent, even for a paused minter.
    pub fn close_minter(
        &mut self,
        caller: Address,
        minter: Address,
    ) -> Result<Vec<TokenEvent>, TokenError> {
        self.open_minter(caller, minter)?;
        self.commit(vec![TokenEvent::MinterClosed { minter }])
    }

    // ----- event application -----

    /// Applies the events on a snapshot, appending an informational `DelegateVotesChanged` for
    /// each delegate whose votes changed (as ERC20Votes emits them), then swaps the snapshot in.
    fn commit(&mut self, core: Vec<TokenEvent>) -> Result<Vec<TokenEvent>, TokenError> {
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
                    self.total_supply = self.total_supply.checked_sub(amount).ok_or(
                        TokenError::ArithmeticOverflow {
                            what: "total supply",
                        },
                    )?;
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

    /// ERC20Votes `_moveDelegateVotes`: nothing moves if both sides are the same or amount is 0.
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
            let votes =
                self.get_votes(src)
                    .checked_sub(amount)
                    .ok_or(TokenError::ArithmeticOverflow {
                        what: "delegate votes",
                    })?;
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
