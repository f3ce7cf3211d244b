//! Capped minters, the staker's roles and the off-chain reward script, driven through
//! `Network::apply` on the devnet: every revert names the contract's error and leaves the state
//! exactly as it was; every success is role-gated as on mainnet.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Test helpers pass the library's error through unchanged; its size is the library's concern.
#![allow(clippy::result_large_err)]

use alloy_primitives::{Address, U256};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::genesis::{account, Genesis};
use flywheel_protocol::governance::{GovernorKind, ProposalAction, UpgradeApproval, VoteType};
use flywheel_protocol::network::{Action, Network};
use flywheel_protocol::staking::{
    RewardScript, ScriptRequest, Staker, StakerParam, StakingError, REWARD_DURATION,
};
use flywheel_protocol::token::{MinterRole, Role, TokenError, MAX_SUPPLY};
use flywheel_protocol::units::tokens;

const DAY: u64 = 86_400;

fn admin() -> Address {
    account("token-admin")
}
fn signer() -> Address {
    account("reward-script")
}
fn mallory() -> Address {
    account("mallory")
}
fn safe() -> Address {
    account("tally-safe")
}
fn minter() -> Address {
    account("a-capped-minter")
}

/// `action` must fail with exactly `want` and leave the whole state unchanged.
fn rejects(net: &mut Network, action: Action, want: impl Into<ProtocolError>) {
    let before = net.state().clone();
    let label = format!("{action:?}");
    assert_eq!(net.apply(action), Err(want.into()), "{label}");
    assert!(
        net.state() == &before,
        "a rejected action changed the state: {label}"
    );
}

fn ok(net: &mut Network, action: Action) {
    let label = format!("{action:?}");
    if let Err(e) = net.apply(action) {
        panic!("{label} failed: {e}");
    }
}

fn missing_on_minter(account: Address, role: MinterRole) -> TokenError {
    TokenError::MinterMissingRole {
        minter: minter(),
        account,
        role: role.name(),
    }
}

fn mint(caller: Address, to: Address, amount: U256) -> Action {
    Action::MinterMint {
        caller,
        minter: minter(),
        to,
        amount,
    }
}

/// The devnet with a capped minter deployed by mallory for the token admin: 1,000 ZK from one
/// day to ten days out. Not yet wired to anything.
fn deployed() -> (Network, u64) {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let t0 = net.state().time;
    let start = t0 + DAY;
    // The factory is permissionless: anyone deploys, naming the admin.
    ok(
        &mut net,
        Action::CreateMinter {
            minter: minter(),
            admin: admin(),
            cap: tokens(1_000),
            start,
            expiry: start + 9 * DAY,
        },
    );
    (net, start)
}

#[test]
fn deployment_is_checked_like_the_constructor() {
    let (mut net, start) = deployed();
    let now = net.state().time;
    let create = |minter, start, expiry| Action::CreateMinter {
        minter,
        admin: admin(),
        cap: tokens(1),
        start,
        expiry,
    };
    let other = account("another-minter");
    rejects(
        &mut net,
        create(other, now - 1, now + DAY),
        TokenError::MinterInvalidTime {
            start: now - 1,
            expiry: now + DAY,
            now,
        },
    );
    rejects(
        &mut net,
        create(other, now + 2, now + 1),
        TokenError::MinterInvalidTime {
            start: now + 2,
            expiry: now + 1,
            now,
        },
    );
    rejects(
        &mut net,
        create(Address::ZERO, now, now),
        TokenError::ZeroAddress { what: "minter" },
    );
    rejects(
        &mut net,
        create(minter(), start, start),
        TokenError::MinterExists { minter: minter() },
    );
    // A one-second window (start == expiry) starting now is allowed.
    ok(&mut net, create(other, now, now));
}

