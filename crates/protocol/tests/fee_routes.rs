//! Every fee route after collection: operators' whole claims, the Gateway settlement fee and its
//! vault, Fee Flow v1.0 (zk-token-fee-flow@69e8d9a:src/FeeFlow.sol) and the Splitter
//! (src/Splitter.sol). Every revert of the two contracts (and of the fee routes) is applied
//! through `Network::apply` and checked to name the exact error and to change nothing.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::result_large_err)]

use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::AssetId;
use flywheel_protocol::chain::INTEROP_CENTER;
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::event::Event;
use flywheel_protocol::fee_flow::{
    fee_flow_address, settlement_fee_vault, splitter_address, ClaimRequest, Distributor,
    FeeFlowError, SplitterError,
};
use flywheel_protocol::genesis::{account, devnet, eth, zk, Genesis};
use flywheel_protocol::governance::{GovernanceError, GovernorKind, ProposalAction, VoteType};
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter};
use flywheel_protocol::network::{Action, Network, State};
use flywheel_protocol::relayer;
use flywheel_protocol::token::TokenError;
use flywheel_protocol::units::tokens;

fn gov() -> Address {
    account("governance")
}

/// Fee Flow's and the Splitter's admin.
fn timelock() -> Address {
    account("token-governor-timelock")
}

fn emergency() -> Address {
    account("emergency-admin")
}

/// Applies `action`, which must fail with exactly `want`, and checks it changed nothing.
fn rejects(net: &mut Network, action: Action, want: ProtocolError) {
    let before = net.state().clone();
    let label = format!("{action:?}");
    assert_eq!(net.apply(action), Err(want), "{label}");
    assert_eq!(
        net.state(),
        &before,
        "a refused action changed the state: {label}"
    );
}

fn ff(e: FeeFlowError) -> ProtocolError {
    e.into()
}

fn unauthorized(caller: Address, function: &'static str) -> ProtocolError {
    ff(FeeFlowError::Unauthorized { caller, function })
}

fn splitter_unauthorized(caller: Address, function: &'static str) -> ProtocolError {
    ProtocolError::Splitter(SplitterError::Unauthorized { caller, function })
}

fn request(token: AssetId, min: U256) -> ClaimRequest {
    ClaimRequest {
        token,
        min_amount_requested: min,
    }
}

fn operator(net: &Network, chain: u64) -> Address {
    net.state().chain(chain).unwrap().config.operator
}

fn setup() -> (Network, Address) {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let alice = account("alice");
    for chain in [devnet::ERA, devnet::ETH_CHAIN] {
        net.apply(Action::Fund {
            chain,
            asset: eth(),
            to: alice,
            amount: tokens(1_000),
        })
        .unwrap();
    }
    (net, alice)
}

fn send_calls(
    net: &mut Network,
    from: u64,
    to: u64,
    sender: Address,
    calls: usize,
    fee_per_call: U256,
    fixed: bool,
) {
    let starters = (0..calls)
        .map(|i| InteropCallStarter {
            to: InteropAddress::address_only(account(&format!("r{i}"))).encode(),
            data: Bytes::new(),
            call_attributes: vec![],
        })
        .collect();
    let attributes = if fixed {
        vec![attr::use_fixed_fee(true)]
    } else {
        vec![]
    };
    let value = if fixed {
        U256::ZERO
    } else {
        fee_per_call * U256::from(calls)
    };
    net.apply(Action::SendBundle {
        chain: from,
        sender,
        destination: InteropAddress::chain_only(to).encode(),
        starters,
        attributes,
        value,
    })
    .unwrap();
}

/// Operators must hold ZK, opt in and approve the vault before their batches can settle.
fn prepare_payer(net: &mut Network, chain: u64, zk: U256) {
    let op = operator(net, chain);
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: op,
        amount: zk,
    })
    .unwrap();
    net.apply(Action::SetSettlementFeePayerAgreement {
        chain,
        payer: op,
        agreed: true,
    })
    .unwrap();
    net.apply(Action::ZkApprove {
        owner: op,
        spender: settlement_fee_vault(),
        amount: zk,
    })
    .unwrap();
}

/// ZK fees paid = unclaimed operator accruals + claimed + vault + withdrawn elsewhere + Splitter
/// inflow; Splitter inflow + its payments to itself = burned + distributed + recovered + held;
/// supply = minted − burned.
fn assert_accounting(s: &State) {
    let t = &s.economy.totals;
    let accrued: U256 = s
        .chains
        .values()
        .flat_map(|c| c.accrued_zk_fees.values())
        .fold(U256::ZERO, |a, v| a + *v);
    assert_eq!(
        t.fixed_fees_paid + t.settlement_fees_paid + t.auction_paid,
        accrued
            + t.fixed_fees_claimed
            + s.token.balance_of(settlement_fee_vault())
            + (t.settlement_fees_withdrawn - t.settlement_fees_to_splitter)
            + t.splitter_inflow
    );
    assert_eq!(
        t.splitter_inflow + t.splitter_paid_to_self,
        t.burned + t.distributed + t.splitter_recovered + s.token.balance_of(splitter_address())
    );
    assert_eq!(
        s.token.total_supply(),
        s.token.minted_total() - s.token.burned_total()
    );
    assert_eq!(s.token.balance_of(INTEROP_CENTER), accrued);
}

