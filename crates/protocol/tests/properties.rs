//! Property tests over random action sequences on the devnet (with an `InteropForwarder` on
//! one chain): funding, bundle sends (valid and invalid), settlement, proving and executing
//! (sometimes with tampered proofs, sometimes twice), verify-then-unbundle, ZK token operations,
//! time and fee changes. After every action the network's invariants are checked:
//!
//! 1. ZK supply: `total_supply <= MAX_SUPPLY`, `total_supply == Σ balances`, and
//!    `minted_total - burned_total == total_supply`.
//! 2. Interop conserves value: for every asset, `Σ balances over chains + in_flight == issued`,
//!    under the v31 rules: L2 → L2 only, sources and executing destinations settling on Gateway,
//!    sends to one's own chain and empty bundles allowed (a send's refusal is also checked to be
//!    the contract's: `NotL2ToL2`, `NotInGatewayMode`, `DestinationChainNotRegistered`).
//! 3. A failed action leaves the state exactly as it was.
//! 4. A bundle executes at most once per chain, each call at most once, and a cancelled call
//!    never executes (nor an executed one gets cancelled).
//! 5. Fee accounting: per chain, the InteropCenter's base-token balance is the sum of its
//!    accrued base fees; its ZK balance is the sum over chains of accrued ZK fees.
//! 6. Replay and determinism: folding the event log over genesis rebuilds the live state, and
//!    the same steps on a fresh network give the same event log.
//! 7. (bonus) A tampered proof never gets an unreceived bundle executed (a flip that only
//!    changes a non-zero `isFinal` byte to another non-zero value is not tampering: the model,
//!    like era-contracts' `MessageHashing`, reads any non-zero byte as "final").
//!
//! Steps never touch the InteropCenter's balances directly (no `Fund` or ZK transfer to it)
//! and never claim fees, so property 5 is exact. `generator_reaches_success_paths` checks that
//! a fixed-seed batch really sends, relays, executes, verifies and unbundles bundles, and prints
//! how often each step kind succeeded (`-- --nocapture`). `PROPTEST_CASES=n` runs more cases.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Test helpers pass the library's error through unchanged; its size is the library's concern.
#![allow(clippy::result_large_err)]

mod common;
use common::*;

use alloy_primitives::{Address, Bytes, B256, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{BundleStatus, CallStatus, ChainKind, INTEROP_CENTER};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::event::Event;
use flywheel_protocol::genesis::{account, devnet, eth, zk, Genesis};
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter, SealedBundle};
use flywheel_protocol::interop::recipient::{Code, InteropForwarder};
use flywheel_protocol::network::{Action, Network, State};
use flywheel_protocol::relayer;
use flywheel_protocol::token::TokenEvent;
use flywheel_protocol::units::tokens;
use flywheel_protocol::ChainId;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

// ----- the world -----

/// Every devnet chain; steps name chains by index into this list.
const CHAINS: [ChainId; 6] = [
    devnet::L1,
    devnet::GATEWAY,
    devnet::ERA,
    devnet::ETH_CHAIN,
    devnet::ZK_CHAIN,
    devnet::L1_CHAIN,
];
/// The ETH-based L2s that settle on Gateway, where most value moves (l1-chain settles on L1:
/// it can neither send nor execute interop).
const ETH_L2S: [ChainId; 2] = [devnet::ERA, devnet::ETH_CHAIN];
/// Where the forwarder is deployed.
const FORWARDER_CHAIN: ChainId = devnet::ETH_CHAIN;
/// A chain id nobody registered.
const UNKNOWN_CHAIN: ChainId = 999;

fn forwarder() -> Address {
    account("forwarder")
}

fn treasury() -> Address {
    account("treasury")
}

/// Users; index 4 is the forwarder (a contract, but it can hold and be sent value).
fn users() -> [Address; 5] {
    [
        account("alice"),
        account("bob"),
        account("carol"),
        account("dave"),
        forwarder(),
    ]
}

/// ZK actors: the treasury first (it holds the genesis supply), then users, then ZERO.
fn zk_actors() -> [Address; 7] {
    let u = users();
    [treasury(), u[0], u[1], u[2], u[3], u[4], Address::ZERO]
}

/// Approval spenders: the InteropCenter (needed for fixed-fee sends) first.
fn spenders() -> [Address; 4] {
    let u = users();
    [INTEROP_CENTER, u[0], u[1], Address::ZERO]
}

fn code() -> Code {
    let mut code = Code::default();
    code.deploy_recipient(FORWARDER_CHAIN, forwarder(), Arc::new(InteropForwarder));
    code
}

fn milli(m: u64) -> U256 {
    U256::from(m) * U256::from(1_000_000_000_000_000u64)
}

// ----- steps -----

/// An amount of base token.
#[derive(Debug, Clone, Copy)]
enum Amount {
    /// Thousandths of a token.
    Milli(u64),
    /// 10^9 tokens: more than anyone holds.
    Huge,
}

impl Amount {
    fn wei(self) -> U256 {
        match self {
            Amount::Milli(m) => milli(m),
            Amount::Huge => tokens(1_000_000_000),
        }
    }
}

/// Who sends a bundle.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// The `i`-th (chain, account) pair funded so far (modulo their count).
    Funded(usize),
    /// Any chain and user.
    Any { chain: usize, user: usize },
}

/// Where a bundle goes.
#[derive(Debug, Clone, Copy)]
enum Dest {
    /// The `i`-th chain other than the source.
    Other(usize),
    /// The `i`-th ETH-based L2 other than the source (where value can move).
    EthL2(usize),
    /// The chain the forwarder is deployed on.
    ForwarderChain,
    /// The source itself (allowed: the InteropCenter has no check against it).
    Same,
    /// L1.
    L1,
    /// An unregistered chain.
    Unknown,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    User(usize),
    Forwarder,
    Zero,
}

#[derive(Debug, Clone, Copy)]
enum Data {
    Empty,
    /// A forward request: to user `to` on chain `chain` (meaningful for the forwarder).
    Forward {
        chain: usize,
        to: usize,
    },
    /// Bytes an account without code rejects.
    Junk,
}

