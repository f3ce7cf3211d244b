//! Every fee route after collection: operator claims, the fee switch into Fee Flow, the Gateway
//! settlement fee and its vault, the Fee Flow auction, and the splitter's burn.

#![allow(clippy::result_large_err)]

use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::INTEROP_CENTER;
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::fee_flow::{fee_flow_address, settlement_fee_vault, splitter_address};
use flywheel_protocol::genesis::{account, devnet, eth, Genesis};
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter};
use flywheel_protocol::network::{Action, Network, State};
use flywheel_protocol::relayer;
use flywheel_protocol::units::tokens;

fn gov() -> Address {
    account("governance")
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

/// ZK fees paid = unclaimed operator accruals + claimed + vault + splitter inflow;
/// splitter inflow = burned + distributed + splitter balance; supply = minted − burned.
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
            + t.splitter_inflow
    );
    assert_eq!(
        t.splitter_inflow,
        t.burned + t.distributed + s.token.balance_of(splitter_address())
    );
    assert_eq!(
        s.token.total_supply(),
        s.token.minted_total() - s.token.burned_total()
    );
    assert_eq!(s.token.balance_of(INTEROP_CENTER), accrued);
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
    net.apply(Action::SweepSettlementFees { caller: gov() })
        .unwrap();
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
fn only_governance_sweeps_and_sets_parameters() {
    let (mut net, alice) = setup();
    let before = net.state().clone();
    for action in [
        Action::SweepSettlementFees { caller: alice },
        Action::SetGatewaySettlementFee {
            caller: alice,
            fee: tokens(1),
        },
        Action::SetFeeSwitch {
            caller: alice,
            bps: 100,
        },
        Action::SetFeeFlowThreshold {
            caller: alice,
            threshold: tokens(1),
        },
        Action::SetSplitterShares {
            caller: alice,
            burn_bps: 10_000,
            recipients: vec![],
        },
        Action::SetFeeFlowPaused {
            caller: alice,
            paused: true,
        },
    ] {
        assert!(net.apply(action).is_err());
        assert_eq!(net.state(), &before);
    }
    assert!(matches!(
        net.apply(Action::SetFeeSwitch {
            caller: gov(),
            bps: 10_001
        }),
        Err(ProtocolError::BpsOutOfRange { .. })
    ));
    assert!(matches!(
        net.apply(Action::SetSplitterShares {
            caller: gov(),
            burn_bps: 5_000,
            recipients: vec![]
        }),
        Err(ProtocolError::Splitter(_))
    ));
    assert_eq!(net.state(), &before);
}

