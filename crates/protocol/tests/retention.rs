//! Compact retention: once a bundle has reached its destination, its source forgets where it
//! sat, and a batch whose bundles have all arrived drops its logs tree — so a long run keeps
//! only each bundle's status. Nothing observable by the protocol's rules changes.

// A test crate: a panic is how a check fails (the workspace denies these outside tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use flywheel_protocol::genesis::{devnet, Retention};
use flywheel_protocol::network::{Action, Network};
use flywheel_protocol::relayer;
use flywheel_protocol::workload::Pipeline;

fn run(retention: Retention, batches: usize, per_batch: usize) -> Pipeline {
    let mut p = Pipeline::with_retention(retention).unwrap();
    for _ in 0..batches {
        p.run_batch(per_batch).unwrap();
    }
    p
}

#[test]
fn compact_keeps_only_statuses_once_bundles_arrive() {
    let full = run(Retention::Full, 3, 5);
    let compact = run(Retention::Compact, 3, 5);
    let (f, c) = (full.net.state(), compact.net.state());
    let era_f = f.chain(devnet::ERA).unwrap();
    let era_c = c.chain(devnet::ERA).unwrap();
    assert_eq!(era_f.outbox.len(), 15);
    assert!(
        era_c.outbox.is_empty(),
        "every bundle arrived: no location kept"
    );
    assert_eq!(era_c.batches.len(), 3);
    for b in era_c.batches.iter() {
        assert!(b.logs_pruned && b.logs.is_empty() && b.unproven == 0);
    }
    for (bf, bc) in era_f.batches.iter().zip(era_c.batches.iter()) {
        assert_eq!(bf.chain_batch_root, bc.chain_batch_root, "roots are kept");
        assert!(!bf.logs_pruned && bf.logs.len() == 5);
    }
    // What the rules read is the same: balances, statuses, roots, fees.
    let dest_f = f.chain(devnet::ETH_CHAIN).unwrap();
    let dest_c = c.chain(devnet::ETH_CHAIN).unwrap();
    assert_eq!(dest_f.bundle_status, dest_c.bundle_status);
    assert_eq!(dest_c.bundle_status.len(), 15);
    assert_eq!(dest_f.balances, dest_c.balances);
    assert_eq!(era_f.balances, era_c.balances);
    assert_eq!(dest_f.interop_roots, dest_c.interop_roots);
    assert_eq!(f.economy, c.economy);
    assert_eq!(f.token, c.token);
}

/// A bundle still waiting for its proof keeps its location and its batch's tree; the last
/// one to arrive releases the tree. Replaying the log rebuilds the same compact state.
#[test]
fn a_batch_keeps_its_tree_until_its_last_bundle_arrives_and_replay_agrees() {
    let mut genesis = flywheel_protocol::genesis::Genesis::devnet();
    genesis.retention = Retention::Compact;
    let mut net = Network::new(&genesis).unwrap();
    let mut log = Vec::new();
    let sender = flywheel_protocol::genesis::account("s");
    log.extend(
        net.apply(Action::Fund {
            chain: devnet::ERA,
            asset: flywheel_protocol::genesis::eth(),
            to: sender,
            amount: flywheel_protocol::units::tokens(10),
        })
        .unwrap(),
    );
    let mut sent = Vec::new();
    for _ in 0..3 {
        let evs = net
            .apply(Action::SendBundle {
                chain: devnet::ERA,
                sender,
                destination: flywheel_protocol::address::InteropAddress::chain_only(
                    devnet::ETH_CHAIN,
                )
                .encode(),
                starters: vec![],
                attributes: vec![],
                value: alloy_primitives::U256::ZERO,
            })
            .unwrap();
        sent.extend(relayer::sent_bundles(&evs));
        log.extend(evs);
    }
    log.extend(relayer::settle_for(&mut net, devnet::ERA, devnet::ETH_CHAIN).unwrap());
    for (i, b) in sent.iter().enumerate() {
        let batch = net
            .state()
            .chain(devnet::ERA)
            .unwrap()
            .batch(1)
            .unwrap()
            .clone();
        assert!(!batch.logs_pruned, "bundle {i} still needs the tree");
        assert_eq!(batch.unproven as usize, sent.len() - i);
        let (_, evs) = relayer::prove_and_execute(&mut net, b, sender).unwrap();
        log.extend(evs);
        assert!(!net
            .state()
            .chain(devnet::ERA)
            .unwrap()
            .outbox
            .contains_key(&b.hash));
    }
    let era = net.state().chain(devnet::ERA).unwrap();
    assert!(era.batch(1).unwrap().logs_pruned);
    // Proving an arrived bundle again is refused, with a reason.
    let err = net
        .prove_bundle(devnet::ERA, &sent[0], devnet::ETH_CHAIN)
        .unwrap_err();
    assert!(err.to_string().contains("not waiting for a proof"), "{err}");
    let replayed = Network::replay(&genesis, Default::default(), &log).unwrap();
    assert_eq!(replayed.state(), net.state());
}