#[derive(Debug, Clone, Copy)]
struct CallSpec {
    target: Target,
    value: Amount,
    data: Data,
}

#[derive(Debug, Clone, Copy)]
enum MsgValue {
    Exact,
    Plus(u64),
    Minus(u64),
}

#[derive(Debug, Clone, Copy)]
enum FeeMode {
    Base,
    /// `useFixedFee(true)` after giving the sender ZK and approving the InteropCenter.
    FixedWithAllowance,
    /// `useFixedFee(true)` with whatever allowance there is.
    FixedNoAllowance,
}

#[derive(Debug, Clone, Copy)]
enum Tamper {
    None,
    FlipBit { word: usize, byte: usize, bit: u8 },
    IndexPlusOne,
    WrongBatch,
    WrongSender,
    Truncate,
}

/// Which sent bundle a step acts on.
#[derive(Debug, Clone, Copy)]
enum Pick {
    /// The `i`-th most recent bundle not yet executed or unbundled on its destination (or any
    /// bundle if none is pending).
    Pending(usize),
    /// The `i`-th most recent bundle, whatever its status.
    Any(usize),
}

#[derive(Debug, Clone, Copy)]
enum Unbundler {
    Right,
    WrongAddress,
    WrongChain,
}

#[derive(Debug, Clone, Copy)]
enum ZkOp {
    Transfer,
    Approve,
    Delegate,
    Burn,
}

#[derive(Debug, Clone, Copy)]
enum ZkAmount {
    Tokens(u64),
    /// One wei more than the holder's balance.
    ExceedBalance,
    Zero,
}

#[derive(Debug, Clone)]
enum Step {
    Fund {
        chain: usize,
        user: usize,
        /// Fund the asset that is not the chain's base token.
        other_asset: bool,
        amount: Amount,
    },
    Send {
        origin: Origin,
        dest: Dest,
        calls: Vec<CallSpec>,
        msg_value: MsgValue,
        fee: FeeMode,
        exec_addr: Option<usize>,
    },
    /// `relayer::settle_for`: for a sent bundle (its source toward its destination), or any
    /// chain toward any chain.
    SettleFor {
        bundle: Option<usize>,
        chain: usize,
        dest: usize,
    },
    /// Raw `Action::SettleBatch`.
    SettleRaw {
        chain: usize,
    },
    /// Raw `Action::ImportInteropRoot` of a recent batch.
    Import {
        chain: usize,
        source: usize,
        back: u64,
    },
    /// Prove and execute a sent bundle, after relaying its batch if `relay`, verifying it
    /// first (then executing without a proof) if `verify_first`.
    Execute {
        bundle: Pick,
        relay: bool,
        verify_first: bool,
        tamper: Tamper,
        /// A user, or (`None`) the bundle's execution address if it has one.
        caller: Option<usize>,
        twice: bool,
    },
    /// Verify (if asked), then unbundle with the given statuses.
    Unbundle {
        bundle: Pick,
        relay: bool,
        verify: bool,
        statuses: Vec<u8>,
        exact_count: bool,
        caller: Unbundler,
    },
    Zk {
        op: ZkOp,
        from: usize,
        to: usize,
        amount: ZkAmount,
    },
    Advance {
        seconds: u64,
    },
    SetFee {
        chain: usize,
        by_operator: bool,
        fee: u64,
    },
}

fn amount_small() -> impl Strategy<Value = Amount> {
    prop_oneof![
        20 => (0u64..3_000).prop_map(Amount::Milli),
        1 => Just(Amount::Huge),
    ]
}

fn call_spec() -> impl Strategy<Value = CallSpec> {
    let target = prop_oneof![
        12 => (0usize..4).prop_map(Target::User),
        6 => Just(Target::Forwarder),
        1 => Just(Target::Zero),
    ];
    let data = prop_oneof![
        12 => Just(Data::Empty),
        // Mostly onward to Era, or back to the forwarder's own chain (index into CHAINS).
        4 => (prop_oneof![3 => Just(2usize), 2 => Just(3usize), 1 => Just(0usize), 1 => 0usize..CHAINS.len()], 0usize..4)
            .prop_map(|(chain, to)| Data::Forward { chain, to }),
        1 => Just(Data::Junk),
    ];
    (target, amount_small(), data).prop_map(|(target, value, data)| {
        // Calls to the forwarder mostly carry a forward request, to accounts mostly nothing.
        let data = match (target, data) {
            (Target::Forwarder, Data::Empty) => Data::Forward { chain: 2, to: 0 },
            (Target::User(_), Data::Forward { .. }) => Data::Empty,
            (_, d) => d,
        };
        CallSpec {
            target,
            value,
            data,
        }
    })
}

