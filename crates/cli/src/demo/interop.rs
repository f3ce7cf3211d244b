//! The interop walk: what a bundle goes through from `sendBundle` to execution, what interop
//! refuses (L1 at either end, a source settling on L1), how bundles chain through a contract
//! that sends onward, and what unbundling is for (a bundle that cannot run atomically).

// The relayer closures below pass `ProtocolError` through unchanged; its size (over clippy's
// 128-byte threshold) is the protocol crate's to change, and boxing it at every call site here
// would only add noise. `Walk` boxes it once it becomes a `CliError`.
#![allow(clippy::result_large_err)]

use super::Walk;
use crate::error::CliError;
use alloy_primitives::{Address, Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{BundleStatus, CallStatus, ChainKind};
use flywheel_protocol::event::Event;
use flywheel_protocol::genesis::{account, devnet, eth, Genesis};
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter, SealedBundle};
use flywheel_protocol::interop::recipient::{Code, InteropForwarder};
use flywheel_protocol::network::Action;
use flywheel_protocol::relayer;
use flywheel_protocol::units::tokens;
use flywheel_protocol::ChainId;
use std::io::Write;
use std::sync::Arc;

/// Runs the three parts on one devnet, in order (later parts spend what earlier ones left).
pub fn run(json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let forwarder = account("forwarder");
    let mut code = Code::default();
    code.deploy_recipient(devnet::ETH_CHAIN, forwarder, Arc::new(InteropForwarder));
    let mut w = Walk::new(Genesis::devnet(), code, json, out)?;
    w.account("forwarder");
    introduce(&mut w)?;
    direct(&mut w)?;
    refusals(&mut w)?;
    chained(&mut w, forwarder)?;
    unbundle(&mut w)?;
    w.finish()
}

fn introduce(w: &mut Walk<'_>) -> Result<(), CliError> {
    let chains: Vec<String> = w
        .state()
        .chains
        .values()
        .map(|c| {
            let role = match (c.config.kind, c.config.settlement_layer) {
                (ChainKind::L1, _) => "L1".to_string(),
                (_, Some(sl)) => format!("settles on {}", w.chain_name(sl)),
                (_, None) => "no settlement layer".to_string(),
            };
            format!("{} ({}, {role})", c.config.name, c.config.id)
        })
        .collect();
    w.say("flywheel interop demo on the built-in devnet (ZKsync V31 interop)")?;
    w.say(format!("chains: {}", chains.join(" · ")))?;
    w.say("interop runs between L2s that settle on Gateway: Gateway's asset tracker reads every bundle at settlement")
}

/// A call paying `value` of the destination's base token to `to`, with `data` as payload.
fn call(to: Address, value: U256, data: Bytes) -> InteropCallStarter {
    InteropCallStarter {
        to: InteropAddress::address_only(to).encode(),
        data,
        call_attributes: if value.is_zero() {
            vec![]
        } else {
            vec![attr::call_value(value)]
        },
    }
}

fn send(
    from: ChainId,
    sender: Address,
    to: ChainId,
    starters: Vec<InteropCallStarter>,
    value: U256,
) -> Action {
    Action::SendBundle {
        chain: from,
        sender,
        destination: InteropAddress::chain_only(to).encode(),
        starters,
        attributes: vec![],
        value,
    }
}

/// The one bundle an action's events sent.
fn only_bundle(events: &[Event], what: &str) -> Result<SealedBundle, CliError> {
    let mut sent = relayer::sent_bundles(events);
    match sent.len() {
        1 => Ok(sent.remove(0)),
        n => Err(CliError::DemoCheck(format!(
            "{what}: expected one bundle sent, found {n}"
        ))),
    }
}

/// Part 1: one bundle Era → eth-chain through Gateway, by hand: send, settle, prove, execute.
fn direct(w: &mut Walk<'_>) -> Result<(), CliError> {
    let (alice, bob) = (w.account("alice"), w.account("bob"));
    let (era, dest) = (devnet::ERA, devnet::ETH_CHAIN);
    w.section("1. A bundle Era → eth-chain: send, settle, prove, execute")?;
    w.apply(
        "fund alice with 20 ETH on era",
        Action::Fund {
            chain: era,
            asset: eth(),
            to: alice,
            amount: tokens(20),
        },
    )?;
    let step = "alice sends a bundle era → eth-chain: one call paying bob 3 ETH";
    let events = w.apply(
        step,
        send(
            era,
            alice,
            dest,
            vec![call(bob, tokens(3), Bytes::new())],
            tokens(3),
        ),
    )?;
    let bundle = only_bundle(&events, step)?;
    w.say(format!("bundle hash: {}", bundle.hash))?;
    w.say(format!(
        "destination base token asset id (from era's registration of eth-chain): {}",
        bundle.bundle.destinationBaseTokenAssetId
    ))?;
    w.say(format!(
        "{} · {}",
        w.balance(era, alice),
        w.in_flight(eth())
    ))?;

    let events = w.with_net(
        "the relayer settles era's batch on gateway, gateway's on L1, and imports gateway's root on eth-chain",
        |net| relayer::settle_for(net, era, dest),
    )?;
    w.record(&events)?;
    for e in &events {
        if let Event::InteropRootImported {
            chain,
            source,
            batch,
            root,
        } = e
        {
            let (on, from) = (w.chain_name(*chain), w.chain_name(*source));
            w.say(format!("{on} now trusts {from} batch {batch} root {root}"))?;
        }
    }

    let proof = w.with_net("the relayer builds the message inclusion proof", |net| {
        net.prove_bundle(era, &bundle, dest)
    })?;
    w.say(format!(
        "proof: {} words (log path in era batch {}, then era's leaf in gateway's message root), message index {}",
        proof.proof.len(),
        proof.l1_batch_number,
        proof.l2_message_index
    ))?;
    w.apply(
        "bob executes the bundle on eth-chain with the proof",
        Action::ExecuteBundle {
            chain: dest,
            caller: bob,
            bundle: bundle.encoded.clone(),
            proof: Some(proof),
        },
    )?;
    let status = w
        .state()
        .chain(dest)
        .ok()
        .and_then(|c| c.bundle_status(&bundle.hash));
    w.say(format!(
        "bundle {} on eth-chain: {}",
        super::short(&bundle.hash),
        status_name(status)
    ))?;
    w.say(format!(
        "balances: {} · {} · {}",
        w.balance(era, alice),
        w.balance(dest, bob),
        w.in_flight(eth())
    ))
}