#[test]
fn minting_without_the_role_is_refused_and_changes_nothing() {
    let (mut net, start) = deployed();
    ok(&mut net, Action::AdvanceTime { seconds: DAY });
    assert_eq!(net.state().time, start);
    // Nobody holds the minter's MINTER_ROLE yet: not the signer, not even the minter's admin.
    for caller in [signer(), admin(), mallory()] {
        rejects(
            &mut net,
            mint(caller, caller, tokens(1)),
            missing_on_minter(caller, MinterRole::Minter),
        );
    }
    // Only the minter's admin grants roles, and never DEFAULT_ADMIN_ROLE.
    let grant = |caller, role, account| Action::MinterGrantRole {
        caller,
        minter: minter(),
        role,
        account,
    };
    rejects(
        &mut net,
        grant(mallory(), MinterRole::Minter, mallory()),
        missing_on_minter(mallory(), MinterRole::DefaultAdmin),
    );
    rejects(
        &mut net,
        grant(admin(), MinterRole::DefaultAdmin, signer()),
        TokenError::MinterCannotGrantDefaultAdmin { minter: minter() },
    );
    ok(&mut net, grant(admin(), MinterRole::Minter, signer()));
    // The signer may now call the minter, but the minter is not a minter of the token.
    rejects(
        &mut net,
        mint(signer(), signer(), tokens(1)),
        TokenError::MissingRole {
            account: minter(),
            role: "MINTER_ROLE",
        },
    );
    let token_grant = |caller| Action::ZkGrantRole {
        caller,
        role: Role::Minter,
        account: minter(),
    };
    rejects(
        &mut net,
        token_grant(mallory()),
        TokenError::MissingRole {
            account: mallory(),
            role: "MINTER_ADMIN_ROLE",
        },
    );
    ok(&mut net, token_grant(admin()));
    // Wired: the signer mints; mallory still cannot, for herself or for anyone.
    let supply = net.state().token.total_supply();
    ok(&mut net, mint(signer(), signer(), tokens(10)));
    assert_eq!(net.state().token.total_supply() - supply, tokens(10));
    rejects(
        &mut net,
        mint(mallory(), signer(), tokens(1)),
        missing_on_minter(mallory(), MinterRole::Minter),
    );
    rejects(
        &mut net,
        mint(signer(), Address::ZERO, tokens(1)),
        TokenError::ZeroAddress {
            what: "mint recipient",
        },
    );
    rejects(
        &mut net,
        mint(signer(), signer(), tokens(991)),
        TokenError::MinterCapExceeded {
            minter: minter(),
            caller: signer(),
            amount: tokens(991),
            minted: tokens(10),
        },
    );
    // Revoking either role, by the right admin only, stops the signer.
    let revoke = |caller| Action::MinterRevokeRole {
        caller,
        minter: minter(),
        role: MinterRole::Minter,
        account: signer(),
    };
    rejects(
        &mut net,
        revoke(mallory()),
        missing_on_minter(mallory(), MinterRole::DefaultAdmin),
    );
    ok(&mut net, revoke(admin()));
    rejects(
        &mut net,
        mint(signer(), signer(), tokens(1)),
        missing_on_minter(signer(), MinterRole::Minter),
    );
    ok(&mut net, grant(admin(), MinterRole::Minter, signer()));
    let token_revoke = |caller| Action::ZkRevokeRole {
        caller,
        role: Role::Minter,
        account: minter(),
    };
    rejects(
        &mut net,
        token_revoke(mallory()),
        TokenError::MissingRole {
            account: mallory(),
            role: "MINTER_ADMIN_ROLE",
        },
    );
    ok(&mut net, token_revoke(admin()));
    rejects(
        &mut net,
        mint(signer(), signer(), tokens(1)),
        TokenError::MissingRole {
            account: minter(),
            role: "MINTER_ROLE",
        },
    );
    // A role holder may renounce its own role.
    ok(&mut net, token_grant(admin()));
    ok(
        &mut net,
        Action::MinterRenounceRole {
            caller: signer(),
            minter: minter(),
            role: MinterRole::Minter,
        },
    );
    rejects(
        &mut net,
        mint(signer(), signer(), tokens(1)),
        missing_on_minter(signer(), MinterRole::Minter),
    );
}