fn fund_step() -> impl Strategy<Value = Step> {
    (
        prop_oneof![5 => Just(None), 1 => (0usize..CHAINS.len()).prop_map(Some)],
        0usize..2,
        0usize..5,
        proptest::bool::weighted(0.1),
        (1_000u64..500_000).prop_map(Amount::Milli),
    )
        .prop_map(|(any, eth_l2, user, other_asset, amount)| Step::Fund {
            // Mostly an ETH-based L2 on Gateway (index into CHAINS), sometimes any chain.
            chain: any.unwrap_or([2, 3][eth_l2]),
            user,
            other_asset,
            amount,
        })
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        4 => (0usize..3).prop_map(Pick::Pending),
        1 => (0usize..8).prop_map(Pick::Any),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let fund = fund_step();
    let origin = prop_oneof![
        6 => any::<usize>().prop_map(Origin::Funded),
        1 => (0usize..CHAINS.len(), 0usize..5).prop_map(|(chain, user)| Origin::Any { chain, user }),
    ];
    let dest = prop_oneof![
        4 => (0usize..5).prop_map(Dest::Other),
        10 => (0usize..2).prop_map(Dest::EthL2),
        4 => Just(Dest::ForwarderChain),
        1 => Just(Dest::Same),
        1 => Just(Dest::L1),
        1 => Just(Dest::Unknown),
    ];
    let msg_value = prop_oneof![
        20 => Just(MsgValue::Exact),
        1 => (1u64..1_000).prop_map(MsgValue::Plus),
        1 => (1u64..1_000).prop_map(MsgValue::Minus),
    ];
    let fee = prop_oneof![
        8 => Just(FeeMode::Base),
        2 => Just(FeeMode::FixedWithAllowance),
        1 => Just(FeeMode::FixedNoAllowance),
    ];
    let send = (
        origin,
        dest,
        // Sometimes an empty bundle: the InteropCenter sends those too.
        prop_oneof![
            1 => Just(Vec::new()),
            8 => proptest::collection::vec(call_spec(), 1..=3),
        ],
        msg_value,
        fee,
        prop_oneof![9 => Just(None), 1 => (0usize..5).prop_map(Some)],
    )
        .prop_map(
            |(origin, dest, calls, msg_value, fee, exec_addr)| Step::Send {
                origin,
                dest,
                calls,
                msg_value,
                fee,
                exec_addr,
            },
        );
    let settle_for = (
        prop_oneof![3 => (0usize..4).prop_map(Some), 1 => Just(None)],
        0usize..CHAINS.len(),
        0usize..CHAINS.len(),
    )
        .prop_map(|(bundle, chain, dest)| Step::SettleFor {
            bundle,
            chain,
            dest,
        });
    let settle_raw = (0usize..CHAINS.len()).prop_map(|chain| Step::SettleRaw { chain });
    let import =
        (0usize..CHAINS.len(), 0usize..CHAINS.len(), 0u64..3).prop_map(|(chain, source, back)| {
            Step::Import {
                chain,
                source,
                back,
            }
        });
    let tamper = prop_oneof![
        10 => Just(Tamper::None),
        2 => (any::<usize>(), 0usize..32, 0u8..8)
            .prop_map(|(word, byte, bit)| Tamper::FlipBit { word, byte, bit }),
        1 => Just(Tamper::IndexPlusOne),
        1 => Just(Tamper::WrongBatch),
        1 => Just(Tamper::WrongSender),
        1 => Just(Tamper::Truncate),
    ];
    let execute = (
        (pick(), proptest::bool::weighted(0.5)),
        proptest::bool::weighted(0.2),
        tamper,
        prop_oneof![1 => Just(None), 3 => (0usize..5).prop_map(Some)],
        proptest::bool::weighted(0.2),
    )
        .prop_map(
            |((bundle, relay), verify_first, tamper, caller, twice)| Step::Execute {
                bundle,
                relay,
                verify_first,
                tamper,
                caller,
                twice,
            },
        );
    let unbundler = prop_oneof![
        6 => Just(Unbundler::Right),
        1 => Just(Unbundler::WrongAddress),
        1 => Just(Unbundler::WrongChain),
    ];
    let unbundle = (
        pick(),
        proptest::bool::weighted(0.5),
        proptest::bool::weighted(0.7),
        proptest::collection::vec(0u8..3, 1..=3),
        proptest::bool::weighted(0.9),
        unbundler,
    )
        .prop_map(
            |(bundle, relay, verify, statuses, exact_count, caller)| Step::Unbundle {
                bundle,
                relay,
                verify,
                statuses,
                exact_count,
                caller,
            },
        );
    let zk_op = prop_oneof![
        4 => Just(ZkOp::Transfer),
        2 => Just(ZkOp::Approve),
        1 => Just(ZkOp::Delegate),
        2 => Just(ZkOp::Burn),
    ];
    let zk_amount = prop_oneof![
        6 => (1u64..1_000).prop_map(ZkAmount::Tokens),
        2 => Just(ZkAmount::ExceedBalance),
        1 => Just(ZkAmount::Zero),
    ];
    let zk = (
        zk_op,
        prop_oneof![3 => Just(0usize), 4 => 0usize..7],
        0usize..7,
        zk_amount,
    )
        .prop_map(|(op, from, to, amount)| Step::Zk {
            op,
            from,
            to,
            amount,
        });
    let advance = (0u64..100_000).prop_map(|seconds| Step::Advance { seconds });
    let set_fee = (
        0usize..CHAINS.len(),
        proptest::bool::weighted(0.8),
        prop_oneof![1 => Just(0u64), 3 => 1u64..1_000],
    )
        .prop_map(|(chain, by_operator, fee)| Step::SetFee {
            chain,
            by_operator,
            fee,
        });
    prop_oneof![
        3 => fund,
        10 => send,
        3 => settle_for,
        1 => settle_raw,
        1 => import,
        5 => execute,
        3 => unbundle,
        2 => zk,
        1 => advance,
        1 => set_fee,
    ]
}

/// A few fundings first (so that sends can succeed early), then any steps: at most 40.
fn steps() -> impl Strategy<Value = Vec<Step>> {
    (
        proptest::collection::vec(fund_step(), 1..=3),
        proptest::collection::vec(step(), 5..=37),
    )
        .prop_map(|(mut first, rest)| {
            first.extend(rest);
            first
        })
}

// ----- the harness -----

/// Attempts and successes per step kind, and rejections per (action, error).
#[derive(Debug, Default, Clone)]
struct Stats {
    steps: BTreeMap<&'static str, (u64, u64)>,
    errors: BTreeMap<String, u64>,
}

impl Stats {
    fn record(&mut self, kind: &'static str, ok: bool) {
        let e = self.steps.entry(kind).or_default();
        e.0 += 1;
        e.1 += u64::from(ok);
    }
    fn reject(&mut self, action: &Action, error: &ProtocolError) {
        let name = |debug: String| {
            let end = debug.find([' ', '{', '(']).unwrap_or(debug.len());
            debug[..end].to_string()
        };
        let key = format!(
            "{}: {}",
            name(format!("{action:?}")),
            name(format!("{error:?}"))
        );
        *self.errors.entry(key).or_default() += 1;
    }
    fn ok(&self, kind: &str) -> u64 {
        self.steps.get(kind).map_or(0, |e| e.1)
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
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "step kinds (successes / attempts):")?;
        for (k, (a, s)) in &self.steps {
            writeln!(f, "  {k:<26} {s:>5} / {a:<5}")?;
        }
        writeln!(f, "rejections by action and error:")?;
        for (k, n) in &self.errors {
            writeln!(f, "  {k:<46} {n:>5}")?;
        }
        Ok(())
    }
}

