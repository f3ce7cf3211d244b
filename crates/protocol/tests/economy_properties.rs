//! Property tests of the ZK token economy: random action sequences on the devnet that mix the
//! staking pilot, the three governors (and a ZIP's L1 path), every fee route and some interop
//! traffic and settlement (so fees exist to route). A fixed prologue with random amounts funds
//! the actors first: a whale (≥ 650M ZK, enough For votes for the 630M quorum) delegating to
//! `alice`, a smaller self-delegated `bob`, three stakers, the chains' operators (opted in to
//! pay Gateway settlement fees), an interop user, a Fee Flow claimer, and two enabled reward
//! notifiers (`staking-rewards`, also a splitter recipient, and `reward-script`, the off-chain
//! reward script's signer that TPPs make the season minters' MINTER_ROLE holder). Then random
//! steps: time advances
//! (hours to weeks), proposals, votes (full, fractional, over weight, without weight), queue,
//! execute (often too early), vetoes and cancels by the right and the wrong caller, ZIP
//! approvals on L1 and upgrade execution, stakes, withdrawals, delegatee changes, claims,
//! bumps, oracle refreshes, runs of the off-chain reward script (mint through the season's
//! capped minter, then notify), mint attempts by role holders and by callers without the
//! minter's MINTER_ROLE, capped-minter administration (pause, unpause, close, roles) by the
//! right and the wrong caller, staker and calculator settings by their roles and by others,
//! reward notifications, interop traffic, batch settlement, fee claims (to the operator or
//! another receiver), revenue operators choose to send to Fee Flow (a transfer on Era, a
//! bridge from elsewhere), settlement-fee withdrawals, `split()` calls, Fee Flow claims with
//! random requests (the bid token, unlisted tokens, minimums above the pool, duplicates),
//! recoveries, and direct settings of Fee Flow and the Splitter (whitelist, threshold, pause,
//! distributors with duplicates and the Splitter itself, burn share) by their admin, their
//! emergency admin or a stranger.
//!
//! After every step (named helper fns below):
//!
//! 1. ZK supply: `total_supply ≤ MAX_SUPPLY`; `total_supply == Σ balances` (every address a
//!    ZK `Transfer` touched, plus genesis); `minted − burned == total_supply`; and from one
//!    state to the next, `supply' = supply + minted − burned` with exactly the mints and burns
//!    the step's `Transfer` events show; every mint is a capped minter's `Minted` for a caller
//!    holding that minter's MINTER_ROLE, through a minter holding the token's MINTER_ROLE.
//! 2. Staking: `notified = claimed + fees + tips + ZK held by the staker`; `claimed ≤
//!    notified`; `Σ deposit balances == total_staked`, and each delegatee's surrogate holds
//!    exactly its deposits' balances; `Σ deposit earning power == total_earning_power`.
//! 3. Fees: `fixed + settlement + auction paid == Σ unclaimed ZK accruals + fixed claimed +
//!    vault + settlement fees withdrawn elsewhere + Splitter inflow`; `Splitter inflow + its
//!    payments to itself == burned + distributed + recovered + Splitter balance`; the
//!    InteropCenter holds exactly the accrued ZK fees, and on each chain exactly the accrued
//!    base-token fees.
//! 4. Interop conserves value per asset: `Σ balances + in_flight == issued`.
//! 5. A failed action (or `relayer::settle_for`) leaves the state equal to a clone taken before.
//! 6. Governed parameters (the Splitter's shares, settlement fee, Fee Flow threshold,
//!    destination, pause and whitelist, fixed interop fee, seasons) change only as the step's
//!    released proposal actions (`ProposalExecuted` of a TPP/GAP, `UpgradeExecuted` of a ZIP)
//!    or its direct setting (by the contract's admin or emergency admin) say; an executed
//!    proposal was Queued (or Ready on L1) and had passed; a Defeated, Vetoed, Canceled or
//!    Expired proposal stays so and never executes. The staker's settings (stake cap, max bump
//!    tip, claim fee) change only by its admin, the calculator's (threshold, delay) only by its
//!    owner — the Tally safe as deployed, never governance.
//! 7. Replay and determinism: folding the log over genesis rebuilds the live state, and the
//!    same sequence run twice gives the same event log.
//!
//! `generator_reaches_economy_success_paths` runs a fixed-seed batch, prints how often each
//! step kind succeeded (`-- --nocapture`) and asserts that the key ones happen.
//! `PROPTEST_CASES=n` runs more random cases. A test at the end pins down the Splitter paying
//! itself, which the contract allows and the identities count.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Test helpers pass the library's error through unchanged; its size is the library's concern.
#![allow(clippy::result_large_err)]

mod common;
use common::*;

use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::AssetId;
use flywheel_protocol::chain::INTEROP_CENTER;
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::event::Event;
use flywheel_protocol::fee_flow::{
    fee_flow_address, settlement_fee_vault, splitter_address, ClaimRequest, Distributor, Shares,
};
use flywheel_protocol::genesis::{account, devnet, eth, zk, Genesis};
use flywheel_protocol::governance::{
    Ballot, GovernanceEvent, GovernorKind, ProposalAction, ProposalState, UpgradeApproval,
    UpgradeState, VoteType, DAY,
};
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter};
use flywheel_protocol::interop::recipient::Code;
use flywheel_protocol::network::{Action, Network, State};
use flywheel_protocol::relayer;
use flywheel_protocol::staking::{RewardScript, Staker, StakerParam, StakingEvent};
use flywheel_protocol::token::{MinterRole, Role, TokenEvent};
use flywheel_protocol::units::tokens;
use flywheel_protocol::ChainId;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, FileFailurePersistence, RngAlgorithm, TestRng, TestRunner};
use std::collections::{BTreeMap, BTreeSet};

const HOUR: u64 = 3_600;

// ----- the world -----

fn treasury() -> Address {
    account("treasury")
}
/// Holds ≥ 650M ZK and delegates them to `alice`.
fn whale() -> Address {
    account("whale")
}
/// The whale's delegate: proposes and votes with enough weight to pass proposals alone.
fn alice() -> Address {
    account("alice")
}
/// A small self-delegated holder (25–40M ZK): above the 21M threshold, far below quorum.
fn bob() -> Address {
    account("bob")
}
fn stakers() -> [Address; 3] {
    [account("carol"), account("dave"), account("erin")]
}
/// Who a vote step picks: the two delegates, then holders with no votes of their own.
fn voters() -> [Address; 4] {
    [alice(), bob(), whale(), stakers()[0]]
}
/// Who a proposal step picks: alice, bob, and carol (votes only if she staked to herself).
fn proposers() -> [Address; 3] {
    [alice(), bob(), stakers()[0]]
}
/// Delegatees of deposits: the active delegate, the small one, and carol herself (who never
/// votes, so is never eligible).
fn delegatees() -> [Address; 3] {
    [alice(), bob(), stakers()[0]]
}
fn gov() -> Address {
    account("governance")
}
/// Fee Flow's and the Splitter's admin (a passed TPP acts as it).
fn timelock() -> Address {
    account("token-governor-timelock")
}
/// Fee Flow's and the Splitter's emergency admin.
fn emergency() -> Address {
    account("emergency-admin")
}
/// A token Fee Flow never holds (listed on the whitelist by some steps).
fn usdc() -> AssetId {
    AssetId::native(devnet::L1, Address::repeat_byte(0xc))
}
/// The Tally safe: staker admin, calculator owner and oracle pause guardian, as deployed.
fn staker_admin() -> Address {
    account("tally-safe")
}
/// The token's role admin (the Token Governor's timelock): admin of the season minters.
fn token_admin() -> Address {
    account("token-admin")
}
/// The off-chain reward script's signer: holds the season minters' MINTER_ROLE and notifies.
fn signer() -> Address {
    account("reward-script")
}
fn score_oracle() -> Address {
    account("score-oracle")
}
fn council() -> Address {
    account("security-council")
}
fn guardians() -> Address {
    account("guardians")
}
/// The reward notifier enabled at the start, and a splitter recipient.
fn pot() -> Address {
    account("staking-rewards")
}
/// The other possible splitter recipient.
fn grants() -> Address {
    account("grants")
}
/// Bumps deposits, and is some deposits' claimer.
fn keeper() -> Address {
    account("keeper")
}
fn fee_claimer() -> Address {
    account("fee-claimer")
}
/// Pays for interop traffic (ETH and bridged ZK on the L2s, ZK for fixed fees).
fn user() -> Address {
    account("interop-user")
}
/// Holds no role and no ZK.
fn mallory() -> Address {
    account("mallory")
}

/// Chains traffic leaves from: three Gateway-settled L2s and the L1-settled one (whose sends
/// are `NotInGatewayMode`).
const SOURCES: [ChainId; 4] = [
    devnet::ERA,
    devnet::ETH_CHAIN,
    devnet::ZK_CHAIN,
    devnet::L1_CHAIN,
];
/// Where traffic goes (L1 is `NotL2ToL2`; a source's own chain is allowed).
const DESTS: [ChainId; 5] = [
    devnet::ERA,
    devnet::ETH_CHAIN,
    devnet::ZK_CHAIN,
    devnet::L1_CHAIN,
    devnet::L1,
];
/// Chains a settle step seals (Gateway settles on L1).
const SETTLERS: [ChainId; 5] = [
    devnet::ERA,
    devnet::ETH_CHAIN,
    devnet::ZK_CHAIN,
    devnet::L1_CHAIN,
    devnet::GATEWAY,
];
/// Operators that agree to pay settlement fees in the prologue (Era, the ETH chain). The
/// ZK chain's operator holds ZK and approved the vault but must still opt in.
const OPTED_IN: [ChainId; 2] = [devnet::ERA, devnet::ETH_CHAIN];

fn milli(m: u64) -> U256 {
    U256::from(m) * U256::from(1_000_000_000_000_000u64)
}

fn pct(amount: U256, p: u8) -> U256 {
    amount * U256::from(p) / U256::from(100u8)
}

fn operator(s: &State, chain: ChainId) -> Address {
    s.chain(chain)
        .map(|c| c.config.operator)
        .unwrap_or(mallory())
}

// ----- steps -----

/// The prologue's random amounts.
#[derive(Debug, Clone)]
struct Setup {
    /// Whale's ZK, millions (650–700).
    whale_m: u64,
    /// Bob's ZK, millions (25–40).
    bob_m: u64,
    /// Each staker's ZK, millions (10–60).
    stakers_m: [u64; 3],
    /// Interop protocol fee on every source chain, thousandths of a base token per call.
    protocol_fee_milli: u64,
    /// The Gateway settlement fee governance sets first, ZK per interop call (0–10).
    settlement_fee_zk: u64,
}