/// Withdraws the vault to the Splitter and splits, as the simulator's sweeper does.
fn withdraw_and_split(net: &mut Network) {
    net.apply(Action::WithdrawGatewayFees {
        caller: gov(),
        recipient: splitter_address(),
    })
    .unwrap();
    net.apply(Action::Split).unwrap();
}

#[test]
fn seed_assumption_through_the_real_mechanism() {
    // Every call in dynamic mode, gatewaySettlementFee = 10 ZK: N calls burn exactly N × 10 ZK.
    let (mut net, alice) = setup();
    net.apply(Action::SetGatewaySettlementFee {
        caller: gov(),
        fee: tokens(10),
    })
    .unwrap();
    prepare_payer(&mut net, devnet::ERA, tokens(10_000));
    let supply_before = net.state().token.total_supply();
    let mut n = 0u64;
    for calls in [1usize, 3, 2, 5] {
        send_calls(
            &mut net,
            devnet::ERA,
            devnet::ETH_CHAIN,
            alice,
            calls,
            U256::ZERO,
            false,
        );
        n += calls as u64;
    }
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    assert_eq!(
        net.state().token.balance_of(settlement_fee_vault()),
        tokens(10 * n)
    );
    withdraw_and_split(&mut net);
    let s = net.state();
    assert_eq!(s.economy.totals.burned, tokens(10 * n));
    assert_eq!(supply_before - s.token.total_supply(), tokens(10 * n));
    assert_accounting(s);
}

#[test]
fn settlement_fails_and_changes_nothing_without_opt_in_balance_or_allowance() {
    let (mut net, alice) = setup();
    net.apply(Action::SetGatewaySettlementFee {
        caller: gov(),
        fee: tokens(10),
    })
    .unwrap();
    send_calls(
        &mut net,
        devnet::ERA,
        devnet::ETH_CHAIN,
        alice,
        2,
        U256::ZERO,
        false,
    );
    let op = operator(&net, devnet::ERA);
    let settle = |net: &mut Network| net.apply(Action::SettleBatch { chain: devnet::ERA });

    let before = net.state().clone();
    assert_eq!(
        settle(&mut net).unwrap_err(),
        ProtocolError::SettlementFeePayerNotAgreed {
            payer: op,
            chain: devnet::ERA
        }
    );
    assert_eq!(net.state(), &before);
    // Another chain's payer agreeing does not count for era's operator.
    net.apply(Action::SetSettlementFeePayerAgreement {
        chain: devnet::ETH_CHAIN,
        payer: op,
        agreed: true,
    })
    .unwrap();
    let before = net.state().clone();
    assert_eq!(
        settle(&mut net).unwrap_err(),
        ProtocolError::SettlementFeePayerNotAgreed {
            payer: op,
            chain: devnet::ERA
        }
    );
    assert_eq!(net.state(), &before);
    net.apply(Action::SetSettlementFeePayerAgreement {
        chain: devnet::ERA,
        payer: op,
        agreed: true,
    })
    .unwrap();
    let before = net.state().clone();
    assert!(
        matches!(settle(&mut net), Err(ProtocolError::Token(_))),
        "no ZK, no allowance"
    );
    assert_eq!(net.state(), &before);
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: op,
        amount: tokens(15),
    })
    .unwrap();
    net.apply(Action::ZkApprove {
        owner: op,
        spender: settlement_fee_vault(),
        amount: tokens(100),
    })
    .unwrap();
    let before = net.state().clone();
    assert!(settle(&mut net).is_err(), "15 ZK cannot pay 20");
    assert_eq!(net.state(), &before);
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: op,
        amount: tokens(5),
    })
    .unwrap();
    settle(&mut net).unwrap();
    assert_eq!(
        net.state().token.balance_of(settlement_fee_vault()),
        tokens(20)
    );
    // Fixed-fee calls are charged too (GWAssetTracker counts every call of every bundle):
    // 3 of them owe 30 ZK, which the operator, now without ZK, cannot pay.
    net.apply(Action::ZkApprove {
        owner: alice,
        spender: INTEROP_CENTER,
        amount: U256::ZERO,
    })
    .unwrap();
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: alice,
        amount: tokens(30),
    })
    .unwrap();
    net.apply(Action::ZkApprove {
        owner: alice,
        spender: INTEROP_CENTER,
        amount: tokens(30),
    })
    .unwrap();
    send_calls(
        &mut net,
        devnet::ERA,
        devnet::ETH_CHAIN,
        alice,
        3,
        U256::ZERO,
        true,
    );
    assert_eq!(
        net.state()
            .chain(devnet::ERA)
            .unwrap()
            .pending_chargeable_calls,
        3
    );
    let before = net.state().clone();
    assert!(
        matches!(settle(&mut net), Err(ProtocolError::Token(_))),
        "0 ZK cannot pay 30"
    );
    assert_eq!(net.state(), &before);
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: op,
        amount: tokens(30),
    })
    .unwrap();
    settle(&mut net).unwrap();
    assert_eq!(
        net.state().token.balance_of(settlement_fee_vault()),
        tokens(50)
    );
    // Withdrawing the agreement makes the next charged batch fail again, changing nothing…
    net.apply(Action::SetSettlementFeePayerAgreement {
        chain: devnet::ERA,
        payer: op,
        agreed: false,
    })
    .unwrap();
    send_calls(
        &mut net,
        devnet::ERA,
        devnet::ETH_CHAIN,
        alice,
        1,
        U256::ZERO,
        false,
    );
    let before = net.state().clone();
    assert_eq!(
        settle(&mut net).unwrap_err(),
        ProtocolError::SettlementFeePayerNotAgreed {
            payer: op,
            chain: devnet::ERA
        }
    );
    assert_eq!(net.state(), &before);
    // …while a batch with no interop calls charges nothing and needs no agreement.
    net.apply(Action::SetSettlementFeePayerAgreement {
        chain: devnet::ERA,
        payer: op,
        agreed: true,
    })
    .unwrap();
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: op,
        amount: tokens(10),
    })
    .unwrap();
    settle(&mut net).unwrap();
    net.apply(Action::SetSettlementFeePayerAgreement {
        chain: devnet::ERA,
        payer: op,
        agreed: false,
    })
    .unwrap();
    let vault = net.state().token.balance_of(settlement_fee_vault());
    settle(&mut net).unwrap();
    assert_eq!(net.state().token.balance_of(settlement_fee_vault()), vault);
    assert_accounting(net.state());
}

