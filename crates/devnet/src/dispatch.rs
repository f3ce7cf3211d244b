//! System contracts inside revm: calls to their addresses, from an EOA or from a user contract
//! at any depth, are decoded with the contracts' ABI and executed natively by the protocol's
//! `Network::apply` on a working copy of the network — no second implementation.
//!
//! Reverts: every frame (system or not) opens a checkpoint of the working network's undo
//! journal when it starts ([`Network::checkpoint`], the same journal `Network::apply` uses to
//! undo a rejected action) and reverts to it if the frame ends reverted, so protocol changes
//! made under a reverted frame vanish with it, exactly as the frame's EVM changes do in revm's
//! own journal. [`FrameJournal`] keeps the frames' checkpoints.
//!
//! Balances: a system call's base-token balance changes are mirrored into revm's journal
//! (journaled, so reverted with the frame), so revm and the working network agree; the
//! transaction's own balance changes are then committed against the working network. What
//! changed is read from the network's undo journal
//! ([`Network::balances_changed_since`]), not from the action's events, so a balance moved
//! by any event, present or future, is mirrored.

use crate::receiver::EvmRecipients;
use crate::system::{self, abi};
use alloy_primitives::{keccak256, Address, Bytes, Log, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use flywheel_protocol::chain::{
    AssetId, BundleStatus, CallStatus, INTEROP_CENTER, INTEROP_HANDLER, L1_MESSENGER,
};
use flywheel_protocol::error::ProtocolError;
use flywheel_protocol::event::Event;
use flywheel_protocol::interop::bundle::{bundle_message, InteropCallStarter};
use flywheel_protocol::journal::Checkpoint;
use flywheel_protocol::network::{Action, Network};
use flywheel_protocol::settlement::{L2Message, MessageInclusionProof};
use flywheel_protocol::ChainId;
use revm::context_interface::journaled_state::account::JournaledAccountTr;
use revm::context_interface::{ContextTr, JournalTr};
use revm::interpreter::{CallInputs, CallOutcome, CallScheme, CreateInputs, CreateOutcome, Gas};
use revm::interpreter::{InstructionResult, InterpreterResult};
use revm::Inspector;

/// Gas a state-changing system call costs. Model choice: a flat charge (the contracts' real
/// cost depends on EraVM/ZKsync OS pricing, not modelled), enough that estimates leave room.
pub const SYSTEM_CALL_GAS: u64 = 100_000;
/// Gas a system view costs (a cold storage read).
pub const SYSTEM_VIEW_GAS: u64 = 2_600;

/// Per-frame checkpoints of the working network's journal: opened when a frame starts,
/// committed into the enclosing frame when it succeeds, reverted when it reverts.
#[derive(Debug, Default)]
pub struct FrameJournal {
    stack: Vec<(Checkpoint, usize)>,
}

impl FrameJournal {
    /// A frame starts.
    pub fn enter(&mut self, net: &mut Network, events: usize) {
        self.stack.push((net.checkpoint(), events));
    }

    /// A frame ends: on revert, the network and event count go back to the frame's start.
    pub fn exit(&mut self, reverted: bool, net: &mut Network, events: &mut Vec<Event>) {
        if let Some((cp, len)) = self.stack.pop() {
            if reverted {
                net.revert_to(cp);
                events.truncate(len);
            } else {
                net.commit(cp);
            }
        }
    }
}

/// The inspector that routes system-contract calls to the protocol.
#[derive(Debug)]
pub struct SystemDispatch {
    /// The working network: the transaction's protocol effects so far.
    pub net: Network,
    /// The protocol events of those effects.
    pub events: Vec<Event>,
    pub(crate) chain: ChainId,
    asset: AssetId,
    frames: FrameJournal,
    hosts_system: bool,
    /// A system call ran out of gas (its caller may have carried on): `eth_estimateGas`
    /// treats such a run as failed, so estimates leave system calls their gas.
    pub starved: bool,
    /// The transaction's index in its block: messages it sends carry it as their log leaf's
    /// `txNumberInBatch`, which is what clients read from the receipt's `transactionIndex`.
    tx_number: u16,
}

impl SystemDispatch {
    /// A dispatcher for chain `chain` (base token `asset`) over a copy of `net`. On the L1
    /// no system contracts are served (they are L2 contracts).
    pub fn new(net: &Network, chain: ChainId, asset: AssetId, hosts_system: bool) -> Self {
        Self {
            net: net.clone(),
            events: Vec::new(),
            chain,
            asset,
            frames: FrameJournal::default(),
            hosts_system,
            starved: false,
            tx_number: 0,
        }
    }

    /// The same dispatcher for the transaction at index `tx_number` of its block.
    pub fn in_transaction(mut self, tx_number: u16) -> Self {
        self.tx_number = tx_number;
        self
    }

    fn balance(&self, who: Address) -> U256 {
        self.net
            .state()
            .chains
            .get(&self.chain)
            .map_or(U256::ZERO, |c| c.balance(self.asset, who))
    }

    /// Applies `action` to the working network, mirrors its base-token balance changes into
    /// revm's journal, and records its events.
    pub(crate) fn apply_action<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        action: Action,
    ) -> Result<Vec<Event>, ProtocolError> {
        self.apply_delivering(ctx, action, None).map(|(evs, _)| evs)
    }

    /// [`Self::apply`] for an action that may deliver calls: with `deliver_gas`, call targets
    /// with EVM code receive them in a nested revm ([`EvmRecipients`]) that may use that much
    /// gas; its writes go into the journal under a checkpoint reverted if the action fails.
    /// Returns the events and the gas the deliveries used.
    fn apply_delivering<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        action: Action,
        deliver_gas: Option<u64>,
    ) -> Result<(Vec<Event>, u64), ProtocolError> {
        // The action's own checkpoint: what it changed is read from the journal above it.
        let cp = self.net.checkpoint();
        let (evs, used) = match deliver_gas {
            None => match self.net.apply_in_transaction(action, self.tx_number, None) {
                Ok(evs) => (evs, 0),
                Err(e) => {
                    self.net.revert_to(cp);
                    return Err(e);
                }
            },
            Some(gas) => {
                let checkpoint = ctx.journal_mut().checkpoint();
                let mut external = EvmRecipients::new(ctx, self.chain, gas);
                let result =
                    self.net
                        .apply_in_transaction(action, self.tx_number, Some(&mut external));
                let used = external.gas_used;
                self.starved |= external.starved;
                match result {
                    Ok(evs) => {
                        ctx.journal_mut().checkpoint_commit();
                        (evs, used)
                    }
                    Err(e) => {
                        ctx.journal_mut().checkpoint_revert(checkpoint);
                        self.net.revert_to(cp);
                        return Err(e);
                    }
                }
            }
        };
        // revm holds every balance the network held before the action (the two agree between
        // system calls), so each changed base-token balance moves by its difference.
        for change in self.net.balances_changed_since(&cp) {
            if change.chain != self.chain || change.asset != self.asset {
                continue;
            }
            let (was, now) = (change.before, self.balance(change.account));
            if was == now {
                continue;
            }
            let Ok(mut acct) = ctx.journal_mut().load_account_mut(change.account) else {
                // The database cannot fail (it reads memory); keep the two views equal.
                self.net.revert_to(cp);
                return Err(ProtocolError::Genesis("journal unavailable".into()));
            };
            if now > was {
                acct.data.incr_balance(now - was);
            } else {
                acct.data.decr_balance(was - now);
            }
        }
        self.net.commit(cp);
        self.log_token_events(ctx, &evs);
        self.events.extend(evs.iter().cloned());
        Ok((evs, used))
    }

    /// Whether this call goes to a contract this chain serves natively. A call without data
    /// to Fee Flow is a deposit into its pool (the model's stand-in for WETH arriving), left
    /// to revm as a plain value transfer.
    fn serves<CTX: ContextTr>(&self, inputs: &CallInputs, ctx: &mut CTX) -> bool {
        let to = inputs.bytecode_address;
        if crate::bridge::serves(self.net.state(), self.chain, to) {
            return true;
        }
        if !self.hosts_system {
            return false;
        }
        if system::is_served(to) {
            return true;
        }
        if !self.serves_more(to) {
            return false;
        }
        !(to == flywheel_protocol::fee_flow::fee_flow_address()
            && inputs.input.bytes(ctx).is_empty())
    }

    /// Handles a call to a system address; `None` if `to` is not one this chain serves.
    fn system_call<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
    ) -> Option<Result<(Bytes, u64), Bytes>> {
        let to = inputs.bytecode_address;
        if !self.serves(inputs, ctx) {
            return None;
        }
        if !matches!(inputs.scheme, CallScheme::Call | CallScheme::StaticCall) {
            return Some(Err(revert_string(
                "system contracts take CALL and STATICCALL only",
            )));
        }
        let data = inputs.input.bytes(ctx);
        let value = inputs.value.get();
        let caller = inputs.caller;
        let sel: [u8; 4] = match data.get(..4).and_then(|s| s.try_into().ok()) {
            Some(s) => s,
            None => return Some(Err(Bytes::new())),
        };
        let view = |out: Bytes| Some(Ok((out, SYSTEM_VIEW_GAS)));
        if crate::bridge::serves(self.net.state(), self.chain, to) {
            return Some(self.bridge_call(ctx, inputs, sel, &data));
        }
        let state = self.net.state();
        let chain = state.chains.get(&self.chain)?;
        if to == INTEROP_CENTER {
            match sel {
                abi::sendBundleCall::SELECTOR | abi::sendMessageCall::SELECTOR
                    if inputs.is_static =>
                {
                    return Some(Err(Bytes::new()));
                }
                abi::sendBundleCall::SELECTOR | abi::sendMessageCall::SELECTOR => {
                    let Some(Ok((action, originals))) =
                        send_action(self.chain, caller, value, &data)
                    else {
                        return Some(Err(Bytes::new()));
                    };
                    return Some(
                        self.send(ctx, action, &originals)
                            .map(|h| (h.abi_encode().into(), SYSTEM_CALL_GAS)),
                    );
                }
                abi::ZK_INTEROP_FEECall::SELECTOR => {
                    return view(chain.zk_interop_fee.abi_encode().into())
                }
                abi::interopProtocolFeeCall::SELECTOR => {
                    return view(chain.interop_protocol_fee.abi_encode().into())
                }
                abi::interopBundleNonceCall::SELECTOR => {
                    let Ok(c) = abi::interopBundleNonceCall::abi_decode(&data) else {
                        return Some(Err(Bytes::new()));
                    };
                    let n = chain.bundle_count.get(&c.sender).copied().unwrap_or(0);
                    return view(U256::from(n).abi_encode().into());
                }
                abi::accumulatedProtocolFeesCall::SELECTOR => {
                    let Ok(c) = abi::accumulatedProtocolFeesCall::abi_decode(&data) else {
                        return Some(Err(Bytes::new()));
                    };
                    let v = chain
                        .accrued_base_fees
                        .get(&c.coinbase)
                        .copied()
                        .unwrap_or_default();
                    return view(v.abi_encode().into());
                }
                abi::accumulatedZKFeesCall::SELECTOR => {
                    let Ok(c) = abi::accumulatedZKFeesCall::abi_decode(&data) else {
                        return Some(Err(Bytes::new()));
                    };
                    let v = chain
                        .accrued_zk_fees
                        .get(&c.coinbase)
                        .copied()
                        .unwrap_or_default();
                    return view(v.abi_encode().into());
                }
                abi::claimProtocolFeesCall::SELECTOR | abi::claimZKFeesCall::SELECTOR => {
                    return Some(self.claim_fees(ctx, inputs, sel, &data));
                }
                abi::getZKTokenAddressCall::SELECTOR => {
                    return view(
                        state
                            .interop_zk_token_address(self.chain)
                            .abi_encode()
                            .into(),
                    )
                }
                abi::zkTokenCall::SELECTOR => {
                    return view(state.interop_zk_token(self.chain).abi_encode().into())
                }
                abi::setInteropFeeCall::SELECTOR => {
                    return Some(self.set_interop_fee(ctx, inputs, &data));
                }
                _ => return Some(Err(Bytes::new())),
            }
        }
        if to == INTEROP_HANDLER {
            return Some(self.handler_call(ctx, inputs, sel, &data));
        }
        if self.serves_more(to) {
            return Some(self.more_call(ctx, inputs, sel, &data));
        }
        if to == system::INTEROP_ROOT_STORAGE {
            if sel == abi::interopRootsCall::SELECTOR {
                let Ok(c) = abi::interopRootsCall::abi_decode(&data) else {
                    return Some(Err(Bytes::new()));
                };
                let root = match (
                    u64::try_from(c.chainId),
                    u64::try_from(c.blockOrBatchNumber),
                ) {
                    (Ok(id), Ok(n)) => chain
                        .interop_roots
                        .get(&(id, n))
                        .copied()
                        .unwrap_or_default(),
                    _ => B256::ZERO,
                };
                return view(root.abi_encode().into());
            }
            return Some(Err(Bytes::new()));
        }
        // Served address, function not (yet) modelled: revert without data.
        Some(Err(Bytes::new()))
    }

    /// InteropHandler: `verifyBundle`, `executeBundle`, `unbundleBundle` (applied by the
    /// protocol, logging its events) and the `bundleStatus` / `callStatus` views.
    fn handler_call<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        inputs: &CallInputs,
        sel: [u8; 4],
        data: &[u8],
    ) -> Result<(Bytes, u64), Bytes> {
        let changes = matches!(
            sel,
            abi::verifyBundleCall::SELECTOR
                | abi::executeBundleCall::SELECTOR
                | abi::unbundleBundleCall::SELECTOR
        );
        if changes && inputs.is_static {
            return Err(Bytes::new());
        }
        let action = match sel {
            abi::verifyBundleCall::SELECTOR => {
                let c = abi::verifyBundleCall::abi_decode(data).map_err(|_| Bytes::new())?;
                Action::VerifyBundle {
                    chain: self.chain,
                    bundle: c._bundle,
                    proof: proof_of(c._proof)?,
                }
            }
            abi::executeBundleCall::SELECTOR => {
                let c = abi::executeBundleCall::abi_decode(data).map_err(|_| Bytes::new())?;
                Action::ExecuteBundle {
                    chain: self.chain,
                    caller: inputs.caller,
                    bundle: c._bundle,
                    proof: Some(proof_of(c._proof)?),
                }
            }
            abi::unbundleBundleCall::SELECTOR => {
                let c = abi::unbundleBundleCall::abi_decode(data).map_err(|_| Bytes::new())?;
                let statuses = c
                    ._callStatus
                    .iter()
                    .map(|s| match s {
                        0 => Ok(CallStatus::Unprocessed),
                        1 => Ok(CallStatus::Executed),
                        2 => Ok(CallStatus::Cancelled),
                        _ => Err(Bytes::new()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Action::UnbundleBundle {
                    chain: self.chain,
                    caller_chain: self.chain,
                    caller: inputs.caller,
                    bundle: c._bundle,
                    statuses,
                }
            }
            abi::bundleStatusCall::SELECTOR => {
                let c = abi::bundleStatusCall::abi_decode(data).map_err(|_| Bytes::new())?;
                let st = self
                    .net
                    .state()
                    .chains
                    .get(&self.chain)
                    .and_then(|ch| ch.bundle_status(&c.bundleHash));
                let code: u8 = match st {
                    None => 0,
                    Some(BundleStatus::Verified) => 1,
                    Some(BundleStatus::FullyExecuted) => 2,
                    Some(BundleStatus::Unbundled) => 3,
                };
                return Ok((U256::from(code).abi_encode().into(), SYSTEM_VIEW_GAS));
            }
            abi::callStatusCall::SELECTOR => {
                let c = abi::callStatusCall::abi_decode(data).map_err(|_| Bytes::new())?;
                let index = u32::try_from(c.callIndex).unwrap_or(u32::MAX);
                let st = self
                    .net
                    .state()
                    .chains
                    .get(&self.chain)
                    .map_or(CallStatus::Unprocessed, |ch| {
                        ch.call_status(&c.bundleHash, index)
                    });
                return Ok((
                    U256::from(call_status_code(st)).abi_encode().into(),
                    SYSTEM_VIEW_GAS,
                ));
            }
            _ => return Err(Bytes::new()),
        };
        // Deliveries may use the call's gas beyond the flat charge.
        let deliver_gas = inputs.gas_limit.saturating_sub(SYSTEM_CALL_GAS);
        let (evs, used) = self
            .apply_delivering(ctx, action, Some(deliver_gas))
            .map_err(|e| crate::refusals::handler_revert(&e, data, inputs.caller, self.chain))?;
        for ev in &evs {
            let data = match ev {
                Event::BundleVerified { chain, bundle_hash } if *chain == self.chain => {
                    abi::BundleVerified {
                        bundleHash: *bundle_hash,
                    }
                    .encode_log_data()
                }
                Event::BundleExecuted { chain, bundle_hash } if *chain == self.chain => {
                    abi::BundleExecuted {
                        bundleHash: *bundle_hash,
                    }
                    .encode_log_data()
                }
                Event::BundleUnbundled { chain, bundle_hash } if *chain == self.chain => {
                    abi::BundleUnbundled {
                        bundleHash: *bundle_hash,
                    }
                    .encode_log_data()
                }
                Event::CallProcessed {
                    chain,
                    bundle_hash,
                    index,
                    status,
                } if *chain == self.chain => abi::CallProcessed {
                    bundleHash: *bundle_hash,
                    callIndex: U256::from(*index),
                    status: call_status_code(*status),
                }
                .encode_log_data(),
                _ => continue,
            };
            ctx.journal_mut().log(Log {
                address: INTEROP_HANDLER,
                data,
            });
        }
        Ok((Bytes::new(), SYSTEM_CALL_GAS.saturating_add(used)))
    }

    /// A send: applies it, then logs what InteropCenter's `_sendBundle` logs, in its order
    /// (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropCenter.sol):
    /// `FixedZKFeesAccumulated` or `ProtocolFeesAccumulated` (a non-zero fee), the L1
    /// messenger's `L1MessageSent`, one ERC-7786 `MessageSent` per call, then
    /// `InteropBundleSent`. zksync-js pairs a bundle with the messenger logs *before* its
    /// `InteropBundleSent` (zksync-js@a5f6505:src/core/resources/interop/finalization.ts,
    /// `parseBundleReceiptInfo`), so the order matters. `originals` are each call's payload
    /// and attributes as the caller passed them, which `MessageSent` repeats. Returns the
    /// bundle hash or send id.
    fn send<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        action: Action,
        originals: &[(Bytes, Vec<Bytes>)],
    ) -> Result<B256, Bytes> {
        let is_message = matches!(action, Action::SendMessage { .. });
        let evs = self
            .apply_action(ctx, action)
            .map_err(|e| revert_data(&e))?;
        log_send(ctx, self.chain, &evs, originals, is_message)
    }
}

/// The original payload and attributes of each call of a send, as `MessageSent` repeats them.
pub(crate) type Originals = Vec<(Bytes, Vec<Bytes>)>;

/// Decodes InteropCenter `sendBundle` / `sendMessage` calldata from `caller` on `chain` into
/// the protocol action and each call's original payload and attributes; `None` for another
/// selector, `Some(Err)` for calldata that does not decode.
pub(crate) fn send_action(
    chain: ChainId,
    caller: Address,
    value: U256,
    data: &[u8],
) -> Option<Result<(Action, Originals), ()>> {
    let sel: [u8; 4] = data.get(..4)?.try_into().ok()?;
    match sel {
        abi::sendBundleCall::SELECTOR => {
            let Ok(call) = abi::sendBundleCall::abi_decode(data) else {
                return Some(Err(()));
            };
            let originals = call
                ._callStarters
                .iter()
                .map(|s| (s.data.clone(), s.callAttributes.clone()))
                .collect();
            let action = Action::SendBundle {
                chain,
                sender: caller,
                destination: call._destinationChainId,
                starters: call
                    ._callStarters
                    .into_iter()
                    .map(|s| InteropCallStarter {
                        to: s.to,
                        data: s.data,
                        call_attributes: s.callAttributes,
                    })
                    .collect(),
                attributes: call._bundleAttributes,
                value,
            };
            Some(Ok((action, originals)))
        }
        abi::sendMessageCall::SELECTOR => {
            let Ok(call) = abi::sendMessageCall::abi_decode(data) else {
                return Some(Err(()));
            };
            let originals = vec![(call.payload.clone(), call.attributes.clone())];
            let action = Action::SendMessage {
                chain,
                sender: caller,
                recipient: call.recipient,
                payload: call.payload,
                attributes: call.attributes,
                value,
            };
            Some(Ok((action, originals)))
        }
        _ => None,
    }
}

/// Logs what InteropCenter's `_sendBundle` logs for a send's protocol events `evs`, in the
/// contract's order (see [`SystemDispatch::send`]); returns the bundle hash, or the send id
/// for `sendMessage`. Shared by sends from a transaction and from inside `receiveMessage`.
pub(crate) fn log_send<CTX: ContextTr>(
    ctx: &mut CTX,
    chain_id: ChainId,
    evs: &[Event],
    originals: &[(Bytes, Vec<Bytes>)],
    is_message: bool,
) -> Result<B256, Bytes> {
    let mut id = None;
    let mut sent_calls: Vec<abi::MessageSent> = Vec::new();
    let log = |ctx: &mut CTX, address: Address, data| {
        ctx.journal_mut().log(Log { address, data });
    };
    for ev in evs {
        match ev {
            Event::InteropFeeCollected {
                chain,
                operator,
                payer,
                fixed_zk,
                amount,
                ..
            } if *chain == chain_id => {
                if *fixed_zk {
                    let e = abi::FixedZKFeesAccumulated {
                        payer: *payer,
                        coinbase: *operator,
                        amount: *amount,
                    };
                    log(ctx, INTEROP_CENTER, e.encode_log_data());
                } else if !amount.is_zero() {
                    let e = abi::ProtocolFeesAccumulated {
                        coinbase: *operator,
                        amount: *amount,
                    };
                    log(ctx, INTEROP_CENTER, e.encode_log_data());
                }
            }
            Event::MessageSent {
                send_id,
                sender,
                recipient,
                payload,
                value,
                ..
            } => {
                let i = sent_calls.len();
                let (payload, attributes) = originals
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| (payload.clone(), Vec::new()));
                sent_calls.push(abi::MessageSent {
                    sendId: *send_id,
                    sender: sender.clone(),
                    recipient: recipient.clone(),
                    payload,
                    value: *value,
                    attributes,
                });
                if is_message && id.is_none() {
                    id = Some(*send_id);
                }
            }
            Event::InteropBundleSent {
                message_hash,
                bundle_hash,
                bundle,
                ..
            } => {
                let encoded = bundle.abi_encode();
                let message = bundle_message(&encoded);
                let l1 = abi::L1MessageSent {
                    _sender: INTEROP_CENTER,
                    _hash: keccak256(&message),
                    _message: message.into(),
                };
                log(ctx, L1_MESSENGER, l1.encode_log_data());
                for m in sent_calls.drain(..) {
                    log(ctx, INTEROP_CENTER, m.encode_log_data());
                }
                let sent = abi::InteropBundleSent {
                    l2l1MsgHash: *message_hash,
                    interopBundleHash: *bundle_hash,
                    interopBundle: bundle.clone(),
                };
                log(ctx, INTEROP_CENTER, sent.encode_log_data());
                if !is_message {
                    id = Some(*bundle_hash);
                }
            }
            _ => {}
        }
    }
    id.ok_or_else(|| revert_string("the protocol sent nothing"))
}

