//! The native token vaults as far as bridging ETH (and any token native to L1) needs them:
//! asset ids (`encodeNTVAssetId`), the registry clients read (`assetId`, `tokenAddress`,
//! `originChainId`), and the L1 vault's per-chain balance: what it locks on a deposit and
//! releases on a finalized withdrawal
//! (era-contracts@4859b6f:l1-contracts/contracts/bridge/ntv/L1NativeTokenVault.sol,
//! `NativeTokenVaultBase.sol`, `bridge/asset-tracker/L1AssetTracker.sol`).

use super::{BridgeError, BridgeEvent};
use crate::chain::{AssetId, ChainKind};
use crate::error::ProtocolError;
use crate::event::Event;
use crate::network::{Exec, State};
use crate::ChainId;
use alloy_primitives::{Address, U256};

/// The L1 of the network (the chain of kind L1).
pub fn l1_chain(state: &State) -> Option<ChainId> {
    state
        .chains
        .values()
        .find(|c| c.config.kind == ChainKind::L1)
        .map(|c| c.config.id)
}

/// `assetId(token)` on the vault of chain `on`: the registered id of the token at `token`
/// there (zero when none is). A token is registered on the chain it is native to, and an
/// asset arriving on a chain is known there at the same address (model choice: one address
/// per token on every chain, as the devnet serves the ZK token).
pub fn asset_id(state: &State, token: Address) -> Option<AssetId> {
    state
        .assets
        .iter()
        .find(|(_, info)| info.token == token)
        .map(|(id, _)| *id)
}

/// `tokenAddress(assetId)` (zero when unregistered).
pub fn token_address(state: &State, asset: AssetId) -> Address {
    state.assets.get(&asset).map_or(Address::ZERO, |a| a.token)
}

/// `originChainId(assetId)` (zero when unregistered).
pub fn origin_chain_id(state: &State, asset: AssetId) -> ChainId {
    state.assets.get(&asset).map_or(0, |a| a.origin_chain)
}

/// The base token of ZK chain `chain` when it bridges from L1: registered in the Bridgehub
/// (a ZK chain of this network) and native to L1 (model scope: [`BridgeError::BaseTokenNotOnL1`]).
pub fn l1_base_asset(state: &State, chain: ChainId) -> Result<(ChainId, AssetId), ProtocolError> {
    let c = state
        .chains
        .get(&chain)
        .filter(|c| c.config.kind == ChainKind::ZkChain)
        .ok_or(BridgeError::ChainNotRegistered { chain })?;
    let l1 = l1_chain(state).ok_or(BridgeError::ChainNotRegistered { chain })?;
    let asset = c.config.base_token;
    let origin = origin_chain_id(state, asset);
    if origin != l1 {
        return Err(BridgeError::BaseTokenNotOnL1 { chain, origin }.into());
    }
    Ok((l1, asset))
}

impl Exec<'_> {
    /// Locks `amount` of `asset` from `from` in the L1 vault (msg.value or `transferFrom`
    /// into the vault): an L1 transfer to the vault's address.
    pub(crate) fn vault_lock(
        &mut self,
        l1: ChainId,
        asset: AssetId,
        from: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        self.require_balance(l1, asset, from, amount)?;
        self.emit(Event::Transferred {
            chain: l1,
            asset,
            from,
            to: super::addresses::l1_native_token_vault(),
            amount,
        });
        Ok(())
    }

    /// Releases `amount` of `asset` held for `chain` to `to` on L1, refused beyond the
    /// chain's balance (`InsufficientChainBalance`).
    pub(crate) fn vault_release(
        &mut self,
        l1: ChainId,
        chain: ChainId,
        asset: AssetId,
        to: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        let held = self.state.bridge.chain_balance(chain, asset);
        if held < amount {
            return Err(BridgeError::InsufficientChainBalance {
                chain,
                asset,
                amount,
                held,
            }
            .into());
        }
        self.emit(Event::Transferred {
            chain: l1,
            asset,
            from: super::addresses::l1_native_token_vault(),
            to,
            amount,
        });
        Ok(())
    }

    /// A filtered L1 request's L1 side (a Prividium's): `amount` of `asset`, when native to
    /// L1, locked from `payer` in the vault for `chain`.
    pub(crate) fn lock_on_l1(
        &mut self,
        chain: ChainId,
        asset: AssetId,
        payer: Address,
        amount: U256,
    ) -> Result<(), ProtocolError> {
        let Some(l1) = l1_chain(&self.state) else {
            return Ok(());
        };
        if amount.is_zero() || origin_chain_id(&self.state, asset) != l1 {
            return Ok(());
        }
        self.vault_lock(l1, asset, payer, amount)?;
        self.emit(Event::Bridge(BridgeEvent::ChainBalanceIncreased {
            chain,
            asset,
            amount,
        }));
        Ok(())
    }

    /// Model: backs what `chain` holds of its L1-native base token at genesis with the same
    /// amount in the L1 vault (funded there), so it can be withdrawn like deposited funds.
    /// Only what is not yet backed is added.
    pub(crate) fn back_genesis_supply(&mut self, chain: ChainId) -> Result<(), ProtocolError> {
        let (l1, asset) = l1_base_asset(&self.state, chain)?;
        let held = self
            .state
            .chain(chain)?
            .balances
            .iter()
            .filter(|((a, _), _)| *a == asset)
            .fold(U256::ZERO, |acc, (_, v)| acc.saturating_add(*v));
        let backed = self.state.bridge.chain_balance(chain, asset);
        let amount = held.saturating_sub(backed);
        if amount.is_zero() {
            return Ok(());
        }
        self.emit(Event::Funded {
            chain: l1,
            asset,
            to: super::addresses::l1_native_token_vault(),
            amount,
        });
        self.emit(Event::Bridge(BridgeEvent::ChainBalanceIncreased {
            chain,
            asset,
            amount,
        }));
        Ok(())
    }
}
