//! The fee-flow walk: where every interop fee goes. Users pay in both modes on an ETH-based
//! chain (era) and a ZK-based chain (zk-chain); batches settle on Gateway and their operators
//! pay the settlement fee in ZK; operators claim their whole accruals, and era's operator
//! chooses to send half its ETH revenue to Fee Flow (no contract makes it); GWAssetTracker's
//! owner withdraws the settlement fees to the Splitter; a claimer runs Fee Flow v1.0's `claim`
//! — refused first on its own minimum, with nothing changed — then pays the threshold, the
//! Splitter splits (burns) at once, and the claimer takes the pool. It closes with the totals
//! and the accounting identities.

#![allow(clippy::result_large_err)]

use super::Walk;
use crate::error::CliError;
use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::INTEROP_CENTER;
use flywheel_protocol::fee_flow::{
    fee_flow_address, settlement_fee_vault, splitter_address, ClaimRequest,
};
use flywheel_protocol::genesis::{devnet, eth, zk, Genesis};
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter, SealedBundle};
use flywheel_protocol::interop::recipient::Code;
use flywheel_protocol::network::Action;
use flywheel_protocol::relayer;
use flywheel_protocol::units::{format_amount, tokens};
use flywheel_protocol::ChainId;
use std::io::Write;

/// Runs the walk on the devnet.
pub fn run(json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let mut w = Walk::new(Genesis::devnet(), Code::default(), json, out)?;
    for name in [
        "alice",
        "bob",
        "claimer",
        "treasury",
        "governance",
        "emergency-admin",
        "token-governor-timelock",
    ] {
        w.account(name);
    }
    let names = [
        (fee_flow_address(), "FeeFlow"),
        (splitter_address(), "Splitter"),
        (settlement_fee_vault(), "settlement-fee-vault"),
    ];
    for (a, n) in names {
        w.name_account(a, n);
    }
    let supply_start = w.state().token.total_supply();
    parameters(&mut w)?;
    let sent = traffic(&mut w)?;
    settle(&mut w, &sent)?;
    claims(&mut w)?;
    withdraw(&mut w)?;
    auction(&mut w)?;
    totals(&mut w, supply_start)?;
    w.finish()
}

fn parameters(w: &mut Walk<'_>) -> Result<(), CliError> {
    let (gov, emergency, alice) = (
        w.account("governance"),
        w.account("emergency-admin"),
        w.account("alice"),
    );
    w.section("1. The roles set the fee parameters")?;
    w.apply(
        "GWAssetTracker's owner (governance) sets the settlement fee: 2 ZK per interop call",
        Action::SetGatewaySettlementFee {
            caller: gov,
            fee: tokens(2),
        },
    )?;
    let ff = &w.state().economy.fee_flow;
    let (threshold, min) = (ff.bid_threshold, ff.min_bid_threshold);
    w.say(format!(
        "Fee Flow as deployed on Era: bid threshold {} ZK, minimum {} ZK, whitelist ETH (for WETH); its admin is the Token Governor's timelock, so a change through governance is a TPP",
        format_amount(threshold),
        format_amount(min)
    ))?;
    w.reject(
        "alice (no role) tries to lower the threshold",
        Action::SetBidThreshold {
            caller: alice,
            threshold: min,
        },
    )?;
    w.reject(
        "the emergency admin tries 100 ZK",
        Action::SetBidThreshold {
            caller: emergency,
            threshold: tokens(100),
        },
    )?;
    w.apply(
        "the emergency admin sets the threshold to the minimum, without a proposal",
        Action::SetBidThreshold {
            caller: emergency,
            threshold: min,
        },
    )?;
    for (chain, fee, what) in [
        (devnet::ERA, tokens(1) / U256::from(1000), "0.001 ETH"),
        (devnet::ZK_CHAIN, tokens(3), "3 ZK (its base token)"),
    ] {
        let op = w.operator(chain);
        let name = w.chain_name(chain);
        w.apply(
            &format!("{name}'s operator sets the dynamic fee to {what} per call"),
            Action::SetInteropProtocolFee {
                chain,
                caller: op,
                fee,
            },
        )?;
    }
    Ok(())
}

fn starters(n: usize, to: Address) -> Vec<InteropCallStarter> {
    (0..n)
        .map(|_| InteropCallStarter {
            to: InteropAddress::address_only(to).encode(),
            data: Bytes::new(),
            call_attributes: vec![],
        })
        .collect()
}

/// One bundle a user sends: (source, sender, destination), calls, mode, msg.value.
struct Send {
    from: ChainId,
    sender: Address,
    to: ChainId,
    calls: usize,
    fixed: bool,
    value: U256,
}