#[test]
fn the_window_pause_and_close_follow_the_contract() {
    let (mut net, start) = deployed();
    ok(
        &mut net,
        Action::ZkGrantRole {
            caller: admin(),
            role: Role::Minter,
            account: minter(),
        },
    );
    ok(
        &mut net,
        Action::MinterGrantRole {
            caller: admin(),
            minter: minter(),
            role: MinterRole::Minter,
            account: signer(),
        },
    );
    let now = net.state().time;
    rejects(
        &mut net,
        mint(signer(), signer(), tokens(1)),
        TokenError::MinterNotStarted {
            minter: minter(),
            start,
            now,
        },
    );
    ok(&mut net, Action::AdvanceTime { seconds: DAY });
    ok(&mut net, mint(signer(), signer(), tokens(1)));
    // Pause and unpause: PAUSER_ROLE (the admin got it in the constructor).
    let pause = |caller| Action::PauseMinter {
        caller,
        minter: minter(),
    };
    let unpause = |caller| Action::UnpauseMinter {
        caller,
        minter: minter(),
    };
    rejects(
        &mut net,
        pause(mallory()),
        missing_on_minter(mallory(), MinterRole::Pauser),
    );
    rejects(
        &mut net,
        unpause(admin()),
        TokenError::MinterNotPaused { minter: minter() },
    );
    ok(&mut net, pause(admin()));
    let paused = TokenError::MinterPaused { minter: minter() };
    rejects(
        &mut net,
        mint(signer(), signer(), tokens(1)),
        paused.clone(),
    );
    rejects(&mut net, pause(admin()), paused);
    rejects(
        &mut net,
        unpause(mallory()),
        missing_on_minter(mallory(), MinterRole::Pauser),
    );
    ok(&mut net, unpause(admin()));
    // The expiry is inclusive: the last second mints, the next does not.
    let expiry = start + 9 * DAY;
    let to_expiry = expiry - net.state().time;
    ok(&mut net, Action::AdvanceTime { seconds: to_expiry });
    ok(&mut net, mint(signer(), signer(), tokens(1)));
    ok(&mut net, Action::AdvanceTime { seconds: 1 });
    rejects(
        &mut net,
        mint(signer(), signer(), tokens(1)),
        TokenError::MinterExpired {
            minter: minter(),
            expiry,
            now: expiry + 1,
        },
    );
    // Close: DEFAULT_ADMIN_ROLE only; closed beats every other check.
    let close = |caller| Action::CloseMinter {
        caller,
        minter: minter(),
    };
    rejects(
        &mut net,
        close(mallory()),
        missing_on_minter(mallory(), MinterRole::DefaultAdmin),
    );
    ok(&mut net, close(admin()));
    rejects(
        &mut net,
        mint(mallory(), signer(), tokens(1)),
        TokenError::MinterClosed { minter: minter() },
    );
    rejects(
        &mut net,
        Action::MinterMint {
            caller: signer(),
            minter: account("nobody"),
            to: signer(),
            amount: tokens(1),
        },
        TokenError::UnknownMinter {
            minter: account("nobody"),
        },
    );
}

#[test]
fn no_mint_passes_the_21_billion_max_supply() {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let now = net.state().time;
    let big = account("a-big-minter");
    for action in [
        Action::CreateMinter {
            minter: big,
            admin: admin(),
            cap: MAX_SUPPLY,
            start: now,
            expiry: now + DAY,
        },
        Action::ZkGrantRole {
            caller: admin(),
            role: Role::Minter,
            account: big,
        },
        Action::MinterGrantRole {
            caller: admin(),
            minter: big,
            role: MinterRole::Minter,
            account: signer(),
        },
    ] {
        ok(&mut net, action);
    }
    let supply = net.state().token.total_supply();
    let room = MAX_SUPPLY - supply;
    let mint_big = |amount| Action::MinterMint {
        caller: signer(),
        minter: big,
        to: signer(),
        amount,
    };
    rejects(
        &mut net,
        mint_big(room + U256::from(1u8)),
        TokenError::ExceedsMaxSupply {
            amount: room + U256::from(1u8),
            supply,
            max: MAX_SUPPLY,
        },
    );
    ok(&mut net, mint_big(room));
    assert_eq!(net.state().token.total_supply(), MAX_SUPPLY);
}