#[test]
fn only_gw_asset_trackers_owner_withdraws_and_sets_the_fee() {
    let (mut net, alice) = setup();
    rejects(
        &mut net,
        Action::WithdrawGatewayFees {
            caller: alice,
            recipient: alice,
        },
        ProtocolError::NotGovernance { caller: alice },
    );
    rejects(
        &mut net,
        Action::SetGatewaySettlementFee {
            caller: timelock(),
            fee: tokens(1),
        },
        ProtocolError::NotGovernance { caller: timelock() },
    );
    rejects(
        &mut net,
        Action::WithdrawGatewayFees {
            caller: gov(),
            recipient: Address::ZERO,
        },
        ProtocolError::InvalidFeeRecipient,
    );
    // An empty vault: the withdrawal succeeds and moves nothing.
    let before = net.state().clone();
    let events = net
        .apply(Action::WithdrawGatewayFees {
            caller: gov(),
            recipient: splitter_address(),
        })
        .unwrap();
    assert!(events.is_empty());
    assert_eq!(net.state(), &before);
}

#[test]
fn operators_claim_their_whole_accrual_and_nothing_reaches_fee_flow() {
    let (mut net, alice) = setup();
    let fee = tokens(1) / U256::from(100); // 0.01 ETH per call
    let op = operator(&net, devnet::ERA);
    net.apply(Action::SetInteropProtocolFee {
        chain: devnet::ERA,
        caller: op,
        fee,
    })
    .unwrap();
    send_calls(
        &mut net,
        devnet::ERA,
        devnet::ETH_CHAIN,
        alice,
        4,
        fee,
        false,
    );
    let treasury_op = account("operator-treasury");
    let claim = Action::ClaimProtocolFees {
        chain: devnet::ERA,
        operator: op,
        receiver: treasury_op,
    };
    let events = net.apply(claim.clone()).unwrap();
    assert!(events.contains(&Event::ProtocolFeesClaimed {
        chain: devnet::ERA,
        operator: op,
        receiver: treasury_op,
        amount: fee * U256::from(4),
    }));
    let era = net.state().chain(devnet::ERA).unwrap();
    assert_eq!(
        era.base_balance(treasury_op),
        fee * U256::from(4),
        "all of it"
    );
    assert_eq!(era.base_balance(INTEROP_CENTER), U256::ZERO);
    assert_eq!(era.balance(eth(), fee_flow_address()), U256::ZERO);
    assert_eq!(
        net.state().economy.totals.base_fees_claimed,
        fee * U256::from(4)
    );
    // Claiming again, or by a coinbase that accrued nothing, returns without reverting.
    for action in [
        claim,
        Action::ClaimProtocolFees {
            chain: devnet::ERA,
            operator: alice,
            receiver: alice,
        },
    ] {
        let before = net.state().clone();
        assert_eq!(net.apply(action), Ok(vec![]));
        assert_eq!(net.state(), &before);
    }
}

/// A network whose Fee Flow pool holds `pool` ETH, whose claimer holds `zk` ZK and approved
/// Fee Flow for all of it, at the deployed threshold.
fn pool_setup(pool: U256, zk: U256) -> (Network, Address) {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let claimer = account("claimer");
    for action in [
        Action::Fund {
            chain: devnet::ERA,
            asset: eth(),
            to: fee_flow_address(),
            amount: pool,
        },
        Action::ZkTransfer {
            from: account("treasury"),
            to: claimer,
            amount: zk,
        },
        Action::ZkApprove {
            owner: claimer,
            spender: fee_flow_address(),
            amount: zk,
        },
    ] {
        net.apply(action).unwrap();
    }
    (net, claimer)
}

#[test]
fn the_deployment_is_era_feeflowdeploys() {
    let net = Network::new(&Genesis::devnet()).unwrap();
    let e = &net.state().economy;
    assert_eq!(e.fee_flow.bid_threshold, tokens(1_000_000));
    assert_eq!(e.fee_flow.min_bid_threshold, tokens(100_000));
    assert_eq!(e.fee_flow.destination, splitter_address());
    assert_eq!(e.fee_flow.bid_token, zk());
    assert!(!e.fee_flow.claim_paused);
    assert_eq!(
        (e.fee_flow.admin, e.splitter.admin),
        (timelock(), timelock())
    );
    assert_eq!(e.splitter.shares.burn_bps, 10_000);
    assert!(e.splitter.shares.distributors.is_empty());
}

