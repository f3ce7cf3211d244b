//! End-to-end interop flows through the public API: send → settle → import → prove → execute,
//! chained A → B → A, unbundling, sends to one's own chain and empty bundles, the refusal of L1
//! and of chains settling on L1, and every rejection leaving state as it was.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Test helpers pass the library's error through unchanged; its size is the library's concern.
#![allow(clippy::result_large_err)]

use alloy_primitives::{Address, Bytes, B256, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::chain::{BundleStatus, CallStatus, INTEROP_CENTER};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::event::Event;
use flywheel_protocol::genesis::{account, devnet, eth, zk, Genesis};
use flywheel_protocol::interop::bundle::{attr, AttributeError, InteropCallStarter, SealedBundle};
use flywheel_protocol::interop::recipient::{Code, InteropForwarder};
use flywheel_protocol::network::{Action, Network};
use flywheel_protocol::relayer;
use flywheel_protocol::settlement::ProofError;
use flywheel_protocol::units::tokens;
use std::sync::Arc;

fn funded(code: Code) -> (Network, Address) {
    let mut net = Network::with_code(&Genesis::devnet(), code).unwrap();
    let alice = account("alice");
    for chain in [devnet::ERA, devnet::ETH_CHAIN, devnet::L1_CHAIN] {
        net.apply(Action::Fund {
            chain,
            asset: eth(),
            to: alice,
            amount: tokens(100),
        })
        .unwrap();
    }
    (net, alice)
}

fn starter(to: Address, value: U256, data: Bytes) -> InteropCallStarter {
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
    net: &mut Network,
    from: u64,
    sender: Address,
    to: u64,
    starters: Vec<InteropCallStarter>,
    attributes: Vec<Bytes>,
    value: U256,
) -> Result<SealedBundle, ProtocolError> {
    let events = net.apply(Action::SendBundle {
        chain: from,
        sender,
        destination: InteropAddress::chain_only(to).encode(),
        starters,
        attributes,
        value,
    })?;
    Ok(relayer::sent_bundles(&events).remove(0))
}

#[test]
fn value_moves_from_era_to_another_chain_through_gateway() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![starter(bob, tokens(3), Bytes::new())],
        vec![],
        tokens(3),
    )
    .unwrap();
    assert_eq!(
        net.state().chain(devnet::ERA).unwrap().base_balance(alice),
        tokens(97)
    );
    assert_eq!(net.state().in_flight.get(&eth()).copied(), Some(tokens(3)));

    // Not provable before the root is imported.
    assert!(net
        .prove_bundle(devnet::ERA, &b, devnet::ETH_CHAIN)
        .is_err());
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let (proof, events) = relayer::prove_and_execute(&mut net, &b, bob).unwrap();
    assert!(proof.proof.len() > 15, "a two-level proof through Gateway");
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::BundleExecuted { .. })));
    let dest = net.state().chain(devnet::ETH_CHAIN).unwrap();
    assert_eq!(dest.base_balance(bob), tokens(3));
    assert_eq!(
        dest.bundle_status(&b.hash),
        Some(BundleStatus::FullyExecuted)
    );
    assert_eq!(net.state().in_flight.get(&eth()).copied(), Some(U256::ZERO));

    // Executing twice is refused and changes nothing.
    let before = net.state().clone();
    let again = net.apply(Action::ExecuteBundle {
        chain: devnet::ETH_CHAIN,
        caller: bob,
        bundle: b.encoded.clone(),
        proof: Some(proof),
    });
    assert!(matches!(
        again,
        Err(ProtocolError::BundleAlreadyProcessed { .. })
    ));
    assert_eq!(net.state(), &before);
}

/// Chains settling on L1 (l1-chain, and Gateway itself) cannot send interop
/// (`NotInGatewayMode`); a bundle may be sent to l1-chain, but it cannot execute or unbundle
/// there (`CannotClaimInteropOnL1Settlement`). Every refusal leaves the state as it was.
#[test]
fn chains_settling_on_l1_can_neither_send_nor_execute_interop() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let one = || vec![starter(bob, tokens(1), Bytes::new())];
    for source in [devnet::L1_CHAIN, devnet::GATEWAY] {
        let before = net.state().clone();
        let r = send(
            &mut net,
            source,
            alice,
            devnet::ERA,
            one(),
            vec![],
            tokens(1),
        );
        assert_eq!(
            r.unwrap_err(),
            ProtocolError::NotInGatewayMode { chain: source }
        );
        assert_eq!(net.state(), &before);
    }
    // The relayer refuses to settle for such a source too, and changes nothing.
    let before = net.state().clone();
    assert_eq!(
        relayer::settle_for(&mut net, devnet::L1_CHAIN, devnet::ERA).unwrap_err(),
        ProtocolError::NotInGatewayMode {
            chain: devnet::L1_CHAIN
        }
    );
    assert_eq!(net.state(), &before);

    // Era may send to l1-chain (an L2 with a registered base token)…
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::L1_CHAIN,
        vec![starter(bob, tokens(1), Bytes::new())],
        vec![],
        tokens(1),
    )
    .unwrap();
    relayer::settle_for(&mut net, devnet::ERA, devnet::L1_CHAIN).unwrap();
    let proof = net.prove_bundle(devnet::ERA, &b, devnet::L1_CHAIN).unwrap();
    // …but l1-chain cannot execute or unbundle it, and nothing changes.
    let before = net.state().clone();
    let exec = net.apply(Action::ExecuteBundle {
        chain: devnet::L1_CHAIN,
        caller: bob,
        bundle: b.encoded.clone(),
        proof: Some(proof.clone()),
    });
    assert_eq!(
        exec.unwrap_err(),
        ProtocolError::CannotClaimInteropOnL1Settlement {
            chain: devnet::L1_CHAIN
        }
    );
    assert_eq!(net.state(), &before);
    // Verifying is permissionless and has no settlement-layer check.
    net.apply(Action::VerifyBundle {
        chain: devnet::L1_CHAIN,
        bundle: b.encoded.clone(),
        proof,
    })
    .unwrap();
    let before = net.state().clone();
    let unbundle = net.apply(Action::UnbundleBundle {
        chain: devnet::L1_CHAIN,
        caller_chain: devnet::ERA,
        caller: alice,
        bundle: b.encoded.clone(),
        statuses: vec![CallStatus::Cancelled],
    });
    assert_eq!(
        unbundle.unwrap_err(),
        ProtocolError::CannotClaimInteropOnL1Settlement {
            chain: devnet::L1_CHAIN
        }
    );
    assert_eq!(net.state(), &before);
}