/// What a proposal (or a direct governance setting) does, before it is given absolute times.
#[derive(Debug, Clone, Copy)]
enum Spec {
    Season {
        cap_m: u64,
        start_days: u64,
        length_days: u64,
    },
    /// Splitter distributors: weights of the pot, grants and the Splitter itself (0 = absent),
    /// the pot listed twice, or a zero address among them.
    Distributors {
        pot: u64,
        grants: u64,
        itself: u64,
        twice: bool,
        zero_address: bool,
    },
    /// Splitter burn share, bps (above 10,000 is refused).
    Burn {
        bps: u16,
    },
    /// Fee Flow whitelist: ETH (0), ZK (1) or an unheld token (2).
    Claimable {
        token: u8,
        claimable: bool,
    },
    Threshold {
        k: u64,
    },
    Pause {
        paused: bool,
    },
    SettlementFee {
        zk: u64,
    },
    FixedFee {
        zk: u64,
    },
}

fn claim_token(t: u8) -> AssetId {
    match t {
        0 => eth(),
        1 => zk(),
        _ => usdc(),
    }
}

impl Spec {
    /// The governor that may carry it (TPP for staking, and for Fee Flow and the Splitter,
    /// whose admin is the Token Governor's timelock; ZIP for protocol parameters).
    fn governor(self) -> GovernorKind {
        match self {
            Spec::Season { .. } => GovernorKind::Token,
            Spec::Distributors { .. }
            | Spec::Burn { .. }
            | Spec::Claimable { .. }
            | Spec::Threshold { .. }
            | Spec::Pause { .. } => GovernorKind::Token,
            Spec::SettlementFee { .. } | Spec::FixedFee { .. } => GovernorKind::Protocol,
        }
    }

    /// The role that may make it directly: GWAssetTracker's owner for the settlement fee, the
    /// Token Governor's timelock for Fee Flow and the Splitter.
    fn admin(self) -> Address {
        match self {
            Spec::SettlementFee { .. } => gov(),
            _ => timelock(),
        }
    }

    fn action(self, now: u64) -> ProposalAction {
        match self {
            Spec::Season {
                cap_m,
                start_days,
                length_days,
            } => {
                let start = now + start_days * DAY;
                ProposalAction::FundStakingSeason {
                    cap: tokens(cap_m * 1_000_000),
                    start,
                    expiry: start + length_days * DAY,
                    reward_minter: signer(),
                }
            }
            Spec::Distributors { .. } => ProposalAction::SetDistributors(distributors(self)),
            Spec::Burn { bps } => ProposalAction::SetBurnPercentage(U256::from(bps)),
            Spec::Claimable { token, claimable } => ProposalAction::SetClaimableToken {
                token: claim_token(token),
                claimable,
            },
            Spec::Threshold { k } => ProposalAction::SetBidThreshold(tokens(k * 1_000)),
            Spec::Pause { paused } => ProposalAction::SetClaimPaused(paused),
            Spec::SettlementFee { zk } => ProposalAction::SetGatewaySettlementFee(tokens(zk)),
            Spec::FixedFee { zk } => ProposalAction::SetFixedInteropFee(tokens(zk)),
        }
    }

    /// The same setting made directly by `caller` (the contract's own setter).
    fn direct(self, caller: Address) -> Option<Action> {
        Some(match self {
            Spec::Distributors { .. } => Action::SetDistributors {
                caller,
                distributors: distributors(self),
            },
            Spec::Burn { bps } => Action::SetBurnPercentage {
                caller,
                burn_bps: U256::from(bps),
            },
            Spec::Claimable { token, claimable } => Action::SetClaimableToken {
                caller,
                token: claim_token(token),
                claimable,
            },
            Spec::Threshold { k } => Action::SetBidThreshold {
                caller,
                threshold: tokens(k * 1_000),
            },
            Spec::Pause { paused } => Action::SetClaimPaused { caller, paused },
            Spec::SettlementFee { zk } => Action::SetGatewaySettlementFee {
                caller,
                fee: tokens(zk),
            },
            _ => return None,
        })
    }
}

/// The list a `Spec::Distributors` sets (empty when every weight is 0: a forced 100% burn).
fn distributors(spec: Spec) -> Vec<Distributor> {
    let Spec::Distributors {
        pot: p,
        grants: g,
        itself,
        twice,
        zero_address,
    } = spec
    else {
        return vec![];
    };
    let mut list = vec![];
    for (who, w) in [(pot(), p), (grants(), g), (splitter_address(), itself)] {
        if w > 0 {
            list.push(Distributor::new(who, w));
        }
    }
    if twice && p > 0 {
        list.push(Distributor::new(pot(), p));
    }
    if zero_address {
        list.push(Distributor::new(Address::ZERO, 1));
    }
    list
}

/// Which proposal (or season, or deposit) a step acts on.
#[derive(Debug, Clone, Copy)]
enum Pick {
    /// The `k`-th most recent one (an unknown id when there are fewer).
    Recent(usize),
    /// The `k`-th most recent one in the state the step needs (else as `Recent`): what an
    /// actor watching the chain would pick.
    Ready(usize),
}

#[derive(Debug, Clone, Copy)]
enum VoteSpec {
    Full(VoteType),
    /// Percentages of the weight still uncast, per option (may sum above 100: over weight).
    Split {
        against: u8,
        for_: u8,
        abstain: u8,
    },
}

#[derive(Debug, Clone, Copy)]
enum Tip {
    Zero,
    /// Thousandths of a ZK (the maximum tip is 5 ZK).
    Milli(u64),
    /// Above the maximum tip.
    Over,
}

#[derive(Debug, Clone)]
enum Step {
    Advance {
        seconds: u64,
    },
    Propose {
        proposer: usize,
        spec: Spec,
        /// A second action, of any kind (refused when its governor differs).
        extra: Option<Spec>,
        /// Another governor than the natural one (often refused).
        governor: Option<GovernorKind>,
    },
    Vote {
        pick: Pick,
        voter: usize,
        vote: VoteSpec,
    },
    Queue {
        pick: Pick,
    },
    Execute {
        pick: Pick,
    },
    Veto {
        pick: Pick,
        right: bool,
    },
    Cancel {
        pick: Pick,
        by_proposer: bool,
    },
    Approve {
        pick: Pick,
        by: UpgradeApproval,
        right: bool,
    },
    ExtendVeto {
        pick: Pick,
        right: bool,
    },
    ExecuteUpgrade {
        pick: Pick,
    },
    Stake {
        staker: usize,
        /// Percent of the staker's ZK; `None`: more than it holds.
        pct: Option<u8>,
        delegatee: usize,
        keeper_claims: bool,
    },
    StakeMore {
        deposit: usize,
        pct: u8,
        wrong_caller: bool,
    },
    Withdraw {
        deposit: usize,
        /// Percent of the deposit; `None`: one wei more than it holds.
        pct: Option<u8>,
        wrong_caller: bool,
    },
    AlterDelegatee {
        deposit: usize,
        delegatee: usize,
        wrong_caller: bool,
    },
    AlterClaimer {
        deposit: usize,
        to_keeper: bool,
        wrong_caller: bool,
    },
    Claim {
        deposit: usize,
        /// 0 owner, 1 claimer, 2 mallory.
        caller: u8,
    },
    Bump {
        deposit: usize,
        tip: Tip,
    },
    Refresh {
        right: bool,
    },
    /// The pause guardian (Security Council) pauses or unpauses the eligibility oracle.
    OraclePause {
        right: bool,
        paused: bool,
    },
    /// The reward script runs with a target rate; `right`: as its signer, else as mallory.
    RewardScript {
        rate_bps: u64,
        right: bool,
    },
    /// A direct `mint` on a season's minter by one of: the signer, mallory, the token admin
    /// (the minter's admin, but no MINTER_ROLE), the Tally safe; to the caller or to mallory.
    MintAttempt {
        back: u32,
        caller: u8,
        thousands: u64,
        to_mallory: bool,
    },
    /// Administration of a season's minter, by its admin (`right`) or by mallory.
    MinterAdmin {
        back: u32,
        op: MinterOp,
        right: bool,
    },
    /// A staker or calculator setting by the Tally safe (`right`) or by governance.
    StakerSetting {
        param: StakerParam,
        right: bool,
    },
    NotifyReward {
        enabled: bool,
        k: u64,
    },
    SetNotifier {
        right: bool,
        enabled: bool,
    },
    FundPot {
        k: u64,
    },
    Traffic {
        source: usize,
        dest: usize,
        calls: u64,
        fixed: bool,
    },
    Send {
        source: usize,
        dest: usize,
        calls: usize,
        fixed: bool,
    },
    SetProtocolFee {
        source: usize,
        milli: u64,
        by_operator: bool,
    },
    Settle {
        chain: usize,
    },
    SettleFor {
        source: usize,
        dest: usize,
    },
    AgreeToPay {
        source: usize,
        by_operator: bool,
    },
    ClaimProtocolFees {
        source: usize,
        by_operator: bool,
        /// Paid to the operator itself, or to the keeper.
        to_self: bool,
        /// Then the operator sends this percentage of its base token to Fee Flow.
        send_pct: Option<u8>,
    },
    ClaimZkFees {
        source: usize,
        by_operator: bool,
        to_self: bool,
    },
    /// An operator sends a share of its base-token balance to the Fee Flow pool on Era (the
    /// simulator's revenue-share lever): a transfer on Era, a bridge from elsewhere.
    SendToFeeFlow {
        source: usize,
        pct: u8,
    },
    /// GWAssetTracker's owner (or, wrongly, the emergency admin) withdraws the vault to the
    /// Splitter, or to the keeper, or to the zero address.
    WithdrawFees {
        right: bool,
        /// 0 the Splitter, 1 the keeper, 2 the zero address.
        to: u8,
    },
    /// Anyone calls `split()`.
    Split,
    /// Fee Flow `claim`: requests of (token, minimum: 0 = zero, 1 = the pool's balance, 2 = one
    /// wei more).
    ClaimFeeFlow {
        requests: Vec<(u8, u8)>,
    },
    /// Fee Flow's or the Splitter's `recover` of ZK or ETH: 0 the admin, 1 the emergency admin,
    /// 2 mallory; an amount of 0–100% of what it holds, or one wei more.
    Recover {
        splitter: bool,
        zk: bool,
        caller: u8,
        pct: Option<u8>,
    },
    Direct {
        spec: Spec,
        /// 0 the setting's admin (governance, or the Token Governor's timelock), 1 the emergency
        /// admin, 2 mallory.
        caller: u8,
    },
}

/// What a [`Step::MinterAdmin`] does.
#[derive(Debug, Clone, Copy)]
enum MinterOp {
    Pause,
    Unpause,
    Close,
    /// Grant MINTER_ROLE to mallory.
    GrantMallory,
    /// Revoke the signer's MINTER_ROLE.
    RevokeSigner,
    /// Give the signer its MINTER_ROLE back.
    RegrantSigner,
    /// Try to grant DEFAULT_ADMIN_ROLE (never allowed).
    GrantAdmin,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        650u64..=700,
        25u64..=40,
        [10u64..=60, 10u64..=60, 10u64..=60],
        1u64..=10,
        0u64..=10,
    )
        .prop_map(
            |(whale_m, bob_m, stakers_m, protocol_fee_milli, settlement_fee_zk)| Setup {
                whale_m,
                bob_m,
                stakers_m,
                protocol_fee_milli,
                settlement_fee_zk,
            },
        )
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        1 => (0usize..3).prop_map(Pick::Recent),
        4 => (0usize..2).prop_map(Pick::Ready),
    ]
}