#[test]
fn a_claim_pays_the_threshold_splits_at_once_and_takes_the_pool() {
    let (mut net, claimer) = pool_setup(tokens(3), tokens(2_000_000));
    let pot = account("staking-rewards");
    // Settlement fees already wait in the Splitter: the claim's split() takes them too.
    let alice = account("alice");
    net.apply(Action::Fund {
        chain: devnet::ERA,
        asset: eth(),
        to: alice,
        amount: tokens(1),
    })
    .unwrap();
    net.apply(Action::SetGatewaySettlementFee {
        caller: gov(),
        fee: tokens(7),
    })
    .unwrap();
    prepare_payer(&mut net, devnet::ERA, tokens(7));
    send_calls(
        &mut net,
        devnet::ERA,
        devnet::ETH_CHAIN,
        alice,
        1,
        U256::ZERO,
        false,
    );
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    net.apply(Action::WithdrawGatewayFees {
        caller: gov(),
        recipient: splitter_address(),
    })
    .unwrap();
    net.apply(Action::SetDistributors {
        caller: timelock(),
        distributors: vec![Distributor::new(pot, 1)],
    })
    .unwrap();
    net.apply(Action::SetBurnPercentage {
        caller: timelock(),
        burn_bps: U256::from(5_000u16),
    })
    .unwrap();
    let supply = net.state().token.total_supply();
    let threshold = tokens(1_000_000);
    let requests = vec![request(eth(), tokens(3))];
    let events = net
        .apply(Action::ClaimFeeFlow {
            caller: claimer,
            requests: requests.clone(),
        })
        .unwrap();
    let amount = threshold + tokens(7);
    let half = amount / U256::from(2u8);
    // The contract's order: pull the bid, split (pay, then burn), hand over the tokens.
    let split = Event::Split {
        amount,
        burned: half,
        distributed: half,
        to_self: U256::ZERO,
    };
    let position = |e: &Event| events.iter().position(|x| x == e).expect("event emitted");
    let taken = Event::Transferred {
        chain: devnet::ERA,
        asset: eth(),
        from: fee_flow_address(),
        to: claimer,
        amount: tokens(3),
    };
    let claimed = Event::FeeFlowClaimed {
        claimer,
        requests,
        bid_amount: threshold,
    };
    assert!(position(&split) < position(&taken) && position(&taken) < position(&claimed));
    let s = net.state();
    assert_eq!(s.token.balance_of(claimer), tokens(1_000_000));
    assert_eq!(s.token.balance_of(pot), half);
    assert_eq!(supply - s.token.total_supply(), half);
    assert_eq!(
        s.chain(devnet::ERA).unwrap().balance(eth(), claimer),
        tokens(3)
    );
    assert_eq!(s.economy.totals.auction_claims, 1);
    assert_accounting(s);
}

#[test]
fn an_empty_claim_pays_and_takes_nothing() {
    let (mut net, claimer) = pool_setup(tokens(3), tokens(1_000_000));
    net.apply(Action::ClaimFeeFlow {
        caller: claimer,
        requests: vec![],
    })
    .unwrap();
    let s = net.state();
    assert_eq!(s.token.balance_of(claimer), U256::ZERO);
    assert_eq!(s.economy.totals.burned, tokens(1_000_000));
    assert_eq!(
        s.chain(devnet::ERA)
            .unwrap()
            .balance(eth(), fee_flow_address()),
        tokens(3)
    );
    assert_accounting(s);
}