/// A network plus everything the properties need to remember about its history.
struct Harness {
    net: Network,
    genesis: Genesis,
    /// Every event of every successful action, in order.
    log: Vec<Event>,
    /// Every bundle sent so far (including ones sent by the forwarder during execution).
    sent: Vec<SealedBundle>,
    /// (chain, account) pairs funded with the chain's base token, for choosing senders that
    /// can pay.
    funded: Vec<(ChainId, Address)>,
    /// Every address that ever held ZK.
    zk_holders: BTreeSet<Address>,
    /// `BundleExecuted` count per (chain, bundle).
    executed_bundles: BTreeMap<(ChainId, B256), u32>,
    /// `CallProcessed{Executed}` count per (chain, bundle, call).
    executed_calls: BTreeMap<(ChainId, B256, u32), u32>,
    /// `CallProcessed{Cancelled}` count per (chain, bundle, call).
    cancelled_calls: BTreeMap<(ChainId, B256, u32), u32>,
    /// Bundles sent by contracts while a bundle executed (the forwarder's onward bundles).
    onward: usize,
    stats: Stats,
}

impl Harness {
    fn new() -> Self {
        let genesis = Genesis::devnet();
        let net = Network::with_code(&genesis, code()).expect("devnet genesis is valid");
        let zk_holders = genesis.zk_allocations.iter().map(|(a, _)| *a).collect();
        let h = Self {
            net,
            genesis,
            log: Vec::new(),
            sent: Vec::new(),
            funded: Vec::new(),
            zk_holders,
            executed_bundles: BTreeMap::new(),
            executed_calls: BTreeMap::new(),
            cancelled_calls: BTreeMap::new(),
            onward: 0,
            stats: Stats::default(),
        };
        h.check_invariants();
        h
    }

    fn state(&self) -> &State {
        self.net.state()
    }

    /// Applies one action; a failure must leave the state unchanged (property 3), a success
    /// is recorded and the invariants re-checked.
    fn apply(&mut self, action: Action) -> Result<Vec<Event>, ProtocolError> {
        let before = self.state().clone();
        match self.net.apply(action.clone()) {
            Ok(events) => {
                self.record(&events);
                Ok(events)
            }
            Err(e) => {
                self.stats.reject(&action, &e);
                let described = format!("{action:?}");
                assert_failed_action_changed_nothing(&before, self.state(), &described, &e);
                Err(e)
            }
        }
    }

    /// `relayer::settle_for`, held to the same all-or-nothing standard as one action.
    fn settle_for(&mut self, source: ChainId, dest: ChainId) -> Result<Vec<Event>, ProtocolError> {
        let before = self.state().clone();
        match relayer::settle_for(&mut self.net, source, dest) {
            Ok(events) => {
                self.record(&events);
                Ok(events)
            }
            Err(e) => {
                let what = format!("settle_for({source}, {dest})");
                assert_failed_action_changed_nothing(&before, self.state(), &what, &e);
                Err(e)
            }
        }
    }

    fn record(&mut self, events: &[Event]) {
        self.log.extend_from_slice(events);
        self.sent.extend(relayer::sent_bundles(events));
        for ev in events {
            match ev {
                Event::Token(TokenEvent::Transfer { from, to, .. }) => {
                    for a in [from, to] {
                        if !a.is_zero() {
                            self.zk_holders.insert(*a);
                        }
                    }
                }
                Event::Funded {
                    chain, asset, to, ..
                } => {
                    let c = self.net.state().chain(*chain).unwrap();
                    let can_send = c.config.kind != ChainKind::L1 && c.config.base_token == *asset;
                    if can_send && !self.funded.contains(&(*chain, *to)) {
                        self.funded.push((*chain, *to));
                    }
                }
                Event::BundleExecuted { chain, bundle_hash } => {
                    *self
                        .executed_bundles
                        .entry((*chain, *bundle_hash))
                        .or_default() += 1;
                }
                Event::CallProcessed {
                    chain,
                    bundle_hash,
                    index,
                    status,
                } => {
                    let key = (*chain, *bundle_hash, *index);
                    match status {
                        CallStatus::Executed => *self.executed_calls.entry(key).or_default() += 1,
                        CallStatus::Cancelled => *self.cancelled_calls.entry(key).or_default() += 1,
                        CallStatus::Unprocessed => {
                            panic!("CallProcessed with status Unprocessed: {ev:?}")
                        }
                    }
                }
                _ => {}
            }
        }
        self.check_invariants();
    }

    fn check_invariants(&self) {
        let s = self.state();
        assert_zk_supply_within_cap(s);
        assert_zk_supply_is_sum_of_balances(s, &self.zk_holders);
        assert_zk_minted_minus_burned_is_supply(s);
        assert_interop_conserves_value(s);
        assert_bundles_execute_at_most_once(&self.executed_bundles);
        assert_calls_processed_at_most_once(&self.executed_calls, &self.cancelled_calls);
        assert_fee_accounting(s);
    }

    /// A sent bundle counted from the most recent (`back` = 0 is the last one).
    fn recent_bundle(&self, back: usize) -> Option<SealedBundle> {
        let n = self.sent.len();
        (n > 0).then(|| self.sent[n - 1 - back % n].clone())
    }

    /// A sent bundle, chosen as `pick` says.
    fn pick(&self, pick: Pick) -> Option<SealedBundle> {
        match pick {
            Pick::Any(back) => self.recent_bundle(back),
            Pick::Pending(back) => {
                let pending: Vec<&SealedBundle> = self
                    .sent
                    .iter()
                    .filter(|b| {
                        let dest = b.destination().unwrap();
                        matches!(
                            self.state().chain(dest).unwrap().bundle_status(&b.hash),
                            None | Some(BundleStatus::Verified)
                        )
                    })
                    .collect();
                match pending.len() {
                    0 => self.recent_bundle(back),
                    n => Some(pending[n - 1 - back % n].clone()),
                }
            }
        }
    }