#[test]
fn operators_claim_fees_and_the_switch_fills_fee_flow() {
    let (mut net, alice) = setup();
    let fee = tokens(1) / U256::from(100); // 0.01 ETH per call
    for chain in [devnet::ERA, devnet::ETH_CHAIN] {
        let op = operator(&net, chain);
        net.apply(Action::SetInteropProtocolFee {
            chain,
            caller: op,
            fee,
        })
        .unwrap();
    }
    net.apply(Action::SetFeeSwitch {
        caller: gov(),
        bps: 2_500,
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
    send_calls(
        &mut net,
        devnet::ETH_CHAIN,
        devnet::ERA,
        alice,
        4,
        fee,
        false,
    );
    for chain in [devnet::ERA, devnet::ETH_CHAIN] {
        let op = operator(&net, chain);
        net.apply(Action::ClaimProtocolFees {
            chain,
            operator: op,
        })
        .unwrap();
        assert_eq!(
            net.state().chain(chain).unwrap().base_balance(op),
            fee * U256::from(3),
            "75% of 4 calls"
        );
        assert!(matches!(
            net.apply(Action::ClaimProtocolFees {
                chain,
                operator: op
            }),
            Err(ProtocolError::NothingToClaim { .. })
        ));
    }
    // Fee Flow lives on Era: both chains' 25% end up in its pool there.
    let era = net.state().chain(devnet::ERA).unwrap();
    assert_eq!(era.balance(eth(), fee_flow_address()), fee * U256::from(2));
    assert_eq!(
        net.state().total_balance(eth())
            + net
                .state()
                .in_flight
                .get(&eth())
                .copied()
                .unwrap_or_default(),
        net.state().issued[&eth()]
    );
}

#[test]
fn fee_flow_claim_pays_the_threshold_takes_the_pool_and_burns() {
    let (mut net, alice) = setup();
    let claimer = account("claimer");
    let fee = tokens(1);
    let op = operator(&net, devnet::ERA);
    net.apply(Action::SetInteropProtocolFee {
        chain: devnet::ERA,
        caller: op,
        fee,
    })
    .unwrap();
    net.apply(Action::SetFeeSwitch {
        caller: gov(),
        bps: 10_000,
    })
    .unwrap();
    send_calls(
        &mut net,
        devnet::ERA,
        devnet::ETH_CHAIN,
        alice,
        5,
        fee,
        false,
    );
    net.apply(Action::ClaimProtocolFees {
        chain: devnet::ERA,
        operator: op,
    })
    .unwrap();
    net.apply(Action::SetFeeFlowThreshold {
        caller: gov(),
        threshold: tokens(1_000),
    })
    .unwrap();
    net.apply(Action::SetSplitterShares {
        caller: gov(),
        burn_bps: 5_000,
        recipients: vec![(account("staking"), 5_000)],
    })
    .unwrap();
    net.apply(Action::ZkTransfer {
        from: account("treasury"),
        to: claimer,
        amount: tokens(5_000),
    })
    .unwrap();
    // Setting the threshold advanced the nonce: claims prepared at the old price are stale.
    assert_eq!(net.state().economy.fee_flow.nonce, 1);
    let claim = |nonce| Action::ClaimFeeFlow {
        claimer,
        nonce,
        assets: vec![eth()],
        recipient: claimer,
    };

    let before = net.state().clone();
    assert!(
        matches!(net.apply(claim(1)), Err(ProtocolError::Token(_))),
        "no allowance yet"
    );
    assert_eq!(net.state(), &before);
    net.apply(Action::ZkApprove {
        owner: claimer,
        spender: fee_flow_address(),
        amount: tokens(5_000),
    })
    .unwrap();
    assert!(matches!(
        net.apply(claim(2)),
        Err(ProtocolError::StaleNonce {
            expected: 1,
            given: 2
        })
    ));
    net.apply(Action::SetFeeFlowPaused {
        caller: account("security-council"),
        paused: true,
    })
    .unwrap();
    assert!(matches!(
        net.apply(claim(1)),
        Err(ProtocolError::FeeFlowPaused)
    ));
    net.apply(Action::SetFeeFlowPaused {
        caller: account("security-council"),
        paused: false,
    })
    .unwrap();

    let supply = net.state().token.total_supply();
    net.apply(claim(1)).unwrap();
    let s = net.state();
    assert_eq!(
        s.chain(devnet::ERA).unwrap().base_balance(claimer),
        tokens(5),
        "the whole pool"
    );
    assert_eq!(
        s.chain(devnet::ERA)
            .unwrap()
            .balance(eth(), fee_flow_address()),
        U256::ZERO
    );
    assert_eq!(s.token.balance_of(claimer), tokens(4_000));
    assert_eq!(
        supply - s.token.total_supply(),
        tokens(500),
        "half the threshold burned"
    );
    assert_eq!(s.token.balance_of(account("staking")), tokens(500));
    assert_eq!(s.economy.fee_flow.nonce, 2);
    // The same nonce cannot be replayed; an empty pool can still be claimed (the claimer's loss).
    assert!(matches!(
        net.apply(claim(1)),
        Err(ProtocolError::StaleNonce { .. })
    ));
    net.apply(claim(2)).unwrap();
    assert_eq!(net.state().economy.totals.auction_claims, 2);
    assert_accounting(net.state());
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
    net.apply(Action::ClaimZkFees {
        chain: devnet::ERA,
        operator: op,
    })
    .unwrap();
    assert_eq!(net.state().token.balance_of(op), tokens(30));
    assert_eq!(net.state().economy.totals.fixed_fees_claimed, tokens(30));
    assert!(matches!(
        net.apply(Action::ClaimZkFees {
            chain: devnet::ERA,
            operator: op
        }),
        Err(ProtocolError::NothingToClaim { .. })
    ));
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
