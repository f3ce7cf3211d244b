//! The L1 Bridgehub's request entry point: `requestL2TransactionDirect`, with the contract's
//! checks in its order — `msg.value` against the chain's base token
//! (`MsgValueMismatch`), the base token deposited into the vault through the asset router
//! (`bridgehubDepositBaseToken`), then the chain's Mailbox
//! (era-contracts@4859b6f:l1-contracts/contracts/core/bridgehub/L1Bridgehub.sol,
//! `bridge/asset-router/L1AssetRouter.sol`).

use super::mailbox::Request;
use super::native_token_vault::{l1_base_asset, l1_chain};
use super::{BridgeError, DirectRequest};
use crate::chain::{AssetId, ETH_TOKEN_ADDRESS};
use crate::error::ProtocolError;
use crate::network::{Exec, State};
use crate::ChainId;
use alloy_primitives::{Address, B256, U256};

/// `ETH_TOKEN_ASSET_ID`: ETH's asset id on this network's L1
/// (`encodeNTVAssetId(L1_CHAIN_ID, ETH_TOKEN_ADDRESS)`, `common/libraries/DataEncoding.sol`).
pub fn eth_asset_id(state: &State) -> Option<AssetId> {
    l1_chain(state).map(|l1| AssetId::native(l1, ETH_TOKEN_ADDRESS))
}

/// `baseTokenAssetId(chainId)` (zero when the chain is not registered).
pub fn base_token_asset_id(state: &State, chain: ChainId) -> Option<AssetId> {
    state
        .chains
        .get(&chain)
        .filter(|c| c.config.kind == crate::chain::ChainKind::ZkChain)
        .map(|c| c.config.base_token)
}

/// `baseToken(chainId)`: the base token's address on L1 (the vault's `tokenAddress`).
pub fn base_token(state: &State, chain: ChainId) -> Address {
    base_token_asset_id(state, chain).map_or(Address::ZERO, |a| {
        super::native_token_vault::token_address(state, a)
    })
}

impl Exec<'_> {
    /// `requestL2TransactionDirect`. Returns the request's canonical hash.
    pub(crate) fn request_direct(
        &mut self,
        sender: Address,
        msg_value: U256,
        req: DirectRequest,
        l1_gas_price: U256,
    ) -> Result<B256, ProtocolError> {
        let chain = req.chain;
        let asset = base_token_asset_id(&self.state, chain)
            .ok_or(BridgeError::ChainNotRegistered { chain })?;
        let expected = if Some(asset) == eth_asset_id(&self.state) {
            req.mint_value
        } else {
            U256::ZERO
        };
        if msg_value != expected {
            return Err(BridgeError::MsgValueMismatch {
                expected,
                provided: msg_value,
            }
            .into());
        }
        // `bridgehubDepositBaseToken`: the vault takes `mintValue` of the base token (ETH as
        // msg.value; an ERC-20 native to L1 by transfer — its allowance is not modelled).
        let (l1, asset) = l1_base_asset(&self.state, chain)?;
        self.vault_lock(l1, asset, sender, req.mint_value)?;
        self.mailbox_request(
            Request {
                chain,
                sender,
                contract_l2: req.l2_contract,
                mint_value: req.mint_value,
                l2_value: req.l2_value,
                calldata: req.l2_calldata,
                l2_gas_limit: req.l2_gas_limit,
                gas_per_pubdata: req.gas_per_pubdata,
                refund_recipient: req.refund_recipient,
                asset,
            },
            l1_gas_price,
        )
    }
}
