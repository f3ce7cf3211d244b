//! The ZK token (ZKTokenV3 on ZKsync Era) and its capped minters (ZkCappedMinterV2) as an
//! event-sourced state machine.
//!
//! Every state change is a [`TokenEvent`] applied by [`ZkToken::apply`], so a run can be
//! audited and replayed bit for bit. Public methods validate first (an `Err` leaves the token
//! untouched), then emit events and mutate only through `apply`. State lives in persistent
//! `imbl` structures so a caller can snapshot the whole token with an O(1) `clone()`.
//!
//! Minting is role-gated twice, as on mainnet: a ZkCappedMinterV2 mints only for a caller that
//! holds *its* MINTER_ROLE, and the token mints only for a caller that holds the *token's*
//! MINTER_ROLE — which the token's role admin grants to the capped minter
//! (zk-governance@58df93f:l2-contracts/src/ZkCappedMinterV2.sol,
//! zk-governance@58df93f:l2-contracts/src/ZkTokenV1.sol). The capped minters live inside the
//! token here because they only ever act on it.

use std::cmp::Ordering::{Equal, Greater, Less};

use alloy_primitives::{uint, Address, U256};
use imbl::{OrdMap, OrdSet, Vector};
use serde::{Deserialize, Serialize};

mod error;
pub use error::TokenError;

/// ZK uses 18 decimals like ETH; every amount in this module is in wei (10^-18 ZK).
pub const DECIMALS: u8 = 18;

/// The max supply of 21 billion ZK (in wei), enforced on every mint: ZkTokenV3 overrides
/// ERC20Votes' `_maxSupply` with `21_000_000_000e18`
/// (zk-governance@b501cc8:l2-contracts/src/ZkTokenV3.sol, PR #25, ZIP-14).
pub const MAX_SUPPLY: U256 = uint!(21_000_000_000_000_000_000_000_000_000_U256);

/// The token's grantable AccessControl roles that this model needs
/// (zk-governance@58df93f:l2-contracts/src/ZkTokenV1.sol). Their admin roles
/// (MINTER_ADMIN_ROLE, BURNER_ADMIN_ROLE) and DEFAULT_ADMIN_ROLE are all held by the token's
/// role admin, as `initialize` grants them; model choice: those admin roles are not
/// transferable here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// BURNER_ROLE: may burn any holder's ZK without an allowance (`burnFrom`).
    Burner,
    /// MINTER_ROLE: may call the token's `mint`. The token's role admin grants it to each
    /// capped minter; without it a capped minter cannot mint at all.
    Minter,
}

impl Role {
    /// The contract's name of the role, as AccessControl errors name it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Burner => "BURNER_ROLE",
            Role::Minter => "MINTER_ROLE",
        }
    }

    /// The role whose holders may grant and revoke this one (`_setRoleAdmin` in
    /// ZkTokenV1 `initialize`).
    pub fn admin_name(self) -> &'static str {
        match self {
            Role::Burner => "BURNER_ADMIN_ROLE",
            Role::Minter => "MINTER_ADMIN_ROLE",
        }
    }
}

/// The AccessControl roles of a ZkCappedMinterV2
/// (zk-governance@58df93f:l2-contracts/src/ZkCappedMinterV2.sol). The deployer-chosen admin gets
/// DEFAULT_ADMIN_ROLE and PAUSER_ROLE in the constructor; DEFAULT_ADMIN_ROLE administers all
/// three and can never be granted again (it can only be revoked or renounced).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MinterRole {
    /// DEFAULT_ADMIN_ROLE: grants and revokes roles, `close`s the minter.
    DefaultAdmin,
    /// MINTER_ROLE: may call `mint`.
    Minter,
    /// PAUSER_ROLE: may `pause` and `unpause`.
    Pauser,
}

impl MinterRole {
    /// The contract's name of the role, as AccessControl errors name it.
    pub fn name(self) -> &'static str {
        match self {
            MinterRole::DefaultAdmin => "DEFAULT_ADMIN_ROLE",
            MinterRole::Minter => "MINTER_ROLE",
            MinterRole::Pauser => "PAUSER_ROLE",
        }
    }
}

/// One ERC20Votes history entry (OpenZeppelin 4.9 `Checkpoint`): the value from `timepoint` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Clock value in seconds: ZKToken overrides ERC20Votes' clock to `block.timestamp`.
    pub timepoint: u64,
    /// Voting power (or, in the total-supply history, the supply) from `timepoint` on.
    pub votes: U256,
}