fn tpp_spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        // A season must start after the TPP executes (ZkCappedMinterV2__InvalidTime): at least
        // the Token Governor's ~13 days; an early start sometimes makes execution revert.
        4 => (1u64..=20, 14u64..=60, 30u64..=120).prop_map(|(cap_m, start_days, length_days)| {
            Spec::Season { cap_m, start_days, length_days }
        }),
    ]
}

fn fee_flow_spec() -> impl Strategy<Value = Spec> {
    let weight = || prop_oneof![1 => Just(0u64), 3 => 1u64..=1_000];
    prop_oneof![
        3 => (
            weight(),
            weight(),
            prop_oneof![4 => Just(0u64), 1 => 1u64..=1_000],
            proptest::bool::weighted(0.2),
            proptest::bool::weighted(0.1),
        )
            .prop_map(|(pot, grants, itself, twice, zero_address)| Spec::Distributors {
                pot,
                grants,
                itself,
                twice,
                zero_address,
            }),
        3 => prop_oneof![9 => 0u16..=10_000, 1 => 10_001u16..=12_000]
            .prop_map(|bps| Spec::Burn { bps }),
        1 => (0u8..3, proptest::bool::weighted(0.6))
            .prop_map(|(token, claimable)| Spec::Claimable { token, claimable }),
        2 => prop_oneof![1 => 50u64..100, 4 => 100u64..=1_500]
            .prop_map(|k| Spec::Threshold { k }),
        1 => proptest::bool::weighted(0.3).prop_map(|paused| Spec::Pause { paused }),
    ]
}

fn protocol_spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        2 => (0u64..=20).prop_map(|zk| Spec::SettlementFee { zk }),
        1 => (1u64..=20).prop_map(|zk| Spec::FixedFee { zk }),
    ]
}

fn direct_spec() -> impl Strategy<Value = Spec> {
    prop_oneof![
        2 => fee_flow_spec(),
        1 => (0u64..=20).prop_map(|zk| Spec::SettlementFee { zk }),
    ]
}

fn advance() -> impl Strategy<Value = Step> {
    prop_oneof![
        7 => HOUR..DAY,
        8 => DAY..5 * DAY,
        4 => 5 * DAY..15 * DAY,
        1 => 15 * DAY..40 * DAY,
    ]
    .prop_map(|seconds| Step::Advance { seconds })
}

fn governance_step() -> impl Strategy<Value = Step> {
    let any_spec = || prop_oneof![4 => tpp_spec(), 3 => fee_flow_spec(), 3 => protocol_spec()];
    let propose = (
        prop_oneof![6 => Just(0usize), 3 => Just(1usize), 1 => Just(2usize)],
        any_spec(),
        prop_oneof![6 => Just(None), 1 => any_spec().prop_map(Some)],
        prop_oneof![
            6 => Just(None),
            1 => proptest::sample::select(GovernorKind::ALL.to_vec()).prop_map(Some),
        ],
    )
        .prop_map(|(proposer, spec, extra, governor)| Step::Propose {
            proposer,
            spec,
            extra,
            governor,
        });
    let vote_spec = prop_oneof![
        8 => Just(VoteSpec::Full(VoteType::For)),
        1 => Just(VoteSpec::Full(VoteType::Against)),
        1 => Just(VoteSpec::Full(VoteType::Abstain)),
        2 => (0u8..=60, 0u8..=70, 0u8..=60).prop_map(|(against, for_, abstain)| VoteSpec::Split {
            against,
            for_,
            abstain
        }),
    ];
    let vote = (
        pick(),
        prop_oneof![10 => Just(0usize), 3 => Just(1usize), 1 => Just(2usize), 1 => Just(3usize)],
        vote_spec,
    )
        .prop_map(|(pick, voter, vote)| Step::Vote { pick, voter, vote });
    let approval = prop_oneof![
        4 => Just(UpgradeApproval::SecurityCouncil),
        1 => Just(UpgradeApproval::Guardians),
    ];
    prop_oneof![
        8 => propose,
        20 => vote,
        10 => pick().prop_map(|pick| Step::Queue { pick }),
        10 => pick().prop_map(|pick| Step::Execute { pick }),
        2 => (pick(), proptest::bool::weighted(0.6))
            .prop_map(|(pick, right)| Step::Veto { pick, right }),
        1 => (pick(), proptest::bool::weighted(0.6))
            .prop_map(|(pick, by_proposer)| Step::Cancel { pick, by_proposer }),
        5 => (pick(), approval, proptest::bool::weighted(0.8))
            .prop_map(|(pick, by, right)| Step::Approve { pick, by, right }),
        1 => (pick(), proptest::bool::weighted(0.7))
            .prop_map(|(pick, right)| Step::ExtendVeto { pick, right }),
        5 => pick().prop_map(|pick| Step::ExecuteUpgrade { pick }),
    ]
}

fn staking_step() -> impl Strategy<Value = Step> {
    let deposit = 0usize..16;
    let stake = (
        0usize..3,
        prop_oneof![8 => (1u8..=60).prop_map(Some), 1 => Just(None)],
        prop_oneof![4 => Just(0usize), 2 => Just(1usize), 1 => Just(2usize)],
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(staker, pct, delegatee, keeper_claims)| Step::Stake {
            staker,
            pct,
            delegatee,
            keeper_claims,
        });
    let tip = prop_oneof![
        6 => Just(Tip::Zero),
        3 => (1u64..=1_000).prop_map(Tip::Milli),
        1 => Just(Tip::Over),
    ];
    prop_oneof![
        5 => stake,
        2 => (deposit.clone(), 1u8..=50, proptest::bool::weighted(0.15)).prop_map(
            |(deposit, pct, wrong_caller)| Step::StakeMore { deposit, pct, wrong_caller }
        ),
        3 => (
            deposit.clone(),
            prop_oneof![8 => (1u8..=100).prop_map(Some), 1 => Just(None)],
            proptest::bool::weighted(0.15),
        )
            .prop_map(|(deposit, pct, wrong_caller)| Step::Withdraw { deposit, pct, wrong_caller }),
        2 => (deposit.clone(), 0usize..3, proptest::bool::weighted(0.15)).prop_map(
            |(deposit, delegatee, wrong_caller)| Step::AlterDelegatee {
                deposit,
                delegatee,
                wrong_caller,
            }
        ),
        6 => (deposit.clone(), prop_oneof![5 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)])
            .prop_map(|(deposit, caller)| Step::Claim { deposit, caller }),
        4 => (deposit.clone(), tip).prop_map(|(deposit, tip)| Step::Bump { deposit, tip }),
        1 => (deposit, proptest::bool::weighted(0.5), proptest::bool::weighted(0.15)).prop_map(
            |(deposit, to_keeper, wrong_caller)| Step::AlterClaimer {
                deposit,
                to_keeper,
                wrong_caller,
            }
        ),
        4 => proptest::bool::weighted(0.85).prop_map(|right| Step::Refresh { right }),
        1 => (proptest::bool::weighted(0.8), proptest::bool::weighted(0.5))
            .prop_map(|(right, paused)| Step::OraclePause { right, paused }),
        8 => (prop_oneof![300u64..=1_000, 1u64..=10_000], proptest::bool::weighted(0.85))
            .prop_map(|(rate_bps, right)| Step::RewardScript { rate_bps, right }),
        3 => (0u32..2, 0u8..4, 0u64..=500, proptest::bool::weighted(0.3)).prop_map(
            |(back, caller, thousands, to_mallory)| Step::MintAttempt {
                back,
                caller,
                thousands,
                to_mallory,
            }
        ),
        2 => (
            0u32..2,
            prop_oneof![
                2 => Just(MinterOp::Pause),
                3 => Just(MinterOp::Unpause),
                1 => Just(MinterOp::Close),
                1 => Just(MinterOp::GrantMallory),
                1 => Just(MinterOp::RevokeSigner),
                2 => Just(MinterOp::RegrantSigner),
                1 => Just(MinterOp::GrantAdmin),
            ],
            proptest::bool::weighted(0.7),
        )
            .prop_map(|(back, op, right)| Step::MinterAdmin { back, op, right }),
        2 => (
            prop_oneof![
                (50u64..=500).prop_map(|m| StakerParam::TotalStakeCap(tokens(m * 1_000_000))),
                (0u64..=3).prop_map(StakerParam::EligibilityThreshold),
                (0u64..=14).prop_map(|d| StakerParam::UpdateEligibilityDelay(d * DAY)),
                (0u64..=10).prop_map(|z| StakerParam::MaxBumpTip(tokens(z))),
                (0u64..=60_000, proptest::bool::weighted(0.8)).prop_map(|(z, set)| {
                    StakerParam::ClaimFee {
                        amount: tokens(z) / U256::from(100u8),
                        collector: if set { account("tally-safe") } else { Address::ZERO },
                    }
                }),
            ],
            proptest::bool::weighted(0.7),
        )
            .prop_map(|(param, right)| Step::StakerSetting { param, right }),
        2 => (proptest::bool::weighted(0.8), 1u64..=50)
            .prop_map(|(enabled, k)| Step::NotifyReward { enabled, k }),
        1 => (proptest::bool::weighted(0.7), proptest::bool::weighted(0.8))
            .prop_map(|(right, enabled)| Step::SetNotifier { right, enabled }),
    ]
}

fn fee_step() -> impl Strategy<Value = Step> {
    let source = 0usize..SOURCES.len();
    prop_oneof![
        6 => (source.clone(), 0usize..DESTS.len(), 1u64..=20, proptest::bool::weighted(0.5))
            .prop_map(|(source, dest, calls, fixed)| Step::Traffic { source, dest, calls, fixed }),
        2 => (source.clone(), 0usize..DESTS.len(), 1usize..=3, proptest::bool::weighted(0.3))
            .prop_map(|(source, dest, calls, fixed)| Step::Send { source, dest, calls, fixed }),
        1 => (source.clone(), 0u64..=10, proptest::bool::weighted(0.8)).prop_map(
            |(source, milli, by_operator)| Step::SetProtocolFee { source, milli, by_operator }
        ),
        4 => (0usize..SETTLERS.len()).prop_map(|chain| Step::Settle { chain }),
        2 => (source.clone(), 0usize..DESTS.len())
            .prop_map(|(source, dest)| Step::SettleFor { source, dest }),
        1 => (source.clone(), proptest::bool::weighted(0.7))
            .prop_map(|(source, by_operator)| Step::AgreeToPay { source, by_operator }),
        3 => (
            source.clone(),
            proptest::bool::weighted(0.8),
            proptest::bool::weighted(0.8),
            prop_oneof![1 => Just(None), 2 => (1u8..=100).prop_map(Some)],
        )
            .prop_map(|(source, by_operator, to_self, send_pct)| Step::ClaimProtocolFees {
                source,
                by_operator,
                to_self,
                send_pct,
            }),
        2 => (source.clone(), proptest::bool::weighted(0.8), proptest::bool::weighted(0.8))
            .prop_map(|(source, by_operator, to_self)| Step::ClaimZkFees {
                source,
                by_operator,
                to_self,
            }),
        2 => (source, prop_oneof![1 => Just(100u8), 3 => 1u8..=100])
            .prop_map(|(source, pct)| Step::SendToFeeFlow { source, pct }),
        2 => (proptest::bool::weighted(0.85), prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)])
            .prop_map(|(right, to)| Step::WithdrawFees { right, to }),
        1 => Just(Step::Split),
        4 => prop_oneof![1 => Just(0usize), 6 => Just(1usize), 2 => Just(2usize), 1 => Just(3usize)]
            .prop_flat_map(|n| {
                let request = prop_oneof![
                    12 => Just((0u8, 1u8)),
                    2 => Just((0u8, 0u8)),
                    1 => Just((0u8, 2u8)),
                    1 => (1u8..3, 0u8..3),
                ];
                proptest::collection::vec(request, n)
            })
            .prop_map(|requests| Step::ClaimFeeFlow { requests }),
        1 => (
            proptest::bool::ANY,
            proptest::bool::weighted(0.6),
            prop_oneof![3 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
            prop_oneof![6 => (0u8..=100).prop_map(Some), 1 => Just(None)],
        )
            .prop_map(|(splitter, zk, caller, pct)| Step::Recover { splitter, zk, caller, pct }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        14 => advance(),
        60 => governance_step(),
        38 => staking_step(),
        27 => fee_step(),
        5 => (direct_spec(), prop_oneof![7 => Just(0u8), 1 => Just(1u8), 2 => Just(2u8)])
            .prop_map(|(spec, caller)| Step::Direct { spec, caller }),
        2 => (1u64..=100).prop_map(|k| Step::FundPot { k }),
    ]
}

