//! The L1 nullifier's withdrawal finalization, `finalizeDeposit(FinalizeL1DepositParams)`,
//! with the contract's steps in its order: refused when already finalized
//! (`WithdrawalAlreadyFinalized`) and marked finalized; the message parsed
//! (`_parseL2WithdrawalMessage`: a base-token withdrawal, `InvalidSelector` otherwise,
//! `L2WithdrawalMessageWrongLength`); its L2 sender checked (`WrongL2Sender`); its inclusion
//! proven against a root L1 holds (`InvalidProof`); the asset router's `finalizeDeposit`
//! releasing the funds from the vault's balance for the chain
//! (era-contracts@4859b6f:l1-contracts/contracts/bridge/L1Nullifier.sol,
//! `common/libraries/DataEncoding.sol` `decodeBaseTokenFinalizeWithdrawalData`,
//! `bridge/asset-router/L1AssetRouter.sol`, `bridge/ntv/L1NativeTokenVault.sol`).
//!
//! Model scope: ERC-20 withdrawals through the L2 asset router are not modelled, so an
//! asset-router message is refused as `InvalidSelector`.

use super::base_token::L2_BASE_TOKEN;
use super::native_token_vault::l1_base_asset;
use super::{BridgeError, BridgeEvent, FinalizeParams};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::Exec;
use crate::settlement::{self, L2Message, MessageInclusionProof};
use alloy_primitives::{Address, FixedBytes, U256};
use alloy_sol_types::SolCall;

/// `decodeBaseTokenFinalizeWithdrawalData` after the selector check: (receiver, amount) of a
/// base-token withdrawal message, or the contract's error.
pub fn parse_base_withdrawal(message: &[u8]) -> Result<(Address, U256), BridgeError> {
    let mut sel = [0u8; 4];
    for (d, s) in sel.iter_mut().zip(message) {
        *d = *s;
    }
    if sel != super::abi::finalizeEthWithdrawalCall::SELECTOR {
        return Err(BridgeError::InvalidSelector {
            selector: FixedBytes(sel),
        });
    }
    let (Some(receiver), Some(amount)) = (message.get(4..24), message.get(24..56)) else {
        return Err(BridgeError::L2WithdrawalMessageWrongLength { len: message.len() });
    };
    Ok((Address::from_slice(receiver), U256::from_be_slice(amount)))
}

impl Exec<'_> {
    /// `finalizeDeposit(params)`: releases the withdrawn funds to the message's receiver, once.
    pub(crate) fn finalize_withdrawal(&mut self, p: FinalizeParams) -> Result<(), ProtocolError> {
        let chain = p.chain;
        if self
            .state
            .bridge
            .is_withdrawal_finalized(chain, p.batch, p.index)
        {
            return Err(BridgeError::WithdrawalAlreadyFinalized {
                chain,
                batch: p.batch,
                index: p.index,
            }
            .into());
        }
        let (receiver, amount) = parse_base_withdrawal(&p.message)?;
        // A base-token withdrawal: the asset is the chain's base token (model scope: native
        // to L1), and only the L2 base token system contract sends it.
        let (l1, asset) = l1_base_asset(&self.state, chain)?;
        if p.l2_sender != L2_BASE_TOKEN {
            return Err(BridgeError::WrongL2Sender {
                provided: p.l2_sender,
            }
            .into());
        }
        let proof = MessageInclusionProof {
            chain_id: chain,
            l1_batch_number: p.batch,
            l2_message_index: p.index,
            message: L2Message {
                tx_number_in_batch: p.tx_number,
                sender: p.l2_sender,
                data: p.message.clone(),
            },
            proof: p.proof,
        };
        let l1_chain = self.state.chain(l1)?;
        settlement::proven_root(&proof)
            .and_then(|r| r.check(l1_chain))
            .map_err(|e| BridgeError::InvalidProof {
                reason: e.to_string(),
            })?;
        self.vault_release(l1, chain, asset, receiver, amount)?;
        self.emit(Event::Bridge(BridgeEvent::WithdrawalFinalized {
            chain,
            batch: p.batch,
            index: p.index,
            asset,
            amount,
            receiver,
        }));
        Ok(())
    }
}