/// A ZkCappedMinterV2 instance (zk-governance@58df93f:l2-contracts/src/ZkCappedMinterV2.sol):
/// the only way new ZK enters circulation after genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CappedMinter {
    /// Lifetime mint limit (`CAP`), in wei.
    pub cap: U256,
    /// Amount minted so far (`minted`), never above `cap`.
    pub minted: U256,
    /// `START_TIME`: minting is refused strictly before it.
    pub start: u64,
    /// `EXPIRATION_TIME`: the last second minting is allowed (inclusive, as the contract's
    /// `block.timestamp > EXPIRATION_TIME` check makes it); the window is `[start, expiry]`.
    pub expiry: u64,
    /// Pausable state; a paused minter can be unpaused by a PAUSER_ROLE holder.
    pub paused: bool,
    /// `close()` is permanent: a closed minter never mints again.
    pub closed: bool,
    /// Who holds which of the minter's roles.
    roles: OrdSet<(MinterRole, Address)>,
}

impl CappedMinter {
    /// AccessControl `hasRole` on this minter.
    pub fn has_role(&self, role: MinterRole, account: Address) -> bool {
        self.roles.contains(&(role, account))
    }

    /// Every holder of `role`, in address order.
    pub fn holders(&self, role: MinterRole) -> Vec<Address> {
        self.roles
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, a)| *a)
            .collect()
    }

    /// Whether `now` lies in the minting window `[start, expiry]`.
    pub fn in_window(&self, now: u64) -> bool {
        self.start <= now && now <= self.expiry
    }

    /// What the cap still allows.
    pub fn left(&self) -> U256 {
        self.cap.saturating_sub(self.minted)
    }
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
    /// The token's AccessControl `RoleGranted`.
    RoleGranted {
        role: Role,
        account: Address,
        sender: Address,
    },
    /// The token's AccessControl `RoleRevoked`.
    RoleRevoked {
        role: Role,
        account: Address,
        sender: Address,
    },
    /// A ZkCappedMinterV2 was deployed (`ZkCappedMinterV2Factory.CappedMinterV2Created`); its
    /// constructor granted `admin` DEFAULT_ADMIN_ROLE and PAUSER_ROLE on it.
    MinterCreated {
        minter: Address,
        admin: Address,
        cap: U256,
        start: u64,
        expiry: u64,
    },
    /// A capped minter's AccessControl `RoleGranted`.
    MinterRoleGranted {
        minter: Address,
        role: MinterRole,
        account: Address,
        sender: Address,
    },
    /// A capped minter's AccessControl `RoleRevoked` (also for `renounceRole`).
    MinterRoleRevoked {
        minter: Address,
        role: MinterRole,
        account: Address,
        sender: Address,
    },
    /// The minter was paused (OpenZeppelin `Paused(account)`).
    MinterPaused { minter: Address, account: Address },
    /// The minter was unpaused (OpenZeppelin `Unpaused(account)`).
    MinterUnpaused { minter: Address, account: Address },
    /// The minter was closed for good (ZkCappedMinterV2 `Closed(closer)`); closing again
    /// emits it again.
    MinterClosed { minter: Address, closer: Address },
    /// ZkCappedMinterV2 `Minted(minter, to, amount)`, whose `minter` is the caller (`caller`
    /// here; `minter` is the contract). Records the minter's usage; the supply change itself
    /// comes from the accompanying `Transfer` from ZERO.
    MinterMinted {
        minter: Address,
        caller: Address,
        to: Address,
        amount: U256,
        at: u64,
    },
}

/// What every mutating method returns: the emitted events, or why nothing changed.
pub type Emitted = Result<Vec<TokenEvent>, TokenError>;

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

/// The ZK token: ERC-20 + ERC20Votes + MINTER/BURNER roles + capped minters, event-sourced.
/// `Default` is a token whose role admin is ZERO (nobody can grant roles, so nobody mints).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkToken {
    role_admin: Address,
    clock: u64,
    balances: OrdMap<Address, U256>,
    allowances: OrdMap<Address, OrdMap<Address, U256>>,
    delegates: OrdMap<Address, Address>,
    vote_checkpoints: OrdMap<Address, Vector<Checkpoint>>,
    supply_checkpoints: Vector<Checkpoint>,
    roles: OrdSet<(Role, Address)>,
    minters: OrdMap<Address, CappedMinter>,
    total_supply: U256,
    minted_total: U256,
    burned_total: U256,
}