    // ----- steps -----

    fn run_step(&mut self, step: &Step) {
        match step {
            Step::Fund {
                chain,
                user,
                other_asset,
                amount,
            } => {
                let chain = CHAINS[*chain];
                let base = self.state().chain(chain).unwrap().config.base_token;
                let asset = match (*other_asset, base == eth()) {
                    (false, _) => base,
                    (true, true) => zk(),
                    (true, false) => eth(),
                };
                let r = self.apply(Action::Fund {
                    chain,
                    asset,
                    to: users()[*user],
                    amount: amount.wei(),
                });
                self.stats.record("fund", r.is_ok());
            }
            Step::Send {
                origin,
                dest,
                calls,
                msg_value,
                fee,
                exec_addr,
            } => self.send(*origin, *dest, calls, *msg_value, *fee, *exec_addr),
            Step::SettleFor {
                bundle,
                chain,
                dest,
            } => {
                let (source, dest) = match bundle.and_then(|b| self.recent_bundle(b)) {
                    Some(b) => (b.source(), b.destination().unwrap()),
                    None => (CHAINS[*chain], CHAINS[*dest]),
                };
                let r = self.settle_for(source, dest);
                self.stats.record("settle_for", r.is_ok());
            }
            Step::SettleRaw { chain } => {
                let r = self.apply(Action::SettleBatch {
                    chain: CHAINS[*chain],
                });
                self.stats.record("settle_raw", r.is_ok());
            }
            Step::Import {
                chain,
                source,
                back,
            } => {
                let source = CHAINS[*source];
                let sealed = self.state().chain(source).unwrap().batches.len() as u64;
                let r = self.apply(Action::ImportInteropRoot {
                    chain: CHAINS[*chain],
                    source,
                    batch: sealed.saturating_sub(*back),
                });
                self.stats.record("import_root", r.is_ok());
            }
            Step::Execute {
                bundle,
                relay,
                verify_first,
                tamper,
                caller,
                twice,
            } => {
                if *relay {
                    if let Some(b) = self.pick(*bundle) {
                        self.relay(&b);
                    }
                }
                self.execute(*bundle, *verify_first, *tamper, *caller, *twice)
            }
            Step::Unbundle {
                bundle,
                relay,
                verify,
                statuses,
                exact_count,
                caller,
            } => self.unbundle(*bundle, *relay, *verify, statuses, *exact_count, *caller),
            Step::Zk {
                op,
                from,
                to,
                amount,
            } => {
                let from = zk_actors()[*from];
                let amount = match amount {
                    ZkAmount::Tokens(n) => tokens(*n),
                    ZkAmount::ExceedBalance => {
                        self.state().token.balance_of(from) + U256::from(1u8)
                    }
                    ZkAmount::Zero => U256::ZERO,
                };
                let (kind, action) = match op {
                    ZkOp::Transfer => (
                        "zk_transfer",
                        Action::ZkTransfer {
                            from,
                            to: zk_actors()[*to],
                            amount,
                        },
                    ),
                    ZkOp::Approve => (
                        "zk_approve",
                        Action::ZkApprove {
                            owner: from,
                            spender: spenders()[*to % 4],
                            amount,
                        },
                    ),
                    ZkOp::Delegate => (
                        "zk_delegate",
                        Action::ZkDelegate {
                            delegator: from,
                            delegatee: zk_actors()[*to],
                        },
                    ),
                    ZkOp::Burn => (
                        "zk_burn",
                        Action::ZkBurn {
                            holder: from,
                            amount,
                        },
                    ),
                };
                let r = self.apply(action);
                self.stats.record(kind, r.is_ok());
            }
            Step::Advance { seconds } => {
                let r = self.apply(Action::AdvanceTime { seconds: *seconds });
                self.stats.record("advance_time", r.is_ok());
            }
            Step::SetFee {
                chain,
                by_operator,
                fee,
            } => {
                let chain = CHAINS[*chain];
                let caller = if *by_operator {
                    self.state().chain(chain).unwrap().config.operator
                } else {
                    users()[0]
                };
                // Up to 0.000999 base tokens per call.
                let fee = U256::from(*fee) * U256::from(1_000_000_000_000u64);
                let r = self.apply(Action::SetInteropProtocolFee { chain, caller, fee });
                self.stats.record(
                    if *by_operator {
                        "set_fee"
                    } else {
                        "set_fee(non-operator)"
                    },
                    r.is_ok(),
                );
            }
        }
    }