fn send(w: &mut Walk<'_>, step: &str, b: Send) -> Result<SealedBundle, CliError> {
    let target = w.account("bob");
    let events = w.apply(
        step,
        Action::SendBundle {
            chain: b.from,
            sender: b.sender,
            destination: InteropAddress::chain_only(b.to).encode(),
            starters: starters(b.calls, target),
            attributes: if b.fixed {
                vec![attr::use_fixed_fee(true)]
            } else {
                vec![]
            },
            value: b.value,
        },
    )?;
    relayer::sent_bundles(&events)
        .pop()
        .ok_or_else(|| CliError::DemoCheck(format!("{step}: no bundle was sent")))
}

fn traffic(w: &mut Walk<'_>) -> Result<Vec<SealedBundle>, CliError> {
    let (alice, bob, treasury) = (w.account("alice"), w.account("bob"), w.account("treasury"));
    w.section("2. Users send bundles in both fee modes")?;
    w.apply(
        "fund alice with 1 ETH on era",
        Action::Fund {
            chain: devnet::ERA,
            asset: eth(),
            to: alice,
            amount: tokens(1),
        },
    )?;
    w.apply(
        "fund bob with 100 ZK (base token) on zk-chain",
        Action::Fund {
            chain: devnet::ZK_CHAIN,
            asset: zk(),
            to: bob,
            amount: tokens(100),
        },
    )?;
    w.apply(
        "the treasury gives alice 50 ZK",
        Action::ZkTransfer {
            from: treasury,
            to: alice,
            amount: tokens(50),
        },
    )?;
    w.apply(
        "alice approves the InteropCenter for fixed fees",
        Action::ZkApprove {
            owner: alice,
            spender: INTEROP_CENTER,
            amount: tokens(50),
        },
    )?;
    let fee = tokens(2) / U256::from(1000);
    let a = send(
        w,
        "alice: 2 calls era → eth-chain, dynamic fee (0.002 ETH)",
        Send {
            from: devnet::ERA,
            sender: alice,
            to: devnet::ETH_CHAIN,
            calls: 2,
            fixed: false,
            value: fee,
        },
    )?;
    let b = send(
        w,
        "alice: 3 calls era → zk-chain, fixed fee (30 ZK)",
        Send {
            from: devnet::ERA,
            sender: alice,
            to: devnet::ZK_CHAIN,
            calls: 3,
            fixed: true,
            value: U256::ZERO,
        },
    )?;
    let c = send(
        w,
        "bob: 2 calls zk-chain → era, dynamic fee (6 ZK base token)",
        Send {
            from: devnet::ZK_CHAIN,
            sender: bob,
            to: devnet::ERA,
            calls: 2,
            fixed: false,
            value: tokens(6),
        },
    )?;
    let era = w
        .state()
        .chain(devnet::ERA)
        .map(|c| c.pending_chargeable_calls)
        .unwrap_or(0);
    let zkc = w
        .state()
        .chain(devnet::ZK_CHAIN)
        .map(|c| c.pending_chargeable_calls)
        .unwrap_or(0);
    w.say(format!("charged at settlement: era {era} call(s), zk-chain {zkc} call(s) (every call, in both fee modes)"))?;
    Ok(vec![a, b, c])
}

fn settle(w: &mut Walk<'_>, sent: &[SealedBundle]) -> Result<(), CliError> {
    let treasury = w.account("treasury");
    w.section("3. Batches settle on Gateway; operators pay the settlement fee in ZK")?;
    w.reject(
        "era settles before its operator agreed to pay",
        Action::SettleBatch { chain: devnet::ERA },
    )?;
    for chain in [devnet::ERA, devnet::ZK_CHAIN] {
        let op = w.operator(chain);
        let name = w.chain_name(chain);
        w.apply(
            &format!("{name}'s operator gets 10 ZK"),
            Action::ZkTransfer {
                from: treasury,
                to: op,
                amount: tokens(10),
            },
        )?;
        w.apply(
            &format!("{name}'s operator agrees to pay settlement fees"),
            Action::SetSettlementFeePayerAgreement {
                chain,
                payer: op,
                agreed: true,
            },
        )?;
        w.apply(
            &format!("{name}'s operator approves the vault"),
            Action::ZkApprove {
                owner: op,
                spender: settlement_fee_vault(),
                amount: tokens(10),
            },
        )?;
    }
    for b in sent {
        let (src, dst) = (
            b.source(),
            b.destination()
                .map_err(|e| CliError::DemoCheck(e.to_string()))?,
        );
        let step = format!(
            "settle {} toward {} and import the Gateway root",
            w.chain_name(src),
            w.chain_name(dst)
        );
        let events = if w
            .state()
            .chain(src)
            .map(|c| c.pending_logs.is_empty())
            .unwrap_or(true)
        {
            let layer = flywheel_protocol::genesis::devnet::GATEWAY;
            let g = w
                .state()
                .chain(layer)
                .map(|c| c.batches.len() as u64)
                .unwrap_or(0);
            w.with_net(&step, |net| {
                net.apply(Action::ImportInteropRoot {
                    chain: dst,
                    source: layer,
                    batch: g,
                })
            })?
        } else {
            w.with_net(&step, |net| relayer::settle_for(net, src, dst))?
        };
        w.record(&events)?;
        let executor = w.account("bob");
        let (_, events) = w.with_net("prove and execute the bundle", |net| {
            relayer::prove_and_execute(net, b, executor)
        })?;
        w.record(&events)?;
    }
    let vault = w.state().token.balance_of(settlement_fee_vault());
    w.say(format!(
        "settlement-fee vault holds {} ZK (only governance can move it)",
        format_amount(vault)
    ))
}