/// Part 2: what the InteropCenter refuses, with nothing changed: L1 at either end
/// (`NotL2ToL2`) and a source chain settling on L1 (`NotInGatewayMode`).
fn refusals(w: &mut Walk<'_>) -> Result<(), CliError> {
    let (alice, bob) = (w.account("alice"), w.account("bob"));
    w.section("2. What interop refuses")?;
    w.reject(
        "alice tries to send a bundle era → ethereum (L1)",
        send(
            devnet::ERA,
            alice,
            devnet::L1,
            vec![call(bob, tokens(1), Bytes::new())],
            tokens(1),
        ),
    )?;
    w.apply(
        "fund alice with 1 ETH on l1-chain",
        Action::Fund {
            chain: devnet::L1_CHAIN,
            asset: eth(),
            to: alice,
            amount: tokens(1),
        },
    )?;
    w.reject(
        "alice tries to send l1-chain → eth-chain (l1-chain settles on L1, not Gateway)",
        send(
            devnet::L1_CHAIN,
            alice,
            devnet::ETH_CHAIN,
            vec![call(bob, tokens(1), Bytes::new())],
            tokens(1),
        ),
    )?;
    Ok(())
}

/// Part 3: era → eth-chain → era. The first bundle's call goes to an InteropForwarder on
/// eth-chain, whose code sends a second bundle onward (back to era) while the first one
/// executes.
fn chained(w: &mut Walk<'_>, forwarder: Address) -> Result<(), CliError> {
    let (alice, carol) = (w.account("alice"), w.account("carol"));
    let (a, b, c) = (devnet::ERA, devnet::ETH_CHAIN, devnet::ERA);
    w.section("3. Chained era → eth-chain → era through an InteropForwarder")?;
    w.say("the forwarder on eth-chain re-sends what it receives (minus eth-chain's protocol fee, here 0) to the destination its payload names")?;
    let step =
        "alice sends era → eth-chain: 5 ETH to the forwarder, asking it to pay carol back on era";
    let payload = InteropForwarder::payload(c, carol, Bytes::new());
    let events = w.apply(
        step,
        send(
            a,
            alice,
            b,
            vec![call(forwarder, tokens(5), payload)],
            tokens(5),
        ),
    )?;
    let first = only_bundle(&events, step)?;
    w.say(format!("first bundle hash: {}", first.hash))?;

    let events = w.with_net(
        "the relayer settles era's batch via gateway and imports gateway's root on eth-chain",
        |net| relayer::settle_for(net, a, b),
    )?;
    w.record(&events)?;
    let step =
        "alice proves and executes the first bundle on eth-chain; the forwarder sends the second";
    let (_, events) = w.with_net(step, |net| relayer::prove_and_execute(net, &first, alice))?;
    w.record(&events)?;
    let onward = only_bundle(&events, step)?;
    w.say(format!(
        "second bundle hash: {} ({} → {}, sent by the forwarder)",
        onward.hash,
        w.chain_name(onward.source()),
        onward
            .destination()
            .map_or_else(|e| e.to_string(), |d| w.chain_name(d))
    ))?;

    let events = w.with_net(
        "the relayer settles eth-chain's batch via gateway and imports gateway's root on era",
        |net| relayer::settle_for(net, b, c),
    )?;
    w.record(&events)?;
    let (proof, events) = w.with_net(
        "carol proves and executes the second bundle on era",
        |net| relayer::prove_and_execute(net, &onward, carol),
    )?;
    w.record(&events)?;
    w.say(format!(
        "proof: {} words (through gateway: two levels)",
        proof.proof.len()
    ))?;
    w.say(format!(
        "chained delivery complete: {} · {} · {}",
        w.balance(c, carol),
        w.balance(b, forwarder),
        w.in_flight(eth())
    ))
}