/// The prologue's amounts, then 150–250 random steps.
fn scenario() -> impl Strategy<Value = (Setup, Vec<Step>)> {
    (setup(), proptest::collection::vec(step(), 150..=250))
}

// ----- the harness -----

/// Attempts and successes per step kind, rejections per (kind, error), and milestones.
#[derive(Debug, Default, Clone)]
struct Stats {
    steps: BTreeMap<&'static str, (u64, u64)>,
    errors: BTreeMap<String, u64>,
    milestones: BTreeMap<&'static str, u64>,
}

impl Stats {
    fn record(&mut self, kind: &'static str, ok: bool) {
        let e = self.steps.entry(kind).or_default();
        e.0 += 1;
        e.1 += u64::from(ok);
    }
    fn reject(&mut self, kind: &'static str, error: &ProtocolError) {
        *self
            .errors
            .entry(format!("{kind}: {}", error_name(error)))
            .or_default() += 1;
    }
    fn milestone(&mut self, what: &'static str) {
        *self.milestones.entry(what).or_default() += 1;
    }
    fn ok(&self, kind: &str) -> u64 {
        self.steps.get(kind).map_or(0, |e| e.1)
    }
    fn reached(&self, what: &str) -> u64 {
        self.milestones.get(what).copied().unwrap_or(0)
    }
    fn merge(&mut self, other: &Stats) {
        for (k, (a, s)) in &other.steps {
            let e = self.steps.entry(k).or_default();
            e.0 += a;
            e.1 += s;
        }
        for (k, n) in &other.errors {
            *self.errors.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &other.milestones {
            *self.milestones.entry(k).or_default() += n;
        }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "step kinds (successes / attempts):")?;
        for (k, (a, s)) in &self.steps {
            writeln!(f, "  {k:<22} {s:>5} / {a:<5}")?;
        }
        writeln!(f, "milestones:")?;
        for (k, n) in &self.milestones {
            writeln!(f, "  {k:<36} {n:>5}")?;
        }
        writeln!(f, "rejections by step kind and error:")?;
        for (k, n) in &self.errors {
            writeln!(f, "  {k:<58} {n:>5}")?;
        }
        Ok(())
    }
}

/// `Staking(Unqualified)`, `Governance(WrongState)`, `NotGovernance`, …
fn error_name(e: &ProtocolError) -> String {
    let debug = format!("{e:?}");
    let word = |s: &str| {
        let end = s.find([' ', '{', '(', ')']).unwrap_or(s.len());
        s[..end].to_string()
    };
    let outer = word(&debug);
    match debug[outer.len()..].strip_prefix('(') {
        Some(rest)
            if matches!(
                outer.as_str(),
                "Staking" | "Governance" | "Token" | "FeeFlow" | "Splitter"
            ) =>
        {
            format!("{outer}({})", word(rest))
        }
        _ => outer,
    }
}

/// The parameters only governance may change (property 6).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Governed {
    splitter: Shares,
    gateway_settlement_fee: U256,
    fee_flow_threshold: U256,
    fee_flow_paused: bool,
    fee_flow_destination: Address,
    claimable: BTreeSet<AssetId>,
    fixed_interop_fee: Vec<(ChainId, U256)>,
    /// (cap, start, expiry) of each funded season.
    seasons: Vec<(U256, u64, u64)>,
}

impl Governed {
    fn of(s: &State) -> Self {
        let e = &s.economy;
        Self {
            splitter: e.splitter.shares.clone(),
            gateway_settlement_fee: e.gateway_settlement_fee,
            fee_flow_threshold: e.fee_flow.bid_threshold,
            fee_flow_paused: e.fee_flow.claim_paused,
            fee_flow_destination: e.fee_flow.destination,
            claimable: e.fee_flow.claimable.iter().copied().collect(),
            fixed_interop_fee: s
                .chains
                .iter()
                .map(|(id, c)| (*id, c.zk_interop_fee))
                .collect(),
            seasons: s
                .staker
                .seasons()
                .map(|x| (x.cap, x.start, x.expiry))
                .collect(),
        }
    }

    /// What `action` must do to these parameters (it succeeded, so it was valid).
    fn apply(&mut self, action: &ProposalAction) {
        match action {
            ProposalAction::SetFixedInteropFee(fee) => {
                for (_, f) in &mut self.fixed_interop_fee {
                    *f = *fee;
                }
            }
            ProposalAction::SetGatewaySettlementFee(fee) => self.gateway_settlement_fee = *fee,
            // An independent restatement of Splitter.sol: replace the list, sum the weights,
            // and an empty list forces a 100% burn.
            ProposalAction::SetDistributors(list) => {
                self.splitter.total_weight = list
                    .iter()
                    .fold(U256::ZERO, |a, d| a + U256::from(d.weight));
                self.splitter.distributors = list.clone();
                if list.is_empty() {
                    self.splitter.burn_bps = 10_000;
                }
            }
            ProposalAction::SetBurnPercentage(bps) => {
                self.splitter.burn_bps = u16::try_from(*bps).expect("accepted, so ≤ 10000")
            }
            ProposalAction::SetClaimableToken { token, claimable } => {
                if *claimable {
                    self.claimable.insert(*token);
                } else {
                    self.claimable.remove(token);
                }
            }
            ProposalAction::SetFeeFlowDestination(d) => self.fee_flow_destination = *d,
            ProposalAction::SetBidThreshold(t) => self.fee_flow_threshold = *t,
            ProposalAction::SetClaimPaused(p) => self.fee_flow_paused = *p,
            ProposalAction::FundStakingSeason {
                cap, start, expiry, ..
            } => self.seasons.push((*cap, *start, *expiry)),
            // These change a chain's contract on L1, none of the parameters tracked here.
            ProposalAction::DeactivatePriorityMode { .. }
            | ProposalAction::SetPriorityModeTransactionFilterer { .. } => {}
        }
    }
}

/// A direct setting: who called, and what it sets (as the equivalent proposal action).
fn direct_setting(action: &Action) -> Option<(Address, ProposalAction)> {
    Some(match action {
        Action::SetDistributors {
            caller,
            distributors,
        } => (
            *caller,
            ProposalAction::SetDistributors(distributors.clone()),
        ),
        Action::SetBurnPercentage { caller, burn_bps } => {
            (*caller, ProposalAction::SetBurnPercentage(*burn_bps))
        }
        Action::SetClaimableToken {
            caller,
            token,
            claimable,
        } => (
            *caller,
            ProposalAction::SetClaimableToken {
                token: *token,
                claimable: *claimable,
            },
        ),
        Action::SetFeeFlowDestination {
            caller,
            destination,
        } => (*caller, ProposalAction::SetFeeFlowDestination(*destination)),
        Action::SetBidThreshold { caller, threshold } => {
            (*caller, ProposalAction::SetBidThreshold(*threshold))
        }
        Action::SetClaimPaused { caller, paused } => {
            (*caller, ProposalAction::SetClaimPaused(*paused))
        }
        Action::SetGatewaySettlementFee { caller, fee } => {
            (*caller, ProposalAction::SetGatewaySettlementFee(*fee))
        }
        _ => return None,
    })
}

fn is_dead(state: ProposalState) -> bool {
    matches!(
        state,
        ProposalState::Defeated
            | ProposalState::Vetoed
            | ProposalState::Canceled
            | ProposalState::Expired
    )
}

/// A network plus what the properties need to remember about its history.
struct Harness {
    net: Network,
    genesis: Genesis,
    /// Every event of every successful action, in order.
    log: Vec<Event>,
    /// Every address a ZK `Transfer` touched, plus genesis holders.
    holders: BTreeSet<Address>,
    /// Every delegatee a deposit ever had (their surrogates hold the stake).
    delegatees: BTreeSet<Address>,
    /// Proposals seen Defeated, Vetoed, Canceled or Expired, with that state.
    dead: BTreeMap<u64, ProposalState>,
    stats: Stats,
}

impl Harness {
    fn new() -> Self {
        let genesis = Genesis::devnet();
        let net = Network::new(&genesis).expect("devnet genesis is valid");
        let holders = genesis.zk_allocations.iter().map(|(a, _)| *a).collect();
        let h = Self {
            net,
            genesis,
            log: Vec::new(),
            holders,
            delegatees: BTreeSet::new(),
            dead: BTreeMap::new(),
            stats: Stats::default(),
        };
        h.check_state();
        h
    }

    fn state(&self) -> &State {
        self.net.state()
    }

    /// Applies one action (property 5 on failure, every other property on success).
    fn apply(&mut self, kind: &'static str, action: Action) -> bool {
        let direct = direct_setting(&action);
        let label = format!("{action:?}");
        let before = self.state().clone();
        let attempted = action.clone();
        let ok = self.attempt(kind, &label, direct, move |net| net.apply(action));
        assert_staker_settings_change_only_by_their_roles(&before, self.state(), &attempted, ok);
        ok
    }

    fn attempt(
        &mut self,
        kind: &'static str,
        label: &str,
        direct: Option<(Address, ProposalAction)>,
        f: impl FnOnce(&mut Network) -> Result<Vec<Event>, ProtocolError>,
    ) -> bool {
        let before = self.state().clone();
        match f(&mut self.net) {
            Ok(events) => {
                self.stats.record(kind, true);
                self.record(&events);
                self.check_state();
                assert_supply_moves_only_by_mints_and_burns(&before, self.state(), &events);
                assert_governed_params_change_only_by_governance(
                    &before,
                    self.state(),
                    &events,
                    direct.as_ref(),
                    &self.dead,
                    label,
                );
                self.update_dead();
                true
            }
            Err(e) => {
                self.stats.record(kind, false);
                self.stats.reject(kind, &e);
                assert_failed_action_changed_nothing(&before, self.state(), label, &e);
                false
            }
        }
    }