/// A bundle's `destinationBaseTokenAssetId` is the destination's registered base token, so it
/// differs by destination and enters the bundle hash.
#[test]
fn bundles_carry_the_destination_base_token_asset_id() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let to_eth = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![starter(bob, U256::ZERO, Bytes::new())],
        vec![],
        U256::ZERO,
    )
    .unwrap();
    assert_eq!(to_eth.bundle.destinationBaseTokenAssetId, eth().0);
    let to_zk = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ZK_CHAIN,
        vec![starter(bob, U256::ZERO, Bytes::new())],
        vec![],
        U256::ZERO,
    )
    .unwrap();
    assert_eq!(to_zk.bundle.destinationBaseTokenAssetId, zk().0);
    assert_ne!(eth(), zk());
    // The same bundle naming another base token has another hash.
    let mut other = to_eth.bundle.clone();
    other.destinationBaseTokenAssetId = zk().0;
    assert_ne!(SealedBundle::new(other).unwrap().hash, to_eth.hash);
}

/// The InteropCenter has no check against a bundle to its own chain: it settles through
/// Gateway and executes on the source like any other.
#[test]
fn a_chain_may_send_a_bundle_to_itself() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ERA,
        vec![starter(bob, tokens(2), Bytes::new())],
        vec![],
        tokens(2),
    )
    .unwrap();
    assert_eq!(
        (b.source(), b.destination()),
        (devnet::ERA, Ok(devnet::ERA))
    );
    assert_eq!(net.state().in_flight.get(&eth()).copied(), Some(tokens(2)));
    relayer::settle_for(&mut net, devnet::ERA, devnet::ERA).unwrap();
    relayer::prove_and_execute(&mut net, &b, bob).unwrap();
    let era = net.state().chain(devnet::ERA).unwrap();
    assert_eq!(era.base_balance(bob), tokens(2));
    assert_eq!(era.base_balance(alice), tokens(98));
    assert_eq!(
        era.bundle_status(&b.hash),
        Some(BundleStatus::FullyExecuted)
    );
    assert_eq!(net.state().in_flight.get(&eth()).copied(), Some(U256::ZERO));
}

/// The InteropCenter has no check against a bundle without calls: it is sent, costs no fee,
/// adds no call to the settlement count, and executes (doing nothing).
#[test]
fn an_empty_bundle_is_sent_and_executes() {
    let (mut net, alice) = funded(Code::default());
    let operator = net.state().chain(devnet::ERA).unwrap().config.operator;
    net.apply(Action::SetInteropProtocolFee {
        chain: devnet::ERA,
        caller: operator,
        fee: tokens(1),
    })
    .unwrap();
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![],
        vec![],
        U256::ZERO,
    )
    .unwrap();
    assert!(b.bundle.calls.is_empty());
    let era = net.state().chain(devnet::ERA).unwrap();
    assert_eq!(era.pending_chargeable_calls, 0);
    assert_eq!(era.accrued_base_fees.get(&operator), None);
    // A fixed-fee empty bundle needs no allowance: 0 × 10 ZK is transferred.
    send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![],
        vec![attr::use_fixed_fee(true)],
        U256::ZERO,
    )
    .unwrap();
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    relayer::prove_and_execute(&mut net, &b, alice).unwrap();
    assert_eq!(
        net.state()
            .chain(devnet::ETH_CHAIN)
            .unwrap()
            .bundle_status(&b.hash),
        Some(BundleStatus::FullyExecuted)
    );
    // Even an empty fixed-fee bundle needs ZK on the source chain, as the contract resolves
    // the token before transferring.
    let mut genesis = Genesis::devnet();
    for c in &mut genesis.chains {
        if c.id == devnet::ETH_CHAIN {
            c.zk_token_available = false;
        }
    }
    let mut net = Network::new(&genesis).unwrap();
    let before = net.state().clone();
    let r = send(
        &mut net,
        devnet::ETH_CHAIN,
        alice,
        devnet::ERA,
        vec![],
        vec![attr::use_fixed_fee(true)],
        U256::ZERO,
    );
    assert_eq!(
        r.unwrap_err(),
        ProtocolError::ZkTokenNotAvailable(devnet::ETH_CHAIN)
    );
    assert_eq!(net.state(), &before);
}

