//! Contracts on chains: interop call targets (ERC-7786 recipients) and indirect-call targets,
//! plus the context through which their code acts on the network.
//!
//! Contract code is not state: a [`Code`] registry maps (chain, address) to code, and the
//! state it acts on lives in the network. Everything a contract does goes through the same
//! event-emitting paths as users' actions, inside the action that called it, so a revert
//! anywhere undoes all of it.

use super::bundle::InteropCallStarter;
use crate::address::InteropAddress;
use crate::chain::AssetId;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::Exec;
use crate::ChainId;
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolValue};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

/// A call as delivered to its target (the arguments of `receiveMessage`, plus the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// ERC-7786 receive id (the source's send id).
    pub send_id: B256,
    /// Chain the bundle came from.
    pub source_chain: ChainId,
    /// ERC-7930 sender: (source chain, call.from).
    pub sender: InteropAddress,
    /// The call's data.
    pub payload: Bytes,
    /// Base-token value delivered with the call (already credited to the target).
    pub value: U256,
}

/// A contract that receives interop calls (`IERC7786Recipient`). Returning `Err` reverts the
/// whole execute or unbundle action.
pub trait InteropRecipient: Debug + Send + Sync {
    /// Handles one delivered call.
    fn receive_message(
        &self,
        ctx: &mut RecipientContext<'_, '_>,
        message: &ReceivedMessage,
    ) -> Result<(), String>;
}

/// Contract code that lives outside the protocol (the devnet's EVM contracts): consulted by
/// `executeBundle`/`unbundleBundle` for a call target without protocol code, inside the same
/// action, so an `Err` reverts the whole execution as a built-in recipient's does.
pub trait ExternalRecipients {
    /// Whether `address` on `chain` has code this resolver runs.
    fn has_code(&mut self, chain: ChainId, address: Address) -> bool;

    /// Runs the target's `receiveMessage` for one delivered call (its value already credited
    /// to the target, as for built-in recipients).
    fn receive_message(
        &mut self,
        ctx: &mut RecipientContext<'_, '_>,
        message: &ReceivedMessage,
    ) -> Result<(), String>;
}

/// A source-side contract that turns an indirect call into the call to make on the
/// destination (the asset router's role for token transfers; `IL2CrossChainSender`,
/// `era-contracts@4859b6f:l1-contracts/contracts/bridge/interfaces/IL2CrossChainSender.sol`).
pub trait IndirectCallTarget: Debug + Send + Sync {
    /// `initiateIndirectCall(destination, sender, call_value, data)` with `msg_value` (the
    /// starter's `indirectCall` value, already credited to the target): returns the
    /// destination call, which must ask for exactly `call_value` (its `interopCallValue`).
    fn initiate_indirect_call(
        &self,
        ctx: &mut IndirectContext<'_, '_>,
        destination: ChainId,
        sender: Address,
        call_value: U256,
        data: &Bytes,
        msg_value: U256,
    ) -> Result<InteropCallStarter, String>;
}

/// The code deployed on the network's chains.
#[derive(Debug, Clone, Default)]
pub struct Code {
    recipients: BTreeMap<(ChainId, Address), Arc<dyn InteropRecipient>>,
    indirect: BTreeMap<(ChainId, Address), Arc<dyn IndirectCallTarget>>,
    filterers: BTreeMap<Address, Arc<dyn crate::priority::filterer::TransactionFilterer>>,
}

impl Code {
    /// Deploys a recipient at `address` on `chain`.
    pub fn deploy_recipient(
        &mut self,
        chain: ChainId,
        address: Address,
        code: Arc<dyn InteropRecipient>,
    ) {
        self.recipients.insert((chain, address), code);
    }

    /// Deploys an indirect-call target at `address` on `chain`.
    pub fn deploy_indirect(
        &mut self,
        chain: ChainId,
        address: Address,
        code: Arc<dyn IndirectCallTarget>,
    ) {
        self.indirect.insert((chain, address), code);
    }