#[test]
fn every_claim_revert_names_its_error_and_changes_nothing() {
    let (mut net, claimer) = pool_setup(tokens(3), tokens(1_000_000));
    let usdc = AssetId::native(devnet::L1, Address::repeat_byte(0xc));
    // ZK already waits in the Splitter: a claim that fails after its split() must not burn it.
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: splitter_address(),
        amount: tokens(5),
    })
    .unwrap();
    let claim = |requests: Vec<ClaimRequest>| Action::ClaimFeeFlow {
        caller: claimer,
        requests,
    };
    let pool = tokens(3);
    // The bid token itself, even whitelisted, and checked before the whitelist.
    net.apply(Action::SetClaimableToken {
        caller: emergency(),
        token: zk(),
        claimable: true,
    })
    .unwrap();
    rejects(
        &mut net,
        claim(vec![request(eth(), pool), request(zk(), U256::ZERO)]),
        ff(FeeFlowError::InvalidFeeToken { token: zk() }),
    );
    rejects(
        &mut net,
        claim(vec![request(usdc, U256::ZERO)]),
        ff(FeeFlowError::TokenNotClaimable { token: usdc }),
    );
    // Whitelisted but empty: a zero balance is refused whatever the minimum.
    net.apply(Action::SetClaimableToken {
        caller: emergency(),
        token: usdc,
        claimable: true,
    })
    .unwrap();
    rejects(
        &mut net,
        claim(vec![request(usdc, U256::ZERO)]),
        ff(FeeFlowError::InsufficientBalance {
            token: usdc,
            balance: U256::ZERO,
            min_amount_requested: U256::ZERO,
        }),
    );
    // Below the claimer's minimum (its slippage guard).
    rejects(
        &mut net,
        claim(vec![request(eth(), pool + U256::from(1u8))]),
        ff(FeeFlowError::InsufficientBalance {
            token: eth(),
            balance: pool,
            min_amount_requested: pool + U256::from(1u8),
        }),
    );
    // A duplicate: the second request finds the pool already taken.
    rejects(
        &mut net,
        claim(vec![request(eth(), pool), request(eth(), U256::ZERO)]),
        ff(FeeFlowError::InsufficientBalance {
            token: eth(),
            balance: U256::ZERO,
            min_amount_requested: U256::ZERO,
        }),
    );
    // Paused: refused before anything else (here, before the missing allowance).
    net.apply(Action::ZkApprove {
        owner: claimer,
        spender: fee_flow_address(),
        amount: U256::ZERO,
    })
    .unwrap();
    net.apply(Action::SetClaimPaused {
        caller: emergency(),
        paused: true,
    })
    .unwrap();
    rejects(
        &mut net,
        claim(vec![request(zk(), U256::ZERO)]),
        ff(FeeFlowError::ClaimPaused),
    );
    net.apply(Action::SetClaimPaused {
        caller: timelock(),
        paused: false,
    })
    .unwrap();
    // The bid is pulled before any request is looked at: the token's errors come first.
    rejects(
        &mut net,
        claim(vec![request(zk(), U256::ZERO)]),
        ProtocolError::Token(TokenError::InsufficientAllowance {
            owner: claimer,
            spender: fee_flow_address(),
            allowance: U256::ZERO,
            needed: tokens(1_000_000),
        }),
    );
    net.apply(Action::ZkApprove {
        owner: claimer,
        spender: fee_flow_address(),
        amount: U256::MAX,
    })
    .unwrap();
    net.apply(Action::SetBidThreshold {
        caller: emergency(),
        threshold: tokens(1_000_001),
    })
    .unwrap();
    rejects(
        &mut net,
        claim(vec![]),
        ProtocolError::Token(TokenError::InsufficientBalance {
            account: claimer,
            balance: tokens(1_000_000),
            needed: tokens(1_000_001),
        }),
    );
    // A destination that is not the Splitter: its split() call reverts, and so the claim.
    net.apply(Action::SetBidThreshold {
        caller: emergency(),
        threshold: tokens(1_000_000),
    })
    .unwrap();
    let elsewhere = account("elsewhere");
    net.apply(Action::SetFeeFlowDestination {
        caller: emergency(),
        destination: elsewhere,
    })
    .unwrap();
    rejects(
        &mut net,
        claim(vec![]),
        ff(FeeFlowError::DestinationNotSplitter {
            destination: elsewhere,
        }),
    );
    net.apply(Action::SetFeeFlowDestination {
        caller: timelock(),
        destination: splitter_address(),
    })
    .unwrap();
    net.apply(claim(vec![request(eth(), pool)])).unwrap();
    assert_eq!(net.state().economy.totals.burned, tokens(1_000_005));
}

#[test]
fn a_claim_pays_the_threshold_current_when_it_lands() {
    // No nonce: a claim prepared at one price lands at whatever the threshold is; the
    // claimer's allowance is its only bound.
    let (mut net, claimer) = pool_setup(tokens(3), tokens(2_000_000));
    net.apply(Action::ZkApprove {
        owner: claimer,
        spender: fee_flow_address(),
        amount: tokens(1_000_000),
    })
    .unwrap();
    net.apply(Action::SetBidThreshold {
        caller: emergency(),
        threshold: tokens(1_500_000),
    })
    .unwrap();
    let claim = Action::ClaimFeeFlow {
        caller: claimer,
        requests: vec![request(eth(), tokens(3))],
    };
    rejects(
        &mut net,
        claim.clone(),
        ProtocolError::Token(TokenError::InsufficientAllowance {
            owner: claimer,
            spender: fee_flow_address(),
            allowance: tokens(1_000_000),
            needed: tokens(1_500_000),
        }),
    );
    net.apply(Action::ZkApprove {
        owner: claimer,
        spender: fee_flow_address(),
        amount: U256::MAX,
    })
    .unwrap();
    net.apply(claim).unwrap();
    assert_eq!(net.state().token.balance_of(claimer), tokens(500_000));
}

#[test]
fn fee_flow_settings_follow_the_roles_and_reverts() {
    let (mut net, _) = pool_setup(tokens(3), U256::ZERO);
    let alice = account("alice");
    let min = tokens(100_000);
    rejects(
        &mut net,
        Action::SetBidThreshold {
            caller: alice,
            threshold: min,
        },
        unauthorized(alice, "setBidThreshold"),
    );
    rejects(
        &mut net,
        Action::SetBidThreshold {
            caller: emergency(),
            threshold: min - U256::from(1u8),
        },
        ff(FeeFlowError::ThresholdBelowMin {
            threshold: min - U256::from(1u8),
            min,
        }),
    );
    assert_eq!(
        net.apply(Action::SetBidThreshold {
            caller: emergency(),
            threshold: min,
        }),
        Ok(vec![Event::BidThresholdSet {
            old: tokens(1_000_000),
            new: min
        }])
    );
    rejects(
        &mut net,
        Action::SetFeeFlowDestination {
            caller: alice,
            destination: alice,
        },
        unauthorized(alice, "setDestination"),
    );
    rejects(
        &mut net,
        Action::SetFeeFlowDestination {
            caller: timelock(),
            destination: Address::ZERO,
        },
        ff(FeeFlowError::InvalidAddress {
            what: "the destination",
        }),
    );
    rejects(
        &mut net,
        Action::SetClaimPaused {
            caller: alice,
            paused: true,
        },
        unauthorized(alice, "setClaimPaused"),
    );
    rejects(
        &mut net,
        Action::SetClaimableToken {
            caller: alice,
            token: eth(),
            claimable: false,
        },
        unauthorized(alice, "setClaimableToken"),
    );
    // Taking a token off the whitelist makes it unclaimable.
    net.apply(Action::SetClaimableToken {
        caller: timelock(),
        token: eth(),
        claimable: false,
    })
    .unwrap();
    assert!(!net.state().economy.fee_flow.claimable.contains(&eth()));
    // recover: the admin's alone; the token's own errors propagate.
    let recover = |caller, token, amount| Action::RecoverFeeFlow {
        caller,
        token,
        to: alice,
        amount,
    };
    rejects(
        &mut net,
        recover(emergency(), eth(), tokens(1)),
        unauthorized(emergency(), "recover"),
    );
    let over = net.apply(recover(timelock(), eth(), tokens(4)));
    assert!(
        matches!(over, Err(ProtocolError::InsufficientBalance(_))),
        "{over:?}"
    );
    net.apply(recover(timelock(), eth(), tokens(1))).unwrap();
    assert_eq!(
        net.state()
            .chain(devnet::ERA)
            .unwrap()
            .balance(eth(), alice),
        tokens(1)
    );
    // ZK sent to Fee Flow by mistake is canonical ZK: recover moves it on the token.
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: fee_flow_address(),
        amount: tokens(2),
    })
    .unwrap();
    rejects(
        &mut net,
        recover(timelock(), zk(), tokens(3)),
        ProtocolError::Token(TokenError::InsufficientBalance {
            account: fee_flow_address(),
            balance: tokens(2),
            needed: tokens(3),
        }),
    );
    net.apply(recover(timelock(), zk(), tokens(2))).unwrap();
    assert_eq!(net.state().token.balance_of(alice), tokens(2));
}