#[test]
fn the_stakers_settings_belong_to_its_deployed_roles() {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let set = |caller, param| Action::SetStakerParam { caller, param };
    let gov = account("governance");
    let not_admin = |caller| StakingError::Unauthorized {
        reason: "not admin",
        caller,
    };
    // Governance is not the staker's admin: the Tally safe is.
    rejects(
        &mut net,
        set(gov, StakerParam::TotalStakeCap(tokens(1))),
        not_admin(gov),
    );
    rejects(
        &mut net,
        set(gov, StakerParam::MaxBumpTip(tokens(1))),
        not_admin(gov),
    );
    rejects(
        &mut net,
        Action::SetRewardNotifier {
            caller: gov,
            notifier: signer(),
            enabled: true,
        },
        not_admin(gov),
    );
    rejects(
        &mut net,
        set(gov, StakerParam::EligibilityThreshold(2)),
        StakingError::OwnableUnauthorizedAccount { account: gov },
    );
    rejects(
        &mut net,
        set(gov, StakerParam::UpdateEligibilityDelay(DAY)),
        StakingError::OwnableUnauthorizedAccount { account: gov },
    );
    rejects(
        &mut net,
        set(
            safe(),
            StakerParam::ClaimFee {
                amount: tokens(501),
                collector: safe(),
            },
        ),
        StakingError::InvalidClaimFeeParameters {
            amount: tokens(501),
            collector: safe(),
            max: tokens(500),
        },
    );
    rejects(
        &mut net,
        Action::SetOraclePaused {
            caller: gov,
            paused: true,
        },
        StakingError::CalculatorUnauthorized {
            reason: "not oracle pause guardian",
            caller: gov,
        },
    );
    rejects(
        &mut net,
        Action::NotifyReward {
            notifier: signer(),
            amount: tokens(1),
        },
        StakingError::Unauthorized {
            reason: "not notifier",
            caller: signer(),
        },
    );
    for param in [
        StakerParam::TotalStakeCap(tokens(450_000_000)),
        StakerParam::MaxBumpTip(tokens(4)),
        StakerParam::ClaimFee {
            amount: tokens(500),
            collector: safe(),
        },
        StakerParam::EligibilityThreshold(2),
        StakerParam::UpdateEligibilityDelay(DAY),
    ] {
        ok(&mut net, set(safe(), param));
    }
    let s = &net.state().staker;
    assert_eq!(s.params().total_stake_cap, tokens(450_000_000));
    assert_eq!(s.params().max_bump_tip, tokens(4));
    assert_eq!(s.params().claim_fee, tokens(500));
    assert_eq!(s.oracle().params.threshold, 2);
    assert_eq!(s.oracle().params.update_eligibility_delay, DAY);
    ok(
        &mut net,
        Action::SetRewardNotifier {
            caller: safe(),
            notifier: signer(),
            enabled: true,
        },
    );
    // notify(0) with nothing streaming would set a zero rate.
    rejects(
        &mut net,
        Action::NotifyReward {
            notifier: signer(),
            amount: U256::ZERO,
        },
        StakingError::InvalidRewardRate {
            amount: U256::ZERO,
            duration: REWARD_DURATION,
        },
    );
}

/// A TPP (alice proposes with the treasury's votes delegated to her) funds one season whose
/// MINTER_ROLE goes to the reward script's signer; alice also votes on an empty GAP, so she
/// voted on 2 of the last 5 proposals. Returns the network at the season's start.
fn funded_season() -> Network {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let (treasury, alice) = (account("treasury"), account("alice"));
    ok(
        &mut net,
        Action::ZkDelegate {
            delegator: treasury,
            delegatee: alice,
        },
    );
    ok(&mut net, Action::AdvanceTime { seconds: 60 });
    let now = net.state().time;
    let latency = net
        .state()
        .governance
        .config()
        .min_latency(GovernorKind::Token, UpgradeApproval::SecurityCouncil);
    let start = now + latency + DAY;
    ok(
        &mut net,
        Action::Propose {
            governor: GovernorKind::Token,
            proposer: alice,
            actions: vec![ProposalAction::FundStakingSeason {
                cap: tokens(10_000_000),
                start,
                expiry: start + 90 * DAY - 1,
                reward_minter: signer(),
            }],
        },
    );
    ok(
        &mut net,
        Action::Propose {
            governor: GovernorKind::GovOps,
            proposer: alice,
            actions: vec![],
        },
    );
    let p = net.state().governance.proposal(0).cloned().unwrap();
    ok(
        &mut net,
        Action::AdvanceTime {
            seconds: p.vote_start + 1 - now,
        },
    );
    for id in [0, 1] {
        ok(
            &mut net,
            Action::CastVote {
                id,
                voter: alice,
                support: VoteType::For,
            },
        );
    }
    let wait = p.deadline() + 1 - net.state().time;
    ok(&mut net, Action::AdvanceTime { seconds: wait });
    ok(&mut net, Action::QueueProposal { id: 0 });
    let eta = net.state().governance.proposal(0).and_then(|p| p.eta);
    let wait = eta.map_or(0, |e| e.saturating_sub(net.state().time));
    ok(&mut net, Action::AdvanceTime { seconds: wait });
    ok(&mut net, Action::ExecuteProposal { id: 0 });
    let wait = start - net.state().time;
    ok(&mut net, Action::AdvanceTime { seconds: wait });
    net
}

