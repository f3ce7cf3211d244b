//! InteropHandler, the receive side: verifies a bundle's inclusion proof, executes all its
//! calls atomically, or lets its unbundler execute and cancel calls one by one.

use super::bundle::{self, SealedBundle};
use crate::address::InteropAddress;
use crate::chain::{BundleStatus, CallStatus, INTEROP_CENTER};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::interop::recipient::{ReceivedMessage, RecipientContext};
use crate::network::Action;
use crate::network::Exec;
use crate::settlement::{self, MessageInclusionProof, ProofError, ProvenRoot};
use crate::ChainId;
use alloy_primitives::{Address, Bytes};
use rayon::prelude::*;

/// A batch with at least this many bundles to send, or to verify or execute, seals them
/// (encodes and hashes) or decodes, hashes and climbs their proofs on several threads before
/// applying its actions in order.
pub const PARALLEL_BUNDLES: usize = 64;

/// What a batch's pre-pass computed ahead for the action being dispatched.
#[derive(Debug, Default)]
pub(crate) enum Ahead {
    /// Nothing: the action computes everything in place.
    #[default]
    Nothing,
    /// A verification's or execution's decoding and proof climb.
    Receive(Prepared),
    /// A send's sealed bundle.
    Send(crate::interop::center::PreparedSend),
}

/// What a batch's pre-pass computed for one of its bundle actions without reading the state:
/// the decoded bundle with its hash, and the root its proof climbs to — all of the action's
/// hashing. Pure functions of the action, so computing them ahead (on any thread) and using
/// them in order gives exactly what computing them in place gives, errors included.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The action's bundle bytes (the same buffer: matched by address).
    encoded: Bytes,
    sealed: Result<SealedBundle, ProtocolError>,
    root: Option<Result<ProvenRoot, ProofError>>,
}

impl Prepared {
    fn of(action: &Action, memo: &mut crate::merkle::HashMemo) -> Option<Self> {
        let (encoded, proof) = match action {
            Action::VerifyBundle { bundle, proof, .. } => (bundle, Some(proof)),
            Action::ExecuteBundle { bundle, proof, .. } => (bundle, proof.as_ref()),
            _ => return None,
        };
        Some(Self {
            encoded: encoded.clone(),
            sealed: SealedBundle::from_encoded(encoded).map_err(ProtocolError::from),
            root: proof.map(|p| settlement::proven_root_with(p, memo)),
        })
    }
}

/// Actions per step of a batch's pipeline: while one step's actions apply in order, the next
/// step's pre-pass runs on the other threads. Small enough that the first step, which nothing
/// overlaps, is a small part of a full batch (16,384 bundles); large enough that a step's
/// fork and join cost nothing next to its work.
pub const PIPELINE_STEP: usize = 512;

/// A batch's plan for its pre-pass: whether it has enough receives to prepare them, and each
/// action's predicted send, if any.
pub(crate) struct Plan {
    receives: bool,
    predicted: Vec<Option<super::center::Predicted>>,
}

/// Plans a batch's pre-pass from the state at the batch's start: each send's bundle as
/// predicted ([`crate::interop::center::predict_send`]) when the batch has enough sends, and
/// whether its verifications and executions are worth preparing. `None` for a batch too small
/// to be worth the threads.
pub(crate) fn plan(actions: &[Action], state: &crate::network::State) -> Option<Plan> {
    let receives = actions
        .iter()
        .filter(|a| {
            matches!(
                a,
                Action::VerifyBundle { .. } | Action::ExecuteBundle { .. }
            )
        })
        .count();
    let sends = actions
        .iter()
        .filter(|a| matches!(a, Action::SendBundle { .. }))
        .count();
    if receives < PARALLEL_BUNDLES && sends < PARALLEL_BUNDLES {
        return None;
    }
    let mut earlier = std::collections::HashMap::new();
    let predicted = actions
        .iter()
        .map(|a| {
            if sends >= PARALLEL_BUNDLES {
                super::center::predict_send(state, a, &mut earlier)
            } else {
                None
            }
        })
        .collect();
    Some(Plan {
        receives: receives >= PARALLEL_BUNDLES,
        predicted,
    })
}

impl Plan {
    /// Takes the predictions of the next `n` actions, in order.
    pub(crate) fn take(&mut self, n: usize) -> Vec<Option<super::center::Predicted>> {
        let n = n.min(self.predicted.len());
        self.predicted.drain(..n).collect()
    }