#[test]
fn splitter_settings_follow_the_roles_and_reverts() {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let (alice, pot) = (account("alice"), account("staking-rewards"));
    let bad_bps = |bps: U256, distributors| {
        ProtocolError::Splitter(SplitterError::InvalidBurnPercentage { bps, distributors })
    };
    rejects(
        &mut net,
        Action::SetBurnPercentage {
            caller: alice,
            burn_bps: U256::from(10_000u16),
        },
        splitter_unauthorized(alice, "setBurnPercentage"),
    );
    // No distributors: anything but 100% is refused.
    rejects(
        &mut net,
        Action::SetBurnPercentage {
            caller: timelock(),
            burn_bps: U256::from(5_000u16),
        },
        bad_bps(U256::from(5_000u16), 0),
    );
    rejects(
        &mut net,
        Action::SetDistributors {
            caller: alice,
            distributors: vec![Distributor::new(pot, 1)],
        },
        splitter_unauthorized(alice, "setDistributors"),
    );
    rejects(
        &mut net,
        Action::SetDistributors {
            caller: emergency(),
            distributors: vec![Distributor::new(pot, 1), Distributor::new(Address::ZERO, 1)],
        },
        ProtocolError::Splitter(SplitterError::InvalidAddress {
            what: "a distributor",
        }),
    );
    rejects(
        &mut net,
        Action::SetDistributors {
            caller: emergency(),
            distributors: vec![Distributor::new(pot, 0)],
        },
        ProtocolError::Splitter(SplitterError::InvalidWeight { index: 0 }),
    );
    net.apply(Action::SetDistributors {
        caller: emergency(),
        distributors: vec![Distributor::new(pot, 1)],
    })
    .unwrap();
    rejects(
        &mut net,
        Action::SetBurnPercentage {
            caller: emergency(),
            burn_bps: U256::from(10_001u16),
        },
        bad_bps(U256::from(10_001u16), 1),
    );
    rejects(
        &mut net,
        Action::SetBurnPercentage {
            caller: emergency(),
            burn_bps: U256::MAX,
        },
        bad_bps(U256::MAX, 1),
    );
    net.apply(Action::SetBurnPercentage {
        caller: emergency(),
        burn_bps: U256::ZERO,
    })
    .unwrap();
    // Clearing the list forces a 100% burn: `BurnPercentageSet` first, as the contract emits.
    assert_eq!(
        net.apply(Action::SetDistributors {
            caller: timelock(),
            distributors: vec![],
        }),
        Ok(vec![
            Event::BurnPercentageSet {
                old: 0,
                new: 10_000
            },
            Event::DistributorsSet {
                distributors: vec![]
            },
        ])
    );
    assert_eq!(net.state().economy.splitter.shares.burn_bps, 10_000);
    // split() on an empty Splitter: a no-op without an event.
    let before = net.state().clone();
    assert_eq!(net.apply(Action::Split), Ok(vec![]));
    assert_eq!(net.state(), &before);
    // recover: the admin's alone; the token's own errors propagate.
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: splitter_address(),
        amount: tokens(4),
    })
    .unwrap();
    let recover = |caller, amount| Action::RecoverSplitter {
        caller,
        token: zk(),
        to: alice,
        amount,
    };
    rejects(
        &mut net,
        recover(emergency(), tokens(1)),
        splitter_unauthorized(emergency(), "recover"),
    );
    rejects(
        &mut net,
        recover(timelock(), tokens(5)),
        ProtocolError::Token(TokenError::InsufficientBalance {
            account: splitter_address(),
            balance: tokens(4),
            needed: tokens(5),
        }),
    );
    net.apply(recover(timelock(), tokens(4))).unwrap();
    assert_eq!(net.state().token.balance_of(alice), tokens(4));
    let over = net.apply(Action::RecoverSplitter {
        caller: timelock(),
        token: eth(),
        to: alice,
        amount: U256::from(1u8),
    });
    assert!(
        matches!(over, Err(ProtocolError::InsufficientBalance(_))),
        "{over:?}"
    );
}