    fn record(&mut self, events: &[Event]) {
        self.log.extend_from_slice(events);
        for ev in events {
            match ev {
                Event::Token(TokenEvent::Transfer { from, to, .. }) => {
                    for a in [from, to] {
                        if !a.is_zero() {
                            self.holders.insert(*a);
                        }
                    }
                }
                Event::Staking(StakingEvent::StakeDeposited { delegatee, .. }) => {
                    self.delegatees.insert(*delegatee);
                }
                Event::Staking(StakingEvent::DelegateeAltered { new_delegatee, .. }) => {
                    self.delegatees.insert(*new_delegatee);
                }
                Event::Staking(StakingEvent::RewardClaimed { payout, .. }) if !payout.is_zero() => {
                    self.stats.milestone("reward claimed (payout > 0)")
                }
                Event::Token(TokenEvent::MinterMinted { caller, .. }) if *caller == signer() => {
                    self.stats
                        .milestone("season minted by the reward script's signer")
                }
                Event::Token(TokenEvent::MinterMinted { .. }) => self
                    .stats
                    .milestone("season minted by another MINTER_ROLE holder"),
                Event::Staking(StakingEvent::SeasonFunded { .. }) => {
                    self.stats.milestone("season funded (TPP)")
                }
                Event::Governance(GovernanceEvent::ProposalExecuted {
                    upgrade_created: None,
                    ..
                }) => self.stats.milestone("TPP/GAP executed"),
                Event::Governance(GovernanceEvent::ProposalExecuted {
                    upgrade_created: Some(_),
                    ..
                }) => self.stats.milestone("ZIP executed on Era"),
                Event::Governance(GovernanceEvent::UpgradeExecuted { .. }) => {
                    self.stats.milestone("ZIP upgrade executed on L1")
                }
                Event::Governance(GovernanceEvent::ProposalVetoed { .. }) => {
                    self.stats.milestone("proposal vetoed")
                }
                Event::Governance(GovernanceEvent::ProposalCanceled { .. }) => {
                    self.stats.milestone("proposal canceled")
                }
                Event::Governance(GovernanceEvent::QuorumReached { .. }) => {
                    self.stats.milestone("quorum reached")
                }
                Event::Staking(StakingEvent::EarningPowerBumped {
                    new_earning_power,
                    old_earning_power,
                    ..
                }) => self
                    .stats
                    .milestone(if new_earning_power > old_earning_power {
                        "bump up"
                    } else {
                        "bump down"
                    }),
                Event::GatewaySettlementFeesCollected { .. } => {
                    self.stats.milestone("settlement fee collected")
                }
                Event::FeeFlowClaimed { requests, .. } if !requests.is_empty() => {
                    self.stats.milestone("Fee Flow claim took a non-empty pool")
                }
                Event::Split { distributed, .. } if !distributed.is_zero() => {
                    self.stats.milestone("splitter paid a distributor")
                }
                Event::Split { to_self, .. } if !to_self.is_zero() => {
                    self.stats.milestone("splitter paid itself")
                }
                Event::ValueMinted { to, amount, .. }
                    if *to == fee_flow_address() && !amount.is_zero() =>
                {
                    self.stats.milestone("revenue bridged to Fee Flow")
                }
                _ => {}
            }
        }
    }

    /// Properties 1–4 on the current state.
    fn check_state(&self) {
        let s = self.state();
        assert_zk_supply_within_cap(s);
        assert_zk_supply_is_sum_of_balances(s, &self.holders);
        assert_zk_minted_minus_burned_is_supply(s);
        assert_staking_accounting(s, &self.delegatees);
        assert_fee_accounting(s);
        assert_interop_conserves_value(s);
    }

    /// Property 6's second half: dead proposals stay dead.
    fn update_dead(&mut self) {
        let s = self.net.state();
        let now = s.time;
        for p in s.governance.proposals() {
            let state = s.governance.state(p.id, now).expect("listed proposal");
            if let Some(was) = self.dead.get(&p.id) {
                assert_eq!(
                    *was, state,
                    "proposal {} was {was:?} and is now {state:?}",
                    p.id
                );
            } else if is_dead(state) {
                self.dead.insert(p.id, state);
            }
        }
    }

    // ----- the prologue -----

    fn prologue(&mut self, setup: &Setup) {
        let m = |n: u64| tokens(n * 1_000_000);
        let staker = self.state().staker.address();
        let mut actions = vec![
            Action::ZkTransfer {
                from: treasury(),
                to: whale(),
                amount: m(setup.whale_m),
            },
            Action::ZkDelegate {
                delegator: whale(),
                delegatee: alice(),
            },
            Action::ZkTransfer {
                from: treasury(),
                to: bob(),
                amount: m(setup.bob_m),
            },
            Action::ZkDelegate {
                delegator: bob(),
                delegatee: bob(),
            },
        ];
        for (who, n) in stakers().into_iter().zip(setup.stakers_m) {
            actions.push(Action::ZkTransfer {
                from: treasury(),
                to: who,
                amount: m(n),
            });
            actions.push(Action::ZkApprove {
                owner: who,
                spender: staker,
                amount: U256::MAX,
            });
        }
        for chain in [devnet::ERA, devnet::ETH_CHAIN, devnet::ZK_CHAIN] {
            let op = operator(self.state(), chain);
            actions.push(Action::ZkTransfer {
                from: treasury(),
                to: op,
                amount: m(1),
            });
            actions.push(Action::ZkApprove {
                owner: op,
                spender: settlement_fee_vault(),
                amount: m(1),
            });
            if OPTED_IN.contains(&chain) {
                actions.push(Action::SetSettlementFeePayerAgreement {
                    chain,
                    payer: op,
                    agreed: true,
                });
            }
        }
        actions.push(Action::ZkTransfer {
            from: treasury(),
            to: user(),
            amount: m(1),
        });
        actions.push(Action::ZkApprove {
            owner: user(),
            spender: INTEROP_CENTER,
            amount: U256::MAX,
        });
        for chain in [devnet::ERA, devnet::ETH_CHAIN, devnet::L1_CHAIN] {
            actions.push(Action::Fund {
                chain,
                asset: eth(),
                to: user(),
                amount: tokens(100),
            });
        }
        actions.push(Action::Fund {
            chain: devnet::ZK_CHAIN,
            asset: zk(),
            to: user(),
            amount: tokens(100_000),
        });
        for chain in SOURCES {
            actions.push(Action::SetInteropProtocolFee {
                chain,
                caller: operator(self.state(), chain),
                fee: milli(setup.protocol_fee_milli),
            });
        }
        actions.push(Action::SetGatewaySettlementFee {
            caller: gov(),
            fee: tokens(setup.settlement_fee_zk),
        });
        actions.push(Action::ZkTransfer {
            from: treasury(),
            to: fee_claimer(),
            amount: m(20),
        });
        actions.push(Action::ZkApprove {
            owner: fee_claimer(),
            spender: fee_flow_address(),
            amount: U256::MAX,
        });
        for notifier in [pot(), signer()] {
            actions.push(Action::SetRewardNotifier {
                caller: staker_admin(),
                notifier,
                enabled: true,
            });
        }
        // Votes are read one second in the past: let the delegations settle.
        actions.push(Action::AdvanceTime { seconds: 60 });
        for action in actions {
            self.prologue_step(action);
        }
        self.fund_first_season();
    }

    fn prologue_step(&mut self, action: Action) {
        let label = format!("{action:?}");
        assert!(
            self.apply("prologue", action),
            "prologue step failed: {label}"
        );
    }

    /// A TPP funds a first season (20M ZK over 120 days, the signer its minter) and executes as
    /// soon as it can, so every run has a capped minter to mint through, or to be refused by.
    fn fund_first_season(&mut self) {
        let now = self.state().time;
        let latency = self
            .state()
            .governance
            .config()
            .min_latency(GovernorKind::Token, UpgradeApproval::SecurityCouncil);
        let start = now + latency + DAY;
        let id = self.state().governance.next_proposal_id();
        self.prologue_step(Action::Propose {
            governor: GovernorKind::Token,
            proposer: alice(),
            actions: vec![ProposalAction::FundStakingSeason {
                cap: tokens(20_000_000),
                start,
                expiry: start + 120 * DAY,
                reward_minter: signer(),
            }],
        });
        let p = self
            .state()
            .governance
            .proposal(id)
            .cloned()
            .expect("proposed");
        self.prologue_step(Action::AdvanceTime {
            seconds: p.vote_start + 1 - now,
        });
        self.prologue_step(Action::CastVote {
            id,
            voter: alice(),
            support: VoteType::For,
        });
        let wait = p.deadline() + 1 - self.state().time;
        self.prologue_step(Action::AdvanceTime { seconds: wait });
        self.prologue_step(Action::QueueProposal { id });
        let eta = self.state().governance.proposal(id).and_then(|p| p.eta);
        let wait = eta.map_or(0, |eta| eta.saturating_sub(self.state().time));
        self.prologue_step(Action::AdvanceTime { seconds: wait });
        self.prologue_step(Action::ExecuteProposal { id });
        assert_eq!(
            self.state().staker.seasons().count(),
            1,
            "the first season is funded"
        );
    }

    // ----- picking -----

    fn proposal(&self, pick: Pick, ready: fn(ProposalState) -> bool) -> u64 {
        let g = &self.state().governance;
        let n = g.next_proposal_id();
        let recent = |k: usize| n.checked_sub(1 + k as u64).unwrap_or(n + k as u64);
        match pick {
            Pick::Recent(k) => recent(k),
            Pick::Ready(k) => {
                let now = self.state().time;
                let ids: Vec<u64> = g
                    .proposals()
                    .filter(|p| g.state(p.id, now).is_ok_and(ready))
                    .map(|p| p.id)
                    .collect();
                if ids.is_empty() {
                    recent(k)
                } else {
                    ids[ids.len() - 1 - k % ids.len()]
                }
            }
        }
    }

    fn deposit(&self, index: usize) -> u64 {
        let n = self.state().staker.next_deposit_id();
        if n == 0 {
            0
        } else {
            index as u64 % n
        }
    }

    /// The capped minter of the `back`-th most recent season (an unfunded season's address
    /// when there are fewer).
    fn season_minter(&self, back: u32) -> Address {
        let n = self.state().staker.seasons().count() as u32;
        Staker::season_minter(n.checked_sub(1 + back).unwrap_or(n + back))
    }

    fn deposit_owner(&self, id: u64) -> Address {
        self.state()
            .staker
            .deposit(id)
            .map_or(mallory(), |d| d.owner)
    }