    /// The recipient at (chain, address), if any.
    pub fn recipient(&self, chain: ChainId, address: Address) -> Option<Arc<dyn InteropRecipient>> {
        self.recipients.get(&(chain, address)).cloned()
    }

    /// The indirect-call target at (chain, address), if any.
    pub fn indirect(
        &self,
        chain: ChainId,
        address: Address,
    ) -> Option<Arc<dyn IndirectCallTarget>> {
        self.indirect.get(&(chain, address)).cloned()
    }

    /// Deploys a transaction filterer at `address` on L1.
    pub fn deploy_filterer(
        &mut self,
        address: Address,
        code: Arc<dyn crate::priority::filterer::TransactionFilterer>,
    ) {
        self.filterers.insert(address, code);
    }

    /// The transaction filterer at `address` on L1, if any.
    pub fn filterer(
        &self,
        address: Address,
    ) -> Option<Arc<dyn crate::priority::filterer::TransactionFilterer>> {
        self.filterers.get(&address).cloned()
    }
}

/// What a recipient's code may do while it handles a call: act as itself on its chain.
pub struct RecipientContext<'e, 'a> {
    pub(crate) exec: &'e mut Exec<'a>,
    pub(crate) chain: ChainId,
    pub(crate) this: Address,
}

/// What an indirect-call target's code may do: the same powers on the source chain.
pub type IndirectContext<'e, 'a> = RecipientContext<'e, 'a>;

impl RecipientContext<'_, '_> {
    /// The chain the contract runs on.
    pub fn chain(&self) -> ChainId {
        self.chain
    }

    /// The contract's own address.
    pub fn this(&self) -> Address {
        self.this
    }

    /// Any account's balance of the chain's base token (what external code reads while it
    /// runs inside the delivery).
    pub fn balance_of(&self, who: Address) -> U256 {
        self.exec
            .state
            .chain(self.chain)
            .map(|c| c.base_balance(who))
            .unwrap_or_default()
    }

    /// Moves base token between two accounts whose code ran inside this delivery: external
    /// code (an EVM call tree started by the target) reports the value its frames moved.
    pub fn move_base(
        &mut self,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        let asset = self.base_token()?;
        self.exec.require_balance(self.chain, asset, from, amount)?;
        self.exec.emit(Event::Transferred {
            chain: self.chain,
            asset,
            from,
            to,
            amount,
        });
        Ok(())
    }

    /// The contract's balance of its chain's base token.
    pub fn base_balance(&self) -> U256 {
        self.exec
            .state
            .chain(self.chain)
            .map(|c| c.base_balance(self.this))
            .unwrap_or_default()
    }

    /// The base-token fee per call a bundle sent from here pays now.
    pub fn interop_protocol_fee(&self) -> U256 {
        self.exec
            .state
            .chain(self.chain)
            .map(|c| c.interop_protocol_fee)
            .unwrap_or_default()
    }

    /// The chain's base token.
    pub fn base_token(&self) -> Result<AssetId, ProtocolError> {
        Ok(self.exec.state.chain(self.chain)?.config.base_token)
    }

    /// Transfers base token from the contract.
    pub fn transfer(&mut self, to: Address, amount: U256) -> Result<(), ProtocolError> {
        let asset = self.base_token()?;
        self.exec
            .require_balance(self.chain, asset, self.this, amount)?;
        self.exec.emit(Event::Transferred {
            chain: self.chain,
            asset,
            from: self.this,
            to,
            amount,
        });
        Ok(())
    }

    /// Sends a bundle from this contract (it pays the fees, as any sender does).
    pub fn send_bundle(
        &mut self,
        destination: ChainId,
        starters: &[InteropCallStarter],
        attributes: &[Bytes],
        value: U256,
    ) -> Result<B256, ProtocolError> {
        let dest = InteropAddress::chain_only(destination).encode();
        self.exec
            .send_bundle(self.chain, self.this, &dest, starters, attributes, value)
    }