fn claims(w: &mut Walk<'_>) -> Result<(), CliError> {
    w.section(
        "4. Operators claim their whole fees; era's operator sends half of its ETH to Fee Flow",
    )?;
    for chain in [devnet::ERA, devnet::ZK_CHAIN] {
        let op = w.operator(chain);
        let name = w.chain_name(chain);
        w.apply(
            &format!("{name}'s operator claims its base-token fees"),
            Action::ClaimProtocolFees {
                chain,
                operator: op,
                receiver: op,
            },
        )?;
    }
    let era_op = w.operator(devnet::ERA);
    let events = w.apply(
        "era's operator claims again: nothing is accrued, so nothing happens",
        Action::ClaimProtocolFees {
            chain: devnet::ERA,
            operator: era_op,
            receiver: era_op,
        },
    )?;
    if !events.is_empty() {
        return Err(CliError::DemoCheck(
            "a claim of nothing emitted events".into(),
        ));
    }
    w.apply(
        "era's operator claims its fixed ZK fees",
        Action::ClaimZkFees {
            chain: devnet::ERA,
            operator: era_op,
            receiver: era_op,
        },
    )?;
    let earned = w
        .state()
        .chain(devnet::ERA)
        .map(|c| c.balance(eth(), era_op))
        .unwrap_or_default();
    let half = earned / U256::from(2u8);
    w.say("no contract diverts any of it: what reaches Fee Flow is sent by whoever chooses to (the simulator's fee_flow_revenue_share_bps)")?;
    w.apply(
        &format!(
            "era's operator chooses to send half, {}, to Fee Flow",
            w.amount(eth(), half)
        ),
        Action::Transfer {
            chain: devnet::ERA,
            asset: eth(),
            from: era_op,
            to: fee_flow_address(),
            amount: half,
        },
    )?;
    w.say("zk-chain's revenue is ZK, Fee Flow's own bid token: it cannot be auctioned, so it stays with its operator")?;
    let pool = pool(w);
    let pool = w.amount(eth(), pool);
    w.say(format!("Fee Flow pool on era: {pool}"))
}

fn pool(w: &Walk<'_>) -> U256 {
    w.state()
        .chain(devnet::ERA)
        .map(|c| c.balance(eth(), fee_flow_address()))
        .unwrap_or_default()
}

fn withdraw(w: &mut Walk<'_>) -> Result<(), CliError> {
    let gov = w.account("governance");
    w.section("5. GWAssetTracker's owner withdraws the settlement fees to the Splitter")?;
    w.reject(
        "withdraw to the zero address",
        Action::WithdrawGatewayFees {
            caller: gov,
            recipient: Address::ZERO,
        },
    )?;
    w.apply(
        "withdraw the vault to the Splitter",
        Action::WithdrawGatewayFees {
            caller: gov,
            recipient: splitter_address(),
        },
    )?;
    let held = w.state().token.balance_of(splitter_address());
    w.say(format!(
        "the Splitter holds {} ZK until someone calls split() — here, the next claim",
        format_amount(held)
    ))
}