    fn send(
        &mut self,
        origin: Origin,
        dest: Dest,
        calls: &[CallSpec],
        msg_value: MsgValue,
        fee: FeeMode,
        exec_addr: Option<usize>,
    ) {
        let (src, sender) = match origin {
            Origin::Funded(i) if !self.funded.is_empty() => self.funded[i % self.funded.len()],
            Origin::Funded(_) => (devnet::ERA, users()[0]),
            Origin::Any { chain, user } => (CHAINS[chain], users()[user]),
        };
        let dst = match dest {
            Dest::Other(i) => {
                let others: Vec<ChainId> = CHAINS.iter().copied().filter(|c| *c != src).collect();
                others[i % others.len()]
            }
            Dest::EthL2(i) => {
                let others: Vec<ChainId> = ETH_L2S.iter().copied().filter(|c| *c != src).collect();
                others[i % others.len()]
            }
            Dest::ForwarderChain => FORWARDER_CHAIN,
            Dest::Same => src,
            Dest::L1 => devnet::L1,
            Dest::Unknown => UNKNOWN_CHAIN,
        };
        let starters: Vec<InteropCallStarter> = calls
            .iter()
            .map(|c| {
                let to = match c.target {
                    Target::User(i) => users()[i],
                    Target::Forwarder => forwarder(),
                    Target::Zero => Address::ZERO,
                };
                let data = match c.data {
                    Data::Empty => Bytes::new(),
                    // Off the forwarder's chain its address is a plain account: send it value.
                    Data::Forward { .. } if dst != FORWARDER_CHAIN => Bytes::new(),
                    Data::Forward { chain, to } => {
                        InteropForwarder::payload(CHAINS[chain], users()[to], Bytes::new())
                    }
                    Data::Junk => Bytes::from(vec![0xde, 0xad]),
                };
                let value = c.value.wei();
                InteropCallStarter {
                    to: InteropAddress::address_only(to).encode(),
                    data,
                    call_attributes: if value.is_zero() {
                        vec![]
                    } else {
                        vec![attr::call_value(value)]
                    },
                }
            })
            .collect();
        let call_values = calls
            .iter()
            .fold(U256::ZERO, |acc, c| acc.saturating_add(c.value.wei()));
        let fixed = !matches!(fee, FeeMode::Base);
        let mut attributes = Vec::new();
        if fixed {
            attributes.push(attr::use_fixed_fee(true));
        }
        if let Some(i) = exec_addr {
            attributes.push(attr::execution_address(&InteropAddress::new(
                dst,
                users()[i],
            )));
        }
        if matches!(fee, FeeMode::FixedWithAllowance) {
            // Give the sender the ZK and the allowance the fixed fee needs (separate actions).
            let need =
                self.state().chain(src).unwrap().zk_interop_fee * U256::from(starters.len() as u64);
            let r = self.apply(Action::ZkTransfer {
                from: treasury(),
                to: sender,
                amount: need,
            });
            self.stats.record("zk_transfer(fee prep)", r.is_ok());
            let r = self.apply(Action::ZkApprove {
                owner: sender,
                spender: INTEROP_CENTER,
                amount: need,
            });
            self.stats.record("zk_approve(fee prep)", r.is_ok());
        }
        let exact = exact_msg_value(
            self.state(),
            src,
            dst,
            call_values,
            starters.len() as u64,
            fixed,
        );
        let value = match msg_value {
            MsgValue::Exact => exact,
            MsgValue::Plus(w) => exact.saturating_add(U256::from(w)),
            MsgValue::Minus(w) => exact.checked_sub(U256::from(w)).unwrap_or(U256::MAX),
        };
        let refusal = expected_refusal(
            self.state(),
            src,
            dst,
            calls.iter().any(|c| matches!(c.target, Target::Zero)),
        );
        let r = self.apply(Action::SendBundle {
            chain: src,
            sender,
            destination: InteropAddress::chain_only(dst).encode(),
            starters,
            attributes,
            value,
        });
        if let Some(expected) = refusal {
            assert_eq!(r.as_ref().err(), Some(&expected), "send {src} -> {dst}");
        }
        let kind = if fixed { "send(fixed fee)" } else { "send" };
        self.stats.record(kind, r.is_ok());
    }

    /// Settles a bundle's source batch and makes its root available on its destination.
    fn relay(&mut self, b: &SealedBundle) {
        let r = self.settle_for(b.source(), b.destination().unwrap());
        self.stats.record("settle_for(relay)", r.is_ok());
    }

    fn execute(
        &mut self,
        pick: Pick,
        verify_first: bool,
        tamper: Tamper,
        caller: Option<usize>,
        twice: bool,
    ) {
        let Some(b) = self.pick(pick) else {
            self.stats.record("execute(no bundle yet)", false);
            return;
        };
        let dest = b.destination().unwrap();
        let proof = match self.net.prove_bundle(b.source(), &b, dest) {
            Ok(p) => p,
            Err(_) => {
                self.stats.record("prove", false);
                return;
            }
        };
        self.stats.record("prove", true);
        let mut proof = proof;
        let tampered = match tamper {
            Tamper::None => false,
            Tamper::FlipBit { word, byte, bit } => {
                let i = word % proof.proof.len();
                let before = proof.proof[i];
                proof.proof[i].0[byte] ^= 1 << bit;
                !only_final_flag_changed(&before, &proof.proof[i])
            }
            Tamper::IndexPlusOne => {
                proof.l2_message_index += 1;
                true
            }
            Tamper::WrongBatch => {
                proof.l1_batch_number += 1;
                true
            }
            Tamper::WrongSender => {
                proof.message.sender = users()[0];
                true
            }
            Tamper::Truncate => {
                proof.proof.pop();
                true
            }
        };
        let mut status = self.state().chain(dest).unwrap().bundle_status(&b.hash);
        if verify_first && !tampered && status.is_none() {
            let r = self.apply(Action::VerifyBundle {
                chain: dest,
                bundle: b.encoded.clone(),
                proof: proof.clone(),
            });
            self.stats.record("verify(then execute)", r.is_ok());
            status = self.state().chain(dest).unwrap().bundle_status(&b.hash);
        }
        let unreceived = status.is_none();
        // A verified bundle needs no proof: exercise that path when not tampering.
        let proof = (tampered || status != Some(BundleStatus::Verified)).then_some(proof);
        let exec_addr = &b.bundle.bundleAttributes.executionAddress;
        let caller = match caller {
            None if !exec_addr.is_empty() => InteropAddress::decode(exec_addr)
                .expect("the InteropCenter encodes a valid execution address")
                .address
                .expect("execution address names an account"),
            None => users()[0],
            Some(i) => users()[i],
        };
        let action = Action::ExecuteBundle {
            chain: dest,
            caller,
            bundle: b.encoded.clone(),
            proof,
        };
        let first = self.apply(action.clone());
        if let Ok(events) = &first {
            self.onward += relayer::sent_bundles(events).len();
        }
        let kind = match (tampered, tamper) {
            (true, _) => "execute(tampered proof)",
            (false, Tamper::FlipBit { .. }) => "execute(equivalent proof)",
            (false, _) if status == Some(BundleStatus::Verified) => "execute(verified, no proof)",
            (false, _) => "execute",
        };
        self.stats.record(kind, first.is_ok());
        if tampered && unreceived {
            assert_tampered_proof_rejected(&first, &b, tamper);
        }
        if twice {
            let again = self.apply(action);
            self.stats.record("execute(again)", again.is_ok());
            assert!(
                !(first.is_ok() && again.is_ok()),
                "bundle {} executed twice in a row on chain {dest}",
                b.hash
            );
        }
    }