#[test]
fn tampered_proofs_and_bundles_are_rejected() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![starter(bob, tokens(2), Bytes::new())],
        vec![],
        tokens(2),
    )
    .unwrap();
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let proof = net
        .prove_bundle(devnet::ERA, &b, devnet::ETH_CHAIN)
        .unwrap();
    let before = net.state().clone();
    let execute = |net: &mut Network, bundle: Bytes, proof| {
        net.apply(Action::ExecuteBundle {
            chain: devnet::ETH_CHAIN,
            caller: bob,
            bundle,
            proof: Some(proof),
        })
    };

    for i in 0..proof.proof.len() {
        let mut bad = proof.clone();
        bad.proof[i].0[31] ^= 1;
        assert!(
            execute(&mut net, b.encoded.clone(), bad).is_err(),
            "flipped word {i}"
        );
        assert_eq!(net.state(), &before);
    }
    let mut bad = proof.clone();
    bad.l2_message_index += 1;
    assert!(execute(&mut net, b.encoded.clone(), bad).is_err());
    let mut bad = proof.clone();
    bad.message.sender = alice;
    assert!(matches!(
        execute(&mut net, b.encoded.clone(), bad),
        Err(ProtocolError::Proof(ProofError::UnauthorizedMessageSender(
            _
        )))
    ));
    let mut bad = proof.clone();
    bad.proof.truncate(10);
    assert!(execute(&mut net, b.encoded.clone(), bad).is_err());
    // Gateway's level marked "not final" with a third level behind it: a proof climbs at most
    // one settlement layer above its chain (`DepthMoreThanOneForRecursiveMerkleProof`).
    let mut bad = proof.clone();
    let final_meta = bad
        .proof
        .iter()
        .rposition(|w| w[0] == 1 && w[3] == 1 && w[4..].iter().all(|b| *b == 0))
        .expect("the proof has a final level");
    bad.proof[final_meta].0[3] = 0;
    bad.proof.extend([B256::ZERO; 3]);
    assert_eq!(
        execute(&mut net, b.encoded.clone(), bad).unwrap_err(),
        ProtocolError::Proof(ProofError::DepthMoreThanOneForRecursiveMerkleProof)
    );
    assert_eq!(net.state(), &before);
    // A bundle whose value was raised does not match the proven message.
    let mut forged = b.bundle.clone();
    forged.calls[0].value = tokens(50);
    let forged = SealedBundle::new(forged).unwrap();
    assert!(matches!(
        execute(&mut net, forged.encoded.clone(), proof.clone()),
        Err(ProtocolError::ContextMismatch(_))
    ));
    // A bundle naming another base token than the destination's is refused before its proof
    // is looked at (`WrongDestinationBaseTokenAssetId`).
    let mut other_base = b.bundle.clone();
    other_base.destinationBaseTokenAssetId = flywheel_protocol::genesis::zk().0;
    let other_base = SealedBundle::new(other_base).unwrap();
    assert_eq!(
        execute(&mut net, other_base.encoded.clone(), proof.clone()).unwrap_err(),
        ProtocolError::WrongDestinationBaseTokenAssetId {
            hash: other_base.hash,
            expected: eth().0,
            actual: flywheel_protocol::genesis::zk().0,
        }
    );
    assert_eq!(
        net.apply(Action::VerifyBundle {
            chain: devnet::ETH_CHAIN,
            bundle: other_base.encoded.clone(),
            proof: proof.clone(),
        })
        .unwrap_err(),
        ProtocolError::WrongDestinationBaseTokenAssetId {
            hash: other_base.hash,
            expected: eth().0,
            actual: flywheel_protocol::genesis::zk().0,
        }
    );
    assert_eq!(net.state(), &before);
    // Executing on the wrong chain is a context error.
    let wrong = net.apply(Action::ExecuteBundle {
        chain: devnet::ERA,
        caller: bob,
        bundle: b.encoded.clone(),
        proof: Some(proof.clone()),
    });
    assert!(matches!(wrong, Err(ProtocolError::ContextMismatch(_))));
    assert_eq!(net.state(), &before);
    // The genuine proof still works.
    execute(&mut net, b.encoded.clone(), proof).unwrap();
}

#[test]
fn chained_a_to_b_and_back_through_a_forwarder() {
    let forwarder = account("forwarder");
    let mut code = Code::default();
    code.deploy_recipient(devnet::ETH_CHAIN, forwarder, Arc::new(InteropForwarder));
    let (mut net, alice) = funded(code);
    let carol = account("carol");
    let payload = InteropForwarder::payload(devnet::ERA, carol, Bytes::new());
    // A = ERA → B = ETH_CHAIN (forwarder) → back to ERA: the only ETH-based chains that settle
    // on Gateway.
    let first = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![starter(forwarder, tokens(5), payload)],
        vec![],
        tokens(5),
    )
    .unwrap();
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let (_, events) = relayer::prove_and_execute(&mut net, &first, alice).unwrap();
    let onward = relayer::sent_bundles(&events);
    assert_eq!(onward.len(), 1, "executing on B sent one bundle onward");
    assert_eq!(onward[0].source(), devnet::ETH_CHAIN);
    relayer::settle_for(&mut net, devnet::ETH_CHAIN, devnet::ERA).unwrap();
    relayer::prove_and_execute(&mut net, &onward[0], carol).unwrap();
    assert_eq!(
        net.state().chain(devnet::ERA).unwrap().base_balance(carol),
        tokens(5)
    );
    assert_eq!(
        net.state()
            .chain(devnet::ETH_CHAIN)
            .unwrap()
            .base_balance(forwarder),
        U256::ZERO
    );
}

#[test]
fn a_reverting_call_undoes_the_whole_execution() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    // The second call carries data to an address with no code: it reverts.
    let calls = vec![
        starter(bob, tokens(1), Bytes::new()),
        starter(account("eoa"), U256::ZERO, Bytes::from(vec![1, 2, 3])),
    ];
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        calls,
        vec![],
        tokens(1),
    )
    .unwrap();
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let before = net.state().clone();
    let err = relayer::prove_and_execute(&mut net, &b, bob).unwrap_err();
    assert!(
        matches!(err, ProtocolError::CallReverted { index: 1, .. }),
        "{err}"
    );
    assert_eq!(
        net.state(),
        &before,
        "nothing executed, bundle still Unreceived"
    );
}