    /// The revenue-share lever: the chain's operator sends `p`% of its base token to the Fee
    /// Flow pool on Era (a transfer there, a bridge from elsewhere); never ZK-denominated
    /// revenue, which Fee Flow cannot auction.
    fn send_to_fee_flow(&mut self, chain: ChainId, p: u8) {
        let s = self.state();
        let op = operator(s, chain);
        let Ok(c) = s.chain(chain) else { return };
        // The lever never sends ZK-denominated revenue (Fee Flow cannot auction it).
        let asset = c.config.base_token;
        if asset != eth() {
            return;
        }
        let amount = pct(c.balance(asset, op), p);
        let pool = s.economy.fee_flow.chain;
        if !amount.is_zero() {
            self.stats.milestone("revenue sent to Fee Flow (> 0)");
        }
        let action = if chain == pool {
            Action::Transfer {
                chain,
                asset,
                from: op,
                to: fee_flow_address(),
                amount,
            }
        } else {
            Action::Bridge {
                asset,
                from_chain: chain,
                from: op,
                to_chain: pool,
                to: fee_flow_address(),
                amount,
            }
        };
        self.apply("send_to_fee_flow", action);
    }

    // ----- steps -----

    fn run_step(&mut self, step: &Step) {
        let now = self.state().time;
        match *step {
            Step::Advance { seconds } => {
                self.apply("advance", Action::AdvanceTime { seconds });
            }
            Step::Propose {
                proposer,
                spec,
                extra,
                governor,
            } => {
                let mut actions = vec![spec.action(now)];
                actions.extend(extra.map(|e| e.action(now)));
                let action = Action::Propose {
                    governor: governor.unwrap_or(spec.governor()),
                    proposer: proposers()[proposer],
                    actions,
                };
                self.apply("propose", action);
            }
            Step::Vote { pick, voter, vote } => {
                let id = self.proposal(pick, |s| s == ProposalState::Active);
                let voter = voters()[voter];
                match vote {
                    VoteSpec::Full(support) => {
                        self.apply("vote", Action::CastVote { id, voter, support });
                    }
                    VoteSpec::Split {
                        against,
                        for_,
                        abstain,
                    } => {
                        let s = self.state();
                        let left = s.governance.proposal(id).map_or(tokens(1_000_000), |p| {
                            let weight = s
                                .token
                                .get_past_votes(voter, p.vote_start, now)
                                .unwrap_or(tokens(1_000_000));
                            weight.saturating_sub(p.voters.get(&voter).copied().unwrap_or_default())
                        });
                        let ballot = Ballot {
                            against_votes: pct(left, against),
                            for_votes: pct(left, for_),
                            abstain_votes: pct(left, abstain),
                        };
                        self.apply(
                            "vote(fractional)",
                            Action::CastVoteFractional { id, voter, ballot },
                        );
                    }
                }
            }
            Step::Queue { pick } => {
                let id = self.proposal(pick, |s| s == ProposalState::Succeeded);
                self.apply("queue", Action::QueueProposal { id });
            }
            Step::Execute { pick } => {
                let id = self.proposal(pick, |s| s == ProposalState::Queued);
                self.apply("execute", Action::ExecuteProposal { id });
            }
            Step::Veto { pick, right } => {
                let id = self.proposal(pick, |s| {
                    matches!(s, ProposalState::Pending | ProposalState::Active)
                });
                let caller = if right { guardians() } else { alice() };
                self.apply("veto", Action::VetoProposal { caller, id });
            }
            Step::Cancel { pick, by_proposer } => {
                let id = self.proposal(pick, |s| s == ProposalState::Pending);
                let proposer = self
                    .state()
                    .governance
                    .proposal(id)
                    .map_or(alice(), |p| p.proposer);
                let caller = if by_proposer { proposer } else { mallory() };
                self.apply("cancel", Action::CancelProposal { caller, id });
            }
            Step::Approve { pick, by, right } => {
                let id =
                    self.proposal(pick, |s| s == ProposalState::Upgrade(UpgradeState::Waiting));
                let caller = match (by, right) {
                    (UpgradeApproval::SecurityCouncil, true) => council(),
                    (UpgradeApproval::Guardians, true) => guardians(),
                    (UpgradeApproval::SecurityCouncil, false) => guardians(),
                    (UpgradeApproval::Guardians, false) => mallory(),
                };
                self.apply("approve_upgrade", Action::ApproveUpgrade { caller, id, by });
            }
            Step::ExtendVeto { pick, right } => {
                let id = self.proposal(pick, |s| {
                    s == ProposalState::Upgrade(UpgradeState::LegalVeto)
                });
                let caller = if right { guardians() } else { council() };
                self.apply("extend_legal_veto", Action::ExtendLegalVeto { caller, id });
            }
            Step::ExecuteUpgrade { pick } => {
                let id = self.proposal(pick, |s| s == ProposalState::Upgrade(UpgradeState::Ready));
                self.apply("execute_upgrade", Action::ExecuteUpgrade { id });
            }
            Step::Stake {
                staker,
                pct: p,
                delegatee,
                keeper_claims,
            } => {
                let owner = stakers()[staker];
                let balance = self.state().token.balance_of(owner);
                let amount = p.map_or(balance + tokens(1), |p| pct(balance, p));
                let claimer = if keeper_claims { keeper() } else { owner };
                let action = Action::Stake {
                    owner,
                    amount,
                    delegatee: delegatees()[delegatee],
                    claimer,
                };
                self.apply("stake", action);
            }
            Step::StakeMore {
                deposit,
                pct: p,
                wrong_caller,
            } => {
                let deposit = self.deposit(deposit);
                let owner = self.deposit_owner(deposit);
                let amount = pct(self.state().token.balance_of(owner), p);
                let caller = if wrong_caller { keeper() } else { owner };
                let action = Action::StakeMore {
                    caller,
                    deposit,
                    amount,
                };
                self.apply("stake_more", action);
            }
            Step::Withdraw {
                deposit,
                pct: p,
                wrong_caller,
            } => {
                let deposit = self.deposit(deposit);
                let owner = self.deposit_owner(deposit);
                let balance = self
                    .state()
                    .staker
                    .deposit(deposit)
                    .map_or(U256::ZERO, |d| d.balance);
                let amount = p.map_or(balance + U256::from(1u8), |p| pct(balance, p));
                let caller = if wrong_caller { keeper() } else { owner };
                let action = Action::Withdraw {
                    caller,
                    deposit,
                    amount,
                };
                self.apply("withdraw", action);
            }
            Step::AlterDelegatee {
                deposit,
                delegatee,
                wrong_caller,
            } => {
                let deposit = self.deposit(deposit);
                let owner = self.deposit_owner(deposit);
                let caller = if wrong_caller { keeper() } else { owner };
                let action = Action::AlterDelegatee {
                    caller,
                    deposit,
                    delegatee: delegatees()[delegatee],
                };
                self.apply("alter_delegatee", action);
            }
            Step::AlterClaimer {
                deposit,
                to_keeper,
                wrong_caller,
            } => {
                let deposit = self.deposit(deposit);
                let owner = self.deposit_owner(deposit);
                let caller = if wrong_caller { keeper() } else { owner };
                let claimer = if to_keeper { keeper() } else { owner };
                let action = Action::AlterClaimer {
                    caller,
                    deposit,
                    claimer,
                };
                self.apply("alter_claimer", action);
            }
            Step::Claim { deposit, caller } => {
                let deposit = self.deposit(deposit);
                let d = self.state().staker.deposit(deposit).copied();
                let caller = match (caller, d) {
                    (0, Some(d)) => d.owner,
                    (1, Some(d)) => d.claimer,
                    _ => mallory(),
                };
                self.apply("claim_reward", Action::ClaimReward { caller, deposit });
            }
            Step::Bump { deposit, tip } => {
                let deposit = self.deposit(deposit);
                let max = self.state().staker.params().max_bump_tip;
                let tip = match tip {
                    Tip::Zero => U256::ZERO,
                    Tip::Milli(m) => milli(m).min(max),
                    Tip::Over => max + U256::from(1u8),
                };
                let action = Action::BumpEarningPower {
                    bumper: keeper(),
                    deposit,
                    tip_receiver: keeper(),
                    tip,
                };
                self.apply("bump", action);
            }
            Step::Refresh { right } => {
                let caller = if right { score_oracle() } else { keeper() };
                self.apply("refresh_scores", Action::RefreshDelegateScores { caller });
            }
            Step::OraclePause { right, paused } => {
                let caller = if right {
                    staker_admin()
                } else {
                    score_oracle()
                };
                self.apply("oracle_pause", Action::SetOraclePaused { caller, paused });
            }
            Step::RewardScript { rate_bps, right } => {
                let who = if right { signer() } else { mallory() };
                let script = RewardScript::new(rate_bps);
                for action in script.transactions(self.state(), who) {
                    self.apply("reward_script", action);
                }
            }
            Step::MintAttempt {
                back,
                caller,
                thousands,
                to_mallory,
            } => {
                let minter = self.season_minter(back);
                let caller = [signer(), mallory(), token_admin(), staker_admin()][caller as usize];
                let to = if to_mallory { mallory() } else { caller };
                let action = Action::MinterMint {
                    caller,
                    minter,
                    to,
                    amount: tokens(thousands * 1_000),
                };
                self.apply("mint_attempt", action);
            }
            Step::MinterAdmin { back, op, right } => {
                let minter = self.season_minter(back);
                let caller = if right { token_admin() } else { mallory() };
                let grant = |role, account| Action::MinterGrantRole {
                    caller,
                    minter,
                    role,
                    account,
                };
                let action = match op {
                    MinterOp::Pause => Action::PauseMinter { caller, minter },
                    MinterOp::Unpause => Action::UnpauseMinter { caller, minter },
                    MinterOp::Close => Action::CloseMinter { caller, minter },
                    MinterOp::GrantMallory => grant(MinterRole::Minter, mallory()),
                    MinterOp::RegrantSigner => grant(MinterRole::Minter, signer()),
                    MinterOp::GrantAdmin => grant(MinterRole::DefaultAdmin, mallory()),
                    MinterOp::RevokeSigner => Action::MinterRevokeRole {
                        caller,
                        minter,
                        role: MinterRole::Minter,
                        account: signer(),
                    },
                };
                self.apply("minter_admin", action);
            }
            Step::StakerSetting { param, right } => {
                let caller = if right { staker_admin() } else { gov() };
                self.apply("staker_setting", Action::SetStakerParam { caller, param });
            }
            Step::NotifyReward { enabled, k } => {
                let notifier = if enabled { pot() } else { keeper() };
                let action = Action::NotifyReward {
                    notifier,
                    amount: tokens(k * 1_000),
                };
                self.apply("notify_reward", action);
            }
            Step::SetNotifier { right, enabled } => {
                let caller = if right { staker_admin() } else { gov() };
                let action = Action::SetRewardNotifier {
                    caller,
                    notifier: pot(),
                    enabled,
                };
                self.apply("set_notifier", action);
            }
            Step::FundPot { k } => {
                let action = Action::ZkTransfer {
                    from: treasury(),
                    to: pot(),
                    amount: tokens(k * 1_000),
                };
                self.apply("fund_pot", action);
            }
            Step::Traffic {
                source,
                dest,
                calls,
                fixed,
            } => {
                let action = Action::InteropTraffic {
                    chain: SOURCES[source],
                    payer: user(),
                    destination: DESTS[dest],
                    calls,
                    use_fixed_fee: fixed,
                };
                self.apply("traffic", action);
            }
            Step::Send {
                source,
                dest,
                calls,
                fixed,
            } => {
                let chain = SOURCES[source];
                let fee = self
                    .state()
                    .chain(chain)
                    .map_or(U256::ZERO, |c| c.interop_protocol_fee);
                let starters = (0..calls)
                    .map(|i| InteropCallStarter {
                        to: InteropAddress::address_only(account(&format!("recipient-{i}")))
                            .encode(),
                        data: Bytes::new(),
                        call_attributes: vec![],
                    })
                    .collect();
                let (attributes, value) = if fixed {
                    (vec![attr::use_fixed_fee(true)], U256::ZERO)
                } else {
                    (vec![], fee * U256::from(calls))
                };
                let action = Action::SendBundle {
                    chain,
                    sender: user(),
                    destination: InteropAddress::chain_only(DESTS[dest]).encode(),
                    starters,
                    attributes,
                    value,
                };
                self.apply("send", action);
            }
            Step::SetProtocolFee {
                source,
                milli: m,
                by_operator,
            } => {
                let chain = SOURCES[source];
                let caller = if by_operator {
                    operator(self.state(), chain)
                } else {
                    mallory()
                };
                let action = Action::SetInteropProtocolFee {
                    chain,
                    caller,
                    fee: milli(m),
                };
                self.apply("set_protocol_fee", action);
            }
            Step::Settle { chain } => {
                let chain = SETTLERS[chain];
                self.apply("settle", Action::SettleBatch { chain });
            }
            Step::SettleFor { source, dest } => {
                let (source, dest) = (SOURCES[source], DESTS[dest]);
                let label = format!("relayer::settle_for({source}, {dest})");
                self.attempt("settle_for", &label, None, move |net| {
                    relayer::settle_for(net, source, dest)
                });
            }
            Step::AgreeToPay {
                source,
                by_operator,
            } => {
                let chain = SOURCES[source];
                let payer = if by_operator {
                    operator(self.state(), chain)
                } else {
                    mallory()
                };
                self.apply(
                    "agree_to_pay",
                    Action::SetSettlementFeePayerAgreement {
                        chain,
                        payer,
                        agreed: true,
                    },
                );
            }
            Step::ClaimProtocolFees {
                source,
                by_operator,
                to_self,
                send_pct,
            } => {
                let chain = SOURCES[source];
                let operator = if by_operator {
                    operator(self.state(), chain)
                } else {
                    mallory()
                };
                let receiver = if to_self { operator } else { keeper() };
                self.apply(
                    "claim_protocol_fees",
                    Action::ClaimProtocolFees {
                        chain,
                        operator,
                        receiver,
                    },
                );
                if let Some(p) = send_pct {
                    self.send_to_fee_flow(chain, p);
                }
            }
            Step::ClaimZkFees {
                source,
                by_operator,
                to_self,
            } => {
                let chain = SOURCES[source];
                let operator = if by_operator {
                    operator(self.state(), chain)
                } else {
                    mallory()
                };
                let receiver = if to_self { operator } else { keeper() };
                self.apply(
                    "claim_zk_fees",
                    Action::ClaimZkFees {
                        chain,
                        operator,
                        receiver,
                    },
                );
            }
            Step::SendToFeeFlow { source, pct: p } => self.send_to_fee_flow(SOURCES[source], p),
            Step::WithdrawFees { right, to } => {
                let caller = if right { gov() } else { emergency() };
                let recipient = match to {
                    0 => splitter_address(),
                    1 => keeper(),
                    _ => Address::ZERO,
                };
                self.apply(
                    "withdraw_gateway_fees",
                    Action::WithdrawGatewayFees { caller, recipient },
                );
            }
            Step::Split => {
                self.apply("split", Action::Split);
            }
            Step::Recover {
                splitter,
                zk: is_zk,
                caller,
                pct: p,
            } => {
                let caller = match caller {
                    0 => timelock(),
                    1 => emergency(),
                    _ => mallory(),
                };
                let s = self.state();
                let holder = if splitter {
                    splitter_address()
                } else {
                    fee_flow_address()
                };
                let (token, held) = if is_zk {
                    (zk(), s.token.balance_of(holder))
                } else {
                    let c = s.chain(s.economy.fee_flow.chain).expect("Fee Flow's chain");
                    (eth(), c.balance(eth(), holder))
                };
                let amount = p.map_or(held + U256::from(1u8), |p| pct(held, p));
                let to = keeper();
                let action = if splitter {
                    Action::RecoverSplitter {
                        caller,
                        token,
                        to,
                        amount,
                    }
                } else {
                    Action::RecoverFeeFlow {
                        caller,
                        token,
                        to,
                        amount,
                    }
                };
                self.apply("recover", action);
            }
            Step::ClaimFeeFlow { ref requests } => {
                let s = self.state();
                let ff = &s.economy.fee_flow;
                let c = s.chain(ff.chain).expect("Fee Flow's chain");
                let requests = requests
                    .iter()
                    .map(|(t, m)| {
                        let token = claim_token(*t);
                        let held = c.balance(token, fee_flow_address());
                        let min = match m {
                            0 => U256::ZERO,
                            1 => held,
                            _ => held + U256::from(1u8),
                        };
                        ClaimRequest {
                            token,
                            min_amount_requested: min,
                        }
                    })
                    .collect();
                let action = Action::ClaimFeeFlow {
                    caller: fee_claimer(),
                    requests,
                };
                self.apply("claim_fee_flow", action);
            }
            Step::Direct { spec, caller } => {
                let caller = match caller {
                    0 => spec.admin(),
                    1 => emergency(),
                    _ => mallory(),
                };
                if let Some(action) = spec.direct(caller) {
                    self.apply("direct_gov", action);
                }
            }
        }
    }
}