    fn unbundle(
        &mut self,
        pick: Pick,
        relay: bool,
        verify: bool,
        statuses: &[u8],
        exact_count: bool,
        caller: Unbundler,
    ) {
        let Some(b) = self.pick(pick) else {
            self.stats.record("unbundle(no bundle yet)", false);
            return;
        };
        if relay {
            self.relay(&b);
        }
        let dest = b.destination().unwrap();
        if verify {
            match self.net.prove_bundle(b.source(), &b, dest) {
                Ok(proof) => {
                    self.stats.record("prove", true);
                    let r = self.apply(Action::VerifyBundle {
                        chain: dest,
                        bundle: b.encoded.clone(),
                        proof,
                    });
                    self.stats.record("verify", r.is_ok());
                }
                Err(_) => self.stats.record("prove", false),
            }
        }
        let calls = b.bundle.calls.len();
        let n = if exact_count { calls } else { calls + 1 };
        let statuses: Vec<CallStatus> = (0..n)
            .map(|i| match statuses[i % statuses.len()] {
                0 => CallStatus::Unprocessed,
                1 => CallStatus::Executed,
                _ => CallStatus::Cancelled,
            })
            .collect();
        let unbundler = InteropAddress::decode(&b.bundle.bundleAttributes.unbundlerAddress)
            .expect("the InteropCenter encodes a valid unbundler");
        let right_chain = unbundler.chain_id.unwrap_or(b.source());
        let right_addr = unbundler.address.expect("unbundler names an account");
        let (caller_chain, caller_addr, kind) = match caller {
            Unbundler::Right => (right_chain, right_addr, "unbundle"),
            Unbundler::WrongAddress => {
                let other = users()
                    .into_iter()
                    .find(|a| *a != right_addr)
                    .expect("five distinct users");
                (right_chain, other, "unbundle(wrong caller)")
            }
            Unbundler::WrongChain => {
                let other = CHAINS
                    .into_iter()
                    .find(|c| *c != right_chain)
                    .expect("six chains");
                (other, right_addr, "unbundle(wrong caller)")
            }
        };
        let r = self.apply(Action::UnbundleBundle {
            chain: dest,
            caller_chain,
            caller: caller_addr,
            bundle: b.encoded.clone(),
            statuses,
        });
        if let Ok(events) = &r {
            self.onward += relayer::sent_bundles(events).len();
        }
        self.stats.record(kind, r.is_ok());
        if !matches!(caller, Unbundler::Right) {
            assert!(
                r.is_err(),
                "{caller_addr} on chain {caller_chain} unbundled {} but is not its unbundler",
                b.hash
            );
        }
    }
}

/// Whether a proof word changed only in its meaningless bits: a metadata word (version 1,
/// zero below the top four bytes) whose `isFinal` byte is non-zero before and after. Like
/// era-contracts' `MessageHashing` (`uint8(proofMetadata[3]) != 0`), the model reads any
/// non-zero byte as "final", so such a flip leaves an equivalent, still valid proof.
fn only_final_flag_changed(before: &B256, after: &B256) -> bool {
    let is_metadata = |w: &B256| w[0] == 1 && w[4..].iter().all(|b| *b == 0);
    is_metadata(before)
        && is_metadata(after)
        && before[..3] == after[..3]
        && before[3] != 0
        && after[3] != 0
}

/// The refusal the InteropCenter owes a send from `src` to `dst` on chain rules alone, in the
/// contract's order: L1 at either end (`NotL2ToL2`, before the calls are read), then — unless a
/// call's target is malformed, which is read first — a source not settling on Gateway
/// (`NotInGatewayMode`), then an unregistered destination (`DestinationChainNotRegistered`).
/// Written from the rules, not from the code under test.
fn expected_refusal(
    s: &State,
    src: ChainId,
    dst: ChainId,
    bad_target: bool,
) -> Option<ProtocolError> {
    let kind = |id| s.chain(id).ok().map(|c| c.config.kind);
    if kind(src) == Some(ChainKind::L1) || kind(dst) == Some(ChainKind::L1) {
        return Some(ProtocolError::NotL2ToL2 {
            source_chain_id: src,
            destination_chain_id: dst,
        });
    }
    if bad_target {
        return None;
    }
    let layer = s.chain(src).ok().and_then(|c| c.config.settlement_layer);
    if layer.and_then(kind) != Some(ChainKind::Gateway) {
        return Some(ProtocolError::NotInGatewayMode { chain: src });
    }
    if kind(dst).is_none() {
        return Some(ProtocolError::DestinationChainNotRegistered(dst));
    }
    None
}

/// The msg.value `sendBundle` requires: base-token fees (unless fixed-fee) plus the call
/// values when source and destination share a base token.
fn exact_msg_value(
    s: &State,
    src: ChainId,
    dst: ChainId,
    call_values: U256,
    calls: u64,
    fixed: bool,
) -> U256 {
    let (Ok(source), Ok(dest)) = (s.chain(src), s.chain(dst)) else {
        return call_values;
    };
    let base_fee = if fixed {
        U256::ZERO
    } else {
        source.interop_protocol_fee * U256::from(calls)
    };
    if source.config.base_token == dest.config.base_token {
        base_fee.saturating_add(call_values)
    } else {
        base_fee
    }
}

/// Runs steps on a fresh network; every action is checked as it goes.
fn run(steps: &[Step]) -> Harness {
    let mut h = Harness::new();
    for step in steps {
        h.run_step(step);
    }
    h
}

// ----- properties -----

/// Property 4a.
fn assert_bundles_execute_at_most_once(executed: &BTreeMap<(ChainId, B256), u32>) {
    for ((chain, hash), n) in executed {
        assert!(*n <= 1, "bundle {hash} executed {n} times on chain {chain}");
    }
}

