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

/// A batch with at least this many bundles to send, or to verify or execute, seals them
/// (encodes and hashes) or decodes, hashes and climbs their proofs on other threads, step by
/// step ahead of the thread that applies its actions in order (`pipelined`).
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
    /// The ERC-7786 send id of each call (empty if the bundle did not decode).
    send_ids: Vec<alloy_primitives::B256>,
}

/// A received bundle decoded for its destination, with what the pre-pass computed for it.
struct Decoded {
    sealed: SealedBundle,
    root: Option<Result<ProvenRoot, ProofError>>,
    /// Send ids computed ahead (empty: compute in place).
    send_ids: Vec<alloy_primitives::B256>,
}

impl Decoded {
    /// The send id of call `index`.
    fn send_id(&self, index: u32) -> alloy_primitives::B256 {
        self.send_ids
            .get(index as usize)
            .copied()
            .unwrap_or_else(|| bundle::send_id(&self.sealed.hash, index as usize))
    }
}

impl Prepared {
    fn of(action: &Action, memo: &mut crate::merkle::HashMemo) -> Option<Self> {
        let (encoded, proof) = match action {
            Action::VerifyBundle { bundle, proof, .. } => (bundle, Some(proof)),
            Action::ExecuteBundle { bundle, proof, .. } => (bundle, proof.as_ref()),
            _ => return None,
        };
        let sealed = SealedBundle::from_encoded(encoded).map_err(ProtocolError::from);
        let send_ids = match &sealed {
            Ok(b) => (0..b.bundle.calls.len())
                .map(|i| bundle::send_id(&b.hash, i))
                .collect(),
            Err(_) => Vec::new(),
        };
        Some(Self {
            encoded: encoded.clone(),
            sealed,
            root: proof.map(|p| settlement::proven_root_with(p, memo)),
            send_ids,
        })
    }
}

/// Actions per step of a batch's pipeline: every step's pre-pass is a task of its own, so the
/// other threads run ahead of the thread applying the actions, step after step. Small enough
/// that the first step, which nothing overlaps, is a small part of a full batch (16,384
/// bundles); large enough that a task's cost is nothing next to its work.
pub const PIPELINE_STEP: usize = 512;

/// Actions in a pipelined batch's first step, which the applying thread waits for.
const PIPELINE_FIRST_STEP: usize = 64;

/// A batch's plan for its pre-pass: which kinds of action are worth preparing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    receives: bool,
}

/// Plans a batch's pre-pass from the state at the batch's start: each send's
/// [`SendKey`](super::center::SendKey) when the batch has enough sends (read in order, here),
/// and whether its verifications and executions are worth preparing. `None` for a batch too
/// small to be worth the threads.
pub(crate) fn plan(
    actions: &[Action],
    state: &crate::network::State,
) -> Option<(Plan, Vec<Option<super::center::SendKey>>)> {
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
    let keys = actions
        .iter()
        .map(|a| {
            if sends >= PARALLEL_BUNDLES {
                super::center::send_key(state, a, &mut earlier)
            } else {
                None
            }
        })
        .collect();
    let plan = Plan {
        receives: receives >= PARALLEL_BUNDLES,
    };
    Some((plan, keys))
}

impl Plan {
    /// The pre-pass of `actions` (a step of the batch) with their send keys, in order: a
    /// predicted send's bundle built and sealed, a verification's or execution's
    /// [`Prepared`], the proofs climbing through one memo. Sequential: a step is one task, and
    /// the steps run on several threads (a task that forked would, while waiting for its other
    /// half, run later steps' tasks and hold up the step the applying thread needs first).
    /// Every result is a pure function of what it is matched against when used, so a wrong
    /// prediction only means the action computes its own.
    pub(crate) fn prepare(
        &self,
        actions: &[Action],
        keys: Vec<Option<super::center::SendKey>>,
    ) -> Vec<Ahead> {
        let mut memo = crate::merkle::HashMemo::default();
        actions
            .iter()
            .zip(keys)
            .map(|(a, key)| match key {
                Some(key) => super::center::predict(a, key)
                    .and_then(super::center::PreparedSend::seal)
                    .map_or(Ahead::Nothing, Ahead::Send),
                None if self.receives => {
                    Prepared::of(a, &mut memo).map_or(Ahead::Nothing, Ahead::Receive)
                }
                None => Ahead::Nothing,
            })
            .collect()
    }
}

/// One step of a pipelined batch, handed from the task that prepared it to the thread that
/// applies it.
type Step = (Vec<Action>, Vec<Ahead>);

/// Where a step's task leaves its result for the applying thread.
#[derive(Default)]
struct Slot {
    step: std::sync::Mutex<Option<Step>>,
    ready: std::sync::Condvar,
}

