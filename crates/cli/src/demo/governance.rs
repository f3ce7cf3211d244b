//! The governance walk: holders stake and delegate; a TPP funds two staking seasons (capped
//! minters whose MINTER_ROLE goes to the reward script's signer) and another TPP (the
//! Splitter's admin is the Token Governor's timelock) moves the Splitter from 100% burn to 50%
//! burn / 50% staking rewards; delegates vote; the proposals pass quorum, wait out their delays
//! and execute; the eligibility oracle scores the delegates; the OFF-CHAIN reward script
//! (zkstaker's RequestMint.ts with `--rate=10`) decides what to mint through each season's
//! minter and notify — a caller without the MINTER_ROLE is refused — and the realised reward
//! rates of a staker behind an active delegate and one behind an inactive delegate are
//! compared.

#![allow(clippy::result_large_err)]

use super::Walk;
use crate::error::CliError;
use alloy_primitives::U256;
use flywheel_protocol::fee_flow::{settlement_fee_vault, splitter_address, Distributor};
use flywheel_protocol::genesis::Genesis;
use flywheel_protocol::governance::{GovernorKind, ProposalAction, ProposalState, VoteType};
use flywheel_protocol::interop::recipient::Code;
use flywheel_protocol::network::Action;
use flywheel_protocol::staking::{RewardScript, ScriptRequest, SCALE_FACTOR, SECONDS_PER_YEAR};
use flywheel_protocol::units::{format_amount, tokens};
use std::io::Write;

const DAY: u64 = 86_400;

/// The reward script's target: `--rate=10`, the top of TPP-12's "3% up to 10%".
const SCRIPT_RATE_BPS: u64 = 1_000;

/// Runs the walk on the devnet.
pub fn run(json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = Walk::new(Genesis::devnet(), Code::default(), json, out)?;
    for n in [
        "treasury",
        "whale",
        "alice",
        "bob",
        "carol",
        "dave",
        "erin",
        "governance",
        "token-admin",
        "tally-safe",
        "score-oracle",
        "staking-rewards",
        "reward-script",
        "keeper",
    ] {
        w.account(n);
    }
    let staker = w.state().staker.address();
    w.name_account(staker, "Staker");
    w.name_account(splitter_address(), "Splitter");
    for season in 0..2u32 {
        let minter = flywheel_protocol::staking::Staker::season_minter(season);
        w.name_account(minter, &format!("season-{} minter", season + 1));
    }
    w.name_account(settlement_fee_vault(), "settlement-fee-vault");
    let deposits = holders(&mut w)?;
    let (tpp, splitter) = proposals(&mut w)?;
    execute(&mut w, tpp, splitter)?;
    rewards(&mut w, deposits)?;
    w.finish()
}

pub use super::describe::date;

fn now(w: &Walk<'_>) -> String {
    date(w.state().time)
}

fn advance(w: &mut Walk<'_>, seconds: u64, why: &str) -> Result<(), CliError> {
    w.apply(why, Action::AdvanceTime { seconds })?;
    w.say(format!("now {}", now(w)))
}