/// Runs the prologue and the steps on a fresh network; every action is checked as it goes.
fn run(setup: &Setup, steps: &[Step]) -> Harness {
    let mut h = Harness::new();
    h.prologue(setup);
    for step in steps {
        h.run_step(step);
    }
    h
}

// ----- properties -----

/// Property 1d: from one state to the next, supply moves by exactly the step's mints and burns
/// (its `Transfer`s from and to ZERO), and every mint is a capped minter's `Minted` for a caller
/// holding that minter's MINTER_ROLE, through a minter holding the token's MINTER_ROLE.
fn assert_supply_moves_only_by_mints_and_burns(before: &State, after: &State, events: &[Event]) {
    let (mut minted, mut burned, mut by_minters) = (U256::ZERO, U256::ZERO, U256::ZERO);
    for ev in events {
        match ev {
            Event::Token(TokenEvent::Transfer {
                from, to, amount, ..
            }) => {
                if from.is_zero() {
                    minted += *amount;
                }
                if to.is_zero() {
                    burned += *amount;
                }
            }
            Event::Token(TokenEvent::MinterMinted {
                minter,
                caller,
                amount,
                ..
            }) => {
                let m = after
                    .token
                    .minter(*minter)
                    .expect("a minter that minted exists");
                assert!(
                    m.has_role(MinterRole::Minter, *caller),
                    "{caller} minted {amount} wei through {minter} without its MINTER_ROLE"
                );
                assert!(
                    after.token.has_role(Role::Minter, *minter),
                    "capped minter {minter} minted without the token's MINTER_ROLE"
                );
                by_minters += *amount;
            }
            _ => {}
        }
    }
    assert_eq!(
        minted, by_minters,
        "ZK minted other than through a capped minter"
    );
    let (b, a) = (&before.token, &after.token);
    assert_eq!(a.minted_total() - b.minted_total(), minted, "minted delta");
    assert_eq!(a.burned_total() - b.burned_total(), burned, "burned delta");
    assert_eq!(
        a.total_supply() + burned,
        b.total_supply() + minted,
        "supply moved by something other than its mints ({minted}) and burns ({burned})"
    );
}

/// Property 6b: the staker's settings change only by its admin, the calculator's only by its
/// owner (both the Tally safe as deployed): never by governance or anyone else. `applied`:
/// whether the action succeeded.
fn assert_staker_settings_change_only_by_their_roles(
    before: &State,
    after: &State,
    action: &Action,
    applied: bool,
) {
    let settings = |s: &State| {
        let (p, o) = (s.staker.params(), &s.staker.oracle().params);
        (
            p.total_stake_cap,
            p.max_bump_tip,
            p.claim_fee,
            p.fee_collector,
            o.threshold,
            o.update_eligibility_delay,
        )
    };
    let mut expected = settings(before);
    if let (true, Action::SetStakerParam { caller, param }) = (applied, action) {
        let role = match param {
            StakerParam::EligibilityThreshold(_) | StakerParam::UpdateEligibilityDelay(_) => {
                before.staker.oracle().owner
            }
            _ => before.staker.admin(),
        };
        assert_eq!(
            *caller, role,
            "{caller} changed a staker setting: {param:?}"
        );
        match *param {
            StakerParam::TotalStakeCap(cap) => expected.0 = cap,
            StakerParam::MaxBumpTip(tip) => expected.1 = tip,
            StakerParam::ClaimFee { amount, collector } => {
                (expected.2, expected.3) = (amount, collector)
            }
            StakerParam::EligibilityThreshold(t) => expected.4 = t,
            StakerParam::UpdateEligibilityDelay(d) => expected.5 = d,
        }
    }
    assert_eq!(
        settings(after),
        expected,
        "staker settings changed by {action:?}"
    );
}

/// Property 2.
fn assert_staking_accounting(s: &State, delegatees: &BTreeSet<Address>) {
    let st = &s.staker;
    let t = st.totals();
    let held = s.token.balance_of(st.address());
    assert_eq!(
        t.notified,
        t.claimed + t.fees + t.tips + held,
        "staker: notified != claimed + fees + tips + held ({t:?}, held {held})"
    );
    assert!(t.claimed <= t.notified, "claimed above notified: {t:?}");
    let mut balances = U256::ZERO;
    let mut earning_power = U256::ZERO;
    let mut by_delegatee: BTreeMap<Address, U256> = BTreeMap::new();
    let mut by_owner: BTreeMap<Address, U256> = BTreeMap::new();
    for (_, d) in st.deposits() {
        balances += d.balance;
        earning_power += d.earning_power;
        *by_delegatee.entry(d.delegatee).or_default() += d.balance;
        *by_owner.entry(d.owner).or_default() += d.balance;
    }
    assert_eq!(balances, st.total_staked(), "Σ deposits != total staked");
    assert_eq!(
        earning_power,
        st.total_earning_power(),
        "Σ deposits' earning power != total earning power"
    );
    let mut surrogates = U256::ZERO;
    for d in delegatees {
        let surrogate = s.token.balance_of(Staker::surrogate(*d));
        surrogates += surrogate;
        assert_eq!(
            surrogate,
            by_delegatee.get(d).copied().unwrap_or_default(),
            "surrogate of {d} holds other than its deposits"
        );
    }
    assert_eq!(
        surrogates,
        st.total_staked(),
        "Σ surrogates != total staked"
    );
    for (owner, staked) in by_owner {
        assert_eq!(st.depositor_total_staked(owner), staked, "{owner}'s stake");
    }
}