    /// Applies `action` inside the execution in progress, all or nothing: external code
    /// (the devnet's EVM) calling a system contract while it handles a delivered call — a
    /// receiver that sends onward (A → B → C). Its events join the enclosing action's, so a
    /// failure of the enclosing action undoes them too; an `Err` here undoes only `action`.
    /// The caller is trusted to build an action this contract's code may take (its own
    /// sends on its own chain).
    pub fn apply(&mut self, action: crate::network::Action) -> Result<Vec<Event>, ProtocolError> {
        let saved = self.checkpoint();
        let events = saved.events;
        match self.exec.dispatch(action) {
            Ok(()) => {
                self.commit(saved);
                Ok(self.exec.out[events..].to_vec())
            }
            Err(e) => {
                self.revert_to(saved);
                Err(e)
            }
        }
    }

    /// Opens a checkpoint of the execution in progress in the network's undo journal, to
    /// return to if a frame of the external code reverts. Each must be closed, innermost
    /// first, with [`Self::revert_to`] or [`Self::commit`].
    pub fn checkpoint(&mut self) -> Checkpoint {
        Checkpoint {
            journal: self.exec.state.checkpoint(),
            events: self.exec.out.len(),
        }
    }

    /// Undoes everything applied through this context since `checkpoint` (and closes it).
    pub fn revert_to(&mut self, checkpoint: Checkpoint) {
        self.exec.state.revert_to(checkpoint.journal);
        self.exec.out.truncate(checkpoint.events);
    }

    /// Keeps what was applied since `checkpoint` (and closes it): the enclosing action can
    /// still undo it.
    pub fn commit(&mut self, checkpoint: Checkpoint) {
        self.exec.state.commit(checkpoint.journal);
    }

    /// The balances changed since `checkpoint` (still open), with their values then, from
    /// the network's undo journal: what external code mirroring balances must follow.
    pub fn balances_changed_since(
        &self,
        checkpoint: &Checkpoint,
    ) -> Vec<crate::journal::BalanceChange> {
        self.exec
            .state
            .journal()
            .balances_changed_since(&checkpoint.journal)
    }
}

/// A point in an execution in progress ([`RecipientContext::checkpoint`]).
#[derive(Debug, Clone, Copy)]
pub struct Checkpoint {
    journal: crate::journal::Checkpoint,
    events: usize,
}

sol! {
    /// Payload of [`InteropForwarder`]: where to send the value and data next.
    struct ForwardRequest {
        uint256 destinationChainId;
        address to;
        bytes data;
    }
}

/// A recipient that forwards what it receives onward in a new bundle: the building block of
/// chained A → B → C flows. It pays its chain's base-token fee out of the received value and
/// forwards the rest as the next call's value.
#[derive(Debug, Clone, Copy, Default)]
pub struct InteropForwarder;

impl InteropForwarder {
    /// Encodes the payload that asks the forwarder to send `data` with the remaining value to
    /// `to` on `destination`.
    pub fn payload(destination: ChainId, to: Address, data: Bytes) -> Bytes {
        ForwardRequest {
            destinationChainId: U256::from(destination),
            to,
            data,
        }
        .abi_encode()
        .into()
    }
}

impl InteropRecipient for InteropForwarder {
    fn receive_message(
        &self,
        ctx: &mut RecipientContext<'_, '_>,
        message: &ReceivedMessage,
    ) -> Result<(), String> {
        let req = ForwardRequest::abi_decode(&message.payload)
            .map_err(|e| format!("bad forward request: {e}"))?;
        let destination = u64::try_from(req.destinationChainId)
            .map_err(|_| "destination chain id too large".to_string())?;
        let fee = ctx.interop_protocol_fee();
        let onward = message.value.checked_sub(fee).ok_or_else(|| {
            format!(
                "received {} wei, the onward fee is {fee} wei",
                message.value
            )
        })?;
        let starter = InteropCallStarter {
            to: InteropAddress::address_only(req.to).encode(),
            data: req.data,
            call_attributes: vec![super::bundle::attr::call_value(onward)],
        };
        ctx.send_bundle(destination, &[starter], &[], message.value)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
