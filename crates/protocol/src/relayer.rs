//! A relayer: the off-chain party that moves a bundle from "sent" to "executed" by composing
//! ordinary actions — settle the source batch, settle its settlement layer, import the root
//! on the destination, build the proof, execute. Demos, tests, benchmarks and the simulator's
//! event mode all relay through here, so the sequence lives in one place.

use crate::error::ProtocolError;
use crate::event::Event;
use crate::interop::bundle::SealedBundle;
use crate::network::{Action, Network};
use crate::settlement::MessageInclusionProof;
use crate::ChainId;
use alloy_primitives::{Address, B256};

/// Settles `source`'s open batch and makes its root available on `destination`: the source
/// settles on Gateway, Gateway settles its next batch (which commits to the source's), and the
/// destination imports that Gateway batch root. Interop only runs between chains settling on
/// Gateway, so a source settling elsewhere is `NotInGatewayMode`. `destination` may be the
/// source itself. Returns the events of every action taken. All or nothing: if any step
/// fails, the steps already applied are undone (a journal checkpoint around them).
pub fn settle_for(
    net: &mut Network,
    source: ChainId,
    destination: ChainId,
) -> Result<Vec<Event>, ProtocolError> {
    let cp = net.checkpoint();
    let result = settle_steps(net, source, destination);
    match result {
        Ok(_) => net.commit(cp),
        Err(_) => net.revert_to(cp),
    }
    result
}

fn settle_steps(
    net: &mut Network,
    source: ChainId,
    destination: ChainId,
) -> Result<Vec<Event>, ProtocolError> {
    if !net.state().settles_on_gateway(source) {
        return Err(ProtocolError::NotInGatewayMode { chain: source });
    }
    let layer = net
        .state()
        .chain(source)?
        .config
        .settlement_layer
        .ok_or(ProtocolError::NotInGatewayMode { chain: source })?;
    let mut events = net.apply(Action::SettleBatch { chain: source })?;
    events.extend(net.apply(Action::SettleBatch { chain: layer })?);
    let g = net.state().chain(layer)?.batches.len() as u64;
    events.extend(net.apply(Action::ImportInteropRoot {
        chain: destination,
        source: layer,
        batch: g,
    })?);
    Ok(events)
}

/// Builds the proof for a sent bundle and executes it on its destination as `executor`.
pub fn prove_and_execute(
    net: &mut Network,
    bundle: &SealedBundle,
    executor: Address,
) -> Result<(MessageInclusionProof, Vec<Event>), ProtocolError> {
    let destination = bundle.destination()?;
    let proof = net.prove_bundle(bundle.source(), bundle, destination)?;
    let events = net.apply(Action::ExecuteBundle {
        chain: destination,
        caller: executor,
        bundle: bundle.encoded.clone(),
        proof: Some(proof.clone()),
    })?;
    Ok((proof, events))
}

/// The bundles an action's events sent, in order. Each bundle is encoded again from its event
/// (the event carries it decoded), so a large batch's are encoded on several threads.
pub fn sent_bundles(events: &[Event]) -> Vec<SealedBundle> {
    use rayon::prelude::*;
    let sealed = |e: &Event| match e {
        Event::InteropBundleSent {
            bundle,
            bundle_hash,
            ..
        } => Some(SealedBundle::announced(bundle.clone(), *bundle_hash)),
        _ => None,
    };
    if events.len() < 4 * crate::interop::handler::PIPELINE_STEP {
        return events.iter().filter_map(sealed).collect();
    }
    events
        .par_iter()
        .with_min_len(256)
        .filter_map(sealed)
        .collect()
}

/// The hash of the first bundle an action's events sent.
pub fn first_bundle_hash(events: &[Event]) -> Option<B256> {
    events.iter().find_map(|e| match e {
        Event::InteropBundleSent { bundle_hash, .. } => Some(*bundle_hash),
        _ => None,
    })
}