#[test]
fn unbundling_executes_and_cancels_call_by_call() {
    let (mut net, alice) = funded(Code::default());
    let (bob, dave) = (account("bob"), account("dave"));
    let calls = vec![
        starter(bob, tokens(1), Bytes::new()),
        starter(dave, tokens(2), Bytes::new()),
        starter(account("eoa"), U256::ZERO, Bytes::from(vec![9])),
    ];
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        calls,
        vec![],
        tokens(3),
    )
    .unwrap();
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let proof = net
        .prove_bundle(devnet::ERA, &b, devnet::ETH_CHAIN)
        .unwrap();
    let unbundle = |net: &mut Network, caller_chain, caller, statuses: Vec<CallStatus>| {
        net.apply(Action::UnbundleBundle {
            chain: devnet::ETH_CHAIN,
            caller_chain,
            caller,
            bundle: b.encoded.clone(),
            statuses,
        })
    };
    use CallStatus::*;
    // Not verified yet.
    assert!(matches!(
        unbundle(
            &mut net,
            devnet::ERA,
            alice,
            vec![Executed, Unprocessed, Unprocessed]
        ),
        Err(ProtocolError::BundleNotVerified(_))
    ));
    net.apply(Action::VerifyBundle {
        chain: devnet::ETH_CHAIN,
        bundle: b.encoded.clone(),
        proof,
    })
    .unwrap();
    // Only the unbundler (alice on Era, the default) may unbundle.
    assert!(matches!(
        unbundle(
            &mut net,
            devnet::ERA,
            bob,
            vec![Executed, Unprocessed, Unprocessed]
        ),
        Err(ProtocolError::Unauthorized { .. })
    ));
    assert!(matches!(
        unbundle(
            &mut net,
            devnet::ETH_CHAIN,
            alice,
            vec![Executed, Unprocessed, Unprocessed]
        ),
        Err(ProtocolError::Unauthorized { .. })
    ));
    assert!(matches!(
        unbundle(&mut net, devnet::ERA, alice, vec![Executed]),
        Err(ProtocolError::StatusCountMismatch { .. })
    ));
    unbundle(
        &mut net,
        devnet::ERA,
        alice,
        vec![Executed, Unprocessed, Cancelled],
    )
    .unwrap();
    let c = net.state().chain(devnet::ETH_CHAIN).unwrap();
    assert_eq!(c.bundle_status(&b.hash), Some(BundleStatus::Unbundled));
    assert_eq!(c.base_balance(bob), tokens(1));
    assert_eq!(c.call_status(&b.hash, 2), Cancelled);
    // Executed calls cannot run again or be cancelled; cancelling twice is idempotent.
    assert!(matches!(
        unbundle(
            &mut net,
            devnet::ERA,
            alice,
            vec![Executed, Unprocessed, Unprocessed]
        ),
        Err(ProtocolError::BadCallTransition { index: 0, .. })
    ));
    assert!(matches!(
        unbundle(
            &mut net,
            devnet::ERA,
            alice,
            vec![Cancelled, Unprocessed, Unprocessed]
        ),
        Err(ProtocolError::BadCallTransition { index: 0, .. })
    ));
    assert!(matches!(
        unbundle(
            &mut net,
            devnet::ERA,
            alice,
            vec![Unprocessed, Unprocessed, Executed]
        ),
        Err(ProtocolError::BadCallTransition { index: 2, .. })
    ));
    // Cancel the middle call: its value is refunded to the unbundler on the destination.
    unbundle(
        &mut net,
        devnet::ERA,
        alice,
        vec![Unprocessed, Cancelled, Cancelled],
    )
    .unwrap();
    let c = net.state().chain(devnet::ETH_CHAIN).unwrap();
    assert_eq!(c.base_balance(dave), U256::ZERO);
    assert_eq!(c.base_balance(alice), tokens(100 + 2));
    assert_eq!(net.state().in_flight.get(&eth()).copied(), Some(U256::ZERO));
    // A bundle being unbundled cannot be executed atomically.
    let exec = net.apply(Action::ExecuteBundle {
        chain: devnet::ETH_CHAIN,
        caller: bob,
        bundle: b.encoded.clone(),
        proof: None,
    });
    assert!(matches!(
        exec,
        Err(ProtocolError::BundleAlreadyProcessed { .. })
    ));
}

#[test]
fn execution_address_restricts_who_executes() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let exec = InteropAddress::new(0, bob); // wildcard chain
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![starter(bob, tokens(1), Bytes::new())],
        vec![attr::execution_address(&exec)],
        tokens(1),
    )
    .unwrap();
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let err = relayer::prove_and_execute(&mut net, &b, alice).unwrap_err();
    assert!(matches!(
        err,
        ProtocolError::Unauthorized {
            action: "execute",
            ..
        }
    ));
    relayer::prove_and_execute(&mut net, &b, bob).unwrap();
}

#[test]
fn send_rejections_leave_state_unchanged() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let before = net.state().clone();
    let s = || vec![starter(bob, tokens(1), Bytes::new())];
    type Case = (
        u64,
        u64,
        Vec<InteropCallStarter>,
        Vec<Bytes>,
        U256,
        ProtocolError,
    );
    let not_l2 = |source_chain_id, destination_chain_id| ProtocolError::NotL2ToL2 {
        source_chain_id,
        destination_chain_id,
    };
    let cases: Vec<Case> = vec![
        (
            devnet::ERA,
            999,
            s(),
            vec![],
            tokens(1),
            ProtocolError::DestinationChainNotRegistered(999),
        ),
        (
            devnet::L1,
            devnet::ERA,
            s(),
            vec![],
            tokens(1),
            not_l2(devnet::L1, devnet::ERA),
        ),
        (
            devnet::ERA,
            devnet::L1,
            s(),
            vec![],
            tokens(1),
            not_l2(devnet::ERA, devnet::L1),
        ),
        (
            devnet::L1_CHAIN,
            devnet::L1,
            s(),
            vec![],
            tokens(1),
            not_l2(devnet::L1_CHAIN, devnet::L1),
        ),
        (
            devnet::L1_CHAIN,
            devnet::ERA,
            s(),
            vec![],
            tokens(1),
            ProtocolError::NotInGatewayMode {
                chain: devnet::L1_CHAIN,
            },
        ),
        (
            devnet::ERA,
            devnet::ETH_CHAIN,
            s(),
            vec![],
            tokens(2),
            ProtocolError::MsgValueMismatch {
                sent: tokens(2),
                needed: tokens(1),
            },
        ),
    ];
    for (from, to, starters, attributes, value, expected) in cases {
        let r = send(&mut net, from, alice, to, starters, attributes, value);
        assert_eq!(r.unwrap_err(), expected, "{from} -> {to}");
        assert_eq!(net.state(), &before);
    }
    // No ZK allowance for the fixed fee; a call attribute at bundle level.
    let r = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        s(),
        vec![attr::use_fixed_fee(true)],
        tokens(1),
    );
    assert!(matches!(r, Err(ProtocolError::Token(_))), "{r:?}");
    assert_eq!(net.state(), &before);
    let r = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        s(),
        vec![attr::call_value(U256::ZERO)],
        tokens(1),
    );
    assert!(matches!(r, Err(ProtocolError::Attribute(_))), "{r:?}");
    assert_eq!(net.state(), &before);
    // The same rules hold for sendMessage: L1 is refused before the attributes are read.
    let r = net.apply(Action::SendMessage {
        chain: devnet::ERA,
        sender: alice,
        recipient: InteropAddress::new(devnet::L1, bob).encode(),
        payload: Bytes::new(),
        attributes: vec![Bytes::from(vec![1, 2, 3, 4])],
        value: U256::ZERO,
    });
    assert_eq!(r.unwrap_err(), not_l2(devnet::ERA, devnet::L1));
    assert_eq!(net.state(), &before);
    // Insufficient balance: msg.value right, balance short.
    let r = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![starter(bob, tokens(500), Bytes::new())],
        vec![],
        tokens(500),
    );
    assert!(matches!(r, Err(ProtocolError::InsufficientBalance { .. })));
    assert_eq!(net.state(), &before);
}