/// Holders delegate and stake. Returns (carol's deposit behind alice, dave's behind bob).
fn holders(w: &mut Walk<'_>) -> Result<(u64, u64), CliError> {
    let [treasury, whale, alice, bob, carol, dave, erin] =
        ["treasury", "whale", "alice", "bob", "carol", "dave", "erin"].map(|n| w.account(n));
    let staker = w.state().staker.address();
    w.section("1. Holders delegate and stake")?;
    w.say(format!("start: {}", now(w)))?;
    for (to, amount) in [
        (whale, 400_000_000),
        (carol, 300_000_000),
        (dave, 50_000_000),
        (erin, 40_000_000),
        (alice, 1_000_000),
        (bob, 1_000_000),
    ] {
        let who = w.name(to);
        w.apply(
            &format!("treasury sends {who} {amount} ZK"),
            Action::ZkTransfer {
                from: treasury,
                to,
                amount: tokens(amount),
            },
        )?;
    }
    w.apply(
        "the whale delegates its votes to alice",
        Action::ZkDelegate {
            delegator: whale,
            delegatee: alice,
        },
    )?;
    w.apply(
        "alice delegates to herself",
        Action::ZkDelegate {
            delegator: alice,
            delegatee: alice,
        },
    )?;
    w.apply(
        "bob delegates to himself",
        Action::ZkDelegate {
            delegator: bob,
            delegatee: bob,
        },
    )?;
    let mut ids = [0u64; 2];
    for (i, (who, amount, delegatee)) in [(carol, 300_000_000u64, alice), (dave, 50_000_000, bob)]
        .into_iter()
        .enumerate()
    {
        let (name, to) = (w.name(who), w.name(delegatee));
        w.apply(
            &format!("{name} approves the Staker"),
            Action::ZkApprove {
                owner: who,
                spender: staker,
                amount: tokens(amount),
            },
        )?;
        ids[i] = w.state().staker.next_deposit_id();
        w.apply(
            &format!("{name} stakes {amount} ZK, delegating to {to}"),
            Action::Stake {
                owner: who,
                amount: tokens(amount),
                delegatee,
                claimer: who,
            },
        )?;
    }
    let votes = |w: &Walk<'_>, a| format_amount(w.state().token.get_votes(a));
    let (va, vb) = (votes(w, alice), votes(w, bob));
    w.say(format!("voting power: alice {va} ZK (whale + carol's deposit + own), bob {vb} ZK (dave's deposit + own)"))?;
    advance(
        w,
        60,
        "a minute passes (votes are read one second in the past)",
    )?;
    Ok((ids[0], ids[1]))
}

fn proposals(w: &mut Walk<'_>) -> Result<(u64, u64), CliError> {
    let [alice, bob, rewards_pot, signer] =
        ["alice", "bob", "staking-rewards", "reward-script"].map(|n| w.account(n));
    let start = w.state().time;
    w.section("2. Proposals: a TPP funds a staking season, another changes the Splitter")?;
    let tpp = w.state().governance.next_proposal_id();
    w.apply(
        "alice proposes TPP: fund staking seasons 1 and 2 (capped minters of 10M then 25M ZK, 90 days each, from in two weeks; the reward script's signer may mint)",
        Action::Propose {
            governor: GovernorKind::Token,
            proposer: alice,
            actions: vec![
                ProposalAction::FundStakingSeason { cap: tokens(10_000_000), start: start + 14 * DAY, expiry: start + 104 * DAY - 1, reward_minter: signer },
                ProposalAction::FundStakingSeason { cap: tokens(25_000_000), start: start + 104 * DAY, expiry: start + 194 * DAY - 1, reward_minter: signer },
            ],
        },
    )?;
    w.reject(
        "alice tries to change the Splitter through a GAP (its admin is the Token Governor's timelock: TPP only)",
        Action::Propose {
            governor: GovernorKind::GovOps,
            proposer: alice,
            actions: vec![ProposalAction::SetBurnPercentage(U256::from(5_000u16))],
        },
    )?;
    let splitter = w.state().governance.next_proposal_id();
    w.apply(
        "alice proposes TPP: Splitter distributors = the staking-rewards pot, then burn 50%",
        Action::Propose {
            governor: GovernorKind::Token,
            proposer: alice,
            actions: vec![
                ProposalAction::SetDistributors(vec![Distributor::new(rewards_pot, 1)]),
                ProposalAction::SetBurnPercentage(U256::from(5_000u16)),
            ],
        },
    )?;
    w.reject(
        "bob tries to change the fixed interop fee through a GAP (a protocol upgrade: ZIP only)",
        Action::Propose {
            governor: GovernorKind::GovOps,
            proposer: bob,
            actions: vec![ProposalAction::SetFixedInteropFee(tokens(5))],
        },
    )?;
    for id in [tpp, splitter] {
        let p = w.state().governance.proposal(id).cloned();
        if let Some(p) = p {
            w.say(format!(
                "proposal {id}: voting {} → {}, quorum {} ZK For",
                date(p.vote_start),
                date(p.vote_end),
                format_amount(p.quorum)
            ))?;
        }
    }
    let to_start = w
        .state()
        .governance
        .proposal(tpp)
        .map(|p| p.vote_start + 1 - w.state().time)
        .unwrap_or(0);
    advance(w, to_start, "the voting delay passes")?;
    w.reject(
        "bob votes on a proposal that does not exist",
        Action::CastVote {
            id: 99,
            voter: bob,
            support: VoteType::For,
        },
    )?;
    for id in [tpp, splitter] {
        w.apply(
            &format!("alice votes For proposal {id}"),
            Action::CastVote {
                id,
                voter: alice,
                support: VoteType::For,
            },
        )?;
    }
    w.say("bob does not vote: he will not be an active delegate")?;
    for id in [tpp, splitter] {
        let t = w.state().governance.proposal(id).map(|p| p.tally);
        if let Some(t) = t {
            w.say(format!(
                "tally of proposal {id}: For {} · Against {} · Abstain {}",
                format_amount(t.for_votes),
                format_amount(t.against_votes),
                format_amount(t.abstain_votes)
            ))?;
        }
    }
    Ok((tpp, splitter))
}