/// Part 4: a bundle that cannot execute atomically (one call's target has no code for its
/// payload), so its unbundler executes and cancels calls one by one.
fn unbundle(w: &mut Walk<'_>) -> Result<(), CliError> {
    let (alice, bob, dave) = (w.account("alice"), w.account("bob"), w.account("dave"));
    let no_code = w.account("no-code");
    let (era, dest) = (devnet::ERA, devnet::ETH_CHAIN);
    w.section("4. Unbundling a 3-call bundle Era → eth-chain: execute one, cancel one")?;
    let half = tokens(1) / U256::from(2);
    let calls = vec![
        call(bob, tokens(1), Bytes::new()),
        call(no_code, tokens(2), Bytes::from(vec![0x01])),
        call(dave, half, Bytes::new()),
    ];
    let step = "alice sends era → eth-chain: call 0 pays bob 1 ETH, call 1 sends 2 ETH and a payload to no-code (an account without code), call 2 pays dave 0.5 ETH";
    let events = w.apply(step, send(era, alice, dest, calls, tokens(3) + half))?;
    let bundle = only_bundle(&events, step)?;
    w.say(format!("bundle hash: {}", bundle.hash))?;
    let unbundler = {
        let raw = &bundle.bundle.bundleAttributes.unbundlerAddress;
        match InteropAddress::decode(raw) {
            Ok(InteropAddress {
                chain_id: Some(c),
                address: Some(a),
            }) => format!("{} on {}", w.name(a), w.chain_name(c)),
            _ => alloy_primitives::hex::encode_prefixed(raw),
        }
    };
    w.say(format!("unbundler (defaults to the sender): {unbundler}"))?;

    let events = w.with_net(
        "the relayer settles era's batch and imports gateway's root on eth-chain",
        |net| relayer::settle_for(net, era, dest),
    )?;
    w.record(&events)?;
    let proof = w.with_net("the relayer builds the inclusion proof", |net| {
        net.prove_bundle(era, &bundle, dest)
    })?;
    w.say(format!("proof: {} words", proof.proof.len()))?;
    w.reject(
        "dave tries to execute the bundle atomically",
        Action::ExecuteBundle {
            chain: dest,
            caller: dave,
            bundle: bundle.encoded.clone(),
            proof: Some(proof.clone()),
        },
    )?;
    w.apply(
        "the relayer verifies the bundle on eth-chain (permissionless)",
        Action::VerifyBundle {
            chain: dest,
            bundle: bundle.encoded.clone(),
            proof,
        },
    )?;
    let unbundle = |caller: Address, statuses: Vec<CallStatus>| Action::UnbundleBundle {
        chain: dest,
        caller_chain: era,
        caller,
        bundle: bundle.encoded.clone(),
        statuses,
    };
    use CallStatus::{Cancelled, Executed, Unprocessed};
    w.reject(
        "bob, who is not the unbundler, tries to unbundle it",
        unbundle(bob, vec![Executed, Cancelled, Unprocessed]),
    )?;
    w.apply(
        "alice (the unbundler, acting from era) executes call 0, cancels call 1, leaves call 2",
        unbundle(alice, vec![Executed, Cancelled, Unprocessed]),
    )?;
    show_statuses(w, dest, &bundle)?;
    w.say(format!(
        "refund: cancelled call 1's 2 ETH was minted to the unbundler on eth-chain → {}",
        w.balance(dest, alice)
    ))?;
    w.say(format!(
        "{} · {} (call 2 is still pending)",
        w.balance(dest, bob),
        w.in_flight(eth())
    ))?;
    w.reject(
        "alice tries to cancel call 0, which already executed",
        unbundle(alice, vec![Cancelled, Unprocessed, Unprocessed]),
    )?;
    w.apply(
        "later, alice executes the pending call 2",
        unbundle(alice, vec![Unprocessed, Unprocessed, Executed]),
    )?;
    show_statuses(w, dest, &bundle)?;
    w.say(format!(
        "balances: {} · {} · {} · {} · {}",
        w.balance(era, alice),
        w.balance(dest, alice),
        w.balance(dest, bob),
        w.balance(dest, dave),
        w.in_flight(eth())
    ))
}

fn show_statuses(w: &mut Walk<'_>, chain: ChainId, bundle: &SealedBundle) -> Result<(), CliError> {
    let (status, calls) = match w.state().chain(chain) {
        Ok(c) => (
            c.bundle_status(&bundle.hash),
            (0..bundle.bundle.calls.len() as u32)
                .map(|i| format!("call {i} {:?}", c.call_status(&bundle.hash, i)))
                .collect::<Vec<_>>(),
        ),
        Err(e) => return Err(CliError::DemoCheck(e.to_string())),
    };
    w.say(format!(
        "bundle status: {} · {}",
        status_name(status),
        calls.join(" · ")
    ))
}

/// The handler's name for a bundle status; no entry means it was never received.
fn status_name(status: Option<BundleStatus>) -> String {
    status.map_or_else(|| "Unreceived".to_string(), |s| format!("{s:?}"))
}