/// Property 3 (as `assert_accounting` in tests/fee_routes.rs, plus the InteropCenter's
/// holdings per chain).
fn assert_fee_accounting(s: &State) {
    let t = &s.economy.totals;
    let mut zk_accrued = U256::ZERO;
    for (id, c) in &s.chains {
        let base = c.accrued_base_fees.values().fold(U256::ZERO, |a, v| a + *v);
        assert_eq!(
            c.base_balance(INTEROP_CENTER),
            base,
            "chain {id}: InteropCenter base balance != accrued base fees"
        );
        zk_accrued += c.accrued_zk_fees.values().fold(U256::ZERO, |a, v| a + *v);
    }
    assert_eq!(
        t.fixed_fees_paid + t.settlement_fees_paid + t.auction_paid,
        zk_accrued
            + t.fixed_fees_claimed
            + s.token.balance_of(settlement_fee_vault())
            + (t.settlement_fees_withdrawn - t.settlement_fees_to_splitter)
            + t.splitter_inflow,
        "ZK fees paid != accrued + claimed + vault + withdrawn elsewhere + splitter inflow ({t:?})"
    );
    assert_eq!(
        t.splitter_inflow + t.splitter_paid_to_self,
        t.burned + t.distributed + t.splitter_recovered + s.token.balance_of(splitter_address()),
        "splitter inflow + paid to itself != burned + distributed + recovered + held ({t:?})"
    );
    assert_eq!(
        s.token.balance_of(INTEROP_CENTER),
        zk_accrued,
        "InteropCenter ZK balance != accrued ZK fees"
    );
}

/// Property 6: the governed parameters after a step are the ones before with exactly the
/// step's released proposal actions (or its direct setting) applied; what executed had passed
/// and was due, and was never seen dead.
fn assert_governed_params_change_only_by_governance(
    before: &State,
    after: &State,
    events: &[Event],
    direct: Option<&(Address, ProposalAction)>,
    dead: &BTreeMap<u64, ProposalState>,
    action: &str,
) {
    let mut expected = Governed::of(before);
    let now = before.time;
    for ev in events {
        let (id, releases, needed) = match ev {
            Event::Governance(GovernanceEvent::ProposalExecuted {
                id,
                upgrade_created,
                ..
            }) => (*id, upgrade_created.is_none(), ProposalState::Queued),
            Event::Governance(GovernanceEvent::UpgradeExecuted { id, .. }) => {
                (*id, true, ProposalState::Upgrade(UpgradeState::Ready))
            }
            _ => continue,
        };
        let p = after
            .governance
            .proposal(id)
            .expect("an executed proposal exists");
        let was = before.governance.state(id, now).expect("it existed before");
        assert_eq!(was, needed, "proposal {id} executed from state {was:?}");
        assert!(
            p.quorum_reached() && p.vote_succeeded() && !p.canceled && !p.vetoed,
            "proposal {id} executed without passing: {p:?}"
        );
        assert!(
            !dead.contains_key(&id),
            "proposal {id} executed after being {:?}",
            dead[&id]
        );
        assert_eq!(
            releases,
            p.governor != GovernorKind::Protocol
                || matches!(
                    ev,
                    Event::Governance(GovernanceEvent::UpgradeExecuted { .. })
                ),
            "proposal {id} ({:?}) released its actions at the wrong stage",
            p.governor
        );
        if releases {
            for a in &p.actions {
                expected.apply(a);
            }
        }
    }
    if let Some((caller, setting)) = direct {
        let e = &before.economy;
        let allowed = match setting {
            ProposalAction::SetGatewaySettlementFee(_) => *caller == e.governance,
            ProposalAction::SetDistributors(_) | ProposalAction::SetBurnPercentage(_) => {
                *caller == e.splitter.admin || *caller == e.splitter.emergency_admin
            }
            _ => *caller == e.fee_flow.admin || *caller == e.fee_flow.emergency_admin,
        };
        assert!(allowed, "{caller} changed a governed setting: {action}");
        expected.apply(setting);
    }
    assert_eq!(
        Governed::of(after),
        expected,
        "governed parameters changed other than by governance.\naction: {action}"
    );
}

/// Property 7a (through a JSON round trip of the log, as a stored log would be read back).
fn assert_replay_rebuilds_state(h: &Harness) {
    let json = serde_json::to_vec(&h.log).expect("events serialize");
    let log: Vec<Event> = serde_json::from_slice(&json).expect("events deserialize");
    assert!(
        log == h.log,
        "the event log does not survive a JSON round trip"
    );
    let replayed = Network::replay(&h.genesis, Code::default(), &log).expect("the log replays");
    assert!(
        replayed.state() == h.state(),
        "replaying {} events does not rebuild the live state",
        h.log.len()
    );
}

/// Property 7b.
fn assert_deterministic(setup: &Setup, steps: &[Step], first: &Harness) {
    let second = run(setup, steps);
    assert_eq!(
        first.log.len(),
        second.log.len(),
        "two runs emitted different numbers of events"
    );
    assert!(first.log == second.log, "two runs emitted different events");
    assert!(
        first.state() == second.state(),
        "two runs ended differently"
    );
}

fn check_run(setup: &Setup, steps: &[Step]) -> Harness {
    let h = run(setup, steps);
    assert_replay_rebuilds_state(&h);
    assert_deterministic(setup, steps, &h);
    h
}

/// 32 cases by default; `PROPTEST_CASES=n` runs more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

proptest! {
    // Failures persist next to this file (tests/economy_properties.proptest-regressions).
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::with_cases(cases())
    })]

    #[test]
    fn economy_sequences_keep_every_invariant((setup, steps) in scenario()) {
        check_run(&setup, &steps);
    }
}

/// The generator must reach the success paths, not only the rejections: over a fixed-seed
/// batch, proposals execute (a ZIP too, on L1), seasons notify, rewards are claimed, fees are
/// swept and Fee Flow is claimed.
#[test]
fn generator_reaches_economy_success_paths() {
    const RUNS: usize = 40;
    let mut runner = TestRunner::new_with_rng(
        Config {
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = scenario();
    let mut total = Stats::default();
    let mut events = 0usize;
    for _ in 0..RUNS {
        let (setup, steps) = strategy
            .new_tree(&mut runner)
            .expect("strategy generates")
            .current();
        let h = check_run(&setup, &steps);
        total.merge(&h.stats);
        events += h.log.len();
    }
    println!("{RUNS} fixed-seed sequences, {events} events\n{total}");
    for kind in [
        "propose",
        "vote",
        "queue",
        "execute",
        "stake",
        "withdraw",
        "claim_reward",
        "bump",
        "refresh_scores",
        "reward_script",
        "mint_attempt",
        "notify_reward",
        "traffic",
        "settle",
        "claim_zk_fees",
        "claim_protocol_fees",
        "send_to_fee_flow",
        "claim_fee_flow",
        "withdraw_gateway_fees",
        "split",
        "recover",
        "direct_gov",
    ] {
        assert!(total.ok(kind) > 0, "no successful {kind} in the batch");
    }
    for milestone in [
        "TPP/GAP executed",
        "ZIP upgrade executed on L1",
        "season minted by the reward script's signer",
        "reward claimed (payout > 0)",
        "Fee Flow claim took a non-empty pool",
        "splitter paid a distributor",
        "revenue bridged to Fee Flow",
    ] {
        assert!(total.reached(milestone) > 0, "never reached: {milestone}");
    }
    // Minting without the minter's MINTER_ROLE was attempted and refused.
    for refusal in [
        "mint_attempt: Token(MinterMissingRole)",
        "reward_script: Token(MinterMissingRole)",
    ] {
        assert!(
            total.errors.get(refusal).copied().unwrap_or(0) > 0,
            "never refused: {refusal}"
        );
    }
    // Every Fee Flow and Splitter revert is reached by the random mix too.
    for error in [
        "claim_fee_flow: FeeFlow(InvalidFeeToken",
        "claim_fee_flow: FeeFlow(TokenNotClaimable",
        "claim_fee_flow: FeeFlow(InsufficientBalance",
        "direct_gov: FeeFlow(Unauthorized",
        "direct_gov: FeeFlow(ThresholdBelowMin",
        "direct_gov: Splitter(Unauthorized",
        "direct_gov: Splitter(InvalidBurnPercentage",
        "direct_gov: Splitter(InvalidAddress",
        "recover: FeeFlow(Unauthorized",
        "recover: Splitter(Unauthorized",
        "withdraw_gateway_fees: InvalidFeeRecipient",
    ] {
        assert!(
            total.errors.keys().any(|k| k.starts_with(error)),
            "never rejected with {error}"
        );
    }
}

// ----- findings -----

/// Routes `calls` interop calls from Era through a Gateway settlement at 1 ZK a call, then
/// withdraws the vault to the Splitter and splits.
fn settle_withdraw_and_split(net: &mut Network, calls: u64) {
    let op = operator(net.state(), devnet::ERA);
    for action in [
        Action::SetGatewaySettlementFee {
            caller: gov(),
            fee: tokens(1),
        },
        Action::ZkTransfer {
            from: treasury(),
            to: op,
            amount: tokens(calls),
        },
        Action::ZkApprove {
            owner: op,
            spender: settlement_fee_vault(),
            amount: tokens(calls),
        },
        Action::SetSettlementFeePayerAgreement {
            chain: devnet::ERA,
            payer: op,
            agreed: true,
        },
        Action::InteropTraffic {
            chain: devnet::ERA,
            payer: user(),
            destination: devnet::ETH_CHAIN,
            calls,
            use_fixed_fee: false,
        },
        Action::SettleBatch { chain: devnet::ERA },
        Action::WithdrawGatewayFees {
            caller: gov(),
            recipient: splitter_address(),
        },
        Action::Split,
    ] {
        net.apply(action).expect("the fee route runs");
    }
}

/// The Splitter may list itself (Splitter.sol does not refuse it): that share is "paid" to
/// itself, counted as distributed by `Split`, and split again next time. An earlier model
/// refused it because `splitter inflow == burned + distributed + held` then broke; the
/// identity now counts the self-payments, and holds.
#[test]
fn the_splitter_may_pay_itself_and_the_identity_counts_it() {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    net.apply(Action::Fund {
        chain: devnet::ERA,
        asset: eth(),
        to: user(),
        amount: tokens(1),
    })
    .unwrap();
    net.apply(Action::SetDistributors {
        caller: timelock(),
        distributors: vec![Distributor::new(splitter_address(), 1)],
    })
    .unwrap();
    net.apply(Action::SetBurnPercentage {
        caller: timelock(),
        burn_bps: U256::from(5_000u16),
    })
    .unwrap();
    settle_withdraw_and_split(&mut net, 1_000);
    let t = &net.state().economy.totals;
    assert_eq!(t.splitter_paid_to_self, tokens(500));
    assert_eq!(
        net.state().token.balance_of(splitter_address()),
        tokens(500)
    );
    assert_fee_accounting(net.state());
    net.apply(Action::Split).unwrap();
    assert_eq!(
        net.state().token.balance_of(splitter_address()),
        tokens(250)
    );
    assert_fee_accounting(net.state());
}