#[test]
fn fee_modes_charge_per_call() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let treasury = account("treasury");
    let operator = net.state().chain(devnet::ERA).unwrap().config.operator;
    net.apply(Action::SetInteropProtocolFee {
        chain: devnet::ERA,
        caller: operator,
        fee: tokens(1) / U256::from(1000),
    })
    .unwrap();
    assert!(net
        .apply(Action::SetInteropProtocolFee {
            chain: devnet::ERA,
            caller: alice,
            fee: U256::ZERO
        })
        .is_err());
    // Dynamic mode: 2 calls × 0.001 ETH on top of the values.
    let fee = tokens(2) / U256::from(1000);
    let two = vec![
        starter(bob, tokens(1), Bytes::new()),
        starter(bob, U256::ZERO, Bytes::new()),
    ];
    assert!(send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        two.clone(),
        vec![],
        tokens(1)
    )
    .is_err());
    send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        two.clone(),
        vec![],
        tokens(1) + fee,
    )
    .unwrap();
    let era = net.state().chain(devnet::ERA).unwrap();
    assert_eq!(era.accrued_base_fees.get(&operator).copied(), Some(fee));
    assert_eq!(era.base_balance(INTEROP_CENTER), fee);
    assert_eq!(era.pending_chargeable_calls, 2);
    // Fixed mode: 10 ZK per call via transferFrom, no base-token fee.
    net.apply(Action::ZkTransfer {
        from: treasury,
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
    send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        two,
        vec![attr::use_fixed_fee(true)],
        tokens(1),
    )
    .unwrap();
    let era = net.state().chain(devnet::ERA).unwrap();
    assert_eq!(
        era.accrued_zk_fees.get(&operator).copied(),
        Some(tokens(20))
    );
    assert_eq!(net.state().token.balance_of(alice), tokens(80));
    assert_eq!(
        era.pending_chargeable_calls, 4,
        "Gateway charges every call, fixed-fee ones included"
    );
}

#[test]
fn the_zk_token_is_cached_at_the_first_fixed_fee_send_and_not_before() {
    use flywheel_protocol::genesis::ZK_TOKEN_ADDRESS;
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let cached = |net: &Network| net.state().interop_zk_token(devnet::ERA);
    // `zkToken()` is the cache: zero at genesis; `getZKTokenAddress()` already resolves it
    // through the vault where ZK is bridged, and is zero on L1, where it is not.
    assert_eq!(cached(&net), Address::ZERO);
    assert_eq!(
        net.state().interop_zk_token_address(devnet::ERA),
        ZK_TOKEN_ADDRESS
    );
    assert_eq!(
        net.state().interop_zk_token_address(devnet::L1),
        Address::ZERO
    );
    assert_eq!(net.state().interop_zk_token(devnet::L1), Address::ZERO);
    // A base-token-fee send does not touch it.
    send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![starter(bob, tokens(1), Bytes::new())],
        vec![],
        tokens(1),
    )
    .unwrap();
    assert_eq!(cached(&net), Address::ZERO);
    // A fixed-fee send whose transferFrom fails (no allowance) reverts, the cache with it.
    let before = net.state().clone();
    let fixed = |net: &mut Network| {
        send(
            net,
            devnet::ERA,
            alice,
            devnet::ETH_CHAIN,
            vec![starter(bob, U256::ZERO, Bytes::new())],
            vec![attr::use_fixed_fee(true)],
            U256::ZERO,
        )
    };
    assert!(fixed(&mut net).is_err());
    assert_eq!(net.state(), &before);
    assert_eq!(cached(&net), Address::ZERO);
    // The first fixed-fee send that goes through caches it, once.
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
    let count = |evs: &[Event]| {
        evs.iter()
            .filter(|e| matches!(e, Event::ZkTokenCached { chain } if *chain == devnet::ERA))
            .count()
    };
    let evs = net
        .apply(Action::SendBundle {
            chain: devnet::ERA,
            sender: alice,
            destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
            starters: vec![starter(bob, U256::ZERO, Bytes::new())],
            attributes: vec![attr::use_fixed_fee(true)],
            value: U256::ZERO,
        })
        .unwrap();
    assert_eq!(count(&evs), 1);
    assert_eq!(cached(&net), ZK_TOKEN_ADDRESS);
    assert_eq!(
        net.state().interop_zk_token(devnet::ETH_CHAIN),
        Address::ZERO,
        "the cache is per chain"
    );
    let evs = net
        .apply(Action::SendBundle {
            chain: devnet::ERA,
            sender: alice,
            destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
            starters: vec![starter(bob, U256::ZERO, Bytes::new())],
            attributes: vec![attr::use_fixed_fee(true)],
            value: U256::ZERO,
        })
        .unwrap();
    assert_eq!(count(&evs), 0, "cached once");
    assert_eq!(cached(&net), ZK_TOKEN_ADDRESS);
}

#[test]
fn replaying_the_event_log_rebuilds_the_same_state() {
    let forwarder = account("forwarder");
    let mut code = Code::default();
    code.deploy_recipient(devnet::ETH_CHAIN, forwarder, Arc::new(InteropForwarder));
    let mut net = Network::with_code(&Genesis::devnet(), code.clone()).unwrap();
    let alice = account("alice");
    let mut log = Vec::new();
    let run = |net: &mut Network, a: Action| -> Result<Vec<Event>, ProtocolError> {
        let evs = net.apply(a)?;
        Ok(evs)
    };
    log.extend(
        run(
            &mut net,
            Action::Fund {
                chain: devnet::ERA,
                asset: eth(),
                to: alice,
                amount: tokens(10),
            },
        )
        .unwrap(),
    );
    let payload = InteropForwarder::payload(devnet::ERA, account("carol"), Bytes::new());
    let evs = run(
        &mut net,
        Action::SendBundle {
            chain: devnet::ERA,
            sender: alice,
            destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
            starters: vec![starter(forwarder, tokens(4), payload)],
            attributes: vec![],
            value: tokens(4),
        },
    )
    .unwrap();
    let first = relayer::sent_bundles(&evs).remove(0);
    log.extend(evs);
    log.extend(relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap());
    let (_, evs) = relayer::prove_and_execute(&mut net, &first, alice).unwrap();
    let onward = relayer::sent_bundles(&evs).remove(0);
    log.extend(evs);
    log.extend(relayer::settle_for(&mut net, devnet::ETH_CHAIN, devnet::ERA).unwrap());
    log.extend(
        relayer::prove_and_execute(&mut net, &onward, alice)
            .unwrap()
            .1,
    );
    log.extend(run(&mut net, Action::AdvanceTime { seconds: 60 }).unwrap());

    let replayed = Network::replay(&Genesis::devnet(), code, &log).unwrap();
    assert_eq!(replayed.state(), net.state());
    // And a log with one event missing does not rebuild it.
    let mut short = log.clone();
    short.remove(1);
    let broken = Network::replay(&Genesis::devnet(), Code::default(), &short).unwrap();
    assert_ne!(broken.state(), net.state());
}