impl ZkToken {
    /// An empty token whose `role_admin` holds DEFAULT_ADMIN_ROLE, MINTER_ADMIN_ROLE and
    /// BURNER_ADMIN_ROLE (ZkTokenV1 `initialize` grants all three to one admin: the Token
    /// Governor's timelock on mainnet), so it alone grants MINTER_ROLE and BURNER_ROLE. The
    /// clock starts at 0.
    pub fn new(role_admin: Address) -> Self {
        Self {
            role_admin,
            ..Self::default()
        }
    }

    // ----- views -----

    /// The holder of the token's admin roles: it grants MINTER_ROLE and BURNER_ROLE.
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
    /// AccessControl `hasRole` on the token.
    pub fn has_role(&self, role: Role, account: Address) -> bool {
        self.roles.contains(&(role, account))
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

    /// `onlyRole(getRoleAdmin(role))` on the token: only the role admin holds the admin roles.
    fn only_role_admin(&self, caller: Address, role: Role) -> Result<(), TokenError> {
        if caller != self.role_admin {
            return Err(TokenError::MissingRole {
                account: caller,
                role: role.admin_name(),
            });
        }
        Ok(())
    }

    /// `onlyRole(role)` on the token.
    fn only_role(&self, caller: Address, role: Role) -> Result<(), TokenError> {
        if !self.has_role(role, caller) {
            return Err(TokenError::MissingRole {
                account: caller,
                role: role.name(),
            });
        }
        Ok(())
    }

    fn existing_minter(&self, minter: Address) -> Result<CappedMinter, TokenError> {
        self.minters
            .get(&minter)
            .cloned()
            .ok_or(TokenError::UnknownMinter { minter })
    }

    /// `_checkRole(role, caller)` on capped minter `minter`.
    fn minter_role(
        m: &CappedMinter,
        minter: Address,
        role: MinterRole,
        caller: Address,
    ) -> Result<(), TokenError> {
        if !m.has_role(role, caller) {
            return Err(TokenError::MinterMissingRole {
                minter,
                account: caller,
                role: role.name(),
            });
        }
        Ok(())
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

    /// ZkTokenV3 `burnFrom(from, amount)`, restricted to BURNER_ROLE; needs no allowance
    /// (zk-governance@b501cc8:l2-contracts/src/ZkTokenV3.sol).
    pub fn burn_from(
        &mut self,
        caller: Address,
        account: Address,
        amount: U256,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        self.only_role(caller, Role::Burner)?;
        nonzero(account, "burn holder")?;
        self.check_balance(account, amount)?;
        self.commit(vec![xfer(account, Address::ZERO, amount, now)])
    }

    /// ZkTokenV1 `mint(to, amount)`, `onlyRole(MINTER_ROLE)`: what a capped minter calls.
    /// Checks in the contract's order: the role, then ERC20 `_mint` (no zero recipient), then
    /// ERC20Votes' max supply.
    pub fn mint(&mut self, caller: Address, to: Address, amount: U256, now: u64) -> Emitted {
        self.check_now(now)?;
        self.check_token_mint(caller, to, amount)?;
        self.commit(vec![xfer(Address::ZERO, to, amount, now)])
    }

    fn check_token_mint(
        &self,
        caller: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), TokenError> {
        self.only_role(caller, Role::Minter)?;
        nonzero(to, "mint recipient")?;
        self.check_mint(amount)?;
        Ok(())
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

    /// The token's AccessControl `grantRole(role, account)`: only the role's admin (the role
    /// admin) may; a no-op without event if already held
    /// (zk-governance@58df93f:l2-contracts/src/ZkTokenV1.sol, OpenZeppelin 4.9 AccessControl).
    pub fn grant_role(&mut self, caller: Address, role: Role, account: Address) -> Emitted {
        self.only_role_admin(caller, role)?;
        if self.has_role(role, account) {
            return Ok(Vec::new());
        }
        self.commit(vec![TokenEvent::RoleGranted {
            role,
            account,
            sender: caller,
        }])
    }

    /// The token's AccessControl `revokeRole(role, account)`: only the role's admin; a no-op
    /// without event if not held.
    pub fn revoke_role(&mut self, caller: Address, role: Role, account: Address) -> Emitted {
        self.only_role_admin(caller, role)?;
        if !self.has_role(role, account) {
            return Ok(Vec::new());
        }
        self.commit(vec![TokenEvent::RoleRevoked {
            role,
            account,
            sender: caller,
        }])
    }

    // ----- ZkCappedMinterV2 -----
    //
    // Every rule below is zk-governance@58df93f:l2-contracts/src/ZkCappedMinterV2.sol, on
    // OpenZeppelin 4.x AccessControl and Pausable (its `security/Pausable.sol` import), whose
    // reverts are the strings "AccessControl: account … is missing role …", "Pausable: paused"
    // and "Pausable: not paused".

    /// Deploys a ZkCappedMinterV2 at `minter` through `ZkCappedMinterV2Factory`, which anyone
    /// may call (zk-governance@58df93f:l2-contracts/src/ZkCappedMinterV2Factory.sol). The
    /// constructor refuses a start after the expiry or in the past (`__InvalidTime`; a start
    /// equal to the expiry is allowed) and gives `admin` DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
    /// A zero cap is allowed, as in the contract. The new minter holds no token role: until
    /// the token's role admin grants it MINTER_ROLE, every mint through it fails.
    pub fn create_minter(
        &mut self,
        minter: Address,
        admin: Address,
        cap: U256,
        start: u64,
        expiry: u64,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        nonzero(minter, "minter")?;
        if self.minters.contains_key(&minter) {
            return Err(TokenError::MinterExists { minter });
        }
        if start > expiry || start < now {
            return Err(TokenError::MinterInvalidTime { start, expiry, now });
        }
        self.commit(vec![TokenEvent::MinterCreated {
            minter,
            admin,
            cap,
            start,
            expiry,
        }])
    }

    /// ZkCappedMinterV2 `mint(to, amount)` called by `caller`. The contract's checks, in its
    /// order: not closed; not before `START_TIME`; not after `EXPIRATION_TIME` (both bounds
    /// inclusive); not paused; the caller holds the minter's MINTER_ROLE; within the cap; then
    /// the token's own `mint`, which needs the minter to hold the token's MINTER_ROLE, a
    /// non-zero recipient and room under the 21B max supply.
    pub fn minter_mint(
        &mut self,
        caller: Address,
        minter: Address,
        to: Address,
        amount: U256,
        now: u64,
    ) -> Emitted {
        self.check_now(now)?;
        let m = self.existing_minter(minter)?;
        if m.closed {
            return Err(TokenError::MinterClosed { minter });
        }
        if now < m.start {
            return Err(TokenError::MinterNotStarted {
                minter,
                start: m.start,
                now,
            });
        }
        if now > m.expiry {
            return Err(TokenError::MinterExpired {
                minter,
                expiry: m.expiry,
                now,
            });
        }
        if m.paused {
            return Err(TokenError::MinterPaused { minter });
        }
        Self::minter_role(&m, minter, MinterRole::Minter, caller)?;
        if m.minted.checked_add(amount).is_none_or(|t| t > m.cap) {
            return Err(TokenError::MinterCapExceeded {
                minter,
                caller,
                amount,
                minted: m.minted,
            });
        }
        self.check_token_mint(minter, to, amount)?;
        self.commit(vec![
            xfer(Address::ZERO, to, amount, now),
            TokenEvent::MinterMinted {
                minter,
                caller,
                to,
                amount,
                at: now,
            },
        ])
    }

    /// ZkCappedMinterV2 `grantRole(role, account)`: DEFAULT_ADMIN_ROLE can never be granted
    /// (checked first, whoever calls); otherwise the caller needs DEFAULT_ADMIN_ROLE (every
    /// role's admin). A no-op without event if already held.
    pub fn minter_grant_role(
        &mut self,
        caller: Address,
        minter: Address,
        role: MinterRole,
        account: Address,
    ) -> Emitted {
        let m = self.existing_minter(minter)?;
        if role == MinterRole::DefaultAdmin {
            return Err(TokenError::MinterCannotGrantDefaultAdmin { minter });
        }
        Self::minter_role(&m, minter, MinterRole::DefaultAdmin, caller)?;
        if m.has_role(role, account) {
            return Ok(Vec::new());
        }
        self.commit(vec![TokenEvent::MinterRoleGranted {
            minter,
            role,
            account,
            sender: caller,
        }])
    }

    /// ZkCappedMinterV2 `revokeRole(role, account)` (inherited from AccessControl): the caller
    /// needs DEFAULT_ADMIN_ROLE; the admin role itself may be revoked. A no-op without event if
    /// not held.
    pub fn minter_revoke_role(
        &mut self,
        caller: Address,
        minter: Address,
        role: MinterRole,
        account: Address,
    ) -> Emitted {
        let m = self.existing_minter(minter)?;
        Self::minter_role(&m, minter, MinterRole::DefaultAdmin, caller)?;
        if !m.has_role(role, account) {
            return Ok(Vec::new());
        }
        self.commit(vec![TokenEvent::MinterRoleRevoked {
            minter,
            role,
            account,
            sender: caller,
        }])
    }

    /// ZkCappedMinterV2 `renounceRole(role, caller)`: anyone may drop a role it holds (the
    /// model always renounces for the caller itself, so OpenZeppelin's "can only renounce roles
    /// for self" cannot arise). A no-op without event if not held.
    pub fn minter_renounce_role(
        &mut self,
        caller: Address,
        minter: Address,
        role: MinterRole,
    ) -> Emitted {
        let m = self.existing_minter(minter)?;
        if !m.has_role(role, caller) {
            return Ok(Vec::new());
        }
        self.commit(vec![TokenEvent::MinterRoleRevoked {
            minter,
            role,
            account: caller,
            sender: caller,
        }])
    }

    /// ZkCappedMinterV2 `pause()`: PAUSER_ROLE, then Pausable's "not paused" requirement.
    /// Pausing a closed minter is allowed, as in the contract.
    pub fn pause_minter(&mut self, caller: Address, minter: Address) -> Emitted {
        let m = self.existing_minter(minter)?;
        Self::minter_role(&m, minter, MinterRole::Pauser, caller)?;
        if m.paused {
            return Err(TokenError::MinterPaused { minter });
        }
        self.commit(vec![TokenEvent::MinterPaused {
            minter,
            account: caller,
        }])
    }

    /// ZkCappedMinterV2 `unpause()`: PAUSER_ROLE, then Pausable's "paused" requirement.
    pub fn unpause_minter(&mut self, caller: Address, minter: Address) -> Emitted {
        let m = self.existing_minter(minter)?;
        Self::minter_role(&m, minter, MinterRole::Pauser, caller)?;
        if !m.paused {
            return Err(TokenError::MinterNotPaused { minter });
        }
        self.commit(vec![TokenEvent::MinterUnpaused {
            minter,
            account: caller,
        }])
    }

    /// ZkCappedMinterV2 `close()`: DEFAULT_ADMIN_ROLE only; permanent, even for a paused minter.
    /// Closing a closed minter succeeds and emits `Closed` again, as in the contract.
    pub fn close_minter(&mut self, caller: Address, minter: Address) -> Emitted {
        let m = self.existing_minter(minter)?;
        Self::minter_role(&m, minter, MinterRole::DefaultAdmin, caller)?;
        self.commit(vec![TokenEvent::MinterClosed {
            minter,
            closer: caller,
        }])
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
            TokenEvent::RoleGranted { role, account, .. } => {
                self.roles.insert((role, account));
                Ok(())
            }
            TokenEvent::RoleRevoked { role, account, .. } => {
                self.roles.remove(&(role, account));
                Ok(())
            }
            TokenEvent::MinterCreated {
                minter,
                admin,
                cap,
                start,
                expiry,
            } => {
                if self.minters.contains_key(&minter) {
                    return Err(TokenError::MinterExists { minter });
                }
                let roles = [MinterRole::DefaultAdmin, MinterRole::Pauser]
                    .into_iter()
                    .map(|r| (r, admin))
                    .collect();
                let m = CappedMinter {
                    cap,
                    minted: U256::ZERO,
                    start,
                    expiry,
                    paused: false,
                    closed: false,
                    roles,
                };
                self.minters.insert(minter, m);
                Ok(())
            }
            TokenEvent::MinterRoleGranted {
                minter,
                role,
                account,
                ..
            } => self.update_minter(minter, |m| {
                m.roles.insert((role, account));
            }),
            TokenEvent::MinterRoleRevoked {
                minter,
                role,
                account,
                ..
            } => self.update_minter(minter, |m| {
                m.roles.remove(&(role, account));
            }),
            TokenEvent::MinterPaused { minter, .. } => {
                self.update_minter(minter, |m| m.paused = true)
            }
            TokenEvent::MinterUnpaused { minter, .. } => {
                self.update_minter(minter, |m| m.paused = false)
            }
            TokenEvent::MinterClosed { minter, .. } => {
                self.update_minter(minter, |m| m.closed = true)
            }
            TokenEvent::MinterMinted {
                minter,
                caller,
                amount,
                at,
                ..
            } => {
                self.tick(at)?;
                let mut m = self.existing_minter(minter)?;
                m.minted = m.minted.checked_add(amount).filter(|t| *t <= m.cap).ok_or(
                    TokenError::MinterCapExceeded {
                        minter,
                        caller,
                        amount,
                        minted: m.minted,
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
mod tests;