fn state_of(w: &Walk<'_>, id: u64) -> String {
    match w.state().governance.state(id, w.state().time) {
        Ok(s) => format!("{s:?}"),
        Err(e) => e.to_string(),
    }
}

fn execute(w: &mut Walk<'_>, tpp: u64, splitter: u64) -> Result<(), CliError> {
    w.section("3. Voting ends; the proposals are queued and executed")?;
    w.reject(
        "queue the Splitter TPP while voting is still open",
        Action::QueueProposal { id: splitter },
    )?;
    let end = w
        .state()
        .governance
        .proposal(splitter)
        .map(|p| p.deadline())
        .unwrap_or(0);
    let wait = end + 1 - w.state().time;
    advance(w, wait, "the voting period ends")?;
    let (s1, s2) = (state_of(w, tpp), state_of(w, splitter));
    w.say(format!("states: seasons TPP {s1}, Splitter TPP {s2}"))?;
    for id in [tpp, splitter] {
        w.apply(
            &format!("queue proposal {id}"),
            Action::QueueProposal { id },
        )?;
    }
    let eta = [tpp, splitter]
        .iter()
        .filter_map(|id| w.state().governance.proposal(*id).and_then(|p| p.eta))
        .max()
        .unwrap_or(0);
    if eta > w.state().time {
        let wait = eta - w.state().time;
        advance(w, wait, "the timelock delay passes")?;
    }
    for id in [tpp, splitter] {
        w.apply(
            &format!("execute proposal {id}"),
            Action::ExecuteProposal { id },
        )?;
    }
    let shares = w.state().economy.splitter.shares.clone();
    let created = w
        .state()
        .governance
        .proposal(splitter)
        .map(|p| p.created)
        .unwrap_or(0);
    let applied = w.state().time;
    w.say(format!(
        "new splitter shares apply from {}: {}% burn, {}% staking rewards — {:.1} days after the TPP was proposed ({})",
        date(applied),
        f64::from(shares.burn_bps) / 100.0,
        f64::from(10_000 - shares.burn_bps) / 100.0,
        (applied - created) as f64 / DAY as f64,
        date(created)
    ))?;
    let min = w.state().governance.config().min_latency(
        GovernorKind::Token,
        flywheel_protocol::governance::UpgradeApproval::SecurityCouncil,
    );
    w.say(format!(
        "(the configured minimum from proposal to effect for a TPP is {:.1} days)",
        min as f64 / DAY as f64
    ))?;
    if w.state().governance.state(splitter, applied).ok() != Some(ProposalState::Executed) {
        return Err(CliError::DemoCheck(
            "the Splitter TPP did not execute".into(),
        ));
    }
    Ok(())
}