/// A source-side target in the asset router's role: it keeps the indirect value (its
/// msg.value) and asks for the starter's call value to be paid, on the destination, to the
/// 20-byte receiver at the start of the payload. A 21st byte makes it misbehave: 1 asks for one
/// wei more than the starter's value, 2 asks for another indirect call.
#[derive(Debug)]
struct TestRouter;

impl flywheel_protocol::interop::recipient::IndirectCallTarget for TestRouter {
    fn initiate_indirect_call(
        &self,
        ctx: &mut flywheel_protocol::interop::recipient::IndirectContext<'_, '_>,
        _destination: u64,
        _sender: Address,
        call_value: U256,
        data: &Bytes,
        msg_value: U256,
    ) -> Result<InteropCallStarter, String> {
        if data.len() != 20 && data.len() != 21 {
            return Err("payload must be a 20-byte receiver".into());
        }
        if ctx.base_balance() < msg_value {
            return Err("indirect value did not arrive".into());
        }
        let receiver = Address::from_slice(&data[..20]);
        Ok(match data.get(20) {
            Some(1) => starter(receiver, call_value + U256::from(1u8), Bytes::new()),
            Some(2) => InteropCallStarter {
                to: InteropAddress::address_only(receiver).encode(),
                data: Bytes::new(),
                call_attributes: vec![
                    attr::call_value(call_value),
                    attr::indirect_call(U256::ZERO),
                ],
            },
            _ => starter(receiver, call_value, Bytes::new()),
        })
    }
}

#[test]
fn indirect_calls_go_through_their_source_side_target() {
    let router = account("router");
    let mut code = Code::default();
    code.deploy_indirect(devnet::ERA, router, Arc::new(TestRouter));
    let (mut net, alice) = funded(code);
    let bob = account("bob");
    // 2 ETH to deliver on the destination, 1 ETH of msg.value for the router.
    let indirect = |payload: Vec<u8>| InteropCallStarter {
        to: InteropAddress::address_only(router).encode(),
        data: Bytes::from(payload),
        call_attributes: vec![attr::call_value(tokens(2)), attr::indirect_call(tokens(1))],
    };
    let to_bob = || bob.to_vec();
    let misbehaving = |mode: u8| {
        let mut p = bob.to_vec();
        p.push(mode);
        p
    };
    // msg.value = indirect value (1) + the call value burned here (2).
    let before = net.state().clone();
    let bad = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![indirect(vec![1u8; 3])],
        vec![],
        tokens(3),
    );
    assert!(
        matches!(bad, Err(ProtocolError::CallReverted { .. })),
        "{bad:?}"
    );
    assert_eq!(
        net.state(),
        &before,
        "a reverting target leaves nothing behind"
    );
    // The target must ask for exactly the starter's call value…
    let mismatch = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![indirect(misbehaving(1))],
        vec![],
        tokens(3),
    );
    assert_eq!(
        mismatch.unwrap_err(),
        ProtocolError::IndirectCallValueMismatch {
            expected: tokens(2),
            actual: tokens(2) + U256::from(1u8),
        }
    );
    assert_eq!(net.state(), &before);
    // …and may not ask for another indirect call.
    let nested = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![indirect(misbehaving(2))],
        vec![],
        tokens(3),
    );
    assert_eq!(
        nested.unwrap_err(),
        ProtocolError::Attribute(AttributeError::WrongLevel {
            name: "indirectCall",
            level: "indirect-call result",
        })
    );
    assert_eq!(net.state(), &before);
    let wrong = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![indirect(to_bob())],
        vec![],
        tokens(2),
    );
    assert_eq!(
        wrong.unwrap_err(),
        ProtocolError::MsgValueMismatch {
            sent: tokens(2),
            needed: tokens(3),
        }
    );
    assert_eq!(net.state(), &before);
    let b = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![indirect(to_bob())],
        vec![],
        tokens(3),
    )
    .unwrap();
    assert_eq!(
        b.bundle.calls[0].from, router,
        "the call comes from the router"
    );
    assert_eq!(b.bundle.calls[0].to, bob);
    assert_eq!(b.bundle.calls[0].value, tokens(2));
    let era = net.state().chain(devnet::ERA).unwrap();
    assert_eq!(
        era.base_balance(router),
        tokens(1),
        "the router kept the indirect value"
    );
    assert_eq!(era.base_balance(alice), tokens(97));
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    relayer::prove_and_execute(&mut net, &b, bob).unwrap();
    assert_eq!(
        net.state()
            .chain(devnet::ETH_CHAIN)
            .unwrap()
            .base_balance(bob),
        tokens(2)
    );
    // A call attribute naming a target with no indirect code reverts.
    let nobody = InteropCallStarter {
        to: InteropAddress::address_only(bob).encode(),
        data: Bytes::new(),
        call_attributes: vec![attr::indirect_call(tokens(1))],
    };
    assert!(send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![nobody],
        vec![],
        tokens(1)
    )
    .is_err());
}

#[test]
fn send_message_builds_a_one_call_bundle() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let events = net
        .apply(Action::SendMessage {
            chain: devnet::ERA,
            sender: alice,
            recipient: InteropAddress::new(devnet::ETH_CHAIN, bob).encode(),
            payload: Bytes::new(),
            attributes: vec![
                attr::call_value(tokens(1)),
                attr::unbundler_address(&InteropAddress::new(devnet::ERA, bob)),
            ],
            value: tokens(1),
        })
        .unwrap();
    let b = relayer::sent_bundles(&events).remove(0);
    assert_eq!(b.bundle.calls.len(), 1);
    assert_eq!(b.bundle.calls[0].value, tokens(1));
    assert_eq!(
        InteropAddress::decode(&b.bundle.bundleAttributes.unbundlerAddress).unwrap(),
        InteropAddress::new(devnet::ERA, bob)
    );
    // A recipient without an address is refused.
    let r = net.apply(Action::SendMessage {
        chain: devnet::ERA,
        sender: alice,
        recipient: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
        payload: Bytes::new(),
        attributes: vec![],
        value: U256::ZERO,
    });
    assert!(matches!(r, Err(ProtocolError::BadDestination(_))));
}