#[test]
fn the_reward_script_mints_through_its_season_and_notifies() {
    let mut net = funded_season();
    let (treasury, carol, alice) = (account("treasury"), account("carol"), account("alice"));
    let staker = net.state().staker.address();
    let season = Staker::season_minter(0);
    for action in [
        Action::SetRewardNotifier {
            caller: safe(),
            notifier: signer(),
            enabled: true,
        },
        Action::ZkTransfer {
            from: treasury,
            to: carol,
            amount: tokens(365_000_000),
        },
        Action::ZkApprove {
            owner: carol,
            spender: staker,
            amount: U256::MAX,
        },
        Action::RefreshDelegateScores {
            caller: account("score-oracle"),
        },
        Action::Stake {
            owner: carol,
            amount: tokens(365_000_000),
            delegatee: alice,
            claimer: carol,
        },
    ] {
        ok(&mut net, action);
    }
    assert_eq!(net.state().staker.oracle().score(alice), 1);
    assert_eq!(
        net.state().staker.total_earning_power(),
        tokens(365_000_000)
    );
    let script = RewardScript::new(1_000);
    let ScriptRequest::Mint(want) = script.request_for(&net.state().staker, net.state().time)
    else {
        panic!("nothing streams yet: the script must ask to mint");
    };
    // 10% a year of 365M ZK over 30 days: 3M ZK (less the script's flooring).
    assert!(tokens(3_000_000) - want < U256::from(2u8));
    // Run by someone without the season minter's MINTER_ROLE, the same transactions revert
    // at the mint, and nothing changes.
    let forged = script.transactions(net.state(), mallory());
    assert_eq!(forged.len(), 1);
    for action in forged {
        rejects(
            &mut net,
            action,
            TokenError::MinterMissingRole {
                minter: season,
                account: mallory(),
                role: "MINTER_ROLE",
            },
        );
    }
    // Run by its signer: one batch that mints through the season's minter and notifies.
    let supply = net.state().token.total_supply();
    for action in script.transactions(net.state(), signer()) {
        ok(&mut net, action);
    }
    let s = net.state();
    assert_eq!(s.token.total_supply() - supply, want);
    assert_eq!(s.token.minter(season).map(|m| m.minted), Some(want));
    assert_eq!(s.staker.totals().notified, want);
    assert_eq!(s.token.balance_of(staker), want);
    assert_eq!(s.token.balance_of(signer()), U256::ZERO);
    // On target now: the next run sends nothing.
    assert_eq!(script.transactions(net.state(), signer()), vec![]);
    // Half the stake leaves: the stored rate is above target, so the script lowers it with
    // notifyRewardAmount(0), re-spreading what is left over a fresh 30 days.
    ok(&mut net, Action::AdvanceTime { seconds: DAY });
    ok(
        &mut net,
        Action::Withdraw {
            caller: carol,
            deposit: 0,
            amount: tokens(182_500_000),
        },
    );
    let before = *net.state().staker.stream();
    let lower = script.transactions(net.state(), signer());
    assert_eq!(
        lower,
        vec![Action::NotifyReward {
            notifier: signer(),
            amount: U256::ZERO
        }]
    );
    for action in lower {
        ok(&mut net, action);
    }
    let after = *net.state().staker.stream();
    assert!(after.scaled_reward_rate < before.scaled_reward_rate);
    assert_eq!(after.reward_end_time, net.state().time + REWARD_DURATION);
    assert_eq!(net.state().token.total_supply() - supply, want);
}