fn rewards(w: &mut Walk<'_>, (carol_dep, dave_dep): (u64, u64)) -> Result<(), CliError> {
    let [carol, dave, gov, safe, oracle, pot, keeper, treasury, signer] = [
        "carol",
        "dave",
        "governance",
        "tally-safe",
        "score-oracle",
        "staking-rewards",
        "keeper",
        "treasury",
        "reward-script",
    ]
    .map(|n| w.account(n));
    w.section(
        "4. The oracle scores delegates; the reward script mints and notifies; fees are split",
    )?;
    w.apply(
        "the score oracle posts each voter's binary score (1: voted on 2 of the last 5)",
        Action::RefreshDelegateScores { caller: oracle },
    )?;
    let alice = w.account("alice");
    let bob = w.account("bob");
    let window = w.state().staker.oracle().params.window;
    let t = w.state().time;
    let (sa, sb) = (
        w.state().governance.participation(alice, window, t),
        w.state().governance.participation(bob, window, t),
    );
    w.say(format!(
        "participation in the last {window} proposals: alice {sa}, bob {sb} (eligible from 2)"
    ))?;
    for (who, why) in [
        (pot, "the staking-rewards pot"),
        (signer, "the reward script's signer"),
    ] {
        w.apply(
            &format!("the Tally safe (the staker's admin) lets {why} notify rewards"),
            Action::SetRewardNotifier {
                caller: safe,
                notifier: who,
                enabled: true,
            },
        )?;
    }
    let ep = |w: &Walk<'_>, d| {
        w.state()
            .staker
            .deposit(d)
            .map(|d| format_amount(d.earning_power))
            .unwrap_or_default()
    };
    let (ec, ed) = (ep(w, carol_dep), ep(w, dave_dep));
    w.say(format!("earning power before any bump: carol {ec}, dave {ed} (deposits made before the oracle's first scores)"))?;
    let season_start = w.state().staker.season(0).map(|s| s.start).unwrap_or(0);
    if season_start > w.state().time {
        let wait = season_start - w.state().time;
        advance(w, wait, "season 1 starts")?;
    }
    w.apply(
        "a keeper bumps carol's deposit: her delegate alice is active, so it starts earning",
        Action::BumpEarningPower {
            bumper: keeper,
            deposit: carol_dep,
            tip_receiver: keeper,
            tip: U256::ZERO,
        },
    )?;
    w.reject(
        "a keeper tries to bump dave's deposit: his delegate bob never votes",
        Action::BumpEarningPower {
            bumper: keeper,
            deposit: dave_dep,
            tip_receiver: keeper,
            tip: U256::ZERO,
        },
    )?;
    // Protocol fees under the new shares: 1,000 ZK of settlement fees reach the splitter.
    w.apply(
        "1,000 ZK of settlement fees reach the vault",
        Action::ZkTransfer {
            from: treasury,
            to: settlement_fee_vault(),
            amount: tokens(1_000),
        },
    )?;
    w.apply(
        "GWAssetTracker's owner withdraws the vault to the Splitter",
        Action::WithdrawGatewayFees {
            caller: gov,
            recipient: splitter_address(),
        },
    )?;
    w.apply(
        "a keeper calls split(): half is burned, half goes to staking rewards",
        Action::Split,
    )?;
    w.apply(
        "the pot notifies its 500 ZK to the staker",
        Action::NotifyReward {
            notifier: pot,
            amount: tokens(500),
        },
    )?;
    for season in 0..2u32 {
        run_season(w, season, [(carol, carol_dep), (dave, dave_dep)])?;
    }
    let minted = w.state().token.minted_total() - tokens(1_000_000_000);
    w.say(format!(
        "ZK minted for the two seasons: {} (caps 10,000,000 + 25,000,000; the script mints what its target rate asks, no more)",
        format_amount(minted)
    ))
}

/// The rate (percent a year) the staker's *stored* stream rate pays on its earning power — what
/// the reward script reads.
fn stored_rate(w: &Walk<'_>) -> f64 {
    let s = &w.state().staker;
    let power = s.total_earning_power();
    if power.is_zero() {
        return 0.0;
    }
    let annual = s.stream().scaled_reward_rate * U256::from(SECONDS_PER_YEAR) / SCALE_FACTOR;
    let pct = |v: U256| format_amount(v).parse::<f64>().unwrap_or(0.0);
    pct(annual) / pct(power) * 100.0
}

