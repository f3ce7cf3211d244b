//! The L2 base token system contract's `withdraw`: burns `msg.value` on L2 and sends the
//! L2→L1 message `finalizeEthWithdrawal.selector ‖ l1Receiver ‖ amount` through the L1
//! messenger (era-contracts@4859b6f:l1-contracts/contracts/l2-system/L2BaseTokenBase.sol,
//! `_getL1WithdrawMessage`).

use super::native_token_vault::l1_base_asset;
use super::{BridgeError, BridgeEvent, Withdrawal};
use crate::chain::MessageLocation;
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::Exec;
use crate::ChainId;
use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;

/// `L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR` = `SYSTEM_CONTRACTS_OFFSET + 0x0a`: the sender of a
/// base-token withdrawal message
/// (era-contracts@4859b6f:l1-contracts/contracts/common/l2-helpers/L2ContractAddresses.sol).
pub const L2_BASE_TOKEN: Address =
    alloy_primitives::address!("000000000000000000000000000000000000800a");

/// The withdrawal message: `abi.encodePacked(finalizeEthWithdrawal.selector, l1Receiver,
/// amount)`, 56 bytes.
pub fn withdrawal_message(l1_receiver: Address, amount: U256) -> Bytes {
    let mut m = Vec::with_capacity(56);
    m.extend_from_slice(&super::abi::finalizeEthWithdrawalCall::SELECTOR);
    m.extend_from_slice(l1_receiver.as_slice());
    m.extend_from_slice(&amount.to_be_bytes::<32>());
    m.into()
}

impl Exec<'_> {
    /// `withdraw(l1Receiver)` on `chain` with `msg.value` = `amount`.
    pub(crate) fn withdraw_base(
        &mut self,
        chain: ChainId,
        sender: Address,
        l1_receiver: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        let (_, asset) = l1_base_asset(&self.state, chain)?;
        self.require_balance(chain, asset, sender, amount)?;
        let c = self.state.chain(chain)?;
        let index = c.pending_logs.len();
        if index >= crate::merkle::L2_TO_L1_LOGS_TREE_LEAVES {
            return Err(BridgeError::BatchFull { chain }.into());
        }
        let index = u32::try_from(index).map_err(|_| BridgeError::BatchFull { chain })?;
        let location = MessageLocation {
            batch: c.next_batch_number(),
            index,
            // invariant: index < 16,384 fits u16.
            tx_number: self.tx_number.unwrap_or(index as u16),
        };
        self.emit(Event::Bridge(BridgeEvent::WithdrawalInitiated {
            chain,
            from: sender,
            location,
            l2_sender: L2_BASE_TOKEN,
            message: withdrawal_message(l1_receiver, amount),
            withdrawal: Withdrawal {
                asset,
                amount,
                l1_receiver,
                l2_sender: sender,
            },
        }));
        Ok(())
    }
}
