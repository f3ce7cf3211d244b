//! Destination calls into user contracts: the protocol's `executeBundle` (one state machine)
//! delivers each call whose target has EVM code through [`EvmRecipients`], which runs the
//! target's ERC-7786 `receiveMessage(bytes32 receiveId, bytes sender, bytes payload)` in a
//! nested revm, inside the system call's frame of the enclosing transaction.
//!
//! The nested EVM reads nonces, code and storage through the enclosing transaction's journal
//! (so it sees that transaction's earlier writes) and balances from the protocol state of the
//! execution in progress. Its storage, code, nonce and log changes are written back into the
//! enclosing journal under a checkpoint the dispatcher reverts if the protocol action fails;
//! its balance moves go to the protocol as transfers, which the dispatcher mirrors into the
//! journal as it does for every system call. A revert, a halt or a wrong return value makes the
//! protocol's execution fail, so nothing of the bundle happens (ERC-7786 semantics as
//! InteropHandler implements them, era-contracts@4859b6f:l1-contracts/contracts/interop/
//! InteropHandler.sol).
//!
//! Model choices: the delivery runs as a nested transaction from the InteropHandler (its gas,
//! intrinsic 21,000 included, is charged to the system call on top of the flat
//! `SYSTEM_CALL_GAS`, out of the call's gas); a failed delivery reverts with `Error(string)`
//! holding the protocol's `CallReverted` message (the receiver's revert data in hex inside),
//! not with the receiver's revert data bubbled up; transient storage is the nested run's own,
//! and a self-destruct inside it is not carried back. From inside it, InteropCenter's
//! `sendBundle` and `sendMessage` work (A → B → C, applied inside the execution through
//! `RecipientContext::apply`, each nested frame checkpointed and restored on revert); other
//! system contracts revert with a reason there.

use crate::system;
use alloy_primitives::{Address, Bytes, Log, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use flywheel_protocol::chain::INTEROP_CENTER;
use flywheel_protocol::chain::INTEROP_HANDLER;
use flywheel_protocol::interop::recipient::{
    Checkpoint, ExternalRecipients, ReceivedMessage, RecipientContext,
};
use flywheel_protocol::ChainId;
use revm::bytecode::Bytecode;
use revm::context::result::ExecutionResult;
use revm::context::{BlockEnv, TxEnv};
use revm::context_interface::journaled_state::account::JournaledAccountTr;
use revm::context_interface::{Block, Cfg, ContextTr, JournalTr};
use revm::database_interface::{DBErrorMarker, Database};
use revm::interpreter::{CallInputs, CallOutcome, CallScheme, CreateInputs, CreateOutcome};
use revm::primitives::{TxKind, KECCAK_EMPTY};
use revm::state::AccountInfo;
use revm::{Context, InspectEvm, Inspector, MainBuilder, MainContext};
use std::cell::RefCell;

/// The recipient interface of ERC-7786 as InteropHandler calls it: `receiveMessage(bytes32
/// receiveId, bytes sender, bytes payload) payable returns (bytes4)`
/// (era-contracts@4859b6f:l1-contracts/contracts/interop/IERC7786Recipient.sol), called with
/// the call's value, whose return must be its own selector, else `InvalidSelector(bytes4 func)`
/// (era-contracts@4859b6f:l1-contracts/contracts/interop/InteropHandler.sol, `_executeCalls`;
/// the error in `common/L1ContractErrors.sol`).
#[allow(missing_docs)]
pub mod abi {
    alloy_sol_types::sol! {
        function receiveMessage(bytes32 receiveId, bytes sender, bytes payload) external payable returns (bytes4);
        error InvalidSelector(bytes4 func);
    }
}

/// Why the nested EVM could not read the enclosing journal (the devnet's database reads memory,
/// so this is not expected; it fails the delivery rather than guessing).
#[derive(Debug, Clone, thiserror::Error)]
#[error("nested EVM read failed: {0}")]
pub struct NestedDbError(String);

impl DBErrorMarker for NestedDbError {}

/// The nested EVM's view: the enclosing journal for nonces, code and storage; the protocol
/// execution in progress for balances, with the call's value shown still at the
/// InteropHandler, since revm moves it with the call.
struct NestedDb<'j, 'r, 'c, 'e, 'a, CTX> {
    ctx: &'j mut CTX,
    recipient: &'r RefCell<&'c mut RecipientContext<'e, 'a>>,
    target: Address,
    value: U256,
}