/// `CallStatus` as the contracts number it (`common/Messaging.sol`).
fn call_status_code(s: CallStatus) -> u8 {
    match s {
        CallStatus::Unprocessed => 0,
        CallStatus::Executed => 1,
        CallStatus::Cancelled => 2,
    }
}

/// The protocol's proof as the ABI struct `executeBundle` takes.
pub fn abi_proof(p: &MessageInclusionProof) -> abi::MessageInclusionProof {
    abi::MessageInclusionProof {
        chainId: U256::from(p.chain_id),
        l1BatchNumber: U256::from(p.l1_batch_number),
        l2MessageIndex: U256::from(p.l2_message_index),
        message: abi::L2Message {
            txNumberInBatch: p.message.tx_number_in_batch,
            sender: p.message.sender,
            data: p.message.data.clone(),
        },
        proof: p.proof.clone(),
    }
}

/// The ABI proof as the protocol's; ids beyond 64 bits cannot name a chain or batch here.
fn proof_of(p: abi::MessageInclusionProof) -> Result<MessageInclusionProof, Bytes> {
    let small = |v: U256| u64::try_from(v).map_err(|_| revert_string("proof field out of range"));
    Ok(MessageInclusionProof {
        chain_id: small(p.chainId)?,
        l1_batch_number: small(p.l1BatchNumber)?,
        l2_message_index: small(p.l2MessageIndex)?,
        message: L2Message {
            tx_number_in_batch: p.message.txNumberInBatch,
            sender: p.message.sender,
            data: p.message.data,
        },
        proof: p.proof,
    })
}