fn auction(w: &mut Walk<'_>) -> Result<(), CliError> {
    let (claimer, treasury, emergency) = (
        w.account("claimer"),
        w.account("treasury"),
        w.account("emergency-admin"),
    );
    let threshold = w.state().economy.fee_flow.bid_threshold;
    w.section("6. A claimer buys the pool: the bid is split (burned) in the same claim")?;
    w.apply(
        "the claimer gets 150,000 ZK",
        Action::ZkTransfer {
            from: treasury,
            to: claimer,
            amount: tokens(150_000),
        },
    )?;
    w.apply(
        "the claimer approves Fee Flow for the threshold",
        Action::ZkApprove {
            owner: claimer,
            spender: fee_flow_address(),
            amount: threshold,
        },
    )?;
    let pool_eth = pool(w);
    let eth_at_least = |min| ClaimRequest {
        token: eth(),
        min_amount_requested: min,
    };
    let before = w.state().clone();
    w.reject(
        &format!(
            "the claimer asks for at least {} — one wei more than the pool",
            w.amount(eth(), pool_eth + U256::from(1u8))
        ),
        Action::ClaimFeeFlow {
            caller: claimer,
            requests: vec![eth_at_least(pool_eth + U256::from(1u8))],
        },
    )?;
    if w.state() != &before {
        return Err(CliError::DemoCheck(
            "a refused claim changed the state".into(),
        ));
    }
    let (held, kept) = (
        w.state().token.balance_of(claimer),
        w.state().token.balance_of(splitter_address()),
    );
    w.say(format!(
        "nothing changed: the claimer still holds {} ZK, the pool {}, the Splitter {} ZK",
        format_amount(held),
        w.amount(eth(), pool(w)),
        format_amount(kept)
    ))?;
    w.reject(
        "the claimer asks for ZK itself",
        Action::ClaimFeeFlow {
            caller: claimer,
            requests: vec![ClaimRequest {
                token: zk(),
                min_amount_requested: U256::ZERO,
            }],
        },
    )?;
    w.reject(
        "the claimer lists ETH twice (the second finds the pool empty)",
        Action::ClaimFeeFlow {
            caller: claimer,
            requests: vec![eth_at_least(U256::ZERO), eth_at_least(U256::ZERO)],
        },
    )?;
    w.apply(
        "the emergency admin pauses claims",
        Action::SetClaimPaused {
            caller: emergency,
            paused: true,
        },
    )?;
    w.reject(
        "a claim while paused",
        Action::ClaimFeeFlow {
            caller: claimer,
            requests: vec![eth_at_least(pool_eth)],
        },
    )?;
    w.apply(
        "the emergency admin unpauses",
        Action::SetClaimPaused {
            caller: emergency,
            paused: false,
        },
    )?;
    w.apply(
        &format!(
            "the claimer pays {} ZK and takes the pool, asking for at least {}",
            format_amount(threshold),
            w.amount(eth(), pool_eth)
        ),
        Action::ClaimFeeFlow {
            caller: claimer,
            requests: vec![eth_at_least(pool_eth)],
        },
    )?;
    Ok(())
}

fn totals(w: &mut Walk<'_>, supply_start: U256) -> Result<(), CliError> {
    w.section("Closing totals")?;
    let s = w.state();
    let t = s.economy.totals.clone();
    let supply = s.token.total_supply();
    let accrued: U256 = s
        .chains
        .values()
        .flat_map(|c| c.accrued_zk_fees.values())
        .fold(U256::ZERO, |a, v| a + *v);
    let vault = s.token.balance_of(settlement_fee_vault());
    let held = s.token.balance_of(splitter_address());
    let lines = [
        format!(
            "ZK supply: {} → {} (burned {})",
            format_amount(supply_start),
            format_amount(supply),
            format_amount(supply_start - supply)
        ),
        format!(
            "fixed ZK fees paid {} (claimed by operators {})",
            format_amount(t.fixed_fees_paid),
            format_amount(t.fixed_fees_claimed)
        ),
        format!(
            "settlement fees paid {}, withdrawn {} (to the Splitter {})",
            format_amount(t.settlement_fees_paid),
            format_amount(t.settlement_fees_withdrawn),
            format_amount(t.settlement_fees_to_splitter)
        ),
        format!(
            "Fee Flow: {} claim(s), {} ZK bid",
            t.auction_claims,
            format_amount(t.auction_paid)
        ),
        format!(
            "Splitter: in {}, burned {}, distributed {}, held {}",
            format_amount(t.splitter_inflow),
            format_amount(t.burned),
            format_amount(t.distributed),
            format_amount(held)
        ),
    ];
    for l in lines {
        w.say(l)?;
    }
    let paid = t.fixed_fees_paid + t.settlement_fees_paid + t.auction_paid;
    let elsewhere = t.settlement_fees_withdrawn - t.settlement_fees_to_splitter;
    let routed = accrued + t.fixed_fees_claimed + vault + elsewhere + t.splitter_inflow;
    let splitter_out = t.burned + t.distributed + t.splitter_recovered + held;
    if paid != routed
        || t.splitter_inflow + t.splitter_paid_to_self != splitter_out
        || supply_start - supply != t.burned
    {
        return Err(CliError::DemoCheck(
            "the fee accounting identities do not hold".into(),
        ));
    }
    w.say(format!(
        "identities hold: ZK fees paid {} = operators + vault + withdrawn + Splitter inflow; inflow = burned + distributed + held; supply fell by exactly the burn",
        format_amount(paid)
    ))
}