#[test]
fn splits_use_relative_weights_pay_duplicates_and_self_and_burn_the_dust() {
    let (mut net, claimer) = pool_setup(tokens(3), tokens(1_000_000));
    let pot = account("staking-rewards");
    net.apply(Action::SetDistributors {
        caller: timelock(),
        distributors: vec![
            Distributor::new(pot, 7),
            Distributor::new(pot, 7),
            Distributor::new(splitter_address(), 7),
        ],
    })
    .unwrap();
    net.apply(Action::SetBurnPercentage {
        caller: timelock(),
        burn_bps: U256::from(2_500u16),
    })
    .unwrap();
    // A bid of 100,000 ZK + 2 wei: burn floor(25%) = 25,000 ZK; 75,000 ZK + 2 wei split three
    // ways = 25,000 ZK each and 2 wei of dust, burned.
    let bid = tokens(100_000) + U256::from(2u8);
    net.apply(Action::SetBidThreshold {
        caller: timelock(),
        threshold: bid,
    })
    .unwrap();
    let events = net
        .apply(Action::ClaimFeeFlow {
            caller: claimer,
            requests: vec![request(eth(), tokens(3))],
        })
        .unwrap();
    assert!(events.contains(&Event::Split {
        amount: bid,
        burned: tokens(25_000) + U256::from(2u8),
        distributed: tokens(75_000),
        to_self: tokens(25_000),
    }));
    let s = net.state();
    assert_eq!(
        s.token.balance_of(pot),
        tokens(50_000),
        "each duplicate paid"
    );
    assert_eq!(s.token.balance_of(splitter_address()), tokens(25_000));
    assert_accounting(s);
    // The self-payment is split again by the next split().
    net.apply(Action::Split).unwrap();
    assert_eq!(
        net.state().token.balance_of(splitter_address()),
        tokens(6_250)
    );
    assert_accounting(net.state());
}

/// Passes a proposal with the treasury's votes and executes it (or returns why execution
/// failed, the state then unchanged).
fn pass(
    net: &mut Network,
    governor: GovernorKind,
    actions: Vec<ProposalAction>,
) -> Result<Vec<Event>, ProtocolError> {
    let treasury = account("treasury");
    if net.state().token.delegates(treasury).is_none() {
        net.apply(Action::ZkDelegate {
            delegator: treasury,
            delegatee: treasury,
        })
        .unwrap();
        net.apply(Action::AdvanceTime { seconds: 1 }).unwrap();
    }
    let id = net.state().governance.next_proposal_id();
    net.apply(Action::Propose {
        governor,
        proposer: treasury,
        actions,
    })?;
    let start = net.state().governance.proposal(id).unwrap().vote_start;
    let wait = start + 1 - net.state().time;
    net.apply(Action::AdvanceTime { seconds: wait }).unwrap();
    net.apply(Action::CastVote {
        id,
        voter: treasury,
        support: VoteType::For,
    })
    .unwrap();
    let end = net.state().governance.proposal(id).unwrap().deadline();
    let wait = end + 1 - net.state().time;
    net.apply(Action::AdvanceTime { seconds: wait }).unwrap();
    net.apply(Action::QueueProposal { id }).unwrap();
    let before = net.state().clone();
    let result = net.apply(Action::ExecuteProposal { id });
    if result.is_err() {
        assert_eq!(net.state(), &before, "a failed execution changed nothing");
    }
    result
}

#[test]
fn fee_flow_and_splitter_changes_are_tpps() {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let pot = account("staking-rewards");
    let threshold = ProposalAction::SetBidThreshold(tokens(200_000));
    for governor in [GovernorKind::GovOps, GovernorKind::Protocol] {
        assert_eq!(
            pass(&mut net, governor, vec![threshold.clone()]),
            Err(ProtocolError::Governance(Box::new(
                GovernanceError::ActionNotAllowed {
                    governor,
                    action: "SetBidThreshold"
                }
            )))
        );
    }
    // A TPP whose burn share has no distributors to go to fails at execution, atomically.
    assert_eq!(
        pass(
            &mut net,
            GovernorKind::Token,
            vec![
                threshold.clone(),
                ProposalAction::SetBurnPercentage(U256::from(5_000u16))
            ]
        ),
        Err(ProtocolError::Splitter(
            SplitterError::InvalidBurnPercentage {
                bps: U256::from(5_000u16),
                distributors: 0
            }
        ))
    );
    pass(
        &mut net,
        GovernorKind::Token,
        vec![
            threshold,
            ProposalAction::SetDistributors(vec![Distributor::new(pot, 1)]),
            ProposalAction::SetBurnPercentage(U256::from(5_000u16)),
            ProposalAction::SetClaimPaused(true),
        ],
    )
    .unwrap();
    let e = &net.state().economy;
    assert_eq!(e.fee_flow.bid_threshold, tokens(200_000));
    assert_eq!(e.splitter.shares.burn_bps, 5_000);
    assert!(e.fee_flow.claim_paused);
}