impl<CTX> NestedDb<'_, '_, '_, '_, '_, CTX> {
    /// The balance revm starts from: the protocol's, less the call's value at the target (the
    /// protocol has already credited it) and plus it at the InteropHandler (which sends it).
    fn balance(&self, who: Address) -> Result<U256, NestedDbError> {
        let mut b = self.recipient.try_borrow().map_err(db_err)?.balance_of(who);
        if who == self.target {
            b = b.saturating_sub(self.value);
        }
        if who == INTEROP_HANDLER {
            b = b.saturating_add(self.value);
        }
        Ok(b)
    }
}

fn db_err(e: impl std::fmt::Display) -> NestedDbError {
    NestedDbError(e.to_string())
}

impl<CTX: ContextTr> Database for NestedDb<'_, '_, '_, '_, '_, CTX> {
    type Error = NestedDbError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, NestedDbError> {
        let balance = self.balance(address)?;
        let acct = self
            .ctx
            .journal_mut()
            .load_account_with_code(address)
            .map_err(db_err)?;
        let info = &acct.data.info;
        Ok(Some(AccountInfo {
            balance,
            nonce: info.nonce,
            code_hash: info.code_hash,
            code: info.code.clone(),
            ..AccountInfo::default()
        }))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, NestedDbError> {
        self.ctx
            .journal_mut()
            .db_mut()
            .code_by_hash(code_hash)
            .map_err(db_err)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, NestedDbError> {
        let journal = self.ctx.journal_mut();
        journal.load_account(address).map_err(db_err)?;
        Ok(journal.sload(address, index).map_err(db_err)?.data)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, NestedDbError> {
        self.ctx
            .journal_mut()
            .db_mut()
            .block_hash(number)
            .map_err(db_err)
    }
}

/// System calls from inside a delivered call (A → B → C: a receiver sends onward). The
/// protocol action running the delivery is in progress, so InteropCenter's `sendBundle` and
/// `sendMessage` are applied inside it through [`RecipientContext::apply`] — one state
/// machine, their events part of the execution, undone with it — and logged as the contract
/// logs them. Every frame of the nested EVM takes a checkpoint of the execution and returns
/// to it if it reverts, as [`crate::dispatch::FrameJournal`] does for transactions. Other
/// system contracts are not reachable from here (such a call reverts with a reason).
struct NestedSystem<'r, 'c, 'e, 'a> {
    recipient: &'r RefCell<&'c mut RecipientContext<'e, 'a>>,
    frames: Vec<Option<Checkpoint>>,
    /// A system call here was refused for want of gas.
    starved: bool,
    /// The first failure of the bookkeeping itself (not a refusal): fails the delivery.
    broken: Option<String>,
}

impl NestedSystem<'_, '_, '_, '_> {
    fn enter(&mut self) {
        let cp = self
            .recipient
            .try_borrow_mut()
            .ok()
            .map(|mut r| r.checkpoint());
        if cp.is_none() {
            self.broken
                .get_or_insert_with(|| "checkpoint unavailable".into());
        }
        self.frames.push(cp);
    }

    fn exit(&mut self, reverted: bool) {
        if let Some(Some(cp)) = self.frames.pop() {
            match self.recipient.try_borrow_mut() {
                Ok(mut r) if reverted => r.revert_to(cp),
                Ok(mut r) => r.commit(cp),
                Err(_) => {
                    self.broken
                        .get_or_insert_with(|| "checkpoint close unavailable".into());
                }
            }
        }
    }

    /// A send from `inputs.caller`: applied inside the execution, its balance moves (from the
    /// network's journal) mirrored into the nested journal, its logs written. The sender and
    /// the InteropCenter, which a send always touches, are loaded first (as the contract's
    /// own accesses would warm them).
    fn send<C: ContextTr<Journal: JournalTr<State = revm::state::EvmState>>>(
        &mut self,
        context: &mut C,
        inputs: &CallInputs,
    ) -> Result<(Bytes, u64), Bytes> {
        let data = inputs.input.bytes(context);
        if inputs.is_static {
            return Err(Bytes::new());
        }
        let (chain, asset) = {
            let r = self.recipient.try_borrow().map_err(|_| reason("busy"))?;
            (
                r.chain(),
                r.base_token().map_err(|e| reason(&e.to_string()))?,
            )
        };
        let Some(Ok((action, originals))) =
            crate::dispatch::send_action(chain, inputs.caller, inputs.value.get(), &data)
        else {
            return Err(Bytes::new());
        };
        let is_message = matches!(
            action,
            flywheel_protocol::network::Action::SendMessage { .. }
        );
        for who in [inputs.caller, INTEROP_CENTER] {
            context
                .journal_mut()
                .load_account(who)
                .map_err(|e| reason(&e.to_string()))?;
        }
        // The send's balance changes, read from the network's journal above a checkpoint of
        // its own, as (account, before, now) on this chain's base token.
        let (evs, moved) = {
            let mut r = self
                .recipient
                .try_borrow_mut()
                .map_err(|_| reason("busy"))?;
            let cp = r.checkpoint();
            let evs = match r.apply(action) {
                Ok(evs) => evs,
                Err(e) => {
                    r.revert_to(cp);
                    return Err(crate::dispatch::revert_data(&e));
                }
            };
            let moved: Vec<(Address, U256, U256)> = r
                .balances_changed_since(&cp)
                .into_iter()
                .filter(|c| c.chain == chain && c.asset == asset)
                .map(|c| (c.account, c.before, r.balance_of(c.account)))
                .collect();
            r.commit(cp);
            (evs, moved)
        };
        for (who, was, now) in moved {
            // An account the nested EVM has not loaded yet reads the protocol's balance, which
            // already has the change; one it holds moves by the difference.
            let held = context.journal().evm_state().contains_key(&who);
            let mut acct = context
                .journal_mut()
                .load_account_mut(who)
                .map_err(|e| reason(&e.to_string()))?;
            if !held {
                continue;
            }
            if now > was {
                acct.data.incr_balance(now - was);
            } else {
                acct.data.decr_balance(was - now);
            }
        }
        let id = crate::dispatch::log_send(context, chain, &evs, &originals, is_message)?;
        Ok((id.abi_encode().into(), crate::dispatch::SYSTEM_CALL_GAS))
    }
}

fn reason(msg: &str) -> Bytes {
    system::abi::Error {
        message: msg.into(),
    }
    .abi_encode()
    .into()
}

impl<C: ContextTr<Journal: JournalTr<State = revm::state::EvmState>>> Inspector<C>
    for NestedSystem<'_, '_, '_, '_>
{
    fn call(&mut self, context: &mut C, inputs: &mut CallInputs) -> Option<CallOutcome> {
        self.enter();
        let to = inputs.bytecode_address;
        if !system::is_system_address(to) {
            return None;
        }
        if to == flywheel_protocol::fee_flow::fee_flow_address()
            && inputs.input.bytes(context).is_empty()
        {
            return None;
        }
        if inputs.gas_limit < crate::dispatch::SYSTEM_CALL_GAS {
            self.starved = true;
            return Some(CallOutcome::new_oog(
                inputs.gas_limit,
                inputs.return_memory_offset.clone(),
                inputs.reservoir,
            ));
        }
        let sends = to == INTEROP_CENTER
            && matches!(inputs.scheme, CallScheme::Call)
            && matches!(
                inputs.input.bytes(context).get(..4),
                Some(s) if s == system::abi::sendBundleCall::SELECTOR
                    || s == system::abi::sendMessageCall::SELECTOR
            );
        let r = if sends {
            self.send(context, inputs)
        } else {
            Err(reason(
                "only InteropCenter's sendBundle and sendMessage can be called from inside receiveMessage",
            ))
        };
        Some(crate::dispatch::outcome(inputs, r))
    }

    fn call_end(&mut self, _context: &mut C, _inputs: &CallInputs, outcome: &mut CallOutcome) {
        self.exit(!outcome.result.result.is_ok());
    }

    fn create(&mut self, _context: &mut C, _inputs: &mut CreateInputs) -> Option<CreateOutcome> {
        self.enter();
        None
    }

    fn create_end(
        &mut self,
        _context: &mut C,
        _inputs: &CreateInputs,
        outcome: &mut CreateOutcome,
    ) {
        self.exit(!outcome.result.result.is_ok());
    }
}

/// The devnet's [`ExternalRecipients`]: contracts with EVM code on the destination chain,
/// run in revm inside the enclosing transaction's system call.
pub struct EvmRecipients<'c, CTX> {
    ctx: &'c mut CTX,
    chain: ChainId,
    /// Gas the nested calls may still use (the system call's gas beyond its flat charge).
    pub gas_left: u64,
    /// Gas the nested calls used, charged to the system call on top of its flat charge.
    pub gas_used: u64,
    /// A system call inside a delivery ran out of gas (its caller may have carried on):
    /// `eth_estimateGas` then looks for more gas, as for a transaction's own system calls.
    pub starved: bool,
}

impl<'c, CTX: ContextTr> EvmRecipients<'c, CTX> {
    /// Recipients on `chain`, reading and writing through `ctx`'s journal, with `gas` for all
    /// the deliveries of one action.
    pub fn new(ctx: &'c mut CTX, chain: ChainId, gas: u64) -> Self {
        Self {
            ctx,
            chain,
            gas_left: gas,
            gas_used: 0,
            starved: false,
        }
    }

    /// Writes the nested run's non-balance changes and logs into the enclosing journal.
    fn write_back(&mut self, state: &revm::state::EvmState, logs: &[Log]) -> Result<(), String> {
        let mut touched: Vec<_> = state.iter().filter(|(_, a)| a.is_touched()).collect();
        touched.sort_by_key(|(a, _)| **a);
        let journal = self.ctx.journal_mut();
        for (addr, acct) in touched {
            if *addr == INTEROP_HANDLER {
                // Its nonce moved only because it was the nested transaction's sender.
                continue;
            }
            let mut loaded = journal
                .load_account_with_code_mut(*addr)
                .map_err(|e| e.to_string())?;
            if loaded.data.nonce() != acct.info.nonce {
                loaded.data.set_nonce(acct.info.nonce);
            }
            let new_code = *loaded.data.code_hash() != acct.info.code_hash
                && acct.info.code_hash != KECCAK_EMPTY;
            drop(loaded);
            if new_code {
                if let Some(code) = &acct.info.code {
                    journal.set_code_with_hash(*addr, code.clone(), acct.info.code_hash);
                }
            }
            for (key, slot) in acct.storage.iter().filter(|(_, s)| s.is_changed()) {
                journal
                    .sstore(*addr, *key, slot.present_value)
                    .map_err(|e| e.to_string())?;
            }
        }
        for log in logs {
            journal.log(log.clone());
        }
        Ok(())
    }
}

impl<CTX: ContextTr> ExternalRecipients for EvmRecipients<'_, CTX> {
    fn has_code(&mut self, chain: ChainId, address: Address) -> bool {
        chain == self.chain
            && self
                .ctx
                .journal_mut()
                .load_account_with_code(address)
                .is_ok_and(|a| a.data.info.code_hash != KECCAK_EMPTY)
    }

    fn receive_message(
        &mut self,
        ctx: &mut RecipientContext<'_, '_>,
        message: &ReceivedMessage,
    ) -> Result<(), String> {
        let target = ctx.this();
        let data: Bytes = abi::receiveMessageCall {
            receiveId: message.send_id,
            sender: message.sender.encode(),
            payload: message.payload.clone(),
        }
        .abi_encode()
        .into();
        let (chain_id, number, timestamp, coinbase) = {
            let (b, c) = (self.ctx.block(), self.ctx.cfg());
            (c.chain_id(), b.number(), b.timestamp(), b.beneficiary())
        };
        let tx = TxEnv {
            caller: INTEROP_HANDLER,
            kind: TxKind::Call(target),
            value: message.value,
            data,
            gas_limit: self.gas_left,
            gas_price: 0,
            chain_id: Some(chain_id),
            ..TxEnv::default()
        };
        let cell = RefCell::new(ctx);
        let db = NestedDb {
            ctx: &mut *self.ctx,
            recipient: &cell,
            target,
            value: message.value,
        };
        let inspector = NestedSystem {
            recipient: &cell,
            frames: Vec::new(),
            starved: false,
            broken: None,
        };
        let mut evm = Context::mainnet()
            .with_db(db)
            .modify_cfg_chained(|cfg| {
                cfg.chain_id = chain_id;
                cfg.spec = crate::evm::SPEC;
                cfg.disable_nonce_check = true;
                cfg.disable_base_fee = true;
            })
            .modify_block_chained(|b: &mut BlockEnv| {
                b.number = number;
                b.timestamp = timestamp;
                b.beneficiary = coinbase;
                b.gas_limit = crate::evm::BLOCK_GAS_LIMIT;
                b.basefee = 0;
            })
            .build_mainnet_with_inspector(inspector);
        let out = evm.inspect_tx(tx).map_err(|e| e.to_string())?;
        self.starved |= evm.inspector.starved;
        if let Some(broken) = evm.inspector.broken.take() {
            return Err(format!("nested system call: {broken}"));
        }
        drop(evm);
        let ctx = cell.into_inner();
        let (result, state) = (out.result, out.state);
        let gas_used = result.tx_gas_used();
        self.gas_used = self.gas_used.saturating_add(gas_used);
        self.gas_left = self.gas_left.saturating_sub(gas_used);
        let logs = match result {
            ExecutionResult::Success { output, logs, .. } => {
                let want = abi::receiveMessageCall::SELECTOR;
                let got = output.data().get(..4).unwrap_or_default();
                if got != want {
                    let mut sel = [0u8; 4];
                    sel[..got.len()].copy_from_slice(got);
                    return Err(format!(
                        "InvalidSelector(0x{}): receiveMessage returned {}",
                        alloy_primitives::hex::encode(sel),
                        output.data()
                    ));
                }
                logs
            }
            ExecutionResult::Revert { output, .. } => {
                return Err(format!("receiveMessage reverted: {output}"))
            }
            ExecutionResult::Halt { reason, .. } => {
                return Err(format!("receiveMessage halted: {reason:?}"))
            }
        };
        // Balance moves: revm's final balances against the protocol's (the call's value is
        // already at the target there), matched payer to payee as transfers.
        let mut payers: Vec<(Address, U256)> = Vec::new();
        let mut payees: Vec<(Address, U256)> = Vec::new();
        let mut touched: Vec<_> = state.iter().filter(|(_, a)| a.is_touched()).collect();
        touched.sort_by_key(|(a, _)| **a);
        for (addr, acct) in &touched {
            let before = ctx.balance_of(**addr);
            let after = acct.info.balance;
            if after < before {
                payers.push((**addr, before - after));
            } else if after > before {
                payees.push((**addr, after - before));
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < payers.len() && j < payees.len() {
            let amount = payers[i].1.min(payees[j].1);
            ctx.move_base(payers[i].0, payees[j].0, amount)
                .map_err(|e| e.to_string())?;
            payers[i].1 -= amount;
            payees[j].1 -= amount;
            if payers[i].1.is_zero() {
                i += 1;
            }
            if payees[j].1.is_zero() {
                j += 1;
            }
        }
        if i < payers.len() || j < payees.len() {
            return Err("the nested EVM's balance changes do not balance".into());
        }
        self.write_back(&state, &logs)?;
        Ok(())
    }
}