#[test]
fn a_batch_is_all_or_nothing_and_keeps_event_order() {
    let (mut net, alice) = funded(Code::default());
    let bob = account("bob");
    let send_one = |value| Action::SendBundle {
        chain: devnet::ERA,
        sender: alice,
        destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
        starters: vec![starter(bob, value, Bytes::new())],
        attributes: vec![],
        value,
    };
    let before = net.state().clone();
    // The second action fails (bob holds no ZK to burn), so the first is undone too.
    let bad = net.apply(Action::Batch(vec![
        send_one(tokens(1)),
        Action::ZkBurn {
            holder: bob,
            amount: tokens(1),
        },
    ]));
    assert!(bad.is_err());
    assert_eq!(net.state(), &before);
    let events = net
        .apply(Action::Batch(vec![
            send_one(tokens(1)),
            send_one(tokens(2)),
        ]))
        .unwrap();
    let sent = relayer::sent_bundles(&events);
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (sent[0].bundle.calls[0].value, sent[1].bundle.calls[0].value),
        (tokens(1), tokens(2))
    );
    // The same actions one by one give the same events.
    let mut one_by_one = Network::new(&Genesis::devnet()).unwrap();
    for chain in [devnet::ERA, devnet::ETH_CHAIN, devnet::L1_CHAIN] {
        one_by_one
            .apply(Action::Fund {
                chain,
                asset: eth(),
                to: alice,
                amount: tokens(100),
            })
            .unwrap();
    }
    let mut separate = one_by_one.apply(send_one(tokens(1))).unwrap();
    separate.extend(one_by_one.apply(send_one(tokens(2))).unwrap());
    assert_eq!(events, separate);
    assert_eq!(one_by_one.state(), net.state());
}

/// External code (as the devnet's EVM contracts are): one contract at `at` that records what
/// it receives, passes a third of the value on to `payee`, and fails on an empty payload.
#[derive(Debug)]
struct Outside {
    at: Address,
    payee: Address,
    seen: Vec<flywheel_protocol::interop::recipient::ReceivedMessage>,
}

impl flywheel_protocol::interop::recipient::ExternalRecipients for Outside {
    fn has_code(&mut self, chain: u64, address: Address) -> bool {
        chain == devnet::ETH_CHAIN && address == self.at
    }

    fn receive_message(
        &mut self,
        ctx: &mut flywheel_protocol::interop::recipient::RecipientContext<'_, '_>,
        message: &flywheel_protocol::interop::recipient::ReceivedMessage,
    ) -> Result<(), String> {
        if message.payload.is_empty() {
            return Err("empty payload".into());
        }
        // The value has already arrived at the target when its code runs.
        assert!(ctx.balance_of(self.at) >= message.value);
        ctx.move_base(self.at, self.payee, message.value / U256::from(3))
            .map_err(|e| e.to_string())?;
        self.seen.push(message.clone());
        Ok(())
    }
}

#[test]
fn external_code_receives_calls_inside_execute_bundle_all_or_nothing() {
    let (mut net, alice) = funded(Code::default());
    let at = account("outside-contract");
    let payee = account("outside-payee");
    let mut outside = Outside {
        at,
        payee,
        seen: Vec::new(),
    };
    let good = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![
            starter(at, tokens(3), Bytes::from_static(b"one")),
            starter(at, U256::ZERO, Bytes::from_static(b"two")),
        ],
        vec![],
        tokens(3),
    )
    .unwrap();
    let bad = send(
        &mut net,
        devnet::ERA,
        alice,
        devnet::ETH_CHAIN,
        vec![
            starter(at, tokens(6), Bytes::from_static(b"fine")),
            starter(at, U256::ZERO, Bytes::new()),
        ],
        vec![],
        tokens(6),
    )
    .unwrap();
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let execute = |b: &SealedBundle, net: &Network| Action::ExecuteBundle {
        chain: devnet::ETH_CHAIN,
        caller: alice,
        bundle: b.encoded.clone(),
        proof: Some(net.prove_bundle(devnet::ERA, b, devnet::ETH_CHAIN).unwrap()),
    };

    // Without the external code, a payload to that address has no code to run.
    let before = net.state().clone();
    let plain = net.apply(execute(&good, &net));
    assert!(matches!(
        plain,
        Err(ProtocolError::CallReverted { index: 0, .. })
    ));
    assert_eq!(net.state(), &before);

    // A failing call reverts the whole execution, the first call's effects included.
    let failed = net.apply_with_external(execute(&bad, &net), &mut outside);
    assert!(
        matches!(failed, Err(ProtocolError::CallReverted { index: 1, target, .. }) if target == at)
    );
    assert_eq!(net.state(), &before);

    // Both calls reach the code, in order, with their ERC-7786 arguments and value.
    net.apply_with_external(execute(&good, &net), &mut outside)
        .unwrap();
    // (The recorder is outside the protocol, so it still holds the failed bundle's first
    // call; the protocol state above shows that call left nothing.)
    let seen: Vec<_> = outside.seen.iter().skip(1).collect();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].payload, Bytes::from_static(b"one"));
    assert_eq!(seen[0].value, tokens(3));
    assert_eq!(seen[0].sender, InteropAddress::new(devnet::ERA, alice));
    assert_eq!(
        seen[0].send_id,
        flywheel_protocol::interop::bundle::send_id(&good.hash, 0)
    );
    assert_eq!(seen[1].payload, Bytes::from_static(b"two"));
    let dest = net.state().chain(devnet::ETH_CHAIN).unwrap();
    assert_eq!(dest.base_balance(payee), tokens(1));
    assert_eq!(dest.base_balance(at), tokens(2));
    assert_eq!(
        dest.bundle_status(&good.hash),
        Some(BundleStatus::FullyExecuted)
    );
}