#[test]
fn a_bridge_moves_value_between_chains_and_conserves_it() {
    let (mut net, alice) = setup();
    let issued = net.state().issued[&eth()];
    net.apply(Action::Bridge {
        asset: eth(),
        from_chain: devnet::ETH_CHAIN,
        from: alice,
        to_chain: devnet::ERA,
        to: fee_flow_address(),
        amount: tokens(2),
    })
    .unwrap();
    let s = net.state();
    assert_eq!(
        s.chain(devnet::ERA)
            .unwrap()
            .balance(eth(), fee_flow_address()),
        tokens(2)
    );
    assert_eq!(s.total_balance(eth()), issued);
    let same = Action::Bridge {
        asset: eth(),
        from_chain: devnet::ERA,
        from: alice,
        to_chain: devnet::ERA,
        to: fee_flow_address(),
        amount: tokens(1),
    };
    let before = net.state().clone();
    assert!(matches!(
        net.apply(same),
        Err(ProtocolError::ContextMismatch(_))
    ));
    let too_much = Action::Bridge {
        asset: eth(),
        from_chain: devnet::ETH_CHAIN,
        from: alice,
        to_chain: devnet::ERA,
        to: alice,
        amount: tokens(1_000),
    };
    assert!(matches!(
        net.apply(too_much),
        Err(ProtocolError::InsufficientBalance(_))
    ));
    assert_eq!(net.state(), &before);
}

#[test]
fn fixed_zk_fees_accrue_to_the_operator_and_are_claimable() {
    let (mut net, alice) = setup();
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: alice,
        amount: tokens(100),
    })
    .unwrap();
    net.apply(Action::ZkApprove {
        owner: alice,
        spender: INTEROP_CENTER,
        amount: tokens(100),
    })
    .unwrap();
    send_calls(
        &mut net,
        devnet::ERA,
        devnet::ETH_CHAIN,
        alice,
        3,
        U256::ZERO,
        true,
    );
    let op = operator(&net, devnet::ERA);
    assert_accounting(net.state());
    // The token's own errors propagate: ZK cannot go to the zero address.
    rejects(
        &mut net,
        Action::ClaimZkFees {
            chain: devnet::ERA,
            operator: op,
            receiver: Address::ZERO,
        },
        ProtocolError::Token(TokenError::ZeroAddress {
            what: "transfer recipient",
        }),
    );
    net.apply(Action::ClaimZkFees {
        chain: devnet::ERA,
        operator: op,
        receiver: op,
    })
    .unwrap();
    assert_eq!(net.state().token.balance_of(op), tokens(30));
    assert_eq!(net.state().economy.totals.fixed_fees_claimed, tokens(30));
    let before = net.state().clone();
    assert_eq!(
        net.apply(Action::ClaimZkFees {
            chain: devnet::ERA,
            operator: op,
            receiver: op,
        }),
        Ok(vec![]),
        "nothing accrued: a no-op"
    );
    assert_eq!(net.state(), &before);
    assert_accounting(net.state());
}

#[test]
fn fixed_fee_fails_where_zk_is_not_bridged() {
    let mut genesis = Genesis::devnet();
    for c in &mut genesis.chains {
        if c.id == devnet::ETH_CHAIN {
            c.zk_token_available = false;
        }
    }
    let mut net = Network::new(&genesis).unwrap();
    let alice = account("alice");
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: alice,
        amount: tokens(100),
    })
    .unwrap();
    net.apply(Action::ZkApprove {
        owner: alice,
        spender: INTEROP_CENTER,
        amount: tokens(100),
    })
    .unwrap();
    let r = net.apply(Action::SendBundle {
        chain: devnet::ETH_CHAIN,
        sender: alice,
        destination: InteropAddress::chain_only(devnet::ERA).encode(),
        starters: vec![InteropCallStarter {
            to: InteropAddress::address_only(alice).encode(),
            data: Bytes::new(),
            call_attributes: vec![],
        }],
        attributes: vec![attr::use_fixed_fee(true)],
        value: U256::ZERO,
    });
    assert!(matches!(
        r,
        Err(ProtocolError::ZkTokenNotAvailable(devnet::ETH_CHAIN))
    ));
}

#[test]
fn initialisation_refuses_what_the_contracts_refuse() {
    let with = |f: &dyn Fn(&mut Genesis)| {
        let mut g = Genesis::devnet();
        f(&mut g);
        Network::new(&g).map(|_| ()).unwrap_err()
    };
    // The Splitter is deployed first (Fee Flow's destination is its proxy).
    assert_eq!(
        with(&|g| g.fees.token_governor_timelock = Address::ZERO),
        ProtocolError::Splitter(SplitterError::InvalidAddress { what: "the admin" })
    );
    assert_eq!(
        with(&|g| g.fees.emergency_admin = Address::ZERO),
        ProtocolError::Splitter(SplitterError::InvalidAddress {
            what: "the emergency admin"
        })
    );
    assert_eq!(
        with(&|g| g.fees.burn_bps = 9_000),
        ProtocolError::Splitter(SplitterError::InvalidBurnPercentage {
            bps: U256::from(9_000u16),
            distributors: 0
        })
    );
    assert_eq!(
        with(&|g| g.fees.distributors = vec![Distributor::new(account("pot"), 0)]),
        ProtocolError::Splitter(SplitterError::InvalidWeight { index: 0 })
    );
    assert_eq!(
        with(&|g| g.fees.bid_threshold = tokens(99_999)),
        ff(FeeFlowError::ThresholdBelowMin {
            threshold: tokens(99_999),
            min: tokens(100_000)
        })
    );
    let mut g = Genesis::devnet();
    g.fees.distributors = vec![Distributor::new(account("pot"), 3)];
    g.fees.burn_bps = 2_000;
    let net = Network::new(&g).unwrap();
    assert_eq!(
        net.state().economy.splitter.shares.total_weight,
        U256::from(3u8)
    );
}