    /// The pre-pass of `actions` (a step of the batch) with their predictions: a predicted
    /// send's bundle sealed, a verification's or execution's [`Prepared`], on several threads
    /// and in the actions' order (rayon keeps it). Every result is a pure function of what it
    /// is matched against when used, so a wrong prediction only means the action computes its
    /// own.
    pub(crate) fn prepare(
        &self,
        actions: &[Action],
        predicted: Vec<Option<super::center::Predicted>>,
    ) -> Vec<Ahead> {
        let receives = self.receives;
        actions
            .par_iter()
            .zip(predicted)
            .with_min_len(16)
            .map_init(
                crate::merkle::HashMemo::default,
                |memo, (a, bundle)| match bundle {
                    Some(b) => {
                        super::center::PreparedSend::seal(b).map_or(Ahead::Nothing, Ahead::Send)
                    }
                    None if receives => {
                        Prepared::of(a, memo).map_or(Ahead::Nothing, Ahead::Receive)
                    }
                    None => Ahead::Nothing,
                },
            )
            .collect()
    }
}

impl Exec<'_> {
    /// Decodes the bundle and checks that it is meant for `chain`: its destination chain id and
    /// its `destinationBaseTokenAssetId`, which must be this chain's base token
    /// (`_validateBundleDestinationContext`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/interop/InteropHandler.sol`).
    fn decode_for(
        &mut self,
        chain: ChainId,
        encoded: &Bytes,
    ) -> Result<(SealedBundle, Option<Result<ProvenRoot, ProofError>>), ProtocolError> {
        let base_token = self.state.chain(chain)?.config.base_token;
        // The batch's pre-pass result for this very action, if any.
        let prepared = match std::mem::take(&mut self.ahead) {
            Ahead::Receive(p)
                if p.encoded.as_ptr() == encoded.as_ptr() && p.encoded.len() == encoded.len() =>
            {
                Some(p)
            }
            _ => None,
        };
        let (sealed, root) = match prepared {
            Some(p) => (p.sealed?, p.root),
            None => (SealedBundle::from_encoded(encoded)?, None),
        };
        let dest = sealed.destination()?;
        if dest != chain {
            return Err(ProtocolError::ContextMismatch(format!(
                "bundle is for chain {dest}, not chain {chain}"
            )));
        }
        let named = sealed.bundle.destinationBaseTokenAssetId;
        if named != base_token.0 {
            return Err(ProtocolError::WrongDestinationBaseTokenAssetId {
                hash: sealed.hash,
                expected: base_token.0,
                actual: named,
            });
        }
        Ok((sealed, root))
    }

    /// Executing and unbundling need the destination to settle on Gateway, whose asset tracker
    /// confirms the execution (`CannotClaimInteropOnL1Settlement`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/interop/InteropHandler.sol`). Verifying does
    /// not.
    fn ensure_can_claim(&self, chain: ChainId) -> Result<(), ProtocolError> {
        self.state.chain(chain)?;
        if !self.state.settles_on_gateway(chain) {
            return Err(ProtocolError::CannotClaimInteropOnL1Settlement { chain });
        }
        Ok(())
    }

    /// Context and inclusion checks of `verifyBundle` (no state change).
    fn check_inclusion(
        &self,
        chain: ChainId,
        sealed: &SealedBundle,
        proof: &MessageInclusionProof,
        prepared: Option<Result<ProvenRoot, ProofError>>,
    ) -> Result<(), ProtocolError> {
        if proof.chain_id != sealed.source() {
            return Err(ProtocolError::ContextMismatch(format!(
                "proof is for chain {}, bundle comes from chain {}",
                proof.chain_id,
                sealed.source()
            )));
        }
        if proof.message.sender != INTEROP_CENTER {
            return Err(
                settlement::ProofError::UnauthorizedMessageSender(proof.message.sender).into(),
            );
        }
        if !bundle::is_bundle_message(&proof.message.data, &sealed.encoded) {
            return Err(ProtocolError::ContextMismatch(
                "the proven message is not this bundle".into(),
            ));
        }
        let destination = self.state.chain(chain)?;
        match prepared {
            Some(root) => root?.check(destination)?,
            None => settlement::verify_proof(destination, proof)?,
        }
        Ok(())
    }

    /// `verifyBundle`: permissionless, Unreceived → Verified.
    pub(crate) fn verify_bundle(
        &mut self,
        chain: ChainId,
        encoded: &Bytes,
        proof: &MessageInclusionProof,
    ) -> Result<(), ProtocolError> {
        let (sealed, root) = self.decode_for(chain, encoded)?;
        if let Some(status) = self.state.chain(chain)?.bundle_status(&sealed.hash) {
            return Err(ProtocolError::BundleAlreadyProcessed {
                hash: sealed.hash,
                status,
            });
        }
        self.check_inclusion(chain, &sealed, proof, root)?;
        self.emit(Event::BundleVerified {
            chain,
            bundle_hash: sealed.hash,
        });
        Ok(())
    }

    /// `executeBundle`: every call or none. Only the execution address may call it when one
    /// is set; an Unreceived bundle is proven inline.
    pub(crate) fn execute_bundle(
        &mut self,
        chain: ChainId,
        caller: Address,
        encoded: &Bytes,
        proof: Option<&MessageInclusionProof>,
    ) -> Result<(), ProtocolError> {
        self.ensure_can_claim(chain)?;
        let (sealed, root) = self.decode_for(chain, encoded)?;
        let hash = sealed.hash;
        let exec_addr = &sealed.bundle.bundleAttributes.executionAddress;
        if !exec_addr.is_empty() && !InteropAddress::decode(exec_addr)?.permits(chain, caller) {
            return Err(ProtocolError::Unauthorized {
                action: "execute",
                hash,
                caller,
                chain,
            });
        }
        match self.state.chain(chain)?.bundle_status(&hash) {
            None => {
                let proof = proof.ok_or(ProtocolError::BundleNotVerified(hash))?;
                self.check_inclusion(chain, &sealed, proof, root)?;
                self.emit(Event::BundleVerified {
                    chain,
                    bundle_hash: hash,
                });
            }
            Some(BundleStatus::Verified) => {}
            Some(status) => return Err(ProtocolError::BundleAlreadyProcessed { hash, status }),
        }
        // Statuses flip before any call runs, so a re-entrant attempt sees it processed.
        self.emit(Event::BundleExecuted {
            chain,
            bundle_hash: hash,
        });
        for index in 0..sealed.bundle.calls.len() {
            let index = index as u32; // invariant: a bundle's calls fit u32 (one batch's logs cannot hold more)
            self.emit(Event::CallProcessed {
                chain,
                bundle_hash: hash,
                index,
                status: CallStatus::Executed,
            });
            self.deliver(chain, &sealed, index)?;
        }
        Ok(())
    }

    /// `unbundleBundle`: only the unbundler; per call, Executed from Unprocessed only, Cancelled
    /// unless Executed; repeatable.
    pub(crate) fn unbundle_bundle(
        &mut self,
        chain: ChainId,
        caller_chain: ChainId,
        caller: Address,
        encoded: &Bytes,
        statuses: &[CallStatus],
    ) -> Result<(), ProtocolError> {
        self.ensure_can_claim(chain)?;
        let (sealed, _) = self.decode_for(chain, encoded)?;
        let hash = sealed.hash;
        let unbundler = InteropAddress::decode(&sealed.bundle.bundleAttributes.unbundlerAddress)?;
        if !unbundler.permits(caller_chain, caller) {
            return Err(ProtocolError::Unauthorized {
                action: "unbundle",
                hash,
                caller,
                chain: caller_chain,
            });
        }
        let status = self.state.chain(chain)?.bundle_status(&hash);
        match status {
            Some(BundleStatus::Verified) | Some(BundleStatus::Unbundled) => {}
            Some(s) => return Err(ProtocolError::BundleAlreadyProcessed { hash, status: s }),
            None => return Err(ProtocolError::BundleNotVerified(hash)),
        }
        let calls = sealed.bundle.calls.len();
        if statuses.len() != calls {
            return Err(ProtocolError::StatusCountMismatch {
                given: statuses.len(),
                calls,
            });
        }
        if status == Some(BundleStatus::Verified) {
            self.emit(Event::BundleUnbundled {
                chain,
                bundle_hash: hash,
            });
        }
        let refund_to = unbundler.address.unwrap_or(caller);
        for (index, want) in statuses.iter().enumerate() {
            let index = index as u32;
            let current = self.state.chain(chain)?.call_status(&hash, index);
            let bad = ProtocolError::BadCallTransition {
                hash,
                index,
                from: current,
                to: *want,
            };
            match (*want, current) {
                (CallStatus::Unprocessed, _) => {}
                (CallStatus::Executed, CallStatus::Unprocessed) => {
                    self.emit(Event::CallProcessed {
                        chain,
                        bundle_hash: hash,
                        index,
                        status: CallStatus::Executed,
                    });
                    self.deliver(chain, &sealed, index)?;
                }
                (CallStatus::Executed, _) => return Err(bad),
                (CallStatus::Cancelled, CallStatus::Cancelled) => {}
                (CallStatus::Cancelled, CallStatus::Executed) => return Err(bad),
                (CallStatus::Cancelled, CallStatus::Unprocessed) => {
                    self.emit(Event::CallProcessed {
                        chain,
                        bundle_hash: hash,
                        index,
                        status: CallStatus::Cancelled,
                    });
                    // Model choice: a cancelled call's value is minted to the unbundler here,
                    // so interop value is never destroyed.
                    let value = sealed.bundle.calls[index as usize].value;
                    if !value.is_zero() {
                        let asset = self.state.chain(chain)?.config.base_token;
                        self.emit(Event::ValueMinted {
                            chain,
                            asset,
                            to: refund_to,
                            amount: value,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Delivers call `index`: mints its value to the target, then runs the target's code
    /// (ERC-7786 `receiveMessage`). A target without code accepts only a plain value transfer.
    fn deliver(
        &mut self,
        chain: ChainId,
        sealed: &SealedBundle,
        index: u32,
    ) -> Result<(), ProtocolError> {
        let call = &sealed.bundle.calls[index as usize];
        let send_id = bundle::send_id(&sealed.hash, index as usize);
        let asset = self.state.chain(chain)?.config.base_token;
        if !call.value.is_zero() {
            self.emit(Event::ValueMinted {
                chain,
                asset,
                to: call.to,
                amount: call.value,
            });
        }
        self.emit(Event::MessageReceived {
            chain,
            to: call.to,
            send_id,
            value: call.value,
        });
        let code = self.code;
        match code.recipient(chain, call.to) {
            Some(contract) => {
                let message = ReceivedMessage {
                    send_id,
                    source_chain: sealed.source(),
                    sender: InteropAddress::new(sealed.source(), call.from),
                    payload: call.data.clone(),
                    value: call.value,
                };
                let mut ctx = RecipientContext {
                    exec: self,
                    chain,
                    this: call.to,
                };
                contract
                    .receive_message(&mut ctx, &message)
                    .map_err(|reason| ProtocolError::CallReverted {
                        chain,
                        index,
                        target: call.to,
                        reason,
                    })
            }
            None => {
                let message = ReceivedMessage {
                    send_id,
                    source_chain: sealed.source(),
                    sender: InteropAddress::new(sealed.source(), call.from),
                    payload: call.data.clone(),
                    value: call.value,
                };
                // Taken out while it runs, so the context can borrow the execution.
                let Some(external) = self.external.take() else {
                    return self.deliver_to_no_code(chain, index, call.to, &call.data);
                };
                let ext = external;
                let result = if ext.has_code(chain, call.to) {
                    let mut ctx = RecipientContext {
                        exec: self,
                        chain,
                        this: call.to,
                    };
                    Some(ext.receive_message(&mut ctx, &message).map_err(|reason| {
                        ProtocolError::CallReverted {
                            chain,
                            index,
                            target: call.to,
                            reason,
                        }
                    }))
                } else {
                    None
                };
                self.external = Some(ext);
                match result {
                    Some(r) => r,
                    None => self.deliver_to_no_code(chain, index, call.to, &call.data),
                }
            }
        }
    }

    /// A target with no code anywhere accepts only a plain value transfer.
    fn deliver_to_no_code(
        &self,
        chain: ChainId,
        index: u32,
        target: Address,
        data: &Bytes,
    ) -> Result<(), ProtocolError> {
        if data.is_empty() {
            return Ok(());
        }
        Err(ProtocolError::CallReverted {
            chain,
            index,
            target,
            reason: "no contract at the target to receive a payload".into(),
        })
    }
}