impl Slot {
    fn fill(&self, step: Step) {
        // A poisoned lock only means another step's task panicked; the value is still ours.
        *self.step.lock().unwrap_or_else(|e| e.into_inner()) = Some(step);
        self.ready.notify_one();
    }

    /// Waits for the step. A rayon worker runs other tasks while it waits (its own step tasks
    /// may be queued behind it), and blocks only briefly when there are none.
    fn take(&self) -> Step {
        let on_worker = rayon::current_thread_index().is_some();
        let mut guard = self.step.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(step) = guard.take() {
                return step;
            }
            if on_worker {
                drop(guard);
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    let g = self.step.lock().unwrap_or_else(|e| e.into_inner());
                    let timeout = std::time::Duration::from_micros(100);
                    guard = match self.ready.wait_timeout(g, timeout) {
                        Ok((g, _)) => g,
                        Err(e) => e.into_inner().0,
                    };
                } else {
                    guard = self.step.lock().unwrap_or_else(|e| e.into_inner());
                }
            } else {
                guard = self.ready.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

/// Applies a planned batch step by step: every step's pre-pass is spawned at once, in order,
/// as a task of its own, and `apply` takes each action with what was computed ahead for it, in
/// order, on this thread — which waits only when the other threads are behind. On an error
/// the steps not yet prepared are skipped, and the error is returned once every task is done.
pub(crate) fn pipelined<E>(
    actions: Vec<Action>,
    plan: Plan,
    keys: Vec<Option<super::center::SendKey>>,
    mut apply: impl FnMut(Action, Ahead) -> Result<(), E>,
) -> Result<(), E> {
    let mut steps = Vec::with_capacity(actions.len().div_ceil(PIPELINE_STEP));
    let (mut actions, mut keys) = (actions.into_iter(), keys.into_iter());
    loop {
        // The first step is short: the applying thread waits for it, as nothing runs ahead.
        let size = if steps.is_empty() {
            PIPELINE_FIRST_STEP
        } else {
            PIPELINE_STEP
        };
        let step: Vec<Action> = actions.by_ref().take(size).collect();
        if step.is_empty() {
            break;
        }
        let step_keys: Vec<_> = keys.by_ref().take(step.len()).collect();
        steps.push((step, step_keys));
    }
    let slots: Vec<Slot> = steps.iter().map(|_| Slot::default()).collect();
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    rayon::in_place_scope(|scope| {
        for ((step, keys), slot) in steps.into_iter().zip(&slots) {
            let cancelled = &cancelled;
            scope.spawn(move |_| {
                // Nothing is computed ahead after an error, or if the pre-pass panicked (a bug:
                // the action then computes in place and meets it there, on the applying
                // thread, which must not wait for a slot that would never fill).
                let ahead = if cancelled.load(std::sync::atomic::Ordering::Relaxed) {
                    Vec::new()
                } else {
                    let prepare = std::panic::AssertUnwindSafe(|| plan.prepare(&step, keys));
                    std::panic::catch_unwind(prepare).unwrap_or_default()
                };
                slot.fill((step, ahead));
            });
        }
        for slot in &slots {
            let (step, ahead) = slot.take();
            let mut ahead = ahead.into_iter();
            for a in step {
                if let Err(e) = apply(a, ahead.next().unwrap_or_default()) {
                    cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok(())
    })
}

impl Exec<'_> {
    /// Decodes the bundle and checks that it is meant for `chain`: its destination chain id and
    /// its `destinationBaseTokenAssetId`, which must be this chain's base token
    /// (`_validateBundleDestinationContext`,
    /// `era-contracts@4859b6f:l1-contracts/contracts/interop/InteropHandler.sol`).
    fn decode_for(&mut self, chain: ChainId, encoded: &Bytes) -> Result<Decoded, ProtocolError> {
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
        let (sealed, root, send_ids) = match prepared {
            Some(p) => (p.sealed?, p.root, p.send_ids),
            None => (SealedBundle::from_encoded(encoded)?, None, Vec::new()),
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
        Ok(Decoded {
            sealed,
            root,
            send_ids,
        })
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
        let Decoded { sealed, root, .. } = self.decode_for(chain, encoded)?;
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
        let mut decoded = self.decode_for(chain, encoded)?;
        let root = decoded.root.take();
        let (sealed, hash) = (&decoded.sealed, decoded.sealed.hash);
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
                self.check_inclusion(chain, sealed, proof, root)?;
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
            self.deliver(chain, sealed, index, decoded.send_id(index))?;
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
        let decoded = self.decode_for(chain, encoded)?;
        let (sealed, hash) = (&decoded.sealed, decoded.sealed.hash);
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
                    self.deliver(chain, sealed, index, decoded.send_id(index))?;
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
        send_id: alloy_primitives::B256,
    ) -> Result<(), ProtocolError> {
        let call = &sealed.bundle.calls[index as usize];
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