/// A caller that runs transactions of its own (the devnet) names the sending transaction's
/// number: the message's log leaf carries it as `txNumberInBatch`, the proof names it, a proof
/// naming the message's index instead fails, and the log replays to the same state.
#[test]
fn a_send_inside_a_transaction_carries_its_number_in_the_leaf() {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let alice = account("alice");
    let bob = account("bob");
    let mut log = net
        .apply(Action::Fund {
            chain: devnet::ERA,
            asset: eth(),
            to: alice,
            amount: tokens(10),
        })
        .unwrap();
    let funded = net.clone();
    let mut sent = Vec::new();
    for tx_number in [7u16, 3] {
        let evs = net
            .apply_in_transaction(
                Action::SendBundle {
                    chain: devnet::ERA,
                    sender: alice,
                    destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
                    starters: vec![starter(bob, tokens(1), Bytes::new())],
                    attributes: vec![],
                    value: tokens(1),
                },
                tx_number,
                None,
            )
            .unwrap();
        assert!(evs.iter().any(|e| matches!(
            e,
            Event::InteropBundleSent { tx_number: Some(n), .. } if *n == tx_number
        )));
        sent.push(relayer::sent_bundles(&evs).remove(0));
        log.extend(evs);
    }
    log.extend(relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap());
    // The second message: index 1 in the batch, sent by transaction 3.
    let proof = net
        .prove_bundle(devnet::ERA, &sent[1], devnet::ETH_CHAIN)
        .unwrap();
    assert_eq!(proof.l2_message_index, 1);
    assert_eq!(proof.message.tx_number_in_batch, 3);
    let mut by_index = proof.clone();
    by_index.message.tx_number_in_batch = 1;
    let before = net.state().clone();
    let refused = net.apply(Action::VerifyBundle {
        chain: devnet::ETH_CHAIN,
        bundle: sent[1].encoded.clone(),
        proof: by_index,
    });
    assert!(
        matches!(
            refused,
            Err(ProtocolError::Proof(ProofError::RootMismatch { .. }))
        ),
        "{refused:?}"
    );
    assert_eq!(net.state(), &before);
    log.extend(
        net.apply(Action::VerifyBundle {
            chain: devnet::ETH_CHAIN,
            bundle: sent[1].encoded.clone(),
            proof,
        })
        .unwrap(),
    );
    // Without a transaction (the simulator), the number is the message's index, as before.
    let mut plain = funded;
    let evs = plain
        .apply(Action::SendBundle {
            chain: devnet::ERA,
            sender: alice,
            destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
            starters: vec![starter(bob, tokens(1), Bytes::new())],
            attributes: vec![],
            value: tokens(1),
        })
        .unwrap();
    assert!(evs.iter().any(|e| matches!(
        e,
        Event::InteropBundleSent {
            tx_number: None,
            ..
        }
    )));
    // The events rebuild the state, leaf numbers included.
    let replayed = Network::replay(&Genesis::devnet(), Code::default(), &log).unwrap();
    assert_eq!(replayed.state(), net.state());
}

/// External code that, on each delivered call, sends a bundle onward through
/// `RecipientContext::apply` and, when the payload says so, takes it back with `revert_to`
/// (as a reverted EVM frame would), or asks for an action that fails.
#[derive(Debug)]
struct Onward {
    at: Address,
    to: u64,
}

impl flywheel_protocol::interop::recipient::ExternalRecipients for Onward {
    fn has_code(&mut self, chain: u64, address: Address) -> bool {
        chain == devnet::ETH_CHAIN && address == self.at
    }

    fn receive_message(
        &mut self,
        ctx: &mut flywheel_protocol::interop::recipient::RecipientContext<'_, '_>,
        message: &flywheel_protocol::interop::recipient::ReceivedMessage,
    ) -> Result<(), String> {
        let chain = ctx.chain();
        let send = |value: U256| Action::SendBundle {
            chain,
            sender: self.at,
            destination: InteropAddress::chain_only(self.to).encode(),
            starters: vec![starter(account("final"), U256::ZERO, Bytes::new())],
            attributes: vec![],
            value,
        };
        let cp = ctx.checkpoint();
        let evs = ctx.apply(send(U256::ZERO)).map_err(|e| e.to_string())?;
        assert_eq!(relayer::sent_bundles(&evs).len(), 1);
        match message.payload.as_ref() {
            b"undo" => ctx.revert_to(cp),
            b"refused" => {
                // A send whose msg.value is wrong fails alone; the one before it stays.
                assert!(ctx.apply(send(U256::from(1))).is_err());
            }
            _ => {}
        }
        Ok(())
    }
}

#[test]
fn external_code_sends_onward_inside_an_execution_and_can_take_it_back() {
    let (mut net, alice) = funded(Code::default());
    let at = account("onward-contract");
    let mut onward = Onward {
        at,
        to: devnet::ERA,
    };
    let payloads: [&'static [u8]; 3] = [b"keep", b"undo", b"refused"];
    let bundles: Vec<SealedBundle> = payloads
        .iter()
        .map(|p| {
            send(
                &mut net,
                devnet::ERA,
                alice,
                devnet::ETH_CHAIN,
                vec![starter(at, U256::ZERO, Bytes::from_static(p))],
                vec![],
                U256::ZERO,
            )
            .unwrap()
        })
        .collect();
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let sent_by_contract = |net: &Network| {
        let c = net.state().chain(devnet::ETH_CHAIN).unwrap();
        (
            c.bundle_count.get(&at).copied().unwrap_or(0),
            c.outbox.len(),
        )
    };
    let mut expected = 0;
    for (b, p) in bundles.iter().zip(payloads) {
        let proof = net.prove_bundle(devnet::ERA, b, devnet::ETH_CHAIN).unwrap();
        let evs = net
            .apply_with_external(
                Action::ExecuteBundle {
                    chain: devnet::ETH_CHAIN,
                    caller: alice,
                    bundle: b.encoded.clone(),
                    proof: Some(proof),
                },
                &mut onward,
            )
            .unwrap();
        if p != b"undo" {
            expected += 1;
        }
        // The onward send's events are part of the execution's, unless taken back.
        assert_eq!(
            relayer::sent_bundles(&evs).len(),
            usize::from(p != b"undo"),
            "{:?}",
            String::from_utf8_lossy(p)
        );
        assert_eq!(sent_by_contract(&net), (expected, expected as usize));
    }
}
