//! ZK token tests: roles, caps, mint windows, transfers, delegation and checkpoints, each
//! method's refusals leaving the token untouched, and replay of the event log.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use TokenError as E;
use TokenEvent as Ev;

const ADMIN: Address = Address::repeat_byte(0xad);
const A: Address = Address::repeat_byte(1);
const B: Address = Address::repeat_byte(2);
const C: Address = Address::repeat_byte(3);
/// Holds capped minter C's MINTER_ROLE once [`wire`] ran.
const M: Address = Address::repeat_byte(0x4d);
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
fn missing(account: Address, role: &'static str) -> TokenError {
    E::MissingRole { account, role }
}
fn minter_missing(account: Address, role: MinterRole) -> TokenError {
    let role = role.name();
    E::MinterMissingRole {
        minter: C,
        account,
        role,
    }
}
/// Deploys capped minter C (admin ADMIN) at the token's clock and wires it as governance
/// does: the token grants C its MINTER_ROLE, and C grants M its own MINTER_ROLE.
fn wire(t: &mut ZkToken, cap: U256, start: u64, expiry: u64) {
    let now = t.clock();
    t.create_minter(C, ADMIN, cap, start, expiry, now).unwrap();
    t.grant_role(ADMIN, Role::Minter, C).unwrap();
    t.minter_grant_role(ADMIN, C, MinterRole::Minter, M)
        .unwrap();
}
fn over_max(amount: U256, supply: U256) -> TokenError {
    E::ExceedsMaxSupply {
        amount,
        supply,
        max: MAX_SUPPLY,
    }
}
fn over_cap(minted: u64, amount: U256) -> TokenError {
    let minted = w(minted);
    E::MinterCapExceeded {
        minter: C,
        caller: M,
        amount,
        minted,
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
fn minted(to: Address, amount: u64, at: u64) -> TokenEvent {
    let amount = w(amount);
    Ev::MinterMinted {
        minter: C,
        caller: M,
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
    wire(&mut t, w(500), 5, 100);
    t.minter_mint(M, C, B, w(200), 10).unwrap();
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
    let missing_burner = missing(B, "BURNER_ROLE");
    rejects(&mut t, missing_burner.clone(), |t| {
        t.burn_from(B, A, w(1), 1)
    });
    rejects(&mut t, missing(B, "BURNER_ADMIN_ROLE"), |t| {
        t.grant_role(B, Role::Burner, B)
    });
    let granted = Ev::RoleGranted {
        role: Role::Burner,
        account: B,
        sender: ADMIN,
    };
    assert_eq!(t.grant_role(ADMIN, Role::Burner, B), Ok(vec![granted]));
    assert_eq!(t.grant_role(ADMIN, Role::Burner, B), Ok(vec![]));
    t.burn_from(B, A, w(10), 1).unwrap();
    assert_eq!((t.balance_of(A), t.total_supply()), (w(990), w(990)));
    rejects(&mut t, low(A, 990, 991), |t| t.burn_from(B, A, w(991), 1));
    rejects(&mut t, zero("burn holder"), |t| t.burn_from(B, Z, w(0), 1));
    rejects(&mut t, missing(A, "BURNER_ADMIN_ROLE"), |t| {
        t.revoke_role(A, Role::Burner, B)
    });
    let revoked = Ev::RoleRevoked {
        role: Role::Burner,
        account: B,
        sender: ADMIN,
    };
    assert_eq!(t.revoke_role(ADMIN, Role::Burner, B), Ok(vec![revoked]));
    assert!(!t.has_role(Role::Burner, B));
    assert_eq!(t.revoke_role(ADMIN, Role::Burner, B), Ok(vec![]));
    rejects(&mut t, missing_burner, |t| t.burn_from(B, A, w(1), 1));
}

#[test]
fn minting_needs_the_callers_and_the_minters_minter_role() {
    let mut t = ZkToken::new(ADMIN);
    t.create_minter(C, ADMIN, w(100), 0, 50, 0).unwrap();
    // Nobody holds C's MINTER_ROLE yet, not even its admin.
    let want = minter_missing(ADMIN, MinterRole::Minter);
    rejects(&mut t, want, |t| t.minter_mint(ADMIN, C, A, w(1), 1));
    t.minter_grant_role(ADMIN, C, MinterRole::Minter, M)
        .unwrap();
    let want = minter_missing(A, MinterRole::Minter);
    rejects(&mut t, want, |t| t.minter_mint(A, C, A, w(1), 1));
    // M may call C, but C itself lacks the token's MINTER_ROLE.
    rejects(&mut t, missing(C, "MINTER_ROLE"), |t| {
        t.minter_mint(M, C, A, w(1), 1)
    });
    // Only the token's role admin grants it (MINTER_ADMIN_ROLE).
    rejects(&mut t, missing(M, "MINTER_ADMIN_ROLE"), |t| {
        t.grant_role(M, Role::Minter, C)
    });
    t.grant_role(ADMIN, Role::Minter, C).unwrap();
    assert_eq!(
        t.minter_mint(M, C, A, w(7), 1),
        Ok(vec![xfer(Z, A, w(7), 1), minted(A, 7, 1)])
    );
    // The token's mint itself: only MINTER_ROLE holders, i.e. C, not M.
    rejects(&mut t, missing(M, "MINTER_ROLE"), |t| t.mint(M, A, w(1), 1));
    assert_eq!(t.mint(C, A, w(1), 1), Ok(vec![xfer(Z, A, w(1), 1)]));
    // Revoking either role stops the minting.
    t.minter_revoke_role(ADMIN, C, MinterRole::Minter, M)
        .unwrap();
    let want = minter_missing(M, MinterRole::Minter);
    rejects(&mut t, want, |t| t.minter_mint(M, C, A, w(1), 2));
    t.minter_grant_role(ADMIN, C, MinterRole::Minter, M)
        .unwrap();
    t.revoke_role(ADMIN, Role::Minter, C).unwrap();
    rejects(&mut t, missing(C, "MINTER_ROLE"), |t| {
        t.minter_mint(M, C, A, w(1), 2)
    });
    assert_eq!(t.minter(C).map(|m| m.minted), Some(w(7)));
    assert_eq!(t.total_supply(), w(8));
}

#[test]
fn minter_roles_follow_its_access_control() {
    let mut t = ZkToken::new(ADMIN);
    t.create_minter(C, ADMIN, w(100), 0, 50, 0).unwrap();
    let m = t.minter(C).cloned().unwrap();
    assert!(m.has_role(MinterRole::DefaultAdmin, ADMIN) && m.has_role(MinterRole::Pauser, ADMIN));
    assert_eq!(m.holders(MinterRole::Minter), Vec::<Address>::new());
    // DEFAULT_ADMIN_ROLE is never granted, whoever asks (checked before the caller's role).
    let never = E::MinterCannotGrantDefaultAdmin { minter: C };
    rejects(&mut t, never.clone(), |t| {
        t.minter_grant_role(ADMIN, C, MinterRole::DefaultAdmin, A)
    });
    rejects(&mut t, never, |t| {
        t.minter_grant_role(A, C, MinterRole::DefaultAdmin, A)
    });
    let admin_only = minter_missing(A, MinterRole::DefaultAdmin);
    rejects(&mut t, admin_only.clone(), |t| {
        t.minter_grant_role(A, C, MinterRole::Pauser, A)
    });
    rejects(&mut t, admin_only, |t| {
        t.minter_revoke_role(A, C, MinterRole::Pauser, ADMIN)
    });
    let granted = Ev::MinterRoleGranted {
        minter: C,
        role: MinterRole::Pauser,
        account: A,
        sender: ADMIN,
    };
    assert_eq!(
        t.minter_grant_role(ADMIN, C, MinterRole::Pauser, A),
        Ok(vec![granted])
    );
    assert_eq!(
        t.minter_grant_role(ADMIN, C, MinterRole::Pauser, A),
        Ok(vec![])
    );
    // A renounces; renouncing what one does not hold is a no-op.
    let renounced = Ev::MinterRoleRevoked {
        minter: C,
        role: MinterRole::Pauser,
        account: A,
        sender: A,
    };
    assert_eq!(
        t.minter_renounce_role(A, C, MinterRole::Pauser),
        Ok(vec![renounced])
    );
    assert_eq!(t.minter_renounce_role(A, C, MinterRole::Pauser), Ok(vec![]));
    // The admin may give up its own role; then nobody administers the minter again.
    t.minter_revoke_role(ADMIN, C, MinterRole::DefaultAdmin, ADMIN)
        .unwrap();
    rejects(
        &mut t,
        minter_missing(ADMIN, MinterRole::DefaultAdmin),
        |t| t.close_minter(ADMIN, C),
    );
    rejects(&mut t, E::UnknownMinter { minter: B }, |t| {
        t.minter_grant_role(ADMIN, B, MinterRole::Minter, A)
    });
}

#[test]
fn minter_window_is_inclusive_at_both_ends() {
    let mut t = ZkToken::new(ADMIN);
    let created = Ev::MinterCreated {
        minter: C,
        admin: ADMIN,
        cap: w(100),
        start: 10,
        expiry: 20,
    };
    assert_eq!(
        t.create_minter(C, ADMIN, w(100), 10, 20, 0),
        Ok(vec![created])
    );
    t.grant_role(ADMIN, Role::Minter, C).unwrap();
    t.minter_grant_role(ADMIN, C, MinterRole::Minter, M)
        .unwrap();
    let want = E::MinterNotStarted {
        minter: C,
        start: 10,
        now: 9,
    };
    rejects(&mut t, want, |t| t.minter_mint(M, C, A, w(1), 9));
    let evs = t.minter_mint(M, C, A, w(1), 10);
    assert_eq!(evs, Ok(vec![xfer(Z, A, w(1), 10), minted(A, 1, 10)]));
    // EXPIRATION_TIME itself still mints; one second later is `__Expired`.
    t.minter_mint(M, C, A, w(1), 20).unwrap();
    let want = E::MinterExpired {
        minter: C,
        expiry: 20,
        now: 21,
    };
    rejects(&mut t, want, |t| t.minter_mint(M, C, A, w(1), 21));
    assert_eq!(t.minter(C).map(|m| m.minted), Some(w(2)));
    rejects(&mut t, E::UnknownMinter { minter: B }, |t| {
        t.minter_mint(M, B, A, w(1), 20)
    });
    rejects(&mut t, zero("mint recipient"), |t| {
        t.minter_mint(M, C, Z, w(1), 20)
    });
}

#[test]
fn minter_cap_is_a_lifetime_limit() {
    let mut t = ZkToken::new(ADMIN);
    wire(&mut t, w(100), 0, 1000);
    t.minter_mint(M, C, A, w(60), 1).unwrap();
    rejects(&mut t, over_cap(60, w(41)), |t| {
        t.minter_mint(M, C, A, w(41), 2)
    });
    let want = over_cap(60, U256::MAX);
    rejects(&mut t, want, |t| t.minter_mint(M, C, A, U256::MAX, 2));
    t.minter_mint(M, C, B, w(40), 2).unwrap();
    rejects(&mut t, over_cap(100, w(1)), |t| {
        t.minter_mint(M, C, A, w(1), 3)
    });
    // Minting nothing at the cap is allowed, as in the contract.
    t.minter_mint(M, C, A, w(0), 3).unwrap();
    assert_eq!(t.total_supply(), w(100));
}

#[test]
fn minter_checks_run_in_the_contracts_order() {
    let mut t = ZkToken::new(ADMIN);
    wire(&mut t, w(10), 5, 20);
    t.pause_minter(ADMIN, C).unwrap();
    // Paused, before the start, caller without the role and over the cap all at once: the
    // start comes first; then, in the window, the pause; then the role; then the cap.
    let early = E::MinterNotStarted {
        minter: C,
        start: 5,
        now: 4,
    };
    rejects(&mut t, early, |t| t.minter_mint(A, C, A, w(11), 4));
    let paused = E::MinterPaused { minter: C };
    rejects(&mut t, paused, |t| t.minter_mint(A, C, A, w(11), 5));
    t.unpause_minter(ADMIN, C).unwrap();
    let role = minter_missing(A, MinterRole::Minter);
    rejects(&mut t, role, |t| t.minter_mint(A, C, A, w(11), 5));
    rejects(&mut t, over_cap(0, w(11)), |t| {
        t.minter_mint(M, C, A, w(11), 5)
    });
    // Closed beats everything, even the window.
    t.close_minter(ADMIN, C).unwrap();
    let closed = E::MinterClosed { minter: C };
    rejects(&mut t, closed, |t| t.minter_mint(A, C, A, w(11), 4));
}

#[test]
fn minter_pause_unpause_and_permanent_close() {
    let mut t = ZkToken::new(ADMIN);
    wire(&mut t, w(100), 0, 1000);
    let pauser_only = minter_missing(A, MinterRole::Pauser);
    rejects(&mut t, pauser_only.clone(), |t| t.pause_minter(A, C));
    assert_eq!(
        t.pause_minter(ADMIN, C),
        Ok(vec![Ev::MinterPaused {
            minter: C,
            account: ADMIN
        }])
    );
    let paused = E::MinterPaused { minter: C };
    rejects(&mut t, paused.clone(), |t| t.minter_mint(M, C, A, w(1), 1));
    rejects(&mut t, paused, |t| t.pause_minter(ADMIN, C));
    rejects(&mut t, pauser_only, |t| t.unpause_minter(A, C));
    assert_eq!(
        t.unpause_minter(ADMIN, C),
        Ok(vec![Ev::MinterUnpaused {
            minter: C,
            account: ADMIN
        }])
    );
    rejects(&mut t, E::MinterNotPaused { minter: C }, |t| {
        t.unpause_minter(ADMIN, C)
    });
    t.minter_mint(M, C, A, w(1), 1).unwrap();
    t.pause_minter(ADMIN, C).unwrap();
    // Only DEFAULT_ADMIN_ROLE closes, paused or not; a PAUSER_ROLE holder cannot.
    t.minter_grant_role(ADMIN, C, MinterRole::Pauser, A)
        .unwrap();
    let admin_only = minter_missing(A, MinterRole::DefaultAdmin);
    rejects(&mut t, admin_only, |t| t.close_minter(A, C));
    let closed_ev = Ev::MinterClosed {
        minter: C,
        closer: ADMIN,
    };
    assert_eq!(t.close_minter(ADMIN, C), Ok(vec![closed_ev.clone()]));
    let closed = E::MinterClosed { minter: C };
    rejects(&mut t, closed, |t| t.minter_mint(M, C, A, w(1), 2));
    // The contract lets a closed minter be unpaused, paused and closed again (it still
    // never mints).
    t.unpause_minter(A, C).unwrap();
    t.pause_minter(A, C).unwrap();
    assert_eq!(t.close_minter(ADMIN, C), Ok(vec![closed_ev]));
    assert!(t.minter(C).is_some_and(|m| m.closed && m.paused));
    rejects(&mut t, E::UnknownMinter { minter: B }, |t| {
        t.close_minter(ADMIN, B)
    });
}

#[test]
fn create_minter_validates_its_parameters() {
    let mut t = ZkToken::new(ADMIN);
    rejects(&mut t, zero("minter"), |t| {
        t.create_minter(Z, ADMIN, w(1), 0, 1, 0)
    });
    // start > expiry, or start in the past: `__InvalidTime`; start == expiry is allowed.
    let want = E::MinterInvalidTime {
        start: 6,
        expiry: 5,
        now: 0,
    };
    rejects(&mut t, want, |t| t.create_minter(C, ADMIN, w(1), 6, 5, 0));
    let want = E::MinterInvalidTime {
        start: 4,
        expiry: 9,
        now: 5,
    };
    rejects(&mut t, want, |t| t.create_minter(C, ADMIN, w(1), 4, 9, 5));
    // Anyone may deploy one (the factory is permissionless), with any admin; a zero cap
    // is allowed.
    t.create_minter(C, A, w(0), 5, 5, 5).unwrap();
    rejects(&mut t, E::MinterExists { minter: C }, |t| {
        t.create_minter(C, ADMIN, w(1), 5, 9, 5)
    });
    t.create_minter(B, A, w(1), 5, 5, 5).unwrap();
    t.grant_role(ADMIN, Role::Minter, B).unwrap();
    t.minter_grant_role(A, B, MinterRole::Minter, M).unwrap();
    t.minter_mint(M, B, A, w(1), 5).unwrap();
    assert_eq!(t.total_supply(), w(1));
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
    wire(&mut t, w(10), 0, 100);
    let want = over_max(w(2), MAX_SUPPLY - w(1));
    rejects(&mut t, want, |t| t.minter_mint(M, C, B, w(2), 1));
    t.minter_mint(M, C, B, w(1), 1).unwrap();
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
        (minted(A, 1, 5), E::UnknownMinter { minter: C }),
        (
            Ev::MinterClosed {
                minter: C,
                closer: ADMIN,
            },
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
        missing(B, "BURNER_ROLE").to_string(),
        format!("AccessControl: account {B} is missing role BURNER_ROLE on the ZK token")
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
    log.extend(t.grant_role(ADMIN, Role::Burner, C).unwrap());
    log.extend(t.burn_from(C, B, w(5), 6).unwrap());
    log.extend(t.create_minter(C, ADMIN, w(9), 6, 9, 6).unwrap());
    log.extend(t.grant_role(ADMIN, Role::Minter, C).unwrap());
    log.extend(
        t.minter_grant_role(ADMIN, C, MinterRole::Minter, M)
            .unwrap(),
    );
    log.extend(t.minter_mint(M, C, A, w(9), 7).unwrap());
    log.extend(t.pause_minter(ADMIN, C).unwrap());
    log.extend(t.close_minter(ADMIN, C).unwrap());
    log.extend(t.minter_renounce_role(M, C, MinterRole::Minter).unwrap());
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

/// Runs one random operation; admin calls come from ADMIN 3 times in 5, minters are
/// mostly C and mint callers mostly M (C's MINTER_ROLE holder), so both successes and every
/// kind of failure — missing roles included — are frequent.
fn run(t: &mut ZkToken, (k, a, b, c, x, s, l): Step, now: u64) -> Emitted {
    let admin = if a < 3 { ADMIN } else { who(a) };
    let (m, ma) = ([C, C, B, Z, A][b % 5], [C, C, B, Z, A][a % 5]);
    let caller = [M, M, A, ADMIN, B][c % 5];
    let role = [Role::Minter, Role::Burner][s as usize % 2];
    let minter_role = [
        MinterRole::Minter,
        MinterRole::Pauser,
        MinterRole::DefaultAdmin,
    ][l as usize % 3];
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
        7 => t.grant_role(admin, role, b),
        8 => t.revoke_role(admin, role, b),
        // Starts one second in the past and expiries before starts happen too.
        9 => {
            let start = (now + s).saturating_sub(1);
            t.create_minter(m, admin, x, start, (start + l).saturating_sub(1), now)
        }
        10 => t.minter_mint(caller, ma, c, x % w(3000), now),
        11 => t.pause_minter(admin, m),
        12 => t.unpause_minter(admin, m),
        13 => t.close_minter(admin, m),
        14 => t.minter_grant_role(admin, m, minter_role, caller),
        15 => t.minter_revoke_role(admin, m, minter_role, caller),
        16 => t.minter_renounce_role(caller, m, minter_role),
        _ => t.mint(caller, c, small, now),
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
        0u8..18,
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
        // A wired minter that exists from the start, so minting often gets past "unknown
        // minter" and the role checks.
        let mut log = t.create_minter(C, ADMIN, w(5000), 0, 40, 0).unwrap();
        log.extend(t.grant_role(ADMIN, Role::Minter, C).unwrap());
        log.extend(t.minter_grant_role(ADMIN, C, MinterRole::Minter, M).unwrap());
        let mut now = 0u64;
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
