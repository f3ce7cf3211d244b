//! A batch of many bundle executions decodes, hashes and climbs its proofs on several threads
//! (through a memo of shared nodes), step by step ahead of applying them in order: the events,
//! the state and the errors are exactly those of applying the actions one by one, on any
//! number of threads. The batches here span several pipeline steps.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use alloy_primitives::{Bytes, U256};
use flywheel_protocol::address::InteropAddress;
use flywheel_protocol::genesis::{account, devnet, eth, Genesis};
use flywheel_protocol::interop::bundle::{attr, InteropCallStarter};
use flywheel_protocol::interop::handler::{PARALLEL_BUNDLES, PIPELINE_STEP};
use flywheel_protocol::network::{Action, Network};
use flywheel_protocol::relayer;
use flywheel_protocol::units::tokens;

/// A network with `n` bundles settled and ready, and the actions that execute them.
fn ready(n: usize) -> (Network, Vec<Action>) {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    let sender = account("sender");
    net.apply(Action::Fund {
        chain: devnet::ERA,
        asset: eth(),
        to: sender,
        amount: tokens(1_000),
    })
    .unwrap();
    let mut sent = Vec::new();
    for i in 0..n {
        let evs = net
            .apply(Action::SendBundle {
                chain: devnet::ERA,
                sender,
                destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
                starters: vec![InteropCallStarter {
                    to: InteropAddress::address_only(account(&format!("r{}", i % 7))).encode(),
                    data: Bytes::new(),
                    call_attributes: vec![attr::call_value(U256::from(1u8))],
                }],
                attributes: vec![],
                value: U256::from(1u8),
            })
            .unwrap();
        sent.extend(relayer::sent_bundles(&evs));
    }
    relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap();
    let actions = sent
        .iter()
        .map(|b| Action::ExecuteBundle {
            chain: devnet::ETH_CHAIN,
            caller: sender,
            bundle: b.encoded.clone(),
            proof: Some(net.prove_bundle(devnet::ERA, b, devnet::ETH_CHAIN).unwrap()),
        })
        .collect();
    (net, actions)
}

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn a_batch_of_executions_equals_one_by_one_on_any_thread_count() {
    let n = PIPELINE_STEP * 2 + 3;
    let (base, actions) = ready(n);
    let mut one_by_one = base.clone();
    let mut expected = Vec::new();
    for a in actions.clone() {
        expected.extend(one_by_one.apply(a).unwrap());
    }
    for threads in [1, 2, 3] {
        let mut net = base.clone();
        let events = on_threads(threads, || {
            net.apply(Action::Batch(actions.clone())).unwrap()
        });
        assert_eq!(events, expected, "{threads} threads");
        assert_eq!(net.state(), one_by_one.state(), "{threads} threads");
    }
}

/// A bad proof in a later pipeline step — a wrong sibling high in the logs tree, where the
/// memo holds the right node for the proofs around it: the same error as one by one, and
/// nothing changes.
#[test]
fn a_bad_proof_in_a_parallel_batch_fails_as_it_would_alone() {
    let n = PIPELINE_STEP + PARALLEL_BUNDLES;
    let (base, mut actions) = ready(n);
    if let Action::ExecuteBundle { proof: Some(p), .. } = &mut actions[PIPELINE_STEP + 5] {
        p.proof[9] = alloy_primitives::B256::repeat_byte(9);
    }
    let mut alone = base.clone();
    let mut expected = None;
    for a in actions.clone() {
        if let Err(e) = alone.apply(a) {
            expected = Some(e);
            break;
        }
    }
    let expected = expected.expect("the tampered proof fails");
    for threads in [1, 3] {
        let mut net = base.clone();
        let err = on_threads(threads, || {
            net.apply(Action::Batch(actions.clone())).unwrap_err()
        });
        assert_eq!(err, expected);
        assert_eq!(
            net.state(),
            base.state(),
            "a rejected batch changes nothing"
        );
    }
}

fn send(sender: &str, to: &str, fixed: bool) -> Action {
    Action::SendBundle {
        chain: devnet::ERA,
        sender: account(sender),
        destination: InteropAddress::chain_only(devnet::ETH_CHAIN).encode(),
        starters: vec![InteropCallStarter {
            to: InteropAddress::address_only(account(to)).encode(),
            data: Bytes::from_static(b"hi"),
            call_attributes: vec![],
        }],
        attributes: if fixed {
            vec![attr::use_fixed_fee(true)]
        } else {
            vec![]
        },
        value: U256::ZERO,
    }
}

fn funded() -> Network {
    let mut net = Network::new(&Genesis::devnet()).unwrap();
    for who in ["a", "b"] {
        net.apply(Action::Fund {
            chain: devnet::ERA,
            asset: eth(),
            to: account(who),
            amount: tokens(1_000),
        })
        .unwrap();
        // Give the fixed-fee payers ZK and the InteropCenter's allowance.
        net.apply(Action::ZkTransfer {
            from: account("treasury"),
            to: account(who),
            amount: tokens(1_000_000),
        })
        .unwrap();
        net.apply(Action::ZkApprove {
            owner: account(who),
            spender: flywheel_protocol::chain::INTEROP_CENTER,
            amount: U256::MAX,
        })
        .unwrap();
    }
    net
}

/// Sends sealed ahead (their salts predicted from the senders' counters) give exactly the
/// events and state of sending one by one — also when a prediction is wrong: a `SendMessage`
/// first moves sender a's counter, which the pre-pass does not foresee, so a's bundles are
/// sealed again in place.
#[test]
fn a_batch_of_sends_equals_one_by_one_on_any_thread_count() {
    let base = funded();
    let mut batches = Vec::new();
    let interleaved: Vec<Action> = (0..PIPELINE_STEP * 2 + 5)
        .map(|i| {
            send(
                if i % 3 == 0 { "b" } else { "a" },
                &format!("r{i}"),
                i % 4 == 0,
            )
        })
        .collect();
    batches.push(interleaved.clone());
    let mut surprised = vec![Action::SendMessage {
        chain: devnet::ERA,
        sender: account("a"),
        recipient: InteropAddress::new(devnet::ETH_CHAIN, account("x")).encode(),
        payload: Bytes::new(),
        attributes: vec![],
        value: U256::ZERO,
    }];
    surprised.extend(interleaved);
    batches.push(surprised);
    for actions in batches {
        let mut one_by_one = base.clone();
        let mut expected = Vec::new();
        for a in actions.clone() {
            expected.extend(one_by_one.apply(a).unwrap());
        }
        for threads in [1, 3] {
            let mut net = base.clone();
            let events = on_threads(threads, || {
                net.apply(Action::Batch(actions.clone())).unwrap()
            });
            assert_eq!(events, expected, "{threads} threads");
            assert_eq!(net.state(), one_by_one.state(), "{threads} threads");
        }
    }
}