/// Property 4b.
fn assert_calls_processed_at_most_once(
    executed: &BTreeMap<(ChainId, B256, u32), u32>,
    cancelled: &BTreeMap<(ChainId, B256, u32), u32>,
) {
    for ((chain, hash, index), n) in executed {
        assert!(
            *n <= 1,
            "call {index} of bundle {hash} executed {n} times on chain {chain}"
        );
        assert!(
            !cancelled.contains_key(&(*chain, *hash, *index)),
            "call {index} of bundle {hash} on chain {chain} was both cancelled and executed"
        );
    }
    for ((chain, hash, index), n) in cancelled {
        assert!(
            *n <= 1,
            "call {index} of bundle {hash} cancelled {n} times on chain {chain}"
        );
    }
}

/// Property 5 (no fee claims exist, so everything accrued is still held).
fn assert_fee_accounting(s: &State) {
    let mut zk_accrued = U256::ZERO;
    for (id, c) in &s.chains {
        let accrued = c
            .accrued_base_fees
            .values()
            .fold(U256::ZERO, |acc, v| acc + *v);
        assert_eq!(
            c.base_balance(INTEROP_CENTER),
            accrued,
            "chain {id}: InteropCenter base balance != accrued base fees"
        );
        zk_accrued += c
            .accrued_zk_fees
            .values()
            .fold(U256::ZERO, |acc, v| acc + *v);
    }
    assert_eq!(
        s.token.balance_of(INTEROP_CENTER),
        zk_accrued,
        "InteropCenter ZK balance != ZK fees accrued over all chains"
    );
}

/// Property 6a (through a JSON round trip of the log, as a stored log would be read back).
fn assert_replay_rebuilds_state(h: &Harness) {
    let json = serde_json::to_vec(&h.log).expect("events serialize");
    let log: Vec<Event> = serde_json::from_slice(&json).expect("events deserialize");
    assert!(
        log == h.log,
        "the event log does not survive a JSON round trip"
    );
    let replayed = Network::replay(&h.genesis, code(), &log).expect("the log replays");
    assert!(
        replayed.state() == h.state(),
        "replaying {} events does not rebuild the live state",
        h.log.len()
    );
}

/// Property 6b.
fn assert_deterministic(steps: &[Step], first: &Harness) {
    let second = run(steps);
    assert_eq!(
        first.log.len(),
        second.log.len(),
        "two runs emitted different numbers of events"
    );
    assert!(first.log == second.log, "two runs emitted different events");
    let a = serde_json::to_vec(&first.log).unwrap();
    let b = serde_json::to_vec(&second.log).unwrap();
    assert!(a == b, "two runs serialize differently");
    assert!(first.state() == second.state());
}

/// Property 7.
fn assert_tampered_proof_rejected(
    result: &Result<Vec<Event>, ProtocolError>,
    b: &SealedBundle,
    tamper: Tamper,
) {
    assert!(
        result.is_err(),
        "bundle {} executed with a tampered proof ({tamper:?})",
        b.hash
    );
}

fn check_run(steps: &[Step]) -> Harness {
    let h = run(steps);
    assert_replay_rebuilds_state(&h);
    assert_deterministic(steps, &h);
    h
}

/// 64 cases by default (a few seconds in debug); `PROPTEST_CASES=n` runs more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    // Failures persist next to this file (tests/properties.proptest-regressions).
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::with_cases(cases())
    })]

    #[test]
    fn random_action_sequences_keep_every_invariant(steps in steps()) {
        check_run(&steps);
    }
}

/// The generator must reach the success paths, not only the rejections: over a fixed-seed
/// batch, bundles are sent, executed (also through the forwarder), verified and unbundled.
#[test]
fn generator_reaches_success_paths() {
    let mut runner = TestRunner::new_with_rng(
        Config {
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let strategy = steps();
    let mut total = Stats::default();
    let mut executed_bundles = 0usize;
    let mut cancelled_calls = 0usize;
    let mut forwarded = 0usize;
    let mut events = 0usize;
    for _ in 0..64 {
        let steps = strategy
            .new_tree(&mut runner)
            .expect("strategy generates")
            .current();
        let h = check_run(&steps);
        total.merge(&h.stats);
        executed_bundles += h.executed_bundles.len();
        cancelled_calls += h.cancelled_calls.len();
        forwarded += h.onward;
        events += h.log.len();
    }
    println!("64 fixed-seed sequences\n{total}");
    println!(
        "bundles executed atomically: {executed_bundles}, calls cancelled: {cancelled_calls}, \
         bundles sent onward by the forwarder: {forwarded}, events: {events}"
    );
    for kind in [
        "fund",
        "send",
        "send(fixed fee)",
        "settle_for",
        "execute",
        "execute(verified, no proof)",
        "verify",
        "unbundle",
        "zk_transfer",
    ] {
        assert!(total.ok(kind) > 0, "no successful {kind} in the batch");
    }
    assert!(
        executed_bundles >= 10,
        "too few executions: {executed_bundles}"
    );
    assert!(cancelled_calls > 0, "no call was ever cancelled");
    assert!(forwarded > 0, "the forwarder never sent a bundle onward");
}

/// Regression: `relayer::settle_for` is all-or-nothing. It once applied `SettleBatch` on the
/// source before looking the destination up, so an unregistered destination left the source's
/// batch settled while the error dropped that action's events — a log that no longer replayed.
#[test]
fn settle_for_an_unknown_destination_changes_nothing() {
    let genesis = Genesis::devnet();
    let mut net = Network::with_code(&genesis, code()).unwrap();
    let before = net.state().clone();
    let result = relayer::settle_for(&mut net, devnet::ERA, UNKNOWN_CHAIN);
    assert!(matches!(
        result,
        Err(ProtocolError::UnknownChain(UNKNOWN_CHAIN))
    ));
    assert!(
        net.state() == &before,
        "settle_for failed but Era sealed {} batch(es)",
        net.state().chain(devnet::ERA).unwrap().batches.len()
    );
}
