//! Transaction filterers: the L1 contract a chain's Mailbox asks before it queues an L1→L2
//! request (`ITransactionFilterer.isTransactionAllowed`,
//! `era-contracts@4859b6f:l1-contracts/contracts/state-transition/chain-interfaces/ITransactionFilterer.sol`).
//! A chain names its filterer by address; the code at that address lives in
//! [`crate::interop::recipient::Code`] like other contract code, and may read the network's
//! state (a filterer with a whitelist keeps it there).

use crate::network::State;
use alloy_primitives::{Address, Bytes, U256};
use std::collections::BTreeSet;
use std::fmt::Debug;

/// The arguments of `isTransactionAllowed(sender, contractL2, mintValue, l2Value, l2Calldata,
/// refundRecipient)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterRequest<'a> {
    /// L1 sender.
    pub sender: Address,
    /// L2 target.
    pub contract_l2: Address,
    /// Minted value.
    pub mint_value: U256,
    /// Value to the target.
    pub l2_value: U256,
    /// Calldata.
    pub l2_calldata: &'a Bytes,
    /// Refund recipient.
    pub refund_recipient: Address,
}

/// A transaction filterer contract.
pub trait TransactionFilterer: Debug + Send + Sync {
    /// Whether the Mailbox may queue the request.
    fn is_transaction_allowed(&self, state: &State, request: &FilterRequest<'_>) -> bool;
}

/// A filterer whose whitelisted senders may send anything and everyone else nothing: the
/// common core of `GatewayTransactionFilterer` and `PrividiumTransactionFilterer`
/// (`era-contracts@4859b6f:l1-contracts/contracts/transactionFilterer/`), with the whitelist
/// fixed when it is deployed. Model choice: those contracts also let deposits through the
/// asset router under their own rules, and their owners edit the whitelist; a chain that needs
/// those rules deploys its own [`TransactionFilterer`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderWhitelist {
    /// Senders allowed to send L1→L2 requests.
    pub senders: BTreeSet<Address>,
}

impl SenderWhitelist {
    /// A whitelist of `senders`.
    pub fn new(senders: impl IntoIterator<Item = Address>) -> Self {
        Self {
            senders: senders.into_iter().collect(),
        }
    }
}

impl TransactionFilterer for SenderWhitelist {
    fn is_transaction_allowed(&self, _state: &State, request: &FilterRequest<'_>) -> bool {
        self.senders.contains(&request.sender)
    }
}