/// `Error(string)` revert data.
fn revert_string(msg: &str) -> Bytes {
    abi::Error {
        message: msg.into(),
    }
    .abi_encode()
    .into()
}

/// A protocol refusal as the contract's custom error where the model names one, else
/// `Error(string)` with the model's message.
pub fn revert_data(e: &ProtocolError) -> Bytes {
    match e {
        ProtocolError::NotL2ToL2 {
            source_chain_id,
            destination_chain_id,
        } => abi::NotL2ToL2 {
            sourceChainId: U256::from(*source_chain_id),
            destinationChainId: U256::from(*destination_chain_id),
        }
        .abi_encode()
        .into(),
        ProtocolError::NotInGatewayMode { .. } => abi::NotInGatewayMode {}.abi_encode().into(),
        ProtocolError::DestinationChainNotRegistered(id) => abi::DestinationChainNotRegistered {
            destinationChainId: U256::from(*id),
        }
        .abi_encode()
        .into(),
        ProtocolError::ZkTokenNotAvailable(_) => abi::ZKTokenNotAvailable {}.abi_encode().into(),
        // The ZK token's own revert strings, which SafeERC20 and callers bubble up.
        ProtocolError::Token(_) => crate::contracts::token_revert(e, false),
        other => revert_string(&other.to_string()),
    }
}