/// One run of the off-chain reward script by its signer: says what it decides and sends it.
fn run_script(w: &mut Walk<'_>) -> Result<(), CliError> {
    let signer = w.account("reward-script");
    let script = RewardScript::new(SCRIPT_RATE_BPS);
    let now = w.state().time;
    let rate = stored_rate(w);
    let target = SCRIPT_RATE_BPS as f64 / 100.0;
    match script.request_for(&w.state().staker, now) {
        ScriptRequest::Nothing => w.say(format!(
            "reward script (off-chain, --rate={target}): the stored rate reads {rate:.2}%, within 0.01 points of {target}%: no action"
        ))?,
        ScriptRequest::LowerRate => w.say(format!(
            "reward script (off-chain, --rate={target}): the stored rate reads {rate:.2}%, above {target}%: notifyRewardAmount(0)"
        ))?,
        ScriptRequest::Mint(want) => w.say(format!(
            "reward script (off-chain, --rate={target}): the stored rate reads {rate:.2}%, below {target}%: mint {} ZK and notify",
            format_amount(want)
        ))?,
    }
    for action in script.transactions(w.state(), signer) {
        w.apply(
            "the signer mints through the season's capped minter and notifies the staker",
            action,
        )?;
    }
    Ok(())
}

/// One season under the reward script: it runs at the start, half-way through the first
/// stream, once that stream has ended, and after erin stakes behind alice; both stakers claim
/// at the season's end and the realised annual rates are printed.
fn run_season(
    w: &mut Walk<'_>,
    season: u32,
    stakers: [(alloy_primitives::Address, u64); 2],
) -> Result<(), CliError> {
    let Some(plan) = w.state().staker.season(season).copied() else {
        return Err(CliError::DemoCheck(format!(
            "season {} was not funded",
            season + 1
        )));
    };
    let n = season + 1;
    if plan.start > w.state().time {
        let wait = plan.start - w.state().time;
        advance(w, wait, &format!("season {n} starts"))?;
    }
    w.say(format!(
        "season {n}: its capped minter mints from {} to {} (inclusive), up to {} ZK",
        date(plan.start),
        date(plan.expiry),
        format_amount(plan.cap)
    ))?;
    let first = w.state().time;
    run_script(w)?;
    if season == 0 {
        let keeper = w.account("keeper");
        w.reject(
            "a keeper tries to mint 1 ZK through season 1's capped minter itself",
            Action::MinterMint {
                caller: keeper,
                minter: plan.minter,
                to: keeper,
                amount: tokens(1),
            },
        )?;
    }
    advance(w, 15 * DAY, "15 days of streaming")?;
    run_script(w)?;
    advance(w, 15 * DAY, "the 30-day stream ends")?;
    run_script(w)?;
    w.say("(Staker keeps its last rate after a stream ends; the script reads that rate, so it tops up only once earning power grows)")?;
    let (erin, alice, staker) = (
        w.account("erin"),
        w.account("alice"),
        w.state().staker.address(),
    );
    w.apply(
        "erin approves the Staker",
        Action::ZkApprove {
            owner: erin,
            spender: staker,
            amount: tokens(20_000_000),
        },
    )?;
    w.apply(
        "erin stakes 20,000,000 ZK, delegating to alice (active): earning power grows",
        Action::Stake {
            owner: erin,
            amount: tokens(20_000_000),
            delegatee: alice,
            claimer: erin,
        },
    )?;
    run_script(w)?;
    if plan.expiry + 1 > w.state().time {
        let wait = plan.expiry + 1 - w.state().time;
        advance(w, wait, &format!("season {n} ends"))?;
    }
    let mut claimed = [U256::ZERO; 2];
    for (i, (who, dep)) in stakers.into_iter().enumerate() {
        let name = w.name(who);
        if w.state()
            .staker
            .unclaimed_reward(dep, w.state().time)
            .is_zero()
        {
            w.say(format!("{name} has no reward to claim"))?;
            continue;
        }
        let before = w.state().token.balance_of(who);
        w.apply(
            &format!("{name} claims"),
            Action::ClaimReward {
                caller: who,
                deposit: dep,
            },
        )?;
        claimed[i] = w.state().token.balance_of(who) - before;
    }
    w.section(&format!("Season {n}: realised reward rates"))?;
    let years = (w.state().time - first) as f64 / (365.0 * DAY as f64);
    for (label, stake, got) in [
        ("carol (delegate alice: active)", 300_000_000f64, claimed[0]),
        ("dave (delegate bob: inactive)", 50_000_000f64, claimed[1]),
    ] {
        let zk = format_amount(got);
        let rate = zk.parse::<f64>().unwrap_or(0.0) / stake / years * 100.0;
        w.say(format!(
            "{label}: claimed {zk} ZK on {stake:.0} ZK staked = {rate:.2}% a year"
        ))?;
    }
    Ok(())
}