pub(crate) fn outcome(inputs: &CallInputs, r: Result<(Bytes, u64), Bytes>) -> CallOutcome {
    let mut gas = Gas::new_with_regular_gas_and_reservoir(inputs.gas_limit, inputs.reservoir);
    let (result, output) = match r {
        Ok((out, cost)) => {
            // invariant: `call` refused gas limits below SYSTEM_CALL_GAS ≥ cost.
            let _ = gas.record_regular_cost(cost);
            (InstructionResult::Return, out)
        }
        Err(data) => {
            // A refused call costs the view charge, as a contract's early revert would.
            let _ = gas.record_regular_cost(SYSTEM_VIEW_GAS.min(inputs.gas_limit));
            (InstructionResult::Revert, data)
        }
    };
    CallOutcome::new(
        InterpreterResult {
            result,
            output,
            gas,
        },
        inputs.return_memory_offset.clone(),
    )
}

impl<CTX: ContextTr> Inspector<CTX> for SystemDispatch {
    fn call(&mut self, context: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        self.frames.enter(&mut self.net, self.events.len());
        if inputs.gas_limit < SYSTEM_CALL_GAS && self.serves(inputs, context) {
            // Out of gas before anything happens (no protocol change, no log).
            self.starved = true;
            return Some(CallOutcome::new_oog(
                inputs.gas_limit,
                inputs.return_memory_offset.clone(),
                inputs.reservoir,
            ));
        }
        let r = self.system_call(context, inputs)?;
        Some(outcome(inputs, r))
    }

    fn call_end(&mut self, _context: &mut CTX, _inputs: &CallInputs, outcome: &mut CallOutcome) {
        let reverted = !outcome.result.result.is_ok();
        self.frames.exit(reverted, &mut self.net, &mut self.events);
    }

    fn create(&mut self, _context: &mut CTX, _inputs: &mut CreateInputs) -> Option<CreateOutcome> {
        self.frames.enter(&mut self.net, self.events.len());
        None
    }

    fn create_end(
        &mut self,
        _context: &mut CTX,
        _inputs: &CreateInputs,
        outcome: &mut CreateOutcome,
    ) {
        let reverted = !outcome.result.result.is_ok();
        self.frames.exit(reverted, &mut self.net, &mut self.events);
    }
}
